package apiclient

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platform"
)

// Every operation returns the API's error as an *Error (its Kind says NotFound, Conflict,
// Forbidden, …) and a transport failure as the error of net/http.

// templatesPath is the collection of templates of kind.
func templatesPath(kind platform.TemplateKind) string {
	if kind == platform.ServiceTemplate {
		return "/v1/service-templates"
	}
	return "/v1/environment-templates"
}

func pageQuery(p PageRequest) url.Values {
	q := url.Values{}
	if p.Limit > 0 {
		q.Set("maxResults", strconv.Itoa(p.Limit))
	}
	if p.NextToken != "" {
		q.Set("nextToken", p.NextToken)
	}
	return q
}

// All follows list from the first page to the last and returns every item in one page
// (NextToken ""; Raw nil, since no single answer holds them all).
func All[T any](ctx context.Context, list func(context.Context, PageRequest) (Page[T], error)) (Page[T], error) {
	var all Page[T]
	var p PageRequest
	for {
		page, err := list(ctx, p)
		if err != nil {
			return Page[T]{}, err
		}
		all.Items = append(all.Items, page.Items...)
		if page.NextToken == "" || page.NextToken == p.NextToken {
			return all, nil
		}
		p.NextToken = page.NextToken
	}
}

// Health calls GET /healthz (no authentication).
func (c *Client) Health(ctx context.Context) error {
	return c.do(ctx, request{method: "GET", path: "/healthz"}, nil)
}

// CreateTemplate creates a template of kind (admin role).
func (c *Client) CreateTemplate(ctx context.Context, kind platform.TemplateKind, in apimodel.CreateTemplate) (Template, error) {
	var out Template
	r, err := jsonRequest("POST", templatesPath(kind), in)
	if err == nil {
		err = c.do(ctx, r, &out)
	}
	return out, err
}

// ListTemplates lists the templates of kind, one page.
func (c *Client) ListTemplates(ctx context.Context, kind platform.TemplateKind, p PageRequest) (Page[Template], error) {
	var out Page[Template]
	err := c.do(ctx, request{method: "GET", path: templatesPath(kind), query: pageQuery(p)}, &out)
	return out, err
}

// GetTemplate reads a template.
func (c *Client) GetTemplate(ctx context.Context, kind platform.TemplateKind, name string) (Template, error) {
	var out Template
	err := c.do(ctx, request{method: "GET", path: templatesPath(kind) + pathOf(name)}, &out)
	return out, err
}

// UpdateTemplate changes a template (admin role): the fields of in that are not nil. A
// RecommendedVersion "major.minor" pins that published version as the recommended one,
// "latest" unpins; Invalid names the field that is wrong.
func (c *Client) UpdateTemplate(ctx context.Context, kind platform.TemplateKind, name string, in apimodel.UpdateTemplate) (Template, error) {
	var out Template
	r, err := jsonRequest("PATCH", templatesPath(kind)+pathOf(name), in)
	if err == nil {
		err = c.do(ctx, r, &out)
	}
	return out, err
}

// RegisterInput says where a new template version goes.
type RegisterInput struct {
	// MajorVersion, when not 0, makes the version the next minor of that major; otherwise
	// the version starts a new major.
	MajorVersion int
	Description  string
	// CompatibleEnvironments (service templates) overrides the bundle's own list.
	CompatibleEnvironments []platform.CompatibleEnvironment
	// SupportedComponentSources (service templates) overrides the bundle's own list when
	// not nil; an empty, non-nil list registers the version with none.
	SupportedComponentSources []string
	// ClientToken makes the registration idempotent.
	ClientToken string
}

// CreateTemplateVersion registers bundle (a .tar.gz, see BundleArchive) as a new version of
// the template (admin role); the API answers with the version as DRAFT, or Invalid naming
// the bundle's file and line.
func (c *Client) CreateTemplateVersion(ctx context.Context, kind platform.TemplateKind, name string, bundle []byte, in RegisterInput) (TemplateVersion, error) {
	q := url.Values{}
	if in.MajorVersion > 0 {
		q.Set("majorVersion", strconv.Itoa(in.MajorVersion))
	}
	if in.Description != "" {
		q.Set("description", in.Description)
	}
	if len(in.CompatibleEnvironments) > 0 {
		var items []string
		for _, ce := range in.CompatibleEnvironments {
			items = append(items, ce.TemplateName+":"+strconv.Itoa(ce.MajorVersion))
		}
		q.Set("compatibleEnvironmentTemplates", strings.Join(items, ","))
	}
	if in.SupportedComponentSources != nil {
		q.Set("supportedComponentSources", strings.Join(in.SupportedComponentSources, ","))
	}
	if in.ClientToken != "" {
		q.Set("clientToken", in.ClientToken)
	}
	var out TemplateVersion
	err := c.do(ctx, request{method: "POST", path: templatesPath(kind) + pathOf(name, "versions"), query: q,
		contentType: "application/gzip", body: bundle}, &out)
	return out, err
}

// ListTemplateVersions lists a template's versions, highest first, one page.
func (c *Client) ListTemplateVersions(ctx context.Context, kind platform.TemplateKind, name string, p PageRequest) (Page[TemplateVersion], error) {
	var out Page[TemplateVersion]
	err := c.do(ctx, request{method: "GET", path: templatesPath(kind) + pathOf(name, "versions"), query: pageQuery(p)}, &out)
	return out, err
}

// GetTemplateVersion reads one version, with its schema.
func (c *Client) GetTemplateVersion(ctx context.Context, kind platform.TemplateKind, name string, v platform.Version) (TemplateVersion, error) {
	var out TemplateVersion
	err := c.do(ctx, request{method: "GET", path: templatesPath(kind) + pathOf(name, "versions", v.String())}, &out)
	return out, err
}

// PublishTemplateVersion publishes a version (admin role).
func (c *Client) PublishTemplateVersion(ctx context.Context, kind platform.TemplateKind, name string, v platform.Version) (TemplateVersion, error) {
	var out TemplateVersion
	err := c.do(ctx, request{method: "POST", path: templatesPath(kind) + pathOf(name, "versions", v.String(), "publish")}, &out)
	return out, err
}

// CreateEnvironment creates an environment and starts deploying it (admin role); the answer
// is IN_PROGRESS with its LastDeploymentID.
func (c *Client) CreateEnvironment(ctx context.Context, in apimodel.CreateEnvironment) (Environment, error) {
	var out Environment
	r, err := jsonRequest("POST", "/v1/environments", in)
	if err == nil {
		err = c.do(ctx, r, &out)
	}
	return out, err
}

// ListEnvironments lists environments, one page.
func (c *Client) ListEnvironments(ctx context.Context, p PageRequest) (Page[Environment], error) {
	var out Page[Environment]
	err := c.do(ctx, request{method: "GET", path: "/v1/environments", query: pageQuery(p)}, &out)
	return out, err
}

// GetEnvironment reads an environment.
func (c *Client) GetEnvironment(ctx context.Context, name string) (Environment, error) {
	var out Environment
	err := c.do(ctx, request{method: "GET", path: pathOf("v1", "environments", name)}, &out)
	return out, err
}

// UpdateEnvironment updates an environment (admin role); Conflict while a deployment of it
// is in progress.
func (c *Client) UpdateEnvironment(ctx context.Context, name string, in apimodel.Update) (Environment, error) {
	var out Environment
	r, err := jsonRequest("PATCH", pathOf("v1", "environments", name), in)
	if err == nil {
		err = c.do(ctx, r, &out)
	}
	return out, err
}

// DeleteEnvironment starts deleting an environment's stack, then the environment (admin
// role); the answer is DELETE_IN_PROGRESS.
func (c *Client) DeleteEnvironment(ctx context.Context, name string) (Environment, error) {
	var out Environment
	err := c.do(ctx, request{method: "DELETE", path: pathOf("v1", "environments", name)}, &out)
	return out, err
}

// EnvironmentOutputs returns an environment's stack outputs.
func (c *Client) EnvironmentOutputs(ctx context.Context, name string) (Outputs, error) {
	var out Outputs
	err := c.do(ctx, request{method: "GET", path: pathOf("v1", "environments", name, "outputs")}, &out)
	return out, err
}

// CreateService creates a service and starts deploying its instances, then its pipeline
// (developer role).
func (c *Client) CreateService(ctx context.Context, in apimodel.CreateService) (Service, error) {
	var out Service
	r, err := jsonRequest("POST", "/v1/services", in)
	if err == nil {
		err = c.do(ctx, r, &out)
	}
	return out, err
}

// ListServices lists services, one page.
func (c *Client) ListServices(ctx context.Context, p PageRequest) (Page[Service], error) {
	var out Page[Service]
	err := c.do(ctx, request{method: "GET", path: "/v1/services", query: pageQuery(p)}, &out)
	return out, err
}

// GetService reads a service with its pipeline.
func (c *Client) GetService(ctx context.Context, name string) (Service, error) {
	var out Service
	err := c.do(ctx, request{method: "GET", path: pathOf("v1", "services", name)}, &out)
	return out, err
}

// ListServiceInstances lists a service's instances, one page.
func (c *Client) ListServiceInstances(ctx context.Context, service string, p PageRequest) (Page[ServiceInstance], error) {
	var out Page[ServiceInstance]
	err := c.do(ctx, request{method: "GET", path: pathOf("v1", "services", service, "instances"), query: pageQuery(p)}, &out)
	return out, err
}

// GetServiceInstance reads a service instance.
func (c *Client) GetServiceInstance(ctx context.Context, service, instance string) (ServiceInstance, error) {
	var out ServiceInstance
	err := c.do(ctx, request{method: "GET", path: pathOf("v1", "services", service, "instances", instance)}, &out)
	return out, err
}

// UpdateServiceInstance updates a service instance (developer role); its Spec is the
// instance's inputs ("spec:" mapping) or a ServiceSpec naming it. Conflict while a
// deployment of it is in progress.
func (c *Client) UpdateServiceInstance(ctx context.Context, service, instance string, in apimodel.Update) (ServiceInstance, error) {
	var out ServiceInstance
	r, err := jsonRequest("PATCH", pathOf("v1", "services", service, "instances", instance), in)
	if err == nil {
		err = c.do(ctx, r, &out)
	}
	return out, err
}

// ServiceInstanceOutputs returns a service instance's stack outputs.
func (c *Client) ServiceInstanceOutputs(ctx context.Context, service, instance string) (Outputs, error) {
	var out Outputs
	err := c.do(ctx, request{method: "GET", path: pathOf("v1", "services", service, "instances", instance, "outputs")}, &out)
	return out, err
}

// DeploymentTarget names whose deployments to list: an environment, a service instance
// (ServiceName and ServiceInstanceName), a service's pipeline (ServiceName and
// ServicePipeline), every deployment of a service (ServiceName alone), or a component's
// (ComponentName).
type DeploymentTarget struct {
	EnvironmentName     string
	ServiceName         string
	ServiceInstanceName string
	ComponentName       string
	ServicePipeline     bool
}

// ListDeployments lists a target's deployments, newest first, one page.
func (c *Client) ListDeployments(ctx context.Context, t DeploymentTarget, p PageRequest) (Page[Deployment], error) {
	q := pageQuery(p)
	for k, v := range map[string]string{"environmentName": t.EnvironmentName, "serviceName": t.ServiceName, "serviceInstanceName": t.ServiceInstanceName, "componentName": t.ComponentName} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if t.ServicePipeline {
		q.Set("servicePipeline", "true")
	}
	var out Page[Deployment]
	err := c.do(ctx, request{method: "GET", path: "/v1/deployments", query: q}, &out)
	return out, err
}

// GetDeployment reads a deployment.
func (c *Client) GetDeployment(ctx context.Context, id string) (Deployment, error) {
	var out Deployment
	err := c.do(ctx, request{method: "GET", path: pathOf("v1", "deployments", id)}, &out)
	return out, err
}

// CancelDeployment asks an unfinished deployment to stop (developer role); the answer is
// CANCELLING, or Conflict when the deployment has already finished.
func (c *Client) CancelDeployment(ctx context.Context, id string) (Deployment, error) {
	var out Deployment
	err := c.do(ctx, request{method: "POST", path: pathOf("v1", "deployments", id, "cancel")}, &out)
	return out, err
}
