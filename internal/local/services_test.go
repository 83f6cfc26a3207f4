package local

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

// newSamplePlatform starts a platform with the shared sample's environment and service
// templates registered and published (version 1.0), and clients of both roles.
func newSamplePlatform(t *testing.T) (p *Platform, admin, dev *client) {
	t.Helper()
	p, ts := newPlatform(t)
	admin = newClient(t, p, ts, platform.AdminRole)
	dev = newClient(t, p, ts, platform.DeveloperRole)
	admin.register("environment-templates", platformtest.EnvTemplate, platformtest.TarGz(t, platformtest.SamplePath(t, platformtest.EnvBundle), nil))
	admin.register("service-templates", platformtest.SvcTemplate, platformtest.TarGz(t, platformtest.SamplePath(t, platformtest.SvcBundle), nil))
	return p, admin, dev
}

// waitGone polls path until it answers 404.
func (c *client) waitGone(path string) {
	c.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		status, body := c.json("GET", path, nil, nil)
		if status == 404 {
			return
		}
		if status != 200 || time.Now().After(deadline) {
			c.t.Fatalf("%s: status %d (%s), want 404 in time", path, status, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitService polls a service until its status is not in progress and returns it.
func (c *client) waitService(name string) map[string]any {
	c.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var got map[string]any
		c.must(200, "GET", "/v1/services/"+name, nil, &got)
		if s, _ := got["status"].(string); !strings.HasSuffix(s, "_IN_PROGRESS") {
			return got
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("service %s still %v after 60s", name, got["status"])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// instanceSpec is a ServiceSpec listing instances (name → environment) with the sample's inputs.
func instanceSpec(names ...string) string {
	spec := "proton: ServiceSpec\npipeline:\n  unit_test_command: ls\ninstances:\n"
	for _, n := range names {
		spec += "  - name: " + n + "\n    environment: Beta\n    spec:\n      desired_count: 1\n      port: 80\n      task_size: medium\n"
	}
	return spec
}

// TestServiceLifecycle grows and shrinks a service and deletes it, as Proton's
// UpdateService, CreateServiceInstance and DeleteService do: the service's status follows
// its instances and pipeline, removed instances lose their stacks before their records,
// and the deleted service's stacks are all gone.
func TestServiceLifecycle(t *testing.T) {
	p, admin, dev := newSamplePlatform(t)
	admin.must(202, "POST", "/v1/environments", map[string]any{"name": "Beta", "templateName": platformtest.EnvTemplate,
		"templateMajorVersion": 1, "spec": platformtest.ReadFile(t, platformtest.SamplePath(t, platformtest.EnvSpec))}, nil)
	admin.waitFor("/v1/environments/Beta")

	var svc map[string]any
	dev.must(202, "POST", "/v1/services", map[string]any{"name": "frontend", "templateName": platformtest.SvcTemplate,
		"templateMajorVersion": 1, "spec": instanceSpec("one", "two"),
		"repositoryConnectionArn": "arn:aws:codestar-connections:us-east-1:000000000000:connection/example",
		"repositoryId":            "example-org/frontend", "branchName": "main"}, &svc)
	if svc["status"] != "CREATE_IN_PROGRESS" {
		t.Fatalf("new service = %v, want CREATE_IN_PROGRESS", svc)
	}
	// The pipeline deploys after the instances: ACTIVE once all three are done.
	if svc = dev.waitService("frontend"); svc["status"] != "ACTIVE" {
		t.Fatalf("created service = %v", svc)
	}

	// Replace instance two by three.
	dev.must(202, "PATCH", "/v1/services/frontend", map[string]any{"description": "web", "spec": instanceSpec("one", "three")}, &svc)
	if svc["status"] != "UPDATE_IN_PROGRESS" || svc["description"] != "web" {
		t.Fatalf("updating service = %v", svc)
	}
	if status, body := dev.json("PATCH", "/v1/services/frontend", map[string]any{"spec": instanceSpec("one")}, nil); status != 409 || !strings.Contains(body, "in progress") {
		t.Fatalf("update during an update: %d %s, want 409", status, body)
	}
	if svc = dev.waitService("frontend"); svc["status"] != "ACTIVE" {
		t.Fatalf("updated service = %v", svc)
	}
	dev.waitGone("/v1/services/frontend/instances/two")
	if _, err := p.Sim.Describe(context.Background(), platform.StackName(platform.Target{Kind: platform.ServiceInstanceTarget, Service: "frontend", Instance: "two"})); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("stack of removed instance two: %v, want NotFound", err)
	}
	if three := dev.waitFor("/v1/services/frontend/instances/three"); three["deploymentStatus"] != "SUCCEEDED" {
		t.Fatalf("added instance three = %v", three)
	}

	// CreateServiceInstance adds one more; a spec not naming it is refused.
	if status, body := dev.json("POST", "/v1/services/frontend/instances", map[string]any{"name": "four", "spec": instanceSpec("five")}, nil); status != 400 || !strings.Contains(body, `must list instance`) {
		t.Fatalf("instance missing from its spec: %d %s, want 400", status, body)
	}
	dev.must(202, "POST", "/v1/services/frontend/instances", map[string]any{"name": "four", "spec": instanceSpec("four")}, nil)
	if four := dev.waitFor("/v1/services/frontend/instances/four"); four["deploymentStatus"] != "SUCCEEDED" || four["templateMajorVersion"] != 1.0 {
		t.Fatalf("created instance four = %v", four)
	}

	// DeleteService: the pipeline, then the instances, then the record; every stack goes.
	dev.must(202, "DELETE", "/v1/services/frontend", nil, &svc)
	if svc["status"] != "DELETE_IN_PROGRESS" {
		t.Fatalf("deleting service = %v", svc)
	}
	dev.waitGone("/v1/services/frontend")
	for _, target := range []platform.Target{
		{Kind: platform.ServicePipelineTarget, Service: "frontend"},
		{Kind: platform.ServiceInstanceTarget, Service: "frontend", Instance: "one"},
		{Kind: platform.ServiceInstanceTarget, Service: "frontend", Instance: "three"},
		{Kind: platform.ServiceInstanceTarget, Service: "frontend", Instance: "four"},
	} {
		if _, err := p.Sim.Describe(context.Background(), platform.StackName(target)); platform.KindOf(err) != platform.NotFound {
			t.Errorf("stack of %s after DeleteService: %v, want NotFound", target, err)
		}
	}
	// Nothing runs in Beta any more, so it can go too.
	admin.must(202, "DELETE", "/v1/environments/Beta", nil, nil)
	admin.waitGone("/v1/environments/Beta")
}
