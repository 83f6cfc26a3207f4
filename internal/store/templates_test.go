package store_test

import (
	"testing"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/store/storetest"
)

func TestUpdateTemplate(t *testing.T) {
	s := storetest.NewStore(t)
	kind := platform.ServiceTemplate
	mustOK(t, s.CreateTemplate(ctx, platform.Template{Kind: kind, Name: "web", DisplayName: "Web", CreatedAt: t0, UpdatedAt: t0,
		Recommended: platform.Version{Major: 2, Minor: 1}}, nil))
	tmpl, err := s.GetTemplate(ctx, kind, "web")
	mustOK(t, err)

	changed := tmpl
	changed.DisplayName, changed.Description = "Web service", "an HTTP service"
	changed.Recommended, changed.Pinned = platform.Version{Major: 1, Minor: 3}, true
	changed.UpdatedAt = t0.Add(1)
	mustOK(t, s.UpdateTemplate(ctx, changed))
	got, err := s.GetTemplate(ctx, kind, "web")
	mustOK(t, err)
	want := changed
	want.Revision = 2
	mustEqual(t, "after UpdateTemplate", got, want)
	// It stays in its kind's list, changed.
	list, err := s.ListTemplates(ctx, kind, platform.PageRequest{})
	mustOK(t, err)
	mustEqual(t, "ListTemplates", list.Items, []platform.Template{want})

	// A stale revision changes nothing.
	stale := tmpl // Revision 1
	stale.DisplayName = "stale"
	wantKind(t, s.UpdateTemplate(ctx, stale), platform.Conflict, `service template "web" was changed by another request; retry`)
	if again, _ := s.GetTemplate(ctx, kind, "web"); again.DisplayName != "Web service" || again.Revision != 2 {
		t.Fatalf("a stale update wrote the template: %+v", again)
	}
	// Unpinning is stored too (pinned is left out of the item when false).
	got.Pinned, got.Recommended = false, platform.Version{}
	mustOK(t, s.UpdateTemplate(ctx, got))
	if again, _ := s.GetTemplate(ctx, kind, "web"); again.Pinned || !again.Recommended.IsZero() || again.Revision != 3 {
		t.Fatalf("after unpinning: %+v", again)
	}
	// A template that does not exist, or of the other kind.
	missing := got
	missing.Name = "nope"
	wantKind(t, s.UpdateTemplate(ctx, missing), platform.NotFound, `service template "nope" not found`)
	other := got
	other.Kind = platform.EnvironmentTemplate
	wantKind(t, s.UpdateTemplate(ctx, other), platform.NotFound, `environment template "web" not found`)
	if _, err := s.GetTemplate(ctx, platform.EnvironmentTemplate, "web"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("a failed update created a template: %v", err)
	}
}

// TestDeleteTemplateVersionsThenTemplate checks the versions count: a template with
// versions cannot be deleted, each version deletion saves the template and counts one
// fewer, and the last one frees the template for deletion.
func TestDeleteTemplateVersionsThenTemplate(t *testing.T) {
	s := storetest.NewStore(t)
	kind := platform.EnvironmentTemplate
	mustOK(t, s.CreateTemplate(ctx, platform.Template{Kind: kind, Name: "vpc", CreatedAt: t0, UpdatedAt: t0}, nil))
	for _, minor := range []int{0, 1} {
		mustOK(t, s.CreateTemplateVersion(ctx, platform.TemplateVersion{Kind: kind, TemplateName: "vpc", Version: platform.Version{Major: 1, Minor: minor}, Status: platform.Draft}, nil))
	}
	tmpl, err := s.GetTemplate(ctx, kind, "vpc")
	mustOK(t, err)
	if tmpl.Revision != 1 {
		t.Fatalf("registering versions changed the template's revision: %d", tmpl.Revision)
	}
	wantKind(t, s.DeleteTemplate(ctx, kind, "vpc", tmpl.Revision), platform.Conflict, `environment template "vpc" still has 2 version(s); delete them first`)

	v10, err := s.GetTemplateVersion(ctx, kind, "vpc", platform.Version{Major: 1})
	mustOK(t, err)
	stale := tmpl
	stale.Revision = 7
	wantKind(t, s.DeleteTemplateVersion(ctx, v10, stale), platform.Conflict, `environment template "vpc" was changed by another request; retry`)
	other := tmpl
	other.Name = "other"
	wantKind(t, s.DeleteTemplateVersion(ctx, v10, other), platform.Invalid, "is not the template of")
	changed := tmpl
	changed.Recommended, changed.Description = platform.Version{Major: 1, Minor: 1}, "kept"
	mustOK(t, s.DeleteTemplateVersion(ctx, v10, changed))
	_, err = s.GetTemplateVersion(ctx, kind, "vpc", v10.Version)
	wantKind(t, err, platform.NotFound, `environment template "vpc" version 1.0 not found`)
	wantKind(t, s.DeleteTemplateVersion(ctx, v10, changed), platform.NotFound, `environment template "vpc" version 1.0 not found`)
	tmpl, err = s.GetTemplate(ctx, kind, "vpc")
	mustOK(t, err)
	if tmpl.Revision != 2 || tmpl.Recommended != changed.Recommended || tmpl.Description != "kept" {
		t.Fatalf("template after deleting 1.0: %+v", tmpl)
	}
	wantKind(t, s.DeleteTemplate(ctx, kind, "vpc", tmpl.Revision), platform.Conflict, `environment template "vpc" still has 1 version(s); delete them first`)

	// An update of the template keeps the count (it sets every attribute but that one).
	tmpl.Description = ""
	mustOK(t, s.UpdateTemplate(ctx, tmpl))
	tmpl, _ = s.GetTemplate(ctx, kind, "vpc")
	if tmpl.Description != "" {
		t.Fatalf("an update did not clear the description: %+v", tmpl)
	}
	wantKind(t, s.DeleteTemplate(ctx, kind, "vpc", tmpl.Revision), platform.Conflict, `environment template "vpc" still has 1 version(s); delete them first`)

	v11, err := s.GetTemplateVersion(ctx, kind, "vpc", platform.Version{Major: 1, Minor: 1})
	mustOK(t, err)
	tmpl.Recommended = platform.Version{}
	mustOK(t, s.DeleteTemplateVersion(ctx, v11, tmpl))
	wantKind(t, s.DeleteTemplate(ctx, kind, "vpc", tmpl.Revision), platform.Conflict, `environment template "vpc" was changed by another request; retry`)
	mustOK(t, s.DeleteTemplate(ctx, kind, "vpc", tmpl.Revision+1))
	_, err = s.GetTemplate(ctx, kind, "vpc")
	wantKind(t, err, platform.NotFound, `environment template "vpc" not found`)
	wantKind(t, s.DeleteTemplate(ctx, kind, "vpc", 1), platform.NotFound, `environment template "vpc" not found`)
}

// TestBundleDigestIsUniqueWithinAMajor: a second version of a major with the same bundle
// digest is refused, naming the first; another major may have it; deleting the first
// frees the digest.
func TestBundleDigestIsUniqueWithinAMajor(t *testing.T) {
	s := storetest.NewStore(t)
	kind := platform.ServiceTemplate
	mustOK(t, s.CreateTemplate(ctx, platform.Template{Kind: kind, Name: "web"}, nil))
	v := func(major, minor int) platform.TemplateVersion {
		return platform.TemplateVersion{Kind: kind, TemplateName: "web", Version: platform.Version{Major: major, Minor: minor}, Status: platform.Draft, BundleDigest: "abc"}
	}
	mustOK(t, s.CreateTemplateVersion(ctx, v(1, 0), nil))
	wantKind(t, s.CreateTemplateVersion(ctx, v(1, 1), nil), platform.Conflict, `service template "web": the same bundle is registered as version 1.0`)
	if _, err := s.GetTemplateVersion(ctx, kind, "web", platform.Version{Major: 1, Minor: 1}); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("the refused version was stored: %v", err)
	}
	mustOK(t, s.CreateTemplateVersion(ctx, v(2, 0), nil))
	first, err := s.GetTemplateVersion(ctx, kind, "web", platform.Version{Major: 1})
	mustOK(t, err)
	tmpl, err := s.GetTemplate(ctx, kind, "web")
	mustOK(t, err)
	mustOK(t, s.DeleteTemplateVersion(ctx, first, tmpl))
	mustOK(t, s.CreateTemplateVersion(ctx, v(1, 1), nil))
}
