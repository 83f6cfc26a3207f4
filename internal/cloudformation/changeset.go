package cloudformation

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/gantry-platform/gantry/internal/platform"
)

// maxChangePages bounds how many pages of a change set's changes CreateChangeSet reads
// (CloudFormation pages them; a change set holds at most a stack's 500 resources).
const maxChangePages = 50

// CreateChangeSet creates change set name for in (CREATE when the stack does not exist,
// UPDATE otherwise; a stack in ROLLBACK_COMPLETE is deleted first, as Deploy does), waits
// for it within Options.Poll and describes it with every page of its changes, without
// executing it. in.ClientRequestToken, when set, is CreateChangeSet's ClientToken. A
// change set that changes nothing is returned FAILED with CloudFormation's reason.
// Errors: Invalid when CloudFormation rejects the template or the change set fails for
// another reason; Conflict while the stack is busy; Internal otherwise.
func (p *Provisioner) CreateChangeSet(ctx context.Context, in platform.StackDeployment, name string) (platform.ChangeSet, error) {
	if in.StackName == "" || name == "" {
		return platform.ChangeSet{}, platform.Errorf(platform.Invalid, "a change set needs a stack name and a name")
	}
	api, err := p.client(in.Account)
	if err != nil {
		return platform.ChangeSet{}, err
	}
	changeSetType, err := p.changeSetType(ctx, api, in.StackName)
	if err != nil {
		return platform.ChangeSet{}, err
	}
	if in.ClientRequestToken == "" {
		in.ClientRequestToken = name
	}
	_, first, err := p.createChangeSet(ctx, api, in, changeSetType, name, "Gantry preview "+name)
	if err != nil {
		return platform.ChangeSet{}, err
	}
	if first.Status == types.ChangeSetStatusFailed && !noChanges(aws.ToString(first.StatusReason)) {
		return platform.ChangeSet{}, platform.Errorf(platform.Invalid, "CloudFormation rejected the change set for %s: %s", in.StackName, aws.ToString(first.StatusReason))
	}
	cs := platform.ChangeSet{Name: name, ID: aws.ToString(first.ChangeSetId), StackName: in.StackName, StackID: aws.ToString(first.StackId),
		Type: string(changeSetType), Status: string(first.Status), StatusReason: aws.ToString(first.StatusReason)}
	if noChanges(cs.StatusReason) {
		cs.StatusReason = platform.NoChangesReason
	}
	page := first
	for n := 0; ; n++ {
		for _, c := range page.Changes {
			if c.ResourceChange != nil {
				cs.Changes = append(cs.Changes, resourceChange(*c.ResourceChange))
			}
		}
		if aws.ToString(page.NextToken) == "" {
			return cs, nil
		}
		if n == maxChangePages {
			return platform.ChangeSet{}, platform.Errorf(platform.Internal, "the change set %s of %s has more than %d pages of changes", name, in.StackName, maxChangePages)
		}
		page, err = api.DescribeChangeSet(ctx, &cfn.DescribeChangeSetInput{StackName: aws.String(in.StackName), ChangeSetName: aws.String(name), NextToken: page.NextToken})
		if err != nil {
			return platform.ChangeSet{}, stackError("DescribeChangeSet", in.StackName, err)
		}
	}
}

// resourceChange maps CloudFormation's ResourceChange.
func resourceChange(c types.ResourceChange) platform.ResourceChange {
	out := platform.ResourceChange{Action: string(c.Action), LogicalResourceID: aws.ToString(c.LogicalResourceId),
		PhysicalResourceID: aws.ToString(c.PhysicalResourceId), ResourceType: aws.ToString(c.ResourceType), Replacement: string(c.Replacement)}
	for _, s := range c.Scope {
		out.Scope = append(out.Scope, string(s))
	}
	for _, d := range c.Details {
		detail := platform.ResourceChangeDetail{Evaluation: string(d.Evaluation), ChangeSource: string(d.ChangeSource), CausingEntity: aws.ToString(d.CausingEntity)}
		if t := d.Target; t != nil {
			detail.Attribute, detail.Name, detail.RequiresRecreation = string(t.Attribute), aws.ToString(t.Name), string(t.RequiresRecreation)
		}
		out.Details = append(out.Details, detail)
	}
	return out
}

// ExecuteChangeSet executes change set name of the stack with clientRequestToken (the
// deployment id, stamped on the stack's events). A change set that changes nothing is
// NoChanges and is deleted; one already executed by an earlier call with this token is
// its operation. Errors: NotFound when the change set is gone; Conflict when it cannot be
// executed (the stack is busy or the change set obsolete); Internal otherwise.
func (p *Provisioner) ExecuteChangeSet(ctx context.Context, stackName, name, clientRequestToken string) (platform.StackOperation, error) {
	api, err := p.stackClient(stackName)
	if err != nil {
		return platform.StackOperation{}, err
	}
	cs, err := describeChangeSet(ctx, api, stackName, name)
	if err != nil {
		return platform.StackOperation{}, err
	}
	op := platform.StackOperation{StackID: aws.ToString(cs.StackId)}
	switch {
	case cs.Status == types.ChangeSetStatusFailed && noChanges(aws.ToString(cs.StatusReason)):
		if _, err := api.DeleteChangeSet(ctx, &cfn.DeleteChangeSetInput{StackName: aws.String(stackName), ChangeSetName: aws.String(name)}); err != nil {
			return platform.StackOperation{}, stackError("DeleteChangeSet", stackName, err)
		}
		op.NoChanges = true
		return op, nil
	case executed(cs.ExecutionStatus):
		return op, nil
	case cs.ExecutionStatus != types.ExecutionStatusAvailable:
		return platform.StackOperation{}, platform.Errorf(platform.Conflict, "the change set %s of %s cannot be executed: it is %s (%s)", name, stackName, cs.ExecutionStatus, aws.ToString(cs.StatusReason))
	}
	_, err = api.ExecuteChangeSet(ctx, &cfn.ExecuteChangeSetInput{StackName: aws.String(stackName), ChangeSetName: aws.String(name),
		ClientRequestToken: aws.String(clientRequestToken)})
	switch {
	case err == nil:
		return op, nil
	case isCode(err, "ChangeSetNotFound"):
		return platform.StackOperation{}, platform.Errorf(platform.NotFound, "no change set %s for stack %s", name, stackName)
	case isCode(err, "InvalidChangeSetStatus") || isCode(err, "TokenAlreadyExistsException"):
		if again, derr := describeChangeSet(ctx, api, stackName, name); derr == nil && executed(again.ExecutionStatus) {
			return op, nil
		}
		return platform.StackOperation{}, platform.Errorf(platform.Conflict, "the change set %s of %s cannot be executed: %s", name, stackName, message(err))
	}
	return platform.StackOperation{}, changeSetError("ExecuteChangeSet", stackName, err)
}

// DeleteChangeSet deletes change set name of the stack. Errors: NotFound when the change
// set or the stack is gone; Internal otherwise.
func (p *Provisioner) DeleteChangeSet(ctx context.Context, stackName, name string) error {
	api, err := p.stackClient(stackName)
	if err != nil {
		return err
	}
	_, err = api.DeleteChangeSet(ctx, &cfn.DeleteChangeSetInput{StackName: aws.String(stackName), ChangeSetName: aws.String(name)})
	if isCode(err, "ChangeSetNotFound") {
		return platform.Errorf(platform.NotFound, "no change set %s for stack %s", name, stackName)
	}
	if err != nil {
		return stackError("DeleteChangeSet", stackName, err)
	}
	return nil
}
