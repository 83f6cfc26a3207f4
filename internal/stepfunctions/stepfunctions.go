// Package stepfunctions implements platform.Workflows on AWS Step Functions: it starts
// executions of the deployment state machine and resolves the task tokens its waiting
// tasks hand out.
package stepfunctions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Client is the part of *sfn.Client the adapter uses.
type Client interface {
	StartExecution(ctx context.Context, in *sfn.StartExecutionInput, optFns ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
	DescribeExecution(ctx context.Context, in *sfn.DescribeExecutionInput, optFns ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error)
	SendTaskSuccess(ctx context.Context, in *sfn.SendTaskSuccessInput, optFns ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error)
	SendTaskFailure(ctx context.Context, in *sfn.SendTaskFailureInput, optFns ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error)
	SendTaskHeartbeat(ctx context.Context, in *sfn.SendTaskHeartbeatInput, optFns ...func(*sfn.Options)) (*sfn.SendTaskHeartbeatOutput, error)
}

// The limits Step Functions puts on SendTaskFailure.
const (
	maxErrorName = 256
	maxCause     = 32768
)

// Workflows runs one state machine. Build it with New.
type Workflows struct {
	client          Client
	stateMachineARN string
}

var _ platform.Workflows = (*Workflows)(nil)

// New returns Workflows on the state machine stateMachineARN (which only Start needs),
// reached through client.
func New(client Client, stateMachineARN string) *Workflows {
	return &Workflows{client: client, stateMachineARN: stateMachineARN}
}

// Start starts an execution named name with input and returns its ARN. Step Functions
// itself answers a repeat with the same name and input while the execution runs; once it
// has finished, Start recognises its own execution (same input, read with
// DescribeExecution) and returns its ARN too. Errors: Conflict when an execution of that
// name exists with other input, Invalid for input the service rejects, Internal otherwise.
func (w *Workflows) Start(ctx context.Context, name string, input json.RawMessage) (string, error) {
	if w.stateMachineARN == "" {
		return "", errors.New("stepfunctions: no state machine configured")
	}
	out, err := w.client.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(w.stateMachineARN), Name: aws.String(name), Input: aws.String(string(input))})
	if err == nil {
		return aws.ToString(out.ExecutionArn), nil
	}
	var exists *types.ExecutionAlreadyExists
	var badInput *types.InvalidExecutionInput
	var badName *types.InvalidName
	switch {
	case errors.As(err, &exists):
		if arn, ok := w.sameExecution(ctx, name, input); ok {
			return arn, nil
		}
		return "", platform.Errorf(platform.Conflict, "an execution named %q already exists with other input", name)
	case errors.As(err, &badInput):
		return "", platform.Errorf(platform.Invalid, "execution input rejected: %s", badInput.ErrorMessage())
	case errors.As(err, &badName):
		return "", platform.Errorf(platform.Invalid, "execution name %q rejected: %s", name, badName.ErrorMessage())
	}
	return "", fmt.Errorf("stepfunctions: start execution %q: %w", name, err)
}

// sameExecution reports whether the finished execution named name had input, and its ARN.
func (w *Workflows) sameExecution(ctx context.Context, name string, input json.RawMessage) (string, bool) {
	arn, ok := executionARN(w.stateMachineARN, name)
	if !ok {
		return "", false
	}
	out, err := w.client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil || !sameJSON([]byte(aws.ToString(out.Input)), input) {
		return "", false
	}
	return arn, true
}

// executionARN derives the ARN of execution name from its state machine's ARN
// (arn:PARTITION:states:REGION:ACCOUNT:stateMachine:MACHINE).
func executionARN(stateMachineARN, name string) (string, bool) {
	parts := strings.Split(stateMachineARN, ":")
	if len(parts) != 7 || parts[5] != "stateMachine" {
		return "", false
	}
	parts[5] = "execution"
	return strings.Join(parts, ":") + ":" + name, true
}

func sameJSON(a, b []byte) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}

// SendTaskSuccess completes the task waiting on token with output. Errors: NotFound when
// the task no longer exists (already resolved), Conflict when it timed out, Invalid for
// a malformed token or output, Internal otherwise.
func (w *Workflows) SendTaskSuccess(ctx context.Context, token string, output json.RawMessage) error {
	_, err := w.client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(string(output))})
	return taskError("SendTaskSuccess", err)
}

// SendTaskFailure fails the task waiting on token with errorName and cause, cut to the
// service's limits (256 and 32,768 characters). Errors as SendTaskSuccess.
func (w *Workflows) SendTaskFailure(ctx context.Context, token, errorName, cause string) error {
	_, err := w.client.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String(token),
		Error: aws.String(truncate(errorName, maxErrorName)), Cause: aws.String(truncate(cause, maxCause))})
	return taskError("SendTaskFailure", err)
}

// SendTaskHeartbeat reports the task waiting on token alive. Errors as SendTaskSuccess.
func (w *Workflows) SendTaskHeartbeat(ctx context.Context, token string) error {
	_, err := w.client.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(token)})
	return taskError("SendTaskHeartbeat", err)
}

// taskError maps the errors of the SendTask operations to kinds: the events handler
// ignores NotFound and Conflict, which duplicate events produce.
func taskError(op string, err error) error {
	if err == nil {
		return nil
	}
	var (
		gone     *types.TaskDoesNotExist
		timedOut *types.TaskTimedOut
		badToken *types.InvalidToken
		badOut   *types.InvalidOutput
	)
	switch {
	case errors.As(err, &gone):
		return platform.Errorf(platform.NotFound, "%s: the task no longer exists: %s", op, gone.ErrorMessage())
	case errors.As(err, &timedOut):
		return platform.Errorf(platform.Conflict, "%s: the task timed out: %s", op, timedOut.ErrorMessage())
	case errors.As(err, &badToken):
		return platform.Errorf(platform.Invalid, "%s: invalid task token: %s", op, badToken.ErrorMessage())
	case errors.As(err, &badOut):
		return platform.Errorf(platform.Invalid, "%s: invalid output: %s", op, badOut.ErrorMessage())
	}
	return fmt.Errorf("stepfunctions: %s: %w", op, err)
}

// truncate cuts s to at most n characters, on a character boundary.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}
