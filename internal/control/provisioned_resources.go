package control

import (
	"context"

	"github.com/gantry-platform/gantry/internal/platform"
)

// ListProvisionedResources returns one page of the resources provisioned for target —
// Proton's ListEnvironmentProvisionedResources, ListServiceInstanceProvisionedResources,
// ListServicePipelineProvisionedResources and ListComponentProvisionedResources: the
// resources of its stack as CloudFormation lists them (name = logical id, identifier =
// physical id), leaving out those already deleted; a target in an environment account is
// read there, through its environment's connection. nextToken continues a previous
// page of the same target. A target whose stack was never created (not deployed yet, or
// its first deployment failed before CloudFormation made the stack) has none. Errors:
// NotFound when the target does not exist (a service without a pipeline has no pipeline
// resources); Invalid for a nextToken that is not this target's; Forbidden for a caller
// with neither role; Conflict when the target's account can no longer be reached (its
// connection deleted or no longer CONNECTED).
func (s *Service) ListProvisionedResources(ctx context.Context, target platform.Target, nextToken string) (platform.Page[platform.ProvisionedResource], error) {
	page := platform.Page[platform.ProvisionedResource]{Items: []platform.ProvisionedResource{}}
	if err := requireRole(ctx, platform.DeveloperRole, "listing provisioned resources"); err != nil {
		return page, err
	}
	current, err := s.deployableOf(ctx, target)
	if err != nil {
		return page, err
	}
	if s.stacks == nil {
		return page, platform.Errorf(platform.Internal, "control: no provisioner to list %s's resources", target)
	}
	stackName := current.StackName
	if stackName == "" {
		stackName = platform.StackName(target)
	}
	stacks, err := s.stacksOfTarget(ctx, current)
	if err != nil {
		return page, err
	}
	resources, err := stacks.ListResources(ctx, stackName, nextToken)
	switch {
	case platform.KindOf(err) == platform.NotFound && nextToken == "":
		return page, nil
	case platform.KindOf(err) == platform.NotFound:
		return page, platform.FieldErrorf("nextToken", "the listing it continues has ended: %s's stack no longer exists", target)
	case err != nil:
		return page, err
	}
	page.NextToken = resources.NextToken
	for _, r := range resources.Resources {
		if r.Status == "DELETE_COMPLETE" {
			continue
		}
		page.Items = append(page.Items, platform.ProvisionedResource{Name: r.LogicalID, Identifier: r.PhysicalID, ProvisioningEngine: platform.CloudFormationEngine})
	}
	return page, nil
}

// deployableOf returns what target's record says of its deployments; NotFound when the
// target does not exist.
func (s *Service) deployableOf(ctx context.Context, target platform.Target) (platform.Deployable, error) {
	switch target.Kind {
	case platform.EnvironmentTarget:
		e, err := s.store.GetEnvironment(ctx, target.Environment)
		return e.Deployable, err
	case platform.ServiceInstanceTarget:
		i, err := s.store.GetServiceInstance(ctx, target.Service, target.Instance)
		return i.Deployable, err
	case platform.ComponentTarget:
		c, err := s.store.GetComponent(ctx, target.Component)
		return c.Deployable, err
	}
	p, err := s.store.GetServicePipeline(ctx, target.Service)
	return p.Deployable, err
}

// stacksOfTarget is the CloudFormation of target's stack, as its deployments placed it:
// the account its last deployment went to (or, when that one has not reached its stack
// yet, its last succeeded one's), through the environment's connection; the platform's
// own for a target never deployed.
func (s *Service) stacksOfTarget(ctx context.Context, current platform.Deployable) (platform.StackProvisioner, error) {
	if current.LastDeploymentID == "" {
		return s.stacks, nil
	}
	d, err := s.store.GetDeployment(ctx, current.LastDeploymentID)
	if err != nil {
		return nil, err
	}
	if d.Account == "" && d.Region == "" && current.LastSucceededDeploymentID != "" && current.LastSucceededDeploymentID != d.ID {
		if d, err = s.store.GetDeployment(ctx, current.LastSucceededDeploymentID); err != nil {
			return nil, err
		}
	}
	return platform.StacksOf(ctx, s.stacks, s.accounts, s.store, d)
}
