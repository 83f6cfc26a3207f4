package statemachine

import (
	"context"
	"encoding/json"

	"github.com/gantry-platform/gantry/internal/platform"
)

// waitingTask is a .waitForTaskToken task waiting for SendTaskSuccess or SendTaskFailure.
type waitingTask struct {
	outcome   chan taskOutcome // buffered: receives at most one outcome
	heartbeat chan struct{}    // buffered: a pending heartbeat
}

type taskOutcome struct {
	output any
	err    *stateError
}

// Quotas of the task token API.
const (
	maxTokenLength = 1024
	maxErrorLength = 256
	maxCauseLength = 32768
)

// openTask registers token before its task is invoked, so that a function may answer
// before Invoke returns.
func (r *Runner) openTask(token string) *waitingTask {
	t := &waitingTask{outcome: make(chan taskOutcome, 1), heartbeat: make(chan struct{}, 1)}
	r.mu.Lock()
	r.tasks[token] = t
	r.mu.Unlock()
	return t
}

// closeTask forgets token: later calls with it report TaskTimedOut.
func (r *Runner) closeTask(token string) {
	r.mu.Lock()
	delete(r.tasks, token)
	r.closedTokens[token] = true
	r.mu.Unlock()
}

// taskLocked returns the open task of token, or the error the service returns for it.
// Callers hold r.mu.
func (r *Runner) taskLocked(token string) (*waitingTask, error) {
	if token == "" || len(token) > maxTokenLength {
		return nil, platform.Errorf(platform.Invalid, "InvalidToken: the task token is empty or longer than %d characters", maxTokenLength)
	}
	if t, ok := r.tasks[token]; ok {
		return t, nil
	}
	if r.closedTokens[token] {
		// Conflict, as the AWS adapter maps it: the task was resolved already (a
		// duplicate event), which callers may ignore.
		return nil, platform.Errorf(platform.Conflict, "TaskTimedOut: the task of this token has already completed, failed or timed out")
	}
	return nil, platform.Errorf(platform.NotFound, "TaskDoesNotExist: no task has this token")
}

func (r *Runner) complete(token string, o taskOutcome) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, err := r.taskLocked(token)
	if err != nil {
		return err
	}
	delete(r.tasks, token)
	r.closedTokens[token] = true
	t.outcome <- o
	return nil
}

// SendTaskSuccess completes the task waiting on token with output (JSON). It returns an
// Invalid error for a malformed token (InvalidToken) and for output that is not JSON
// (InvalidOutput), a Conflict error for a task that has already completed or timed out
// (TaskTimedOut), and a NotFound error for a token no task has (TaskDoesNotExist).
func (r *Runner) SendTaskSuccess(ctx context.Context, token string, output json.RawMessage) error {
	if len(output) > maxPayload {
		return platform.Errorf(platform.Invalid, "InvalidOutput: the output is larger than %d bytes", maxPayload)
	}
	value, err := decodeJSON(output)
	if err != nil {
		return platform.Errorf(platform.Invalid, "InvalidOutput: the output is not JSON: %v", err)
	}
	return r.complete(token, taskOutcome{output: value})
}

// SendTaskFailure fails the task waiting on token with errorName and cause, which its
// Retry and Catch see. Errors as for SendTaskSuccess; an error name over 256 or a cause
// over 32768 characters is Invalid.
func (r *Runner) SendTaskFailure(ctx context.Context, token, errorName, cause string) error {
	if len(errorName) > maxErrorLength || len(cause) > maxCauseLength {
		return platform.Errorf(platform.Invalid, "ValidationException: the error name is limited to %d and the cause to %d characters", maxErrorLength, maxCauseLength)
	}
	return r.complete(token, taskOutcome{err: &stateError{Name: errorName, Cause: cause}})
}

// SendTaskHeartbeat restarts the HeartbeatSeconds clock of the task waiting on token.
// Errors as for SendTaskSuccess.
func (r *Runner) SendTaskHeartbeat(ctx context.Context, token string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, err := r.taskLocked(token)
	if err != nil {
		return err
	}
	select {
	case t.heartbeat <- struct{}{}:
	default: // a heartbeat is already pending
	}
	return nil
}
