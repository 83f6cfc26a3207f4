package api

import (
	"net/http"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platform"
)

// provisionedResourceRoutes are Proton's four List*ProvisionedResources: the resources
// of a target's stack, a page at a time.
func provisionedResourceRoutes() []route {
	const summary = "The resources its stack provisioned (name = logical id, identifier = physical id); [] before its stack exists"
	list := func(kind platform.TargetKind) func(h *handler, w http.ResponseWriter, r *http.Request) error {
		return func(h *handler, w http.ResponseWriter, r *http.Request) error {
			target := platform.Target{Kind: kind, Environment: r.PathValue("name"), Service: r.PathValue("name"), Instance: r.PathValue("instance"), Component: r.PathValue("name")}
			return h.listProvisionedResources(w, r, target)
		}
	}
	listRoute := func(path, operationID, what string, kind platform.TargetKind) route {
		return route{method: "GET", path: path, operationID: operationID, summary: what + ": " + summary, access: anyRole,
			response: "ProvisionedResourceList", status: 200, query: []string{"nextToken"}, handle: list(kind)}
	}
	return []route{
		listRoute("/v1/environments/{name}/provisioned-resources", "ListEnvironmentProvisionedResources", "An environment's resources", platform.EnvironmentTarget),
		listRoute("/v1/services/{name}/instances/{instance}/provisioned-resources", "ListServiceInstanceProvisionedResources", "A service instance's resources", platform.ServiceInstanceTarget),
		listRoute("/v1/services/{name}/pipeline/provisioned-resources", "ListServicePipelineProvisionedResources", "A service pipeline's resources", platform.ServicePipelineTarget),
		listRoute("/v1/components/{name}/provisioned-resources", "ListComponentProvisionedResources", "A component's resources", platform.ComponentTarget),
	}
}

// provisionedResourceSchemas are the schemas of provisioned resources.
func provisionedResourceSchemas() map[string]any {
	return map[string]any{
		"ProvisionedResource": object([]string{"name", "provisioningEngine"}, map[string]any{
			"name":               map[string]any{"type": "string", "description": "the resource's logical id in the template"},
			"identifier":         map[string]any{"type": "string", "description": "the resource's physical id; absent while it is being created"},
			"provisioningEngine": enum(string(platform.CloudFormationEngine), string(platform.TerraformEngine))}),
		"ProvisionedResourceList": list("ProvisionedResource"),
	}
}

func (h *handler) listProvisionedResources(w http.ResponseWriter, r *http.Request, target platform.Target) error {
	page, err := h.svc.ListProvisionedResources(r.Context(), target, r.URL.Query().Get("nextToken"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewList(page, viewProvisionedResource))
	return nil
}

func viewProvisionedResource(p platform.ProvisionedResource) apimodel.ProvisionedResource {
	return apimodel.ProvisionedResource{Name: p.Name, Identifier: p.Identifier, ProvisioningEngine: p.ProvisioningEngine}
}
