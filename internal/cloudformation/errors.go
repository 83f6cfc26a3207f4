package cloudformation

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/gantry-platform/gantry/internal/awsevents"
	"github.com/gantry-platform/gantry/internal/platform"
)

// isCode reports whether err is an API error with code.
func isCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}

// message returns CloudFormation's message of an API error, or the error's text.
func message(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorMessage() != "" {
		return ae.ErrorMessage()
	}
	return err.Error()
}

// notFound reports a ValidationError saying the stack does not exist.
func notFound(err error) bool {
	return isCode(err, "ValidationError") && strings.Contains(message(err), "does not exist")
}

// cannotUpdate reports a ValidationError saying the stack's state forbids the operation,
// e.g. "Stack:arn:... is in UPDATE_IN_PROGRESS state and can not be updated.".
func cannotUpdate(err error) bool {
	m := message(err)
	return isCode(err, "ValidationError") && strings.Contains(m, " state and can not be ")
}

// cannotCancel reports a ValidationError saying the stack is not UPDATE_IN_PROGRESS:
// "CancelUpdateStack cannot be called from current stack status".
func cannotCancel(err error) bool {
	return isCode(err, "ValidationError") && strings.Contains(message(err), "cannot be called from current stack status")
}

// noChanges reports a change set that failed only because the template and parameters
// match the stack.
func noChanges(reason string) bool {
	return strings.Contains(reason, "didn't contain changes") || strings.Contains(reason, "No updates are to be performed")
}

// inProgress reports a stack status of a running operation.
func inProgress(status string) bool {
	return awsevents.ClassifyStackStatus(status) == awsevents.InProgress
}

// throttled reports an error that is CloudFormation asking the caller to slow down.
func throttled(err error) bool {
	return isCode(err, "Throttling") || isCode(err, "ThrottlingException") || isCode(err, "RequestLimitExceeded")
}

// stackError wraps a failed call about stack: Conflict when the stack's state forbids it,
// Internal otherwise (throttling marked as worth retrying). The message holds the
// operation, the stack and the service's error; no request or credential.
func stackError(op, stack string, err error) error {
	switch {
	case cannotUpdate(err):
		return platform.Errorf(platform.Conflict, "stack %s: %s", stack, message(err))
	case throttled(err):
		return fmt.Errorf("cloudformation: %s %s: throttled by CloudFormation, retry later: %w", op, stack, err)
	}
	return fmt.Errorf("cloudformation: %s %s: %w", op, stack, err)
}

// changeSetError maps a failed CreateChangeSet or ExecuteChangeSet: a template or
// parameter CloudFormation rejects is Invalid, a stack state that forbids it Conflict.
func changeSetError(op, stack string, err error) error {
	switch {
	case cannotUpdate(err), throttled(err):
		return stackError(op, stack, err)
	case isCode(err, "ValidationError"), isCode(err, "InsufficientCapabilitiesException"):
		return platform.Errorf(platform.Invalid, "CloudFormation rejected the template of %s: %s", stack, message(err))
	}
	return stackError(op, stack, err)
}
