package platform

import (
	"context"
	"time"
)

// Engine is how a template version's infrastructure is provisioned, from its bundle's
// manifest (rendering_engine, template_language), recorded at registration.
type Engine string

// The provisioning engines. The empty Engine is EngineCloudFormation (records written
// before engines were recorded).
const (
	// EngineCloudFormation renders the bundle's Jinja templates and deploys the result as a
	// CloudFormation stack.
	EngineCloudFormation Engine = "CLOUDFORMATION"
	// EngineCodeBuild runs the manifest's provision (deprovision) commands in a CodeBuild
	// project, beside proton-inputs.json; the commands report with
	// NotifyResourceDeploymentStatusChange, and the build's end finishes the deployment.
	EngineCodeBuild Engine = "CODEBUILD"
	// EngineTerraform commits the bundle's Terraform files and proton.auto.tfvars.json to
	// the provisioning repository and opens a pull request; the repository's CI reports
	// with NotifyResourceDeploymentStatusChange.
	EngineTerraform Engine = "TERRAFORM"
)

// OrDefault returns e, or EngineCloudFormation when e is empty.
func (e Engine) OrDefault() Engine {
	if e == "" {
		return EngineCloudFormation
	}
	return e
}

// Provisioning asks an engine to provision (or deprovision) one deployment's target.
type Provisioning struct {
	// Deployment is the deployment: its ID is the token the engine stamps on what it
	// starts, its StackName the name of the target's infrastructure at the engine.
	Deployment Deployment
	// TemplateBody is the rendered template, for engines that render (CloudFormation).
	TemplateBody []byte
	// Bundle is the template version's bundle (.tar.gz) and Dir the manifest's folder in
	// it (e.g. "infrastructure"), for engines that run the bundle itself (RunsBundle).
	Bundle []byte
	Dir    string
	// Files, for a directly defined component (which has no bundle), are its one template
	// file by its manifest's name.
	Files map[string][]byte
	// ProtonInputs is proton-inputs.json as Proton wrote it, for engines that run the
	// bundle: the target's inputs and, by namespace, those of what it depends on with
	// their outputs.
	ProtonInputs []byte
	// ResourceARN is the target's ARN (Proton's RESOURCE_ARN).
	ResourceARN string
	// Credentials, for engines whose commands report back, are the short-lived keys that
	// may report on ResourceARN alone (NotifyResourceDeploymentStatusChange).
	Credentials *ScopedCredentials
	Tags        map[string]string
	// RoleARN, when set, is the role the engine works under in the target account.
	RoleARN string
	// Account, when set, is the target AWS account.
	Account string
}

// ScopedCredentials are an access key that may only report on one resource, until it
// expires.
type ScopedCredentials struct {
	AccessKeyID     string
	SecretAccessKey string
	ResourceARN     string
	ExpiresAt       time.Time
}

// Submission is what an engine started.
type Submission struct {
	// Ref is what the engine needs back to report on the operation (a build id), kept
	// on the deployment as ProvisioningRef; empty when the deployment suffices.
	Ref string
	// NoChanges reports that the target already matched: nothing was started and nothing
	// will resume the workflow. It is a success.
	NoChanges bool
}

// Outcome is how a provisioning operation stands.
type Outcome string

// The outcomes an engine reports.
const (
	OutcomeInProgress Outcome = "IN_PROGRESS"
	OutcomeSucceeded  Outcome = "SUCCEEDED"
	OutcomeFailed     Outcome = "FAILED"
)

// ProvisioningReport is an engine's own account of a deployment's operation.
type ProvisioningReport struct {
	// ID is the engine's id of what holds the target (a stack id, a build id).
	ID string
	// DeploymentID is the deployment whose operation is the latest the engine ran on the
	// target (from its token); another id means this deployment's never ran or was
	// superseded.
	DeploymentID string
	Outcome      Outcome
	// Status is the engine's own status (e.g. UPDATE_ROLLBACK_COMPLETE, FAILED) and
	// Reason the root cause of a failure.
	Status string
	Reason string
	// Outputs are the target's outputs; nil when the engine has none to report (those
	// notified with NotifyResourceDeploymentStatusChange stand).
	Outputs []Output
}

// Provisioner is one provisioning engine's adapter: the port the workflow drives for every
// engine alike. Operations return once started; their end resumes the workflow's waiting
// task (by an engine event, or a notify call) or is found by Report.
type Provisioner interface {
	// Submit provisions the deployment's target (create or update). An operation the engine
	// refuses up front is an Invalid error; one already running on the target a Conflict.
	Submit(ctx context.Context, p Provisioning) (Submission, error)
	// Deprovision removes the target's infrastructure; a target with nothing to remove is
	// NoChanges.
	Deprovision(ctx context.Context, p Provisioning) (Submission, error)
	// Report says how deployment d's operation stands, from the engine itself. NotFound
	// when the engine holds nothing of d's target.
	Report(ctx context.Context, d Deployment) (ProvisioningReport, error)
	// Cancel stops d's operation in progress; its end (rolled back, stopped) then resumes
	// the workflow. Conflict when the engine cannot cancel it now (with the engine's
	// reason); NotFound when nothing was started yet.
	Cancel(ctx context.Context, d Deployment) error
}

// Engines chooses the adapter of each engine.
type Engines map[Engine]Provisioner

// For returns the adapter of engine e (the empty Engine is CloudFormation); an engine
// without one is an Invalid error naming it.
func (es Engines) For(e Engine) (Provisioner, error) {
	if p, ok := es[e.OrDefault()]; ok && p != nil {
		return p, nil
	}
	return nil, Errorf(Invalid, "no provisioning engine %s is configured here", e.OrDefault())
}

// RunsBundle reports whether engine e runs the bundle's own files beside
// proton-inputs.json (CodeBuild, Terraform) rather than a template Gantry renders
// (CloudFormation).
func (e Engine) RunsBundle() bool { return e.OrDefault() != EngineCloudFormation }
