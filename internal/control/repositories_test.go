package control_test

import (
	"testing"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
)

func TestRepositoriesAndAccountSettings(t *testing.T) {
	h := newHarness(t)
	admin := h.ctx
	dev := platform.WithCaller(t.Context(), platform.Caller{Subject: "bob", Roles: []platform.Role{platform.DeveloperRole}})
	conn := "arn:aws:codestar-connections:us-east-1:111122223333:connection/0a1b2c"
	in := control.CreateRepositoryInput{Provider: platform.GitHub, Name: "acme/infra", ConnectionARN: conn, Tags: map[string]string{"team": "platform"}}

	if _, err := h.svc.CreateRepository(dev, in); platform.KindOf(err) != platform.Forbidden {
		t.Fatalf("developer linking a repository: %v, want Forbidden", err)
	}
	for _, c := range []struct {
		change func(*control.CreateRepositoryInput)
		field  string
	}{
		{func(i *control.CreateRepositoryInput) { i.Provider = "GITLAB" }, "provider"},
		{func(i *control.CreateRepositoryInput) { i.Name = "no-owner" }, "name"},
		{func(i *control.CreateRepositoryInput) { i.Name = "acme/../etc" }, "name"},
		{func(i *control.CreateRepositoryInput) { i.ConnectionARN = "" }, "connectionArn"},
		{func(i *control.CreateRepositoryInput) { i.EncryptionKey = "key-1" }, "encryptionKey"},
		{func(i *control.CreateRepositoryInput) { i.Tags = map[string]string{"aws:x": "y"} }, `tags["aws:x"]`},
	} {
		bad := in
		c.change(&bad)
		if kind, field := fieldOf(mustFail(h.svc.CreateRepository(admin, bad))); kind != platform.Invalid || field != c.field {
			t.Errorf("%+v: %s on %q, want Invalid on %q", bad, kind, field, c.field)
		}
	}
	r, err := h.svc.CreateRepository(admin, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.CreateRepository(admin, in); platform.KindOf(err) != platform.Conflict {
		t.Fatalf("linking it twice: %v, want Conflict", err)
	}
	arn := h.svc.ARNScope().ARN(r.ID().Resource())
	if arn != "arn:aws:proton:us-east-1:000000000000:repository/github:acme/infra" {
		t.Fatalf("repository ARN = %s", arn)
	}
	tags, err := h.svc.ListTagsForResource(dev, arn)
	if err != nil || tags["team"] != "platform" {
		t.Fatalf("tags of %s = %v, %v", arn, tags, err)
	}
	if err := h.svc.TagResource(dev, arn, map[string]string{"cost": "1"}); platform.KindOf(err) != platform.Forbidden {
		t.Fatalf("developer tagging a repository: %v, want Forbidden", err)
	}
	got, err := h.svc.GetRepository(dev, platform.RepositoryID{Provider: platform.GitHub, Name: "acme/infra"})
	if err != nil || got.ConnectionARN != conn {
		t.Fatalf("GetRepository = %+v, %v", got, err)
	}
	if _, err := h.svc.GetRepository(dev, platform.RepositoryID{Provider: platform.Bitbucket, Name: "acme/infra"}); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("another provider's repository: %v, want NotFound", err)
	}

	// Account settings.
	branch := &platform.RepositoryBranch{Provider: platform.GitHub, Name: "acme/infra", Branch: "main"}
	role := "arn:aws:iam::111122223333:role/proton-pipelines"
	if _, err := h.svc.UpdateAccountSettings(dev, control.UpdateAccountSettingsInput{PipelineServiceRoleARN: &role}); platform.KindOf(err) != platform.Forbidden {
		t.Fatalf("developer changing the account settings: %v, want Forbidden", err)
	}
	notRole := "arn:aws:s3:::bucket"
	for _, c := range []struct {
		in    control.UpdateAccountSettingsInput
		field string
	}{
		{control.UpdateAccountSettingsInput{PipelineProvisioningRepository: branch, DeletePipelineProvisioningRepository: true}, "deletePipelineProvisioningRepository"},
		{control.UpdateAccountSettingsInput{PipelineProvisioningRepository: &platform.RepositoryBranch{Provider: platform.GitHub, Name: "acme/infra", Branch: "a..b"}}, "pipelineProvisioningRepository.branch"},
		{control.UpdateAccountSettingsInput{PipelineProvisioningRepository: &platform.RepositoryBranch{Provider: platform.GitHub, Name: "acme/other", Branch: "main"}}, "pipelineProvisioningRepository"},
		{control.UpdateAccountSettingsInput{PipelineCodebuildRoleARN: &notRole}, "pipelineCodebuildRoleArn"},
	} {
		if kind, field := fieldOf(mustFail(h.svc.UpdateAccountSettings(admin, c.in))); kind != platform.Invalid || field != c.field {
			t.Errorf("%+v: %s on %q, want Invalid on %q", c.in, kind, field, c.field)
		}
	}
	empty, err := h.svc.GetAccountSettings(dev)
	if err != nil || empty.PipelineProvisioningRepository != nil || empty.PipelineServiceRoleARN != "" {
		t.Fatalf("settings before any change = %+v, %v", empty, err)
	}
	s, err := h.svc.UpdateAccountSettings(admin, control.UpdateAccountSettingsInput{PipelineProvisioningRepository: branch, PipelineServiceRoleARN: &role})
	if err != nil || *s.PipelineProvisioningRepository != *branch || s.PipelineServiceRoleARN != role {
		t.Fatalf("UpdateAccountSettings = %+v, %v", s, err)
	}
	if _, err := h.svc.DeleteRepository(admin, r.ID()); platform.KindOf(err) != platform.Conflict {
		t.Fatalf("deleting the pipeline provisioning repository: %v, want Conflict", err)
	}
	// An empty role ARN removes it; a field not given is kept.
	none := ""
	s, err = h.svc.UpdateAccountSettings(admin, control.UpdateAccountSettingsInput{PipelineServiceRoleARN: &none})
	if err != nil || s.PipelineServiceRoleARN != "" || s.PipelineProvisioningRepository == nil {
		t.Fatalf("removing the service role = %+v, %v", s, err)
	}
	s, err = h.svc.UpdateAccountSettings(admin, control.UpdateAccountSettingsInput{DeletePipelineProvisioningRepository: true})
	if err != nil || s.PipelineProvisioningRepository != nil {
		t.Fatalf("removing the pipeline repository = %+v, %v", s, err)
	}

	if _, err := h.svc.DeleteRepository(dev, r.ID()); platform.KindOf(err) != platform.Forbidden {
		t.Fatalf("developer unlinking: %v, want Forbidden", err)
	}
	if _, err := h.svc.DeleteRepository(admin, r.ID()); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.DeleteRepository(admin, r.ID()); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("unlinking twice: %v, want NotFound", err)
	}
	if _, err := h.svc.ListTagsForResource(dev, arn); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("tags of an unlinked repository: %v, want NotFound", err)
	}
}

func mustFail[T any](_ T, err error) error { return err }
