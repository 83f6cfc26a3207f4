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

// TestUpdateComponentMovesItBetweenInstances: UpdateComponent with serviceName and
// serviceInstanceName moves a component to another instance of its environment (the
// instances' views follow: each instance's component is the right one), and both ""
// detach it; a move with NONE, to a missing instance, or half-given is refused.
func TestUpdateComponentMovesItBetweenInstances(t *testing.T) {
	h := newHarness(t)
	h.mustComponentService(true)
	dev := developerContext()
	inst, err := h.svc.CreateServiceInstance(dev, control.CreateServiceInstanceInput{Service: "frontend", Name: "frontend-two",
		Spec: "proton: ServiceSpec\ninstances:\n  - name: frontend-two\n    environment: Beta\n    spec:\n      port: 80\n"})
	if err != nil {
		t.Fatal(err)
	}
	h.mustFinish(inst.LastDeploymentID)
	c, err := h.svc.CreateComponent(dev, attachedInput("queue"))
	if err != nil {
		t.Fatal(err)
	}
	h.mustFinish(c.LastDeploymentID)

	str := func(s string) *string { return &s }
	for _, bad := range []struct {
		in    control.UpdateComponentInput
		field string
	}{
		{control.UpdateComponentInput{DeploymentType: platform.DeployNone, ServiceName: str("frontend"), ServiceInstanceName: str("frontend-two")}, "deploymentType"},
		{control.UpdateComponentInput{DeploymentType: platform.DeployCurrentVersion, ServiceInstanceName: str("frontend-two")}, "serviceInstanceName"},
		{control.UpdateComponentInput{DeploymentType: platform.DeployCurrentVersion, ServiceName: str(""), ServiceInstanceName: str("frontend-two")}, "serviceInstanceName"},
	} {
		if _, err := h.svc.UpdateComponent(dev, "queue", bad.in); err == nil {
			t.Errorf("%+v: accepted", bad.in)
		} else if kind, field := fieldOf(err); kind != platform.Invalid || field != bad.field {
			t.Errorf("%+v: %v, want Invalid naming %s", bad.in, err, bad.field)
		}
	}
	if _, err := h.svc.UpdateComponent(dev, "queue", control.UpdateComponentInput{DeploymentType: platform.DeployCurrentVersion,
		ServiceName: str("frontend"), ServiceInstanceName: str("nowhere")}); platform.KindOf(err) != platform.NotFound {
		t.Errorf("a move to a missing instance: %v, want NotFound", err)
	}

	moved, err := h.svc.UpdateComponent(dev, "queue", control.UpdateComponentInput{DeploymentType: platform.DeployCurrentVersion,
		ServiceName: str("frontend"), ServiceInstanceName: str("frontend-two")})
	if err != nil {
		t.Fatal(err)
	}
	if moved.Service != "frontend" || moved.Instance != "frontend-two" || moved.DeploymentStatus != platform.InProgress {
		t.Fatalf("moved component = %+v", moved)
	}
	if d := h.mustDeployment(moved.LastDeploymentID); d.Target.Instance != "frontend-two" {
		t.Fatalf("the move's deployment targets %s", d.Target)
	}
	if got, err := h.store.GetInstanceComponent(h.ctx, "frontend", "frontend-two"); err != nil || got.Name != "queue" {
		t.Fatalf("frontend-two's component = %+v, %v; want queue", got, err)
	}
	if _, err := h.store.GetInstanceComponent(h.ctx, "frontend", "frontend-beta"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("frontend-beta's component after the move: %v, want none", err)
	}
	page, err := h.svc.ListComponents(dev, platform.ComponentFilter{Service: "frontend", Instance: "frontend-two"}, platform.PageRequest{})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("ListComponents of frontend-two = %+v, %v", page.Items, err)
	}
	h.mustFinish(moved.LastDeploymentID)

	// Both "" detach it: it stays in environment Beta, no instance has it.
	detached, err := h.svc.UpdateComponent(dev, "queue", control.UpdateComponentInput{DeploymentType: platform.DeployCurrentVersion,
		ServiceName: str(""), ServiceInstanceName: str("")})
	if err != nil {
		t.Fatal(err)
	}
	if detached.Attached() || detached.Environment != "Beta" {
		t.Fatalf("detached component = %+v", detached)
	}
	if _, err := h.store.GetInstanceComponent(h.ctx, "frontend", "frontend-two"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("frontend-two's component after detaching: %v, want none", err)
	}
}
