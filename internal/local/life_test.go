package local

import (
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

// TestLifeOfAnEstate runs the README's walk-through "The life of an estate" step by step:
// templates 1.0 registered and published, an environment, a service with two instances,
// the service's instances changed, a new minor 1.1 rolled out with MINOR_VERSION, then
// everything deleted, the templates last.
func TestLifeOfAnEstate(t *testing.T) {
	_, admin, dev := newSamplePlatform(t) // both templates at 1.0, published
	env, svcTemplate := platformtest.EnvTemplate, platformtest.SvcTemplate
	admin.must(202, "POST", "/v1/environments", map[string]any{"name": "Beta", "templateName": env,
		"templateMajorVersion": 1, "spec": platformtest.ReadFile(t, platformtest.SamplePath(t, platformtest.EnvSpec))}, nil)
	if e := admin.waitFor("/v1/environments/Beta"); e["deploymentStatus"] != "SUCCEEDED" {
		t.Fatalf("environment Beta = %v", e)
	}

	// A service with two instances (and its pipeline).
	dev.must(202, "POST", "/v1/services", map[string]any{"name": "web", "templateName": svcTemplate, "templateMajorVersion": 1,
		"spec": instanceSpec("web-a", "web-b"), "repositoryConnectionArn": "arn:aws:codestar-connections:us-east-1:000000000000:connection/example",
		"repositoryId": "example-org/web", "branchName": "main"}, nil)
	if s := dev.waitService("web"); s["status"] != "ACTIVE" {
		t.Fatalf("service web = %v", s)
	}
	// What the instance's stack provisioned.
	if rs := dev.provisionedResources("/v1/services/web/instances/web-a"); rs["Service"].Identifier == "" || rs["Service"].ProvisioningEngine != platform.CloudFormationEngine {
		t.Fatalf("provisioned resources of web-a = %+v, want its ECS Service with an identifier", rs)
	}

	// Add web-c, remove web-b.
	dev.must(202, "PATCH", "/v1/services/web", map[string]any{"spec": instanceSpec("web-a", "web-c")}, nil)
	if s := dev.waitService("web"); s["status"] != "ACTIVE" {
		t.Fatalf("service web after the update = %v", s)
	}
	dev.waitGone("/v1/services/web/instances/web-b")

	// Minor 1.1 of the service template, rolled out to every instance and the pipeline.
	var v map[string]any
	bundle := platformtest.TarGz(t, platformtest.SamplePath(t, platformtest.SvcBundle), map[string]string{"CHANGES.md": "1.1: notes\n"})
	if status, body := admin.call("POST", "/v1/service-templates/"+svcTemplate+"/versions?majorVersion=1", "application/gzip", bundle, &v); status != 201 || v["minorVersion"] != 1.0 {
		t.Fatalf("register 1.1: %d %s", status, body)
	}
	admin.must(200, "POST", "/v1/service-templates/"+svcTemplate+"/versions/1.1/publish", nil, nil)
	for _, inst := range []string{"web-a", "web-c"} {
		dev.must(202, "PATCH", "/v1/services/web/instances/"+inst, map[string]any{"deploymentType": "MINOR_VERSION"}, nil)
		if got := dev.waitFor("/v1/services/web/instances/" + inst); got["deploymentStatus"] != "SUCCEEDED" || got["templateMinorVersion"] != 1.0 {
			t.Fatalf("instance %s after MINOR_VERSION = %v", inst, got)
		}
	}
	dev.must(202, "PATCH", "/v1/services/web/pipeline", map[string]any{"deploymentType": "MINOR_VERSION"}, nil)
	if p := dev.waitPipeline("web"); p["deploymentStatus"] != "SUCCEEDED" || p["templateMinorVersion"] != 1.0 {
		t.Fatalf("pipeline after MINOR_VERSION = %v", p)
	}
	// ListServiceInstances across services, by template version and by environment.
	var found struct {
		Items []map[string]any `json:"items"`
	}
	dev.must(200, "GET", "/v1/service-instances?templateName="+svcTemplate+"&templateMajorVersion=1&templateMinorVersion=1", nil, &found)
	if len(found.Items) != 2 || found.Items[0]["name"] != "web-a" || found.Items[1]["name"] != "web-c" {
		t.Fatalf("instances on 1.1 = %v", found.Items)
	}
	dev.must(200, "GET", "/v1/service-instances?templateName="+svcTemplate+"&templateMajorVersion=1&templateMinorVersion=0", nil, &found)
	if len(found.Items) != 0 {
		t.Fatalf("instances still on 1.0 = %v", found.Items)
	}
	dev.must(200, "GET", "/v1/service-instances?environmentName=Beta&deploymentStatus=SUCCEEDED", nil, &found)
	if len(found.Items) != 2 {
		t.Fatalf("succeeded instances in Beta = %v", found.Items)
	}
	dev.must(200, "GET", "/v1/service-instances?deploymentStatus=FAILED", nil, &found)
	if len(found.Items) != 0 {
		t.Fatalf("failed instances across the estate = %v", found.Items)
	}
	dev.must(200, "GET", "/v1/service-instances?sortBy=name&sortOrder=DESCENDING", nil, &found)
	if len(found.Items) != 2 || found.Items[0]["name"] != "web-c" || found.Items[1]["name"] != "web-a" {
		t.Fatalf("every instance by name, descending = %v", found.Items)
	}
	if status, body := dev.json("GET", "/v1/service-instances?deploymentStatus=BROKEN", nil, nil); status != 400 || !strings.Contains(body, "deploymentStatus") {
		t.Fatalf("an unknown status: %d %s, want 400", status, body)
	}

	// 1.0 runs nowhere now and can go; 1.1 cannot while the service runs it.
	admin.must(200, "DELETE", "/v1/service-templates/"+svcTemplate+"/versions/1.0", nil, nil)
	if status, body := admin.json("DELETE", "/v1/service-templates/"+svcTemplate+"/versions/1.1", nil, nil); status != 409 {
		t.Fatalf("deleting 1.1 in use: %d %s, want 409", status, body)
	}

	// Delete everything: the service, the environment, then the templates.
	dev.must(202, "DELETE", "/v1/services/web", nil, nil)
	dev.waitGone("/v1/services/web")
	admin.must(202, "DELETE", "/v1/environments/Beta", nil, nil)
	admin.waitGone("/v1/environments/Beta")
	for _, path := range []string{
		"/v1/service-templates/" + svcTemplate + "/versions/1.1", "/v1/service-templates/" + svcTemplate,
		"/v1/environment-templates/" + env + "/versions/1.0", "/v1/environment-templates/" + env,
	} {
		if status, body := admin.json("DELETE", path, nil, nil); status != 200 {
			t.Fatalf("DELETE %s: %d %s", path, status, body)
		}
	}
	var list struct {
		Items []map[string]any `json:"items"`
	}
	admin.must(200, "GET", "/v1/service-templates", nil, &list)
	for _, tmpl := range list.Items {
		if strings.EqualFold(tmpl["name"].(string), svcTemplate) {
			t.Fatalf("service template %s still listed", svcTemplate)
		}
	}
}
