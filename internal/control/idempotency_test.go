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
	answers, errs := callAtOnce(n, func() (platform.Environment, error) { return h.svc.CreateEnvironment(h.ctx, in) })
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

// callAtOnce makes n calls of call at once and returns their answers and errors, in the
// order of the calls.
func callAtOnce[T any](n int, call func() (T, error)) ([]T, []error) {
	answers := make([]T, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { answers[i], errs[i] = call() })
	}
	wg.Wait()
	return answers, errs
}

// TestConcurrentCreateServiceInstanceWithOneClientToken races 20 identical
// CreateServiceInstance calls with one client token: one instance and one deployment are
// made, and every call answers that instance.
func TestConcurrentCreateServiceInstanceWithOneClientToken(t *testing.T) {
	h := newHarness(t)
	h.mustComponentService(false)
	starts := h.startCount()
	in := control.CreateServiceInstanceInput{Service: "frontend", Name: "frontend-two", ClientToken: "add-two-at-once",
		Spec: "proton: ServiceSpec\ninstances:\n  - name: frontend-two\n    environment: Beta\n    spec:\n      port: 81\n"}
	answers, errs := callAtOnce(20, func() (platform.ServiceInstance, error) { return h.svc.CreateServiceInstance(developerContext(), in) })
	for i := range answers {
		if errs[i] != nil {
			t.Fatalf("call %d: %v", i, errs[i])
		}
		if answers[i].Name != "frontend-two" || answers[i].LastDeploymentID != answers[0].LastDeploymentID {
			t.Fatalf("call %d answered %+v, want the one instance of call 0 (deployment %s)", i, answers[i], answers[0].LastDeploymentID)
		}
	}
	if h.startCount()-starts != 1 {
		t.Fatalf("%d workflow starts, want 1", h.startCount()-starts)
	}
}

// TestConcurrentCreateComponentWithOneClientToken races 20 identical creates with one
// client token: one component and one deployment are made, and every call answers it.
func TestConcurrentCreateComponentWithOneClientToken(t *testing.T) {
	h := newHarness(t)
	h.mustComponentService(true)
	starts := h.startCount()
	in := attachedInput("queue")
	in.ClientToken = "create-queue-at-once"
	answers, errs := callAtOnce(20, func() (platform.Component, error) { return h.svc.CreateComponent(developerContext(), in) })
	for i := range answers {
		if errs[i] != nil {
			t.Fatalf("call %d: %v", i, errs[i])
		}
		if answers[i].Name != "queue" || answers[i].LastDeploymentID != answers[0].LastDeploymentID {
			t.Fatalf("call %d answered %+v, want the one component of call 0 (deployment %s)", i, answers[i], answers[0].LastDeploymentID)
		}
	}
	if h.startCount()-starts != 1 {
		t.Fatalf("%d workflow starts, want 1", h.startCount()-starts)
	}
}
