package control_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

func TestTemplateVersionNumbering(t *testing.T) {
	h := newHarness(t)
	const kind = platform.EnvironmentTemplate
	h.mustCreateTemplate(kind, platformtest.EnvTemplate)
	steps := []struct {
		major int
		want  platform.Version
	}{
		{0, platform.Version{Major: 1, Minor: 0}}, // the first version
		{1, platform.Version{Major: 1, Minor: 1}}, // the next minor of major 1
		{0, platform.Version{Major: 2, Minor: 0}}, // a new major
		{1, platform.Version{Major: 1, Minor: 2}},
		{2, platform.Version{Major: 2, Minor: 1}},
	}
	for _, s := range steps {
		tv := h.mustVersion(kind, platformtest.EnvTemplate, s.major)
		if tv.Version != s.want || tv.Status != platform.Draft || tv.Revision != 1 {
			t.Fatalf("register with major %d = %s %s (revision %d), want %s DRAFT", s.major, tv.Version, tv.Status, tv.Revision, s.want)
		}
		stored, err := h.blobs.Get(h.ctx, tv.BundleKey)
		if err != nil || string(stored) != string(h.bundle(platformtest.EnvBundle)) {
			t.Fatalf("bundle of %s not kept at %s: %v", tv.Version, tv.BundleKey, err)
		}
		if !strings.Contains(tv.Schema, "EnvironmentInput") {
			t.Fatalf("version %s schema = %.80q", tv.Version, tv.Schema)
		}
	}

	_, err := h.svc.CreateTemplateVersion(h.ctx, kind, platformtest.EnvTemplate, control.CreateVersionInput{Major: 7, Bundle: h.bundle(platformtest.EnvBundle)})
	if k, field := fieldOf(err); k != platform.Invalid || field != "majorVersion" {
		t.Fatalf("register into unknown major 7: %v (kind %s, field %q), want Invalid naming majorVersion", err, k, field)
	}
	_, err = h.svc.CreateTemplateVersion(h.ctx, kind, "nope", control.CreateVersionInput{Bundle: h.bundle(platformtest.EnvBundle)})
	if platform.KindOf(err) != platform.NotFound {
		t.Fatalf("register into a missing template: %v, want NotFound", err)
	}
	for name, bundle := range map[string][]byte{"empty": nil, "not a tarball": []byte("garbage"), "a service bundle": h.bundle(platformtest.SvcBundle)} {
		if _, err := h.svc.CreateTemplateVersion(h.ctx, kind, platformtest.EnvTemplate, control.CreateVersionInput{Bundle: bundle}); platform.KindOf(err) != platform.Invalid {
			t.Errorf("register %s: %v, want Invalid", name, err)
		}
	}
	versions, err := h.svc.ListTemplateVersions(h.ctx, kind, platformtest.EnvTemplate, platform.PageRequest{})
	if err != nil || len(versions.Items) != len(steps) {
		t.Fatalf("versions = %d, %v; want %d (rejected registrations store nothing)", len(versions.Items), err, len(steps))
	}
}

func TestPublishSetsTheRecommendedVersion(t *testing.T) {
	h := newHarness(t)
	const kind = platform.EnvironmentTemplate
	h.mustCreateTemplate(kind, platformtest.EnvTemplate)
	v10 := h.mustVersion(kind, platformtest.EnvTemplate, 0).Version
	v11 := h.mustVersion(kind, platformtest.EnvTemplate, 1).Version
	if rec := h.mustTemplate(kind, platformtest.EnvTemplate).Recommended; !rec.IsZero() {
		t.Fatalf("recommended before any publish = %s, want none", rec)
	}

	if tv := h.mustPublish(kind, platformtest.EnvTemplate, v11); tv.Status != platform.Published {
		t.Fatalf("published = %+v", tv)
	}
	if rec := h.mustTemplate(kind, platformtest.EnvTemplate).Recommended; rec != v11 {
		t.Fatalf("recommended after publishing 1.1 = %s", rec)
	}
	h.mustPublish(kind, platformtest.EnvTemplate, v10)
	if rec := h.mustTemplate(kind, platformtest.EnvTemplate).Recommended; rec != v11 {
		t.Fatalf("recommended after publishing 1.0 after 1.1 = %s, want 1.1", rec)
	}
	v20 := h.mustVersion(kind, platformtest.EnvTemplate, 0).Version
	h.mustPublish(kind, platformtest.EnvTemplate, v20)
	if rec := h.mustTemplate(kind, platformtest.EnvTemplate).Recommended; rec != v20 {
		t.Fatalf("recommended after publishing 2.0 = %s", rec)
	}

	// Publishing again changes nothing and announces nothing.
	template := h.mustTemplate(kind, platformtest.EnvTemplate)
	stored, err := h.store.GetTemplateVersion(h.ctx, kind, platformtest.EnvTemplate, v11)
	if err != nil {
		t.Fatal(err)
	}
	events := len(h.events.Events())
	again := h.mustPublish(kind, platformtest.EnvTemplate, v11)
	if !reflect.DeepEqual(again, stored) {
		t.Errorf("publishing again returned %+v, want the stored %+v", again, stored)
	}
	if got, _ := h.store.GetTemplateVersion(h.ctx, kind, platformtest.EnvTemplate, v11); !reflect.DeepEqual(got, stored) {
		t.Errorf("publishing again changed the version")
	}
	if got := h.mustTemplate(kind, platformtest.EnvTemplate); !reflect.DeepEqual(got, template) {
		t.Errorf("publishing again changed the template: %+v", got)
	}
	if n := len(h.events.Events()); n != events {
		t.Errorf("publishing again sent %d events", n-events)
	}

	if _, err := h.svc.PublishTemplateVersion(h.ctx, kind, platformtest.EnvTemplate, platform.Version{Major: 9}); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("publish a missing version: %v, want NotFound", err)
	}
}

// TestResolveVersion checks which version an environment gets: the highest published minor
// of the major asked for, never a draft.
func TestResolveVersion(t *testing.T) {
	h := newHarness(t)
	const kind = platform.EnvironmentTemplate
	h.mustCreateTemplate(kind, platformtest.EnvTemplate)
	h.mustPublish(kind, platformtest.EnvTemplate, h.mustVersion(kind, platformtest.EnvTemplate, 0).Version) // 1.0
	h.mustPublish(kind, platformtest.EnvTemplate, h.mustVersion(kind, platformtest.EnvTemplate, 1).Version) // 1.1
	h.mustVersion(kind, platformtest.EnvTemplate, 1)                                                        // 1.2, draft
	h.mustVersion(kind, platformtest.EnvTemplate, 0)                                                        // 2.0, draft

	env := h.mustCreateEnvironment(h.envInput("Latest"))
	if env.TemplateVersion != (platform.Version{Major: 1, Minor: 1}) {
		t.Fatalf("environment without a minor got %s, want the highest published 1.1", env.TemplateVersion)
	}
	if d := h.mustDeployment(env.LastDeploymentID); d.TemplateVersion != env.TemplateVersion {
		t.Fatalf("its deployment uses %s", d.TemplateVersion)
	}
	in := h.envInput("Pinned")
	in.MinorVersion = intPtr(0)
	if env := h.mustCreateEnvironment(in); env.TemplateVersion != (platform.Version{Major: 1, Minor: 0}) {
		t.Fatalf("environment asking 1.0 got %s", env.TemplateVersion)
	}

	refused := []struct {
		name  string
		edit  func(*control.CreateEnvironmentInput)
		field string
		says  string
	}{
		{"a draft", func(in *control.CreateEnvironmentInput) { in.MinorVersion = intPtr(2) }, "templateMinorVersion", "DRAFT"},
		{"a missing minor", func(in *control.CreateEnvironmentInput) { in.MinorVersion = intPtr(9) }, "templateMinorVersion", "no version 1.9"},
		{"a major with only drafts", func(in *control.CreateEnvironmentInput) { in.MajorVersion = 2 }, "templateMajorVersion", "no published version 2.x"},
		{"no major", func(in *control.CreateEnvironmentInput) { in.MajorVersion = 0 }, "templateMajorVersion", "required"},
		{"a missing template", func(in *control.CreateEnvironmentInput) { in.TemplateName = "nope" }, "templateName", "does not exist"},
	}
	for _, r := range refused {
		in := h.envInput("Refused")
		r.edit(&in)
		_, err := h.svc.CreateEnvironment(h.ctx, in)
		if k, field := fieldOf(err); k != platform.Invalid || field != r.field || !strings.Contains(err.Error(), r.says) {
			t.Errorf("%s: %v (kind %s, field %q), want Invalid naming %s and saying %q", r.name, err, k, field, r.field, r.says)
		}
	}
	if _, err := h.store.GetEnvironment(h.ctx, "Refused"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("a refused environment was stored: %v", err)
	}
}
