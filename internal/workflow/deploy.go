package workflow

import (
	"context"
	"encoding/json"
	"maps"
	"time"

	"github.com/gantry-platform/gantry/internal/bundle"
	"github.com/gantry-platform/gantry/internal/platform"
)

// stackOutcome is how a stack operation stands.
type stackOutcome string

// The outcomes Reconcile reports; the state machine's ReconcileOutcome chooses on them.
const (
	outcomeSucceeded  stackOutcome = "SUCCEEDED"
	outcomeFailed     stackOutcome = "FAILED"
	outcomeInProgress stackOutcome = "IN_PROGRESS"
)

// DeployOutput is what Deploy returns: for Reconcile, the outcome and the failure reason.
type DeployOutput struct {
	Outcome stackOutcome `json:"outcome,omitempty"`
	Reason  string       `json:"reason,omitempty"`
}

// reconcileLimit is how long Reconcile keeps waiting on a stack before failing the
// deployment.
const reconcileLimit = 24 * time.Hour

// Deploy submits the deployment's operation to its engine (the adapter chosen by the
// deployment's engine, recorded by Render) and records the task token the workflow now
// waits on; the engine's end — its events, or the notify call of the commands it runs —
// resolves it. An operation with nothing to change is resolved at once. With in.Reconcile
// it instead asks the engine how the operation stands (the workflow's path when nothing
// resolved the wait in time). Errors: *StackRejected when the engine refuses the
// operation, *DeploymentCancelled.
func (t *Tasks) Deploy(ctx context.Context, in Input) (DeployOutput, error) {
	d, err := t.store.GetDeployment(ctx, in.DeploymentID)
	if err != nil {
		return DeployOutput{}, err
	}
	if in.Reconcile {
		out, err := t.reconcile(ctx, d)
		if err == nil && out.Outcome == outcomeInProgress {
			// Still waiting: the workflow comes back after WaitForStack.
			_, err = t.update(ctx, d, func(d *platform.Deployment) bool { return t.renew(d, in.Execution, ReconcileWait) })
		}
		return out, err
	}
	if d.Finished() {
		return DeployOutput{}, nil
	}
	if d.Status == platform.Cancelling {
		return DeployOutput{}, &DeploymentCancelled{Reason: d.StatusMessage}
	}
	engine, err := t.engines.For(d.Engine)
	if err != nil {
		return DeployOutput{}, &StackRejected{Reason: platform.MessageOf(err)}
	}
	at, err := t.placement(ctx, d)
	if err != nil {
		return DeployOutput{}, &TransientError{Err: err}
	}
	repeat := false // a repeated invocation: this task token was already recorded
	d, err = t.update(ctx, d, func(d *platform.Deployment) bool {
		repeat = d.TaskToken == in.TaskToken
		d.TaskToken = in.TaskToken
		if d.Account == "" && d.ConnectionID == "" && d.Region == "" {
			// Recorded before the operation is submitted: every later look at it goes
			// to the same account and region.
			d.Account, d.ConnectionID, d.Region = at.account, at.connection, at.region
		}
		// Nothing renews the lease while the workflow waits on the engine, until
		// Provision times out into Reconcile: the lease covers that wait.
		return t.renew(d, in.Execution, ProvisionWait) || !repeat
	})
	if err != nil {
		return DeployOutput{}, err
	}
	if d.Status == platform.Cancelling || d.Finished() {
		return DeployOutput{}, &DeploymentCancelled{Reason: d.StatusMessage}
	}
	if repeat {
		// The earlier invocation started the operation: its end (or Reconcile) resolves
		// the task.
		if rep, err := engine.Report(ctx, d); err == nil && rep.DeploymentID == d.ID {
			return DeployOutput{}, nil
		}
	}
	p, err := t.provisioning(ctx, d)
	if err != nil {
		return DeployOutput{}, err
	}
	var sub platform.Submission
	if d.Operation == platform.Delete {
		sub, err = engine.Deprovision(ctx, p)
	} else {
		sub, err = engine.Submit(ctx, p)
	}
	switch platform.KindOf(err) {
	case "":
	case platform.Invalid:
		return DeployOutput{}, &StackRejected{Reason: platform.MessageOf(err)}
	case platform.Conflict:
		// A repeated invocation finds its own operation running: nothing more to do.
		if rep, rerr := engine.Report(ctx, d); rerr == nil && rep.DeploymentID == d.ID {
			return DeployOutput{}, nil
		}
		return DeployOutput{}, &StackRejected{Reason: platform.MessageOf(err)}
	default:
		return DeployOutput{}, &TransientError{Err: err}
	}
	if sub.Ref != "" && sub.Ref != d.ProvisioningRef {
		if _, err := t.update(ctx, d, func(d *platform.Deployment) bool { d.ProvisioningRef = sub.Ref; return true }); err != nil {
			return DeployOutput{}, &TransientError{Err: err}
		}
	}
	if sub.NoChanges {
		out, _ := json.Marshal(map[string]string{"stackStatus": "NO_CHANGES"})
		err := t.workflows.SendTaskSuccess(ctx, in.TaskToken, out)
		if repeat {
			err = ignoreResolved(err) // the earlier invocation resolved it
		}
		if err != nil {
			return DeployOutput{}, err
		}
	}
	return DeployOutput{}, nil
}

// StackDeployment is what deploying body as d's stack asks of the provisioner: its stack
// name, the deployment id as client request token, the provisioning role and StackTags.
func (t *Tasks) StackDeployment(ctx context.Context, d platform.Deployment, body []byte) (platform.StackDeployment, error) {
	tags, err := t.StackTags(ctx, d)
	if err != nil {
		return platform.StackDeployment{}, err
	}
	role, err := t.provisioningRole(ctx, d)
	if err != nil {
		return platform.StackDeployment{}, err
	}
	return platform.StackDeployment{StackName: d.StackName, TemplateBody: body, ClientRequestToken: d.ID, RoleARN: role, Tags: tags}, nil
}

// provisioning is what d's engine is given: the rendered template, or for an engine that
// runs the bundle the bundle, its manifest's folder and proton-inputs.json (Render's); the
// stack's tags, the role (a CodeBuild build's: codebuildRole's) and the target's ARN.
func (t *Tasks) provisioning(ctx context.Context, d platform.Deployment) (platform.Provisioning, error) {
	p := platform.Provisioning{Deployment: d, Account: d.Account, ResourceARN: t.arns.ARN(platform.TargetResource(d.Target))}
	var err error
	if p.RoleARN, err = t.provisioningRole(ctx, d); err != nil {
		return p, &TransientError{Err: err}
	}
	if d.Engine.OrDefault() == platform.EngineCodeBuild {
		role, err := t.codebuildRole(ctx, d)
		if err != nil {
			return p, &TransientError{Err: err}
		}
		if role == "" {
			return p, &StackRejected{Reason: "no codebuildRoleArn: CodeBuild provisioning runs under the environment's codebuildRoleArn " +
				"(its account connection's, for an environment in another account; the account settings' pipelineCodebuildRoleArn for a pipeline); set one and deploy again"}
		}
		p.RoleARN = role
	}
	if d.Engine.RunsBundle() {
		if d.Target.Kind == platform.ComponentTarget {
			if p.Files, err = t.componentFiles(ctx, d); err != nil {
				return p, &TransientError{Err: err}
			}
		} else if p.Bundle, err = t.bundle(ctx, d); err != nil {
			return p, &TransientError{Err: err}
		}
		if p.ProtonInputs, err = t.blobs.Get(ctx, d.RenderedKey); err != nil {
			return p, &TransientError{Err: err}
		}
		p.Dir = manifestDir(d.Target.Kind)
		if t.reporters != nil {
			// The key lives as long as the engine may run before Reconcile takes over.
			creds, err := t.reporters.Mint(ctx, d.ID, p.ResourceARN, t.clock().Add(ProvisionWait+t.lease))
			if err != nil {
				return p, &TransientError{Err: err}
			}
			p.Credentials = &creds
		}
	} else if d.Operation != platform.Delete {
		if p.TemplateBody, err = t.blobs.Get(ctx, d.RenderedKey); err != nil {
			return p, err
		}
	}
	if d.Operation != platform.Delete {
		if p.Tags, err = t.StackTags(ctx, d); err != nil {
			return p, &TransientError{Err: err}
		}
	}
	return p, nil
}

// componentFiles are the sources of d's component: its template file by its manifest's
// name.
func (t *Tasks) componentFiles(ctx context.Context, d platform.Deployment) (map[string][]byte, error) {
	c, err := t.store.GetComponent(ctx, d.Target.Component)
	if err != nil {
		return nil, err
	}
	tmpl, err := bundle.ParseComponentManifest(c.Manifest)
	if err != nil {
		return nil, err
	}
	return map[string][]byte{tmpl.File: []byte(c.TemplateFile)}, nil
}

// manifestDir is the bundle folder whose manifest provisions a target of kind.
func manifestDir(kind platform.TargetKind) string {
	switch kind {
	case platform.EnvironmentTarget:
		return bundle.EnvironmentDir
	case platform.ServicePipelineTarget:
		return bundle.PipelineDir
	}
	return bundle.InstanceDir
}

// StackTags are the tags of d's stack: the customer tags of its target (and, for a
// service instance or pipeline, of its service, which the instance's own override), then
// Gantry's managed tags, which say what the stack belongs to: gantry:target, and as they
// apply gantry:environment, gantry:service, gantry:service-instance, gantry:component,
// gantry:template and gantry:template-version.
func (t *Tasks) StackTags(ctx context.Context, d platform.Deployment) (map[string]string, error) {
	tags := map[string]string{}
	var resources []platform.Resource
	if d.Target.Kind == platform.ServiceInstanceTarget || d.Target.Kind == platform.ServicePipelineTarget {
		resources = append(resources, platform.Resource{Type: platform.ServiceResource, Name: d.Target.Service})
	}
	if d.Target.Kind != platform.ServicePipelineTarget {
		resources = append(resources, platform.TargetResource(d.Target))
	}
	for _, r := range resources {
		own, err := t.store.ListTags(ctx, r)
		if err != nil {
			return nil, err
		}
		maps.Copy(tags, own)
	}
	tags["gantry:target"] = d.Target.String()
	if d.TemplateName != "" {
		tags["gantry:template"], tags["gantry:template-version"] = d.TemplateName, d.TemplateVersion.String()
	}
	switch d.Target.Kind {
	case platform.EnvironmentTarget:
		tags["gantry:environment"] = d.Target.Environment
	case platform.ServiceInstanceTarget:
		tags["gantry:service"], tags["gantry:service-instance"] = d.Target.Service, d.Target.Instance
		if inst, err := t.store.GetServiceInstance(ctx, d.Target.Service, d.Target.Instance); err == nil {
			tags["gantry:environment"] = inst.Environment
		}
	case platform.ComponentTarget:
		tags["gantry:component"] = d.Target.Component
		c, err := t.store.GetComponent(ctx, d.Target.Component)
		if err != nil {
			return nil, err
		}
		tags["gantry:environment"] = c.Environment
		if c.Attached() {
			tags["gantry:service"], tags["gantry:service-instance"] = c.Service, c.Instance
		}
	default:
		tags["gantry:service"] = d.Target.Service
	}
	return tags, nil
}

// notSubmitted is the reason a deployment fails when its worker was lost before its stack
// operation was submitted.
const notSubmitted = "the deployment stopped before its stack operation was submitted (its worker was lost); nothing was changed — deploy again"

// reconcile reports how d's operation stands: as its engine's commands reported it
// (Reported), else from the engine's own account.
func (t *Tasks) reconcile(ctx context.Context, d platform.Deployment) (DeployOutput, error) {
	if d.Finished() {
		return DeployOutput{Outcome: outcomeSucceeded}, nil
	}
	switch d.Reported {
	case platform.Succeeded:
		return DeployOutput{Outcome: outcomeSucceeded}, nil
	case platform.Failed:
		return DeployOutput{Outcome: outcomeFailed, Reason: d.ReportedMessage}, nil
	}
	if d.TaskToken == "" && d.Operation != platform.Delete {
		return DeployOutput{Outcome: outcomeFailed, Reason: notSubmitted}, nil
	}
	engine, err := t.engines.For(d.Engine)
	if err != nil {
		return DeployOutput{Outcome: outcomeFailed, Reason: platform.MessageOf(err)}, nil
	}
	rep, err := engine.Report(ctx, d)
	switch {
	case platform.KindOf(err) == platform.NotFound && d.Operation == platform.Delete:
		return DeployOutput{Outcome: outcomeSucceeded}, nil
	case platform.KindOf(err) == platform.NotFound:
		return DeployOutput{Outcome: outcomeFailed, Reason: "the " + d.StackName + " " + engineThing(d.Engine) + " does not exist: its operation was never submitted " +
			"(the deployment's worker was lost first) or it was deleted outside Gantry"}, nil
	case err != nil:
		return DeployOutput{}, &TransientError{Err: err}
	}
	if rep.DeploymentID != d.ID {
		if d.TaskToken == "" {
			return DeployOutput{Outcome: outcomeFailed, Reason: notSubmitted}, nil
		}
		other := rep.DeploymentID
		if other == "" {
			other = "one without a token"
		}
		return DeployOutput{Outcome: outcomeFailed, Reason: "the " + engineThing(d.Engine) + "'s latest operation is not this deployment's: its own was never submitted " +
			"(the deployment's worker was lost first), or another operation (" + other + ") took over"}, nil
	}
	switch rep.Outcome {
	case platform.OutcomeSucceeded:
		return DeployOutput{Outcome: outcomeSucceeded}, nil
	case platform.OutcomeFailed:
		return DeployOutput{Outcome: outcomeFailed, Reason: rep.Reason}, nil
	}
	if t.clock().Sub(d.CreatedAt) > reconcileLimit {
		return DeployOutput{Outcome: outcomeFailed, Reason: "the " + engineThing(d.Engine) + " was still " + rep.Status + " after 24 hours"}, nil
	}
	return DeployOutput{Outcome: outcomeInProgress}, nil
}

// engineName names engine e in messages; engineThing what it works on.
func engineName(e platform.Engine) string  { name, _ := engineWords(e); return name }
func engineThing(e platform.Engine) string { _, thing := engineWords(e); return thing }

func engineWords(e platform.Engine) (name, thing string) {
	switch e.OrDefault() {
	case platform.EngineCodeBuild:
		return "CodeBuild", "build"
	case platform.EngineTerraform:
		return "the provisioning repository's CI", "pull request"
	}
	return "CloudFormation", "stack"
}
