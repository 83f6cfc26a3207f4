//go:build faults

package faults

import (
	"encoding/json"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/platformtest"
)

// slowRender makes the render of vpc-ecs take a while (about a million loop iterations,
// inside the renderer's limits) so that the process can be stopped in the middle of it.
const slowRender = "{%- for i in range(300) -%}{%- for j in range(3000) -%}{%- endfor -%}{%- endfor -%}\n"

// TestKilledMidRenderAndMidDeploy stops gantry-local (Ctrl-C, or kill -9) while a
// deployment renders or while its stack deploys, starts it again on the same data
// directory, and asserts that the deployment ends (resumed or failed with a reason)
// within the bound, that the environment and its history agree, and that the target takes
// a new deployment.
func TestKilledMidRenderAndMidDeploy(t *testing.T) {
	for _, phase := range []string{"render", "deploy"} {
		for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGKILL} {
			name := fmt.Sprintf("killed mid-%s by %s, restarted", phase, sigName(sig))
			t.Run(fmt.Sprintf("%s-%s", phase, sigName(sig)), func(t *testing.T) {
				data := t.TempDir()
				step := "500ms"
				if phase == "deploy" {
					step = "3s" // the stack takes several steps
				}
				g := startGantry(t, data, "--step", step)
				template := ""
				if phase == "render" {
					template = slowRender + platformtest.ReadFile(t, "../../templates/environments/vpc-ecs/v1/infrastructure/cloudformation.yaml")
				}
				major := g.environmentTemplate("vpc-ecs", template)
				began := time.Now()
				id := g.createEnvironment("beta", "vpc-ecs", major, "").LastDeploymentID
				if phase == "deploy" {
					// vpc-ecs renders in milliseconds, its stack takes several 3 s steps.
					time.Sleep(1500 * time.Millisecond)
				}
				d := g.deployment(id)
				if terminal(d.DeploymentStatus) {
					t.Fatalf("not mid-%s when stopping: %+v", phase, d)
				}
				g.stop(sig)
				peak := g.PeakRSS()

				back := startGantry(t, data, "--step", "50ms")
				e, took := back.waitTerminal("beta", began, 90*time.Second)
				if e.LastDeploymentID != id || back.deployment(id).DeploymentStatus != e.DeploymentStatus {
					t.Fatalf("the environment (%+v) and its deployment (%+v) disagree", e, back.deployment(id))
				}
				if e.DeploymentStatus != "SUCCEEDED" && e.DeploymentStatusMessage == "" {
					t.Fatalf("the deployment ended %s without a reason", e.DeploymentStatus)
				}
				// The reconciler's reason tells the phase it found the deployment in.
				if before := strings.Contains(e.DeploymentStatusMessage, "before its stack operation"); before != (phase == "render") && e.DeploymentStatus != "SUCCEEDED" {
					t.Fatalf("stopped mid-%s, yet the reason is: %s", phase, e.DeploymentStatusMessage)
				}
				update, _ := json.Marshal(map[string]any{"spec": defaultSpec(t), "deploymentType": "CURRENT_VERSION"})
				back.must(202, "PATCH", "/v1/environments/beta", back.admin, "application/json", update)
				again := time.Now()
				if next, _ := back.waitTerminal("beta", again, 90*time.Second); next.LastDeploymentID == id {
					t.Fatalf("the update did not start a new deployment: %+v", next)
				}
				report(name, e.DeploymentStatus+": "+short(e.DeploymentStatusMessage, 52), took, max(peak, checkMemory(t, back)))
			})
		}
	}
}

func sigName(sig syscall.Signal) string {
	if sig == syscall.SIGKILL {
		return "SIGKILL"
	}
	return "SIGINT"
}
