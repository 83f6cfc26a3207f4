package platform

import (
	"encoding/json"
	"time"
)

// DeploymentStatus is the state of a deployment and of the thing it deploys.
type DeploymentStatus string

// The deployment statuses (Proton's vocabulary).
const (
	InProgress       DeploymentStatus = "IN_PROGRESS"
	Succeeded        DeploymentStatus = "SUCCEEDED"
	Failed           DeploymentStatus = "FAILED"
	DeleteInProgress DeploymentStatus = "DELETE_IN_PROGRESS"
	DeleteFailed     DeploymentStatus = "DELETE_FAILED"
	DeleteComplete   DeploymentStatus = "DELETE_COMPLETE"
	Cancelling       DeploymentStatus = "CANCELLING"
	Cancelled        DeploymentStatus = "CANCELLED"
)

// Active reports whether s means work is under way on the target.
func (s DeploymentStatus) Active() bool {
	return s == InProgress || s == DeleteInProgress || s == Cancelling
}

// DeploymentType says what an update changes (Proton's vocabulary).
type DeploymentType string

// The deployment types.
const (
	DeployNone           DeploymentType = "NONE"            // record the spec, deploy nothing
	DeployCurrentVersion DeploymentType = "CURRENT_VERSION" // redeploy, same template version
	DeployMinorVersion   DeploymentType = "MINOR_VERSION"   // move to a newer minor version
	DeployMajorVersion   DeploymentType = "MAJOR_VERSION"   // move to another major version
)

// TargetKind says what a deployment deploys.
type TargetKind string

// The target kinds.
const (
	EnvironmentTarget     TargetKind = "ENVIRONMENT"
	ServiceInstanceTarget TargetKind = "SERVICE_INSTANCE"
	ServicePipelineTarget TargetKind = "SERVICE_PIPELINE"
	ComponentTarget       TargetKind = "COMPONENT"
)

// Target identifies what a deployment deploys: an environment (Environment), a service
// instance (Service and Instance), a service pipeline (Service) or a component (Component,
// with the Service and Instance it is attached to, if any).
type Target struct {
	Kind        TargetKind
	Environment string
	Service     string
	Instance    string
	Component   string
}

// String names the target for people and logs, e.g. "service instance frontend/frontend-dev".
func (t Target) String() string {
	switch t.Kind {
	case EnvironmentTarget:
		return "environment " + t.Environment
	case ServiceInstanceTarget:
		return "service instance " + t.Service + "/" + t.Instance
	case ComponentTarget:
		return "component " + t.Component
	default:
		return "service pipeline " + t.Service
	}
}

// Operation is what a deployment does to its target's stack.
type Operation string

// The operations.
const (
	Deploy Operation = "DEPLOY"
	Delete Operation = "DELETE"
)

// Deployable is the state shared by everything Gantry deploys — environments, service
// instances and service pipelines: which template version runs, with which spec, and how
// its latest deployment went.
type Deployable struct {
	TemplateName    string
	TemplateVersion Version
	// Spec is the YAML spec the target was last successfully deployed with.
	Spec                      string
	DeploymentStatus          DeploymentStatus
	DeploymentStatusMessage   string
	LastDeploymentID          string
	LastSucceededDeploymentID string
	StackName                 string
	Outputs                   []Output
	LastAttemptedAt           time.Time
	LastSucceededAt           time.Time
	CreatedAt                 time.Time
	// Revision is the stored revision, for optimistic concurrency.
	Revision int64
}

// Environment is shared infrastructure (a VPC, a cluster) that service instances run in.
type Environment struct {
	Name        string
	Description string
	// AccountConnectionID is the environment account connection the environment deploys
	// through (Proton's environmentAccountConnectionId), AccountID that connection's
	// environment account; both "" for an environment in the platform's own account.
	AccountConnectionID string
	AccountID           string
	// Region is the AWS region the environment, its service instances and components
	// deploy in (an extension beyond Proton, fixed at creation); "" for the platform's own.
	Region string
	// ComponentRoleARN is the IAM role CloudFormation works under for the directly defined
	// components in the environment (Proton's componentRoleArn); without one, no directly
	// defined component can be created in it.
	ComponentRoleARN string
	// CodebuildRoleARN is the IAM role CodeBuild provisioning runs under for the
	// environment and its service instances (Proton's codebuildRoleArn); an environment
	// in another account may take its account connection's instead.
	CodebuildRoleARN string
	// ProvisioningRepository, when set, makes the environment self-managed (Proton's
	// provisioning CUSTOMER_MANAGED): its Terraform, and its service instances', is
	// proposed as pull requests on that linked repository's branch.
	ProvisioningRepository *RepositoryBranch
	// CustomerManaged is an environment whose infrastructure is made outside Gantry and
	// registered with its outputs (Proton's provisioning CUSTOMER_MANAGED without a
	// provisioning repository): nothing is deployed for it; its deployments only record its
	// outputs, succeeded at once, and deleting it removes only its record.
	CustomerManaged bool
	Deployable
}

// ServiceStatus is the status of a service as a whole.
type ServiceStatus string

// The service statuses (Proton's). A stored service keeps the phase of its last
// operation — ServiceCreateInProgress, ServiceUpdateInProgress, ServiceDeleteInProgress,
// or ServiceActive once a phase has been read as done; ServiceStatusOf derives what it
// shows from its instances and pipeline.
const (
	ServiceCreateInProgress ServiceStatus = "CREATE_IN_PROGRESS"
	ServiceCreateFailed     ServiceStatus = "CREATE_FAILED"
	ServiceActive           ServiceStatus = "ACTIVE"
	ServiceUpdateInProgress ServiceStatus = "UPDATE_IN_PROGRESS"
	ServiceUpdateFailed     ServiceStatus = "UPDATE_FAILED"
	ServiceDeleteInProgress ServiceStatus = "DELETE_IN_PROGRESS"
	ServiceDeleteFailed     ServiceStatus = "DELETE_FAILED"
)

// WaitingForInstances is the status message of a new service's pipeline deployment
// while the service's instances deploy: the workflow starts it once none is deploying.
const WaitingForInstances = "waiting for the service's instances to finish deploying"

// WaitingForPipelineDeletion is the status message of a service instance's deletion
// that DeleteService stored to start once the service's pipeline is deleted (the
// pipeline may use what the instances' stacks export).
const WaitingForPipelineDeletion = "waiting for the service's pipeline to be deleted"

// WaitingForComponentDeletion is the status message of a service instance's deletion
// stored to follow the deletion of its component: the workflow starts it once the
// component is gone.
const WaitingForComponentDeletion = "waiting for the instance's component to be deleted"

// ServiceChild is an instance or the pipeline of a service, as ServiceStatusOf reads it.
type ServiceChild struct {
	Target Target
	Deployable
}

// ServiceStatusOf derives a service's status and status message from the phase stored on
// it (phase) and its instances and pipeline: while any child deploys, the phase is in
// progress; once none does, a create or update phase with a child whose last deployment
// failed or was cancelled is CREATE_FAILED or UPDATE_FAILED (else ACTIVE), and a delete
// phase with a child whose deletion failed is DELETE_FAILED (else still in progress: the
// record goes with its last child). The message names the failed child and its reason.
func ServiceStatusOf(phase ServiceStatus, children []ServiceChild) (ServiceStatus, string) {
	var failed *ServiceChild
	for i, c := range children {
		if c.DeploymentStatus.Active() {
			switch phase {
			case ServiceDeleteInProgress, ServiceDeleteFailed:
				return ServiceDeleteInProgress, ""
			case ServiceCreateInProgress, ServiceCreateFailed:
				return ServiceCreateInProgress, ""
			default:
				return ServiceUpdateInProgress, ""
			}
		}
		bad := c.DeploymentStatus == Failed || c.DeploymentStatus == Cancelled
		if phase == ServiceDeleteInProgress || phase == ServiceDeleteFailed {
			bad = c.DeploymentStatus == DeleteFailed
		}
		if bad && failed == nil {
			failed = &children[i]
		}
	}
	var status ServiceStatus
	switch phase {
	case ServiceDeleteInProgress, ServiceDeleteFailed:
		if failed == nil {
			return ServiceDeleteInProgress, ""
		}
		status = ServiceDeleteFailed
	case ServiceCreateInProgress, ServiceCreateFailed:
		status = ServiceCreateFailed
	case ServiceUpdateInProgress, ServiceUpdateFailed:
		status = ServiceUpdateFailed
	default:
		return ServiceActive, ""
	}
	if failed == nil {
		return ServiceActive, ""
	}
	message := failed.Target.String() + ": " + string(failed.DeploymentStatus)
	if failed.DeploymentStatusMessage != "" {
		message += ": " + failed.DeploymentStatusMessage
	}
	return status, message
}

// Service is an application built from a service template: one or more instances, each in
// an environment, and optionally a pipeline.
type Service struct {
	Name            string
	Description     string
	TemplateName    string
	TemplateVersion Version
	// Spec is the service's ServiceSpec YAML as created.
	Spec                    string
	RepositoryID            string
	RepositoryConnectionARN string
	BranchName              string
	HasPipeline             bool
	// Status is the phase as stored; reads through the control plane derive it (ServiceStatusOf).
	Status        ServiceStatus
	StatusMessage string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Revision      int64
}

// ServiceInstance is one deployment of a service into one environment.
type ServiceInstance struct {
	Service     string
	Name        string
	Environment string
	Deployable
}

// ServicePipeline is a service's CI/CD pipeline.
type ServicePipeline struct {
	Service string
	Deployable
	// LastExecution is the pipeline's latest run as CodePipeline reported it; nil until
	// a run is seen.
	LastExecution *PipelineExecution
}

// PipelineExecution is one run of a service's pipeline, from CodePipeline's execution
// state-change events.
type PipelineExecution struct {
	ID string
	// State is CodePipeline's: STARTED, SUCCEEDED, FAILED, STOPPING, STOPPED, SUPERSEDED,
	// CANCELED, RESUMED.
	State string
	// Stage is the stage a stage-level change was about; "" for a change of the whole
	// execution, which outranks a stage's change of the same second.
	Stage   string
	Summary string
	// UpdatedAt is the time of the event that set State; an older event never replaces a
	// newer one.
	UpdatedAt time.Time
}

// pipelineNamePrefix and pipelineNameSuffix frame a service's name in the CodePipeline
// pipeline its template creates ("gantry-svc-<service>-pipeline", the golden-path library's
// convention), so that CodePipeline's events can be traced back to the service.
const (
	pipelineNamePrefix = "gantry-svc-"
	pipelineNameSuffix = "-pipeline"
)

// PipelineName returns the CodePipeline pipeline name of a service's pipeline.
func PipelineName(service string) string { return pipelineNamePrefix + service + pipelineNameSuffix }

// PipelineService returns the service whose pipeline is named name, and false when name
// does not follow PipelineName's convention.
func PipelineService(name string) (string, bool) {
	if len(name) <= len(pipelineNamePrefix)+len(pipelineNameSuffix) ||
		name[:len(pipelineNamePrefix)] != pipelineNamePrefix || name[len(name)-len(pipelineNameSuffix):] != pipelineNameSuffix {
		return "", false
	}
	return name[len(pipelineNamePrefix) : len(name)-len(pipelineNameSuffix)], true
}

// Deployment is one attempt to bring a target to a template version and spec, or to
// delete it. Its history is kept after the target is gone.
type Deployment struct {
	ID              string
	Target          Target
	Operation       Operation
	TemplateName    string
	TemplateVersion Version
	// Spec is the spec YAML this deployment applies; Inputs the validated inputs (defaults
	// applied) as a JSON object.
	Spec          string
	Inputs        json.RawMessage
	Status        DeploymentStatus
	StatusMessage string
	StackName     string
	StackID       string
	// Account is the environment account the stack lives in, reached through the
	// environment account connection ConnectionID; both "" for the platform's own account.
	// Region is the stack's region, its environment's ("" the platform's). The Deploy task
	// records them before it submits the stack operation.
	Account      string
	ConnectionID string
	Region       string
	Outputs      []Output
	// ExecutionID is the workflow execution that runs the deployment.
	ExecutionID string
	// TaskToken is the token the workflow waits on while the engine works.
	TaskToken string
	// Engine provisions the deployment (its template version's; empty: CloudFormation),
	// recorded when the operation is submitted; ProvisioningRef is what the engine needs
	// back to report on it (a build id).
	Engine          Engine
	ProvisioningRef string
	// Reported is the final status the engine's commands reported
	// (NotifyResourceDeploymentStatusChange: SUCCEEDED or FAILED, with ReportedMessage)
	// before the workflow recorded the end.
	Reported        DeploymentStatus
	ReportedMessage string
	// RenderedKey is where the rendered template is kept (Blobs).
	RenderedKey string
	// ChangeSetName, when set, is the previewed change set the deployment executes (its
	// template was rendered at RenderedKey by the preview): Render and the change set's
	// creation are skipped.
	ChangeSetName string
	// PreviousDeploymentID is the target's last succeeded deployment when this one began.
	PreviousDeploymentID string
	// LeaseOwner is the worker that last claimed the unfinished deployment (a workflow
	// execution's name, or the reconciler), and LeaseExpiresAt when its claim lapses unless
	// renewed: a deployment whose lease has expired has lost its worker, and the
	// reconciler resumes or fails it. A zero LeaseExpiresAt means no worker was ever given
	// the deployment (a pipeline deployment waiting for its instances).
	LeaseOwner     string
	LeaseExpiresAt time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
	CompletedAt    time.Time
	Revision       int64
}

// Finished reports whether the deployment has reached a final status.
func (d Deployment) Finished() bool {
	switch d.Status {
	case Succeeded, Failed, DeleteFailed, DeleteComplete, Cancelled:
		return true
	}
	return false
}

// Target returns the deployment target of the environment.
func (e Environment) Target() Target { return Target{Kind: EnvironmentTarget, Environment: e.Name} }

// Target returns the deployment target of the service instance.
func (i ServiceInstance) Target() Target {
	return Target{Kind: ServiceInstanceTarget, Service: i.Service, Instance: i.Name}
}

// Target returns the deployment target of the service pipeline.
func (p ServicePipeline) Target() Target {
	return Target{Kind: ServicePipelineTarget, Service: p.Service}
}
