package api

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
)

// routes is the API: every operation, once.
func routes() []route {
	rs := []route{
		{method: "GET", path: "/healthz", operationID: "Health", summary: "Health of the API and its dependencies: 200, or 503 naming the dependency down (no authentication)", access: public, response: "Health", status: 200, handle: (*handler).health},
		{method: "GET", path: "/openapi.json", operationID: "GetOpenAPI", summary: "This API's OpenAPI document", access: anyRole, response: "OpenAPI", status: 200, handle: (*handler).openAPI},
	}
	for _, k := range []struct {
		kind platform.TemplateKind
		path string
		noun string
	}{{platform.EnvironmentTemplate, "/v1/environment-templates", "EnvironmentTemplate"}, {platform.ServiceTemplate, "/v1/service-templates", "ServiceTemplate"}} {
		kind := k.kind
		rs = append(rs,
			route{method: "POST", path: k.path, operationID: "Create" + k.noun, summary: "Create a template", access: adminOnly, request: "CreateTemplate", response: "Template", status: 201,
				handle: func(h *handler, w http.ResponseWriter, r *http.Request) error { return h.createTemplate(w, r, kind) }},
			route{method: "GET", path: k.path, operationID: "List" + k.noun + "s", summary: "List templates", access: anyRole, response: "TemplateList", status: 200, query: []string{"maxResults", "nextToken"},
				handle: func(h *handler, w http.ResponseWriter, r *http.Request) error { return h.listTemplates(w, r, kind) }},
			route{method: "GET", path: k.path + "/{name}", operationID: "Get" + k.noun, summary: "Get a template", access: anyRole, response: "Template", status: 200,
				handle: func(h *handler, w http.ResponseWriter, r *http.Request) error { return h.getTemplate(w, r, kind) }},
			route{method: "PATCH", path: k.path + "/{name}", operationID: "Update" + k.noun, summary: "Change a template's display name, description or recommended version (major.minor pins a published version; latest unpins)", access: adminOnly, request: "UpdateTemplate", response: "Template", status: 200,
				handle: func(h *handler, w http.ResponseWriter, r *http.Request) error { return h.updateTemplate(w, r, kind) }},
			route{method: "DELETE", path: k.path + "/{name}", operationID: "Delete" + k.noun, summary: "Delete a template that has no versions left (409 while any exists)", access: adminOnly, response: "Template", status: 200,
				handle: func(h *handler, w http.ResponseWriter, r *http.Request) error { return h.deleteTemplate(w, r, kind) }},
			route{method: "POST", path: k.path + "/{name}/versions", operationID: "Create" + k.noun + "Version", summary: "Register a bundle (.tar.gz body) as a new version: the next minor of ?majorVersion, else a new major; checked as gantry validate checks (400 naming file and line; the version stays as REGISTRATION_FAILED); an identical bundle under the same major returns its version", access: adminOnly, request: "bundle", response: "TemplateVersion", status: 201, query: []string{"majorVersion", "description", "compatibleEnvironmentTemplates", "supportedComponentSources", "clientToken"},
				handle: func(h *handler, w http.ResponseWriter, r *http.Request) error { return h.createVersion(w, r, kind) }},
			route{method: "GET", path: k.path + "/{name}/versions", operationID: "List" + k.noun + "Versions", summary: "List a template's versions, highest first", access: anyRole, response: "TemplateVersionList", status: 200, query: []string{"maxResults", "nextToken"},
				handle: func(h *handler, w http.ResponseWriter, r *http.Request) error { return h.listVersions(w, r, kind) }},
			route{method: "GET", path: k.path + "/{name}/versions/{version}", operationID: "Get" + k.noun + "Version", summary: "Get a version (major.minor) with its schema", access: anyRole, response: "TemplateVersion", status: 200,
				handle: func(h *handler, w http.ResponseWriter, r *http.Request) error { return h.getVersion(w, r, kind) }},
			route{method: "POST", path: k.path + "/{name}/versions/{version}/publish", operationID: "Publish" + k.noun + "Version", summary: "Publish a version", access: adminOnly, response: "TemplateVersion", status: 200,
				handle: func(h *handler, w http.ResponseWriter, r *http.Request) error { return h.publishVersion(w, r, kind) }},
			route{method: "PATCH", path: k.path + "/{name}/versions/{version}", operationID: "Update" + k.noun + "Version", summary: "Change a version's description, status (DRAFT → PUBLISHED ⇄ DEPRECATED), compatible environment templates or supported component sources", access: adminOnly, request: "UpdateTemplateVersion", response: "TemplateVersion", status: 200,
				handle: func(h *handler, w http.ResponseWriter, r *http.Request) error { return h.updateVersion(w, r, kind) }},
			route{method: "DELETE", path: k.path + "/{name}/versions/{version}", operationID: "Delete" + k.noun + "Version", summary: "Delete a version nothing runs (409 naming its users, or for Proton's rule on recommended versions); its bundle goes once unreferenced", access: adminOnly, response: "TemplateVersion", status: 200,
				handle: func(h *handler, w http.ResponseWriter, r *http.Request) error { return h.deleteVersion(w, r, kind) }},
		)
	}
	rs = append(rs, localRoutes()...)
	rs = append(rs, componentRoutes()...)
	rs = append(rs, provisionedResourceRoutes()...)
	rs = append(rs, tagRoutes()...)
	rs = append(rs, accessKeyRoutes()...)
	rs = append(rs, accountConnectionRoutes()...)
	rs = append(rs, summaryRoutes()...)
	rs = append(rs, previewRoutes()...)
	rs = append(rs, importRoutes()...)
	rs = append(rs, instanceListRoutes()...)
	rs = append(rs, repositoryRoutes()...)
	rs = append(rs, notifyRoutes()...)
	rs = append(rs, syncRoutes()...)
	rs = append(rs, serviceSyncRoutes()...)
	return append(rs,
		route{method: "POST", path: "/v1/environments", operationID: "CreateEnvironment", summary: "Create and deploy an environment (developers: of a self-service template only)", access: developer, request: "CreateEnvironment", response: "Environment", status: 202, handle: (*handler).createEnvironment},
		route{method: "GET", path: "/v1/environments", operationID: "ListEnvironments", summary: "List environments", access: anyRole, response: "EnvironmentList", status: 200, query: []string{"maxResults", "nextToken"}, handle: (*handler).listEnvironments},
		route{method: "GET", path: "/v1/environments/{name}", operationID: "GetEnvironment", summary: "Get an environment", access: anyRole, response: "Environment", status: 200, handle: (*handler).getEnvironment},
		route{method: "PATCH", path: "/v1/environments/{name}", operationID: "UpdateEnvironment", summary: "Update an environment's spec and/or template version", access: developer, request: "Update", response: "Environment", status: 202, handle: (*handler).updateEnvironment},
		route{method: "DELETE", path: "/v1/environments/{name}", operationID: "DeleteEnvironment", summary: "Delete an environment's stack, then the environment", access: developer, response: "Environment", status: 202, handle: (*handler).deleteEnvironment},
		route{method: "GET", path: "/v1/environments/{name}/outputs", operationID: "ListEnvironmentOutputs", summary: "An environment's stack outputs", access: anyRole, response: "Outputs", status: 200, handle: (*handler).environmentOutputs},
		route{method: "POST", path: "/v1/services", operationID: "CreateService", summary: "Create a service and deploy its instances (and pipeline)", access: developer, request: "CreateService", response: "Service", status: 202, handle: (*handler).createService},
		route{method: "GET", path: "/v1/services", operationID: "ListServices", summary: "List services", access: anyRole, response: "ServiceList", status: 200, query: []string{"maxResults", "nextToken"}, handle: (*handler).listServices},
		route{method: "GET", path: "/v1/services/{name}", operationID: "GetService", summary: "Get a service with its pipeline", access: anyRole, response: "Service", status: 200, handle: (*handler).getService},
		route{method: "PATCH", path: "/v1/services/{name}", operationID: "UpdateService", summary: "Change a service's description and, with a spec, its instances: those the spec adds are created, those it leaves out deleted (409 while a deployment is in progress)", access: developer, request: "UpdateService", response: "Service", status: 202, handle: (*handler).updateService},
		route{method: "DELETE", path: "/v1/services/{name}", operationID: "DeleteService", summary: "Delete a service: its pipeline, then every instance (stacks first), then the service", access: developer, response: "Service", status: 202, handle: (*handler).deleteService},
		route{method: "POST", path: "/v1/services/{name}/instances", operationID: "CreateServiceInstance", summary: "Add an instance to a service and deploy it", access: developer, request: "CreateServiceInstance", response: "ServiceInstance", status: 202, handle: (*handler).createInstance},
		route{method: "GET", path: "/v1/services/{name}/instances", operationID: "ListServiceInstancesOfService", summary: "List a service's instances", access: anyRole, response: "ServiceInstanceList", status: 200, query: []string{"maxResults", "nextToken"}, handle: (*handler).listInstances},
		route{method: "GET", path: "/v1/services/{name}/instances/{instance}", operationID: "GetServiceInstance", summary: "Get a service instance", access: anyRole, response: "ServiceInstance", status: 200, handle: (*handler).getInstance},
		route{method: "PATCH", path: "/v1/services/{name}/instances/{instance}", operationID: "UpdateServiceInstance", summary: "Update an instance's spec and/or template version", access: developer, request: "Update", response: "ServiceInstance", status: 202, handle: (*handler).updateInstance},
		route{method: "GET", path: "/v1/services/{name}/instances/{instance}/outputs", operationID: "ListServiceInstanceOutputs", summary: "A service instance's stack outputs", access: anyRole, response: "Outputs", status: 200, handle: (*handler).instanceOutputs},
		route{method: "GET", path: "/v1/deployments", operationID: "ListDeployments", summary: "Deployment history, newest first: ?environmentName= (an environment's), ?componentName= (a component's), ?serviceName= alone (every deployment of the service's instances and pipeline), with ?serviceInstanceName= (an instance's) or with ?servicePipeline=true (the pipeline's)", access: anyRole, response: "DeploymentList", status: 200, query: []string{"environmentName", "serviceName", "serviceInstanceName", "servicePipeline", "componentName", "maxResults", "nextToken"}, handle: (*handler).listDeployments},
		route{method: "DELETE", path: "/v1/deployments/{id}", operationID: "DeleteDeployment", summary: "Delete a finished deployment from the history (409 while unfinished or while it is its target's last or last successful one)", access: developer, response: "Deployment", status: 200, handle: (*handler).deleteDeployment},
		route{method: "POST", path: "/v1/environments/{name}/cancel", operationID: "CancelEnvironmentDeployment", summary: "Cancel the environment's deployment in progress (as POST /v1/deployments/{id}/cancel)", access: developer, response: "Deployment", status: 200, handle: (*handler).cancelEnvironmentDeployment},
		route{method: "POST", path: "/v1/services/{name}/instances/{instance}/cancel", operationID: "CancelServiceInstanceDeployment", summary: "Cancel the instance's deployment in progress", access: developer, response: "Deployment", status: 200, handle: (*handler).cancelInstanceDeployment},
		route{method: "PATCH", path: "/v1/services/{name}/pipeline", operationID: "UpdateServicePipeline", summary: "Update a service's pipeline: its spec (a ServiceSpec's pipeline section) and/or template version", access: developer, request: "Update", response: "ServicePipeline", status: 202, handle: (*handler).updatePipeline},
		route{method: "GET", path: "/v1/services/{name}/pipeline/outputs", operationID: "ListServicePipelineOutputs", summary: "A service pipeline's stack outputs", access: anyRole, response: "Outputs", status: 200, handle: (*handler).pipelineOutputs},
		route{method: "POST", path: "/v1/services/{name}/pipeline/cancel", operationID: "CancelServicePipelineDeployment", summary: "Cancel the pipeline's deployment in progress", access: developer, response: "Deployment", status: 200, handle: (*handler).cancelPipelineDeployment},
		route{method: "GET", path: "/v1/deployments/{id}", operationID: "GetDeployment", summary: "Get a deployment", access: anyRole, response: "Deployment", status: 200, handle: (*handler).getDeployment},
		route{method: "GET", path: "/v1/deployments/{id}/rendered", operationID: "GetDeploymentRenderedTemplate", summary: "The CloudFormation template a deployment rendered, kept whether it then succeeded or failed (404 saying why when it rendered nothing)", access: anyRole, response: "RenderedTemplate", status: 200, handle: (*handler).getRenderedTemplate},
		route{method: "POST", path: "/v1/deployments/{id}/cancel", operationID: "CancelDeployment", summary: "Cancel an unfinished deployment: before its stack operation starts it stops; a stack update in progress is cancelled and rolls back (409 for a stack being created or deleted)", access: developer, response: "Deployment", status: 200, handle: (*handler).cancelDeployment},
	)
}

func (h *handler) createTemplate(w http.ResponseWriter, r *http.Request, kind platform.TemplateKind) error {
	var in apimodel.CreateTemplate
	if err := decode(r, &in); err != nil {
		return err
	}
	t, err := h.svc.CreateTemplate(r.Context(), kind, createTemplateInput(in))
	if err != nil {
		return err
	}
	writeJSON(w, 201, viewTemplate(h.arns, t))
	return nil
}

func (h *handler) listTemplates(w http.ResponseWriter, r *http.Request, kind platform.TemplateKind) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	list, err := h.svc.ListTemplates(r.Context(), kind, p)
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewList(list, func(t platform.Template) apimodel.Template { return viewTemplate(h.arns, t) }))
	return nil
}

func (h *handler) getTemplate(w http.ResponseWriter, r *http.Request, kind platform.TemplateKind) error {
	t, err := h.svc.GetTemplate(r.Context(), kind, r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewTemplate(h.arns, t))
	return nil
}

func (h *handler) updateTemplate(w http.ResponseWriter, r *http.Request, kind platform.TemplateKind) error {
	var in apimodel.UpdateTemplate
	if err := decode(r, &in); err != nil {
		return err
	}
	t, err := h.svc.UpdateTemplate(r.Context(), kind, r.PathValue("name"), updateTemplateInput(in))
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewTemplate(h.arns, t))
	return nil
}

func (h *handler) createVersion(w http.ResponseWriter, r *http.Request, kind platform.TemplateKind) error {
	ct := r.Header.Get("Content-Type")
	if ct != "application/gzip" && ct != "application/x-gzip" && ct != "application/octet-stream" && ct != "application/x-tar" {
		return platform.Errorf(platform.Invalid, "the body must be the bundle as a .tar.gz with Content-Type: application/gzip (got %q)", ct)
	}
	q := r.URL.Query()
	in := control.CreateVersionInput{Description: q.Get("description"), ClientToken: q.Get("clientToken")}
	if s := q.Get("majorVersion"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return platform.FieldErrorf("majorVersion", "must be a whole number ≥ 1")
		}
		in.Major = n
	}
	if s := q.Get("compatibleEnvironmentTemplates"); s != "" {
		for i, item := range strings.Split(s, ",") {
			name, major, ok := strings.Cut(strings.TrimSpace(item), ":")
			n, err := strconv.Atoi(major)
			if !ok || err != nil || n < 1 || name == "" {
				return platform.FieldErrorf("compatibleEnvironmentTemplates["+strconv.Itoa(i)+"]", "%q must be name:major", item)
			}
			in.CompatibleEnvironments = append(in.CompatibleEnvironments, platform.CompatibleEnvironment{TemplateName: name, MajorVersion: n})
		}
	}
	if q.Has("supportedComponentSources") {
		in.SupportedComponentSources = []string{}
		for _, item := range strings.Split(q.Get("supportedComponentSources"), ",") {
			if item = strings.TrimSpace(item); item != "" {
				in.SupportedComponentSources = append(in.SupportedComponentSources, item)
			}
		}
	}
	body, err := io.ReadAll(r.Body) // bounded by the route's limit (wrap)
	var over *http.MaxBytesError
	if errors.As(err, &over) {
		return err // wrap answers 413
	}
	if err != nil {
		return platform.Errorf(platform.Invalid, "reading the bundle: %v", err)
	}
	in.Bundle = body
	tv, err := h.svc.CreateTemplateVersion(r.Context(), kind, r.PathValue("name"), in)
	if err != nil {
		return err
	}
	writeJSON(w, 201, viewVersion(h.arns, tv, false))
	return nil
}

func (h *handler) listVersions(w http.ResponseWriter, r *http.Request, kind platform.TemplateKind) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	list, err := h.svc.ListTemplateVersions(r.Context(), kind, r.PathValue("name"), p)
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewList(list, func(tv platform.TemplateVersion) apimodel.TemplateVersion { return viewVersion(h.arns, tv, false) }))
	return nil
}

func (h *handler) getVersion(w http.ResponseWriter, r *http.Request, kind platform.TemplateKind) error {
	v, err := platform.ParseVersion(r.PathValue("version"))
	if err != nil {
		return err
	}
	tv, err := h.svc.GetTemplateVersion(r.Context(), kind, r.PathValue("name"), v)
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewVersion(h.arns, tv, true))
	return nil
}

func (h *handler) publishVersion(w http.ResponseWriter, r *http.Request, kind platform.TemplateKind) error {
	v, err := platform.ParseVersion(r.PathValue("version"))
	if err != nil {
		return err
	}
	tv, err := h.svc.PublishTemplateVersion(r.Context(), kind, r.PathValue("name"), v)
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewVersion(h.arns, tv, false))
	return nil
}

func (h *handler) createEnvironment(w http.ResponseWriter, r *http.Request) error {
	var in apimodel.CreateEnvironment
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := createEnvironmentInput(in)
	if err != nil {
		return err
	}
	env, err := h.svc.CreateEnvironment(r.Context(), c)
	if err != nil {
		return err
	}
	writeJSON(w, 202, viewEnvironment(h.arns, env))
	return nil
}

func (h *handler) listEnvironments(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	list, err := h.svc.ListEnvironments(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewList(list, func(e platform.Environment) apimodel.Environment { return viewEnvironment(h.arns, e) }))
	return nil
}

func (h *handler) getEnvironment(w http.ResponseWriter, r *http.Request) error {
	env, err := h.svc.GetEnvironment(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewEnvironment(h.arns, env))
	return nil
}

func (h *handler) updateEnvironment(w http.ResponseWriter, r *http.Request) error {
	var in apimodel.Update
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.DryRun {
		return h.writePreview(w, 200)(h.svc.PreviewEnvironmentUpdate(r.Context(), r.PathValue("name"), updateInput(in)))
	}
	env, err := h.svc.UpdateEnvironment(r.Context(), r.PathValue("name"), updateInput(in))
	if err != nil {
		return err
	}
	writeJSON(w, 202, viewEnvironment(h.arns, env))
	return nil
}

func (h *handler) deleteEnvironment(w http.ResponseWriter, r *http.Request) error {
	env, err := h.svc.DeleteEnvironment(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, 202, viewEnvironment(h.arns, env))
	return nil
}

func (h *handler) environmentOutputs(w http.ResponseWriter, r *http.Request) error {
	env, err := h.svc.GetEnvironment(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewOutputs(env.Outputs))
	return nil
}

func (h *handler) createService(w http.ResponseWriter, r *http.Request) error {
	var in apimodel.CreateService
	if err := decode(r, &in); err != nil {
		return err
	}
	svc, err := h.svc.CreateService(r.Context(), createServiceInput(in))
	if err != nil {
		return err
	}
	return h.writeService(w, r, svc, 202)
}

func (h *handler) writeService(w http.ResponseWriter, r *http.Request, svc platform.Service, status int) error {
	var pipeline *platform.ServicePipeline
	if svc.HasPipeline {
		p, err := h.svc.GetServicePipeline(r.Context(), svc.Name)
		if err != nil && platform.KindOf(err) != platform.NotFound {
			return err
		}
		if err == nil {
			pipeline = &p
		}
	}
	writeJSON(w, status, viewService(h.arns, svc, pipeline))
	return nil
}

func (h *handler) listServices(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	list, err := h.svc.ListServices(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewList(list, func(s platform.Service) apimodel.Service { return viewService(h.arns, s, nil) }))
	return nil
}

func (h *handler) getService(w http.ResponseWriter, r *http.Request) error {
	svc, err := h.svc.GetService(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	return h.writeService(w, r, svc, 200)
}

func (h *handler) listInstances(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	list, err := h.svc.ListServiceInstances(r.Context(), r.PathValue("name"), p)
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewList(list, func(i platform.ServiceInstance) apimodel.ServiceInstance { return viewInstance(h.arns, i) }))
	return nil
}

func (h *handler) getInstance(w http.ResponseWriter, r *http.Request) error {
	inst, err := h.svc.GetServiceInstance(r.Context(), r.PathValue("name"), r.PathValue("instance"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewInstance(h.arns, inst))
	return nil
}

func (h *handler) updateInstance(w http.ResponseWriter, r *http.Request) error {
	var in apimodel.Update
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.DryRun {
		return h.writePreview(w, 200)(h.svc.PreviewServiceInstanceUpdate(r.Context(), r.PathValue("name"), r.PathValue("instance"), updateInput(in)))
	}
	inst, err := h.svc.UpdateServiceInstance(r.Context(), r.PathValue("name"), r.PathValue("instance"), updateInput(in))
	if err != nil {
		return err
	}
	writeJSON(w, 202, viewInstance(h.arns, inst))
	return nil
}

func (h *handler) instanceOutputs(w http.ResponseWriter, r *http.Request) error {
	inst, err := h.svc.GetServiceInstance(r.Context(), r.PathValue("name"), r.PathValue("instance"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewOutputs(inst.Outputs))
	return nil
}

func (h *handler) listDeployments(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	filter := control.DeploymentFilter{Environment: q.Get("environmentName"), Service: q.Get("serviceName"), Instance: q.Get("serviceInstanceName"), Component: q.Get("componentName")}
	switch q.Get("servicePipeline") {
	case "", "false":
	case "true":
		filter.Pipeline = true
	default:
		return platform.FieldErrorf("servicePipeline", "must be true or false")
	}
	list, err := h.svc.ListDeployments(r.Context(), filter, p)
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewList(list, func(d platform.Deployment) apimodel.Deployment { return viewDeployment(h.arns, d) }))
	return nil
}

func (h *handler) getDeployment(w http.ResponseWriter, r *http.Request) error {
	d, err := h.svc.GetDeployment(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewDeployment(h.arns, d))
	return nil
}

func (h *handler) cancelDeployment(w http.ResponseWriter, r *http.Request) error {
	d, err := h.svc.CancelDeployment(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewDeployment(h.arns, d))
	return nil
}
