package control_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/bundle"
	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/gitsync"
	"github.com/gantry-platform/gantry/internal/gitsync/gitsynctest"
	"github.com/gantry-platform/gantry/internal/platform"
)

var templatesRepo = platform.RepositoryID{Provider: platform.GitHub, Name: "acme/templates"}

// syncHarness is the control plane's harness with sync configured: linked repositories
// are bare git repositories under a directory, read through gitsync.Sources.
type syncHarness struct {
	*harness
	root string
}

func newSyncHarness(t *testing.T) *syncHarness {
	t.Helper()
	h := newHarness(t)
	root := t.TempDir()
	git := &gitsync.Sources{Dir: t.TempDir(), Locate: gitsync.LocalRepositories(root)}
	h.cfg.Syncs, h.cfg.Git, h.cfg.ServiceSyncs = h.store, git, h.store
	h.svc = control.New(h.cfg)
	return &syncHarness{harness: h, root: root}
}

// remote links repo and makes its bare repository.
func (h *syncHarness) remote(repo platform.RepositoryID) *gitsynctest.Remote {
	h.t.Helper()
	if _, err := h.svc.CreateRepository(h.ctx, control.CreateRepositoryInput{Provider: repo.Provider, Name: repo.Name,
		ConnectionARN: "arn:aws:codestar-connections:us-east-1:111122223333:connection/abc"}); err != nil {
		h.t.Fatal(err)
	}
	return gitsynctest.NewRemoteAt(h.t, gitsync.LocalRepositoryPath(h.root, repo))
}

// golden is the golden-path environment template vpc-ecs v1 from templates/, under folder.
func golden(t *testing.T, folder string) map[string][]byte {
	return gitsynctest.Files(t, filepath.Join("..", "..", "templates", "environments", "vpc-ecs", "v1"), folder)
}

func (h *syncHarness) versions(kind platform.TemplateKind, name string) []string {
	h.t.Helper()
	page, err := h.svc.ListTemplateVersions(h.ctx, kind, name, platform.PageRequest{})
	if err != nil {
		h.t.Fatal(err)
	}
	var out []string
	for _, v := range page.Items {
		out = append(out, v.Version.String()+" "+string(v.Status))
	}
	return out
}

func (h *syncHarness) sync(name, commit, by string) control.SyncOutcome {
	h.t.Helper()
	out, err := h.svc.SyncTemplateCommit(h.ctx, platform.EnvironmentTemplate, name, commit, by)
	if err != nil {
		h.t.Fatalf("SyncTemplateCommit(%s): %v", commit[:8], err)
	}
	return out
}

func TestTemplateSyncRegistersWhatACommitChanges(t *testing.T) {
	h := newSyncHarness(t)
	remote := h.remote(templatesRepo)
	first := remote.Commit(t, "main", "vpc-ecs v1", golden(t, "envs/vpc-ecs/v1"))
	h.mustCreateTemplate(platform.EnvironmentTemplate, "vpc-ecs")
	// The same bundle registered by hand before the sync is followed: the sync registers nothing.
	if _, err := h.svc.CreateTemplateVersion(h.ctx, platform.EnvironmentTemplate, "vpc-ecs", control.CreateVersionInput{
		Bundle: mustPack(t, golden(t, ""))}); err != nil {
		t.Fatal(err)
	}
	cfg, err := h.svc.CreateTemplateSyncConfig(h.ctx, control.TemplateSyncConfigInput{Kind: platform.EnvironmentTemplate, TemplateName: "vpc-ecs",
		Repository: templatesRepo, Branch: "main", Subdirectory: "envs/"})
	if err != nil || cfg.Subdirectory != "envs" || cfg.Revision != 1 {
		t.Fatalf("CreateTemplateSyncConfig = %+v, %v", cfg, err)
	}
	if out := h.sync("vpc-ecs", first, "run-1"); out.Status != platform.SyncSucceeded {
		t.Fatalf("first sync: %+v", out)
	}
	mustEqualList(t, "versions after the first sync", h.versions(platform.EnvironmentTemplate, "vpc-ecs"), []string{"1.0 DRAFT"})

	// A change under v1 registers 1.1; the same commit delivered again (the poller after
	// the webhook) is skipped.
	files := golden(t, "envs/vpc-ecs/v1")
	schema := "envs/vpc-ecs/v1/schema/schema.yaml"
	files[schema] = []byte(strings.Replace(string(files[schema]), "A VPC with", "A VPC, synced, with", 1))
	second := remote.Commit(t, "main", "describe the VPC", map[string][]byte{schema: files[schema]})
	if out := h.sync("vpc-ecs", second, "webhook"); out.Status != platform.SyncSucceeded || out.Skipped {
		t.Fatalf("second sync: %+v", out)
	}
	if out := h.sync("vpc-ecs", second, "poller"); !out.Skipped {
		t.Fatalf("the same commit by another execution was not skipped: %+v", out)
	}
	if out := h.sync("vpc-ecs", second, "webhook"); out.Skipped {
		t.Fatalf("a retry by the same execution was skipped: %+v", out)
	}
	mustEqualList(t, "versions after a change", h.versions(platform.EnvironmentTemplate, "vpc-ecs"), []string{"1.1 DRAFT", "1.0 DRAFT"})
	st, err := h.svc.GetTemplateSyncStatus(h.ctx, platform.EnvironmentTemplate, "vpc-ecs", "1")
	if err != nil || st.Latest == nil || st.Latest.Status != platform.SyncSucceeded || st.Latest.TargetRevision.Commit != second ||
		st.Latest.TargetRevision.Directory != "envs/vpc-ecs/v1" || st.Latest.Events[len(st.Latest.Events)-1].ExternalID != "1.1" {
		t.Fatalf("GetTemplateSyncStatus = %+v, %v", st.Latest, err)
	}

	// A commit elsewhere in the repository registers nothing.
	third := remote.Commit(t, "main", "docs", map[string][]byte{"README.md": []byte("templates\n")})
	h.sync("vpc-ecs", third, "run-3")
	mustEqualList(t, "versions after an unrelated commit", h.versions(platform.EnvironmentTemplate, "vpc-ecs"), []string{"1.1 DRAFT", "1.0 DRAFT"})

	// A malformed bundle fails the sync naming the file and line, and registers nothing.
	broken := remote.Commit(t, "main", "break the schema", map[string][]byte{schema: []byte("schema:\n  format: [\n")})
	if out := h.sync("vpc-ecs", broken, "run-4"); out.Status != platform.SyncFailed {
		t.Fatalf("sync of a broken bundle: %+v", out)
	}
	mustEqualList(t, "versions after a broken commit", h.versions(platform.EnvironmentTemplate, "vpc-ecs"), []string{"1.1 DRAFT", "1.0 DRAFT"})
	st, err = h.svc.GetTemplateSyncStatus(h.ctx, platform.EnvironmentTemplate, "vpc-ecs", "1")
	if err != nil || st.Latest.Status != platform.SyncFailed || st.LatestSuccessful.TargetRevision.Commit != second {
		t.Fatalf("status after a broken commit: %+v, %v", st, err)
	}
	if msg := st.Latest.Events[len(st.Latest.Events)-1].Event; !strings.Contains(msg, "schema/schema.yaml") || !strings.Contains(msg, ":2") {
		t.Fatalf("the failure does not name the file and line: %q", msg)
	}
	repoStatus, err := h.svc.GetRepositorySyncStatus(h.ctx, templatesRepo, "main", platform.TemplateSync)
	if err != nil || repoStatus == nil || repoStatus.Status != platform.SyncFailed || repoStatus.Commit != broken {
		t.Fatalf("GetRepositorySyncStatus = %+v, %v", repoStatus, err)
	}

	// The fix and a new v2 folder in one commit: 1.2 and 2.0.
	files[schema] = []byte(strings.Replace(string(files[schema]), "synced, ", "synced again, ", 1))
	v2 := golden(t, "envs/vpc-ecs/v2")
	v2["envs/vpc-ecs/v1/schema/schema.yaml"] = files[schema]
	fixed := remote.Commit(t, "main", "fix v1, add v2", v2)
	if out := h.sync("vpc-ecs", fixed, "run-5"); out.Status != platform.SyncSucceeded {
		t.Fatalf("sync of the fix: %+v", out)
	}
	mustEqualList(t, "versions after the fix", h.versions(platform.EnvironmentTemplate, "vpc-ecs"), []string{"2.0 DRAFT", "1.2 DRAFT", "1.1 DRAFT", "1.0 DRAFT"})

	// A folder that skips a major fails.
	skipped := remote.Commit(t, "main", "v4", golden(t, "envs/vpc-ecs/v4"))
	if out := h.sync("vpc-ecs", skipped, "run-6"); out.Status != platform.SyncFailed {
		t.Fatalf("sync of v4 after v2: %+v", out)
	}
	st, err = h.svc.GetTemplateSyncStatus(h.ctx, platform.EnvironmentTemplate, "vpc-ecs", "4")
	if err != nil || st.Latest == nil || !strings.Contains(st.Latest.Events[0].Event, "must be v3") {
		t.Fatalf("status of v4: %+v, %v", st.Latest, err)
	}

	defs, err := h.svc.ListRepositorySyncDefinitions(h.ctx, templatesRepo, platform.TemplateSync, platform.PageRequest{})
	if err != nil || len(defs.Items) != 1 || defs.Items[0] != (control.RepositorySyncDefinition{Branch: "main", Directory: "/envs/vpc-ecs", Parent: "vpc-ecs", Target: "vpc-ecs"}) {
		t.Fatalf("ListRepositorySyncDefinitions = %+v, %v", defs, err)
	}
}

func TestTemplateSyncConfigRules(t *testing.T) {
	h := newSyncHarness(t)
	h.remote(templatesRepo)
	h.mustCreateTemplate(platform.EnvironmentTemplate, "vpc-ecs")
	in := control.TemplateSyncConfigInput{Kind: platform.EnvironmentTemplate, TemplateName: "vpc-ecs", Repository: templatesRepo, Branch: "main"}
	dev := platform.WithCaller(context.Background(), platform.Caller{Subject: "dan", Roles: []platform.Role{platform.DeveloperRole}})
	if _, err := h.svc.CreateTemplateSyncConfig(dev, in); platform.KindOf(err) != platform.Forbidden {
		t.Fatalf("a developer created a template sync configuration: %v", err)
	}
	for _, tc := range []struct {
		change func(*control.TemplateSyncConfigInput)
		kind   platform.ErrorKind
		field  string
	}{
		{func(i *control.TemplateSyncConfigInput) { i.Branch = "a..b" }, platform.Invalid, "branch"},
		{func(i *control.TemplateSyncConfigInput) { i.Subdirectory = "../up" }, platform.Invalid, "subdirectory"},
		{func(i *control.TemplateSyncConfigInput) { i.Repository.Provider = "GITLAB" }, platform.Invalid, "repositoryProvider"},
		{func(i *control.TemplateSyncConfigInput) { i.TemplateName = "nope" }, platform.NotFound, ""},
		{func(i *control.TemplateSyncConfigInput) { i.Repository.Name = "acme/unlinked" }, platform.NotFound, ""},
	} {
		bad := in
		tc.change(&bad)
		_, err := h.svc.CreateTemplateSyncConfig(h.ctx, bad)
		if platform.KindOf(err) != tc.kind || tc.field != "" && !strings.HasPrefix(err.Error(), tc.field+":") {
			t.Errorf("CreateTemplateSyncConfig(%+v) = %v, want %s about %q", bad, err, tc.kind, tc.field)
		}
	}
	if _, err := h.svc.CreateTemplateSyncConfig(h.ctx, in); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.CreateTemplateSyncConfig(h.ctx, in); platform.KindOf(err) != platform.Conflict {
		t.Fatalf("a second configuration: %v, want Conflict", err)
	}
	in.Branch = "release"
	got, err := h.svc.UpdateTemplateSyncConfig(h.ctx, in)
	if err != nil || got.Branch != "release" || got.Revision != 2 {
		t.Fatalf("UpdateTemplateSyncConfig = %+v, %v", got, err)
	}
	if _, err := h.svc.UpdateTemplateSyncConfig(dev, in); platform.KindOf(err) != platform.Forbidden {
		t.Fatalf("a developer updated a template sync configuration: %v", err)
	}
	if _, err := h.svc.GetTemplateSyncStatus(h.ctx, platform.EnvironmentTemplate, "vpc-ecs", "1.0"); platform.KindOf(err) != platform.Invalid {
		t.Fatalf("GetTemplateSyncStatus of 1.0: %v, want Invalid", err)
	}
	if st, err := h.svc.GetTemplateSyncStatus(h.ctx, platform.EnvironmentTemplate, "vpc-ecs", "1"); err != nil || st.Latest != nil {
		t.Fatalf("GetTemplateSyncStatus before any sync = %+v, %v", st, err)
	}
	if _, err := h.svc.DeleteTemplateSyncConfig(dev, platform.EnvironmentTemplate, "vpc-ecs"); platform.KindOf(err) != platform.Forbidden {
		t.Fatalf("a developer deleted a template sync configuration: %v", err)
	}
	if _, err := h.svc.DeleteTemplateSyncConfig(h.ctx, platform.EnvironmentTemplate, "vpc-ecs"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.GetTemplateSyncConfig(h.ctx, platform.EnvironmentTemplate, "vpc-ecs"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("GetTemplateSyncConfig after the delete: %v, want NotFound", err)
	}
}

func mustPack(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	b, err := bundle.PackFiles(files)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustEqualList(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("%s: %v, want %v", what, got, want)
	}
}
