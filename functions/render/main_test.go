package main

import (
	"fmt"
	"testing"

	"github.com/gantry-platform/gantry/internal/lambdawire/lambdawiretest"
	"github.com/gantry-platform/gantry/internal/platform"
)

func TestRenderEntryPoint(t *testing.T) {
	ports := lambdawiretest.NewPorts(
		platform.Deployment{ID: "d-delete", Operation: platform.Delete, Status: platform.DeleteInProgress,
			Target: platform.Target{Kind: platform.EnvironmentTarget, Environment: "beta"}, RenderedKey: "rendered/d-0/cloudformation.yaml"},
		platform.Deployment{ID: "d-cancel", Operation: platform.Deploy, Status: platform.Cancelling, StatusMessage: "cancelled by alice",
			Target: platform.Target{Kind: platform.EnvironmentTarget, Environment: "beta"}})
	h := handler(ports.App())

	out, err := lambdawiretest.Invoke(t, h, []byte(`{"deploymentId":"d-delete"}`))
	if err != nil || string(out) != `{"renderedKey":"rendered/d-0/cloudformation.yaml"}` {
		t.Errorf("a deletion renders nothing: %s, %v", out, err)
	}
	// The state machine's Catch matches the error type Lambda reports: the Go type name.
	_, err = lambdawiretest.Invoke(t, h, []byte(`{"deploymentId":"d-cancel"}`))
	if got := fmt.Sprintf("%T", err); got != "*workflow.DeploymentCancelled" || err.Error() != "cancelled by alice" {
		t.Errorf("a cancelled deployment: %s %v, want *workflow.DeploymentCancelled", got, err)
	}
	_, err = lambdawiretest.Invoke(t, h, []byte(`{"deploymentId":"d-unknown"}`))
	if platform.KindOf(err) != platform.NotFound {
		t.Errorf("an unknown deployment: %v, want NotFound", err)
	}
}
