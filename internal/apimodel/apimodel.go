// Package apimodel is the JSON shapes of Gantry's HTTP API, shared by the server
// (internal/api) and the client (internal/apiclient): the answers (Template, Environment,
// Deployment, List, Error, …) and the request bodies (CreateTemplate, CreateEnvironment,
// CreateService, Update). Field names are camelCase in Proton's vocabulary. These types are
// the one place that decides the wire format: internal/api maps domain types
// (internal/platform) to and from them, and no JSON tag of a domain type reaches the wire.
//
// Changing a field's name, omitempty or pointer-ness changes the API for every client.
package apimodel

import (
	"encoding/json"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Template is an environment or service template. The recommended version is set once a
// version of the template is published: the highest published one, unless an admin pinned
// another (RecommendedVersionPinned, left out when false).
type Template struct {
	Name                     string    `json:"name"`
	ARN                      string    `json:"arn"`
	DisplayName              string    `json:"displayName,omitempty"`
	Description              string    `json:"description,omitempty"`
	RecommendedVersion       string    `json:"recommendedVersion,omitempty"`
	RecommendedMajorVersion  *int      `json:"recommendedMajorVersion,omitempty"`
	RecommendedMinorVersion  *int      `json:"recommendedMinorVersion,omitempty"`
	RecommendedVersionPinned bool      `json:"recommendedVersionPinned,omitempty"`
	CreatedAt                time.Time `json:"createdAt"`
	LastModifiedAt           time.Time `json:"lastModifiedAt"`

	// SelfService (environment templates): developers may create, update, delete and
	// cancel environments of this template.
	SelfService bool `json:"selfService,omitempty"`
}

// TemplateVersion is one major.minor version of a template. Schema is set only when the
// version is read on its own (GET …/versions/{version}); HasPipeline only on versions of
// service templates.
type TemplateVersion struct {
	TemplateName                   string                          `json:"templateName"`
	ARN                            string                          `json:"arn"`
	MajorVersion                   int                             `json:"majorVersion"`
	MinorVersion                   int                             `json:"minorVersion"`
	Status                         platform.VersionStatus          `json:"status"`
	StatusMessage                  string                          `json:"statusMessage,omitempty"`
	Description                    string                          `json:"description,omitempty"`
	Schema                         string                          `json:"schema,omitempty"`
	CompatibleEnvironmentTemplates []CompatibleEnvironmentTemplate `json:"compatibleEnvironmentTemplates,omitempty"`
	// SupportedComponentSources is set on service template versions only, left out when none.
	SupportedComponentSources []string  `json:"supportedComponentSources,omitempty"`
	HasPipeline               *bool     `json:"hasPipeline,omitempty"`
	CreatedAt                 time.Time `json:"createdAt"`
	LastModifiedAt            time.Time `json:"lastModifiedAt"`
}

// CompatibleEnvironmentTemplate names an environment template major version whose
// environments a service template's instances can run in.
type CompatibleEnvironmentTemplate struct {
	TemplateName string `json:"templateName"`
	MajorVersion int    `json:"majorVersion"`
}

// Version returns the version's number.
func (v TemplateVersion) Version() platform.Version {
	return platform.Version{Major: v.MajorVersion, Minor: v.MinorVersion}
}

// Deployable is what environments, service instances and service pipelines share, embedded
// in each: the template version they run, their spec and how their latest deployment went.
// The times are nil until a deployment was attempted or succeeded.
type Deployable struct {
	TemplateName              string                    `json:"templateName"`
	TemplateMajorVersion      int                       `json:"templateMajorVersion"`
	TemplateMinorVersion      int                       `json:"templateMinorVersion"`
	Spec                      string                    `json:"spec,omitempty"`
	DeploymentStatus          platform.DeploymentStatus `json:"deploymentStatus"`
	DeploymentStatusMessage   string                    `json:"deploymentStatusMessage,omitempty"`
	LastDeploymentID          string                    `json:"lastDeploymentId,omitempty"`
	LastSucceededDeploymentID string                    `json:"lastSucceededDeploymentId,omitempty"`
	StackName                 string                    `json:"stackName,omitempty"`
	LastDeploymentAttemptedAt *time.Time                `json:"lastDeploymentAttemptedAt,omitempty"`
	LastDeploymentSucceededAt *time.Time                `json:"lastDeploymentSucceededAt,omitempty"`
	CreatedAt                 time.Time                 `json:"createdAt"`
}

// TemplateVersion returns the template version the target runs.
func (d Deployable) TemplateVersion() platform.Version {
	return platform.Version{Major: d.TemplateMajorVersion, Minor: d.TemplateMinorVersion}
}

// Environment is an environment.
type Environment struct {
	Name        string `json:"name"`
	ARN         string `json:"arn"`
	Description string `json:"description,omitempty"`
	// EnvironmentAccountConnectionID and EnvironmentAccountID say which connection and
	// account the environment deploys into; omitted for the platform's own account.
	EnvironmentAccountConnectionID string `json:"environmentAccountConnectionId,omitempty"`
	EnvironmentAccountID           string `json:"environmentAccountId,omitempty"`
	// Region is the AWS region the environment, its service instances and components
	// deploy in (an extension beyond Proton): the platform's own unless created with one.
	Region           string `json:"region"`
	ComponentRoleARN string `json:"componentRoleArn,omitempty"`
	CodebuildRoleARN string `json:"codebuildRoleArn,omitempty"`
	// Provisioning is CUSTOMER_MANAGED for a self-managed environment, whose pull requests
	// go to ProvisioningRepository.
	Provisioning           string            `json:"provisioning,omitempty"`
	ProvisioningRepository *RepositoryBranch `json:"provisioningRepository,omitempty"`
	Deployable
}

// Service is a service. Pipeline is set on a service read on its own (or just created)
// whose template has a pipeline; lists leave it out.
type Service struct {
	Name                    string                 `json:"name"`
	ARN                     string                 `json:"arn"`
	Description             string                 `json:"description,omitempty"`
	TemplateName            string                 `json:"templateName"`
	TemplateMajorVersion    int                    `json:"templateMajorVersion"`
	TemplateMinorVersion    int                    `json:"templateMinorVersion"`
	Spec                    string                 `json:"spec,omitempty"`
	Status                  platform.ServiceStatus `json:"status"`
	StatusMessage           string                 `json:"statusMessage,omitempty"`
	RepositoryID            string                 `json:"repositoryId,omitempty"`
	RepositoryConnectionARN string                 `json:"repositoryConnectionArn,omitempty"`
	BranchName              string                 `json:"branchName,omitempty"`
	Pipeline                *ServicePipeline       `json:"pipeline,omitempty"`
	CreatedAt               time.Time              `json:"createdAt"`
	LastModifiedAt          time.Time              `json:"lastModifiedAt"`
}

// ServicePipeline is a service's pipeline.
type ServicePipeline struct {
	ServiceName string `json:"serviceName"`
	Deployable
	// LastExecution is the pipeline's latest run as CodePipeline reported it; absent
	// until one is seen.
	LastExecution *PipelineExecution `json:"lastExecution,omitempty"`
}

// PipelineExecution is one run of a service's CI/CD pipeline.
type PipelineExecution struct {
	ExecutionID string `json:"executionId"`
	// State is CodePipeline's: STARTED, SUCCEEDED, FAILED, STOPPED, SUPERSEDED, …
	State string `json:"state"`
	// Stage is the stage of the latest stage-level change, absent after the run's outcome.
	Stage     string    `json:"stage,omitempty"`
	Summary   string    `json:"summary,omitempty"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// ServiceInstance is one instance of a service, in one environment.
type ServiceInstance struct {
	Name            string `json:"name"`
	ARN             string `json:"arn"`
	ServiceName     string `json:"serviceName"`
	EnvironmentName string `json:"environmentName"`
	Deployable
}

// Outputs are a target's stack outputs; the API answers [] rather than null when there are
// none.
type Outputs struct {
	Outputs []Output `json:"outputs"`
}

// Output is one output of a stack, as CloudFormation reports it.
type Output struct {
	Key         string `json:"key"`
	ValueString string `json:"valueString"`
}

// Deployment is one deployment of a target: an environment (EnvironmentName), a service
// instance (ServiceName and ServiceInstanceName) or a service pipeline (ServiceName).
// Inputs are the validated inputs it applies, defaults applied, as a JSON object (absent
// when it has none, e.g. a deletion). CompletedAt is nil until the deployment has finished.
type Deployment struct {
	ID                      string                    `json:"id"`
	ARN                     string                    `json:"arn"`
	TargetResourceType      platform.TargetKind       `json:"targetResourceType"`
	EnvironmentName         string                    `json:"environmentName,omitempty"`
	ServiceName             string                    `json:"serviceName,omitempty"`
	ServiceInstanceName     string                    `json:"serviceInstanceName,omitempty"`
	ComponentName           string                    `json:"componentName,omitempty"`
	Operation               platform.Operation        `json:"operation"`
	TemplateName            string                    `json:"templateName,omitempty"`
	TemplateMajorVersion    int                       `json:"templateMajorVersion,omitempty"`
	TemplateMinorVersion    int                       `json:"templateMinorVersion,omitempty"`
	Spec                    string                    `json:"spec,omitempty"`
	Inputs                  json.RawMessage           `json:"inputs,omitempty"`
	DeploymentStatus        platform.DeploymentStatus `json:"deploymentStatus"`
	DeploymentStatusMessage string                    `json:"deploymentStatusMessage,omitempty"`
	StackName               string                    `json:"stackName,omitempty"`
	StackID                 string                    `json:"stackId,omitempty"`
	// Account is the environment account the stack is in; omitted for the platform's own.
	// Region is the stack's region; omitted for the platform's own.
	Account              string     `json:"account,omitempty"`
	Region               string     `json:"region,omitempty"`
	Outputs              []Output   `json:"outputs,omitempty"`
	PreviousDeploymentID string     `json:"previousDeploymentId,omitempty"`
	CreatedAt            time.Time  `json:"createdAt"`
	LastModifiedAt       time.Time  `json:"lastModifiedAt"`
	CompletedAt          *time.Time `json:"completedAt,omitempty"`
}

// List is one page of a list: Items in the API's order (never null) and the token of the
// next page ("" and left out on the last).
type List[T any] struct {
	Items     []T    `json:"items"`
	NextToken string `json:"nextToken,omitempty"`
}

// Error is the body of every answer with a status of 400 or above: an error code
// (ValidationException, ResourceNotFoundException, …), a message for the caller, and the
// request's id, which the server's log carries too.
type Error struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"requestId"`
}

// DeadLetter is an event delivery that local mode's event bus gave up after its retries
// (GET /v1/local/dlq): the event, the rule and target it was for, the last error and the
// attempts made. Replaying it (POST /v1/local/dlq/replay) delivers it again.
type DeadLetter struct {
	ID       string          `json:"id"`
	Time     time.Time       `json:"time"`
	Rule     string          `json:"rule"`
	Target   string          `json:"target,omitempty"`
	Event    json.RawMessage `json:"event"`
	Error    string          `json:"error"`
	Attempts int             `json:"attempts"`
}

// ReplayResult is the answer of a replay: how many dead letters were delivered again.
type ReplayResult struct {
	Replayed int `json:"replayed"`
}

// Health is the body of GET /healthz: status "ok" (200) or "unavailable" (503), and each
// dependency checked ("dynamodb") with "ok" or a short reason ("unreachable", "timed out",
// "table not found").
type Health struct {
	Status       string            `json:"status"`
	Dependencies map[string]string `json:"dependencies"`
}

// RenderedTemplate is the CloudFormation template a deployment rendered (GET
// /v1/deployments/{id}/rendered): lines cited by CloudFormation errors are its lines.
type RenderedTemplate struct {
	DeploymentID string `json:"deploymentId"`
	Template     string `json:"template"`
}
