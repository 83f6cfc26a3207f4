package api

import (
	"context"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
	pw "github.com/gantry-platform/gantry/internal/protonwire"
)

// syncWireOps are the wire protocol's template sync operations, on the same control-plane
// calls as their REST routes.
func syncWireOps() map[string]wireOp {
	config := []string{"templateName", "templateType", "repositoryProvider", "repositoryName", "branch", "subdirectory"}
	return map[string]wireOp{
		"CreateTemplateSyncConfig":      op(adminOnly, config, (*handler).wCreateTemplateSyncConfig),
		"GetTemplateSyncConfig":         op(anyRole, []string{"templateName", "templateType"}, (*handler).wGetTemplateSyncConfig),
		"UpdateTemplateSyncConfig":      op(adminOnly, config, (*handler).wUpdateTemplateSyncConfig),
		"DeleteTemplateSyncConfig":      op(adminOnly, []string{"templateName", "templateType"}, (*handler).wDeleteTemplateSyncConfig),
		"GetTemplateSyncStatus":         op(anyRole, []string{"templateName", "templateType", "templateVersion"}, (*handler).wGetTemplateSyncStatus),
		"ListRepositorySyncDefinitions": op(anyRole, []string{"repositoryName", "repositoryProvider", "syncType", "nextToken"}, (*handler).wListRepositorySyncDefinitions),
		"GetRepositorySyncStatus":       op(anyRole, []string{"repositoryName", "repositoryProvider", "branch", "syncType"}, (*handler).wGetRepositorySyncStatus),
	}
}

func wTemplateSyncConfig(c platform.TemplateSyncConfig) *pw.TemplateSyncConfig {
	v := viewTemplateSyncConfig(c)
	return &pw.TemplateSyncConfig{Branch: v.Branch, RepositoryName: v.RepositoryName, RepositoryProvider: v.RepositoryProvider,
		Subdirectory: v.Subdirectory, TemplateName: v.TemplateName, TemplateType: v.TemplateType}
}

func wTemplateSyncInput(templateType, templateName, provider, name, branch, subdirectory string) (control.TemplateSyncConfigInput, error) {
	kind, err := syncKind(templateType)
	return control.TemplateSyncConfigInput{Kind: kind, TemplateName: templateName,
		Repository: platform.RepositoryID{Provider: platform.RepositoryProvider(provider), Name: name}, Branch: branch, Subdirectory: subdirectory}, err
}

func (h *handler) wCreateTemplateSyncConfig(ctx context.Context, in *pw.CreateTemplateSyncConfigInput) (*pw.CreateTemplateSyncConfigOutput, error) {
	sin, err := wTemplateSyncInput(in.TemplateType, in.TemplateName, in.RepositoryProvider, in.RepositoryName, in.Branch, in.Subdirectory)
	if err != nil {
		return nil, err
	}
	c, err := h.svc.CreateTemplateSyncConfig(ctx, sin)
	if err != nil {
		return nil, err
	}
	return &pw.CreateTemplateSyncConfigOutput{TemplateSyncConfig: wTemplateSyncConfig(c)}, nil
}

func (h *handler) wGetTemplateSyncConfig(ctx context.Context, in *pw.GetTemplateSyncConfigInput) (*pw.GetTemplateSyncConfigOutput, error) {
	kind, err := syncKind(in.TemplateType)
	if err != nil {
		return nil, err
	}
	c, err := h.svc.GetTemplateSyncConfig(ctx, kind, in.TemplateName)
	if err != nil {
		return nil, err
	}
	return &pw.GetTemplateSyncConfigOutput{TemplateSyncConfig: wTemplateSyncConfig(c)}, nil
}

func (h *handler) wUpdateTemplateSyncConfig(ctx context.Context, in *pw.UpdateTemplateSyncConfigInput) (*pw.UpdateTemplateSyncConfigOutput, error) {
	sin, err := wTemplateSyncInput(in.TemplateType, in.TemplateName, in.RepositoryProvider, in.RepositoryName, in.Branch, in.Subdirectory)
	if err != nil {
		return nil, err
	}
	c, err := h.svc.UpdateTemplateSyncConfig(ctx, sin)
	if err != nil {
		return nil, err
	}
	return &pw.UpdateTemplateSyncConfigOutput{TemplateSyncConfig: wTemplateSyncConfig(c)}, nil
}

func (h *handler) wDeleteTemplateSyncConfig(ctx context.Context, in *pw.DeleteTemplateSyncConfigInput) (*pw.DeleteTemplateSyncConfigOutput, error) {
	kind, err := syncKind(in.TemplateType)
	if err != nil {
		return nil, err
	}
	c, err := h.svc.DeleteTemplateSyncConfig(ctx, kind, in.TemplateName)
	if err != nil {
		return nil, err
	}
	return &pw.DeleteTemplateSyncConfigOutput{TemplateSyncConfig: wTemplateSyncConfig(c)}, nil
}

func wSyncRevision(r *platform.SyncRevision) *pw.Revision {
	if r == nil {
		return nil
	}
	v := viewSyncRevision(*r)
	return &pw.Revision{Branch: v.Branch, Directory: v.Directory, RepositoryName: v.RepositoryName, RepositoryProvider: v.RepositoryProvider, Sha: v.Sha}
}

func wResourceSyncAttempt(a *platform.ResourceSyncAttempt) *pw.ResourceSyncAttempt {
	if a == nil {
		return nil
	}
	out := &pw.ResourceSyncAttempt{Events: []pw.ResourceSyncEvent{}, InitialRevision: wSyncRevision(&a.InitialRevision), StartedAt: pw.At(a.StartedAt),
		Status: string(a.Status), Target: a.Target, TargetRevision: wSyncRevision(&a.TargetRevision)}
	for _, e := range a.Events {
		out.Events = append(out.Events, pw.ResourceSyncEvent{Event: e.Event, ExternalID: e.ExternalID, Time: pw.At(e.Time), Type: e.Type})
	}
	return out
}

func (h *handler) wGetTemplateSyncStatus(ctx context.Context, in *pw.GetTemplateSyncStatusInput) (*pw.GetTemplateSyncStatusOutput, error) {
	kind, err := syncKind(in.TemplateType)
	if err != nil {
		return nil, err
	}
	if err := required("templateVersion", in.TemplateVersion); err != nil {
		return nil, err
	}
	st, err := h.svc.GetTemplateSyncStatus(ctx, kind, in.TemplateName, in.TemplateVersion)
	if err != nil {
		return nil, err
	}
	return &pw.GetTemplateSyncStatusOutput{DesiredState: wSyncRevision(st.DesiredState), LatestSuccessfulSync: wResourceSyncAttempt(st.LatestSuccessful),
		LatestSync: wResourceSyncAttempt(st.Latest)}, nil
}

func (h *handler) wListRepositorySyncDefinitions(ctx context.Context, in *pw.ListRepositorySyncDefinitionsInput) (*pw.ListRepositorySyncDefinitionsOutput, error) {
	repo := platform.RepositoryID{Provider: platform.RepositoryProvider(in.RepositoryProvider), Name: in.RepositoryName}
	defs, err := h.svc.ListRepositorySyncDefinitions(ctx, repo, platform.SyncType(in.SyncType), platform.PageRequest{NextToken: in.NextToken})
	if err != nil {
		return nil, err
	}
	out := &pw.ListRepositorySyncDefinitionsOutput{SyncDefinitions: []pw.RepositorySyncDefinition{}, NextToken: defs.NextToken}
	for _, d := range defs.Items {
		out.SyncDefinitions = append(out.SyncDefinitions, pw.RepositorySyncDefinition{Branch: d.Branch, Directory: d.Directory, Parent: d.Parent, Target: d.Target})
	}
	return out, nil
}

func (h *handler) wGetRepositorySyncStatus(ctx context.Context, in *pw.GetRepositorySyncStatusInput) (*pw.GetRepositorySyncStatusOutput, error) {
	repo := platform.RepositoryID{Provider: platform.RepositoryProvider(in.RepositoryProvider), Name: in.RepositoryName}
	a, err := h.svc.GetRepositorySyncStatus(ctx, repo, in.Branch, platform.SyncType(in.SyncType))
	if err != nil || a == nil {
		return &pw.GetRepositorySyncStatusOutput{}, err
	}
	out := &pw.GetRepositorySyncStatusOutput{LatestSync: &pw.RepositorySyncAttempt{Events: []pw.RepositorySyncEvent{}, StartedAt: pw.At(a.StartedAt), Status: string(a.Status)}}
	for _, e := range a.Events {
		out.LatestSync.Events = append(out.LatestSync.Events, pw.RepositorySyncEvent{Event: e.Event, ExternalID: e.ExternalID, Time: pw.At(e.Time), Type: e.Type})
	}
	return out, nil
}
