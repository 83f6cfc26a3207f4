package apiclient

import (
	"context"

	"github.com/gantry-platform/gantry/internal/apimodel"
)

// NotifyResourceDeploymentStatusChange reports how the deployment of a resource stands
// (with its outputs), as a provisioning build or a provisioning repository's CI does; a
// final status ends the deployment. Admins only, besides reporters' keys on the wire.
func (c *Client) NotifyResourceDeploymentStatusChange(ctx context.Context, in apimodel.NotifyResourceDeploymentStatusChange) error {
	r, err := jsonRequest("POST", "/v1/resource-deployment-status", in)
	if err == nil {
		err = c.do(ctx, r, nil)
	}
	return err
}
