package local

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
	"github.com/gantry-platform/gantry/internal/render"
)

// deployHostile registers an environment template whose cloudformation.yaml is
// template, creates environment name from it and returns the environment once its
// deployment has ended.
func deployHostile(t *testing.T, admin *client, name, template string) map[string]any {
	t.Helper()
	bundle := platformtest.TarGz(t, platformtest.SamplePath(t, platformtest.EnvBundle), map[string]string{
		"infrastructure/cloudformation.yaml": platformtest.DeployTimeOnly(template)})
	admin.register("environment-templates", name+"-env", bundle)
	admin.must(202, "POST", "/v1/environments", map[string]any{"name": name, "templateName": name + "-env",
		"templateMajorVersion": 1, "spec": "proton: EnvironmentSpec\nspec: {}\n"}, nil)
	return admin.waitFor("/v1/environments/" + name)
}

// TestHostileTemplateFailsTheDeployment deploys the expression of issue 10 that made
// gantry-local allocate until it died: the deployment ends FAILED with the message of
// the render's limit, naming file and line, and the platform goes on answering.
func TestHostileTemplateFailsTheDeployment(t *testing.T) {
	p, ts := newPlatform(t)
	admin := newClient(t, p, ts, platform.AdminRole)
	env := deployHostile(t, admin, "Hostile", "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: \"{{ '%*d' % (2**40, 1) }}\"\n")
	want := "infrastructure/cloudformation.yaml:5: rendering stopped: a string would be 1099511627776 bytes, over the 1 MiB limit (render.Limits.MaxString)"
	msg, _ := env["deploymentStatusMessage"].(string)
	if env["deploymentStatus"] != "FAILED" || !strings.Contains(msg, want) {
		t.Fatalf("environment = %v, want FAILED with %q", env, want)
	}
	var d map[string]any
	admin.must(200, "GET", "/v1/deployments/"+env["lastDeploymentId"].(string), nil, &d)
	if d["deploymentStatus"] != "FAILED" || !strings.Contains(fmt.Sprint(d["deploymentStatusMessage"]), want) {
		t.Fatalf("deployment = %v, want FAILED with %q", d, want)
	}
	// A render that failed kept nothing: its error cites the bundle's file and line.
	status, body := admin.json("GET", "/v1/deployments/"+env["lastDeploymentId"].(string)+"/rendered", nil, nil)
	if status != 404 || !strings.Contains(body, "has no rendered template: it ended before rendering") || !strings.Contains(body, "cloudformation.yaml:5") {
		t.Fatalf("rendered of a failed render: %d %s", status, body)
	}
	admin.must(200, "GET", "/v1/environments", nil, nil)
}

// TestRenderLimitsAreConfiguration starts a platform whose renders may write 100 bytes:
// a template writing more fails its deployment with render.Limits.MaxOutput.
func TestRenderLimitsAreConfiguration(t *testing.T) {
	p, ts := startPlatform(t, Config{RenderLimits: render.Limits{MaxOutput: 100}})
	admin := newClient(t, p, ts, platform.AdminRole)
	env := deployHostile(t, admin, "Small", "Resources:\n{% for i in range(20) %}\n  Topic{{ i }}:\n    Type: AWS::SNS::Topic\n{% endfor %}\n")
	msg, _ := env["deploymentStatusMessage"].(string)
	if env["deploymentStatus"] != "FAILED" || !strings.Contains(msg, "(render.Limits.MaxOutput)") || !strings.Contains(msg, "infrastructure/cloudformation.yaml:") {
		t.Fatalf("environment = %v, want FAILED by render.Limits.MaxOutput", env)
	}
}
