package control

import (
	"context"

	"github.com/gantry-platform/gantry/internal/platform"
)

// The bounds of a customer-managed environment's outputs: as many as a deployment keeps
// (maxNotifiedOutputs), each key and value bounded, and all of them together small enough
// for the environment's and the deployment's records.
const (
	maxOutputKey     = 255
	maxOutputValue   = 4096
	maxOutputsLength = 64 << 10
)

// checkGivenOutputs checks the outputs a customer-managed environment is registered with:
// at most maxNotifiedOutputs, keys non-empty and unique, keys and values bounded. Invalid
// naming field.KEY (or field).
func checkGivenOutputs(field string, outputs []platform.Output) error {
	if len(outputs) > maxNotifiedOutputs {
		return platform.FieldErrorf(field, "at most %d outputs, not %d", maxNotifiedOutputs, len(outputs))
	}
	seen, total := map[string]bool{}, 0
	for i, o := range outputs {
		switch {
		case o.Key == "":
			return platform.FieldErrorf(field, "output %d has an empty key", i)
		case len(o.Key) > maxOutputKey:
			return platform.FieldErrorf(field, "key %.40q… is longer than %d characters", o.Key, maxOutputKey)
		case seen[o.Key]:
			return platform.FieldErrorf(field+"."+o.Key, "is given twice")
		case len(o.Value) > maxOutputValue:
			return platform.FieldErrorf(field+"."+o.Key, "is longer than %d characters (%d)", maxOutputValue, len(o.Value))
		}
		seen[o.Key] = true
		total += len(o.Key) + len(o.Value)
	}
	if total > maxOutputsLength {
		return platform.FieldErrorf(field, "the outputs take %d characters, more than %d", total, maxOutputsLength)
	}
	return nil
}

// checkCustomerManaged checks how a new environment is provisioned: outputs are given
// only for a customer-managed environment without a provisioning repository (one with a
// repository has its outputs reported by that repository's CI), and checked.
func checkCustomerManaged(in CreateEnvironmentInput) error {
	switch {
	case in.Outputs != nil && !in.CustomerManaged:
		return platform.FieldErrorf("outputs", "are given only for an environment whose provisioning is CUSTOMER_MANAGED")
	case in.Outputs != nil && in.ProvisioningRepository != nil:
		return platform.FieldErrorf("outputs", "cannot be given with a provisioningRepository: its CI reports the outputs (NotifyResourceDeploymentStatusChange)")
	case in.CustomerManaged && in.ProvisioningRepository == nil && in.Outputs == nil:
		return platform.FieldErrorf("outputs", "are required for a CUSTOMER_MANAGED environment without a provisioningRepository: "+
			"give the outputs of the infrastructure made outside Gantry")
	}
	return checkGivenOutputs("outputs", in.Outputs)
}

// environmentOnly refuses an update of a service instance or pipeline that sets what only
// an environment has: its roles, outputs, region.
func environmentOnly(in UpdateInput) error {
	if err := in.checkNoRoles(); err != nil {
		return err
	}
	if in.Outputs != nil {
		return platform.FieldErrorf("outputs", "only a customer-managed environment is given outputs")
	}
	if in.Region != nil {
		return platform.FieldErrorf("region", "only an environment has a region (a service instance deploys in its environment's)")
	}
	return nil
}

// customerManagedMessage is the status message of a customer-managed environment's
// deployments.
const customerManagedMessage = "customer-managed: outputs recorded, nothing deployed"

// recorded is d finished at once with outputs: a deployment of a customer-managed
// environment, which deploys nothing (SUCCEEDED, or DELETE_COMPLETE for a deletion).
func (s *Service) recorded(d platform.Deployment, outputs []platform.Output) platform.Deployment {
	d.Status, d.StatusMessage, d.StackName, d.Outputs = platform.Succeeded, customerManagedMessage, "", outputs
	if d.Operation == platform.Delete {
		d.Status, d.StatusMessage, d.Outputs = platform.DeleteComplete, "customer-managed: record removed, nothing deleted", nil
	}
	d.CompletedAt, d.UpdatedAt = s.clock(), s.clock()
	d.LeaseOwner, d.LeaseExpiresAt = "", d.CreatedAt
	return d
}

// recordEnvironmentChange records deployment d of customer-managed environment env, as
// stored: its outputs replaced by outputs (nil keeps them), succeeded at once, or its
// record removed for a deletion. DeploymentType NONE records the spec only, and takes
// no outputs. Conflict when env changed meanwhile.
func (s *Service) recordEnvironmentChange(ctx context.Context, env platform.Environment, d platform.Deployment, outputs []platform.Output, deployType platform.DeploymentType, token *platform.ClientToken) (platform.Deployment, error) {
	if deployType == platform.DeployNone {
		if outputs != nil {
			return d, platform.FieldErrorf("outputs", "deploymentType NONE records the spec only: replace the outputs with CURRENT_VERSION")
		}
		return d, s.store.RecordSpec(ctx, d.Target, d.Spec, env.Revision, token)
	}
	if outputs == nil {
		outputs = env.Outputs
	}
	d = s.recorded(d, outputs)
	d.PreviousDeploymentID = env.LastSucceededDeploymentID
	if err := s.store.RecordDeployment(ctx, d, env.Revision, token); err != nil {
		return d, err
	}
	s.publish(ctx, platform.TargetEvents(d, env.DeploymentStatus)...)
	return d, nil
}

// checkInstanceOutputs renders d, a deployment of service instance inst of svc (either
// stored or not yet), when env, inst's environment as read, is customer-managed and the
// template version tv renders CloudFormation (see checkOutputsRead).
func (s *Service) checkInstanceOutputs(ctx context.Context, field string, tv platform.TemplateVersion, d platform.Deployment, svc platform.Service, inst platform.ServiceInstance, env platform.Environment) error {
	return s.checkOutputsRead(field, "instance "+inst.Name, env, tv.Engine, func() error {
		_, err := s.previewer.RenderNewInstance(ctx, d, svc, inst)
		return err
	})
}

// checkComponentOutputs renders d, a deployment of component c as given, when c's
// environment is customer-managed and c renders CloudFormation (see checkOutputsRead).
func (s *Service) checkComponentOutputs(ctx context.Context, field string, engine platform.Engine, d platform.Deployment, c platform.Component) error {
	if s.previewer == nil || engine.OrDefault() != platform.EngineCloudFormation {
		return nil
	}
	env, err := s.store.GetEnvironment(ctx, c.Environment)
	if err != nil {
		return err
	}
	return s.checkOutputsRead(field, "component "+c.Name, env, engine, func() error {
		_, err := s.previewer.RenderNewComponent(ctx, d, c)
		return err
	})
}

// checkOutputsRead runs render, the rendering of what (a service instance or component)
// in env, when env is customer-managed and engine is CloudFormation:
// its outputs were given by hand, and a template that reads one it was not given fails
// here — before anything is stored — instead of deploying "" in its place. Invalid
// naming field, the template file and line and the missing output; render's other errors.
// Without a previewer the check is left to the deployment's own rendering, which fails
// the same way.
func (s *Service) checkOutputsRead(field, what string, env platform.Environment, engine platform.Engine, render func() error) error {
	if s.previewer == nil || engine.OrDefault() != platform.EngineCloudFormation || !env.CustomerManaged {
		return nil
	}
	err := render()
	if platform.KindOf(err) == platform.Invalid {
		return platform.FieldErrorf(field, "%s cannot render in customer-managed environment %s: %s", what, env.Name, platform.MessageOf(err))
	}
	return err
}
