package apiclient

import (
	"context"

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
