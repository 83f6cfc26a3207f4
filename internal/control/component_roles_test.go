package control_test

import (
	"testing"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
)

// TestComponentsNeedTheEnvironmentsComponentRole: an environment is created with a
// component role, which UpdateEnvironment replaces or removes; without one, no directly
// defined component can be created in it (400 naming the field), as in Proton.
func TestComponentsNeedTheEnvironmentsComponentRole(t *testing.T) {
	h := newHarness(t)
	h.mustComponentService(true)
	if env := h.mustEnvironment("Beta"); env.ComponentRoleARN != testComponentRole {
		t.Fatalf("created with componentRoleArn %q, want %q", env.ComponentRoleARN, testComponentRole)
	}
	none := ""
	if _, err := h.svc.UpdateEnvironment(h.ctx, "Beta", control.UpdateInput{DeploymentType: platform.DeployNone, ComponentRoleARN: &none}); err != nil {
		t.Fatal(err)
	}
	if env := h.mustEnvironment("Beta"); env.ComponentRoleARN != "" || env.DeploymentStatus.Active() {
		t.Fatalf("after removing the role: %+v", env)
	}
	dev := developerContext()
	_, err := h.svc.CreateComponent(dev, attachedInput("queue"))
	if kind, field := fieldOf(err); kind != platform.Invalid || field != "serviceInstanceName" {
		t.Fatalf("an attached component in an environment without a component role: %v, want Invalid naming serviceInstanceName", err)
	}
	detached := control.CreateComponentInput{Name: "queue", EnvironmentName: "Beta", Manifest: componentManifest, TemplateFile: componentTemplate}
	_, err = h.svc.CreateComponent(dev, detached)
	if kind, field := fieldOf(err); kind != platform.Invalid || field != "environmentName" {
		t.Fatalf("a detached component in an environment without a component role: %v, want Invalid naming environmentName", err)
	}
	if page, err := h.svc.ListComponents(dev, platform.ComponentFilter{}, platform.PageRequest{}); err != nil || len(page.Items) != 0 {
		t.Fatalf("components after the refusals = %+v, %v; want none", page.Items, err)
	}

	// A role of another account, or not a role, is refused naming the field.
	for _, bad := range []string{"arn:aws:iam::111122223333:role/components", "arn:aws:s3:::bucket", "components"} {
		_, err := h.svc.UpdateEnvironment(h.ctx, "Beta", control.UpdateInput{DeploymentType: platform.DeployNone, ComponentRoleARN: &bad})
		if kind, field := fieldOf(err); kind != platform.Invalid || field != "componentRoleArn" {
			t.Errorf("componentRoleArn %q: %v, want Invalid naming componentRoleArn", bad, err)
		}
		in := h.envInput("Gamma")
		in.ComponentRoleARN = bad
		if _, err := h.svc.CreateEnvironment(h.ctx, in); platform.KindOf(err) != platform.Invalid {
			t.Errorf("CreateEnvironment with componentRoleArn %q: %v, want Invalid", bad, err)
		}
	}
	role := "arn:aws:iam::000000000000:role/team-components"
	if _, err := h.svc.UpdateServiceInstance(dev, "frontend", "frontend-beta", control.UpdateInput{DeploymentType: platform.DeployNone, ComponentRoleARN: &role}); platform.KindOf(err) != platform.Invalid {
		t.Errorf("an instance update with a component role: %v, want Invalid", err)
	}

	// Given a role again, the environment takes components.
	if _, err := h.svc.UpdateEnvironment(h.ctx, "Beta", control.UpdateInput{DeploymentType: platform.DeployNone, ComponentRoleARN: &role}); err != nil {
		t.Fatal(err)
	}
	if env := h.mustEnvironment("Beta"); env.ComponentRoleARN != role {
		t.Fatalf("componentRoleArn = %q, want %q", env.ComponentRoleARN, role)
	}
	if _, err := h.svc.CreateComponent(dev, attachedInput("queue")); err != nil {
		t.Fatalf("a component once the environment has a role: %v", err)
	}
}
