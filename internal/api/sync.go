package api

import (
	"context"
	"io"
	"net/http"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/gitsync"
	"github.com/gantry-platform/gantry/internal/platform"
)

// syncRoutes are the template sync operations, under Proton's names. A template's sync
// configuration is at /v1/template-sync-configs/{templateType}/{templateName}; a linked
// repository's sync definitions and status under /v1/repository-syncs/{provider}/{owner}/{repo}.
func syncRoutes() []route {
	const cfg = "/v1/template-sync-configs/{templateType}/{templateName}"
	const repo = "/v1/repository-syncs/{provider}/{owner}/{repo}"
	return []route{
		{method: "POST", path: "/v1/template-sync-configs", operationID: "CreateTemplateSyncConfig", summary: "Follow a branch of a linked repository for a template: a commit changing [subdirectory/]<template>/v<N>/ registers the next minor of N (nothing for identical content), a new v<N> folder major N; a bad bundle records a FAILED sync naming file and line", access: adminOnly, request: "TemplateSyncConfig", response: "TemplateSyncConfig", status: 201, handle: (*handler).createTemplateSyncConfig},
		{method: "GET", path: cfg, operationID: "GetTemplateSyncConfig", summary: "Get a template's sync configuration", access: anyRole, response: "TemplateSyncConfig", status: 200, handle: (*handler).getTemplateSyncConfig},
		{method: "PUT", path: cfg, operationID: "UpdateTemplateSyncConfig", summary: "Point a template's sync configuration at another repository, branch or subdirectory", access: adminOnly, request: "TemplateSyncConfig", response: "TemplateSyncConfig", status: 200, handle: (*handler).updateTemplateSyncConfig},
		{method: "DELETE", path: cfg, operationID: "DeleteTemplateSyncConfig", summary: "Stop following a branch for a template (its versions stay)", access: adminOnly, response: "TemplateSyncConfig", status: 200, handle: (*handler).deleteTemplateSyncConfig},
		{method: "GET", path: cfg + "/status", operationID: "GetTemplateSyncStatus", summary: "The syncs of one major (?templateVersion=1): the latest, the latest successful, the desired state", access: anyRole, response: "ResourceSyncStatus", status: 200, query: []string{"templateVersion"}, handle: (*handler).getTemplateSyncStatus},
		{method: "GET", path: repo + "/definitions", operationID: "ListRepositorySyncDefinitions", summary: "What a linked repository is synced to, for ?syncType=TEMPLATE_SYNC or SERVICE_SYNC", access: anyRole, response: "RepositorySyncDefinitionList", status: 200, query: []string{"syncType", "nextToken", "maxResults"}, handle: (*handler).listRepositorySyncDefinitions},
		{method: "PUT", path: repo + "/webhook-secret", operationID: "PutRepositoryWebhookSecret", summary: "Set the secret that signs the repository's push webhooks (GitHub's and Bitbucket's HMAC key, GitLab's token), kept sealed", access: adminOnly, request: "RepositoryWebhookSecret", response: "RepositoryWebhook", status: 200, handle: (*handler).putWebhookSecret},
		{method: "POST", path: "/webhooks/{provider}", operationID: "ReceiveRepositoryWebhook", summary: "A provider's push webhook (GITHUB, GITHUB_ENTERPRISE, BITBUCKET): authenticated by its signature against the repository's webhook secret, not a token; each branch it moves starts the sync workflow of the configurations following it", access: public, response: "WebhookReceipt", status: 202, maxBody: 5 << 20, handle: (*handler).receiveWebhook},
		{method: "GET", path: repo + "/status", operationID: "GetRepositorySyncStatus", summary: "The latest sync of ?branch= of a linked repository for ?syncType=", access: anyRole, response: "RepositorySyncStatus", status: 200, query: []string{"branch", "syncType"}, handle: (*handler).getRepositorySyncStatus},
	}
}

// syncKind reads a sync's templateType (Proton's TemplateType: ENVIRONMENT or SERVICE).
func syncKind(t string) (platform.TemplateKind, error) {
	switch k := platform.TemplateKind(t); k {
	case platform.EnvironmentTemplate, platform.ServiceTemplate:
		return k, nil
	case "":
		return "", platform.FieldErrorf("templateType", "is required (ENVIRONMENT or SERVICE)")
	default:
		return "", platform.FieldErrorf("templateType", "%q is not a template type (ENVIRONMENT or SERVICE)", t)
	}
}

func viewTemplateSyncConfig(c platform.TemplateSyncConfig) apimodel.TemplateSyncConfig {
	return apimodel.TemplateSyncConfig{TemplateName: c.TemplateName, TemplateType: string(c.Kind), RepositoryProvider: string(c.Repository.Provider),
		RepositoryName: c.Repository.Name, Branch: c.Branch, Subdirectory: c.Subdirectory}
}

func viewSyncRevision(r platform.SyncRevision) apimodel.SyncRevision {
	return apimodel.SyncRevision{RepositoryProvider: string(r.Repository.Provider), RepositoryName: r.Repository.Name, Branch: r.Branch,
		Directory: r.Directory, Sha: r.Commit}
}

func viewSyncEvents(events []platform.SyncEvent) []apimodel.SyncEvent {
	out := make([]apimodel.SyncEvent, len(events))
	for i, e := range events {
		out[i] = apimodel.SyncEvent{Type: e.Type, Event: e.Event, ExternalID: e.ExternalID, Time: e.Time}
	}
	return out
}

func viewResourceSyncAttempt(a *platform.ResourceSyncAttempt) *apimodel.ResourceSyncAttempt {
	if a == nil {
		return nil
	}
	return &apimodel.ResourceSyncAttempt{Target: a.Target, InitialRevision: viewSyncRevision(a.InitialRevision),
		TargetRevision: viewSyncRevision(a.TargetRevision), Status: string(a.Status), StartedAt: a.StartedAt, Events: viewSyncEvents(a.Events)}
}

func viewResourceSyncStatus(st platform.ResourceSyncStatus) apimodel.ResourceSyncStatus {
	out := apimodel.ResourceSyncStatus{LatestSync: viewResourceSyncAttempt(st.Latest), LatestSuccessfulSync: viewResourceSyncAttempt(st.LatestSuccessful)}
	if st.DesiredState != nil {
		d := viewSyncRevision(*st.DesiredState)
		out.DesiredState = &d
	}
	return out
}

func templateSyncInput(in apimodel.TemplateSyncConfig) (control.TemplateSyncConfigInput, error) {
	kind, err := syncKind(in.TemplateType)
	return control.TemplateSyncConfigInput{Kind: kind, TemplateName: in.TemplateName,
		Repository: platform.RepositoryID{Provider: platform.RepositoryProvider(in.RepositoryProvider), Name: in.RepositoryName},
		Branch:     in.Branch, Subdirectory: in.Subdirectory}, err
}

func (h *handler) createTemplateSyncConfig(w http.ResponseWriter, r *http.Request) error {
	var body apimodel.TemplateSyncConfig
	if err := decode(r, &body); err != nil {
		return err
	}
	in, err := templateSyncInput(body)
	if err != nil {
		return err
	}
	c, err := h.svc.CreateTemplateSyncConfig(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewTemplateSyncConfig(c))
	return nil
}

// syncTemplate reads the {templateType} and {templateName} of a sync configuration's path.
func syncTemplate(r *http.Request) (platform.TemplateKind, string, error) {
	kind, err := syncKind(r.PathValue("templateType"))
	return kind, r.PathValue("templateName"), err
}

func (h *handler) getTemplateSyncConfig(w http.ResponseWriter, r *http.Request) error {
	kind, name, err := syncTemplate(r)
	if err != nil {
		return err
	}
	c, err := h.svc.GetTemplateSyncConfig(r.Context(), kind, name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewTemplateSyncConfig(c))
	return nil
}

func (h *handler) updateTemplateSyncConfig(w http.ResponseWriter, r *http.Request) error {
	var body apimodel.TemplateSyncConfig
	if err := decode(r, &body); err != nil {
		return err
	}
	kind, name, err := syncTemplate(r)
	if err != nil {
		return err
	}
	if body.TemplateType != "" && body.TemplateType != string(kind) || body.TemplateName != "" && body.TemplateName != name {
		return platform.Errorf(platform.Invalid, "the body's templateType and templateName, when given, must be the path's (%s %s)", kind, name)
	}
	body.TemplateType, body.TemplateName = string(kind), name
	in, err := templateSyncInput(body)
	if err != nil {
		return err
	}
	c, err := h.svc.UpdateTemplateSyncConfig(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewTemplateSyncConfig(c))
	return nil
}

func (h *handler) deleteTemplateSyncConfig(w http.ResponseWriter, r *http.Request) error {
	kind, name, err := syncTemplate(r)
	if err != nil {
		return err
	}
	c, err := h.svc.DeleteTemplateSyncConfig(r.Context(), kind, name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewTemplateSyncConfig(c))
	return nil
}

func (h *handler) getTemplateSyncStatus(w http.ResponseWriter, r *http.Request) error {
	kind, name, err := syncTemplate(r)
	if err != nil {
		return err
	}
	major := r.URL.Query().Get("templateVersion")
	if err := required("templateVersion", major); err != nil {
		return err
	}
	st, err := h.svc.GetTemplateSyncStatus(r.Context(), kind, name, major)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewResourceSyncStatus(st))
	return nil
}

// syncRepository reads the repository of a repository-syncs path.
func syncRepository(r *http.Request) platform.RepositoryID {
	return platform.RepositoryID{Provider: platform.RepositoryProvider(r.PathValue("provider")), Name: r.PathValue("owner") + "/" + r.PathValue("repo")}
}

func (h *handler) listRepositorySyncDefinitions(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	defs, err := h.svc.ListRepositorySyncDefinitions(r.Context(), syncRepository(r), platform.SyncType(r.URL.Query().Get("syncType")), p)
	if err != nil {
		return err
	}
	out := apimodel.List[apimodel.RepositorySyncDefinition]{Items: []apimodel.RepositorySyncDefinition{}, NextToken: defs.NextToken}
	for _, d := range defs.Items {
		out.Items = append(out.Items, apimodel.RepositorySyncDefinition(d))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func viewRepositorySyncStatus(a *platform.RepositorySyncAttempt) apimodel.RepositorySyncStatus {
	if a == nil {
		return apimodel.RepositorySyncStatus{}
	}
	return apimodel.RepositorySyncStatus{LatestSync: &apimodel.RepositorySyncAttempt{Sha: a.Commit, Status: string(a.Status),
		StartedAt: a.StartedAt, Events: viewSyncEvents(a.Events)}}
}

func (h *handler) getRepositorySyncStatus(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	a, err := h.svc.GetRepositorySyncStatus(r.Context(), syncRepository(r), q.Get("branch"), platform.SyncType(q.Get("syncType")))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewRepositorySyncStatus(a))
	return nil
}

func (h *handler) putWebhookSecret(w http.ResponseWriter, r *http.Request) error {
	var in apimodel.RepositoryWebhookSecret
	if err := decode(r, &in); err != nil {
		return err
	}
	repo := syncRepository(r)
	if err := h.svc.SetWebhookSecret(r.Context(), repo, in.Secret); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apimodel.RepositoryWebhook{RepositoryProvider: string(repo.Provider), RepositoryName: repo.Name,
		Path: "/webhooks/" + string(repo.Provider)})
	return nil
}

func (h *handler) receiveWebhook(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	provider := r.PathValue("provider")
	secretFor := func(ctx context.Context, provider, repository string) ([]byte, error) {
		return h.svc.WebhookSecret(ctx, platform.RepositoryID{Provider: platform.RepositoryProvider(provider), Name: repository})
	}
	pushes, err := gitsync.ReceivePush(r.Context(), provider, r.Header, body, secretFor)
	if err != nil {
		return err
	}
	receipt := apimodel.WebhookReceipt{Syncs: []string{}}
	for _, p := range pushes {
		keys, err := h.svc.ReceivePush(r.Context(), platform.RepositoryID{Provider: platform.RepositoryProvider(p.Provider), Name: p.Repository}, p.Branch, p.Commit)
		if err != nil {
			return err
		}
		receipt.Syncs = append(receipt.Syncs, keys...)
	}
	writeJSON(w, http.StatusAccepted, receipt)
	return nil
}

// syncSchemas are the schemas of the sync operations.
func syncSchemas(name map[string]any) map[string]any {
	revision := object([]string{"repositoryProvider", "repositoryName", "branch", "directory", "sha"}, map[string]any{
		"repositoryProvider": str(), "repositoryName": str(), "branch": str(), "directory": str(), "sha": str()})
	event := object([]string{"type", "event", "time"}, map[string]any{"type": str(), "event": str(), "externalId": str(), "time": dateTime()})
	events := map[string]any{"type": "array", "items": event}
	status := enum("INITIATED", "IN_PROGRESS", "SUCCEEDED", "FAILED")
	attempt := object([]string{"target", "initialRevision", "targetRevision", "status", "startedAt", "events"}, map[string]any{
		"target": str(), "initialRevision": revision, "targetRevision": revision, "status": status, "startedAt": dateTime(), "events": events})
	return map[string]any{
		"TemplateSyncConfig": object([]string{"templateName", "templateType", "repositoryProvider", "repositoryName", "branch"}, map[string]any{
			"templateName": name, "templateType": enum("ENVIRONMENT", "SERVICE"), "repositoryProvider": enum("GITHUB", "GITHUB_ENTERPRISE", "BITBUCKET"),
			"repositoryName": map[string]any{"type": "string", "maxLength": 100, "description": "owner/repository"},
			"branch":         map[string]any{"type": "string", "maxLength": 200}, "subdirectory": map[string]any{"type": "string", "maxLength": 4096}}),
		"ResourceSyncStatus":           object(nil, map[string]any{"latestSync": attempt, "latestSuccessfulSync": attempt, "desiredState": revision}),
		"RepositorySyncDefinitionList": list("RepositorySyncDefinition"),
		"RepositorySyncDefinition": object([]string{"branch", "directory", "parent", "target"}, map[string]any{
			"branch": str(), "directory": str(), "parent": str(), "target": str()}),
		"RepositoryWebhookSecret": object([]string{"secret"}, map[string]any{"secret": map[string]any{"type": "string", "minLength": 16, "maxLength": 256}}),
		"RepositoryWebhook": object([]string{"repositoryProvider", "repositoryName", "path"}, map[string]any{"repositoryProvider": str(), "repositoryName": str(),
			"path": map[string]any{"type": "string", "description": "where the provider is to deliver push events"}}),
		"WebhookReceipt": object([]string{"syncs"}, map[string]any{"syncs": map[string]any{"type": "array", "items": str(), "description": "the sync configurations whose workflow the push started"}}),
		"RepositorySyncStatus": object(nil, map[string]any{"latestSync": object([]string{"status", "startedAt", "events"}, map[string]any{
			"sha": str(), "status": enum("INITIATED", "IN_PROGRESS", "SUCCEEDED", "FAILED", "QUEUED"), "startedAt": dateTime(), "events": events})}),
	}
}
