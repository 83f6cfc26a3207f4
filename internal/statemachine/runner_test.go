package statemachine

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
)

func TestStartIsIdempotent(t *testing.T) {
	var calls atomic.Int32
	r := mustRunner(t, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"f","End":true}}}`, testOptions(flakyInvoker(&calls)))
	ctx := t.Context()
	id, err := r.Start(ctx, "deploy-42", json.RawMessage(`{"a":1,"b":[1,2]}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := "arn:aws:states:local:000000000000:execution:StateMachine:deploy-42"; id != want {
		t.Errorf("id = %q, want %q", id, want)
	}
	mustWait(t, r, id)
	again, err := r.Start(ctx, "deploy-42", json.RawMessage(` { "b": [1, 2.0], "a": 1 } `))
	if err != nil || again != id {
		t.Errorf("Start again = %q, %v; want %q, nil", again, err, id)
	}
	mustWait(t, r, id)
	if calls.Load() != 1 {
		t.Errorf("the task ran %d times, want 1", calls.Load())
	}
	_, err = r.Start(ctx, "deploy-42", json.RawMessage(`{"a":2}`))
	assertTokenError(t, err, platform.Conflict, "ExecutionAlreadyExists")
	if len(r.List()) != 1 {
		t.Errorf("List() has %d executions, want 1", len(r.List()))
	}
}

func TestStartRejects(t *testing.T) {
	r := mustRunner(t, `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`, testOptions(echoInvoker))
	for name, input := range map[string]string{
		"has space":             `{}`,
		"a/b":                   `{}`,
		strings.Repeat("n", 81): `{}`,
	} {
		_, err := r.Start(t.Context(), name, json.RawMessage(input))
		assertTokenError(t, err, platform.Invalid, "InvalidName")
	}
	_, err := r.Start(t.Context(), "ok", json.RawMessage(`{"a":`))
	assertTokenError(t, err, platform.Invalid, "InvalidExecutionInput")
	_, err = r.Start(t.Context(), "big", json.RawMessage(`"`+strings.Repeat("x", maxPayload)+`"`))
	assertTokenError(t, err, platform.Invalid, "InvalidExecutionInput")
}

func TestEmptyInputIsAnEmptyObject(t *testing.T) {
	r := mustRunner(t, `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`, testOptions(echoInvoker))
	id, err := r.Start(t.Context(), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	exec := mustWait(t, r, id)
	assertSucceeded(t, exec, `{}`)
	if exec.Name != "id-1" || !exec.StartDate.Equal(testStart) || !exec.StopDate.Equal(testStart) {
		t.Errorf("execution = %+v", exec)
	}
}

func TestDescribeUnknown(t *testing.T) {
	r := mustRunner(t, `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`, testOptions(echoInvoker))
	_, err := r.Describe("arn:nope")
	assertTokenError(t, err, platform.NotFound, "ExecutionDoesNotExist")
	_, err = r.Wait(t.Context(), "arn:nope")
	assertTokenError(t, err, platform.NotFound, "ExecutionDoesNotExist")
	if r.History("arn:nope") != nil {
		t.Error("History of an unknown execution is not nil")
	}
}

func TestStop(t *testing.T) {
	r, id, token := startWaiting(t, waitMachine(""), nil)
	if exec, _ := r.Describe(id); exec.Status != StatusRunning || !exec.StopDate.IsZero() {
		t.Errorf("while waiting: %+v", exec)
	}
	if err := r.Stop(id, "Cancelled", "by the user"); err != nil {
		t.Fatal(err)
	}
	exec, _ := r.Describe(id)
	if exec.Status != StatusAborted || exec.Error != "Cancelled" || exec.Cause != "by the user" {
		t.Errorf("after Stop: %+v", exec)
	}
	assertTokenError(t, r.SendTaskSuccess(t.Context(), token, json.RawMessage(`{}`)), platform.Conflict, "TaskTimedOut")
	if err := r.Stop(id, "", ""); err != nil {
		t.Errorf("stopping again: %v", err)
	}
}

func TestClose(t *testing.T) {
	r, id, _ := startWaiting(t, waitMachine(""), nil)
	r.Close()
	if exec, _ := r.Describe(id); exec.Status != StatusAborted {
		t.Errorf("after Close: status %s", exec.Status)
	}
	_, err := r.Start(t.Context(), "later", nil)
	if platform.KindOf(err) != platform.Internal {
		t.Errorf("Start after Close: %v", err)
	}
}

func TestExecutionTimeout(t *testing.T) {
	sleeper := newManualSleeper()
	def := strings.Replace(waitMachine(""), `{"StartAt"`, `{"TimeoutSeconds":10,"StartAt"`, 1)
	r, id, _ := startWaiting(t, def, sleeper.Sleep)
	close(sleeper.next(t, 10*time.Second).fire)
	exec := mustWait(t, r, id)
	if exec.Status != StatusTimedOut || exec.Error != ErrorTimeout {
		t.Errorf("execution = %+v", exec)
	}
}

func TestTaskTimeoutOfAFunction(t *testing.T) {
	sleeper := newManualSleeper()
	inv := invokerFunc(func(ctx context.Context, _ string, _ []byte) ([]byte, error) {
		<-ctx.Done() // runs until the runner gives up on it
		return nil, ctx.Err()
	})
	opts := testOptions(inv)
	opts.Timeout = sleeper.Sleep
	r := mustRunner(t, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"slow","TimeoutSeconds":5,"End":true}}}`, opts)
	id, err := r.Start(t.Context(), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	close(sleeper.next(t, 5*time.Second).fire)
	assertFailed(t, mustWait(t, r, id), ErrorTimeout)
	if !hasEvent(r.History(id), "LambdaFunctionTimedOut") {
		t.Errorf("history = %v", eventTypes(r.History(id)))
	}
}

func TestHistoryAndTransitions(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	opts := testOptions(echoInvoker)
	opts.OnTransition = func(exec, state, kind string) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, state+":"+kind)
	}
	r := mustRunner(t, `{"StartAt":"P","States":{
		"P":{"Type":"Pass","Next":"T"},
		"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f","Payload.$":"$"},"Next":"L"},
		"L":{"Type":"Task","Resource":"arn:aws:lambda:eu-west-1:123456789012:function:g","Next":"S"},
		"S":{"Type":"Succeed"}}}`, opts)
	exec := mustComplete(t, r, `{}`)
	history := r.History(exec.ExecutionID)
	want := "[ExecutionStarted PassStateEntered PassStateExited TaskStateEntered TaskScheduled TaskStarted TaskSucceeded TaskStateExited " +
		"TaskStateEntered LambdaFunctionScheduled LambdaFunctionStarted LambdaFunctionSucceeded TaskStateExited SucceedStateEntered SucceedStateExited ExecutionSucceeded]"
	if got := fmt.Sprint(eventTypes(history)); got != want {
		t.Errorf("history = %s\nwant %s", got, want)
	}
	for i, e := range history {
		if e.ID != int64(i+1) || !e.Timestamp.Equal(testStart) {
			t.Errorf("event %d = %+v", i, e)
		}
	}
	if history[4].Resource != resourceLambdaInvoke || string(history[4].Input) != `{"FunctionName":"f","Payload":{}}` {
		t.Errorf("TaskScheduled = %+v", history[4])
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != len(history) || seen[1] != "P:PassStateEntered" {
		t.Errorf("OnTransition saw %v", seen)
	}
}

func TestSubstitutions(t *testing.T) {
	def := mustParse(t, `{"StartAt":"A","States":{
		"A":{"Type":"Task","Resource":"${RenderArn}","Next":"B"},
		"B":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"${Notify}","Payload":{"env":"${Env}"}},"OutputPath":"$.Payload","End":true}}}`)
	opts := testOptions(echoInvoker)
	opts.Substitutions = map[string]string{
		"RenderArn": "arn:aws:lambda:eu-west-1:123456789012:function:render",
		"Notify":    "notify",
		"Env":       "dev",
	}
	r, err := New(def, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	assertSucceeded(t, mustComplete(t, r, `{}`), `{"function":"notify","payload":{"env":"dev"}}`)

	delete(opts.Substitutions, "Env")
	_, err = New(def, opts)
	assertField(t, err, "Substitutions")

	opts.Substitutions["Env"] = "dev"
	opts.Substitutions["RenderArn"] = "arn:aws:states:::sqs:sendMessage"
	_, err = New(def, opts)
	assertField(t, err, "States.A.Resource")

	_, err = New(def, Options{})
	assertField(t, err, "Invoker")
}
