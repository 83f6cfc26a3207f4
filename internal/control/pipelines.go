package control

import (
	"context"

	"github.com/gantry-platform/gantry/internal/platform"
)

// UpdateServicePipeline redeploys a service's pipeline, as Proton's UpdateServicePipeline:
// Spec is a ServiceSpec whose pipeline section holds the inputs ("" keeps the current
// spec); DeploymentType NONE records the spec only, CURRENT_VERSION redeploys,
// MINOR_VERSION and MAJOR_VERSION move to another template version. Errors: Invalid
// naming the field; Conflict while a deployment of the pipeline is in progress; NotFound
// when the service has no pipeline.
func (s *Service) UpdateServicePipeline(ctx context.Context, service string, in UpdateInput) (platform.ServicePipeline, error) {
	if err := checkSpec("spec", in.Spec); err != nil {
		return platform.ServicePipeline{}, err
	}
	token, replay, err := s.idempotency(ctx, "UpdateServicePipeline:"+service, in.ClientToken, in)
	if err != nil {
		return platform.ServicePipeline{}, err
	}
	if replay != "" {
		return s.store.GetServicePipeline(ctx, service)
	}
	p, err := s.store.GetServicePipeline(ctx, service)
	if err != nil {
		return p, err
	}
	tv, err := s.updateVersion(ctx, platform.ServiceTemplate, p.Deployable, in)
	if err != nil {
		return p, err
	}
	if !tv.HasPipeline {
		return p, platform.FieldErrorf("templateMajorVersion", "service template %s %s has no pipeline", tv.TemplateName, tv.Version)
	}
	spec := in.Spec
	if spec == "" {
		spec = p.Spec
	}
	inputs, err := s.engine.ServiceInputs(tv.Schema, spec, true)
	if err != nil {
		return p, err
	}
	d := s.newDeployment(p.Target(), platform.Deploy, tv, spec, inputs.Pipeline)
	if token != nil {
		token.Result = d.ID
	}
	if err := s.startUpdate(ctx, d, p.Deployable, in.DeploymentType, token); err != nil {
		return p, err
	}
	return s.store.GetServicePipeline(ctx, service)
}
