package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/dynamolocal"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/store"
	"github.com/gantry-platform/gantry/internal/store/storetest"
)

func TestMain(m *testing.M) { dynamolocal.Main(m) }

var (
	ctx = context.Background()
	t0  = time.Date(2026, 3, 4, 5, 6, 7, 123456789, time.UTC)
)

// wantKind fails the test unless err is a platform error of kind whose message holds msg.
func wantKind(t *testing.T, err error, kind platform.ErrorKind, msg string) {
	t.Helper()
	if platform.KindOf(err) != kind {
		t.Fatalf("error %v: kind %q, want %q", err, platform.KindOf(err), kind)
	}
	var e *platform.Error
	if !errors.As(err, &e) || !strings.Contains(e.Error(), msg) {
		t.Fatalf("error %q, want one containing %q", err, msg)
	}
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func mustEqual[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

func envDeployment(id, env string, at time.Time) platform.Deployment {
	return platform.Deployment{
		ID:              id,
		Target:          platform.Target{Kind: platform.EnvironmentTarget, Environment: env},
		Operation:       platform.Deploy,
		TemplateName:    "vpc",
		TemplateVersion: platform.Version{Major: 1, Minor: 0},
		Spec:            "proton: EnvironmentSpec\nspec:\n  cidr: 10.0.0.0/16\n",
		Inputs:          []byte(`{"cidr":"10.0.0.0/16"}`),
		Status:          platform.InProgress,
		CreatedAt:       at,
		UpdatedAt:       at,
	}
}

func mustCreateEnvironment(t *testing.T, s *store.Store, name, deploymentID string) platform.Environment {
	t.Helper()
	e := platform.Environment{Name: name, Description: "env " + name, Deployable: platform.Deployable{CreatedAt: t0}}
	mustOK(t, s.CreateEnvironment(ctx, e, envDeployment(deploymentID, name, t0), nil))
	got, err := s.GetEnvironment(ctx, name)
	mustOK(t, err)
	return got
}

func TestTemplates(t *testing.T) {
	s := storetest.NewStore(t)
	tmpl := platform.Template{
		Kind: platform.EnvironmentTemplate, Name: "vpc", DisplayName: "VPC", Description: "a VPC",
		CreatedAt: t0, UpdatedAt: t0, Revision: 7, // the store sets Revision 1
	}
	mustOK(t, s.CreateTemplate(ctx, tmpl, nil))
	got, err := s.GetTemplate(ctx, platform.EnvironmentTemplate, "vpc")
	mustOK(t, err)
	tmpl.Revision = 1
	mustEqual(t, "GetTemplate", got, tmpl)

	wantKind(t, s.CreateTemplate(ctx, tmpl, nil), platform.Conflict, `environment template "vpc" already exists`)
	_, err = s.GetTemplate(ctx, platform.ServiceTemplate, "vpc")
	wantKind(t, err, platform.NotFound, `service template "vpc" not found`)
	// The same name of the other kind is another template.
	mustOK(t, s.CreateTemplate(ctx, platform.Template{Kind: platform.ServiceTemplate, Name: "vpc"}, nil))

	for _, name := range []string{"e", "a", "d", "c", "b"} {
		mustOK(t, s.CreateTemplate(ctx, platform.Template{Kind: platform.ServiceTemplate, Name: name}, nil))
	}
	var names []string
	pages := 0
	page := platform.PageRequest{Limit: 2}
	for {
		p, err := s.ListTemplates(ctx, platform.ServiceTemplate, page)
		mustOK(t, err)
		pages++
		for _, it := range p.Items {
			names = append(names, it.Name)
		}
		if p.NextToken == "" {
			break
		}
		page.NextToken = p.NextToken
	}
	mustEqual(t, "service template names", names, []string{"a", "b", "c", "d", "e", "vpc"})
	if pages != 3 {
		t.Errorf("6 templates, 2 a page: %d pages, want 3", pages)
	}
	all, err := s.ListTemplates(ctx, platform.EnvironmentTemplate, platform.PageRequest{})
	mustOK(t, err)
	if len(all.Items) != 1 || all.Items[0].Name != "vpc" || all.NextToken != "" {
		t.Errorf("environment templates = %+v, want just vpc", all)
	}
}

func TestTemplateVersions(t *testing.T) {
	s := storetest.NewStore(t)
	kind := platform.ServiceTemplate
	v := func(major, minor int) platform.TemplateVersion {
		return platform.TemplateVersion{
			Kind: kind, TemplateName: "api", Version: platform.Version{Major: major, Minor: minor},
			Status: platform.Draft, Schema: "schema:\n  format:\n    openapi: 3.0.0\n",
			BundleKey: fmt.Sprintf("bundles/api/%d.%d.tar.gz", major, minor), BundleDigest: fmt.Sprintf("sha256-%d.%d", major, minor),
			CompatibleEnvironments:    []platform.CompatibleEnvironment{{TemplateName: "vpc", MajorVersion: 1}},
			SupportedComponentSources: []string{platform.DirectlyDefinedComponents},
			HasPipeline:               true, CreatedAt: t0, UpdatedAt: t0,
		}
	}
	wantKind(t, s.CreateTemplateVersion(ctx, v(1, 0), nil), platform.NotFound, `service template "api" not found`)
	_, err := s.GetTemplateVersion(ctx, kind, "api", platform.Version{Major: 1})
	wantKind(t, err, platform.NotFound, `service template "api" version 1.0 not found`)

	mustOK(t, s.CreateTemplate(ctx, platform.Template{Kind: kind, Name: "api"}, nil))
	_, err = s.LatestTemplateVersion(ctx, kind, "api", 0)
	wantKind(t, err, platform.NotFound, `service template "api" has no versions`)
	for _, mm := range [][2]int{{1, 0}, {2, 0}, {1, 1}, {10, 0}, {1, 10}, {1, 9}} {
		mustOK(t, s.CreateTemplateVersion(ctx, v(mm[0], mm[1]), nil))
	}
	wantKind(t, s.CreateTemplateVersion(ctx, v(1, 1), nil), platform.Conflict, `service template "api" version 1.1 already exists`)

	got, err := s.GetTemplateVersion(ctx, kind, "api", platform.Version{Major: 1, Minor: 9})
	mustOK(t, err)
	want := v(1, 9)
	want.Revision = 1
	mustEqual(t, "GetTemplateVersion", got, want)

	latest, err := s.LatestTemplateVersion(ctx, kind, "api", 0)
	mustOK(t, err)
	mustEqual(t, "latest", latest.Version, platform.Version{Major: 10})
	latest, err = s.LatestTemplateVersion(ctx, kind, "api", 1)
	mustOK(t, err)
	mustEqual(t, "latest 1.x", latest.Version, platform.Version{Major: 1, Minor: 10})
	_, err = s.LatestTemplateVersion(ctx, kind, "api", 3)
	wantKind(t, err, platform.NotFound, `service template "api" has no version 3.x`)

	var order []string
	page := platform.PageRequest{Limit: 4}
	for {
		p, err := s.ListTemplateVersions(ctx, kind, "api", page)
		mustOK(t, err)
		for _, it := range p.Items {
			order = append(order, it.Version.String())
		}
		if p.NextToken == "" {
			break
		}
		page.NextToken = p.NextToken
	}
	mustEqual(t, "versions, highest first", order, []string{"10.0", "2.0", "1.10", "1.9", "1.1", "1.0"})
}

func TestUpdateTemplateVersion(t *testing.T) {
	s := storetest.NewStore(t)
	kind := platform.EnvironmentTemplate
	mustOK(t, s.CreateTemplate(ctx, platform.Template{Kind: kind, Name: "vpc"}, nil))
	mustOK(t, s.CreateTemplateVersion(ctx, platform.TemplateVersion{Kind: kind, TemplateName: "vpc", Version: platform.Version{Major: 1}, Status: platform.Draft}, nil))
	tmpl, err := s.GetTemplate(ctx, kind, "vpc")
	mustOK(t, err)
	ver, err := s.GetTemplateVersion(ctx, kind, "vpc", platform.Version{Major: 1})
	mustOK(t, err)

	ver.Status = platform.Published
	tmpl.Recommended = ver.Version
	mustOK(t, s.UpdateTemplateVersion(ctx, ver, &tmpl))
	gotV, _ := s.GetTemplateVersion(ctx, kind, "vpc", ver.Version)
	gotT, _ := s.GetTemplate(ctx, kind, "vpc")
	if gotV.Status != platform.Published || gotV.Revision != 2 || gotT.Recommended != ver.Version || gotT.Revision != 2 {
		t.Fatalf("after update: version %+v, template %+v", gotV, gotT)
	}

	// A stale template revision fails the whole write: the version keeps its status.
	gotV.Status = platform.Draft
	stale := tmpl // Revision 1
	wantKind(t, s.UpdateTemplateVersion(ctx, gotV, &stale), platform.Conflict, `environment template "vpc" was changed by another request; retry`)
	if again, _ := s.GetTemplateVersion(ctx, kind, "vpc", ver.Version); again.Status != platform.Published || again.Revision != 2 {
		t.Fatalf("failed update wrote the version: %+v", again)
	}
	// A stale version alone.
	wantKind(t, s.UpdateTemplateVersion(ctx, ver, nil), platform.Conflict, `environment template "vpc" version 1.0 was changed by another request; retry`)
	// A version that does not exist.
	missing := gotV
	missing.Version = platform.Version{Major: 9}
	wantKind(t, s.UpdateTemplateVersion(ctx, missing, nil), platform.NotFound, `environment template "vpc" version 9.0 not found`)
	// Alone, on the right revision.
	mustOK(t, s.UpdateTemplateVersion(ctx, gotV, nil))
	other := gotT
	other.Name = "other"
	wantKind(t, s.UpdateTemplateVersion(ctx, gotV, &other), platform.Invalid, "is not the template of")
}

func TestEnvironments(t *testing.T) {
	s := storetest.NewStore(t)
	e := platform.Environment{Name: "Beta", Description: "beta", Deployable: platform.Deployable{
		TemplateName: "vpc", TemplateVersion: platform.Version{Major: 1}, CreatedAt: t0,
	}}
	d := envDeployment("d1", "Beta", t0)
	mustOK(t, s.CreateEnvironment(ctx, e, d, nil))
	got, err := s.GetEnvironment(ctx, "Beta")
	mustOK(t, err)
	want := e
	want.Revision = 1
	want.DeploymentStatus = platform.InProgress
	want.LastDeploymentID = "d1"
	want.LastAttemptedAt = t0
	mustEqual(t, "GetEnvironment", got, want)
	gotD, err := s.GetDeployment(ctx, "d1")
	mustOK(t, err)
	d.Revision = 1
	mustEqual(t, "GetDeployment", gotD, d)

	wantKind(t, s.CreateEnvironment(ctx, e, envDeployment("d2", "Beta", t0), nil), platform.Conflict, `environment "Beta" already exists`)
	_, err = s.GetDeployment(ctx, "d2")
	wantKind(t, err, platform.NotFound, `deployment "d2" not found`)

	// Atomic: a taken deployment id leaves no environment behind.
	wantKind(t, s.CreateEnvironment(ctx, platform.Environment{Name: "Gamma"}, envDeployment("d1", "Gamma", t0), nil), platform.Conflict, `deployment "d1" already exists`)
	_, err = s.GetEnvironment(ctx, "Gamma")
	wantKind(t, err, platform.NotFound, `environment "Gamma" not found`)

	wantKind(t, s.CreateEnvironment(ctx, platform.Environment{Name: "Gamma"}, envDeployment("d3", "Beta", t0), nil), platform.Invalid, "deployment.target")

	for i := range 4 {
		mustCreateEnvironment(t, s, fmt.Sprintf("env%d", i), fmt.Sprintf("e%d", i))
	}
	p1, err := s.ListEnvironments(ctx, platform.PageRequest{Limit: 3})
	mustOK(t, err)
	p2, err := s.ListEnvironments(ctx, platform.PageRequest{Limit: 3, NextToken: p1.NextToken})
	mustOK(t, err)
	var names []string
	for _, e := range append(p1.Items, p2.Items...) {
		names = append(names, e.Name)
	}
	mustEqual(t, "environments", names, []string{"Beta", "env0", "env1", "env2", "env3"})
	if p1.NextToken == "" || p2.NextToken != "" {
		t.Fatalf("tokens %q, %q: want a token after the first page only", p1.NextToken, p2.NextToken)
	}
}

func TestPageTokens(t *testing.T) {
	s := storetest.NewStore(t)
	for i := range 3 {
		mustCreateEnvironment(t, s, fmt.Sprintf("env%d", i), fmt.Sprintf("d%d", i))
		mustOK(t, s.CreateTemplate(ctx, platform.Template{Kind: platform.EnvironmentTemplate, Name: fmt.Sprintf("t%d", i)}, nil))
	}
	envs, err := s.ListEnvironments(ctx, platform.PageRequest{Limit: 1})
	mustOK(t, err)
	tmpls, err := s.ListTemplates(ctx, platform.EnvironmentTemplate, platform.PageRequest{Limit: 1})
	mustOK(t, err)

	for name, token := range map[string]string{
		"garbage":           "not a token!",
		"base64 of garbage": "Z2FyYmFnZQ",
		"another list":      tmpls.NextToken,
		"truncated":         envs.NextToken[:len(envs.NextToken)-4],
	} {
		_, err := s.ListEnvironments(ctx, platform.PageRequest{Limit: 1, NextToken: token})
		if platform.KindOf(err) != platform.Invalid {
			t.Errorf("%s token: error %v, want Invalid", name, err)
		}
	}
	_, err = s.ListTemplates(ctx, platform.ServiceTemplate, platform.PageRequest{NextToken: tmpls.NextToken})
	wantKind(t, err, platform.Invalid, "nextToken: is not a page token")
	_, err = s.ListDeployments(ctx, platform.Target{Kind: platform.EnvironmentTarget, Environment: "env0"}, platform.PageRequest{NextToken: envs.NextToken})
	wantKind(t, err, platform.Invalid, "nextToken")
	next, err := s.ListEnvironments(ctx, platform.PageRequest{Limit: 1, NextToken: envs.NextToken})
	mustOK(t, err)
	if len(next.Items) != 1 || next.Items[0].Name != "env1" {
		t.Fatalf("second page = %+v, want env1", next.Items)
	}
}

func TestClientTokens(t *testing.T) {
	s := storetest.NewStore(t)
	now := t0
	s.Now = func() time.Time { return now }
	tok := &platform.ClientToken{Scope: "CreateEnvironment:alice", Token: "tok-1", Fingerprint: "fp", Result: "Beta", ExpiresAt: t0.Add(8 * time.Hour)}
	_, err := s.GetClientToken(ctx, tok.Scope, tok.Token)
	wantKind(t, err, platform.NotFound, `client token "tok-1" not found`)

	mustOK(t, s.CreateEnvironment(ctx, platform.Environment{Name: "Beta"}, envDeployment("d1", "Beta", t0), tok))
	got, err := s.GetClientToken(ctx, tok.Scope, tok.Token)
	mustOK(t, err)
	want := *tok
	want.ExpiresAt = t0.Add(8 * time.Hour).Truncate(time.Second)
	mustEqual(t, "GetClientToken", got, want)
	_, err = s.GetClientToken(ctx, "CreateEnvironment:bob", tok.Token)
	wantKind(t, err, platform.NotFound, "not found")

	// A replay with the same token writes nothing.
	wantKind(t, s.CreateEnvironment(ctx, platform.Environment{Name: "Gamma"}, envDeployment("d2", "Gamma", t0), tok), platform.Conflict, `client token "tok-1" was already used`)
	_, err = s.GetEnvironment(ctx, "Gamma")
	wantKind(t, err, platform.NotFound, "not found")

	// Once expired the token is gone, and may be used again.
	now = t0.Add(9 * time.Hour)
	_, err = s.GetClientToken(ctx, tok.Scope, tok.Token)
	wantKind(t, err, platform.NotFound, "not found")
	tok2 := *tok
	tok2.Result = "Gamma"
	tok2.ExpiresAt = now.Add(time.Hour)
	mustOK(t, s.CreateEnvironment(ctx, platform.Environment{Name: "Gamma"}, envDeployment("d2", "Gamma", t0), &tok2))
	got, err = s.GetClientToken(ctx, tok.Scope, tok.Token)
	mustOK(t, err)
	if got.Result != "Gamma" {
		t.Fatalf("token result %q, want Gamma", got.Result)
	}
}

func TestLargeItems(t *testing.T) {
	s := storetest.NewStore(t)
	spec := strings.Repeat("s", 51200)
	schema := strings.Repeat("x", 50*1024)
	mustOK(t, s.CreateTemplate(ctx, platform.Template{Kind: platform.EnvironmentTemplate, Name: "big"}, nil))
	mustOK(t, s.CreateTemplateVersion(ctx, platform.TemplateVersion{Kind: platform.EnvironmentTemplate, TemplateName: "big", Version: platform.Version{Major: 1}, Schema: schema}, nil))
	v, err := s.GetTemplateVersion(ctx, platform.EnvironmentTemplate, "big", platform.Version{Major: 1})
	mustOK(t, err)
	if v.Schema != schema {
		t.Fatalf("schema of %d bytes came back as %d", len(schema), len(v.Schema))
	}
	d := envDeployment("big-1", "Big", t0)
	d.Spec = spec
	outputs := make([]platform.Output, 200)
	for i := range outputs {
		outputs[i] = platform.Output{Key: fmt.Sprintf("Output%d", i), Value: strings.Repeat("v", 200)}
	}
	d.Outputs = outputs
	mustOK(t, s.CreateEnvironment(ctx, platform.Environment{Name: "Big", Deployable: platform.Deployable{Spec: spec}}, d, nil))
	got, err := s.GetDeployment(ctx, "big-1")
	mustOK(t, err)
	if got.Spec != spec || !reflect.DeepEqual(got.Outputs, outputs) {
		t.Fatal("large deployment did not round-trip")
	}
}
