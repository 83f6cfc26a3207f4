package api

import (
	"fmt"
	"net/http"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
)

// componentRoutes are the operations on directly defined components, under Proton's names.
func componentRoutes() []route {
	return []route{
		{method: "POST", path: "/v1/components", operationID: "CreateComponent", summary: "Create a directly defined component (manifest and templateFile in the body), attached to a service instance or in an environment, and deploy it", access: developer, request: "CreateComponent", response: "Component", status: 202, handle: (*handler).createComponent},
		{method: "GET", path: "/v1/components", operationID: "ListComponents", summary: "List components: all, ?environmentName= (in it, attached or not), ?serviceName= (attached to its instances), with ?serviceInstanceName= (that instance's)", access: anyRole, response: "ComponentList", status: 200, query: []string{"environmentName", "serviceName", "serviceInstanceName", "maxResults", "nextToken"}, handle: (*handler).listComponents},
		{method: "GET", path: "/v1/components/{name}", operationID: "GetComponent", summary: "Get a component", access: anyRole, response: "Component", status: 200, handle: (*handler).getComponent},
		{method: "PATCH", path: "/v1/components/{name}", operationID: "UpdateComponent", summary: "Update a component: deploymentType NONE changes the description, CURRENT_VERSION redeploys with a new serviceSpec and/or templateFile", access: developer, request: "UpdateComponent", response: "Component", status: 202, handle: (*handler).updateComponent},
		{method: "DELETE", path: "/v1/components/{name}", operationID: "DeleteComponent", summary: "Delete a component's stack, then the component", access: developer, response: "Component", status: 202, handle: (*handler).deleteComponent},
		{method: "GET", path: "/v1/components/{name}/outputs", operationID: "ListComponentOutputs", summary: "A component's stack outputs (?deploymentId= for those of one of its deployments)", access: anyRole, response: "Outputs", status: 200, query: []string{"deploymentId"}, handle: (*handler).componentOutputs},
		{method: "POST", path: "/v1/components/{name}/cancel", operationID: "CancelComponentDeployment", summary: "Cancel the component's deployment in progress", access: developer, response: "Component", status: 200, handle: (*handler).cancelComponent},
	}
}

func viewComponent(arns platform.ARNScope, c platform.Component) apimodel.Component {
	return apimodel.Component{Name: c.Name, ARN: arns.ARN(platform.TargetResource(c.Target())), Description: c.Description,
		EnvironmentName: c.Environment, ServiceName: c.Service, ServiceInstanceName: c.Instance, ServiceSpec: c.ServiceSpec,
		DeploymentStatus: c.DeploymentStatus, DeploymentStatusMessage: c.DeploymentStatusMessage,
		LastAttemptedDeploymentID: c.LastDeploymentID, LastSucceededDeploymentID: c.LastSucceededDeploymentID,
		LastClientRequestToken: c.LastClientRequestToken, LastDeploymentAttemptedAt: timePtr(c.LastAttemptedAt),
		LastDeploymentSucceededAt: timePtr(c.LastSucceededAt), StackName: c.StackName, CreatedAt: c.CreatedAt, LastModifiedAt: c.UpdatedAt}
}

// tagMap turns a list of tags into a map; a key given twice is Invalid naming field.
func tagMap(field string, tags []apimodel.Tag) (map[string]string, error) {
	if tags == nil {
		return nil, nil
	}
	out := make(map[string]string, len(tags))
	for i, t := range tags {
		if _, dup := out[t.Key]; dup {
			return nil, platform.FieldErrorf(fmt.Sprintf("%s[%d].key", field, i), "tag key %q is given twice", t.Key)
		}
		out[t.Key] = t.Value
	}
	return out, nil
}

func (h *handler) createComponent(w http.ResponseWriter, r *http.Request) error {
	var in apimodel.CreateComponent
	if err := decode(r, &in); err != nil {
		return err
	}
	tags, err := tagMap("tags", in.Tags)
	if err != nil {
		return err
	}
	c, err := h.svc.CreateComponent(r.Context(), control.CreateComponentInput{Name: in.Name, Description: in.Description,
		EnvironmentName: in.EnvironmentName, ServiceName: in.ServiceName, ServiceInstanceName: in.ServiceInstanceName,
		ServiceSpec: in.ServiceSpec, Manifest: in.Manifest, TemplateFile: in.TemplateFile, ClientToken: in.ClientToken, Tags: tags})
	if err != nil {
		return err
	}
	writeJSON(w, 202, viewComponent(h.arns, c))
	return nil
}

func (h *handler) listComponents(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := platform.ComponentFilter{Environment: q.Get("environmentName"), Service: q.Get("serviceName"), Instance: q.Get("serviceInstanceName")}
	list, err := h.svc.ListComponents(r.Context(), f, p)
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewList(list, func(c platform.Component) apimodel.Component { return viewComponent(h.arns, c) }))
	return nil
}

func (h *handler) getComponent(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.GetComponent(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewComponent(h.arns, c))
	return nil
}

func (h *handler) updateComponent(w http.ResponseWriter, r *http.Request) error {
	var in apimodel.UpdateComponent
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := h.svc.UpdateComponent(r.Context(), r.PathValue("name"), control.UpdateComponentInput{DeploymentType: in.DeploymentType,
		Description: in.Description, ServiceName: in.ServiceName, ServiceInstanceName: in.ServiceInstanceName,
		ServiceSpec: in.ServiceSpec, TemplateFile: in.TemplateFile, ClientToken: in.ClientToken})
	if err != nil {
		return err
	}
	writeJSON(w, 202, viewComponent(h.arns, c))
	return nil
}

func (h *handler) deleteComponent(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.DeleteComponent(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, 202, viewComponent(h.arns, c))
	return nil
}

func (h *handler) componentOutputs(w http.ResponseWriter, r *http.Request) error {
	outputs, err := h.svc.ListComponentOutputs(r.Context(), r.PathValue("name"), r.URL.Query().Get("deploymentId"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewOutputs(outputs))
	return nil
}

func (h *handler) cancelComponent(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.CancelComponentDeployment(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewComponent(h.arns, c))
	return nil
}
