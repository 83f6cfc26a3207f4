package store_test

import (
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/store/storetest"
)

func TestTemplateSyncConfigs(t *testing.T) {
	ctx := t.Context()
	s := storetest.NewStore(t)
	at := time.Date(2026, 12, 6, 5, 0, 0, 0, time.UTC)
	repo := platform.RepositoryID{Provider: platform.GitHub, Name: "acme/templates"}
	c := platform.TemplateSyncConfig{Kind: platform.ServiceTemplate, TemplateName: "api", Repository: repo, Branch: "main",
		Subdirectory: "proton", CreatedAt: at, UpdatedAt: at}
	mustOK(t, s.CreateTemplateSyncConfig(ctx, c))
	wantKind(t, s.CreateTemplateSyncConfig(ctx, c), platform.Conflict, "already exists")
	got, err := s.GetTemplateSyncConfig(ctx, platform.ServiceTemplate, "api")
	mustOK(t, err)
	if got.Revision != 1 || got.Repository != repo || got.Branch != "main" || got.Subdirectory != "proton" || !got.CreatedAt.Equal(at) {
		t.Fatalf("stored config = %+v", got)
	}
	_, err = s.GetTemplateSyncConfig(ctx, platform.EnvironmentTemplate, "api")
	wantKind(t, err, platform.NotFound, "not found")

	env := c
	env.Kind, env.TemplateName = platform.EnvironmentTemplate, "vpc"
	mustOK(t, s.CreateTemplateSyncConfig(ctx, env))
	elsewhere := c
	elsewhere.TemplateName, elsewhere.Repository = "worker", platform.RepositoryID{Provider: platform.Bitbucket, Name: "acme/templates"}
	mustOK(t, s.CreateTemplateSyncConfig(ctx, elsewhere))
	page, err := s.ListTemplateSyncConfigs(ctx, repo, platform.PageRequest{Limit: 1})
	mustOK(t, err)
	if len(page.Items) != 1 || page.Items[0].TemplateName != "vpc" || page.NextToken == "" {
		t.Fatalf("first page = %+v", page)
	}
	page, err = s.ListTemplateSyncConfigs(ctx, repo, platform.PageRequest{Limit: 1, NextToken: page.NextToken})
	mustOK(t, err)
	if len(page.Items) != 1 || page.Items[0].TemplateName != "api" {
		t.Fatalf("second page = %+v", page)
	}

	got.LastCommit = "abc"
	mustOK(t, s.UpdateTemplateSyncConfig(ctx, got))
	wantKind(t, s.UpdateTemplateSyncConfig(ctx, got), platform.Conflict, "changed")
	again, err := s.GetTemplateSyncConfig(ctx, platform.ServiceTemplate, "api")
	mustOK(t, err)
	mustEqual(t, "last commit", again.LastCommit, "abc")
	wantKind(t, s.DeleteTemplateSyncConfig(ctx, platform.ServiceTemplate, "api", 1), platform.Conflict, "changed")
	mustOK(t, s.DeleteTemplateSyncConfig(ctx, platform.ServiceTemplate, "api", 2))
	wantKind(t, s.DeleteTemplateSyncConfig(ctx, platform.ServiceTemplate, "api", 2), platform.NotFound, "not found")
}

func TestSyncClaimsAndStatuses(t *testing.T) {
	ctx := t.Context()
	s := storetest.NewStore(t)
	at := time.Date(2026, 12, 6, 5, 0, 0, 0, time.UTC)
	key := platform.TemplateSyncKey(platform.ServiceTemplate, "api")
	mustOK(t, s.ClaimSyncCommit(ctx, key, "c1", "webhook-run", at))
	wantKind(t, s.ClaimSyncCommit(ctx, key, "c1", "poller-run", at), platform.Conflict, "processed already")
	mustOK(t, s.ClaimSyncCommit(ctx, key, "c1", "webhook-run", at.Add(time.Second)))
	mustOK(t, s.ClaimSyncCommit(ctx, key, "c2", "poller-run", at))
	mustOK(t, s.ClaimSyncCommit(ctx, platform.TemplateSyncKey(platform.EnvironmentTemplate, "api"), "c1", "poller-run", at))

	status := platform.TemplateSyncStatusKey(platform.ServiceTemplate, "api", 1)
	_, err := s.GetResourceSyncStatus(ctx, status)
	wantKind(t, err, platform.NotFound, "not found")
	repo := platform.RepositoryID{Provider: platform.GitHub, Name: "acme/templates"}
	rev := platform.SyncRevision{Repository: repo, Branch: "main", Directory: "api/v1", Commit: "c1"}
	ok := platform.ResourceSyncAttempt{Target: "api", InitialRevision: rev, TargetRevision: rev, Status: platform.SyncSucceeded, StartedAt: at,
		Events: []platform.SyncEvent{{Type: "TEMPLATE_VERSION_REGISTERED", Event: "registered 1.1", ExternalID: "1.1", Time: at}}}
	mustOK(t, s.PutResourceSyncAttempt(ctx, status, ok, &rev))
	failedRev := rev
	failedRev.Commit = "c2"
	failed := platform.ResourceSyncAttempt{Target: "api", InitialRevision: failedRev, TargetRevision: failedRev, Status: platform.SyncFailed,
		StartedAt: at.Add(time.Minute), Events: []platform.SyncEvent{{Type: "BUNDLE_INVALID", Event: "schema/schema.yaml:3: bad", Time: at}}}
	mustOK(t, s.PutResourceSyncAttempt(ctx, status, failed, nil))
	got, err := s.GetResourceSyncStatus(ctx, status)
	mustOK(t, err)
	if got.Latest == nil || got.Latest.Status != platform.SyncFailed || got.Latest.TargetRevision.Commit != "c2" || got.Latest.Events[0].Event != "schema/schema.yaml:3: bad" {
		t.Fatalf("latest = %+v", got.Latest)
	}
	if got.LatestSuccessful == nil || got.LatestSuccessful.TargetRevision.Commit != "c1" || got.LatestSuccessful.Events[0].ExternalID != "1.1" ||
		!got.LatestSuccessful.Events[0].Time.Equal(at) || got.LatestSuccessful.TargetRevision.Repository != repo {
		t.Fatalf("latest successful = %+v", got.LatestSuccessful)
	}
	if got.DesiredState == nil || *got.DesiredState != rev {
		t.Fatalf("desired = %+v, want %+v", got.DesiredState, rev)
	}

	_, err = s.GetRepositorySyncAttempt(ctx, repo, "main", platform.TemplateSync)
	wantKind(t, err, platform.NotFound, "not found")
	a := platform.RepositorySyncAttempt{Commit: "c2", Status: platform.SyncFailed, StartedAt: at, Events: []platform.SyncEvent{{Type: "SYNC", Event: "x", Time: at}}}
	mustOK(t, s.PutRepositorySyncAttempt(ctx, repo, "main", platform.TemplateSync, a))
	ra, err := s.GetRepositorySyncAttempt(ctx, repo, "main", platform.TemplateSync)
	mustOK(t, err)
	if ra.Commit != "c2" || ra.Status != platform.SyncFailed || len(ra.Events) != 1 || !ra.StartedAt.Equal(at) {
		t.Fatalf("repository attempt = %+v", ra)
	}
	_, err = s.GetRepositorySyncAttempt(ctx, repo, "main", platform.ServiceSync)
	wantKind(t, err, platform.NotFound, "not found")
}
