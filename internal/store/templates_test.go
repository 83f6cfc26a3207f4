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
		Recommended: platform.Version{Major: 2, Minor: 1}}))
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
