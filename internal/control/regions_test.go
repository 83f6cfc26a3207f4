package control_test

import (
	"testing"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
)

// TestEnvironmentRegionRules: an environment's region is stored (the platform's own as none),
// validated and fixed at creation; a service instance of a version CodeBuild provisions,
// which runs in the platform's region, is refused in an environment of another region
// (Invalid naming the instance's environment field, nothing stored), and a service
// instance update is refused a region.
func TestEnvironmentRegionRules(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate()
	in := h.envInput("Beta")
	for _, bad := range []string{"us_west_2", "US-WEST-2", "west"} {
		in.Region = bad
		if _, err := h.svc.CreateEnvironment(h.ctx, in); !invalidField(err, "region") {
			t.Fatalf("region %q: %v, want Invalid naming region", bad, err)
		}
	}
	in.Region = h.svc.ARNScope().Region
	if env := h.mustCreateEnvironment(in); env.Region != "" {
		t.Fatalf("an environment in the platform's region stored region %q, want none", env.Region)
	}
	west := h.envInput("West")
	west.Region = "us-west-2"
	h.mustFinish(h.mustCreateEnvironment(west).LastDeploymentID)
	if env := h.mustEnvironment("West"); env.Region != "us-west-2" {
		t.Fatalf("West's region = %q", env.Region)
	}
	moved := "eu-west-1"
	if _, err := h.svc.UpdateEnvironment(h.ctx, "West", control.UpdateInput{DeploymentType: platform.DeployNone, Region: &moved}); !invalidField(err, "region") {
		t.Fatalf("moving West: %v, want Invalid naming region", err)
	}

	h.mustCodeBuildServiceTemplate()
	if _, err := h.svc.CreateService(h.ctx, serviceInput("West")); !invalidField(err, "spec.instances[0].environment") {
		t.Fatalf("a CodeBuild instance in us-west-2: %v, want Invalid naming its environment", err)
	}
	if _, err := h.store.GetService(h.ctx, "frontend"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("the refused service was stored: %v", err)
	}
}

// invalidField reports whether err is Invalid naming field.
func invalidField(err error, field string) bool {
	kind, f := fieldOf(err)
	return kind == platform.Invalid && f == field
}
