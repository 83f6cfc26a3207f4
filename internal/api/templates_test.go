package api

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

// revisedTarGz packs the bundle folder dir with a comment n added to its schema: another
// bundle for each n (an identical bundle registered again under its major is the version
// it already is).
func revisedTarGz(t *testing.T, dir string, n int) []byte {
	schema := platformtest.ReadFile(t, filepath.Join(dir, "schema", "schema.yaml"))
	return platformtest.TarGz(t, dir, map[string]string{"schema/schema.yaml": fmt.Sprintf("%s\n# revision %d\n", schema, n)})
}

// templateOf decodes an answer as a template, failing the test unless its status is want.
func templateOf(t *testing.T, r response, want int) apimodel.Template {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d: %s", r.status, want, r.body)
	}
	var tmpl apimodel.Template
	if err := json.Unmarshal([]byte(r.body), &tmpl); err != nil {
		t.Fatalf("%s: %v", r.body, err)
	}
	return tmpl
}

// TestUpdateTemplate pins, refuses and unpins through PATCH on a template, as an admin.
func TestUpdateTemplate(t *testing.T) {
	s := newRealServer(t)
	const path = "/v1/environment-templates/env"
	templateOf(t, s.json("admin", "POST", "/v1/environment-templates", map[string]string{"name": "env"}), 201)
	for i, step := range []string{"?", "?majorVersion=1", "?"} { // 1.0, 1.1, 2.0
		if r := s.do("admin", "POST", path+"/versions"+step, "application/gzip", revisedTarGz(t, envBundleDir, i)); r.status != 201 {
			t.Fatalf("register: %d %s", r.status, r.body)
		}
	}
	for _, v := range []string{"1.0", "1.1"} {
		if r := s.json("admin", "POST", path+"/versions/"+v+"/publish", nil); r.status != 200 {
			t.Fatalf("publish %s: %d %s", v, r.status, r.body)
		}
	}

	tmpl := templateOf(t, s.json("admin", "PATCH", path, map[string]string{"recommendedVersion": "1.0", "displayName": "Env"}), 200)
	if tmpl.RecommendedVersion != "1.0" || !tmpl.RecommendedVersionPinned || tmpl.DisplayName != "Env" {
		t.Fatalf("after pinning 1.0: %+v", tmpl)
	}
	// The pin holds when 2.0 is published, and GET shows it.
	if r := s.json("admin", "POST", path+"/versions/2.0/publish", nil); r.status != 200 {
		t.Fatalf("publish 2.0: %d %s", r.status, r.body)
	}
	r := s.json("developer", "GET", path, nil)
	if tmpl := templateOf(t, r, 200); tmpl.RecommendedVersion != "1.0" || !strings.Contains(r.body, `"recommendedVersionPinned":true`) {
		t.Fatalf("GET after publishing 2.0: %s", r.body)
	}

	refused := []struct {
		name   string
		role   string
		body   string
		status int
		code   string
		says   string
	}{
		{"a developer", "developer", `{"recommendedVersion":"1.1"}`, 403, "AccessDeniedException", "UpdateEnvironmentTemplate needs the admin role"},
		{"an unknown version", "admin", `{"recommendedVersion":"7.0"}`, 400, "ValidationException", "recommendedVersion"},
		{"not a version", "admin", `{"recommendedVersion":"newest"}`, 400, "ValidationException", "recommendedVersion"},
		{"a number", "admin", `{"recommendedVersion":1.1}`, 400, "ValidationException", "recommendedVersion"},
		{"a long display name", "admin", `{"displayName":"` + strings.Repeat("x", 101) + `"}`, 400, "ValidationException", "displayName"},
		{"an unknown field", "admin", `{"recommended":"1.1"}`, 400, "ValidationException", "recommended"},
	}
	for _, c := range refused {
		r := s.do(c.role, "PATCH", path, "application/json", []byte(c.body))
		if r.status != c.status {
			t.Errorf("%s: %d %s, want %d", c.name, r.status, r.body, c.status)
			continue
		}
		if e := r.errorBody(t); e.Code != c.code || !strings.Contains(e.Message, c.says) {
			t.Errorf("%s: %+v, want %s saying %q", c.name, e, c.code, c.says)
		}
	}
	if r := s.json("admin", "PATCH", "/v1/service-templates/env", map[string]string{"recommendedVersion": "latest"}); r.status != 404 {
		t.Errorf("PATCH a service template that does not exist: %d %s, want 404", r.status, r.body)
	}

	// Unpinning recommends the highest published version; the flag is left out.
	r = s.json("admin", "PATCH", path, map[string]string{"recommendedVersion": "latest"})
	if tmpl := templateOf(t, r, 200); tmpl.RecommendedVersion != "2.0" || tmpl.DisplayName != "Env" || strings.Contains(r.body, "recommendedVersionPinned") {
		t.Fatalf("after unpinning: %s", r.body)
	}
}

// TestRegisterComponentSources registers a service version with ?supportedComponentSources
// and reads them back; an unknown source is a 400 naming the entry.
func TestRegisterComponentSources(t *testing.T) {
	s := newRealServer(t)
	templateOf(t, s.json("admin", "POST", "/v1/environment-templates", map[string]string{"name": "loadbalanced-fargate-env"}), 201)
	if r := s.do("admin", "POST", "/v1/environment-templates/loadbalanced-fargate-env/versions", "application/gzip", tarGz(t, envBundleDir)); r.status != 201 {
		t.Fatalf("register the environment template: %d %s", r.status, r.body)
	}
	templateOf(t, s.json("admin", "POST", "/v1/service-templates", map[string]string{"name": "svc"}), 201)
	svc := tarGz(t, strings.TrimSuffix(envBundleDir, "loadbalanced-fargate-env/v1")+"loadbalanced-fargate-svc/v1")
	r := s.do("admin", "POST", "/v1/service-templates/svc/versions?supportedComponentSources=DIRECTLY_DEFINED", "application/gzip", svc)
	var tv apimodel.TemplateVersion
	if err := json.Unmarshal([]byte(r.body), &tv); r.status != 201 || err != nil || strings.Join(tv.SupportedComponentSources, ",") != "DIRECTLY_DEFINED" {
		t.Fatalf("register with a component source: %d %s", r.status, r.body)
	}
	if r := s.json("developer", "GET", "/v1/service-templates/svc/versions/1.0", nil); !strings.Contains(r.body, `"supportedComponentSources":["DIRECTLY_DEFINED"]`) {
		t.Fatalf("GET the version: %d %s", r.status, r.body)
	}
	r = s.do("admin", "POST", "/v1/service-templates/svc/versions?supportedComponentSources=GIT", "application/gzip", svc)
	if e := r.errorBody(t); r.status != 400 || !strings.Contains(e.Message, "supportedComponentSources[0]") {
		t.Fatalf("an unknown source: %d %s", r.status, r.body)
	}
}

// TestDeleteTemplateStatuses: 403 for a developer, 409 while a version exists, 200 with
// the template once it has none, then 404.
func TestDeleteTemplateStatuses(t *testing.T) {
	s := newRealServer(t)
	templateOf(t, s.json("admin", "POST", "/v1/environment-templates", map[string]string{"name": "env"}), 201)
	if r := s.do("admin", "POST", "/v1/environment-templates/env/versions", "application/gzip", tarGz(t, envBundleDir)); r.status != 201 {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	if r := s.json("developer", "DELETE", "/v1/environment-templates/env", nil); r.status != 403 {
		t.Fatalf("a developer deleting: %d %s", r.status, r.body)
	}
	r := s.json("admin", "DELETE", "/v1/environment-templates/env", nil)
	if e := r.errorBody(t); r.status != 409 || !strings.Contains(e.Message, "still has versions") {
		t.Fatalf("deleting a template with a version: %d %s", r.status, r.body)
	}
	templateOf(t, s.json("admin", "POST", "/v1/service-templates", map[string]string{"name": "empty"}), 201)
	if tmpl := templateOf(t, s.json("admin", "DELETE", "/v1/service-templates/empty", nil), 200); tmpl.Name != "empty" {
		t.Fatalf("deleted: %+v", tmpl)
	}
	if r := s.json("admin", "DELETE", "/v1/service-templates/empty", nil); r.status != 404 {
		t.Fatalf("deleting it again: %d %s", r.status, r.body)
	}
}

// TestTemplateVersionLifecycleStatuses: PATCH a version's status and description (400 for a
// move Proton does not allow, 403 for a developer), DELETE it (409 while recommended with
// other versions, 200 otherwise, then 404).
func TestTemplateVersionLifecycleStatuses(t *testing.T) {
	s := newRealServer(t)
	const path = "/v1/environment-templates/env"
	templateOf(t, s.json("admin", "POST", "/v1/environment-templates", map[string]string{"name": "env"}), 201)
	for i, step := range []string{"?", "?majorVersion=1"} { // 1.0, 1.1
		if r := s.do("admin", "POST", path+"/versions"+step, "application/gzip", revisedTarGz(t, envBundleDir, i)); r.status != 201 {
			t.Fatalf("register: %d %s", r.status, r.body)
		}
	}
	version := func(r response, want int) apimodel.TemplateVersion {
		t.Helper()
		if r.status != want {
			t.Fatalf("status %d, want %d: %s", r.status, want, r.body)
		}
		var tv apimodel.TemplateVersion
		if err := json.Unmarshal([]byte(r.body), &tv); err != nil {
			t.Fatal(err)
		}
		return tv
	}
	for _, v := range []string{"1.0", "1.1"} {
		if tv := version(s.json("admin", "PATCH", path+"/versions/"+v, map[string]string{"status": "PUBLISHED"}), 200); tv.Status != "PUBLISHED" {
			t.Fatalf("publish %s by PATCH: %+v", v, tv)
		}
	}
	if tv := version(s.json("admin", "PATCH", path+"/versions/1.1", map[string]string{"status": "DEPRECATED", "description": "old"}), 200); tv.Status != "DEPRECATED" || tv.Description != "old" {
		t.Fatalf("deprecate 1.1: %+v", tv)
	}
	if tmpl := templateOf(t, s.json("developer", "GET", path, nil), 200); tmpl.RecommendedVersion != "1.0" {
		t.Fatalf("recommended after deprecating 1.1: %+v", tmpl)
	}
	r := s.json("admin", "PATCH", path+"/versions/1.0", map[string]string{"status": "DRAFT"})
	if e := r.errorBody(t); r.status != 400 || !strings.Contains(e.Message, "status") {
		t.Fatalf("PUBLISHED to DRAFT: %d %s", r.status, r.body)
	}
	if r := s.json("admin", "PATCH", path+"/versions/1.0", map[string]any{"compatibleEnvironmentTemplates": []any{}}); r.status != 400 {
		t.Fatalf("compatible environments on an environment template: %d %s", r.status, r.body)
	}
	if r := s.json("developer", "PATCH", path+"/versions/1.0", map[string]string{"description": "x"}); r.status != 403 {
		t.Fatalf("a developer's PATCH: %d %s", r.status, r.body)
	}
	if r := s.json("developer", "DELETE", path+"/versions/1.1", nil); r.status != 403 {
		t.Fatalf("a developer's DELETE: %d %s", r.status, r.body)
	}
	r = s.json("admin", "DELETE", path+"/versions/1.0", nil)
	if e := r.errorBody(t); r.status != 409 || !strings.Contains(e.Message, "recommended version") {
		t.Fatalf("delete the recommended 1.0: %d %s", r.status, r.body)
	}
	if tv := version(s.json("admin", "DELETE", path+"/versions/1.1", nil), 200); tv.MinorVersion != 1 {
		t.Fatalf("delete the deprecated 1.1: %+v", tv)
	}
	if r := s.json("admin", "DELETE", path+"/versions/1.1", nil); r.status != 404 {
		t.Fatalf("delete 1.1 again: %d %s", r.status, r.body)
	}
	version(s.json("admin", "DELETE", path+"/versions/1.0", nil), 200) // the last version
	templateOf(t, s.json("admin", "DELETE", path, nil), 200)
}

// TestRegisterBundleUnderATopFolder registers a bundle packed as `tar czf x.tgz v1/` packs
// it: every file under one top folder.
func TestRegisterBundleUnderATopFolder(t *testing.T) {
	s := newRealServer(t)
	templateOf(t, s.json("admin", "POST", "/v1/environment-templates", map[string]string{"name": "env"}), 201)
	r := s.do("admin", "POST", "/v1/environment-templates/env/versions", "application/gzip", tarGzUnder(t, envBundleDir, "v1/"))
	if r.status != 201 || !strings.Contains(r.body, `"status":"DRAFT"`) {
		t.Fatalf("register a bundle under v1/: %d %s", r.status, r.body)
	}
}
