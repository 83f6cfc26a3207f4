//go:build faults

package faults

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestCancelRaces cancels environment updates at different moments — at once (while
// rendering), while the stack update starts, in its middle, near its end, after it — and
// asserts that every deployment ends within the bound, and that a cancel answered 200
// ends CANCELLED or, when CloudFormation had already finished, in the stack's real final
// status with a reason.
func TestCancelRaces(t *testing.T) {
	g := startGantry(t, t.TempDir(), "--step", "500ms", "--in-memory")
	major := g.environmentTemplate("vpc-ecs", "")
	began := time.Now()
	g.createEnvironment("beta", "vpc-ecs", major, "")
	if e, _ := g.waitTerminal("beta", began, 60*time.Second); e.DeploymentStatus != "SUCCEEDED" {
		t.Fatalf("the environment ended %s: %s", e.DeploymentStatus, e.DeploymentStatusMessage)
	}
	outcomes := map[string]int{}
	var longest time.Duration
	retention := []int{1, 3, 5, 7, 14, 60}
	for i, delay := range []time.Duration{0, 100 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, 1500 * time.Millisecond, 3 * time.Second} {
		var e environment
		update, _ := json.Marshal(map[string]any{"deploymentType": "CURRENT_VERSION",
			"spec": fmt.Sprintf("proton: EnvironmentSpec\nspec:\n  flow_log_retention_days: %d\n", retention[i])})
		started := time.Now()
		if err := json.Unmarshal(g.must(202, "PATCH", "/v1/environments/beta", g.admin, "application/json", update), &e); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		status, body := g.do("POST", "/v1/deployments/"+e.LastDeploymentID+"/cancel", g.admin, "", nil)
		for retries := 0; status == http.StatusConflict && strings.Contains(string(body), "retry") && retries < 10; retries++ {
			status, body = g.do("POST", "/v1/deployments/"+e.LastDeploymentID+"/cancel", g.admin, "", nil) // as the message asks
		}
		if status != http.StatusOK && status != http.StatusConflict {
			t.Fatalf("cancel after %v: %d %s, want 200 or 409", delay, status, body)
		}
		end, took := g.waitTerminal("beta", started, 60*time.Second)
		longest = max(longest, took)
		d := g.deployment(e.LastDeploymentID)
		if d.DeploymentStatus != end.DeploymentStatus {
			t.Errorf("the environment says %s, its deployment %s", end.DeploymentStatus, d.DeploymentStatus)
		}
		if status == http.StatusOK && d.DeploymentStatus != "CANCELLED" && d.StatusMessage == "" {
			t.Errorf("cancel after %v answered 200, yet the deployment ended %s without a reason", delay, d.DeploymentStatus)
		}
		t.Logf("cancel after %v: %d %s → %s %q", delay, status, short(string(body), 140), d.DeploymentStatus, d.StatusMessage)
		outcomes[fmt.Sprintf("%d→%s", status, d.DeploymentStatus)]++
	}
	report("6 updates cancelled 0 s … 3 s after they began", fmt.Sprint(outcomes), longest, checkMemory(t, g))
}
