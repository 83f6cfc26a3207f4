package local

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platform"
)

// waitForStack polls the simulator until stack name has an operation of token in status
// (one of statuses) and returns the status it found.
func waitForStack(t *testing.T, p *Platform, name, token string, statuses ...string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		st, err := p.Sim.Describe(context.Background(), name)
		if err == nil && st.LastClientRequestToken == token {
			for _, s := range statuses {
				if st.Status == s {
					return s
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("stack %s never reached %v for %s: %+v, %v", name, statuses, token, st, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestCancelEnvironmentUpdate cancels an environment's stack update as Proton's
// CancelEnvironmentDeployment does: the stack rolls back and the deployment ends CANCELLED
// with the environment's previous outputs. A cancel while the stack is created is refused
// and the creation goes on.
func TestCancelEnvironmentUpdate(t *testing.T) {
	p, ts := newPlatformStep(t, 2*time.Second)
	admin := newClient(t, p, ts, platform.AdminRole)
	stack := platform.StackName(platform.Target{Kind: platform.EnvironmentTarget, Environment: "Beta"})

	// A create cannot be cancelled: 409, and the deployment goes on.
	admin.createSampleEnvironment()
	var env map[string]any
	admin.must(200, "GET", "/v1/environments/Beta", nil, &env)
	created := env["lastDeploymentId"].(string)
	waitForStack(t, p, stack, created, "REVIEW_IN_PROGRESS", "CREATE_IN_PROGRESS")
	status, body := admin.json("POST", "/v1/deployments/"+created+"/cancel", nil, nil)
	if status != 409 || !strings.Contains(body, "only a stack update in progress") {
		t.Fatalf("cancel during the creation: %d %s, want 409 saying only an update can be cancelled", status, body)
	}
	if env = admin.waitFor("/v1/environments/Beta"); env["deploymentStatus"] != "SUCCEEDED" {
		t.Fatalf("environment after a refused cancel = %v, want SUCCEEDED", env)
	}
	var before struct {
		Outputs []apimodel.Output `json:"outputs"`
	}
	admin.must(200, "GET", "/v1/environments/Beta/outputs", nil, &before)
	if len(before.Outputs) == 0 {
		t.Fatal("environment Beta has no outputs")
	}

	// An update, cancelled while CloudFormation is at it.
	var updated map[string]any
	admin.must(202, "PATCH", "/v1/environments/Beta", map[string]any{"deploymentType": "CURRENT_VERSION",
		"spec": "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.1.0.0/16\n"}, &updated)
	update := updated["lastDeploymentId"].(string)
	waitForStack(t, p, stack, update, "UPDATE_IN_PROGRESS")
	var cancelled map[string]any
	admin.must(200, "POST", "/v1/deployments/"+update+"/cancel", nil, &cancelled)
	if cancelled["deploymentStatus"] != "CANCELLING" {
		t.Fatalf("cancel answered %v, want CANCELLING", cancelled)
	}

	env = admin.waitFor("/v1/environments/Beta")
	if env["deploymentStatus"] != "CANCELLED" || env["lastDeploymentId"] != update || env["lastSucceededDeploymentId"] != created {
		t.Fatalf("environment after the cancel = %v, want CANCELLED with %s still the last success", env, created)
	}
	if msg, _ := env["deploymentStatusMessage"].(string); !strings.Contains(msg, "e2e-admin") || !strings.Contains(msg, "UPDATE_ROLLBACK_COMPLETE") {
		t.Errorf("message = %q, want who cancelled and how the stack ended", msg)
	}
	if spec, _ := env["spec"].(string); strings.Contains(spec, "10.1.0.0") {
		t.Errorf("the cancelled update's spec was applied: %q", spec)
	}
	var after struct {
		Outputs []apimodel.Output `json:"outputs"`
	}
	admin.must(200, "GET", "/v1/environments/Beta/outputs", nil, &after)
	if !reflect.DeepEqual(after.Outputs, before.Outputs) {
		t.Fatalf("outputs after the cancel = %v, want the previous %v", after.Outputs, before.Outputs)
	}
	var d map[string]any
	admin.must(200, "GET", "/v1/deployments/"+update, nil, &d)
	if d["deploymentStatus"] != "CANCELLED" {
		t.Fatalf("deployment %s = %v, want CANCELLED", update, d)
	}
	st, err := p.Sim.Describe(context.Background(), stack)
	if err != nil || st.Status != "UPDATE_ROLLBACK_COMPLETE" {
		t.Fatalf("stack after the cancel = %+v, %v; want UPDATE_ROLLBACK_COMPLETE", st, err)
	}
}
