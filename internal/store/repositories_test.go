package store_test

import (
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/store/storetest"
)

func TestRepositories(t *testing.T) {
	ctx := t.Context()
	s := storetest.NewStore(t)
	at := time.Date(2026, 12, 6, 5, 0, 0, 0, time.UTC)
	r := platform.Repository{Provider: platform.GitHub, Name: "acme/infra", ConnectionARN: "arn:aws:codestar-connections:us-east-1:111122223333:connection/abc",
		EncryptionKey: "arn:aws:kms:us-east-1:111122223333:key/k1", CreatedAt: at}
	mustOK(t, s.CreateRepository(ctx, r, map[string]string{"team": "platform"}))
	wantKind(t, s.CreateRepository(ctx, r, nil), platform.Conflict, "already exists")
	got, err := s.GetRepository(ctx, r.ID())
	mustOK(t, err)
	if got.Revision != 1 || got.ConnectionARN != r.ConnectionARN || got.EncryptionKey != r.EncryptionKey || !got.CreatedAt.Equal(at) {
		t.Fatalf("stored repository = %+v, want %+v with revision 1", got, r)
	}
	tags, err := s.ListTags(ctx, r.ID().Resource())
	mustOK(t, err)
	mustEqual(t, "tags stored with the repository", tags["team"], "platform")
	_, err = s.GetRepository(ctx, platform.RepositoryID{Provider: platform.Bitbucket, Name: "acme/infra"})
	wantKind(t, err, platform.NotFound, "not found")

	// The same name under another provider is another repository; lists go by provider, then name.
	other := r
	other.Provider = platform.Bitbucket
	mustOK(t, s.CreateRepository(ctx, other, nil))
	third := r
	third.Name = "acme/apps"
	mustOK(t, s.CreateRepository(ctx, third, nil))
	var ids []string
	next := ""
	for {
		page, err := s.ListRepositories(ctx, platform.PageRequest{Limit: 2, NextToken: next})
		mustOK(t, err)
		for _, it := range page.Items {
			ids = append(ids, it.ID().String())
		}
		if next = page.NextToken; next == "" {
			break
		}
	}
	mustEqual(t, "repositories listed", ids, []string{"BITBUCKET:acme/infra", "GITHUB:acme/apps", "GITHUB:acme/infra"})

	// Account settings: zero until saved; the pipeline repository must exist; a repository
	// named there cannot be deleted.
	settings, err := s.GetAccountSettings(ctx)
	mustOK(t, err)
	if settings.Revision != 0 || settings.PipelineProvisioningRepository != nil {
		t.Fatalf("settings never saved = %+v, want the zero settings", settings)
	}
	settings.PipelineProvisioningRepository = &platform.RepositoryBranch{Provider: platform.GitHub, Name: "acme/missing", Branch: "main"}
	wantKind(t, s.PutAccountSettings(ctx, settings), platform.NotFound, "repository GITHUB:acme/missing not found")
	settings.PipelineProvisioningRepository = &platform.RepositoryBranch{Provider: platform.GitHub, Name: "acme/infra", Branch: "main"}
	settings.PipelineServiceRoleARN = "arn:aws:iam::111122223333:role/pipelines"
	settings.UpdatedAt = at
	mustOK(t, s.PutAccountSettings(ctx, settings))
	wantKind(t, s.PutAccountSettings(ctx, settings), platform.Conflict, "changed by another request")
	saved, err := s.GetAccountSettings(ctx)
	mustOK(t, err)
	if saved.Revision != 1 || *saved.PipelineProvisioningRepository != *settings.PipelineProvisioningRepository ||
		saved.PipelineServiceRoleARN != settings.PipelineServiceRoleARN || !saved.UpdatedAt.Equal(at) {
		t.Fatalf("saved settings = %+v, want %+v", saved, settings)
	}
	wantKind(t, s.DeleteRepository(ctx, r.ID(), 1), platform.Conflict, "pipeline provisioning repository")
	mustOK(t, s.DeleteRepository(ctx, other.ID(), 1))

	saved.PipelineProvisioningRepository = nil
	mustOK(t, s.PutAccountSettings(ctx, saved))
	wantKind(t, s.DeleteRepository(ctx, r.ID(), 2), platform.Conflict, "changed by another request")
	mustOK(t, s.DeleteRepository(ctx, r.ID(), 1))
	wantKind(t, s.DeleteRepository(ctx, r.ID(), 1), platform.NotFound, "not found")
	tags, err = s.ListTags(ctx, r.ID().Resource())
	mustOK(t, err)
	mustEqual(t, "tags left after deletion", len(tags), 0)
}
