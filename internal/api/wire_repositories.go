package api

import (
	"context"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
	pw "github.com/gantry-platform/gantry/internal/protonwire"
)

// repositoryWireOps are the wire protocol's repository and account-settings operations,
// on the same control-plane calls as their REST routes.
func repositoryWireOps() map[string]wireOp {
	return map[string]wireOp{
		"CreateRepository":      op(adminOnly, []string{"provider", "name", "connectionArn", "encryptionKey", "tags"}, (*handler).wCreateRepository),
		"GetRepository":         op(anyRole, []string{"provider", "name"}, (*handler).wGetRepository),
		"ListRepositories":      op(anyRole, []string{"maxResults", "nextToken"}, (*handler).wListRepositories),
		"DeleteRepository":      op(adminOnly, []string{"provider", "name"}, (*handler).wDeleteRepository),
		"GetAccountSettings":    op(anyRole, []string{}, (*handler).wGetAccountSettings),
		"UpdateAccountSettings": updateAccountSettingsOp(),
	}
}

// updateAccountSettingsOp decodes UpdateAccountSettings and also notes which role ARNs
// were sent: an empty one removes the role (Proton's rule), one left out is kept.
func updateAccountSettingsOp() wireOp {
	honoured := []string{"pipelineProvisioningRepository", "deletePipelineProvisioningRepository", "pipelineServiceRoleArn", "pipelineCodebuildRoleArn"}
	return opSent(adminOnly, honoured, (*handler).wUpdateAccountSettings)
}

func (h *handler) wRepository(r platform.Repository) *pw.Repository {
	v := viewRepository(h.arns, r)
	return &pw.Repository{ARN: v.ARN, ConnectionARN: v.ConnectionARN, EncryptionKey: v.EncryptionKey, Name: v.Name, Provider: v.Provider}
}

func (h *handler) wAccountSettings(s platform.AccountSettings) *pw.AccountSettings {
	return &pw.AccountSettings{PipelineServiceRoleARN: s.PipelineServiceRoleARN, PipelineCodebuildRoleARN: s.PipelineCodebuildRoleARN,
		PipelineProvisioningRepository: h.wRepositoryBranch(s.PipelineProvisioningRepository)}
}

func (h *handler) wRepositoryBranch(b *platform.RepositoryBranch) *pw.RepositoryBranch {
	v := viewRepositoryBranch(h.arns, b)
	if v == nil {
		return nil
	}
	return &pw.RepositoryBranch{ARN: v.ARN, Provider: v.Provider, Name: v.Name, Branch: v.Branch}
}

func wRepositoryBranchInput(b *pw.RepositoryBranchInput) *platform.RepositoryBranch {
	if b == nil {
		return nil
	}
	return &platform.RepositoryBranch{Provider: platform.RepositoryProvider(b.Provider), Name: b.Name, Branch: b.Branch}
}

func wRepositoryID(provider, name string) platform.RepositoryID {
	return platform.RepositoryID{Provider: platform.RepositoryProvider(provider), Name: name}
}

func (h *handler) wCreateRepository(ctx context.Context, in *pw.CreateRepositoryInput) (*pw.CreateRepositoryOutput, error) {
	tags, err := wTags("tags", in.Tags)
	if err != nil {
		return nil, err
	}
	r, err := h.svc.CreateRepository(ctx, control.CreateRepositoryInput{Provider: platform.RepositoryProvider(in.Provider), Name: in.Name,
		ConnectionARN: in.ConnectionARN, EncryptionKey: in.EncryptionKey, Tags: tags})
	if err != nil {
		return nil, err
	}
	return &pw.CreateRepositoryOutput{Repository: h.wRepository(r)}, nil
}

func (h *handler) wGetRepository(ctx context.Context, in *pw.GetRepositoryInput) (*pw.GetRepositoryOutput, error) {
	r, err := h.svc.GetRepository(ctx, wRepositoryID(in.Provider, in.Name))
	if err != nil {
		return nil, err
	}
	return &pw.GetRepositoryOutput{Repository: h.wRepository(r)}, nil
}

func (h *handler) wListRepositories(ctx context.Context, in *pw.ListRepositoriesInput) (*pw.ListRepositoriesOutput, error) {
	p, err := wirePage(in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	list, err := h.svc.ListRepositories(ctx, p)
	if err != nil {
		return nil, err
	}
	out := &pw.ListRepositoriesOutput{Repositories: []pw.RepositorySummary{}, NextToken: list.NextToken}
	for _, r := range list.Items {
		v := h.wRepository(r)
		out.Repositories = append(out.Repositories, pw.RepositorySummary{ARN: v.ARN, ConnectionARN: v.ConnectionARN, Name: v.Name, Provider: v.Provider})
	}
	return out, nil
}

func (h *handler) wDeleteRepository(ctx context.Context, in *pw.DeleteRepositoryInput) (*pw.DeleteRepositoryOutput, error) {
	r, err := h.svc.DeleteRepository(ctx, wRepositoryID(in.Provider, in.Name))
	if err != nil {
		return nil, err
	}
	return &pw.DeleteRepositoryOutput{Repository: h.wRepository(r)}, nil
}

func (h *handler) wGetAccountSettings(ctx context.Context, _ *pw.GetAccountSettingsInput) (*pw.GetAccountSettingsOutput, error) {
	s, err := h.svc.GetAccountSettings(ctx)
	if err != nil {
		return nil, err
	}
	return &pw.GetAccountSettingsOutput{AccountSettings: h.wAccountSettings(s)}, nil
}

// wUpdateAccountSettings changes the role ARNs among the members sent.
func (h *handler) wUpdateAccountSettings(ctx context.Context, in *pw.UpdateAccountSettingsInput, sent sentMembers) (*pw.UpdateAccountSettingsOutput, error) {
	c := control.UpdateAccountSettingsInput{DeletePipelineProvisioningRepository: in.DeletePipelineProvisioningRepository != nil && *in.DeletePipelineProvisioningRepository,
		PipelineProvisioningRepository: wRepositoryBranchInput(in.PipelineProvisioningRepository),
		PipelineServiceRoleARN:         sent.sentString("pipelineServiceRoleArn", in.PipelineServiceRoleARN),
		PipelineCodebuildRoleARN:       sent.sentString("pipelineCodebuildRoleArn", in.PipelineCodebuildRoleARN)}
	s, err := h.svc.UpdateAccountSettings(ctx, c)
	if err != nil {
		return nil, err
	}
	return &pw.UpdateAccountSettingsOutput{AccountSettings: h.wAccountSettings(s)}, nil
}
