package eventbus

import (
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/events"
	"github.com/gantry-platform/gantry/internal/platform"
)

const anyEvent = `{"source":"gantry","detail-type":"T","detail":{}}`

// gate is a target that records how many deliveries run at once and holds each until
// the gate opens.
type gate struct {
	open             chan struct{}
	entered          chan struct{}
	running, maxSeen atomic.Int64
	delivered        atomic.Int64
}

func newGate(capacity int) *gate {
	return &gate{open: make(chan struct{}), entered: make(chan struct{}, capacity)}
}

func (g *gate) target(ctx context.Context, _ []byte) error {
	n := g.running.Add(1)
	for {
		seen := g.maxSeen.Load()
		if n <= seen || g.maxSeen.CompareAndSwap(seen, n) {
			break
		}
	}
	g.entered <- struct{}{}
	<-g.open
	g.running.Add(-1)
	g.delivered.Add(1)
	return nil
}

func mustPut(t *testing.T, b *Bus, event string) {
	t.Helper()
	if err := b.Put(t.Context(), []byte(event)); err != nil {
		t.Fatal(err)
	}
}

func mustDeadLetters(t *testing.T, log *DeadLetterLog) []DeadLetter {
	t.Helper()
	all, err := log.List()
	if err != nil {
		t.Fatal(err)
	}
	return all
}

func newLog(t *testing.T) *DeadLetterLog {
	t.Helper()
	log, err := OpenDeadLetterLog(filepath.Join(t.TempDir(), "eventbus", "dead-letters.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	return log
}

func TestTwentyThousandEventsRunOnThePool(t *testing.T) {
	const events, workers = 20000, 8
	before := runtime.NumGoroutine()
	b := newBus(t, Options{Workers: workers, QueueSize: events})
	g := newGate(events)
	mustAddRule(t, b, "all", `{"source":["gantry"]}`, g.target)
	for range events {
		mustPut(t, b, anyEvent)
	}
	for range workers { // every worker holds a delivery; the rest wait in the queue
		<-g.entered
	}
	if grown := runtime.NumGoroutine() - before; grown > workers {
		t.Errorf("%d events queued on %d goroutines more than before, want at most the %d workers", events, grown, workers)
	}
	close(g.open)
	mustIdle(t, b)
	if g.delivered.Load() != events || g.maxSeen.Load() != workers {
		t.Fatalf("delivered %d, at most %d at once; want %d on %d workers", g.delivered.Load(), g.maxSeen.Load(), events, workers)
	}
}

func TestFailingTargetIsRetriedThenDeadLetteredAndReplayed(t *testing.T) {
	log := newLog(t)
	var given atomic.Int64
	b := newBus(t, Options{MaxAttempts: 3, RetryDelay: func(int) time.Duration { return time.Millisecond }, DeadLetters: log,
		OnDeliveryError: func(string, []byte, error) { given.Add(1) }})
	var broken atomic.Bool
	broken.Store(true)
	var attempts atomic.Int64
	r := &recorder{}
	target := func(ctx context.Context, event []byte) error {
		attempts.Add(1)
		if broken.Load() {
			return errTransient
		}
		return r.target(ctx, event)
	}
	if err := b.AddRules([]events.Rule{{Name: "gantry-all", Pattern: []byte(`{"source":["gantry"]}`), Target: "events"}},
		map[string]Target{"events": target}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, b, anyEvent)
	mustIdle(t, b)
	if attempts.Load() != 3 || given.Load() != 1 {
		t.Fatalf("%d attempts, %d given up; want 3 attempts, then given up once", attempts.Load(), given.Load())
	}
	// The dead letter is on disk: another log on the same file reads it.
	reopened, err := OpenDeadLetterLog(log.Path())
	if err != nil {
		t.Fatal(err)
	}
	dead := mustDeadLetters(t, reopened)
	if len(dead) != 1 {
		t.Fatalf("dead letters: %+v, want one", dead)
	}
	dl := dead[0]
	if dl.Rule != "gantry-all" || dl.Target != "events" || dl.Attempts != 3 || string(dl.Event) != anyEvent ||
		!strings.Contains(dl.Error, "attempt 3 of 3: transient") || dl.ID == "" || dl.Time.IsZero() {
		t.Fatalf("dead letter %+v", dl)
	}
	if _, err := b.Replay(t.Context(), []string{"no-such-id"}); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("replay of an unknown id: %v, want NotFound", err)
	}

	broken.Store(false)
	n, err := b.Replay(t.Context(), nil)
	if err != nil || n != 1 {
		t.Fatalf("Replay = %d, %v; want 1", n, err)
	}
	mustIdle(t, b)
	if got := r.received(); len(got) != 1 || string(got[0]) != anyEvent {
		t.Fatalf("replay delivered %q", got)
	}
	if dead := mustDeadLetters(t, log); len(dead) != 0 {
		t.Fatalf("replayed dead letters stay: %+v", dead)
	}
}

func TestRetriesLastAtMostRetryFor(t *testing.T) {
	log := newLog(t)
	var attempts atomic.Int64
	b := newBus(t, Options{MaxAttempts: 1000, RetryFor: time.Second, DeadLetters: log,
		RetryDelay:      func(int) time.Duration { return 100 * time.Millisecond },
		OnDeliveryError: func(string, []byte, error) {}})
	mustAddRule(t, b, "broken", `{"source":["gantry"]}`, func(context.Context, []byte) error {
		attempts.Add(1)
		return errTransient
	})
	mustPut(t, b, anyEvent)
	mustIdle(t, b)
	dead := mustDeadLetters(t, log)
	if n := attempts.Load(); n < 2 || n >= 1000 || len(dead) != 1 || !strings.Contains(dead[0].Error, "retried for 1s, the limit") {
		t.Fatalf("%d attempts, dead letters %+v; want retries given up after RetryFor", n, dead)
	}
}

func TestFullQueueDeadLettersAtOnce(t *testing.T) {
	log := newLog(t)
	var full atomic.Int64
	b := newBus(t, Options{Workers: 1, QueueSize: 2, DeadLetters: log, OnDeliveryError: func(_ string, _ []byte, err error) {
		if errors.Is(err, ErrQueueFull) {
			full.Add(1)
		}
	}})
	g := newGate(10)
	mustAddRule(t, b, "slow", `{"source":["gantry"]}`, g.target)
	mustPut(t, b, anyEvent)
	<-g.entered // the one worker is busy
	for range 4 {
		mustPut(t, b, anyEvent)
	}
	if dead := mustDeadLetters(t, log); full.Load() != 2 || len(dead) != 2 || !strings.Contains(dead[0].Error, "queue full") {
		t.Fatalf("%d reported full, dead letters %+v; want the 2 over the queue's 2 dead-lettered", full.Load(), dead)
	}
	close(g.open)
	mustIdle(t, b)
	if g.delivered.Load() != 3 {
		t.Fatalf("delivered %d, want 3", g.delivered.Load())
	}
}

func TestCloseKeepsWaitingRetriesForTheNextBus(t *testing.T) {
	log := newLog(t)
	first := New(Options{DeadLetters: log, RetryDelay: func(int) time.Duration { return time.Hour }, RetryFor: 2 * time.Hour,
		OnDeliveryError: func(string, []byte, error) {}})
	attempted := make(chan struct{}, 1)
	mustAddRule(t, first, "r", `{"source":["gantry"]}`, func(context.Context, []byte) error {
		attempted <- struct{}{}
		return errTransient
	})
	mustPut(t, first, anyEvent)
	<-attempted
	first.Close()
	dead := mustDeadLetters(t, log)
	if len(dead) != 1 || !strings.Contains(dead[0].Error, ErrClosed.Error()) {
		t.Fatalf("dead letters after Close: %+v, want the waiting retry", dead)
	}

	second := newBus(t, Options{DeadLetters: log})
	r := &recorder{}
	mustAddRule(t, second, "r", `{"source":["gantry"]}`, r.target)
	if n, err := second.Replay(t.Context(), []string{dead[0].ID}); err != nil || n != 1 {
		t.Fatalf("Replay = %d, %v", n, err)
	}
	mustIdle(t, second)
	if len(r.received()) != 1 || len(mustDeadLetters(t, log)) != 0 {
		t.Fatalf("replay on the next bus: delivered %d, dead letters left %d", len(r.received()), len(mustDeadLetters(t, log)))
	}
}
