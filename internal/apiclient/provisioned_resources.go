package apiclient

import (
	"context"
	"net/url"

	"github.com/gantry-platform/gantry/internal/apimodel"
)

// ResourceOwner names the target whose provisioned resources ListProvisionedResources
// lists: an environment (Environment), a service instance (Service and Instance), a
// service pipeline (Service alone) or a component (Component).
type ResourceOwner struct {
	Environment, Service, Instance, Component string
}

// path is the owner's path under /v1.
func (o ResourceOwner) path() string {
	switch {
	case o.Environment != "":
		return pathOf("v1", "environments", o.Environment)
	case o.Component != "":
		return pathOf("v1", "components", o.Component)
	case o.Instance != "":
		return pathOf("v1", "services", o.Service, "instances", o.Instance)
	}
	return pathOf("v1", "services", o.Service, "pipeline")
}

// ListProvisionedResources returns one page of the resources the owner's stack
// provisioned (Proton's List*ProvisionedResources), after nextToken ("" for the first).
func (c *Client) ListProvisionedResources(ctx context.Context, owner ResourceOwner, nextToken string) (Page[apimodel.ProvisionedResource], error) {
	q := url.Values{}
	if nextToken != "" {
		q.Set("nextToken", nextToken)
	}
	var out Page[apimodel.ProvisionedResource]
	err := c.do(ctx, request{method: "GET", path: owner.path() + "/provisioned-resources", query: q}, &out)
	return out, err
}
