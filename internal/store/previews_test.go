package store_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
)

// TestSwapLatestPreview keeps one latest preview per target: each swap returns the one
// it replaces, targets do not share theirs, and swaps made at once each replace a
// different predecessor (none is lost, none returned twice).
func TestSwapLatestPreview(t *testing.T) {
	s := newStore(t)
	web := platform.Target{Kind: platform.ServiceInstanceTarget, Service: "web", Instance: "web-a"}
	env := platform.Target{Kind: platform.EnvironmentTarget, Environment: "web"}
	expires := t0.Add(24 * time.Hour)
	for _, step := range []struct {
		target       platform.Target
		id, previous string
	}{{web, "p1", ""}, {web, "p2", "p1"}, {env, "e1", ""}, {web, "p3", "p2"}, {env, "e2", "e1"}} {
		previous, err := s.SwapLatestPreview(ctx, step.target, step.id, expires)
		mustOK(t, err)
		mustEqual(t, fmt.Sprintf("the preview %s replaces", step.id), previous, step.previous)
	}

	const swaps = 24
	var wg sync.WaitGroup
	replaced := make([]string, swaps)
	for i := range swaps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			previous, err := s.SwapLatestPreview(ctx, web, fmt.Sprintf("q%02d", i), expires)
			if err != nil {
				t.Error(err)
			}
			replaced[i] = previous
		}()
	}
	wg.Wait()
	last, err := s.SwapLatestPreview(ctx, web, "final", expires)
	mustOK(t, err)
	// Every id (p3 and the swaps') is replaced exactly once: the chain has no fork.
	seen := map[string]int{}
	for _, id := range append(replaced, last) {
		seen[id]++
	}
	want := map[string]int{"p3": 1}
	for i := range swaps {
		want[fmt.Sprintf("q%02d", i)] = 1
	}
	mustEqual(t, "the ids replaced", seen, want)
}
