package statemachine

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

// Error names the runner reports, as Step Functions names them.
const (
	ErrorAll                   = "States.ALL"
	ErrorTaskFailed            = "States.TaskFailed"
	ErrorTimeout               = "States.Timeout"
	ErrorHeartbeatTimeout      = "States.HeartbeatTimeout"
	ErrorRuntime               = "States.Runtime"
	ErrorDataLimitExceeded     = "States.DataLimitExceeded"
	ErrorNoChoiceMatched       = "States.NoChoiceMatched"
	ErrorResultPathMatchFailed = "States.ResultPathMatchFailure"
	ErrorIntrinsicFailure      = "States.IntrinsicFailure"
)

// stateError is an error of a state: a name, which Retry and Catch match, and a cause.
type stateError struct {
	Name  string
	Cause string
}

func (e *stateError) Error() string {
	if e.Cause == "" {
		return e.Name
	}
	return e.Name + ": " + e.Cause
}

// terminal reports whether no Retry or Catch may handle the error: States.ALL matches
// neither States.Runtime nor States.DataLimitExceeded.
func (e *stateError) terminal() bool {
	return e.Name == ErrorRuntime || e.Name == ErrorDataLimitExceeded
}

func runtimeErrorf(format string, args ...any) *stateError {
	return &stateError{Name: ErrorRuntime, Cause: sprintf(format, args...)}
}

// matches reports whether a Retrier's or Catcher's ErrorEquals list matches the error.
// States.ALL matches every error that is not terminal; States.TaskFailed matches every
// such error except States.Timeout.
func (e *stateError) matches(errorEquals []string) bool {
	if e.terminal() {
		return false
	}
	for _, name := range errorEquals {
		switch {
		case name == e.Name,
			name == ErrorAll,
			name == ErrorTaskFailed && e.Name != ErrorTimeout:
			return true
		}
	}
	return false
}

// FunctionErrorType returns the error type AWS Lambda reports for an error a Go function
// returned, which Step Functions uses as the error name: the value of ErrorName() when err
// has that method, the Type of a messages.InvokeResponse_Error, and otherwise the Go type
// name of err without its package, as aws-lambda-go computes it (*pkg.StackFailed →
// "StackFailed"). Like aws-lambda-go it does not unwrap: an error wrapped with
// fmt.Errorf("...: %w", err) is a "wrapError".
func FunctionErrorType(err error) string {
	switch e := err.(type) {
	case interface{ ErrorName() string }:
		return e.ErrorName()
	case messages.InvokeResponse_Error:
		return e.Type
	case *messages.InvokeResponse_Error:
		return e.Type
	}
	return goTypeName(err)
}

// functionErrorMessage returns the errorMessage AWS Lambda reports for err.
func functionErrorMessage(err error) string {
	switch e := err.(type) {
	case messages.InvokeResponse_Error:
		return e.Message
	case *messages.InvokeResponse_Error:
		return e.Message
	}
	return err.Error()
}

func goTypeName(v any) string {
	t := reflect.TypeOf(v)
	if t == nil {
		return ""
	}
	if t.Kind() == reflect.Pointer {
		return t.Elem().Name()
	}
	return t.Name()
}

// functionError turns an error of a Lambda function into the state error Step Functions
// reports: the error type as the name, and as the cause the JSON error object the Lambda
// runtime returns ({"errorMessage":..., "errorType":...}).
func functionError(err error) *stateError {
	var se *stateError
	if errors.As(err, &se) {
		return se
	}
	name := FunctionErrorType(err)
	cause := encodeJSON(struct {
		Message string `json:"errorMessage"`
		Type    string `json:"errorType"`
	}{functionErrorMessage(err), name})
	return &stateError{Name: name, Cause: string(cause)}
}

func sprintf(format string, args ...any) string {
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}
