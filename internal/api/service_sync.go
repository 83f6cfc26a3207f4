package api

import (
	"net/http"
	"sort"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
)

// serviceSyncRoutes are the service sync operations, under Proton's names.
func serviceSyncRoutes() []route {
	const cfg = "/v1/services/{name}/sync-config"
	return []route{
		{method: "POST", path: "/v1/service-sync-configs", operationID: "CreateServiceSyncConfig", summary: "Follow a service's proton-ops file (sync: services: <service>: <instance>: {branch, spec}): a commit on an instance's branch changing its spec file updates that instance", access: developer, request: "ServiceSyncConfig", response: "ServiceSyncConfig", status: 201, handle: (*handler).createServiceSyncConfig},
		{method: "GET", path: cfg, operationID: "GetServiceSyncConfig", summary: "Get a service's sync configuration", access: anyRole, response: "ServiceSyncConfig", status: 200, handle: (*handler).getServiceSyncConfig},
		{method: "PUT", path: cfg, operationID: "UpdateServiceSyncConfig", summary: "Point a service's sync configuration at another repository, branch or proton-ops file", access: developer, request: "ServiceSyncConfig", response: "ServiceSyncConfig", status: 200, handle: (*handler).updateServiceSyncConfig},
		{method: "DELETE", path: cfg, operationID: "DeleteServiceSyncConfig", summary: "Stop following a service's proton-ops file", access: developer, response: "ServiceSyncConfig", status: 200, handle: (*handler).deleteServiceSyncConfig},
		{method: "GET", path: "/v1/services/{name}/instances/{instance}/sync-status", operationID: "GetServiceInstanceSyncStatus", summary: "The syncs of a service instance: the latest, the latest successful, the desired state", access: anyRole, response: "ResourceSyncStatus", status: 200, handle: (*handler).getInstanceSyncStatus},
		{method: "GET", path: "/v1/services/{name}/sync-blockers", operationID: "GetServiceSyncBlockerSummary", summary: "The ACTIVE sync blockers of a service (?serviceInstanceName= for one instance's): a failed synced deployment or a change by hand stops its syncs", access: anyRole, response: "ServiceSyncBlockerSummary", status: 200, query: []string{"serviceInstanceName"}, handle: (*handler).getSyncBlockerSummary},
		{method: "PATCH", path: "/v1/sync-blockers/{id}", operationID: "UpdateServiceSyncBlocker", summary: "Resolve a sync blocker with a reason; the service's syncs go on", access: developer, request: "ResolveSyncBlocker", response: "ServiceSyncBlockerUpdate", status: 200, handle: (*handler).resolveSyncBlocker},
	}
}

func viewServiceSyncConfig(c platform.ServiceSyncConfig) apimodel.ServiceSyncConfig {
	return apimodel.ServiceSyncConfig{ServiceName: c.ServiceName, RepositoryProvider: string(c.Repository.Provider), RepositoryName: c.Repository.Name,
		Branch: c.Branch, FilePath: c.FilePath}
}

func serviceSyncInput(in apimodel.ServiceSyncConfig) control.ServiceSyncConfigInput {
	return control.ServiceSyncConfigInput{ServiceName: in.ServiceName, Branch: in.Branch, FilePath: in.FilePath,
		Repository: platform.RepositoryID{Provider: platform.RepositoryProvider(in.RepositoryProvider), Name: in.RepositoryName}}
}

func viewSyncBlocker(b platform.SyncBlocker) apimodel.SyncBlocker {
	v := apimodel.SyncBlocker{ID: b.ID, Type: b.Type, Status: string(b.Status), CreatedReason: b.CreatedReason, CreatedAt: b.CreatedAt,
		ResolvedReason: b.ResolvedReason, ResolvedAt: timePtr(b.ResolvedAt), Contexts: []apimodel.SyncBlockerContext{}}
	for k, val := range b.Contexts {
		v.Contexts = append(v.Contexts, apimodel.SyncBlockerContext{Key: k, Value: val})
	}
	sort.Slice(v.Contexts, func(i, j int) bool { return v.Contexts[i].Key < v.Contexts[j].Key })
	return v
}

func (h *handler) createServiceSyncConfig(w http.ResponseWriter, r *http.Request) error {
	var in apimodel.ServiceSyncConfig
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := h.svc.CreateServiceSyncConfig(r.Context(), serviceSyncInput(in))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewServiceSyncConfig(c))
	return nil
}

func (h *handler) getServiceSyncConfig(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.GetServiceSyncConfig(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewServiceSyncConfig(c))
	return nil
}

func (h *handler) updateServiceSyncConfig(w http.ResponseWriter, r *http.Request) error {
	var in apimodel.ServiceSyncConfig
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.ServiceName != "" && in.ServiceName != r.PathValue("name") {
		return platform.FieldErrorf("serviceName", "must be the path's (%s) when given", r.PathValue("name"))
	}
	in.ServiceName = r.PathValue("name")
	c, err := h.svc.UpdateServiceSyncConfig(r.Context(), serviceSyncInput(in))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewServiceSyncConfig(c))
	return nil
}

func (h *handler) deleteServiceSyncConfig(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.DeleteServiceSyncConfig(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewServiceSyncConfig(c))
	return nil
}

func (h *handler) getInstanceSyncStatus(w http.ResponseWriter, r *http.Request) error {
	st, err := h.svc.GetServiceInstanceSyncStatus(r.Context(), r.PathValue("name"), r.PathValue("instance"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewResourceSyncStatus(st))
	return nil
}

func (h *handler) getSyncBlockerSummary(w http.ResponseWriter, r *http.Request) error {
	service, instance := r.PathValue("name"), r.URL.Query().Get("serviceInstanceName")
	blockers, err := h.svc.GetServiceSyncBlockerSummary(r.Context(), service, instance)
	if err != nil {
		return err
	}
	out := apimodel.ServiceSyncBlockerSummary{ServiceName: service, ServiceInstanceName: instance, LatestBlockers: []apimodel.SyncBlocker{}}
	for _, b := range blockers {
		out.LatestBlockers = append(out.LatestBlockers, viewSyncBlocker(b))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (h *handler) resolveSyncBlocker(w http.ResponseWriter, r *http.Request) error {
	var in apimodel.ResolveSyncBlocker
	if err := decode(r, &in); err != nil {
		return err
	}
	b, err := h.svc.UpdateServiceSyncBlocker(r.Context(), r.PathValue("id"), in.ResolvedReason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apimodel.ServiceSyncBlockerUpdate{ServiceName: b.Service, ServiceInstanceName: b.Instance, ServiceSyncBlocker: viewSyncBlocker(b)})
	return nil
}

// serviceSyncSchemas are the schemas of the service sync operations.
func serviceSyncSchemas(name map[string]any) map[string]any {
	blocker := object([]string{"id", "type", "status", "createdReason", "createdAt", "contexts"}, map[string]any{
		"id": str(), "type": enum("AUTOMATED"), "status": enum("ACTIVE", "RESOLVED"), "createdReason": str(), "createdAt": dateTime(),
		"resolvedReason": str(), "resolvedAt": dateTime(),
		"contexts": map[string]any{"type": "array", "items": object([]string{"key", "value"}, map[string]any{"key": str(), "value": str()})}})
	return map[string]any{
		"ServiceSyncConfig": object([]string{"serviceName", "repositoryProvider", "repositoryName", "branch"}, map[string]any{
			"serviceName": name, "repositoryProvider": enum("GITHUB", "GITHUB_ENTERPRISE", "BITBUCKET"),
			"repositoryName": map[string]any{"type": "string", "maxLength": 100, "description": "owner/repository"},
			"branch":         map[string]any{"type": "string", "maxLength": 200},
			"filePath":       map[string]any{"type": "string", "maxLength": 4096, "description": "the proton-ops file, default proton-ops.yaml"}}),
		"ServiceSyncBlockerSummary": object([]string{"serviceName", "latestBlockers"}, map[string]any{"serviceName": str(), "serviceInstanceName": str(),
			"latestBlockers": map[string]any{"type": "array", "items": blocker}}),
		"ResolveSyncBlocker": object([]string{"resolvedReason"}, map[string]any{"resolvedReason": map[string]any{"type": "string", "minLength": 1}}),
		"ServiceSyncBlockerUpdate": object([]string{"serviceName", "serviceSyncBlocker"}, map[string]any{"serviceName": str(), "serviceInstanceName": str(),
			"serviceSyncBlocker": blocker}),
	}
}
