package platform

import (
	"context"
	"encoding/json"
)

// Output is one output of a stack: a key and its value, as CloudFormation reports it.
type Output struct {
	Key   string
	Value string
}

// StackDeployment asks a StackProvisioner to bring a stack to a template.
type StackDeployment struct {
	StackName    string
	TemplateBody []byte
	// ClientRequestToken is the deployment id; CloudFormation stamps it on the stack's
	// events so that status changes can be matched to the deployment that caused them.
	ClientRequestToken string
	Tags               map[string]string
	// RoleARN, when set, is the role CloudFormation assumes to provision the resources.
	RoleARN string
	// Account, when set, is the target AWS account (a connected account).
	Account string
}

// StackOperation is what a StackProvisioner started.
type StackOperation struct {
	StackID string
	// NoChanges reports that the stack already matched the template: nothing was started
	// and no status event will follow. It is a success.
	NoChanges bool
}

// Stack is a stack as CloudFormation describes it.
type Stack struct {
	StackID   string
	StackName string
	// Status is CloudFormation's status, e.g. CREATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE.
	Status string
	// StatusReason is the first failure reason of the latest operation when it failed
	// (the root cause from the stack's events, e.g. the resource that could not be
	// created), otherwise CloudFormation's status reason.
	StatusReason string
	Outputs      []Output
	// Tags are the stack's tags, as its latest operation set them.
	Tags map[string]string
	// LastClientRequestToken is the token of the latest operation.
	LastClientRequestToken string
}

// StackResource is one resource of a stack, as CloudFormation's ListStackResources
// summarises it.
type StackResource struct {
	// LogicalID is the resource's name in the template.
	LogicalID string
	// PhysicalID is the resource's identifier in its service ("" until it is created).
	PhysicalID string
	// Type is the resource type, e.g. AWS::S3::Bucket.
	Type string
	// Status is CloudFormation's resource status, e.g. CREATE_COMPLETE, UPDATE_FAILED.
	Status       string
	StatusReason string
}

// StackResourcePage is one page of a stack's resources; NextToken, when not empty, asks
// for the next page.
type StackResourcePage struct {
	Resources []StackResource
	NextToken string
}

// StackProvisioner creates, updates and deletes the CloudFormation stacks that hold users'
// infrastructure: what the CloudFormation engine (a Provisioner) drives, on AWS or the
// local simulator. Operations return once started; completion is reported asynchronously
// as "CloudFormation Stack Status Change" events that carry the client request token.
type StackProvisioner interface {
	// Deploy creates the stack if it does not exist, otherwise updates it (through a change
	// set). A template CloudFormation rejects up front returns an Invalid error.
	Deploy(ctx context.Context, in StackDeployment) (StackOperation, error)
	// Delete deletes the stack; deleting a stack that does not exist is NoChanges.
	Delete(ctx context.Context, stackName, clientRequestToken string) (StackOperation, error)
	// Describe returns the stack, or a NotFound error.
	Describe(ctx context.Context, stackName string) (Stack, error)
	// Cancel cancels the update in progress on the stack (CloudFormation's
	// CancelUpdateStack, with clientRequestToken): the stack rolls back to its previous
	// template and outputs, and its rollback's status events carry the update's token.
	// Only an update can be cancelled: a stack being created or deleted, or with no
	// operation in progress, is a Conflict error with CloudFormation's reason; a missing
	// stack is NotFound.
	Cancel(ctx context.Context, stackName, clientRequestToken string) error
	// ListResources returns one page of the stack's resources (CloudFormation's
	// ListStackResources), starting at nextToken ("" for the first page). Errors: NotFound
	// when the stack does not exist (never created, or deleted); Invalid for a nextToken
	// that is not one this stack's listing gave.
	ListResources(ctx context.Context, stackName, nextToken string) (StackResourcePage, error)
	// CreateChangeSet creates change set name for in (CREATE when the stack does not
	// exist, else UPDATE), waits until CloudFormation has computed it and describes it,
	// every page of its changes, without executing it. A change set that changes nothing
	// is returned FAILED with NoChangesReason, not as an error. Errors: Invalid when
	// CloudFormation rejects the template (its message); Conflict while the stack has an
	// operation in progress or cannot be updated.
	CreateChangeSet(ctx context.Context, in StackDeployment, name string) (ChangeSet, error)
	// ExecuteChangeSet executes change set name of the stack with clientRequestToken, as
	// Deploy starts an operation; an empty change set is NoChanges (and deleted).
	// Errors: NotFound when the change set no longer exists (CloudFormation drops a
	// stack's change sets once another operation ran on it); Conflict when it cannot be
	// executed (the stack is busy or the change set is obsolete).
	ExecuteChangeSet(ctx context.Context, stackName, name, clientRequestToken string) (StackOperation, error)
	// DeleteChangeSet deletes change set name of the stack (a preview superseded or
	// expired). Errors: NotFound when it no longer exists.
	DeleteChangeSet(ctx context.Context, stackName, name string) error
}

// Workflows runs the deployment state machine and resolves its waiting tasks.
type Workflows interface {
	// Start starts an execution named name with input; starting the same name with the
	// same input again is a no-op that returns the same execution id.
	Start(ctx context.Context, name string, input json.RawMessage) (executionID string, err error)
	// SendTaskSuccess completes the task waiting on token with output.
	SendTaskSuccess(ctx context.Context, token string, output json.RawMessage) error
	// SendTaskFailure fails the task waiting on token with an error name and a cause.
	SendTaskFailure(ctx context.Context, token, errorName, cause string) error
	// SendTaskHeartbeat tells the workflow the task waiting on token is still alive.
	SendTaskHeartbeat(ctx context.Context, token string) error
}

// Event is one event Gantry publishes, e.g. detail type "Environment Status Change".
type Event struct {
	DetailType string
	Resources  []string
	Detail     json.RawMessage
}

// EventPublisher publishes Gantry's own events (EventBridge PutEvents on AWS).
type EventPublisher interface {
	Publish(ctx context.Context, events ...Event) error
}

// Notifier sends human-readable notifications (SNS on AWS).
type Notifier interface {
	Notify(ctx context.Context, subject, message string) error
}

// Blobs stores template bundles and rendered templates (S3 on AWS).
type Blobs interface {
	Put(ctx context.Context, key string, body []byte) error
	// Get returns the blob, or a NotFound error.
	Get(ctx context.Context, key string) ([]byte, error)
	// Delete removes the blob; deleting a blob that does not exist is not an error.
	Delete(ctx context.Context, key string) error
}
