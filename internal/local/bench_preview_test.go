package local

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

// fleetSize is the number of service instances BenchmarkFleetPreview previews at once.
const fleetSize = 1000

// BenchmarkFleetPreview measures a fleet preview of 1,000 service instances (50 services
// of 20, all deployed on the sample service template 1.0) moving to a new minor version:
// one op is POST /v1/service-templates/{name}/versions/{version}/preview, which renders
// each instance, creates its change set in the CloudFormation simulator and keeps its
// preview. Two cases: 1.1 leaves the instance template as it was (only the stacks' tags
// change), 1.2 changes a property of it. The goal: ≤ 2 s.
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
	// 1.1 leaves the instance template as it was (each stack's tags change: the template
	// version); 1.2 changes it (the target group's health check, on every stack).
	instanceTemplate := "instance_infrastructure/cloudformation.yaml"
	original := platformtest.ReadFile(b, platformtest.SamplePath(b, platformtest.SvcBundle+"/"+instanceTemplate))
	changed := strings.Replace(original, "HealthCheckIntervalSeconds: 6", "HealthCheckIntervalSeconds: 10", 1)
	if changed == original {
		b.Fatalf("the sample's %s has no HealthCheckIntervalSeconds: 6 to change", instanceTemplate)
	}
	for _, v := range []struct{ version, file, body string }{{"1.1", "CHANGES.md", "1.1\n"}, {"1.2", instanceTemplate, changed}} {
		bundle := platformtest.TarGz(b, platformtest.SamplePath(b, platformtest.SvcBundle), map[string]string{v.file: v.body})
		if status, body := admin.call("POST", "/v1/service-templates/"+svcTemplate+"/versions?majorVersion=1", "application/gzip", bundle, nil); status != 201 {
			b.Fatalf("register %s: %d %s", v.version, status, body)
		}
		admin.must(200, "POST", "/v1/service-templates/"+svcTemplate+"/versions/"+v.version+"/publish", nil, nil)
	}
	b.Run("template-unchanged", func(b *testing.B) { benchFleetPreview(b, p, dev, svcTemplate, "1.1", "Tags") })
	b.Run("template-changed", func(b *testing.B) { benchFleetPreview(b, p, dev, svcTemplate, "1.2", "Properties") })
}

// benchFleetPreview measures the fleet preview of version of template: each of the
// fleetSize instances must be previewed with a change whose scope includes scope.
func benchFleetPreview(b *testing.B, p *Platform, dev *client, template, version, scope string) {
	path := "/v1/service-templates/" + template + "/versions/" + version + "/preview"
	var fleet apimodel.FleetPreview
	dev.must(200, "POST", path, nil, &fleet) // warm up
	cpu, dynamoCPU := processCPU(b), dynamoCPUOf(b, p)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dev.must(200, "POST", path, nil, &fleet)
	}
	b.StopTimer()
	cpu, dynamoCPU = processCPU(b)-cpu, dynamoCPUOf(b, p)-dynamoCPU
	if fleet.Previewed != fleetSize || fleet.Failed != 0 || fleet.Changed != fleetSize {
		var errs []string
		for _, t := range fleet.Targets {
			if t.Error != nil && len(errs) < 3 {
				errs = append(errs, t.Error.Message)
			}
		}
		b.Fatalf("fleet preview: previewed %d, failed %d, changed %d of %d: %s", fleet.Previewed, fleet.Failed, fleet.Changed, fleetSize, strings.Join(errs, "; "))
	}
	var one apimodel.Preview
	dev.must(200, "GET", "/v1/previews/"+fleet.Targets[0].PreviewID, nil, &one)
	if !slices.ContainsFunc(one.Changes, func(c apimodel.ResourceChange) bool { return slices.Contains(c.Scope, scope) }) {
		b.Fatalf("the preview of %s to %s changes %+v, want a change of %s", fleet.Targets[0].ServiceInstanceName, version, one.Changes, scope)
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/fleet-of-1000")
	// The CPU time this process (Gantry and the benchmark's client; not DynamoDB Local)
	// spent per fleet: on a loaded machine, the figure that load does not stretch.
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/fleet")
	// DynamoDB Local's, on the same cores.
	b.ReportMetric(dynamoCPU.Seconds()/float64(b.N), "dynamodb-cpu-s/fleet")
}

// dynamoCPUOf is the CPU time the platform's DynamoDB Local has used.
func dynamoCPUOf(b *testing.B, p *Platform) time.Duration {
	if p.dynamo == nil {
		b.Fatal("the benchmark's platform runs no DynamoDB Local of its own")
	}
	cpu, err := p.dynamo.CPU()
	if err != nil {
		b.Fatal(err)
	}
	return cpu
}

// processCPU is the user and system CPU time this process has used.
func processCPU(b *testing.B) time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		b.Fatal(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
