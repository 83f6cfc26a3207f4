package apiclient

import (
	"context"

	"github.com/gantry-platform/gantry/internal/platform"
)

// DeleteTemplate deletes a template that has no versions left (admin role) and returns it
// as it was; Conflict while any version exists.
func (c *Client) DeleteTemplate(ctx context.Context, kind platform.TemplateKind, name string) (Template, error) {
	var out Template
	err := c.do(ctx, request{method: "DELETE", path: templatesPath(kind) + pathOf(name)}, &out)
	return out, err
}
