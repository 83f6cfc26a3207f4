package workflow_test

import (
	"testing"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
)

const rolesComponentManifest = `infrastructure:
  templates:
    - file: "cloudformation.yaml"
      rendering_engine: jinja
      template_language: cloudformation
`

// TestComponentsDeployUnderTheEnvironmentsComponentRole: a component's stack is deployed
// with its environment's componentRoleArn as CloudFormation's role, read when it deploys
// (a changed role applies to the next deployment); the environment's own stack keeps the
// configured role.
func TestComponentsDeployUnderTheEnvironmentsComponentRole(t *testing.T) {
	h := newHarness(t)
	h.mustDeployedEnvironment()
	first := "arn:aws:iam::000000000000:role/components-v1"
	if _, err := h.control.UpdateEnvironment(h.ctx, "Beta", control.UpdateInput{DeploymentType: platform.DeployNone, ComponentRoleARN: &first}); err != nil {
		t.Fatal(err)
	}
	c, err := h.control.CreateComponent(h.ctx, control.CreateComponentInput{Name: "queue", EnvironmentName: "Beta",
		Manifest: rolesComponentManifest, TemplateFile: "Resources:\n  Queue: {Type: AWS::SQS::Queue}\n"})
	if err != nil {
		t.Fatal(err)
	}
	h.mustSucceed(h.mustDeployment(c.LastDeploymentID))
	second := "arn:aws:iam::000000000000:role/components-v2"
	if _, err := h.control.UpdateEnvironment(h.ctx, "Beta", control.UpdateInput{DeploymentType: platform.DeployNone, ComponentRoleARN: &second}); err != nil {
		t.Fatal(err)
	}
	h.mu.Lock()
	envRole, componentRole := h.roles["gantry-env-Beta"], h.roles["gantry-component-queue"]
	h.mu.Unlock()
	if envRole != "" || componentRole != first {
		t.Fatalf("roles: environment stack %q, component stack %q; want the configured one (none) and %q", envRole, componentRole, first)
	}
	templateFile := "Resources:\n  Queue: {Type: AWS::SQS::Queue}\n  Topic: {Type: AWS::SNS::Topic}\n"
	updated, err := h.control.UpdateComponent(h.ctx, "queue", control.UpdateComponentInput{DeploymentType: platform.DeployCurrentVersion, TemplateFile: &templateFile})
	if err != nil {
		t.Fatal(err)
	}
	h.mustSucceed(h.mustDeployment(updated.LastDeploymentID))
	h.mu.Lock()
	componentRole = h.roles["gantry-component-queue"]
	h.mu.Unlock()
	if componentRole != second {
		t.Fatalf("the component's next deployment used role %q, want the environment's new %q", componentRole, second)
	}
}
