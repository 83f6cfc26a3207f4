package stepfunctions_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/gantry-platform/gantry/internal/awsclients/awstest"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/stepfunctions"
)

const machine = "arn:aws:states:us-east-1:111122223333:stateMachine:gantry-deployment"

func newWorkflows(t *testing.T) (*stepfunctions.Workflows, *awstest.Server) {
	t.Helper()
	server := awstest.NewServer(t)
	client := sfn.NewFromConfig(awstest.Config(), func(o *sfn.Options) { o.BaseEndpoint = aws.String(server.URL) })
	return stepfunctions.New(client, machine), server
}

// fakeStartExecution behaves as Step Functions does for a standard workflow: the same name
// and input while running returns the same ARN; other input, or any repeat once the
// execution has closed, is ExecutionAlreadyExists.
func fakeStartExecution(t *testing.T, server *awstest.Server, closed bool) {
	inputs := map[string]string{}
	server.Handle("StartExecution", func(c awstest.Call) awstest.Response {
		in := c.JSON(t)
		name, input := in["name"].(string), in["input"].(string)
		if in["stateMachineArn"] != machine || name == "" {
			t.Errorf("StartExecution request = %v", in)
		}
		arn := "arn:aws:states:us-east-1:111122223333:execution:gantry-deployment:" + name
		if prev, ok := inputs[name]; ok && (closed || prev != input) {
			return awstest.JSONError(400, "ExecutionAlreadyExists", "Execution Already Exists: '"+arn+"'")
		}
		inputs[name] = input
		return awstest.JSONResult(map[string]any{"executionArn": arn, "startDate": 1.7e9})
	})
	server.Handle("DescribeExecution", func(c awstest.Call) awstest.Response {
		arn := c.JSON(t)["executionArn"].(string)
		name := arn[strings.LastIndex(arn, ":")+1:]
		input, ok := inputs[name]
		if !ok {
			return awstest.JSONError(400, "ExecutionDoesNotExist", "Execution Does Not Exist: '"+arn+"'")
		}
		return awstest.JSONResult(map[string]any{"executionArn": arn, "stateMachineArn": machine, "name": name,
			"status": "SUCCEEDED", "input": input, "startDate": 1.7e9})
	})
}

func TestContract_StartExecutionIsIdempotent(t *testing.T) {
	for _, closed := range []bool{false, true} {
		workflows, server := newWorkflows(t)
		fakeStartExecution(t, server, closed)
		ctx := context.Background()
		const want = "arn:aws:states:us-east-1:111122223333:execution:gantry-deployment:d-1"
		for i := range 2 {
			// The second input spells the same JSON differently.
			input := []json.RawMessage{[]byte(`{"deploymentId":"d-1"}`), []byte(`{ "deploymentId": "d-1" }`)}[i]
			arn, err := workflows.Start(ctx, "d-1", input)
			if err != nil || arn != want {
				t.Fatalf("closed=%v: Start #%d = %q, %v; want %q", closed, i+1, arn, err, want)
			}
		}
		_, err := workflows.Start(ctx, "d-1", []byte(`{"deploymentId":"d-2"}`))
		if platform.KindOf(err) != platform.Conflict {
			t.Fatalf("closed=%v: Start with other input: %v (kind %q), want Conflict", closed, err, platform.KindOf(err))
		}
	}
}

func TestContract_StartExecutionInvalidInput(t *testing.T) {
	workflows, server := newWorkflows(t)
	server.Handle("StartExecution", func(awstest.Call) awstest.Response {
		return awstest.JSONError(400, "InvalidExecutionInput", "Invalid State Machine Execution Input")
	})
	_, err := workflows.Start(context.Background(), "d-1", []byte(`{`))
	if platform.KindOf(err) != platform.Invalid {
		t.Fatalf("err = %v (kind %q), want Invalid", err, platform.KindOf(err))
	}
}

func TestContract_SendTaskErrorMapping(t *testing.T) {
	for _, tc := range []struct {
		code string
		want platform.ErrorKind
	}{
		{"", ""},
		{"TaskDoesNotExist", platform.NotFound},
		{"TaskTimedOut", platform.Conflict},
		{"InvalidToken", platform.Invalid},
		{"ThrottlingException", platform.Internal},
	} {
		workflows, server := newWorkflows(t)
		for _, op := range []string{"SendTaskSuccess", "SendTaskFailure", "SendTaskHeartbeat"} {
			server.Handle(op, func(c awstest.Call) awstest.Response {
				if c.JSON(t)["taskToken"] != "token-1" {
					t.Errorf("%s without the task token: %s", op, c.Body)
				}
				if tc.code == "" {
					return awstest.JSONResult(map[string]any{})
				}
				return awstest.JSONError(400, tc.code, "Provided task does not exist anymore")
			})
		}
		ctx := context.Background()
		errs := map[string]error{
			"SendTaskSuccess":   workflows.SendTaskSuccess(ctx, "token-1", []byte(`{"stackStatus":"CREATE_COMPLETE"}`)),
			"SendTaskFailure":   workflows.SendTaskFailure(ctx, "token-1", "StackFailed", "ROLLBACK_COMPLETE: bucket exists"),
			"SendTaskHeartbeat": workflows.SendTaskHeartbeat(ctx, "token-1"),
		}
		for op, err := range errs {
			if got := platform.KindOf(err); got != tc.want {
				t.Errorf("%s answered %q: kind %q (%v), want %q", op, tc.code, got, err, tc.want)
			}
		}
		if got := server.Operations(); len(got) != 3 {
			t.Errorf("operations = %v, want one call of each", got)
		}
	}
}

func TestContract_SendTaskSuccessInvalidOutput(t *testing.T) {
	workflows, server := newWorkflows(t)
	server.Handle("SendTaskSuccess", func(awstest.Call) awstest.Response {
		return awstest.JSONError(400, "InvalidOutput", "Invalid JSON output")
	})
	err := workflows.SendTaskSuccess(context.Background(), "token-1", []byte(`{`))
	if platform.KindOf(err) != platform.Invalid {
		t.Fatalf("err = %v (kind %q), want Invalid", err, platform.KindOf(err))
	}
}

func TestContract_SendTaskFailureFitsTheLimits(t *testing.T) {
	workflows, server := newWorkflows(t)
	var got map[string]any
	server.Handle("SendTaskFailure", func(c awstest.Call) awstest.Response {
		got = c.JSON(t)
		return awstest.JSONResult(map[string]any{})
	})
	name, cause := strings.Repeat("É", 300), strings.Repeat("ü", 40000)
	if err := workflows.SendTaskFailure(context.Background(), "token-1", name, cause); err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCountInString(got["error"].(string)); n != 256 {
		t.Errorf("error has %d characters, want 256", n)
	}
	if c := got["cause"].(string); utf8.RuneCountInString(c) != 32768 || !utf8.ValidString(c) {
		t.Errorf("cause has %d characters (valid UTF-8: %v), want 32768", utf8.RuneCountInString(c), utf8.ValidString(c))
	}
}
