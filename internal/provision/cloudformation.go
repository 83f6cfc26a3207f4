// Package provision holds the adapters of the provisioning port (platform.Provisioner),
// one per engine: CloudFormation over a platform.StackProvisioner (AWS's or the local
// simulator), CodeBuild over a Builds client (AWS's or the local stand-in). The workflow
// chooses the adapter by the deployment's engine and drives every engine alike.
package provision

import (
	"context"

	"github.com/gantry-platform/gantry/internal/awsevents"
	"github.com/gantry-platform/gantry/internal/platform"
)

// CloudFormation is the CloudFormation engine: the deployment's rendered template becomes
// its target's stack, tokens are deployment ids, and the stack's status events resume the
// workflow.
type CloudFormation struct {
	Stacks platform.StackProvisioner
	// Accounts reaches the stacks of deployments into environment accounts (a
	// deployment's Account), through the environment account connection Connections
	// holds; without them such a deployment is Invalid.
	Accounts    platform.StackProvisioners
	Connections platform.EnvironmentAccountConnectionStore
}

// stacksOf returns the stack provisioner of d's stack: Stacks, or its environment
// account's (platform.StacksOf).
func (c CloudFormation) stacksOf(ctx context.Context, d platform.Deployment) (platform.StackProvisioner, error) {
	return platform.StacksOf(ctx, c.Stacks, c.Accounts, c.Connections, d)
}

var _ platform.Provisioner = CloudFormation{}

// Every operation reaches the stack in the deployment's account (stacksOf); an account
// Gantry cannot reach is a Conflict or Invalid error naming the connection.

// Submit creates or updates the stack with the rendered template, or executes the
// deployment's previewed change set (Invalid when it is gone). Errors: the
// StackProvisioner's (Invalid for a template CloudFormation refuses, Conflict for an
// operation in progress).
func (c CloudFormation) Submit(ctx context.Context, p platform.Provisioning) (platform.Submission, error) {
	stacks, err := c.stacksOf(ctx, p.Deployment)
	if err != nil {
		return platform.Submission{}, err
	}
	if d := p.Deployment; d.ChangeSetName != "" {
		// A previewed deployment executes the change set its preview made.
		op, err := stacks.ExecuteChangeSet(ctx, d.StackName, d.ChangeSetName, d.ID)
		if platform.KindOf(err) == platform.NotFound {
			return platform.Submission{}, platform.Errorf(platform.Invalid, "the previewed change set %s of %s no longer exists: "+
				"another operation ran on the stack since the preview; preview again", d.ChangeSetName, d.StackName)
		}
		return platform.Submission{NoChanges: op.NoChanges}, err
	}
	account := p.Account
	if p.Deployment.Account != "" {
		account = "" // stacks is the environment account's own
	}
	op, err := stacks.Deploy(ctx, platform.StackDeployment{StackName: p.Deployment.StackName, TemplateBody: p.TemplateBody,
		ClientRequestToken: p.Deployment.ID, RoleARN: p.RoleARN, Account: account, Tags: p.Tags})
	return platform.Submission{NoChanges: op.NoChanges}, err
}

// Deprovision deletes the stack; a stack that does not exist is NoChanges.
func (c CloudFormation) Deprovision(ctx context.Context, p platform.Provisioning) (platform.Submission, error) {
	stacks, err := c.stacksOf(ctx, p.Deployment)
	if err != nil {
		return platform.Submission{}, err
	}
	op, err := stacks.Delete(ctx, p.Deployment.StackName, p.Deployment.ID)
	return platform.Submission{NoChanges: op.NoChanges}, err
}

// Report describes the stack: its latest operation's token, status and root cause, and its
// outputs. A deletion is over only at DELETE_COMPLETE. NotFound when there is no stack.
func (c CloudFormation) Report(ctx context.Context, d platform.Deployment) (platform.ProvisioningReport, error) {
	stacks, err := c.stacksOf(ctx, d)
	if err != nil {
		return platform.ProvisioningReport{}, err
	}
	stack, err := stacks.Describe(ctx, d.StackName)
	if err != nil {
		return platform.ProvisioningReport{}, err
	}
	r := platform.ProvisioningReport{ID: stack.StackID, DeploymentID: platform.DeploymentOfToken(stack.LastClientRequestToken),
		Status: stack.Status, Reason: stack.StatusReason, Outputs: stack.Outputs, Outcome: platform.OutcomeInProgress}
	if r.Outputs == nil {
		r.Outputs = []platform.Output{} // a stack's outputs are the outputs, even none
	}
	switch awsevents.ClassifyStackStatus(stack.Status) {
	case awsevents.Succeeded:
		if d.Operation != platform.Delete || stack.Status == "DELETE_COMPLETE" {
			r.Outcome = platform.OutcomeSucceeded
		}
	case awsevents.Failed:
		r.Outcome = platform.OutcomeFailed
	}
	return r, nil
}

// Cancel cancels the stack's update in progress (its rollback's events carry the
// cancellation's token). Conflict for a stack being created or deleted, with
// CloudFormation's reason; NotFound when there is no stack yet.
func (c CloudFormation) Cancel(ctx context.Context, d platform.Deployment) error {
	stacks, err := c.stacksOf(ctx, d)
	if err != nil {
		return err
	}
	err = stacks.Cancel(ctx, d.StackName, platform.CancelToken(d.ID))
	if platform.KindOf(err) == platform.Conflict {
		return platform.Errorf(platform.Conflict, "CloudFormation cancels only a stack update in progress, "+
			"not a stack being created or deleted (%s)", platform.MessageOf(err))
	}
	return err
}

// Engines returns the engines with CloudFormation on stacks, plus others (CodeBuild,
// Terraform) by engine.
func Engines(stacks platform.StackProvisioner, others platform.Engines) platform.Engines {
	es := platform.Engines{platform.EngineCloudFormation: CloudFormation{Stacks: stacks}}
	for e, p := range others {
		es[e] = p
	}
	return es
}
