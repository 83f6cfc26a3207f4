package main

import (
	"context"
	"encoding/json"

	"github.com/gantry-platform/gantry/internal/apiclient"
	"github.com/gantry-platform/gantry/internal/apimodel"
)

// The "resources" verbs: the resources a target's stack provisioned (Proton's
// List*ProvisionedResources), every page, or one with --max-results/--next-token.

func environmentsResources(a *apiCommand) action {
	name := a.nameFlag("environment", "the environment's name")
	return resourcesOf(a, func() apiclient.ResourceOwner { return apiclient.ResourceOwner{Environment: *name} })
}

func instancesResources(a *apiCommand) action {
	service, name := instanceFlags(a, "the instance's name")
	return resourcesOf(a, func() apiclient.ResourceOwner { return apiclient.ResourceOwner{Service: *service, Instance: *name} })
}

func pipelinesResources(a *apiCommand) action {
	service := a.nameFlag("service", "the service's name")
	return resourcesOf(a, func() apiclient.ResourceOwner { return apiclient.ResourceOwner{Service: *service} })
}

func componentsResources(a *apiCommand) action {
	name := a.nameFlag("component", "the component's name")
	return resourcesOf(a, func() apiclient.ResourceOwner { return apiclient.ResourceOwner{Component: *name} })
}

// resourcesOf lists the provisioned resources of the owner the flags name once parsed.
func resourcesOf(a *apiCommand, owner func() apiclient.ResourceOwner) action {
	a.pageFlags()
	return func(ctx context.Context) int {
		page := func(ctx context.Context, p apiclient.PageRequest) (apiclient.Page[apimodel.ProvisionedResource], error) {
			return a.client.ListProvisionedResources(ctx, owner(), p.NextToken)
		}
		return list(ctx, a, page, func(r apimodel.ProvisionedResource) json.RawMessage { raw, _ := json.Marshal(r); return raw },
			[]string{"NAME", "IDENTIFIER", "ENGINE"},
			func(r apimodel.ProvisionedResource) []string {
				return []string{r.Name, r.Identifier, string(r.ProvisioningEngine)}
			})
	}
}
