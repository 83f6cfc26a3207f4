// Package cloudformation implements platform.StackProvisioner on AWS CloudFormation. Stacks are
// created and updated through change sets whose operations carry the deployment id as
// their client request token, so that the "Stack Status Change" events CloudFormation
// emits can be matched to the deployment; operations return once started. Stacks in
// other accounts are reached by assuming a role there (AccountRoles).
package cloudformation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/gantry-platform/gantry/internal/platform"
)

// API is the part of *cloudformation.Client the provisioner uses.
type API interface {
	CreateChangeSet(ctx context.Context, in *cfn.CreateChangeSetInput, optFns ...func(*cfn.Options)) (*cfn.CreateChangeSetOutput, error)
	DescribeChangeSet(ctx context.Context, in *cfn.DescribeChangeSetInput, optFns ...func(*cfn.Options)) (*cfn.DescribeChangeSetOutput, error)
	ExecuteChangeSet(ctx context.Context, in *cfn.ExecuteChangeSetInput, optFns ...func(*cfn.Options)) (*cfn.ExecuteChangeSetOutput, error)
	DeleteChangeSet(ctx context.Context, in *cfn.DeleteChangeSetInput, optFns ...func(*cfn.Options)) (*cfn.DeleteChangeSetOutput, error)
	DeleteStack(ctx context.Context, in *cfn.DeleteStackInput, optFns ...func(*cfn.Options)) (*cfn.DeleteStackOutput, error)
	CancelUpdateStack(ctx context.Context, in *cfn.CancelUpdateStackInput, optFns ...func(*cfn.Options)) (*cfn.CancelUpdateStackOutput, error)
	DescribeStacks(ctx context.Context, in *cfn.DescribeStacksInput, optFns ...func(*cfn.Options)) (*cfn.DescribeStacksOutput, error)
	DescribeStackEvents(ctx context.Context, in *cfn.DescribeStackEventsInput, optFns ...func(*cfn.Options)) (*cfn.DescribeStackEventsOutput, error)
	GetTemplate(ctx context.Context, in *cfn.GetTemplateInput, optFns ...func(*cfn.Options)) (*cfn.GetTemplateOutput, error)
	ListStackResources(ctx context.Context, in *cfn.ListStackResourcesInput, optFns ...func(*cfn.Options)) (*cfn.ListStackResourcesOutput, error)
}

// TemplateBucket stores templates too large to pass inline, where CloudFormation can read
// them (s3blobs.Blobs is one).
type TemplateBucket interface {
	Put(ctx context.Context, key string, body []byte) error
	// URL returns the HTTPS URL of the object under key.
	URL(key string) string
}

// MaxTemplateBody is the largest template CloudFormation takes inline (TemplateBody);
// larger ones go through a TemplateBucket and TemplateURL.
const MaxTemplateBody = 51200

// Poll bounds how the provisioner waits, inside one call, for a change set to be ready
// or for a failed stack to be deleted: it sleeps First, doubling up to Max, and gives up
// with a retryable (Internal) error once it has slept Limit in all.
type Poll struct {
	First, Max, Limit time.Duration
	// Sleep waits d or until ctx ends (default: a timer). Tests pass one that returns at once.
	Sleep func(ctx context.Context, d time.Duration) error
}

// DefaultPoll fits a Lambda function with a 60-second timeout.
var DefaultPoll = Poll{First: time.Second, Max: 5 * time.Second, Limit: 40 * time.Second}

// Options configures a Provisioner.
type Options struct {
	// Templates holds templates over MaxTemplateBody bytes; without it such a template is
	// an Internal error.
	Templates TemplateBucket
	// Accounts reaches stacks in other accounts; without it every stack is in the home
	// account.
	Accounts *AccountRoles
	// Poll bounds the waits; zero fields take DefaultPoll's.
	Poll Poll
}

// Provisioner manages stacks through CloudFormation. Build it with New.
type Provisioner struct {
	home      API
	templates TemplateBucket
	accounts  *AccountRoles
	poll      Poll
}

var _ platform.StackProvisioner = (*Provisioner)(nil)

// New returns a Provisioner that reaches the home account through home.
func New(home API, opts Options) *Provisioner {
	p := &Provisioner{home: home, templates: opts.Templates, accounts: opts.Accounts, poll: opts.Poll}
	if p.poll.First <= 0 {
		p.poll.First = DefaultPoll.First
	}
	if p.poll.Max <= 0 {
		p.poll.Max = DefaultPoll.Max
	}
	if p.poll.Limit <= 0 {
		p.poll.Limit = DefaultPoll.Limit
	}
	if p.poll.Sleep == nil {
		p.poll.Sleep = sleep
	}
	return p
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// capabilities are acknowledged for every template, as Proton did: templates may create
// IAM resources, named or not, and use macros.
var capabilities = []types.Capability{types.CapabilityCapabilityIam, types.CapabilityCapabilityNamedIam, types.CapabilityCapabilityAutoExpand}

// ChangeSetName is the name of the change set of the operation with token: one name per
// deployment, so that a repeated Deploy finds the change set the first one created.
func ChangeSetName(token string) string { return "gantry-" + token }

// Deploy creates the stack when it does not exist (a CREATE change set), otherwise updates
// it (UPDATE), waits for the change set within Options.Poll and executes it with the
// deployment id as client request token. The template goes inline up to MaxTemplateBody
// bytes, otherwise through the TemplateBucket and TemplateURL. A stack left in
// ROLLBACK_COMPLETE by a failed create can only be deleted, so Deploy deletes it, waits
// for DELETE_COMPLETE and creates it anew (a stack already DELETE_IN_PROGRESS is waited
// for likewise). Repeating Deploy with the same token finds and continues its own change
// set. Results: NoChanges when the stack already matches (the change set is deleted).
// Errors: Invalid when CloudFormation rejects the template or the change set fails
// (the message is CloudFormation's reason); Conflict when the stack is busy with another
// operation or in a state that cannot be updated; Internal otherwise, including waits
// that ran out (retry the call) and throttling.
func (p *Provisioner) Deploy(ctx context.Context, in platform.StackDeployment) (platform.StackOperation, error) {
	if in.StackName == "" || in.ClientRequestToken == "" {
		return platform.StackOperation{}, platform.Errorf(platform.Invalid, "a stack deployment needs a stack name and a client request token")
	}
	api, err := p.client(in.Account)
	if err != nil {
		return platform.StackOperation{}, err
	}
	changeSetType, err := p.changeSetType(ctx, api, in.StackName)
	if err != nil {
		return platform.StackOperation{}, err
	}
	create, cs, err := p.createChangeSet(ctx, api, in, changeSetType, ChangeSetName(in.ClientRequestToken), "Gantry deployment "+in.ClientRequestToken)
	if err != nil {
		return platform.StackOperation{}, err
	}
	op := platform.StackOperation{StackID: aws.ToString(cs.StackId)}
	switch {
	case cs.Status == types.ChangeSetStatusFailed && noChanges(aws.ToString(cs.StatusReason)):
		if _, err := api.DeleteChangeSet(ctx, &cfn.DeleteChangeSetInput{StackName: aws.String(in.StackName), ChangeSetName: create.ChangeSetName}); err != nil {
			return platform.StackOperation{}, fmt.Errorf("cloudformation: delete the empty change set of %s: %w", in.StackName, err)
		}
		op.NoChanges = true
		return op, nil
	case cs.Status == types.ChangeSetStatusFailed:
		return platform.StackOperation{}, platform.Errorf(platform.Invalid, "CloudFormation rejected the change set for %s: %s", in.StackName, aws.ToString(cs.StatusReason))
	case executed(cs.ExecutionStatus):
		return op, nil // a repeat: the first call executed it
	case cs.ExecutionStatus != types.ExecutionStatusAvailable:
		return platform.StackOperation{}, platform.Errorf(platform.Conflict, "the change set for %s cannot be executed: it is %s", in.StackName, cs.ExecutionStatus)
	}
	_, err = api.ExecuteChangeSet(ctx, &cfn.ExecuteChangeSetInput{StackName: aws.String(in.StackName),
		ChangeSetName: create.ChangeSetName, ClientRequestToken: aws.String(in.ClientRequestToken)})
	if err != nil && (isCode(err, "InvalidChangeSetStatus") || isCode(err, "TokenAlreadyExistsException")) {
		// Executed meanwhile by a concurrent repeat, or not executable: ask again.
		if cs, derr := describeChangeSet(ctx, api, in.StackName, *create.ChangeSetName); derr == nil && executed(cs.ExecutionStatus) {
			return op, nil
		}
		return platform.StackOperation{}, platform.Errorf(platform.Conflict, "the change set for %s cannot be executed: %s", in.StackName, message(err))
	}
	if err != nil {
		return platform.StackOperation{}, changeSetError("ExecuteChangeSet", in.StackName, err)
	}
	return op, nil
}

// changeSetType is the type of a change set for the stack: UPDATE, or CREATE when it does
// not exist. A stack left in ROLLBACK_COMPLETE by a failed create can only be deleted, so
// it is deleted (and waited for) first, as is one DELETE_IN_PROGRESS. Conflict while
// another operation runs.
func (p *Provisioner) changeSetType(ctx context.Context, api API, stackName string) (types.ChangeSetType, error) {
	stack, err := describeStack(ctx, api, stackName)
	switch {
	case platform.KindOf(err) == platform.NotFound:
		return types.ChangeSetTypeCreate, nil
	case err != nil:
		return "", err
	}
	switch status := string(stack.StackStatus); status {
	case "ROLLBACK_COMPLETE", "DELETE_IN_PROGRESS":
		if err := p.deleteAndWait(ctx, api, stack); err != nil {
			return "", err
		}
		return types.ChangeSetTypeCreate, nil
	case "REVIEW_IN_PROGRESS":
		// Created by a change set never executed: it is still created with CREATE.
		return types.ChangeSetTypeCreate, nil
	default:
		if inProgress(status) {
			return "", platform.Errorf(platform.Conflict, "stack %s is %s: another operation is running", stackName, status)
		}
	}
	return types.ChangeSetTypeUpdate, nil
}

// createChangeSet creates change set name for in (token in.ClientRequestToken when set)
// and waits until CloudFormation has computed it; a change set of that name already
// there is waited for likewise.
func (p *Provisioner) createChangeSet(ctx context.Context, api API, in platform.StackDeployment, changeSetType types.ChangeSetType, name, description string) (*cfn.CreateChangeSetInput, *cfn.DescribeChangeSetOutput, error) {
	create := &cfn.CreateChangeSetInput{
		StackName:     aws.String(in.StackName),
		ChangeSetName: aws.String(name),
		ChangeSetType: changeSetType,
		Description:   aws.String(description),
		Capabilities:  capabilities,
		Tags:          tags(in.Tags),
	}
	if in.ClientRequestToken != "" {
		create.ClientToken = aws.String(in.ClientRequestToken)
	}
	if in.RoleARN != "" {
		create.RoleARN = aws.String(in.RoleARN)
	}
	if err := p.setTemplate(ctx, create, in); err != nil {
		return nil, nil, err
	}
	if _, err := api.CreateChangeSet(ctx, create); err != nil && !isCode(err, "AlreadyExistsException") {
		return nil, nil, changeSetError("CreateChangeSet", in.StackName, err)
	}
	cs, err := p.waitForChangeSet(ctx, api, in.StackName, name)
	return create, cs, err
}

// setTemplate puts the template in the request: inline, or by URL when too large.
func (p *Provisioner) setTemplate(ctx context.Context, create *cfn.CreateChangeSetInput, in platform.StackDeployment) error {
	if len(in.TemplateBody) == 0 {
		return platform.Errorf(platform.Invalid, "the template of %s is empty", in.StackName)
	}
	if len(in.TemplateBody) <= MaxTemplateBody {
		create.TemplateBody = aws.String(string(in.TemplateBody))
		return nil
	}
	if p.templates == nil {
		return fmt.Errorf("cloudformation: the template of %s has %d bytes, over the %d CloudFormation takes inline, and no template bucket is configured",
			in.StackName, len(in.TemplateBody), MaxTemplateBody)
	}
	key := "cloudformation/" + in.StackName + "/" + in.ClientRequestToken + ".template"
	if err := p.templates.Put(ctx, key, in.TemplateBody); err != nil {
		return fmt.Errorf("cloudformation: upload the template of %s: %w", in.StackName, err)
	}
	create.TemplateURL = aws.String(p.templates.URL(key))
	return nil
}

// waitForChangeSet polls the change set until CloudFormation has finished creating it
// (CREATE_COMPLETE or FAILED).
func (p *Provisioner) waitForChangeSet(ctx context.Context, api API, stackName, name string) (*cfn.DescribeChangeSetOutput, error) {
	var last *cfn.DescribeChangeSetOutput
	err := p.pollUntil(ctx, func() (bool, error) {
		cs, err := describeChangeSet(ctx, api, stackName, name)
		if err != nil {
			return false, err
		}
		last = cs
		switch cs.Status {
		case types.ChangeSetStatusCreateComplete, types.ChangeSetStatusFailed:
			return true, nil
		case types.ChangeSetStatusCreatePending, types.ChangeSetStatusCreateInProgress:
			return false, nil
		}
		return false, platform.Errorf(platform.Conflict, "the change set for %s is %s", stackName, cs.Status)
	})
	if errors.Is(err, errPollLimit) {
		return nil, fmt.Errorf("cloudformation: the change set for %s is still %s after %s: retry", stackName, last.Status, p.poll.Limit)
	}
	return last, err
}

// deleteAndWait deletes a stack that can only be deleted (ROLLBACK_COMPLETE: its create
// failed and rolled back), without a client request token so that its events match no
// deployment, and waits until it is gone. It follows the stack by id: by name, a deleted
// stack no longer exists.
func (p *Provisioner) deleteAndWait(ctx context.Context, api API, stack types.Stack) error {
	id := aws.ToString(stack.StackId)
	if stack.StackStatus != types.StackStatusDeleteInProgress {
		if _, err := api.DeleteStack(ctx, &cfn.DeleteStackInput{StackName: aws.String(id)}); err != nil {
			return stackError("DeleteStack", aws.ToString(stack.StackName), err)
		}
	}
	var last types.StackStatus
	err := p.pollUntil(ctx, func() (bool, error) {
		s, err := describeStack(ctx, api, id)
		if platform.KindOf(err) == platform.NotFound {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		last = s.StackStatus
		switch s.StackStatus {
		case types.StackStatusDeleteComplete:
			return true, nil
		case types.StackStatusDeleteFailed:
			return false, platform.Errorf(platform.Conflict, "stack %s failed to create and then to delete (%s): delete it by hand",
				aws.ToString(stack.StackName), aws.ToString(s.StackStatusReason))
		}
		return false, nil
	})
	if errors.Is(err, errPollLimit) {
		return fmt.Errorf("cloudformation: stack %s, replaced after a failed create, is still %s after %s: retry", aws.ToString(stack.StackName), last, p.poll.Limit)
	}
	return err
}

var errPollLimit = errors.New("poll limit reached")

// pollUntil calls done until it reports true or an error, sleeping between calls as
// p.poll says; errPollLimit when the sleeps would exceed its Limit.
func (p *Provisioner) pollUntil(ctx context.Context, done func() (bool, error)) error {
	interval, slept := p.poll.First, time.Duration(0)
	for {
		ok, err := done()
		if ok || err != nil {
			return err
		}
		if slept+interval > p.poll.Limit {
			return errPollLimit
		}
		if err := p.poll.Sleep(ctx, interval); err != nil {
			return fmt.Errorf("cloudformation: %w", err)
		}
		slept += interval
		interval = min(2*interval, p.poll.Max)
	}
}

// Delete deletes the stack with token as client request token. A stack that does not
// exist is NoChanges (DeleteStack itself would succeed silently and emit no event).
// stackName may be a stack ARN, which names its account. Errors: Conflict when
// CloudFormation refuses, Internal otherwise.
func (p *Provisioner) Delete(ctx context.Context, stackName, token string) (platform.StackOperation, error) {
	api, err := p.stackClient(stackName)
	if err != nil {
		return platform.StackOperation{}, err
	}
	stack, err := describeStack(ctx, api, stackName)
	if platform.KindOf(err) == platform.NotFound {
		return platform.StackOperation{NoChanges: true}, nil
	}
	if err != nil {
		return platform.StackOperation{}, err
	}
	if stack.StackStatus == types.StackStatusDeleteComplete {
		return platform.StackOperation{StackID: aws.ToString(stack.StackId), NoChanges: true}, nil
	}
	in := &cfn.DeleteStackInput{StackName: aws.String(stackName)}
	if token != "" {
		in.ClientRequestToken = aws.String(token)
	}
	if _, err := api.DeleteStack(ctx, in); err != nil {
		return platform.StackOperation{}, stackError("DeleteStack", stackName, err)
	}
	return platform.StackOperation{StackID: aws.ToString(stack.StackId)}, nil
}

func describeChangeSet(ctx context.Context, api API, stackName, name string) (*cfn.DescribeChangeSetOutput, error) {
	cs, err := api.DescribeChangeSet(ctx, &cfn.DescribeChangeSetInput{StackName: aws.String(stackName), ChangeSetName: aws.String(name)})
	if isCode(err, "ChangeSetNotFound") {
		return nil, platform.Errorf(platform.NotFound, "no change set %s for stack %s", name, stackName)
	}
	if err != nil {
		return nil, stackError("DescribeChangeSet", stackName, err)
	}
	return cs, nil
}

func executed(s types.ExecutionStatus) bool {
	switch s {
	case types.ExecutionStatusExecuteInProgress, types.ExecutionStatusExecuteComplete, types.ExecutionStatusExecuteFailed:
		return true
	}
	return false
}

// tags turns a map into CloudFormation tags, sorted by key.
func tags(m map[string]string) []types.Tag {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]types.Tag, len(keys))
	for i, k := range keys {
		out[i] = types.Tag{Key: aws.String(k), Value: aws.String(m[k])}
	}
	return out
}
