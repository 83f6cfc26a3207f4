package control_test

import (
	"testing"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

// setSelfService marks the sample environment template self-service (or not) as admin.
func (h *harness) setSelfService(on bool) platform.Template {
	h.t.Helper()
	t, err := h.svc.UpdateTemplate(h.ctx, platform.EnvironmentTemplate, platformtest.EnvTemplate, control.UpdateTemplateInput{SelfService: &on})
	if err != nil || t.SelfService != on {
		h.t.Fatalf("set selfService %v = %+v, %v", on, t, err)
	}
	return t
}

// TestSelfServiceEnvironments checks the entitlement: developers create, update, delete
// and cancel environments of a self-service environment template only, never set their
// component role, and everything is the admin's while the template is not self-service.
func TestSelfServiceEnvironments(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate()
	dev := developerContext()
	reporter := platform.WithCaller(h.ctx, platform.Caller{Subject: "ci", Roles: []platform.Role{platform.ReporterRole}})
	noRole := func(in control.CreateEnvironmentInput) control.CreateEnvironmentInput {
		in.ComponentRoleARN = ""
		return in
	}

	if tmpl := h.mustTemplate(platform.EnvironmentTemplate, platformtest.EnvTemplate); tmpl.SelfService {
		t.Fatal("a new environment template is self-service; want admin-only by default")
	}
	// Not self-service: a developer can do nothing to environments; nothing is written.
	_, err := h.svc.CreateEnvironment(dev, noRole(h.envInput("Dev")))
	wantErr(t, "a developer creating from an admin-only template", err, platform.Forbidden, "environment template "+platformtest.EnvTemplate+" needs the admin role: the template is not self-service")
	if _, err := h.store.GetEnvironment(h.ctx, "Dev"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("the refused create stored the environment: %v", err)
	}
	admins := h.mustDeployedEnvironment("Ops")
	_, err = h.svc.UpdateEnvironment(dev, "Ops", control.UpdateInput{DeploymentType: platform.DeployCurrentVersion})
	wantErr(t, "a developer updating", err, platform.Forbidden, "not self-service")
	_, err = h.svc.DeleteEnvironment(dev, "Ops")
	wantErr(t, "a developer deleting", err, platform.Forbidden, "not self-service")
	if got := h.mustEnvironment("Ops"); got.LastDeploymentID != admins.LastDeploymentID || got.DeploymentStatus != platform.Succeeded {
		t.Fatalf("refused changes touched Ops: %+v", got)
	}
	on := true
	_, err = h.svc.UpdateTemplate(dev, platform.EnvironmentTemplate, platformtest.EnvTemplate, control.UpdateTemplateInput{SelfService: &on})
	wantErr(t, "a developer marking the template self-service", err, platform.Forbidden, "admin role")
	h.mustCreateTemplate(platform.ServiceTemplate, platformtest.SvcTemplate)
	_, err = h.svc.UpdateTemplate(h.ctx, platform.ServiceTemplate, platformtest.SvcTemplate, control.UpdateTemplateInput{SelfService: &on})
	if kind, field := fieldOf(err); kind != platform.Invalid || field != "selfService" {
		t.Fatalf("selfService on a service template: %v, want Invalid naming selfService", err)
	}
	if tmpl := h.mustTemplate(platform.ServiceTemplate, platformtest.SvcTemplate); tmpl.SelfService {
		t.Fatal("the refused update marked the service template self-service")
	}

	// Self-service: the developer manages environments of the template, as stored.
	if tmpl := h.setSelfService(true); !h.mustTemplate(platform.EnvironmentTemplate, platformtest.EnvTemplate).SelfService || tmpl.Revision != h.mustTemplate(platform.EnvironmentTemplate, platformtest.EnvTemplate).Revision {
		t.Fatal("selfService was not stored")
	}
	_, err = h.svc.CreateEnvironment(dev, h.envInput("Dev"))
	wantErr(t, "a developer setting the component role", err, platform.Forbidden, "componentRoleArn")
	if _, err := h.store.GetEnvironment(h.ctx, "Dev"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("the refused create stored the environment: %v", err)
	}
	_, err = h.svc.CreateEnvironment(reporter, noRole(h.envInput("Dev")))
	wantErr(t, "a reporter creating", err, platform.Forbidden, "developer or admin role")
	created, err := h.svc.CreateEnvironment(dev, noRole(h.envInput("Dev")))
	if err != nil || created.DeploymentStatus != platform.InProgress {
		t.Fatalf("a developer creating from a self-service template = %+v, %v", created, err)
	}
	cancelled, err := h.svc.CancelTargetDeployment(dev, created.Target())
	if err != nil || cancelled.Status != platform.Cancelling {
		t.Fatalf("a developer cancelling its deployment = %+v, %v", cancelled, err)
	}

	// An update to another version of the same template is the developer's too.
	h.mustPublish(platform.EnvironmentTemplate, platformtest.EnvTemplate, h.mustVersion(platform.EnvironmentTemplate, platformtest.EnvTemplate, 1).Version)
	role := testComponentRole
	_, err = h.svc.UpdateEnvironment(dev, "Ops", control.UpdateInput{DeploymentType: platform.DeployCurrentVersion, ComponentRoleARN: &role})
	wantErr(t, "a developer changing the component role", err, platform.Forbidden, "componentRoleArn")
	updated, err := h.svc.UpdateEnvironment(dev, "Ops", control.UpdateInput{DeploymentType: platform.DeployMinorVersion, MajorVersion: intPtr(1), MinorVersion: intPtr(1)})
	if err != nil || updated.DeploymentStatus != platform.InProgress || h.mustDeployment(updated.LastDeploymentID).TemplateVersion != (platform.Version{Major: 1, Minor: 1}) {
		t.Fatalf("a developer moving Ops to 1.1 = %+v, %v", updated, err)
	}
	h.mustFinish(updated.LastDeploymentID)
	deleting, err := h.svc.DeleteEnvironment(dev, "Ops")
	if err != nil || deleting.DeploymentStatus != platform.DeleteInProgress {
		t.Fatalf("a developer deleting Ops = %+v, %v", deleting, err)
	}

	// Back to admin-only: the developer is refused again, the admin is not.
	h.setSelfService(false)
	_, err = h.svc.CancelTargetDeployment(dev, deleting.Target())
	wantErr(t, "a developer cancelling once the template is admin-only", err, platform.Forbidden, "not self-service")
	_, err = h.svc.CreateEnvironment(dev, noRole(h.envInput("Dev2")))
	wantErr(t, "a developer creating once the template is admin-only", err, platform.Forbidden, "not self-service")
	if _, err := h.svc.CreateEnvironment(h.ctx, h.envInput("Admin2")); err != nil {
		t.Fatalf("an admin creating from an admin-only template: %v", err)
	}
}
