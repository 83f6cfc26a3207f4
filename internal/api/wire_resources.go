package api

import (
	"context"

	"github.com/gantry-platform/gantry/internal/platform"
	pw "github.com/gantry-platform/gantry/internal/protonwire"
)

// provisionedResourceWireOps are Proton's four List*ProvisionedResources over the wire,
// on the control-plane call of their REST routes.
func provisionedResourceWireOps() map[string]wireOp {
	return map[string]wireOp{
		"ListEnvironmentProvisionedResources":     op(anyRole, []string{"environmentName", "nextToken"}, (*handler).wListEnvironmentProvisionedResources),
		"ListServiceInstanceProvisionedResources": op(anyRole, []string{"serviceName", "serviceInstanceName", "nextToken"}, (*handler).wListServiceInstanceProvisionedResources),
		"ListServicePipelineProvisionedResources": op(anyRole, []string{"serviceName", "nextToken"}, (*handler).wListServicePipelineProvisionedResources),
		"ListComponentProvisionedResources":       op(anyRole, []string{"componentName", "nextToken"}, (*handler).wListComponentProvisionedResources),
	}
}

// wProvisionedResources lists target's resources in Proton's shape.
func (h *handler) wProvisionedResources(ctx context.Context, target platform.Target, nextToken string) ([]pw.ProvisionedResource, string, error) {
	page, err := h.svc.ListProvisionedResources(ctx, target, nextToken)
	if err != nil {
		return nil, "", err
	}
	out := make([]pw.ProvisionedResource, 0, len(page.Items))
	for _, r := range page.Items {
		out = append(out, pw.ProvisionedResource{Name: r.Name, Identifier: r.Identifier, ProvisioningEngine: string(r.ProvisioningEngine)})
	}
	return out, page.NextToken, nil
}

func (h *handler) wListEnvironmentProvisionedResources(ctx context.Context, in *pw.ListEnvironmentProvisionedResourcesInput) (*pw.ListEnvironmentProvisionedResourcesOutput, error) {
	if err := required("environmentName", in.EnvironmentName); err != nil {
		return nil, err
	}
	rs, next, err := h.wProvisionedResources(ctx, platform.Target{Kind: platform.EnvironmentTarget, Environment: in.EnvironmentName}, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &pw.ListEnvironmentProvisionedResourcesOutput{ProvisionedResources: rs, NextToken: next}, nil
}

func (h *handler) wListServiceInstanceProvisionedResources(ctx context.Context, in *pw.ListServiceInstanceProvisionedResourcesInput) (*pw.ListServiceInstanceProvisionedResourcesOutput, error) {
	if err := required("serviceName", in.ServiceName); err != nil {
		return nil, err
	}
	if err := required("serviceInstanceName", in.ServiceInstanceName); err != nil {
		return nil, err
	}
	target := platform.Target{Kind: platform.ServiceInstanceTarget, Service: in.ServiceName, Instance: in.ServiceInstanceName}
	rs, next, err := h.wProvisionedResources(ctx, target, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &pw.ListServiceInstanceProvisionedResourcesOutput{ProvisionedResources: rs, NextToken: next}, nil
}

func (h *handler) wListServicePipelineProvisionedResources(ctx context.Context, in *pw.ListServicePipelineProvisionedResourcesInput) (*pw.ListServicePipelineProvisionedResourcesOutput, error) {
	if err := required("serviceName", in.ServiceName); err != nil {
		return nil, err
	}
	rs, next, err := h.wProvisionedResources(ctx, platform.Target{Kind: platform.ServicePipelineTarget, Service: in.ServiceName}, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &pw.ListServicePipelineProvisionedResourcesOutput{ProvisionedResources: rs, NextToken: next}, nil
}

func (h *handler) wListComponentProvisionedResources(ctx context.Context, in *pw.ListComponentProvisionedResourcesInput) (*pw.ListComponentProvisionedResourcesOutput, error) {
	if err := required("componentName", in.ComponentName); err != nil {
		return nil, err
	}
	rs, next, err := h.wProvisionedResources(ctx, platform.Target{Kind: platform.ComponentTarget, Component: in.ComponentName}, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &pw.ListComponentProvisionedResourcesOutput{ProvisionedResources: rs, NextToken: next}, nil
}
