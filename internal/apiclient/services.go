package apiclient

import (
	"context"
	"strconv"

	"github.com/gantry-platform/gantry/internal/apimodel"
)

// UpdateService changes a service's description and, with a spec, its instances: those
// the spec adds are created, those it leaves out deleted (developer role). Conflict while
// a deployment of the service is in progress.
func (c *Client) UpdateService(ctx context.Context, name string, in apimodel.UpdateService) (Service, error) {
	var out Service
	r, err := jsonRequest("PATCH", pathOf("v1", "services", name), in)
	if err == nil {
		err = c.do(ctx, r, &out)
	}
	return out, err
}

// DeleteService starts deleting a service: its pipeline, then its instances, then the
// service (developer role); the answer is DELETE_IN_PROGRESS.
func (c *Client) DeleteService(ctx context.Context, name string) (Service, error) {
	var out Service
	err := c.do(ctx, request{method: "DELETE", path: pathOf("v1", "services", name)}, &out)
	return out, err
}

// CreateServiceInstance adds an instance to a service and starts deploying it (developer role).
func (c *Client) CreateServiceInstance(ctx context.Context, service string, in apimodel.CreateServiceInstance) (ServiceInstance, error) {
	var out ServiceInstance
	r, err := jsonRequest("POST", pathOf("v1", "services", service, "instances"), in)
	if err == nil {
		err = c.do(ctx, r, &out)
	}
	return out, err
}

// UpdateServicePipeline updates a service's pipeline (developer role); Conflict while a
// deployment of it is in progress.
func (c *Client) UpdateServicePipeline(ctx context.Context, service string, in apimodel.Update) (ServicePipeline, error) {
	var out ServicePipeline
	r, err := jsonRequest("PATCH", pathOf("v1", "services", service, "pipeline"), in)
	if err == nil {
		err = c.do(ctx, r, &out)
	}
	return out, err
}

// ServicePipelineOutputs returns a service pipeline's stack outputs.
func (c *Client) ServicePipelineOutputs(ctx context.Context, service string) (Outputs, error) {
	var out Outputs
	err := c.do(ctx, request{method: "GET", path: pathOf("v1", "services", service, "pipeline", "outputs")}, &out)
	return out, err
}

// CancelEnvironmentDeployment cancels an environment's deployment in progress (admin role).
func (c *Client) CancelEnvironmentDeployment(ctx context.Context, name string) (Deployment, error) {
	return c.post(ctx, pathOf("v1", "environments", name, "cancel"))
}

// CancelServiceInstanceDeployment cancels a service instance's deployment in progress.
func (c *Client) CancelServiceInstanceDeployment(ctx context.Context, service, instance string) (Deployment, error) {
	return c.post(ctx, pathOf("v1", "services", service, "instances", instance, "cancel"))
}

// CancelServicePipelineDeployment cancels a service pipeline's deployment in progress.
func (c *Client) CancelServicePipelineDeployment(ctx context.Context, service string) (Deployment, error) {
	return c.post(ctx, pathOf("v1", "services", service, "pipeline", "cancel"))
}

// DeleteDeployment removes a finished deployment from the history; Conflict while it is
// unfinished or its target's last or last successful one.
func (c *Client) DeleteDeployment(ctx context.Context, id string) (Deployment, error) {
	var out Deployment
	err := c.do(ctx, request{method: "DELETE", path: pathOf("v1", "deployments", id)}, &out)
	return out, err
}

// post sends a bodiless POST that answers a deployment.
func (c *Client) post(ctx context.Context, path string) (Deployment, error) {
	var out Deployment
	err := c.do(ctx, request{method: "POST", path: path}, &out)
	return out, err
}

// InstanceFilter picks service instances across services: by ServiceName,
// EnvironmentName, or TemplateName with both versions (set versions with a non-nil
// pointer); DeploymentStatus narrows. Filters holds any other filter of
// ListServiceInstances by its key (e.g. "createdAtAfter", "deployedTemplateVersionStatus");
// SortBy and SortOrder (ASCENDING, DESCENDING) order the list.
type InstanceFilter struct {
	ServiceName, EnvironmentName, TemplateName string
	TemplateMajorVersion, TemplateMinorVersion *int
	DeploymentStatus                           string
	Filters                                    map[string]string
	SortBy, SortOrder                          string
}

// FindServiceInstances lists service instances across services (Proton's
// ListServiceInstances), one page.
func (c *Client) FindServiceInstances(ctx context.Context, f InstanceFilter, p PageRequest) (Page[ServiceInstance], error) {
	q := pageQuery(p)
	for k, v := range f.Filters {
		q.Set(k, v)
	}
	for k, v := range map[string]string{"serviceName": f.ServiceName, "environmentName": f.EnvironmentName,
		"templateName": f.TemplateName, "deploymentStatus": f.DeploymentStatus, "sortBy": f.SortBy, "sortOrder": f.SortOrder} {
		if v != "" {
			q.Set(k, v)
		}
	}
	for k, v := range map[string]*int{"templateMajorVersion": f.TemplateMajorVersion, "templateMinorVersion": f.TemplateMinorVersion} {
		if v != nil {
			q.Set(k, strconv.Itoa(*v))
		}
	}
	var out Page[ServiceInstance]
	err := c.do(ctx, request{method: "GET", path: "/v1/service-instances", query: q}, &out)
	return out, err
}
