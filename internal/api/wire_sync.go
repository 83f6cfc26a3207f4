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

// serviceSyncWireOps are the wire protocol's service sync operations.
func serviceSyncWireOps() map[string]wireOp {
	config := []string{"serviceName", "repositoryProvider", "repositoryName", "branch", "filePath"}
	return map[string]wireOp{
		"CreateServiceSyncConfig":      op(developer, config, (*handler).wCreateServiceSyncConfig),
		"GetServiceSyncConfig":         op(anyRole, []string{"serviceName"}, (*handler).wGetServiceSyncConfig),
		"UpdateServiceSyncConfig":      op(developer, config, (*handler).wUpdateServiceSyncConfig),
		"DeleteServiceSyncConfig":      op(developer, []string{"serviceName"}, (*handler).wDeleteServiceSyncConfig),
		"GetServiceInstanceSyncStatus": op(anyRole, []string{"serviceName", "serviceInstanceName"}, (*handler).wGetServiceInstanceSyncStatus),
		"GetServiceSyncBlockerSummary": op(anyRole, []string{"serviceName", "serviceInstanceName"}, (*handler).wGetServiceSyncBlockerSummary),
		"UpdateServiceSyncBlocker":     op(developer, []string{"id", "resolvedReason"}, (*handler).wUpdateServiceSyncBlocker),
	}
}

func wServiceSyncConfig(c platform.ServiceSyncConfig) *pw.ServiceSyncConfig {
	v := viewServiceSyncConfig(c)
	return &pw.ServiceSyncConfig{Branch: v.Branch, FilePath: v.FilePath, RepositoryName: v.RepositoryName, RepositoryProvider: v.RepositoryProvider, ServiceName: v.ServiceName}
}

func wServiceSyncInput(service, provider, name, branch, filePath string) control.ServiceSyncConfigInput {
	return control.ServiceSyncConfigInput{ServiceName: service, Branch: branch, FilePath: filePath,
		Repository: platform.RepositoryID{Provider: platform.RepositoryProvider(provider), Name: name}}
}

func (h *handler) wCreateServiceSyncConfig(ctx context.Context, in *pw.CreateServiceSyncConfigInput) (*pw.CreateServiceSyncConfigOutput, error) {
	c, err := h.svc.CreateServiceSyncConfig(ctx, wServiceSyncInput(in.ServiceName, in.RepositoryProvider, in.RepositoryName, in.Branch, in.FilePath))
	if err != nil {
		return nil, err
	}
	return &pw.CreateServiceSyncConfigOutput{ServiceSyncConfig: wServiceSyncConfig(c)}, nil
}

func (h *handler) wGetServiceSyncConfig(ctx context.Context, in *pw.GetServiceSyncConfigInput) (*pw.GetServiceSyncConfigOutput, error) {
	c, err := h.svc.GetServiceSyncConfig(ctx, in.ServiceName)
	if err != nil {
		return nil, err
	}
	return &pw.GetServiceSyncConfigOutput{ServiceSyncConfig: wServiceSyncConfig(c)}, nil
}

func (h *handler) wUpdateServiceSyncConfig(ctx context.Context, in *pw.UpdateServiceSyncConfigInput) (*pw.UpdateServiceSyncConfigOutput, error) {
	c, err := h.svc.UpdateServiceSyncConfig(ctx, wServiceSyncInput(in.ServiceName, in.RepositoryProvider, in.RepositoryName, in.Branch, in.FilePath))
	if err != nil {
		return nil, err
	}
	return &pw.UpdateServiceSyncConfigOutput{ServiceSyncConfig: wServiceSyncConfig(c)}, nil
}

func (h *handler) wDeleteServiceSyncConfig(ctx context.Context, in *pw.DeleteServiceSyncConfigInput) (*pw.DeleteServiceSyncConfigOutput, error) {
	c, err := h.svc.DeleteServiceSyncConfig(ctx, in.ServiceName)
	if err != nil {
		return nil, err
	}
	return &pw.DeleteServiceSyncConfigOutput{ServiceSyncConfig: wServiceSyncConfig(c)}, nil
}

func (h *handler) wGetServiceInstanceSyncStatus(ctx context.Context, in *pw.GetServiceInstanceSyncStatusInput) (*pw.GetServiceInstanceSyncStatusOutput, error) {
	st, err := h.svc.GetServiceInstanceSyncStatus(ctx, in.ServiceName, in.ServiceInstanceName)
	if err != nil {
		return nil, err
	}
	return &pw.GetServiceInstanceSyncStatusOutput{DesiredState: wSyncRevision(st.DesiredState), LatestSuccessfulSync: wResourceSyncAttempt(st.LatestSuccessful),
		LatestSync: wResourceSyncAttempt(st.Latest)}, nil
}

func wSyncBlocker(b platform.SyncBlocker) pw.SyncBlocker {
	v := viewSyncBlocker(b)
	out := pw.SyncBlocker{ID: v.ID, Type: v.Type, Status: v.Status, CreatedReason: v.CreatedReason, CreatedAt: pw.At(b.CreatedAt),
		ResolvedReason: v.ResolvedReason, ResolvedAt: pw.At(b.ResolvedAt), Contexts: []pw.SyncBlockerContext{}}
	for _, c := range v.Contexts {
		out.Contexts = append(out.Contexts, pw.SyncBlockerContext{Key: c.Key, Value: c.Value})
	}
	return out
}

func (h *handler) wGetServiceSyncBlockerSummary(ctx context.Context, in *pw.GetServiceSyncBlockerSummaryInput) (*pw.GetServiceSyncBlockerSummaryOutput, error) {
	blockers, err := h.svc.GetServiceSyncBlockerSummary(ctx, in.ServiceName, in.ServiceInstanceName)
	if err != nil {
		return nil, err
	}
	sum := &pw.ServiceSyncBlockerSummary{ServiceName: in.ServiceName, ServiceInstanceName: in.ServiceInstanceName, LatestBlockers: []pw.SyncBlocker{}}
	for _, b := range blockers {
		sum.LatestBlockers = append(sum.LatestBlockers, wSyncBlocker(b))
	}
	return &pw.GetServiceSyncBlockerSummaryOutput{ServiceSyncBlockerSummary: sum}, nil
}

func (h *handler) wUpdateServiceSyncBlocker(ctx context.Context, in *pw.UpdateServiceSyncBlockerInput) (*pw.UpdateServiceSyncBlockerOutput, error) {
	if err := required("id", in.ID); err != nil {
		return nil, err
	}
	b, err := h.svc.UpdateServiceSyncBlocker(ctx, in.ID, in.ResolvedReason)
	if err != nil {
		return nil, err
	}
	blocker := wSyncBlocker(b)
	return &pw.UpdateServiceSyncBlockerOutput{ServiceName: b.Service, ServiceInstanceName: b.Instance, ServiceSyncBlocker: &blocker}, nil
}
