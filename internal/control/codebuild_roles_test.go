package control_test

import (
	"testing"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

// TestCodeBuildInstanceNeedsItsEnvironmentsRole: a service instance of a version
// provisioned by CodeBuild runs under its environment's codebuildRoleArn, so an
// environment without one refuses it (400 naming codebuildRoleArn, nothing stored) until
// UpdateEnvironment gives it one.
func TestCodeBuildInstanceNeedsItsEnvironmentsRole(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate()
	h.mustDeployedEnvironment("Beta")
	h.mustCodeBuildServiceTemplate()
	_, err := h.svc.CreateService(h.ctx, serviceInput("Beta"))
	if kind, field := fieldOf(err); kind != platform.Invalid || field != "codebuildRoleArn" {
		t.Fatalf("a CodeBuild instance in an environment without codebuildRoleArn: %v, want Invalid naming it", err)
	}
	if _, err := h.store.GetService(h.ctx, "frontend"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("the refused service was stored: %v", err)
	}
	role := "arn:aws:iam::" + h.svc.ARNScope().Account + ":role/builds"
	if _, err := h.svc.UpdateEnvironment(h.ctx, "Beta", control.UpdateInput{DeploymentType: platform.DeployNone, CodebuildRoleARN: &role}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.CreateService(h.ctx, serviceInput("Beta")); err != nil {
		t.Fatalf("with the environment's codebuildRoleArn: %v", err)
	}
}

// mustCodeBuildServiceTemplate registers and publishes the sample's service template as a
// version provisioned by CodeBuild.
func (h *harness) mustCodeBuildServiceTemplate() {
	h.t.Helper()
	h.mustCreateTemplate(platform.ServiceTemplate, platformtest.SvcTemplate)
	tv, err := h.svc.CreateTemplateVersion(h.ctx, platform.ServiceTemplate, platformtest.SvcTemplate, control.CreateVersionInput{Bundle: h.bundle(platformtest.SvcBundle)})
	if err != nil {
		h.t.Fatal(err)
	}
	tv.Engine = platform.EngineCodeBuild
	if err := h.store.UpdateTemplateVersion(h.ctx, tv, nil); err != nil {
		h.t.Fatal(err)
	}
	h.mustPublish(platform.ServiceTemplate, platformtest.SvcTemplate, tv.Version)
}
