package control_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

// developerContext is a caller holding the developer role only.
func developerContext() context.Context {
	return platform.WithCaller(context.Background(), platform.Caller{Subject: "dev", Roles: []platform.Role{platform.DeveloperRole}})
}

// TestOmittedMinorUsesThePin checks the rule for a create that omits the minor: the pinned
// recommended version when it is of the major asked for, else the highest published minor.
func TestOmittedMinorUsesThePin(t *testing.T) {
	h := newHarness(t)
	const kind = platform.EnvironmentTemplate
	name := platformtest.EnvTemplate
	h.mustCreateTemplate(kind, name)
	for _, major := range []int{0, 1, 1, 0} { // 1.0, 1.1, 1.2, 2.0
		h.mustPublish(kind, name, h.mustVersion(kind, name, major).Version)
	}
	if _, err := h.svc.UpdateTemplate(h.ctx, kind, name, control.UpdateTemplateInput{RecommendedVersion: strPtr("1.1")}); err != nil {
		t.Fatal(err)
	}
	if env := h.mustCreateEnvironment(h.envInput("PinnedMajor")); env.TemplateVersion != (platform.Version{Major: 1, Minor: 1}) {
		t.Fatalf("major 1 with 1.1 pinned got %s", env.TemplateVersion)
	}
	in := h.envInput("OtherMajor")
	in.MajorVersion = 2
	if env := h.mustCreateEnvironment(in); env.TemplateVersion != (platform.Version{Major: 2, Minor: 0}) {
		t.Fatalf("major 2 with 1.1 pinned got %s", env.TemplateVersion)
	}
	in = h.envInput("Explicit")
	in.MinorVersion = intPtr(2)
	if env := h.mustCreateEnvironment(in); env.TemplateVersion != (platform.Version{Major: 1, Minor: 2}) {
		t.Fatalf("an explicit 1.2 with 1.1 pinned got %s", env.TemplateVersion)
	}
	if _, err := h.svc.UpdateTemplate(h.ctx, kind, name, control.UpdateTemplateInput{RecommendedVersion: strPtr("latest")}); err != nil {
		t.Fatal(err)
	}
	if env := h.mustCreateEnvironment(h.envInput("Unpinned")); env.TemplateVersion != (platform.Version{Major: 1, Minor: 2}) {
		t.Fatalf("major 1 unpinned got %s, want the highest published 1.2", env.TemplateVersion)
	}
}

// TestDeleteTemplate refuses to delete a template while it has versions, and deletes it
// once they are gone; only admins may.
func TestDeleteTemplate(t *testing.T) {
	h := newHarness(t)
	const kind = platform.ServiceTemplate
	h.mustCreateTemplate(kind, "empty")
	if _, err := h.svc.DeleteTemplate(developerContext(), kind, "empty"); platform.KindOf(err) != platform.Forbidden {
		t.Fatalf("a developer deleting a template: %v, want Forbidden", err)
	}
	got, err := h.svc.DeleteTemplate(h.ctx, kind, "empty")
	if err != nil || got.Name != "empty" {
		t.Fatalf("delete an empty template: %+v, %v", got, err)
	}
	if _, err := h.store.GetTemplate(h.ctx, kind, "empty"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("the template is still there: %v", err)
	}
	if _, err := h.svc.DeleteTemplate(h.ctx, kind, "empty"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("delete it again: %v, want NotFound", err)
	}

	h.mustCreateTemplate(platform.EnvironmentTemplate, platformtest.EnvTemplate)
	h.mustVersion(platform.EnvironmentTemplate, platformtest.EnvTemplate, 0)
	_, err = h.svc.DeleteTemplate(h.ctx, platform.EnvironmentTemplate, platformtest.EnvTemplate)
	if platform.KindOf(err) != platform.Conflict || !strings.Contains(err.Error(), "still has versions (the highest is 1.0)") {
		t.Fatalf("delete a template with a version: %v, want Conflict naming 1.0", err)
	}
}

// TestTemplateChangesNeedTheAdminRole checks that the control plane itself refuses
// developers every change of a template, whatever the transport.
func TestTemplateChangesNeedTheAdminRole(t *testing.T) {
	h := newHarness(t)
	const kind = platform.EnvironmentTemplate
	name := platformtest.EnvTemplate
	h.mustCreateTemplate(kind, name)
	v := h.mustVersion(kind, name, 0).Version
	dev := developerContext()
	calls := map[string]func() error{
		"create": func() error {
			_, err := h.svc.CreateTemplate(dev, kind, control.CreateTemplateInput{Name: "x"})
			return err
		},
		"update": func() error {
			_, err := h.svc.UpdateTemplate(dev, kind, name, control.UpdateTemplateInput{Description: strPtr("x")})
			return err
		},
		"register": func() error {
			_, err := h.svc.CreateTemplateVersion(dev, kind, name, control.CreateVersionInput{Bundle: h.bundle(platformtest.EnvBundle)})
			return err
		},
		"publish": func() error {
			_, err := h.svc.PublishTemplateVersion(dev, kind, name, v)
			return err
		},
	}
	for what, call := range calls {
		if err := call(); platform.KindOf(err) != platform.Forbidden || !strings.Contains(err.Error(), "admin role") {
			t.Errorf("%s as a developer: %v, want Forbidden", what, err)
		}
	}
	if tv, _ := h.store.GetTemplateVersion(h.ctx, kind, name, v); tv.Status != platform.Draft {
		t.Fatalf("a developer's publish went through: %s", tv.Status)
	}
}
