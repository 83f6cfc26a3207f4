package control_test

import (
	"context"
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
	for i, s := range steps {
		bundle := h.revisedBundle(platformtest.EnvBundle, i)
		tv, err := h.svc.CreateTemplateVersion(h.ctx, kind, platformtest.EnvTemplate, control.CreateVersionInput{Major: s.major, Bundle: bundle})
		// Revision 2: reserved REGISTRATION_IN_PROGRESS, then checked and made DRAFT.
		if err != nil || tv.Version != s.want || tv.Status != platform.Draft || tv.Revision != 2 {
			t.Fatalf("register with major %d = %s %s (revision %d, %v), want %s DRAFT", s.major, tv.Version, tv.Status, tv.Revision, err, s.want)
		}
		stored, err := h.blobs.Get(h.ctx, tv.BundleKey)
		if err != nil || string(stored) != string(bundle) {
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
	// An empty body is refused outright; the two bundles that fail their checks each took
	// a number, as Proton's failed registrations do, and stay as REGISTRATION_FAILED.
	versions, err := h.svc.ListTemplateVersions(h.ctx, kind, platformtest.EnvTemplate, platform.PageRequest{})
	if err != nil || len(versions.Items) != len(steps)+2 {
		t.Fatalf("versions = %d, %v; want %d", len(versions.Items), err, len(steps)+2)
	}
	for _, tv := range versions.Items[:2] {
		if tv.Status != platform.RegistrationFailed || tv.StatusMessage == "" || tv.BundleKey != "" {
			t.Errorf("a rejected registration left %s %s (%q, bundle %q)", tv.Version, tv.Status, tv.StatusMessage, tv.BundleKey)
		}
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

func strPtr(s string) *string { return &s }

// TestPinTheRecommendedVersion pins an older published version, which stays recommended
// while newer ones are published, refuses what cannot be recommended, and unpins.
func TestPinTheRecommendedVersion(t *testing.T) {
	h := newHarness(t)
	const kind = platform.EnvironmentTemplate
	name := platformtest.EnvTemplate
	v10, v11 := h.twoPublished()
	update := func(in control.UpdateTemplateInput) platform.Template {
		t.Helper()
		tmpl, err := h.svc.UpdateTemplate(h.ctx, kind, name, in)
		if err != nil {
			t.Fatalf("update %+v: %v", in, err)
		}
		if stored := h.mustTemplate(kind, name); !reflect.DeepEqual(tmpl, stored) {
			t.Fatalf("update returned %+v, the store holds %+v", tmpl, stored)
		}
		return tmpl
	}

	before := h.mustTemplate(kind, name)
	pinned := update(control.UpdateTemplateInput{RecommendedVersion: strPtr("1.0")})
	if pinned.Recommended != v10 || !pinned.Pinned || pinned.Revision != before.Revision+1 || !before.UpdatedAt.Before(pinned.UpdatedAt) {
		t.Fatalf("after pinning 1.0: %+v (before %+v)", pinned, before)
	}
	// A newer version published leaves the pin alone.
	v20 := h.mustPublish(kind, name, h.mustVersion(kind, name, 0).Version).Version
	if tmpl := h.mustTemplate(kind, name); tmpl.Recommended != v10 || !tmpl.Pinned {
		t.Fatalf("publishing %s moved the pinned recommendation: %+v", v20, tmpl)
	}
	// Pinning another published version, and changing the texts alone.
	if tmpl := update(control.UpdateTemplateInput{RecommendedVersion: strPtr(v11.String())}); tmpl.Recommended != v11 || !tmpl.Pinned {
		t.Fatalf("after pinning 1.1: %+v", tmpl)
	}
	tmpl := update(control.UpdateTemplateInput{DisplayName: strPtr("VPC"), Description: strPtr("a network")})
	if tmpl.DisplayName != "VPC" || tmpl.Description != "a network" || tmpl.Recommended != v11 || !tmpl.Pinned {
		t.Fatalf("after changing the texts: %+v", tmpl)
	}
	if tmpl := update(control.UpdateTemplateInput{Description: strPtr("")}); tmpl.DisplayName != "VPC" || tmpl.Description != "" {
		t.Fatalf("after clearing the description: %+v", tmpl)
	}

	draft := h.mustVersion(kind, name, 2).Version // 2.1, a draft
	refused := []struct {
		name  string
		in    control.UpdateTemplateInput
		field string
		says  string
	}{
		{"a draft", control.UpdateTemplateInput{RecommendedVersion: strPtr(draft.String())}, "recommendedVersion", "2.1 is DRAFT"},
		{"an unknown version", control.UpdateTemplateInput{RecommendedVersion: strPtr("3.0")}, "recommendedVersion", "has no version 3.0"},
		{"not a version", control.UpdateTemplateInput{RecommendedVersion: strPtr("newest")}, "recommendedVersion", `"newest" must be major.minor`},
		{"version 0.0", control.UpdateTemplateInput{RecommendedVersion: strPtr("0.0")}, "recommendedVersion", "major.minor"},
		{"a long display name", control.UpdateTemplateInput{DisplayName: strPtr(strings.Repeat("x", 101))}, "displayName", "at most 100"},
		{"a long description", control.UpdateTemplateInput{Description: strPtr(strings.Repeat("x", 501)), RecommendedVersion: strPtr("1.0")}, "description", "at most 500"},
	}
	before = h.mustTemplate(kind, name)
	for _, r := range refused {
		_, err := h.svc.UpdateTemplate(h.ctx, kind, name, r.in)
		if k, field := fieldOf(err); k != platform.Invalid || field != r.field || !strings.Contains(err.Error(), r.says) {
			t.Errorf("%s: %v (kind %s, field %q), want Invalid naming %s and saying %q", r.name, err, k, field, r.field, r.says)
		}
	}
	if after := h.mustTemplate(kind, name); !reflect.DeepEqual(after, before) {
		t.Fatalf("refused updates changed the template: %+v, was %+v", after, before)
	}

	// Unpinning recommends the highest published version (2.0, not the draft 2.1), which
	// then follows what is published.
	if tmpl := update(control.UpdateTemplateInput{RecommendedVersion: strPtr("latest")}); tmpl.Recommended != v20 || tmpl.Pinned {
		t.Fatalf("after unpinning: %+v, want 2.0 unpinned", tmpl)
	}
	h.mustPublish(kind, name, draft)
	if tmpl := h.mustTemplate(kind, name); tmpl.Recommended != draft || tmpl.Pinned {
		t.Fatalf("after publishing %s unpinned: %+v", draft, tmpl)
	}

	// Nothing to change changes nothing.
	before = h.mustTemplate(kind, name)
	if tmpl := update(control.UpdateTemplateInput{}); !reflect.DeepEqual(tmpl, before) {
		t.Fatalf("an empty update: %+v, was %+v", tmpl, before)
	}
	if _, err := h.svc.UpdateTemplate(h.ctx, kind, "nope", control.UpdateTemplateInput{RecommendedVersion: strPtr("latest")}); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("update a missing template: %v, want NotFound", err)
	}
	if _, err := h.svc.UpdateTemplate(h.ctx, platform.ServiceTemplate, name, control.UpdateTemplateInput{DisplayName: strPtr("x")}); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("update a template of the other kind: %v, want NotFound", err)
	}
}

// Unpinning a template with nothing published leaves it without a recommended version.
func TestUnpinWithNothingPublished(t *testing.T) {
	h := newHarness(t)
	const kind = platform.ServiceTemplate
	h.mustEnvTemplate() // the service template's compatible environment template
	h.mustCreateTemplate(kind, platformtest.SvcTemplate)
	h.mustVersion(kind, platformtest.SvcTemplate, 0) // a draft
	tmpl, err := h.svc.UpdateTemplate(h.ctx, kind, platformtest.SvcTemplate, control.UpdateTemplateInput{RecommendedVersion: strPtr("latest")})
	if err != nil || !tmpl.Recommended.IsZero() || tmpl.Pinned || tmpl.Revision != 2 {
		t.Fatalf("unpin with only a draft: %+v, %v", tmpl, err)
	}
}

// staleStore is the real store whose UpdateTemplate first lets another writer change the
// template, as often as interfere says.
type staleStore struct {
	platform.Store
	interfere int
	calls     int
}

func (s *staleStore) UpdateTemplate(ctx context.Context, t platform.Template) error {
	s.calls++
	if s.interfere > 0 {
		s.interfere--
		other, err := s.Store.GetTemplate(ctx, t.Kind, t.Name)
		if err != nil {
			return err
		}
		other.Description += "+"
		if err := s.Store.UpdateTemplate(ctx, other); err != nil {
			return err
		}
	}
	return s.Store.UpdateTemplate(ctx, t)
}

// UpdateTemplate retries once on a stale revision, keeping the other writer's change.
func TestUpdateTemplateRetriesOnce(t *testing.T) {
	h := newHarness(t)
	const kind = platform.EnvironmentTemplate
	h.mustCreateTemplate(kind, platformtest.EnvTemplate)
	stale := &staleStore{Store: h.store, interfere: 1}
	svc := control.New(control.Config{Store: stale, Now: h.clock.Tick})
	tmpl, err := svc.UpdateTemplate(h.ctx, kind, platformtest.EnvTemplate, control.UpdateTemplateInput{DisplayName: strPtr("VPC")})
	if err != nil || stale.calls != 2 {
		t.Fatalf("one stale revision: %v after %d writes, want success on the second", err, stale.calls)
	}
	if got := h.mustTemplate(kind, platformtest.EnvTemplate); got.DisplayName != "VPC" || got.Description != "+" || !reflect.DeepEqual(got, tmpl) {
		t.Fatalf("after the retry: stored %+v, returned %+v", got, tmpl)
	}
	stale.interfere, stale.calls = 2, 0
	_, err = svc.UpdateTemplate(h.ctx, kind, platformtest.EnvTemplate, control.UpdateTemplateInput{DisplayName: strPtr("Network")})
	if platform.KindOf(err) != platform.Conflict || stale.calls != 2 {
		t.Fatalf("stale twice: %v after %d writes, want Conflict after 2", err, stale.calls)
	}
}

// publishingStore is the real store whose first UpdateTemplate first lets publish run, as
// a concurrent request would, between the update's reading and its writing.
type publishingStore struct {
	platform.Store
	publish func()
}

func (s *publishingStore) UpdateTemplate(ctx context.Context, t platform.Template) error {
	if p := s.publish; p != nil {
		s.publish = nil
		p()
	}
	return s.Store.UpdateTemplate(ctx, t)
}

// Unpinning while a newer version is being published recommends that version: the
// publication changes the template's revision, so the unpinning starts over and sees it.
func TestUnpinRacingAPublication(t *testing.T) {
	h := newHarness(t)
	const kind = platform.EnvironmentTemplate
	name := platformtest.EnvTemplate
	h.mustCreateTemplate(kind, name)
	v10 := h.mustPublish(kind, name, h.mustVersion(kind, name, 0).Version).Version
	if _, err := h.svc.UpdateTemplate(h.ctx, kind, name, control.UpdateTemplateInput{RecommendedVersion: strPtr(v10.String())}); err != nil {
		t.Fatal(err)
	}
	v20 := h.mustVersion(kind, name, 0).Version
	racing := &publishingStore{Store: h.store, publish: func() { h.mustPublish(kind, name, v20) }}
	svc := control.New(control.Config{Store: racing, Now: h.clock.Tick})
	tmpl, err := svc.UpdateTemplate(h.ctx, kind, name, control.UpdateTemplateInput{RecommendedVersion: strPtr("latest")})
	if err != nil || tmpl.Recommended != v20 || tmpl.Pinned {
		t.Fatalf("unpin racing the publication of %s: %+v, %v; want %s recommended", v20, tmpl, err, v20)
	}
	if stored := h.mustTemplate(kind, name); !reflect.DeepEqual(stored, tmpl) {
		t.Fatalf("stored %+v, returned %+v", stored, tmpl)
	}
}

// TestSupportedComponentSources checks that a service version takes its component sources
// from the bundle's .template-registration.yaml, that the request may override them, and
// that a source Proton does not know, or any on an environment template, is refused.
func TestSupportedComponentSources(t *testing.T) {
	h := newHarness(t)
	h.mustCreateTemplate(platform.EnvironmentTemplate, platformtest.EnvTemplate)
	h.mustVersion(platform.EnvironmentTemplate, platformtest.EnvTemplate, 0)
	h.mustCreateTemplate(platform.ServiceTemplate, platformtest.SvcTemplate)
	const kind = platform.ServiceTemplate
	withComponents := platformtest.TarGz(t, platformtest.SamplePath(t, platformtest.SvcBundle),
		map[string]string{".template-registration.yaml": "supported_component_sources:\n  - DIRECTLY_DEFINED\n"})

	tv, err := h.svc.CreateTemplateVersion(h.ctx, kind, platformtest.SvcTemplate, control.CreateVersionInput{Bundle: withComponents})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{platform.DirectlyDefinedComponents}; !reflect.DeepEqual(tv.SupportedComponentSources, want) {
		t.Fatalf("sources from the bundle = %q, want %q", tv.SupportedComponentSources, want)
	}
	stored, err := h.store.GetTemplateVersion(h.ctx, kind, platformtest.SvcTemplate, tv.Version)
	if err != nil || !reflect.DeepEqual(stored.SupportedComponentSources, tv.SupportedComponentSources) {
		t.Fatalf("stored sources = %q, %v", stored.SupportedComponentSources, err)
	}
	if plain := h.mustVersion(kind, platformtest.SvcTemplate, 1); len(plain.SupportedComponentSources) != 0 {
		t.Fatalf("a bundle without supported_component_sources got %q", plain.SupportedComponentSources)
	}
	_, err = h.svc.CreateTemplateVersion(h.ctx, kind, platformtest.SvcTemplate, control.CreateVersionInput{Major: 1, Bundle: withComponents, SupportedComponentSources: []string{}})
	if platform.KindOf(err) != platform.Conflict || !strings.Contains(err.Error(), "version loadbalanced-fargate-svc 1.0 already") {
		t.Fatalf("the same bundle under major 1 with other sources: %v, want Conflict naming 1.0", err)
	}
	withComponents2 := platformtest.TarGz(t, platformtest.SamplePath(t, platformtest.SvcBundle),
		map[string]string{".template-registration.yaml": "supported_component_sources:\n  - DIRECTLY_DEFINED\n# another bundle\n"})
	none, err := h.svc.CreateTemplateVersion(h.ctx, kind, platformtest.SvcTemplate, control.CreateVersionInput{Major: 1, Bundle: withComponents2, SupportedComponentSources: []string{}})
	if err != nil || len(none.SupportedComponentSources) != 0 {
		t.Fatalf("an empty override kept %q (%v)", none.SupportedComponentSources, err)
	}

	_, err = h.svc.CreateTemplateVersion(h.ctx, kind, platformtest.SvcTemplate, control.CreateVersionInput{Bundle: withComponents, SupportedComponentSources: []string{"DIRECTLY_DEFINED", "GIT"}})
	if k, field := fieldOf(err); k != platform.Invalid || field != "supportedComponentSources[1]" {
		t.Fatalf("an unknown source: %v (kind %s, field %q), want Invalid naming supportedComponentSources[1]", err, k, field)
	}
	_, err = h.svc.CreateTemplateVersion(h.ctx, kind, platformtest.SvcTemplate, control.CreateVersionInput{Bundle: platformtest.TarGz(t, platformtest.SamplePath(t, platformtest.SvcBundle),
		map[string]string{".template-registration.yaml": "supported_component_sources:\n  - GIT\n"})})
	if platform.KindOf(err) != platform.Invalid || !strings.Contains(err.Error(), ".template-registration.yaml") {
		t.Fatalf("a bundle naming an unknown source: %v, want Invalid naming .template-registration.yaml", err)
	}
	_, err = h.svc.CreateTemplateVersion(h.ctx, platform.EnvironmentTemplate, platformtest.EnvTemplate, control.CreateVersionInput{Bundle: h.bundle(platformtest.EnvBundle), SupportedComponentSources: []string{"DIRECTLY_DEFINED"}})
	if k, field := fieldOf(err); k != platform.Invalid || field != "supportedComponentSources" {
		t.Fatalf("sources on an environment template: %v (kind %s, field %q)", err, k, field)
	}
}
