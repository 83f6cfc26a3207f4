package apiclient

import (
	"context"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platform"
)

// DeleteTemplate deletes a template that has no versions left (admin role) and returns it
// as it was; Conflict while any version exists.
func (c *Client) DeleteTemplate(ctx context.Context, kind platform.TemplateKind, name string) (Template, error) {
	var out Template
	err := c.do(ctx, request{method: "DELETE", path: templatesPath(kind) + pathOf(name)}, &out)
	return out, err
}

// UpdateTemplateVersion changes a version (admin role): the fields of in that are not nil.
// Status PUBLISHED publishes a draft or restores a deprecated version, DEPRECATED deprecates
// a published one; Invalid names the field that is wrong.
func (c *Client) UpdateTemplateVersion(ctx context.Context, kind platform.TemplateKind, name string, v platform.Version, in apimodel.UpdateTemplateVersion) (TemplateVersion, error) {
	var out TemplateVersion
	r, err := jsonRequest("PATCH", templatesPath(kind)+pathOf(name, "versions", v.String()), in)
	if err == nil {
		err = c.do(ctx, r, &out)
	}
	return out, err
}

// DeleteTemplateVersion deletes a version nothing runs (admin role) and returns it as it
// was; Conflict names what runs it, or the rule on recommended versions it breaks.
func (c *Client) DeleteTemplateVersion(ctx context.Context, kind platform.TemplateKind, name string, v platform.Version) (TemplateVersion, error) {
	var out TemplateVersion
	err := c.do(ctx, request{method: "DELETE", path: templatesPath(kind) + pathOf(name, "versions", v.String())}, &out)
	return out, err
}

// GetRenderedTemplate returns the CloudFormation template deployment id rendered; NotFound,
// saying why, when it rendered nothing.
func (c *Client) GetRenderedTemplate(ctx context.Context, id string) (apimodel.RenderedTemplate, error) {
	var out apimodel.RenderedTemplate
	err := c.do(ctx, request{method: "GET", path: pathOf("v1", "deployments", id, "rendered")}, &out)
	return out, err
}
