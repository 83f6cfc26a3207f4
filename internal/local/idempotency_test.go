package local

import (
	"sync"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

// TestConcurrentCreatesOverHTTP sends 50 identical POST /v1/environments with one
// clientToken at once to the whole local platform: all 50 answer 202 with the same body,
// one environment and one deployment exist.
func TestConcurrentCreatesOverHTTP(t *testing.T) {
	p, ts := newPlatformStep(t, time.Hour) // the deployment stays IN_PROGRESS: answers can be compared
	admin := newClient(t, p, ts, platform.AdminRole)
	admin.register("environment-templates", "lb-env", platformtest.TarGz(t, platformtest.SamplePath(t, platformtest.EnvBundle), nil))
	request := map[string]any{"name": "Beta", "templateName": "lb-env", "templateMajorVersion": 1, "clientToken": "create-beta-once",
		"spec": platformtest.ReadFile(t, platformtest.SamplePath(t, platformtest.EnvSpec))}
	const n = 50
	statuses, bodies := make([]int, n), make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { statuses[i], bodies[i] = admin.json("POST", "/v1/environments", request, nil) })
	}
	wg.Wait()
	for i := range n {
		if statuses[i] != 202 || bodies[i] != bodies[0] {
			t.Fatalf("answer %d: %d %s; answer 0: %d %s", i, statuses[i], bodies[i], statuses[0], bodies[0])
		}
	}
	var history struct {
		Items []map[string]any `json:"items"`
	}
	admin.must(200, "GET", "/v1/deployments?environmentName=Beta", nil, &history)
	if len(history.Items) != 1 {
		t.Fatalf("%d deployments of Beta, want 1", len(history.Items))
	}
}
