package local

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/dynamolocal"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

// restartable starts platforms one after the other on the same table and data directory,
// as gantry-local restarted on its database.
type restartable struct {
	t        *testing.T
	endpoint string
	table    string
	dir      string
}

func newRestartable(t *testing.T) *restartable {
	return &restartable{t: t, endpoint: dynamolocal.Shared(t).Endpoint(), table: fmt.Sprintf("gantry-restart-%d", time.Now().UnixNano()), dir: t.TempDir()}
}

func (r *restartable) start(step time.Duration) (*Platform, *client) {
	r.t.Helper()
	p, err := Start(context.Background(), Config{DataDir: r.dir, DynamoEndpoint: r.endpoint, Table: r.table, Step: step,
		ReconcileInterval: -1, Log: quietLog()})
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { p.Close() })
	ts := httptest.NewServer(p.Handler)
	r.t.Cleanup(ts.Close)
	return p, newClient(r.t, p, ts, platform.AdminRole)
}

// TestRestartEndsWhatWasInFlight stops the platform while a deployment waits on
// CloudFormation and while a cancelled update rolls back; the next start resumes both and
// each ends: FAILED saying the stack operation was lost with the previous process (local
// CloudFormation keeps no stacks across runs), CANCELLED naming who cancelled.
func TestRestartEndsWhatWasInFlight(t *testing.T) {
	r := newRestartable(t)
	p, admin := r.start(500 * time.Millisecond)
	admin.createSampleEnvironment()
	if env := admin.waitFor("/v1/environments/Beta"); env["deploymentStatus"] != "SUCCEEDED" {
		t.Fatalf("Beta = %v", env)
	}
	// Beta's update is cancelled (200, CANCELLING), then Gamma's creation starts; the
	// platform stops before either ends.
	var updated, cancelled, gamma map[string]any
	admin.must(202, "PATCH", "/v1/environments/Beta", map[string]any{"deploymentType": "CURRENT_VERSION",
		"spec": "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.1.0.0/16\n"}, &updated)
	update := updated["lastDeploymentId"].(string)
	waitForStack(t, p, platform.StackName(platform.Target{Kind: platform.EnvironmentTarget, Environment: "Beta"}), update, "UPDATE_IN_PROGRESS")
	admin.must(200, "POST", "/v1/deployments/"+update+"/cancel", nil, &cancelled)
	admin.must(202, "POST", "/v1/environments", map[string]any{"name": "Gamma", "templateName": "lb-env", "templateMajorVersion": 1,
		"spec": platformtest.ReadFile(t, platformtest.SamplePath(t, platformtest.EnvSpec))}, &gamma)
	created := gamma["lastDeploymentId"].(string)
	waitForStack(t, p, platform.StackName(platform.Target{Kind: platform.EnvironmentTarget, Environment: "Gamma"}), created, "REVIEW_IN_PROGRESS", "CREATE_IN_PROGRESS")
	p.Close()
	var stopped map[string]any
	admin.must(200, "GET", "/v1/deployments/"+created, nil, &stopped) // the old server still reads the table
	if stopped["deploymentStatus"] != "IN_PROGRESS" {
		t.Fatalf("Gamma's deployment ended before the platform stopped (%v): the test proves nothing", stopped["deploymentStatus"])
	}

	p, admin = r.start(0)
	beta := admin.waitFor("/v1/environments/Beta")
	if msg, _ := beta["deploymentStatusMessage"].(string); beta["deploymentStatus"] != "CANCELLED" || !strings.Contains(msg, "e2e-admin") {
		t.Fatalf("Beta after the restart = %v, want CANCELLED naming who cancelled", beta)
	}
	gamma = admin.waitFor("/v1/environments/Gamma")
	if msg, _ := gamma["deploymentStatusMessage"].(string); gamma["deploymentStatus"] != "FAILED" || !strings.Contains(msg, "worker was lost") {
		t.Fatalf("Gamma after the restart = %v, want FAILED saying its worker was lost", gamma)
	}
	// The platform still deploys: Gamma again, to the end.
	admin.must(202, "PATCH", "/v1/environments/Gamma", map[string]any{"deploymentType": "CURRENT_VERSION"}, nil)
	if env := admin.waitFor("/v1/environments/Gamma"); env["deploymentStatus"] != "SUCCEEDED" {
		t.Fatalf("Gamma redeployed after the restart = %v", env)
	}
}

// TestAbortedExecutionIsResumed aborts the execution of a deployment while it waits on
// CloudFormation, in a running platform: the runner reports the abort on the bus as Step
// Functions would, the reconciler resumes the deployment, and it ends SUCCEEDED with the
// stack's outputs once CloudFormation finishes.
func TestAbortedExecutionIsResumed(t *testing.T) {
	// WaitForStack's minute, shortened: the resumed execution polls CloudFormation.
	p, ts := startPlatform(t, Config{Step: 300 * time.Millisecond, Sleep: shortSleep(50 * time.Millisecond)})
	admin := newClient(t, p, ts, platform.AdminRole)
	admin.createSampleEnvironment()
	var env map[string]any
	admin.must(200, "GET", "/v1/environments/Beta", nil, &env)
	id := env["lastDeploymentId"].(string)
	waitForStack(t, p, platform.StackName(platform.Target{Kind: platform.EnvironmentTarget, Environment: "Beta"}), id, "CREATE_IN_PROGRESS")
	var exec string
	for _, x := range p.Runner.List() {
		if x.Name == id {
			exec = x.ExecutionID
		}
	}
	if err := p.Runner.Stop(exec, "Operator", "stopped by hand"); err != nil {
		t.Fatal(err)
	}
	env = admin.waitFor("/v1/environments/Beta")
	if env["deploymentStatus"] != "SUCCEEDED" {
		t.Fatalf("Beta after its execution was aborted = %v, want SUCCEEDED", env)
	}
	var outputs struct {
		Outputs []any `json:"outputs"`
	}
	admin.must(200, "GET", "/v1/environments/Beta/outputs", nil, &outputs)
	if len(outputs.Outputs) == 0 {
		t.Fatal("the resumed deployment recorded no outputs")
	}
	// The resuming execution records the deployment before its last steps end: wait for
	// it to stop running (the target's status shows before the execution's does).
	resumed := 0
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		running := false
		resumed = 0
		for _, x := range p.Runner.List() {
			if strings.HasPrefix(x.Name, id+"-resume-") {
				running = running || x.Status == "RUNNING"
				if x.Status == "SUCCEEDED" {
					resumed++
				}
			}
		}
		if !running || time.Now().After(deadline) {
			break
		}
	}
	if resumed != 1 {
		t.Fatalf("%d resuming executions succeeded, want 1: %+v", resumed, p.Runner.List())
	}
}
