package main

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/local"
)

func TestEventsDLQ(t *testing.T) {
	ap := startAPIPlatform(t, func(cfg *local.Config) { cfg.EventRetryFor = 50 * time.Millisecond })
	bus := ap.platform.Bus
	var down atomic.Bool
	down.Store(true)
	var delivered atomic.Int64
	if err := bus.AddRule("cli-test", []byte(`{"source":["cli-test"]}`), func(context.Context, []byte) error {
		if down.Load() {
			return errors.New("target down")
		}
		delivered.Add(1)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := bus.Put(t.Context(), []byte(`{"source":"cli-test","detail-type":"T","detail":{}}`)); err != nil {
		t.Fatal(err)
	}
	if err := bus.Idle(t.Context()); err != nil {
		t.Fatal(err)
	}

	out := ap.must(t, ap.adminFile, "events", "dlq", "list")
	if !strings.Contains(out, "cli-test") || !strings.Contains(out, "attempt 1 of 185: target down; retried for 50ms, the limit") {
		t.Fatalf("dlq list:\n%s", out)
	}
	if out := ap.must(t, ap.adminFile, "events", "dlq", "list", "--output", "json"); !strings.HasPrefix(out, `{"items":[{"id":`) {
		t.Fatalf("dlq list --output json: %s", out)
	}
	if code, _, errOut := ap.as(t, ap.devFile, "events", "dlq", "list"); code != exitProblems || !strings.Contains(errOut, "AccessDeniedException") {
		t.Fatalf("a developer lists dead letters: exit %d, %s", code, errOut)
	}
	if code, _, errOut := ap.as(t, ap.adminFile, "events", "dlq", "replay", "--id", "nope"); code != exitProblems || !strings.Contains(errOut, "no dead letter") {
		t.Fatalf("replay of an unknown id: exit %d, %s", code, errOut)
	}
	down.Store(false)
	if out := ap.must(t, ap.adminFile, "events", "dlq", "replay"); out != "replayed 1 dead letter(s)\n" {
		t.Fatalf("dlq replay: %q", out)
	}
	if err := bus.Idle(t.Context()); err != nil {
		t.Fatal(err)
	}
	if out := ap.must(t, ap.adminFile, "events", "dlq", "list", "--output", "json"); delivered.Load() != 1 || out != "{\"items\":[]}\n" {
		t.Fatalf("after replay: delivered %d, list %s", delivered.Load(), out)
	}
}
