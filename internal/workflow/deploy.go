package workflow

import (
	"context"
	"encoding/json"
	"maps"
	"time"

	"github.com/gantry-platform/gantry/internal/awsevents"
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

// Deploy starts the deployment's stack operation and records the task token the workflow
// now waits on; the events handler resolves it when CloudFormation finishes. A stack that
// already matches is resolved at once. With in.Reconcile it instead asks CloudFormation how
// the operation stands (the workflow's path when no event arrived in time). Errors:
// *StackRejected when CloudFormation refuses the template, *DeploymentCancelled.
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
	repeat := false // a repeated invocation: this task token was already recorded
	d, err = t.update(ctx, d, func(d *platform.Deployment) bool {
		repeat = d.TaskToken == in.TaskToken
		d.TaskToken = in.TaskToken
		// Nothing renews the lease while the workflow waits on CloudFormation, until
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
		// The earlier invocation started the stack operation: its event (or Reconcile)
		// resolves the task.
		if stack, err := t.provisioner.Describe(ctx, d.StackName); err == nil && platform.DeploymentOfToken(stack.LastClientRequestToken) == d.ID {
			return DeployOutput{}, nil
		}
	}
	var op platform.StackOperation
	switch {
	case d.Operation == platform.Delete:
		op, err = t.provisioner.Delete(ctx, d.StackName, d.ID)
	case d.ChangeSetName != "":
		op, err = t.provisioner.ExecuteChangeSet(ctx, d.StackName, d.ChangeSetName, d.ID)
		if platform.KindOf(err) == platform.NotFound {
			return DeployOutput{}, &StackRejected{Reason: "the previewed change set " + d.ChangeSetName + " of " + d.StackName +
				" no longer exists: another operation ran on the stack since the preview; preview again"}
		}
	default:
		var body []byte
		body, err = t.blobs.Get(ctx, d.RenderedKey)
		if err != nil {
			return DeployOutput{}, err
		}
		var in platform.StackDeployment
		if in, err = t.StackDeployment(ctx, d, body); err != nil {
			return DeployOutput{}, &TransientError{Err: err}
		}
		op, err = t.provisioner.Deploy(ctx, in)
	}
	switch platform.KindOf(err) {
	case "":
	case platform.Invalid:
		return DeployOutput{}, &StackRejected{Reason: platform.MessageOf(err)}
	case platform.Conflict:
		// A repeated invocation finds its own operation running: nothing more to do.
		if stack, derr := t.provisioner.Describe(ctx, d.StackName); derr == nil && platform.DeploymentOfToken(stack.LastClientRequestToken) == d.ID {
			return DeployOutput{}, nil
		}
		return DeployOutput{}, &StackRejected{Reason: platform.MessageOf(err)}
	default:
		return DeployOutput{}, &TransientError{Err: err}
	}
	if op.NoChanges {
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
	return platform.StackDeployment{StackName: d.StackName, TemplateBody: body, ClientRequestToken: d.ID, RoleARN: t.roleARN, Tags: tags}, nil
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

// reconcile reports how d's stack operation stands, from CloudFormation's own description.
func (t *Tasks) reconcile(ctx context.Context, d platform.Deployment) (DeployOutput, error) {
	if d.Finished() {
		return DeployOutput{Outcome: outcomeSucceeded}, nil
	}
	if d.TaskToken == "" && d.Operation != platform.Delete {
		return DeployOutput{Outcome: outcomeFailed, Reason: notSubmitted}, nil
	}
	stack, err := t.provisioner.Describe(ctx, d.StackName)
	switch {
	case platform.KindOf(err) == platform.NotFound && d.Operation == platform.Delete:
		return DeployOutput{Outcome: outcomeSucceeded}, nil
	case platform.KindOf(err) == platform.NotFound:
		return DeployOutput{Outcome: outcomeFailed, Reason: "the stack " + d.StackName + " does not exist: its operation was never submitted " +
			"(the deployment's worker was lost first) or the stack was deleted outside Gantry"}, nil
	case err != nil:
		return DeployOutput{}, &TransientError{Err: err}
	}
	if platform.DeploymentOfToken(stack.LastClientRequestToken) != d.ID {
		if d.TaskToken == "" {
			return DeployOutput{Outcome: outcomeFailed, Reason: notSubmitted}, nil
		}
		other := stack.LastClientRequestToken
		if other == "" {
			other = "one without a token"
		}
		return DeployOutput{Outcome: outcomeFailed, Reason: "the stack's latest operation is not this deployment's: its own was never submitted " +
			"(the deployment's worker was lost first), or another operation (" + other + ") took over the stack"}, nil
	}
	switch awsevents.ClassifyStackStatus(stack.Status) {
	case awsevents.Succeeded:
		if d.Operation == platform.Delete && stack.Status != "DELETE_COMPLETE" {
			break
		}
		return DeployOutput{Outcome: outcomeSucceeded}, nil
	case awsevents.Failed:
		return DeployOutput{Outcome: outcomeFailed, Reason: stack.StatusReason}, nil
	}
	if t.clock().Sub(d.CreatedAt) > reconcileLimit {
		return DeployOutput{Outcome: outcomeFailed, Reason: "the stack was still " + stack.Status + " after 24 hours"}, nil
	}
	return DeployOutput{Outcome: outcomeInProgress}, nil
}
