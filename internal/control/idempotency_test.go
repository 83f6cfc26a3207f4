package control_test

import (
	"reflect"
	"sync"
	"testing"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
)

// TestConcurrentCreatesWithOneClientToken sends 50 identical creates with one client token
// at once: exactly one environment and one deployment exist after, one workflow started,
// and all 50 calls answer the same environment without error.
func TestConcurrentCreatesWithOneClientToken(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate()
	in := h.envInput("Beta")
	in.ClientToken = "create-beta-at-once"
	const n = 50
	answers := make([]platform.Environment, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { answers[i], errs[i] = h.svc.CreateEnvironment(h.ctx, in) })
	}
	wg.Wait()
	stored := h.mustEnvironment("Beta")
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("call %d of %d: %v", i, n, errs[i])
		}
		if !reflect.DeepEqual(answers[i], stored) {
			t.Fatalf("call %d answered %+v, want the stored environment %+v", i, answers[i], stored)
		}
	}
	if d := h.deploymentsOf(stored.Target()); len(d) != 1 || h.startCount() != 1 {
		t.Fatalf("%d deployments and %d workflow starts, want 1 and 1", len(d), h.startCount())
	}
}

// TestConcurrentClientTokenOtherRequest races creates with one token but two different
// requests: one request wins, every call of the other answers Conflict, and only the
// winner's environment exists.
func TestConcurrentClientTokenOtherRequest(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate()
	a, b := h.envInput("Alpha"), h.envInput("Bravo")
	a.ClientToken, b.ClientToken = "shared-token", "shared-token"
	const n = 20
	answers := make([]platform.Environment, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		in := a
		if i%2 == 1 {
			in = b
		}
		wg.Go(func() { answers[i], errs[i] = h.svc.CreateEnvironment(h.ctx, in) })
	}
	wg.Wait()
	winner := ""
	for i := range n {
		if errs[i] == nil {
			if winner != "" && answers[i].Name != winner {
				t.Fatalf("both %s and %s were created with one client token", winner, answers[i].Name)
			}
			winner = answers[i].Name
		}
	}
	if winner == "" {
		t.Fatalf("no call succeeded: %v", errs)
	}
	for i := range n {
		wanted := []control.CreateEnvironmentInput{a, b}[i%2]
		if (wanted.Name == winner) != (errs[i] == nil) || (errs[i] != nil && platform.KindOf(errs[i]) != platform.Conflict) {
			t.Fatalf("call %d (%s) with winner %s: %v", i, wanted.Name, winner, errs[i])
		}
	}
	loser := map[string]string{"Alpha": "Bravo", "Bravo": "Alpha"}[winner]
	if _, err := h.store.GetEnvironment(h.ctx, loser); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("the losing request's environment %s: %v, want NotFound", loser, err)
	}
}
