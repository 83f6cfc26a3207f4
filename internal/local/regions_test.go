package local

import (
	"context"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

const westRegion = "us-west-2"

// TestEnvironmentInAnotherRegion runs an environment created with a region other than the
// platform's: its stack lands in that region's CloudFormation (the platform's account), a
// service instance in it deploys there too while the service's pipeline stays home, and
// deleting them removes their stacks there. The region's stack events reach the workflow
// only through that region's bus, whose forwarding rule targets the platform's bus: every
// deployment there ends within seconds only because those events came back (the
// reconciler never sweeps here, and the workflow's own check comes after an hour). A
// malformed region is refused naming region, and so is a change of region.
func TestEnvironmentInAnotherRegion(t *testing.T) {
	ctx := context.Background()
	p, ts := startPlatform(t, Config{Regions: []string{westRegion}, ReconcileInterval: -1})
	admin, dev := newClient(t, p, ts, platform.AdminRole), newClient(t, p, ts, platform.DeveloperRole)
	admin.register("environment-templates", platformtest.EnvTemplate, platformtest.TarGz(t, platformtest.SamplePath(t, platformtest.EnvBundle), nil))
	admin.register("service-templates", platformtest.SvcTemplate, platformtest.TarGz(t, platformtest.SamplePath(t, platformtest.SvcBundle), nil))
	west := p.Estate.At("", westRegion)

	create := map[string]any{"name": "Beta", "templateName": platformtest.EnvTemplate, "templateMajorVersion": 1,
		"spec": platformtest.ReadFile(t, platformtest.SamplePath(t, platformtest.EnvSpec)), "region": "US-WEST-2"}
	if status, body := admin.json("POST", "/v1/environments", create, nil); status != 400 || !strings.Contains(body, `"region: `) {
		t.Fatalf("an environment in region US-WEST-2: %d %s", status, body)
	}
	create["region"] = westRegion
	admin.must(202, "POST", "/v1/environments", create, nil)
	env := admin.waitFor("/v1/environments/Beta")
	if env["deploymentStatus"] != "SUCCEEDED" || env["region"] != westRegion || env["arn"] != "arn:aws:proton:us-east-1:"+AccountID+":environment/Beta" {
		t.Fatalf("environment Beta = %v", env)
	}
	var d map[string]any
	admin.must(200, "GET", "/v1/deployments/"+env["lastDeploymentId"].(string), nil, &d)
	if d["region"] != westRegion || d["account"] != nil || !strings.HasPrefix(d["stackId"].(string), "arn:aws:cloudformation:us-west-2:"+AccountID+":stack/gantry-env-Beta/") {
		t.Fatalf("Beta's deployment = %v, want it in %s", d, westRegion)
	}
	if _, err := p.Sim.Describe(ctx, "gantry-env-Beta"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("Beta's stack in the platform's region: %v, want NotFound", err)
	}
	wantStackResourcesIn(t, west, "gantry-env-Beta", admin.provisionedResources("/v1/environments/Beta"))
	var list struct{ Items []map[string]any }
	admin.must(200, "GET", "/v1/environments", nil, &list)
	if len(list.Items) != 1 || list.Items[0]["region"] != westRegion {
		t.Fatalf("listed environments = %v", list.Items)
	}
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		update := map[string]any{"deploymentType": "CURRENT_VERSION", "region": region}
		if status, body := admin.json("PATCH", "/v1/environments/Beta", update, nil); status != 400 || !strings.Contains(body, `"region: `) || !strings.Contains(body, "fixed at creation") {
			t.Fatalf("moving Beta to %s: %d %s", region, status, body)
		}
	}

	// A service instance in Beta deploys in us-west-2; its pipeline stays home.
	dev.must(202, "POST", "/v1/services", map[string]any{"name": "web", "templateName": platformtest.SvcTemplate, "templateMajorVersion": 1,
		"spec": instanceSpec("web-a"), "repositoryConnectionArn": "arn:aws:codestar-connections:us-east-1:000000000000:connection/example",
		"repositoryId": "example-org/web", "branchName": "main"}, nil)
	if s := dev.waitService("web"); s["status"] != "ACTIVE" {
		t.Fatalf("service web = %v", s)
	}
	instance := platform.StackName(platform.Target{Kind: platform.ServiceInstanceTarget, Service: "web", Instance: "web-a"})
	if _, err := west.Describe(ctx, instance); err != nil {
		t.Fatalf("web-a's stack in %s: %v", westRegion, err)
	}
	if _, err := p.Sim.Describe(ctx, instance); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("web-a's stack in the platform's region: %v, want NotFound", err)
	}
	pipeline := platform.StackName(platform.Target{Kind: platform.ServicePipelineTarget, Service: "web"})
	if _, err := p.Sim.Describe(ctx, pipeline); err != nil {
		t.Fatalf("web's pipeline stack in the platform's region: %v", err)
	}
	wantStackResourcesIn(t, west, instance, dev.provisionedResources("/v1/services/web/instances/web-a"))

	// An update (giving its own region is fine) redeploys there.
	admin.must(202, "PATCH", "/v1/environments/Beta", map[string]any{"deploymentType": "CURRENT_VERSION", "region": westRegion}, nil)
	env = admin.waitFor("/v1/environments/Beta")
	admin.must(200, "GET", "/v1/deployments/"+env["lastDeploymentId"].(string), nil, &d)
	if env["deploymentStatus"] != "SUCCEEDED" || d["region"] != westRegion {
		t.Fatalf("Beta's update = %v, its deployment %v", env, d)
	}

	// Deleting removes the stacks there.
	dev.must(202, "DELETE", "/v1/services/web", nil, nil)
	dev.waitGone("/v1/services/web")
	admin.must(202, "DELETE", "/v1/environments/Beta", nil, nil)
	admin.waitGone("/v1/environments/Beta")
	for _, stack := range []string{instance, "gantry-env-Beta"} {
		if _, err := west.Describe(ctx, stack); platform.KindOf(err) != platform.NotFound {
			t.Errorf("%s after its deletion: %v, want NotFound", stack, err)
		}
	}
	if dead, err := p.Bus.DeadLetters(); err != nil || len(dead) != 0 {
		t.Fatalf("dead letters = %v, %v", dead, err)
	}
}
