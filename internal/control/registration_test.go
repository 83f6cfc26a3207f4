package control_test

import (
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

// blobFiles lists the files under the harness's blob directory.
func (h *harness) blobFiles() []string {
	h.t.Helper()
	var files []string
	err := filepath.WalkDir(h.blobRoot, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return files
}

// TestRegistrationFailureIsRecorded registers a bundle that fails its checks: the call is
// Invalid naming file and line, the version stays as REGISTRATION_FAILED with that
// message, its bundle is gone, and the same bundle again fails the same way without a
// new version.
func TestRegistrationFailureIsRecorded(t *testing.T) {
	h := newHarness(t)
	const kind = platform.EnvironmentTemplate
	name := platformtest.EnvTemplate
	h.mustCreateTemplate(kind, name)
	h.mustVersion(kind, name, 0) // 1.0
	broken := platformtest.TarGz(t, platformtest.SamplePath(t, platformtest.EnvBundle), map[string]string{
		"infrastructure/cloudformation.yaml": "Resources:\n  X:\n    Type: AWS::Foo::Bar\n"})
	_, err := h.svc.CreateTemplateVersion(h.ctx, kind, name, control.CreateVersionInput{Major: 1, Bundle: broken})
	const want = "infrastructure/cloudformation.yaml (rendered):3:"
	if platform.KindOf(err) != platform.Invalid || !strings.Contains(err.Error(), want) {
		t.Fatalf("register a broken bundle: %v, want Invalid naming %s", err, want)
	}
	failed, err := h.store.GetTemplateVersion(h.ctx, kind, name, platform.Version{Major: 1, Minor: 1})
	if err != nil || failed.Status != platform.RegistrationFailed || !strings.Contains(failed.StatusMessage, want) || failed.BundleKey != "" {
		t.Fatalf("the failed version: %+v, %v", failed, err)
	}
	if files := h.blobFiles(); len(files) != 1 {
		t.Fatalf("blobs after a failed registration: %q, want the one of 1.0", files)
	}
	if _, err := h.svc.CreateTemplateVersion(h.ctx, kind, name, control.CreateVersionInput{Major: 1, Bundle: broken}); platform.KindOf(err) != platform.Invalid || !strings.Contains(err.Error(), want) {
		t.Fatalf("the same broken bundle again: %v", err)
	}
	if latest, _ := h.store.LatestTemplateVersion(h.ctx, kind, name, 1); latest.Version.Minor != 1 {
		t.Fatalf("the same broken bundle took a new number: %s", latest.Version)
	}
	if _, err := h.svc.PublishTemplateVersion(h.ctx, kind, name, failed.Version); platform.KindOf(err) != platform.Conflict {
		t.Fatalf("publish a failed version: %v, want Conflict", err)
	}
	if _, err := h.svc.DeleteTemplateVersion(h.ctx, kind, name, failed.Version); err != nil {
		t.Fatalf("delete the failed version: %v", err)
	}
}

// TestIdenticalBundleReturnsTheVersion re-registers a bundle under the major it is in: the
// existing version comes back, no new minor, one blob; under a new major it is a new
// version sharing the blob, which stays until the last version using it is deleted.
func TestIdenticalBundleReturnsTheVersion(t *testing.T) {
	h := newHarness(t)
	const kind = platform.EnvironmentTemplate
	name := platformtest.EnvTemplate
	h.mustCreateTemplate(kind, name)
	bundle := h.bundle(platformtest.EnvBundle)
	first, err := h.svc.CreateTemplateVersion(h.ctx, kind, name, control.CreateVersionInput{Bundle: bundle})
	if err != nil {
		t.Fatal(err)
	}
	again, err := h.svc.CreateTemplateVersion(h.ctx, kind, name, control.CreateVersionInput{Major: 1, Bundle: bundle})
	if err != nil || again.Version != first.Version {
		t.Fatalf("the same bundle under major 1: %s, %v; want %s", again.Version, err, first.Version)
	}
	second, err := h.svc.CreateTemplateVersion(h.ctx, kind, name, control.CreateVersionInput{Bundle: bundle})
	if err != nil || second.Version != (platform.Version{Major: 2}) || second.BundleKey != first.BundleKey {
		t.Fatalf("the same bundle as a new major: %+v, %v", second, err)
	}
	if files := h.blobFiles(); len(files) != 1 {
		t.Fatalf("blobs = %q, want one (content-addressed)", files)
	}
	if _, err := h.svc.DeleteTemplateVersion(h.ctx, kind, name, first.Version); err != nil {
		t.Fatal(err)
	}
	if files := h.blobFiles(); len(files) != 1 {
		t.Fatalf("deleting 1.0 took the blob 2.0 uses: %q", files)
	}
	if _, err := h.svc.DeleteTemplateVersion(h.ctx, kind, name, second.Version); err != nil {
		t.Fatal(err)
	}
	if files := h.blobFiles(); len(files) != 0 {
		t.Fatalf("blobs after deleting every version: %q", files)
	}
}

// TestRegistrationClientToken: a repeat of CreateTemplate or CreateTemplateVersion with its
// client token returns what the first call made; the token with other parameters is a
// Conflict.
func TestRegistrationClientToken(t *testing.T) {
	h := newHarness(t)
	const kind = platform.EnvironmentTemplate
	name := platformtest.EnvTemplate
	in := control.CreateTemplateInput{Name: name, Description: "d", ClientToken: "tok-1"}
	created, err := h.svc.CreateTemplate(h.ctx, kind, in)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := h.svc.CreateTemplate(h.ctx, kind, in); err != nil || again.Name != created.Name || again.Revision != created.Revision {
		t.Fatalf("CreateTemplate again with the token: %+v, %v", again, err)
	}
	in.Description = "other"
	if _, err := h.svc.CreateTemplate(h.ctx, kind, in); platform.KindOf(err) != platform.Conflict || !strings.Contains(err.Error(), "clientToken") {
		t.Fatalf("the token with other parameters: %v, want Conflict", err)
	}

	reg := control.CreateVersionInput{Bundle: h.revisedBundle(platformtest.EnvBundle, 1), ClientToken: "tok-2"}
	v1, err := h.svc.CreateTemplateVersion(h.ctx, kind, name, reg)
	if err != nil {
		t.Fatal(err)
	}
	// Without the token the same call would start major 2; with it, it is the first call.
	v1again, err := h.svc.CreateTemplateVersion(h.ctx, kind, name, reg)
	if err != nil || v1again.Version != v1.Version {
		t.Fatalf("register again with the token: %s, %v; want %s", v1again.Version, err, v1.Version)
	}
	reg.Bundle = h.revisedBundle(platformtest.EnvBundle, 2)
	if _, err := h.svc.CreateTemplateVersion(h.ctx, kind, name, reg); platform.KindOf(err) != platform.Conflict {
		t.Fatalf("the token with another bundle: %v, want Conflict", err)
	}
	if latest, _ := h.store.LatestTemplateVersion(h.ctx, kind, name, 0); latest.Version != v1.Version {
		t.Fatalf("versions reach %s, want only %s", latest.Version, v1.Version)
	}
}

// TestConcurrentIdenticalRegistrations registers one bundle 20 times at once under major
// 1: one version comes of it, every call answers it, and one blob is kept.
func TestConcurrentIdenticalRegistrations(t *testing.T) {
	h := newHarness(t)
	const kind = platform.EnvironmentTemplate
	name := platformtest.EnvTemplate
	h.mustCreateTemplate(kind, name)
	h.mustVersion(kind, name, 0) // 1.0, another bundle
	bundle := h.bundle(platformtest.EnvBundle)
	const n = 20
	var wg sync.WaitGroup
	got := make([]platform.TemplateVersion, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = h.svc.CreateTemplateVersion(h.ctx, kind, name, control.CreateVersionInput{Major: 1, Bundle: bundle})
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || got[i].Version != (platform.Version{Major: 1, Minor: 1}) {
			t.Errorf("call %d: %s, %v; want 1.1", i, got[i].Version, errs[i])
		}
	}
	versions, err := h.store.ListTemplateVersions(h.ctx, kind, name, platform.PageRequest{})
	if err != nil || len(versions.Items) != 2 {
		t.Fatalf("versions = %d, %v; want 1.0 and 1.1", len(versions.Items), err)
	}
	if v := versions.Items[0]; v.Status != platform.Draft {
		t.Fatalf("1.1 is %s, want DRAFT once every call returned", v.Status)
	}
	if files := h.blobFiles(); len(files) != 2 {
		t.Fatalf("blobs = %q, want two (1.0's and 1.1's), no orphans", files)
	}
}
