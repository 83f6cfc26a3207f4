package local

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

// fleetSize is the number of service instances BenchmarkFleetPreview previews at once.
const fleetSize = 1000

// BenchmarkFleetPreview measures a fleet preview of 1,000 service instances (50 services
// of 20, all deployed on the sample service template 1.0) moving to 1.1: one op is POST
// /v1/service-templates/{name}/versions/1.1/preview, which renders each instance, creates
// its change set in the CloudFormation simulator and keeps its preview. The goal: ≤ 2 s.
func BenchmarkFleetPreview(b *testing.B) {
	p, ts := benchPlatform(b)
	admin, dev := newClient(b, p, ts, platform.AdminRole), newClient(b, p, ts, platform.DeveloperRole)
	admin.register("environment-templates", platformtest.EnvTemplate, platformtest.TarGz(b, platformtest.SamplePath(b, platformtest.EnvBundle), nil))
	admin.must(202, "POST", "/v1/environments", map[string]any{"name": "Beta", "templateName": platformtest.EnvTemplate,
		"templateMajorVersion": 1, "spec": platformtest.ReadFile(b, platformtest.SamplePath(b, platformtest.EnvSpec))}, nil)
	admin.waitFor("/v1/environments/Beta")
	svcTemplate := platformtest.SvcTemplate
	admin.register("service-templates", svcTemplate, platformtest.TarGz(b, platformtest.SamplePath(b, platformtest.SvcBundle), nil))
	var wg sync.WaitGroup
	for s := 0; s < fleetSize/20; s++ {
		names := make([]string, 20)
		for i := range names {
			names[i] = fmt.Sprintf("s%02d-i%02d", s, i)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("svc%02d", s)
			dev.must(202, "POST", "/v1/services", map[string]any{"name": name, "templateName": svcTemplate, "templateMajorVersion": 1,
				"spec": instanceSpec(names...), "repositoryConnectionArn": "arn:aws:codestar-connections:us-east-1:000000000000:connection/example",
				"repositoryId": "example-org/" + name, "branchName": "main"}, nil)
			deadline := time.Now().Add(10 * time.Minute) // setup: 1,050 deployments on a shared machine
			for {
				var got map[string]any
				dev.must(200, "GET", "/v1/services/"+name, nil, &got)
				if s, _ := got["status"].(string); !strings.HasSuffix(s, "_IN_PROGRESS") {
					if s != "ACTIVE" {
						b.Errorf("service %s = %v", name, got)
					}
					return
				}
				if time.Now().After(deadline) {
					b.Errorf("service %s still %v after 10 minutes", name, got["status"])
					return
				}
				time.Sleep(200 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
	bundle := platformtest.TarGz(b, platformtest.SamplePath(b, platformtest.SvcBundle), map[string]string{"CHANGES.md": "1.1\n"})
	if status, body := admin.call("POST", "/v1/service-templates/"+svcTemplate+"/versions?majorVersion=1", "application/gzip", bundle, nil); status != 201 {
		b.Fatalf("register 1.1: %d %s", status, body)
	}
	admin.must(200, "POST", "/v1/service-templates/"+svcTemplate+"/versions/1.1/publish", nil, nil)
	path := "/v1/service-templates/" + svcTemplate + "/versions/1.1/preview"
	var fleet apimodel.FleetPreview
	dev.must(200, "POST", path, nil, &fleet) // warm up
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dev.must(200, "POST", path, nil, &fleet)
	}
	b.StopTimer()
	if fleet.Previewed != fleetSize || fleet.Failed != 0 || fleet.Changed != fleetSize {
		var errs []string
		for _, t := range fleet.Targets {
			if t.Error != nil && len(errs) < 3 {
				errs = append(errs, t.Error.Message)
			}
		}
		b.Fatalf("fleet preview: previewed %d, failed %d, changed %d of %d: %s", fleet.Previewed, fleet.Failed, fleet.Changed, fleetSize, strings.Join(errs, "; "))
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/fleet-of-1000")
}
