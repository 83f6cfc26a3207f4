package statemachine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

// StackFailed stands for a workflow error type of a Lambda function.
type StackFailed struct{ Stack string }

func (e *StackFailed) Error() string { return "stack " + e.Stack + " failed" }

// serviceError names itself, as an Invoker's own failures may.
type serviceError struct{}

func (serviceError) Error() string     { return "rate exceeded" }
func (serviceError) ErrorName() string { return "Lambda.TooManyRequestsException" }

func TestFunctionErrorType(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&StackFailed{"s"}, "StackFailed"},
		{ValueError{}, "ValueError"},
		{errors.New("x"), "errorString"},
		{fmt.Errorf("deploy: %w", &StackFailed{"s"}), "wrapError"},
		{serviceError{}, "Lambda.TooManyRequestsException"},
		{messages.InvokeResponse_Error{Type: "Custom", Message: "m"}, "Custom"},
	}
	for _, tc := range tests {
		if got := FunctionErrorType(tc.err); got != tc.want {
			t.Errorf("FunctionErrorType(%#v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// ValueError is an error with a value receiver.
type ValueError struct{}

func (ValueError) Error() string { return "value" }

func TestTaskResources(t *testing.T) {
	t.Run("a Lambda function ARN returns the function's result", func(t *testing.T) {
		def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:eu-west-1:123456789012:function:render","Parameters":{"x.$":"$.x"},"ResultPath":"$.out","End":true}}}`
		assertSucceeded(t, runDefinition(t, def, `{"x":1}`, nil), `{"x":1,"out":{"function":"render","payload":{"x":1}}}`)
	})
	t.Run("a function name is invoked as is and gets the effective input", func(t *testing.T) {
		def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"render","InputPath":"$.in","End":true}}}`
		assertSucceeded(t, runDefinition(t, def, `{"in":{"a":1}}`, nil), `{"function":"render","payload":{"a":1}}`)
	})
	t.Run("lambda:invoke wraps the result like the service", func(t *testing.T) {
		def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"arn:aws:lambda:eu-west-1:123456789012:function:render:live","Payload.$":"$"},"End":true}}}`
		exec := runDefinition(t, def, `{"a":1}`, nil)
		if exec.Status != StatusSucceeded {
			t.Fatalf("status %s: %s %s", exec.Status, exec.Error, exec.Cause)
		}
		var out struct {
			ExecutedVersion string
			Payload         json.RawMessage
			StatusCode      int
			SdkHttpMetadata struct{ HttpStatusCode int }
		}
		if err := json.Unmarshal(exec.Output, &out); err != nil {
			t.Fatal(err)
		}
		if out.ExecutedVersion != "$LATEST" || out.StatusCode != 200 || out.SdkHttpMetadata.HttpStatusCode != 200 {
			t.Errorf("output = %s", exec.Output)
		}
		assertJSON(t, "Payload", out.Payload, `{"function":"render","payload":{"a":1}}`)
	})
	t.Run("lambda:invoke with a ResultSelector", func(t *testing.T) {
		def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"render","Payload":{"k":"v"}},"ResultSelector":{"p.$":"$.Payload.payload","code.$":"$.StatusCode"},"ResultPath":"$.r","End":true}}}`
		assertSucceeded(t, runDefinition(t, def, `{"a":1}`, nil), `{"a":1,"r":{"p":{"k":"v"},"code":200}}`)
	})
	t.Run("lambda:invoke without a Payload sends {}", func(t *testing.T) {
		def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"render"},"OutputPath":"$.Payload","End":true}}}`
		assertSucceeded(t, runDefinition(t, def, `{"a":1}`, nil), `{"function":"render","payload":{}}`)
	})
	t.Run("a function returning nothing gives null", func(t *testing.T) {
		inv := invokerFunc(func(context.Context, string, []byte) ([]byte, error) { return nil, nil })
		def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"render","ResultPath":"$.r","End":true}}}`
		assertSucceeded(t, runDefinition(t, def, `{}`, inv), `{"r":null}`)
	})
}

func TestTaskErrors(t *testing.T) {
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"deploy","End":true}}}`
	tests := []struct {
		name      string
		fail      func() ([]byte, error)
		wantError string
		wantCause string
	}{
		{"a typed error", func() ([]byte, error) { return nil, &StackFailed{"web"} }, "StackFailed", `{"errorMessage":"stack web failed","errorType":"StackFailed"}`},
		{"a wrapped error", func() ([]byte, error) { return nil, fmt.Errorf("deploying: %w", &StackFailed{"web"}) }, "wrapError", `{"errorMessage":"deploying: stack web failed","errorType":"wrapError"}`},
		{"an ErrorName", func() ([]byte, error) { return nil, serviceError{} }, "Lambda.TooManyRequestsException", `{"errorMessage":"rate exceeded","errorType":"Lambda.TooManyRequestsException"}`},
		{"a panic", func() ([]byte, error) { panic("boom") }, "string", `{"errorMessage":"boom","errorType":"string"}`},
		{"a result that is not JSON", func() ([]byte, error) { return []byte("{"), nil }, "Lambda.Unknown", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv := invokerFunc(func(context.Context, string, []byte) ([]byte, error) { return tc.fail() })
			exec := runDefinition(t, def, `{}`, inv)
			assertFailed(t, exec, tc.wantError)
			if tc.wantCause != "" && exec.Cause != tc.wantCause {
				t.Errorf("cause = %s, want %s", exec.Cause, tc.wantCause)
			}
		})
	}
}

// flakyInvoker fails with the given errors in turn, then succeeds.
func flakyInvoker(calls *atomic.Int32, errs ...error) Invoker {
	return invokerFunc(func(context.Context, string, []byte) ([]byte, error) {
		n := int(calls.Add(1))
		if n <= len(errs) {
			return nil, errs[n-1]
		}
		return []byte(`{"ok":true}`), nil
	})
}

func TestRetry(t *testing.T) {
	transient := errors.New("transient")
	tests := []struct {
		name       string
		retry      string
		errs       []error
		wantStatus string
		wantError  string
		wantCalls  int32
		wantSleeps []time.Duration
	}{
		{"retries with backoff until success", `[{"ErrorEquals":["errorString"],"IntervalSeconds":2,"BackoffRate":3,"MaxAttempts":3}]`,
			[]error{transient, transient}, StatusSucceeded, "", 3, []time.Duration{2 * time.Second, 6 * time.Second}},
		{"defaults: 1s, rate 2, 3 attempts", `[{"ErrorEquals":["States.ALL"]}]`,
			[]error{transient, transient, transient, transient}, StatusFailed, "errorString", 4, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}},
		{"MaxDelaySeconds caps the wait", `[{"ErrorEquals":["States.TaskFailed"],"IntervalSeconds":10,"MaxAttempts":3,"MaxDelaySeconds":15}]`,
			[]error{transient, transient, transient}, StatusSucceeded, "", 4, []time.Duration{10 * time.Second, 15 * time.Second, 15 * time.Second}},
		{"MaxAttempts 0 never retries", `[{"ErrorEquals":["States.ALL"],"MaxAttempts":0}]`,
			[]error{transient}, StatusFailed, "errorString", 1, nil},
		{"an unmatched error is not retried", `[{"ErrorEquals":["StackFailed"]}]`,
			[]error{transient}, StatusFailed, "errorString", 1, nil},
		{"the first matching retrier decides, with its own count", `[{"ErrorEquals":["StackFailed"],"MaxAttempts":1},{"ErrorEquals":["States.ALL"],"MaxAttempts":5}]`,
			[]error{&StackFailed{}, &StackFailed{}}, StatusFailed, "StackFailed", 2, []time.Duration{time.Second}},
		{"each retrier counts apart", `[{"ErrorEquals":["StackFailed"],"MaxAttempts":1},{"ErrorEquals":["errorString"],"MaxAttempts":1}]`,
			[]error{&StackFailed{}, transient}, StatusSucceeded, "", 3, []time.Duration{time.Second, time.Second}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			sleeps := &sleepRecorder{}
			opts := testOptions(flakyInvoker(&calls, tc.errs...))
			opts.Sleep = sleeps.Sleep
			r := mustRunner(t, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"deploy","Retry":`+tc.retry+`,"End":true}}}`, opts)
			exec := mustComplete(t, r, `{}`)
			if exec.Status != tc.wantStatus || exec.Error != tc.wantError {
				t.Errorf("status %s error %q, want %s %q", exec.Status, exec.Error, tc.wantStatus, tc.wantError)
			}
			if got := calls.Load(); got != tc.wantCalls {
				t.Errorf("%d calls, want %d", got, tc.wantCalls)
			}
			if got := sleeps.Durations(); fmt.Sprint(got) != fmt.Sprint(tc.wantSleeps) {
				t.Errorf("slept %v, want %v", got, tc.wantSleeps)
			}
		})
	}
}

func TestRetryCountInContext(t *testing.T) {
	var calls atomic.Int32
	var payloads []string
	var mu sync.Mutex
	inv := invokerFunc(func(_ context.Context, _ string, payload []byte) ([]byte, error) {
		mu.Lock()
		payloads = append(payloads, string(payload))
		mu.Unlock()
		if calls.Add(1) < 3 {
			return nil, errors.New("again")
		}
		return []byte(`1`), nil
	})
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"f","Parameters":{"n.$":"$$.State.RetryCount"},"Retry":[{"ErrorEquals":["States.ALL"]}],"End":true}}}`
	assertSucceeded(t, runDefinition(t, def, `{}`, inv), `1`)
	if fmt.Sprint(payloads) != `[{"n":0} {"n":1} {"n":2}]` {
		t.Errorf("payloads = %v", payloads)
	}
}

func TestCatch(t *testing.T) {
	failing := invokerFunc(func(context.Context, string, []byte) ([]byte, error) { return nil, &StackFailed{"web"} })
	tests := []struct {
		name, catch, want string
	}{
		{"the error output replaces the input", `[{"ErrorEquals":["Other"],"Next":"X"},{"ErrorEquals":["StackFailed"],"Next":"H"}]`,
			`{"Error":"StackFailed","Cause":"{\"errorMessage\":\"stack web failed\",\"errorType\":\"StackFailed\"}"}`},
		{"ResultPath places the error output", `[{"ErrorEquals":["Other"],"Next":"X"},{"ErrorEquals":["States.TaskFailed"],"ResultPath":"$.error","Next":"H"}]`,
			`{"a":1,"error":{"Error":"StackFailed","Cause":"{\"errorMessage\":\"stack web failed\",\"errorType\":\"StackFailed\"}"}}`},
		{"ResultPath null keeps the input", `[{"ErrorEquals":["Other"],"Next":"X"},{"ErrorEquals":["States.ALL"],"ResultPath":null,"Next":"H"}]`, `{"a":1}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			def := `{"StartAt":"T","States":{
				"T":{"Type":"Task","Resource":"deploy","Catch":` + tc.catch + `,"Next":"OK"},
				"OK":{"Type":"Succeed"},
				"X":{"Type":"Fail","Error":"Wrong"},
				"H":{"Type":"Pass","End":true}}}`
			assertSucceeded(t, runDefinition(t, def, `{"a":1}`, failing), tc.want)
		})
	}
	t.Run("an unmatched error fails the execution", func(t *testing.T) {
		def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"deploy","Catch":[{"ErrorEquals":["Other"],"Next":"H"}],"End":true},"H":{"Type":"Succeed"}}}`
		assertFailed(t, runDefinition(t, def, `{}`, failing), "StackFailed")
	})
	t.Run("States.Runtime is never caught or retried", func(t *testing.T) {
		var calls atomic.Int32
		def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"deploy","Parameters":{"v.$":"$.missing"},"Retry":[{"ErrorEquals":["States.ALL"]}],"Catch":[{"ErrorEquals":["States.ALL"],"Next":"H"}],"End":true},"H":{"Type":"Succeed"}}}`
		assertFailed(t, runDefinition(t, def, `{}`, flakyInvoker(&calls)), ErrorRuntime)
		if calls.Load() != 0 {
			t.Errorf("the function was invoked %d times", calls.Load())
		}
	})
	t.Run("States.ResultPathMatchFailure is caught", func(t *testing.T) {
		def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"deploy","ResultPath":"$.a.b","Catch":[{"ErrorEquals":["States.ResultPathMatchFailure"],"ResultPath":"$.err","Next":"H"}],"End":true},"H":{"Type":"Pass","OutputPath":"$.err.Error","End":true}}}`
		assertSucceeded(t, runDefinition(t, def, `{"a":"text"}`, nil), `"States.ResultPathMatchFailure"`)
	})
}
