package statemachine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
)

// sleepRequest is one call of manualSleeper.Sleep; closing fire ends it.
type sleepRequest struct {
	d    time.Duration
	ctx  context.Context
	fire chan struct{}
}

// manualSleeper is an Options.Sleep or Options.Timeout the test drives: every sleep lasts until the test
// fires it or its context ends.
type manualSleeper struct {
	requests chan *sleepRequest
	mu       sync.Mutex
	backlog  []*sleepRequest
}

func newManualSleeper() *manualSleeper {
	return &manualSleeper{requests: make(chan *sleepRequest, 64)}
}

func (m *manualSleeper) Sleep(ctx context.Context, d time.Duration) error {
	req := &sleepRequest{d: d, ctx: ctx, fire: make(chan struct{})}
	m.requests <- req
	select {
	case <-req.fire:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// next returns the next sleep of duration d, waiting for it.
func (m *manualSleeper) next(t *testing.T, d time.Duration) *sleepRequest {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, req := range m.backlog {
		if req.d == d {
			m.backlog = append(m.backlog[:i], m.backlog[i+1:]...)
			return req
		}
	}
	ctx := guard(t)
	for {
		select {
		case req := <-m.requests:
			if req.d == d {
				return req
			}
			m.backlog = append(m.backlog, req)
		case <-ctx.Done():
			t.Fatalf("no sleep of %v was requested", d)
		}
	}
}

// tokenInvoker passes each task token it receives (Payload.token) to the test.
type tokenInvoker struct{ tokens chan string }

func (ti tokenInvoker) Invoke(_ context.Context, _ string, payload []byte) ([]byte, error) {
	var p struct{ Token string }
	if err := json.Unmarshal(payload, &p); err != nil {
		return nil, err
	}
	ti.tokens <- p.Token
	return []byte(`{"ignored":true}`), nil
}

func receive[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-guard(t).Done():
		t.Fatal("nothing was received")
		panic("unreachable")
	}
}

// waitMachine waits for a task token in task W, with extra fields; a Catch may go to
// Handled.
func waitMachine(extra string) string {
	handled := ""
	if strings.Contains(extra, `"Handled"`) {
		handled = `,"Handled":{"Type":"Pass","End":true}`
	}
	return `{"StartAt":"W","States":{
		"W":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
			"Parameters":{"FunctionName":"deploy","Payload":{"token.$":"$$.Task.Token","input.$":"$"}},
			"ResultPath":"$.result"` + extra + `,"End":true}` + handled + `}}`
}

// startWaiting starts definition and returns the token its first task waits on;
// timeout, when set, is the runner's Options.Timeout.
func startWaiting(t *testing.T, definition string, timeout func(context.Context, time.Duration) error) (*Runner, string, string) {
	t.Helper()
	inv := tokenInvoker{tokens: make(chan string, 8)}
	opts := testOptions(inv)
	if timeout != nil {
		opts.Timeout = timeout
	}
	r := mustRunner(t, definition, opts)
	id, err := r.Start(t.Context(), "run", json.RawMessage(`{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	return r, id, receive(t, inv.tokens)
}

func mustWait(t *testing.T, r *Runner, id string) Execution {
	t.Helper()
	exec, err := r.Wait(guard(t), id)
	if err != nil {
		t.Fatal(err)
	}
	return exec
}

// assertTokenError checks that err has kind and a message starting with code.
func assertTokenError(t *testing.T, err error, kind platform.ErrorKind, code string) {
	t.Helper()
	if platform.KindOf(err) != kind || !strings.HasPrefix(platform.MessageOf(err), code+":") {
		t.Errorf("error = %v (kind %q), want a %s error %s", err, platform.KindOf(err), kind, code)
	}
}

const catchAll = `,"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Handled"}]`

func TestWaitForTaskTokenSuccess(t *testing.T) {
	r, id, token := startWaiting(t, waitMachine(catchAll), nil)
	if token != "id-1" {
		t.Errorf("token = %q, want the first NewID", token)
	}
	if err := r.SendTaskHeartbeat(t.Context(), token); err != nil {
		t.Errorf("SendTaskHeartbeat: %v", err)
	}
	if err := r.SendTaskSuccess(t.Context(), token, json.RawMessage(`{"stack":"arn:stack"}`)); err != nil {
		t.Fatalf("SendTaskSuccess: %v", err)
	}
	assertSucceeded(t, mustWait(t, r, id), `{"a":1,"result":{"stack":"arn:stack"}}`)
	want := "[ExecutionStarted TaskStateEntered TaskScheduled TaskStarted TaskSubmitted TaskSucceeded TaskStateExited ExecutionSucceeded]"
	if got := fmt.Sprint(eventTypes(r.History(id))); got != want {
		t.Errorf("history = %s\nwant %s", got, want)
	}

	assertTokenError(t, r.SendTaskSuccess(t.Context(), token, json.RawMessage(`{}`)), platform.Conflict, "TaskTimedOut")
	assertTokenError(t, r.SendTaskFailure(t.Context(), token, "E", "c"), platform.Conflict, "TaskTimedOut")
	assertTokenError(t, r.SendTaskHeartbeat(t.Context(), token), platform.Conflict, "TaskTimedOut")
	assertTokenError(t, r.SendTaskSuccess(t.Context(), "no-such-token", json.RawMessage(`{}`)), platform.NotFound, "TaskDoesNotExist")
	assertTokenError(t, r.SendTaskHeartbeat(t.Context(), ""), platform.Invalid, "InvalidToken")
	assertTokenError(t, r.SendTaskSuccess(t.Context(), strings.Repeat("x", 2000), json.RawMessage(`{}`)), platform.Invalid, "InvalidToken")
	assertTokenError(t, r.SendTaskSuccess(t.Context(), token, json.RawMessage(`not json`)), platform.Invalid, "InvalidOutput")
}

func TestWaitForTaskTokenFailure(t *testing.T) {
	r, id, token := startWaiting(t, waitMachine(catchAll), nil)
	if err := r.SendTaskFailure(t.Context(), token, "StackFailed", "the stack rolled back"); err != nil {
		t.Fatal(err)
	}
	assertSucceeded(t, mustWait(t, r, id), `{"a":1,"error":{"Error":"StackFailed","Cause":"the stack rolled back"}}`)
}

func TestWaitForTaskTokenAnsweredDuringInvoke(t *testing.T) {
	var r *Runner
	inv := invokerFunc(func(ctx context.Context, _ string, payload []byte) ([]byte, error) {
		var p struct{ Token string }
		if err := json.Unmarshal(payload, &p); err != nil {
			return nil, err
		}
		return nil, r.SendTaskSuccess(ctx, p.Token, json.RawMessage(`"early"`))
	})
	r = mustRunner(t, waitMachine(""), testOptions(inv))
	assertSucceeded(t, mustComplete(t, r, `{"a":1}`), `{"a":1,"result":"early"}`)
}

func TestWaitForTaskTokenTimeout(t *testing.T) {
	sleeper := newManualSleeper()
	r, id, token := startWaiting(t, waitMachine(`,"TimeoutSeconds":300`), sleeper.Sleep)
	close(sleeper.next(t, 300*time.Second).fire)
	exec := mustWait(t, r, id)
	assertFailed(t, exec, ErrorTimeout)
	assertTokenError(t, r.SendTaskSuccess(t.Context(), token, json.RawMessage(`{}`)), platform.Conflict, "TaskTimedOut")
	if !hasEvent(r.History(id), "TaskTimedOut") {
		t.Errorf("history has no TaskTimedOut event: %v", eventTypes(r.History(id)))
	}
}

func TestWaitForTaskTokenHeartbeat(t *testing.T) {
	sleeper := newManualSleeper()
	r, id, token := startWaiting(t, waitMachine(`,"HeartbeatSeconds":60,"TimeoutSeconds":3600`+catchAll), sleeper.Sleep)
	first := sleeper.next(t, 60*time.Second)
	if err := r.SendTaskHeartbeat(t.Context(), token); err != nil {
		t.Fatal(err)
	}
	<-first.ctx.Done() // a heartbeat restarts the clock
	close(sleeper.next(t, 60*time.Second).fire)
	assertSucceeded(t, mustWait(t, r, id), `{"a":1,"error":{"Error":"States.HeartbeatTimeout","Cause":"The task \"W\" sent no heartbeat for 1m0s"}}`)
	assertTokenError(t, r.SendTaskHeartbeat(t.Context(), token), platform.Conflict, "TaskTimedOut")
}

func TestParseRequiresTaskTokenInParameters(t *testing.T) {
	def := `{"StartAt":"W","States":{"W":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken","Parameters":{"FunctionName":"f","Payload.$":"$"},"End":true}}}`
	_, err := Parse([]byte(def))
	assertField(t, err, "States.W.Parameters")
}

func hasEvent(events []HistoryEvent, kind string) bool {
	for _, e := range events {
		if e.Type == kind {
			return true
		}
	}
	return false
}

func eventTypes(events []HistoryEvent) []string {
	var out []string
	for _, e := range events {
		out = append(out, e.Type)
	}
	return out
}

func assertField(t *testing.T, err error, field string) {
	t.Helper()
	var pe *platform.Error
	if !errors.As(err, &pe) || pe.Kind != platform.Invalid || pe.Field != field {
		t.Errorf("error = %v, want an Invalid error about %s", err, field)
	}
}
