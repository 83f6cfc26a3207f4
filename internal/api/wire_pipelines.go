package api

import (
	"context"

	"github.com/gantry-platform/gantry/internal/platform"
	pw "github.com/gantry-platform/gantry/internal/protonwire"
)

// Proton's UpdateServicePipeline, CancelServicePipelineDeployment and DeleteDeployment
// over the wire: the same control-plane calls as their REST routes.

func (h *handler) wUpdateServicePipeline(ctx context.Context, in *pw.UpdateServicePipelineInput) (*pw.UpdateServicePipelineOutput, error) {
	u, err := wUpdateInput(in.DeploymentType, in.Spec, in.TemplateMajorVersion, in.TemplateMinorVersion)
	if err != nil {
		return nil, err
	}
	p, err := h.svc.UpdateServicePipeline(ctx, in.ServiceName, u)
	if err != nil {
		return nil, err
	}
	return &pw.UpdateServicePipelineOutput{Pipeline: h.wPipeline(p)}, nil
}

func (h *handler) wCancelServicePipelineDeployment(ctx context.Context, in *pw.CancelServicePipelineDeploymentInput) (*pw.CancelServicePipelineDeploymentOutput, error) {
	target := platform.Target{Kind: platform.ServicePipelineTarget, Service: in.ServiceName}
	if _, err := h.svc.CancelTargetDeployment(ctx, target); err != nil {
		return nil, err
	}
	p, err := h.svc.GetServicePipeline(ctx, in.ServiceName)
	if err != nil {
		return nil, err
	}
	return &pw.CancelServicePipelineDeploymentOutput{Pipeline: h.wPipeline(p)}, nil
}

func (h *handler) wDeleteDeployment(ctx context.Context, in *pw.DeleteDeploymentInput) (*pw.DeleteDeploymentOutput, error) {
	if err := required("id", in.ID); err != nil {
		return nil, err
	}
	d, err := h.svc.DeleteDeployment(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	return &pw.DeleteDeploymentOutput{Deployment: h.wDeployment(d)}, nil
}
