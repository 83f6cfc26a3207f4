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
	if err := environmentOnly(in); err != nil {
		return platform.ServicePipeline{}, err
	}
	if err := checkSpec("spec", in.Spec); err != nil {
		return platform.ServicePipeline{}, err
	}
	replay := func(result string) (platform.ServicePipeline, error) { return s.store.GetServicePipeline(ctx, service) }
	return idempotent(ctx, s, "UpdateServicePipeline:"+service, in.ClientToken, in, replay, func(token *platform.ClientToken) (platform.ServicePipeline, error) {
		return s.updateServicePipeline(ctx, service, in, token)
	})
}

// updateServicePipeline applies a checked update to service's pipeline, storing token
// (when not nil) with it.
func (s *Service) updateServicePipeline(ctx context.Context, service string, in UpdateInput, token *platform.ClientToken) (platform.ServicePipeline, error) {
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
