package local

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/proton"
	"github.com/aws/aws-sdk-go-v2/service/proton/types"

	"github.com/gantry-platform/gantry/internal/platform"
)

// TestProtonSDKRepositories links repositories and sets the account settings through the
// official Go client: Proton's shapes, ARNs, paginator, typed errors, and
// UpdateAccountSettings keeping what a request leaves out.
func TestProtonSDKRepositories(t *testing.T) {
	ctx := t.Context()
	w := newWirePlatform(t)
	admin := w.client(t, platform.AdminRole)
	dev := w.client(t, platform.DeveloperRole)
	conn := aws.String("arn:aws:codestar-connections:us-east-1:111122223333:connection/0a1b2c")

	_, err := dev.CreateRepository(ctx, &proton.CreateRepositoryInput{Provider: types.RepositoryProviderGithub, Name: aws.String("acme/infra"), ConnectionArn: conn})
	wantAPIError(t, err, "AccessDeniedException")
	_, err = admin.CreateRepository(ctx, &proton.CreateRepositoryInput{Provider: types.RepositoryProviderGithub, Name: aws.String("no-slash"), ConnectionArn: conn})
	wantAPIError(t, err, "ValidationException")
	for _, name := range []string{"acme/infra", "acme/apps", "acme/web"} {
		out, err := admin.CreateRepository(ctx, &proton.CreateRepositoryInput{Provider: types.RepositoryProviderGithub, Name: aws.String(name), ConnectionArn: conn,
			Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("platform")}}})
		if err != nil {
			t.Fatal(err)
		}
		if want := "arn:aws:proton:us-east-1:" + AccountID + ":repository/github:" + name; aws.ToString(out.Repository.Arn) != want {
			t.Fatalf("repository ARN = %s, want %s", aws.ToString(out.Repository.Arn), want)
		}
	}
	_, err = admin.CreateRepository(ctx, &proton.CreateRepositoryInput{Provider: types.RepositoryProviderGithub, Name: aws.String("acme/infra"), ConnectionArn: conn})
	wantAPIError(t, err, "ConflictException")

	got, err := dev.GetRepository(ctx, &proton.GetRepositoryInput{Provider: types.RepositoryProviderGithub, Name: aws.String("acme/infra")})
	if err != nil || aws.ToString(got.Repository.ConnectionArn) != aws.ToString(conn) || got.Repository.Provider != types.RepositoryProviderGithub {
		t.Fatalf("GetRepository = %+v, %v", got, err)
	}
	tags, err := dev.ListTagsForResource(ctx, &proton.ListTagsForResourceInput{ResourceArn: got.Repository.Arn})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != "platform" {
		t.Fatalf("tags of the repository = %+v, %v", tags, err)
	}
	_, err = dev.GetRepository(ctx, &proton.GetRepositoryInput{Provider: types.RepositoryProviderBitbucket, Name: aws.String("acme/infra")})
	wantAPIError(t, err, "ResourceNotFoundException")

	var names []string
	pages := proton.NewListRepositoriesPaginator(dev, &proton.ListRepositoriesInput{MaxResults: aws.Int32(2)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Repositories {
			names = append(names, aws.ToString(r.Name))
		}
	}
	if len(names) != 3 || names[0] != "acme/apps" || names[2] != "acme/web" {
		t.Fatalf("ListRepositories = %v, want the three by name", names)
	}

	role := aws.String("arn:aws:iam::111122223333:role/pipelines")
	_, err = dev.UpdateAccountSettings(ctx, &proton.UpdateAccountSettingsInput{PipelineServiceRoleArn: role})
	wantAPIError(t, err, "AccessDeniedException")
	set, err := admin.UpdateAccountSettings(ctx, &proton.UpdateAccountSettingsInput{PipelineServiceRoleArn: role,
		PipelineProvisioningRepository: &types.RepositoryBranchInput{Provider: types.RepositoryProviderGithub, Name: aws.String("acme/infra"), Branch: aws.String("main")}})
	if err != nil {
		t.Fatal(err)
	}
	if b := set.AccountSettings.PipelineProvisioningRepository; b == nil || aws.ToString(b.Branch) != "main" || aws.ToString(b.Arn) != aws.ToString(got.Repository.Arn) {
		t.Fatalf("UpdateAccountSettings = %+v", set.AccountSettings)
	}
	// A request leaving the service role out keeps it; an empty one removes it.
	kept, err := admin.UpdateAccountSettings(ctx, &proton.UpdateAccountSettingsInput{PipelineCodebuildRoleArn: aws.String("arn:aws:iam::111122223333:role/codebuild")})
	if err != nil || aws.ToString(kept.AccountSettings.PipelineServiceRoleArn) != aws.ToString(role) || kept.AccountSettings.PipelineProvisioningRepository == nil {
		t.Fatalf("settings after changing the codebuild role = %+v, %v", kept.AccountSettings, err)
	}
	_, err = admin.DeleteRepository(ctx, &proton.DeleteRepositoryInput{Provider: types.RepositoryProviderGithub, Name: aws.String("acme/infra")})
	wantAPIError(t, err, "ConflictException")
	cleared, err := admin.UpdateAccountSettings(ctx, &proton.UpdateAccountSettingsInput{PipelineServiceRoleArn: aws.String(""), DeletePipelineProvisioningRepository: aws.Bool(true)})
	if err != nil || cleared.AccountSettings.PipelineServiceRoleArn != nil || cleared.AccountSettings.PipelineProvisioningRepository != nil ||
		aws.ToString(cleared.AccountSettings.PipelineCodebuildRoleArn) == "" {
		t.Fatalf("settings after clearing = %+v, %v", cleared.AccountSettings, err)
	}
	read, err := dev.GetAccountSettings(ctx, &proton.GetAccountSettingsInput{})
	if err != nil || read.AccountSettings.PipelineProvisioningRepository != nil {
		t.Fatalf("GetAccountSettings = %+v, %v", read.AccountSettings, err)
	}
	deleted, err := admin.DeleteRepository(ctx, &proton.DeleteRepositoryInput{Provider: types.RepositoryProviderGithub, Name: aws.String("acme/infra")})
	if err != nil || aws.ToString(deleted.Repository.Name) != "acme/infra" {
		t.Fatalf("DeleteRepository = %+v, %v", deleted, err)
	}
	_, err = admin.DeleteRepository(ctx, &proton.DeleteRepositoryInput{Provider: types.RepositoryProviderGithub, Name: aws.String("acme/infra")})
	wantAPIError(t, err, "ResourceNotFoundException")
}
