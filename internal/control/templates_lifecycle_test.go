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

// twoPublished creates the sample environment template with versions 1.0 and 1.1, both
// published.
func (h *harness) twoPublished() (v10, v11 platform.Version) {
	h.t.Helper()
	const kind = platform.EnvironmentTemplate
	h.mustCreateTemplate(kind, platformtest.EnvTemplate)
	v10 = h.mustPublish(kind, platformtest.EnvTemplate, h.mustVersion(kind, platformtest.EnvTemplate, 0).Version).Version
	v11 = h.mustPublish(kind, platformtest.EnvTemplate, h.mustVersion(kind, platformtest.EnvTemplate, 1).Version).Version
	return v10, v11
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

func statusPtr(s platform.VersionStatus) *platform.VersionStatus { return &s }

// TestUpdateTemplateVersionStatus walks DRAFT → PUBLISHED → DEPRECATED → PUBLISHED, the
// recommendation following, and refuses the moves Proton does not allow.
func TestUpdateTemplateVersionStatus(t *testing.T) {
	h := newHarness(t)
	const kind = platform.EnvironmentTemplate
	name := platformtest.EnvTemplate
	h.mustCreateTemplate(kind, name)
	v10 := h.mustVersion(kind, name, 0).Version
	v11 := h.mustVersion(kind, name, 1).Version
	update := func(v platform.Version, in control.UpdateVersionInput) (platform.TemplateVersion, error) {
		return h.svc.UpdateTemplateVersion(h.ctx, kind, name, v, in)
	}
	if tv, err := update(v10, control.UpdateVersionInput{Status: statusPtr(platform.Published)}); err != nil || tv.Status != platform.Published {
		t.Fatalf("publish 1.0 through update: %+v, %v", tv, err)
	}
	h.mustPublish(kind, name, v11)
	events := len(h.events.Events())
	tv, err := update(v11, control.UpdateVersionInput{Status: statusPtr(platform.Deprecated), Description: strPtr("superseded")})
	if err != nil || tv.Status != platform.Deprecated || tv.Description != "superseded" {
		t.Fatalf("deprecate 1.1: %+v, %v", tv, err)
	}
	if rec := h.mustTemplate(kind, name).Recommended; rec != v10 {
		t.Fatalf("recommended after deprecating 1.1 = %s, want 1.0", rec)
	}
	if n := len(h.events.Events()); n != events+1 {
		t.Fatalf("deprecating sent %d events, want 1", n-events)
	}
	if env := h.mustCreateEnvironment(h.envInput("Default")); env.TemplateVersion != v10 {
		t.Fatalf("an environment without a minor got %s, want 1.0 (1.1 is deprecated)", env.TemplateVersion)
	}
	in := h.envInput("Deprecated")
	in.MinorVersion = intPtr(1)
	if _, err := h.svc.CreateEnvironment(h.ctx, in); platform.KindOf(err) != platform.Invalid || !strings.Contains(err.Error(), "DEPRECATED") {
		t.Fatalf("an environment on deprecated 1.1: %v, want Invalid", err)
	}
	if _, err := h.svc.UpdateTemplate(h.ctx, kind, name, control.UpdateTemplateInput{RecommendedVersion: strPtr("1.1")}); platform.KindOf(err) != platform.Invalid {
		t.Fatalf("pinning a deprecated version: %v, want Invalid", err)
	}
	if tv, err := update(v11, control.UpdateVersionInput{Status: statusPtr(platform.Published)}); err != nil || tv.Status != platform.Published {
		t.Fatalf("publish 1.1 again: %+v, %v", tv, err)
	}
	if rec := h.mustTemplate(kind, name).Recommended; rec != v11 {
		t.Fatalf("recommended after publishing 1.1 again = %s", rec)
	}

	// The pinned recommended version cannot stop being published.
	if _, err := h.svc.UpdateTemplate(h.ctx, kind, name, control.UpdateTemplateInput{RecommendedVersion: strPtr("1.0")}); err != nil {
		t.Fatal(err)
	}
	if _, err := update(v10, control.UpdateVersionInput{Status: statusPtr(platform.Deprecated)}); platform.KindOf(err) != platform.Conflict || !strings.Contains(err.Error(), "pinned") {
		t.Fatalf("deprecate the pinned 1.0: %v, want Conflict", err)
	}
	// Deprecating a version that is not recommended leaves the pin alone.
	if _, err := update(v11, control.UpdateVersionInput{Status: statusPtr(platform.Deprecated)}); err != nil {
		t.Fatal(err)
	}
	if tmpl := h.mustTemplate(kind, name); tmpl.Recommended != v10 || !tmpl.Pinned {
		t.Fatalf("after deprecating 1.1 with 1.0 pinned: %+v", tmpl)
	}

	v12 := h.mustVersion(kind, name, 1).Version // a draft
	refused := []struct {
		name  string
		v     platform.Version
		in    control.UpdateVersionInput
		field string
	}{
		{"draft to deprecated", v12, control.UpdateVersionInput{Status: statusPtr(platform.Deprecated)}, "status"},
		{"published to draft", v10, control.UpdateVersionInput{Status: statusPtr(platform.Draft)}, "status"},
		{"deprecated to draft", v11, control.UpdateVersionInput{Status: statusPtr(platform.Draft)}, "status"},
		{"an unknown status", v12, control.UpdateVersionInput{Status: statusPtr("RETIRED")}, "status"},
		{"to registration failed", v12, control.UpdateVersionInput{Status: statusPtr(platform.RegistrationFailed)}, "status"},
		{"a long description", v12, control.UpdateVersionInput{Description: strPtr(strings.Repeat("x", 501))}, "description"},
		{"compatible environments on an environment template", v12, control.UpdateVersionInput{CompatibleEnvironments: []platform.CompatibleEnvironment{{TemplateName: name, MajorVersion: 1}}}, "compatibleEnvironmentTemplates"},
		{"component sources on an environment template", v12, control.UpdateVersionInput{SupportedComponentSources: []string{}}, "supportedComponentSources"},
	}
	for _, r := range refused {
		before, _ := h.store.GetTemplateVersion(h.ctx, kind, name, r.v)
		_, err := update(r.v, r.in)
		if k, field := fieldOf(err); k != platform.Invalid || field != r.field {
			t.Errorf("%s: %v (kind %s, field %q), want Invalid naming %s", r.name, err, k, field, r.field)
		}
		if after, _ := h.store.GetTemplateVersion(h.ctx, kind, name, r.v); after.Revision != before.Revision {
			t.Errorf("%s: the refused update was written", r.name)
		}
	}
	if _, err := h.svc.UpdateTemplateVersion(developerContext(), kind, name, v12, control.UpdateVersionInput{Description: strPtr("x")}); platform.KindOf(err) != platform.Forbidden {
		t.Fatalf("a developer updating a version: %v, want Forbidden", err)
	}
	if _, err := update(platform.Version{Major: 9}, control.UpdateVersionInput{Description: strPtr("x")}); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("updating a missing version: %v, want NotFound", err)
	}
}

// TestUpdateServiceTemplateVersion changes a service version's compatible environments and
// component sources, checking each.
func TestUpdateServiceTemplateVersion(t *testing.T) {
	h := newHarness(t)
	h.mustCreateTemplate(platform.EnvironmentTemplate, platformtest.EnvTemplate)
	h.mustVersion(platform.EnvironmentTemplate, platformtest.EnvTemplate, 0) // 1.0
	h.mustVersion(platform.EnvironmentTemplate, platformtest.EnvTemplate, 0) // 2.0
	const kind = platform.ServiceTemplate
	h.mustCreateTemplate(kind, platformtest.SvcTemplate)
	v := h.mustVersion(kind, platformtest.SvcTemplate, 0).Version
	both := []platform.CompatibleEnvironment{{TemplateName: platformtest.EnvTemplate, MajorVersion: 1}, {TemplateName: platformtest.EnvTemplate, MajorVersion: 2}}
	tv, err := h.svc.UpdateTemplateVersion(h.ctx, kind, platformtest.SvcTemplate, v, control.UpdateVersionInput{
		CompatibleEnvironments: both, SupportedComponentSources: []string{platform.DirectlyDefinedComponents}})
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := h.store.GetTemplateVersion(h.ctx, kind, platformtest.SvcTemplate, v)
	if len(stored.CompatibleEnvironments) != 2 || len(stored.SupportedComponentSources) != 1 || stored.Revision != tv.Revision || stored.Status != platform.Draft {
		t.Fatalf("stored after the update: %+v", stored)
	}
	for name, in := range map[string]control.UpdateVersionInput{
		"compatibleEnvironmentTemplates[1]": {CompatibleEnvironments: []platform.CompatibleEnvironment{both[0], {TemplateName: platformtest.EnvTemplate, MajorVersion: 3}}},
		"compatibleEnvironmentTemplates":    {CompatibleEnvironments: []platform.CompatibleEnvironment{}},
		"supportedComponentSources[0]":      {SupportedComponentSources: []string{"GIT"}},
	} {
		_, err := h.svc.UpdateTemplateVersion(h.ctx, kind, platformtest.SvcTemplate, v, in)
		if k, field := fieldOf(err); k != platform.Invalid || field != name {
			t.Errorf("%+v: %v (kind %s, field %q), want Invalid naming %s", in, err, k, field, name)
		}
	}
}

// TestDeleteTemplateVersion refuses versions in use and Proton's recommended versions,
// deletes the rest with their bundles, and the last version with the recommendation.
func TestDeleteTemplateVersion(t *testing.T) {
	h := newHarness(t)
	const kind = platform.EnvironmentTemplate
	name := platformtest.EnvTemplate
	v10, v11 := h.twoPublished()
	draft := h.mustVersion(kind, name, 1) // 1.2
	h.mustCreateEnvironment(h.envInput("Uses10"))
	del := func(v platform.Version) error {
		_, err := h.svc.DeleteTemplateVersion(h.ctx, kind, name, v)
		return err
	}
	in := h.envInput("AlsoUses10")
	in.MinorVersion = intPtr(0)
	h.mustCreateEnvironment(in)
	// Uses10 got 1.1, the recommended; AlsoUses10 runs 1.0.
	err := del(v10)
	if platform.KindOf(err) != platform.Conflict || !strings.Contains(err.Error(), "in use by environment AlsoUses10") {
		t.Fatalf("delete 1.0 in use: %v, want Conflict naming the environment", err)
	}
	if err := del(v11); platform.KindOf(err) != platform.Conflict || !strings.Contains(err.Error(), "in use by environment Uses10") {
		t.Fatalf("delete 1.1 in use: %v, want Conflict naming the environment", err)
	}

	if _, err := h.svc.DeleteTemplateVersion(developerContext(), kind, name, draft.Version); platform.KindOf(err) != platform.Forbidden {
		t.Fatalf("a developer deleting a version: %v, want Forbidden", err)
	}
	got, err := h.svc.DeleteTemplateVersion(h.ctx, kind, name, draft.Version)
	if err != nil || got.Version != draft.Version {
		t.Fatalf("delete the draft 1.2: %+v, %v", got, err)
	}
	if _, err := h.blobs.Get(h.ctx, draft.BundleKey); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("the draft's bundle is still there: %v", err)
	}
	if _, err := h.store.GetTemplateVersion(h.ctx, kind, name, draft.Version); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("the draft is still there: %v", err)
	}
	if err := del(draft.Version); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("delete 1.2 again: %v, want NotFound", err)
	}

	// Proton's rule on recommended versions, on a second template nothing uses.
	const other = "other-env"
	h.mustCreateTemplate(kind, other)
	reg := func(major int) platform.Version {
		h.revisions++
		tv, err := h.svc.CreateTemplateVersion(h.ctx, kind, other, control.CreateVersionInput{Major: major, Bundle: h.revisedBundle(platformtest.EnvBundle, h.revisions)})
		if err != nil {
			t.Fatal(err)
		}
		return h.mustPublish(kind, other, tv.Version).Version
	}
	o10, o11, o20 := reg(0), reg(1), reg(0)
	delOther := func(v platform.Version) error {
		_, err := h.svc.DeleteTemplateVersion(h.ctx, kind, other, v)
		return err
	}
	if err := delOther(o20); platform.KindOf(err) != platform.Conflict || !strings.Contains(err.Error(), "recommended version") {
		t.Fatalf("delete the recommended 2.0: %v, want Conflict", err)
	}
	if err := delOther(o11); platform.KindOf(err) != platform.Conflict || !strings.Contains(err.Error(), "recommended minor of major 1") {
		t.Fatalf("delete 1.1, major 1's recommended minor: %v, want Conflict", err)
	}
	if err := delOther(o10); err != nil {
		t.Fatalf("delete 1.0, neither recommended: %v", err)
	}
	if err := delOther(o11); err != nil {
		t.Fatalf("delete 1.1, its major's last version: %v", err)
	}
	if tmpl := h.mustTemplate(kind, other); tmpl.Recommended != o20 {
		t.Fatalf("recommended after deleting major 1 = %s, want 2.0", tmpl.Recommended)
	}
	if err := delOther(o20); err != nil {
		t.Fatalf("delete 2.0, the last version: %v", err)
	}
	if tmpl := h.mustTemplate(kind, other); !tmpl.Recommended.IsZero() || tmpl.Pinned {
		t.Fatalf("after deleting every version: %+v, want nothing recommended", tmpl)
	}
	if _, err := h.svc.DeleteTemplate(h.ctx, kind, other); err != nil {
		t.Fatalf("delete the emptied template: %v", err)
	}
}
