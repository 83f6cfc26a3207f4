package workflow

// The workflow's error types. aws-lambda-go reports a failed invocation's error type as the
// Go type name, which is what the state machine's Catch and the Record task read; these
// names are part of the contract with statemachines/deployment.asl.json — keep them stable.

// RenderFailed reports a template that could not be rendered (the message names the file
// and line) or an input that no longer validates.
type RenderFailed struct{ Reason string }

func (e *RenderFailed) Error() string { return e.Reason }

// StackRejected reports a template CloudFormation refused before starting (a validation
// error, an unknown resource type).
type StackRejected struct{ Reason string }

func (e *StackRejected) Error() string { return e.Reason }

// StackFailed reports a stack operation that ended in failure; Reason is the root cause.
type StackFailed struct{ Reason string }

func (e *StackFailed) Error() string { return e.Reason }

// DeploymentCancelled reports a deployment stopped at a user's request.
type DeploymentCancelled struct{ Reason string }

func (e *DeploymentCancelled) Error() string { return e.Reason }

// TransientError wraps a failure worth retrying (a throttled or unavailable dependency);
// the state machine retries it.
type TransientError struct{ Err error }

func (e *TransientError) Error() string { return e.Err.Error() }
func (e *TransientError) Unwrap() error { return e.Err }
