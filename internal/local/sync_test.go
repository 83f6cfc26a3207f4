package local

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/proton"
	"github.com/aws/aws-sdk-go-v2/service/proton/types"

	"github.com/gantry-platform/gantry/internal/apiclient"
	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/dynamolocal"
	"github.com/gantry-platform/gantry/internal/gitsync"
	"github.com/gantry-platform/gantry/internal/gitsync/gitsynctest"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/syncflow"
)

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// waitSyncs waits until every execution of the sync workflow has ended, and returns how
// many there were.
func waitSyncs(t *testing.T, p *Platform) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	executions := p.SyncRunner.List()
	for _, e := range executions {
		done, err := p.SyncRunner.Wait(ctx, e.ExecutionID)
		if err != nil || done.Status != "SUCCEEDED" {
			t.Fatalf("sync execution %s: %+v, %v", e.ExecutionID, done, err)
		}
	}
	return len(executions)
}

func envVersions(t *testing.T, c *proton.Client, name string) []string {
	t.Helper()
	out, err := c.ListEnvironmentTemplateVersions(t.Context(), &proton.ListEnvironmentTemplateVersionsInput{TemplateName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	var versions []string
	for _, v := range out.TemplateVersions {
		versions = append(versions, aws.ToString(v.MajorVersion)+"."+aws.ToString(v.MinorVersion))
	}
	return versions
}

// TestProtonSDKTemplateSync points a template sync at a repository holding the golden-path
// template vpc-ecs (templates/), through the official Go client: a push announced by a
// GitHub webhook with a real signature registers 1.1; the poller seeing the same commit
// registers nothing more; a broken bundle is a FAILED sync naming the file and line.
func TestProtonSDKTemplateSync(t *testing.T) {
	ctx := t.Context()
	repos := t.TempDir()
	p, err := Start(context.Background(), Config{DataDir: t.TempDir(), DynamoEndpoint: dynamolocal.Shared(t).Endpoint(),
		Table: fmt.Sprintf("gantry-sync-%d", time.Now().UnixNano()), RepositoriesDir: repos, Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	ts := httptest.NewServer(p.Handler)
	t.Cleanup(ts.Close)
	w := &wirePlatform{Platform: p, server: ts}
	admin := w.client(t, platform.AdminRole)
	dev := w.client(t, platform.DeveloperRole)
	adminCtx := platform.WithCaller(ctx, platform.Caller{Subject: "local-admin", Roles: []platform.Role{platform.AdminRole}})

	repo := platform.RepositoryID{Provider: platform.GitHub, Name: "acme/templates"}
	if _, err := p.Control.CreateRepository(adminCtx, control.CreateRepositoryInput{Provider: repo.Provider, Name: repo.Name,
		ConnectionARN: "arn:aws:codestar-connections:us-east-1:000000000000:connection/local"}); err != nil {
		t.Fatal(err)
	}
	const secret = "a-webhook-secret-of-the-repo"
	if err := p.Control.SetWebhookSecret(adminCtx, repo, secret); err != nil {
		t.Fatal(err)
	}
	remote := gitsynctest.NewRemoteAt(t, gitsync.LocalRepositoryPath(repos, repo))
	golden := filepath.Join("..", "..", "templates", "environments", "vpc-ecs", "v1")
	remote.Commit(t, "main", "vpc-ecs v1", gitsynctest.Files(t, golden, "environments/vpc-ecs/v1"))

	// The template and its 1.0, registered by hand from the same folder.
	if _, err := admin.CreateEnvironmentTemplate(ctx, &proton.CreateEnvironmentTemplateInput{Name: aws.String("vpc-ecs")}); err != nil {
		t.Fatal(err)
	}
	bundle, err := apiclient.BundleArchive(golden)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Control.CreateTemplateVersion(adminCtx, platform.EnvironmentTemplate, "vpc-ecs", control.CreateVersionInput{Bundle: bundle}); err != nil {
		t.Fatal(err)
	}

	sync := &proton.CreateTemplateSyncConfigInput{TemplateName: aws.String("vpc-ecs"), TemplateType: types.TemplateTypeEnvironment,
		RepositoryProvider: types.RepositoryProviderGithub, RepositoryName: aws.String(repo.Name), Branch: aws.String("main"), Subdirectory: aws.String("environments")}
	_, err = dev.CreateTemplateSyncConfig(ctx, sync)
	var denied *types.AccessDeniedException
	if !errors.As(err, &denied) {
		t.Fatalf("a developer's CreateTemplateSyncConfig: %v, want AccessDeniedException", err)
	}
	created, err := admin.CreateTemplateSyncConfig(ctx, sync)
	if err != nil || aws.ToString(created.TemplateSyncConfig.Subdirectory) != "environments" {
		t.Fatalf("CreateTemplateSyncConfig = %+v, %v", created, err)
	}
	got, err := dev.GetTemplateSyncConfig(ctx, &proton.GetTemplateSyncConfigInput{TemplateName: aws.String("vpc-ecs"), TemplateType: types.TemplateTypeEnvironment})
	if err != nil || aws.ToString(got.TemplateSyncConfig.Branch) != "main" {
		t.Fatalf("GetTemplateSyncConfig = %+v, %v", got, err)
	}

	// A push, announced by GitHub's webhook.
	schema := "environments/vpc-ecs/v1/schema/schema.yaml"
	changed := bytes.Replace(mustRead(t, filepath.Join(golden, "schema", "schema.yaml")), []byte("A VPC with"), []byte("A VPC, synced from git, with"), 1)
	commit := remote.Commit(t, "main", "describe the VPC", map[string][]byte{schema: changed})
	body, _ := json.Marshal(map[string]any{"ref": "refs/heads/main", "after": commit, "repository": map[string]any{"full_name": repo.Name}})
	post := func(signature string) (int, string) {
		req, _ := http.NewRequest("POST", w.server.URL+"/webhooks/GITHUB", bytes.NewReader(body))
		req.Header.Set("X-GitHub-Event", "push")
		req.Header.Set("X-Hub-Signature-256", signature)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		answer, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(answer)
	}
	if status, answer := post("sha256=" + hex.EncodeToString(gitsync.Sign([]byte("not-the-secret"), body))); status != 401 {
		t.Fatalf("a webhook signed with another secret: %d %s", status, answer)
	}
	if status, answer := post("sha256=" + hex.EncodeToString(gitsync.Sign([]byte(secret), body))); status != 202 || !strings.Contains(answer, "TEMPLATE_SYNC:ENVIRONMENT:vpc-ecs") {
		t.Fatalf("the webhook: %d %s", status, answer)
	}
	waitSyncs(t, p)
	if v := envVersions(t, admin, "vpc-ecs"); strings.Join(v, ",") != "1.1,1.0" {
		t.Fatalf("versions after the push: %v, want 1.1 and 1.0", v)
	}

	// The poller sees the same head: the same execution, nothing registered again.
	poller := syncflow.NewPoller(p.Control, p.Sources)
	if err := poller.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if n := waitSyncs(t, p); n != 1 {
		t.Fatalf("%d sync executions after the webhook and the poller saw one commit, want 1", n)
	}
	if v := envVersions(t, admin, "vpc-ecs"); strings.Join(v, ",") != "1.1,1.0" {
		t.Fatalf("versions after the poller: %v", v)
	}
	st, err := dev.GetTemplateSyncStatus(ctx, &proton.GetTemplateSyncStatusInput{TemplateName: aws.String("vpc-ecs"), TemplateType: types.TemplateTypeEnvironment, TemplateVersion: aws.String("1")})
	if err != nil || st.LatestSync == nil || st.LatestSync.Status != types.ResourceSyncStatusSucceeded || aws.ToString(st.LatestSync.TargetRevision.Sha) != commit {
		t.Fatalf("GetTemplateSyncStatus = %+v, %v", st, err)
	}

	// A broken schema, found by the poller alone: FAILED, naming the file and line.
	broken := remote.Commit(t, "main", "break it", map[string][]byte{schema: []byte("schema:\n  format: [\n")})
	if err := poller.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	waitSyncs(t, p)
	if v := envVersions(t, admin, "vpc-ecs"); strings.Join(v, ",") != "1.1,1.0" {
		t.Fatalf("versions after a broken commit: %v", v)
	}
	st, err = dev.GetTemplateSyncStatus(ctx, &proton.GetTemplateSyncStatusInput{TemplateName: aws.String("vpc-ecs"), TemplateType: types.TemplateTypeEnvironment, TemplateVersion: aws.String("1")})
	if err != nil || st.LatestSync.Status != types.ResourceSyncStatusFailed || aws.ToString(st.LatestSuccessfulSync.TargetRevision.Sha) != commit {
		t.Fatalf("GetTemplateSyncStatus after a broken commit = %+v, %v", st, err)
	}
	last := st.LatestSync.Events[len(st.LatestSync.Events)-1]
	if !strings.Contains(aws.ToString(last.Event), "schema/schema.yaml:2") {
		t.Fatalf("the failure does not name the file and line: %q", aws.ToString(last.Event))
	}
	rs, err := dev.GetRepositorySyncStatus(ctx, &proton.GetRepositorySyncStatusInput{RepositoryName: aws.String(repo.Name), RepositoryProvider: types.RepositoryProviderGithub,
		Branch: aws.String("main"), SyncType: types.SyncTypeTemplateSync})
	if err != nil || rs.LatestSync == nil || rs.LatestSync.Status != types.RepositorySyncStatusFailed || aws.ToString(rs.LatestSync.Events[0].ExternalId) != broken {
		t.Fatalf("GetRepositorySyncStatus = %+v, %v", rs, err)
	}
	defs, err := dev.ListRepositorySyncDefinitions(ctx, &proton.ListRepositorySyncDefinitionsInput{RepositoryName: aws.String(repo.Name),
		RepositoryProvider: types.RepositoryProviderGithub, SyncType: types.SyncTypeTemplateSync})
	if err != nil || len(defs.SyncDefinitions) != 1 || aws.ToString(defs.SyncDefinitions[0].Target) != "vpc-ecs" {
		t.Fatalf("ListRepositorySyncDefinitions = %+v, %v", defs, err)
	}
	if _, err := admin.UpdateTemplateSyncConfig(ctx, &proton.UpdateTemplateSyncConfigInput{TemplateName: aws.String("vpc-ecs"), TemplateType: types.TemplateTypeEnvironment,
		RepositoryProvider: types.RepositoryProviderGithub, RepositoryName: aws.String(repo.Name), Branch: aws.String("release")}); err != nil {
		t.Fatal(err)
	}
	// Service sync operations on the wire: Proton's errors for what does not exist.
	_, err = dev.CreateServiceSyncConfig(ctx, &proton.CreateServiceSyncConfigInput{ServiceName: aws.String("nope"), RepositoryProvider: types.RepositoryProviderGithub,
		RepositoryName: aws.String(repo.Name), Branch: aws.String("main"), FilePath: aws.String("proton-ops.yaml")})
	wantAPIError(t, err, "ResourceNotFoundException")
	_, err = dev.UpdateServiceSyncBlocker(ctx, &proton.UpdateServiceSyncBlockerInput{Id: aws.String("0f8fad5b-d9cb-469f-a165-70867728950e"), ResolvedReason: aws.String("fixed")})
	wantAPIError(t, err, "ResourceNotFoundException")
	_, err = dev.GetServiceSyncBlockerSummary(ctx, &proton.GetServiceSyncBlockerSummaryInput{ServiceName: aws.String("nope")})
	wantAPIError(t, err, "ResourceNotFoundException")
	deleted, err := admin.DeleteTemplateSyncConfig(ctx, &proton.DeleteTemplateSyncConfigInput{TemplateName: aws.String("vpc-ecs"), TemplateType: types.TemplateTypeEnvironment})
	if err != nil || aws.ToString(deleted.TemplateSyncConfig.Branch) != "release" {
		t.Fatalf("DeleteTemplateSyncConfig = %+v, %v", deleted, err)
	}
	_, err = dev.GetTemplateSyncConfig(ctx, &proton.GetTemplateSyncConfigInput{TemplateName: aws.String("vpc-ecs"), TemplateType: types.TemplateTypeEnvironment})
	var missing *types.ResourceNotFoundException
	if !errors.As(err, &missing) {
		t.Fatalf("GetTemplateSyncConfig after the delete: %v, want ResourceNotFoundException", err)
	}
}
