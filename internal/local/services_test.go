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

// waitPipeline polls a service until its pipeline's deployment is not in progress and
// returns the pipeline.
func (c *client) waitPipeline(service string) map[string]any {
	c.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var svc map[string]any
		c.must(200, "GET", "/v1/services/"+service, nil, &svc)
		pipeline, _ := svc["pipeline"].(map[string]any)
		if s, _ := pipeline["deploymentStatus"].(string); s != "" && s != "IN_PROGRESS" && s != "CANCELLING" {
			return pipeline
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("pipeline of %s still in progress after 60s: %v", service, pipeline)
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

	// Beta cannot move to a major its instances' template is not compatible with (the
	// service template is compatible with the environment template's major 1 only).
	var v2 map[string]any
	if status, body := admin.call("POST", "/v1/environment-templates/"+platformtest.EnvTemplate+"/versions", "application/gzip",
		platformtest.TarGz(t, platformtest.SamplePath(t, platformtest.EnvBundle), nil), &v2); status != 201 || v2["majorVersion"] != 2.0 {
		t.Fatalf("register major 2: %d %s", status, body)
	}
	admin.must(200, "POST", "/v1/environment-templates/"+platformtest.EnvTemplate+"/versions/2.0/publish", nil, nil)
	status, body := admin.json("PATCH", "/v1/environments/Beta", map[string]any{"deploymentType": "MAJOR_VERSION", "templateMajorVersion": 2}, nil)
	if status != 409 || !strings.Contains(body, "frontend/one") || !strings.Contains(body, "frontend/two") || !strings.Contains(body, "not compatible") {
		t.Fatalf("moving Beta to major 2: %d %s, want 409 naming the instances", status, body)
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

	// The pipeline: update it (a ServiceSpec's pipeline section), read its outputs; cancel
	// by target answers 409 once nothing is in progress.
	dev.must(202, "PATCH", "/v1/services/frontend/pipeline", map[string]any{"deploymentType": "CURRENT_VERSION",
		"spec": "proton: ServiceSpec\npipeline:\n  unit_test_command: make check\n"}, nil)
	pipeline := dev.waitPipeline("frontend")
	if pipeline["deploymentStatus"] != "SUCCEEDED" || !strings.Contains(pipeline["spec"].(string), "make check") {
		t.Fatalf("updated pipeline = %v", pipeline)
	}
	var outputs struct {
		Outputs []map[string]any `json:"outputs"`
	}
	dev.must(200, "GET", "/v1/services/frontend/pipeline/outputs", nil, &outputs)
	if len(outputs.Outputs) == 0 {
		t.Fatal("pipeline has no outputs")
	}
	for _, path := range []string{"/v1/services/frontend/pipeline/cancel", "/v1/services/frontend/instances/one/cancel"} {
		if status, body := dev.json("POST", path, nil, nil); status != 409 || !strings.Contains(body, "no deployment in progress") {
			t.Fatalf("POST %s with nothing in progress: %d %s, want 409", path, status, body)
		}
	}
	if status, _ := dev.json("POST", "/v1/environments/Beta/cancel", nil, nil); status != 403 {
		t.Fatalf("a developer cancelling an environment's deployment: %d, want 403", status)
	}

	// ListDeployments by service: every deployment of its instances and pipeline, newest first.
	var history struct {
		Items []map[string]any `json:"items"`
	}
	dev.must(200, "GET", "/v1/deployments?serviceName=frontend", nil, &history)
	kinds := map[any]int{}
	for _, d := range history.Items {
		kinds[d["targetResourceType"]]++
	}
	// Instances one, two, three, four (two's deletion too) and the pipeline twice.
	if kinds["SERVICE_INSTANCE"] != 5 || kinds["SERVICE_PIPELINE"] != 2 || history.Items[0]["targetResourceType"] != "SERVICE_PIPELINE" {
		t.Fatalf("service history = %v", kinds)
	}
	dev.must(200, "GET", "/v1/deployments?serviceName=frontend&servicePipeline=true", nil, &history)
	if len(history.Items) != 2 {
		t.Fatalf("pipeline history = %v", history.Items)
	}
	// DeleteDeployment: the older pipeline deployment goes; the current one stays (409).
	dev.must(200, "DELETE", "/v1/deployments/"+history.Items[1]["id"].(string), nil, nil)
	if status, body := dev.json("DELETE", "/v1/deployments/"+history.Items[0]["id"].(string), nil, nil); status != 409 || !strings.Contains(body, "last") {
		t.Fatalf("deleting the pipeline's current deployment: %d %s, want 409", status, body)
	}
	dev.must(404, "GET", "/v1/deployments/"+history.Items[1]["id"].(string), nil, nil)

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
