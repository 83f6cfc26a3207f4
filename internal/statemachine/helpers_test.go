package statemachine

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"
)

// invokerFunc adapts a function to Invoker.
type invokerFunc func(ctx context.Context, name string, payload []byte) ([]byte, error)

func (f invokerFunc) Invoke(ctx context.Context, name string, payload []byte) ([]byte, error) {
	return f(ctx, name, payload)
}

// echoInvoker returns {"function": name, "payload": payload}.
var echoInvoker = invokerFunc(func(_ context.Context, name string, payload []byte) ([]byte, error) {
	return fmt.Appendf(nil, `{"function":%q,"payload":%s}`, name, payload), nil
})

var testStart = time.Date(2025, 3, 14, 1, 59, 0, 0, time.UTC)

// sleepRecorder is an instant Options.Sleep that records the durations asked for.
type sleepRecorder struct {
	mu        sync.Mutex
	durations []time.Duration
}

func (s *sleepRecorder) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.durations = append(s.durations, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleepRecorder) Durations() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.durations...)
}

// noDeadline is an Options.Timeout under which no deadline ever passes.
func noDeadline(ctx context.Context, _ time.Duration) error {
	<-ctx.Done()
	return ctx.Err()
}

// testOptions returns Options with a fixed clock, sequential ids, instant sleeps and
// deadlines that never pass.
func testOptions(inv Invoker) Options {
	var mu sync.Mutex
	n := 0
	return Options{
		Invoker: inv,
		Now:     func() time.Time { return testStart },
		NewID: func() string {
			mu.Lock()
			defer mu.Unlock()
			n++
			return fmt.Sprintf("id-%d", n)
		},
		Sleep:   (&sleepRecorder{}).Sleep,
		Timeout: noDeadline,
	}
}

func mustParse(t *testing.T, definition string) *Definition {
	t.Helper()
	def, err := Parse([]byte(definition))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return def
}

func mustRunner(t *testing.T, definition string, opts Options) *Runner {
	t.Helper()
	r, err := New(mustParse(t, definition), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(r.Close)
	return r
}

// guard returns a context that ends the test's waits should the runner hang.
func guard(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// mustStart starts an execution and waits for it to stop.
func mustComplete(t *testing.T, r *Runner, input string) Execution {
	t.Helper()
	id, err := r.Start(t.Context(), "", json.RawMessage(input))
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	exec, err := r.Wait(guard(t), id)
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	return exec
}

// runDefinition runs definition on input with testOptions(inv).
func runDefinition(t *testing.T, definition, input string, inv Invoker) Execution {
	t.Helper()
	if inv == nil {
		inv = echoInvoker
	}
	return mustComplete(t, mustRunner(t, definition, testOptions(inv)), input)
}

func assertJSON(t *testing.T, what string, got json.RawMessage, want string) {
	t.Helper()
	g, err := decodeJSON(got)
	if err != nil {
		t.Fatalf("%s: %q is not JSON: %v", what, got, err)
	}
	w, err := decodeJSON([]byte(want))
	if err != nil {
		t.Fatalf("%s: the expected value %q is not JSON: %v", what, want, err)
	}
	if !equalJSON(g, w) {
		t.Errorf("%s = %s\nwant %s", what, got, want)
	}
}

func assertSucceeded(t *testing.T, exec Execution, wantOutput string) {
	t.Helper()
	if exec.Status != StatusSucceeded {
		t.Fatalf("status = %s (%s: %s), want SUCCEEDED", exec.Status, exec.Error, exec.Cause)
	}
	assertJSON(t, "output", exec.Output, wantOutput)
}

func assertFailed(t *testing.T, exec Execution, wantError string) {
	t.Helper()
	if exec.Status != StatusFailed || exec.Error != wantError {
		t.Fatalf("status = %s, error = %q (cause %q); want FAILED with %q", exec.Status, exec.Error, exec.Cause, wantError)
	}
}

func mustReadFile(tb testing.TB, path string) []byte {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}
