package control_test

import (
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
)

// TestSpecHeaderMustMatchTheTarget: a spec whose proton: header names the other kind of
// spec is refused with 400 naming the header, for an environment and for an instance, and
// nothing is stored.
func TestSpecHeaderMustMatchTheTarget(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate()
	in := h.envInput("Beta")
	in.Spec = "proton: ServiceSpec\ninstances:\n  - name: a\n    environment: Beta\n    spec: {}\n"
	_, err := h.svc.CreateEnvironment(h.ctx, in)
	if kind, field := fieldOf(err); kind != platform.Invalid || field != "spec" || !strings.Contains(err.Error(), "ServiceSpec") {
		t.Fatalf("an environment from a ServiceSpec: %v, want Invalid naming spec and the header", err)
	}
	if _, err := h.store.GetEnvironment(h.ctx, "Beta"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("environment Beta after the refusal: %v, want none", err)
	}
	h.mustDeployedEnvironment("Beta")
	h.mustServiceTemplate()
	if _, err := h.svc.CreateService(h.ctx, serviceInput("Beta")); err != nil {
		t.Fatal(err)
	}
	_, err = h.svc.UpdateServiceInstance(developerContext(), "frontend", "frontend-beta", control.UpdateInput{DeploymentType: platform.DeployCurrentVersion,
		Spec: platformReadEnvSpec(h)})
	if kind, _ := fieldOf(err); kind != platform.Invalid || !strings.Contains(err.Error(), "EnvironmentSpec") {
		t.Fatalf("an instance from an EnvironmentSpec: %v, want Invalid naming the header", err)
	}
}

func platformReadEnvSpec(h *harness) string { return h.envInput("x").Spec }
