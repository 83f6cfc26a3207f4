package control

import (
	"context"
	"fmt"

	"github.com/gantry-platform/gantry/internal/platform"
)

// maxInstances bounds the instances one CreateService makes (one atomic write).
const maxInstances = 20

// CreateServiceInput is a new service.
type CreateServiceInput struct {
	Name                    string
	Description             string
	TemplateName            string
	MajorVersion            int
	MinorVersion            *int
	Spec                    string
	RepositoryID            string
	RepositoryConnectionARN string
	BranchName              string
	ClientToken             string
}

// CreateService validates the ServiceSpec, stores the service, one instance per entry of
// its instances (each in an environment whose template the service template is compatible
// with) and its pipeline when the template has one, and starts deploying the instances.
// The pipeline deploys once the instances have finished, since its template reads their
// outputs. An instance in a customer-managed environment is rendered first: a template
// reading an output the environment was not given is refused (checkInstanceOutputs).
// Invalid errors name the field; Conflict if the name is taken.
func (s *Service) CreateService(ctx context.Context, in CreateServiceInput) (platform.Service, error) {
	if err := platform.ValidateName("name", in.Name); err != nil {
		return platform.Service{}, err
	}
	if err := checkSpec("spec", in.Spec); err != nil {
		return platform.Service{}, err
	}
	replay := func(name string) (platform.Service, error) { return s.store.GetService(ctx, name) }
	return idempotent(ctx, s, "CreateService", in.ClientToken, in, replay, func(token *platform.ClientToken) (platform.Service, error) {
		return s.createService(ctx, in, token)
	})
}

// createService is CreateService once its client token is checked.
func (s *Service) createService(ctx context.Context, in CreateServiceInput, token *platform.ClientToken) (platform.Service, error) {
	tv, err := s.resolveVersion(ctx, platform.ServiceTemplate, in.TemplateName, in.MajorVersion, in.MinorVersion, "")
	if err != nil {
		return platform.Service{}, err
	}
	if tv.HasPipeline {
		for field, v := range map[string]string{"repositoryConnectionArn": in.RepositoryConnectionARN, "repositoryId": in.RepositoryID, "branchName": in.BranchName} {
			if v == "" {
				return platform.Service{}, platform.FieldErrorf(field, "is required: template %s %s has a pipeline", tv.TemplateName, tv.Version)
			}
		}
	}
	spec, err := s.engine.ServiceInputs(tv.Schema, in.Spec, tv.HasPipeline)
	if err != nil {
		return platform.Service{}, err
	}
	if len(spec.Instances) == 0 {
		return platform.Service{}, platform.FieldErrorf("spec.instances", "must list at least one instance")
	}
	if len(spec.Instances) > maxInstances {
		return platform.Service{}, platform.FieldErrorf("spec.instances", "lists %d instances; at most %d per request", len(spec.Instances), maxInstances)
	}
	now := s.clock()
	svc := platform.Service{Name: in.Name, Description: in.Description, TemplateName: tv.TemplateName,
		TemplateVersion: tv.Version, Spec: in.Spec, RepositoryID: in.RepositoryID,
		RepositoryConnectionARN: in.RepositoryConnectionARN, BranchName: in.BranchName,
		HasPipeline: tv.HasPipeline, Status: platform.ServiceCreateInProgress, CreatedAt: now, UpdatedAt: now, Revision: 1}
	var instances []platform.ServiceInstance
	var deployments []platform.Deployment
	seen := map[string]bool{}
	for i, inst := range spec.Instances {
		field := fmt.Sprintf("spec.instances[%d]", i)
		if err := platform.ValidateName(field+".name", inst.Name); err != nil {
			return svc, err
		}
		if seen[inst.Name] {
			return svc, platform.FieldErrorf(field+".name", "instance %q is listed twice", inst.Name)
		}
		seen[inst.Name] = true
		env, err := s.checkEnvironment(ctx, tv, inst.Environment, field+".environment")
		if err != nil {
			return svc, err
		}
		target := platform.Target{Kind: platform.ServiceInstanceTarget, Service: in.Name, Instance: inst.Name}
		d := s.newDeployment(target, platform.Deploy, tv, inst.Spec, inst.Inputs)
		instance := platform.ServiceInstance{Service: in.Name, Name: inst.Name, Environment: inst.Environment, Deployable: newDeployable(tv, d)}
		if err := s.checkInstanceOutputs(ctx, field+".environment", tv, d, svc, instance, env); err != nil {
			return svc, err
		}
		deployments, instances = append(deployments, d), append(instances, instance)
	}
	var pipeline *platform.ServicePipeline
	if tv.HasPipeline {
		target := platform.Target{Kind: platform.ServicePipelineTarget, Service: in.Name}
		d := s.newDeployment(target, platform.Deploy, tv, in.Spec, spec.Pipeline)
		// No worker until the instances finish; the lease lets the reconciler start it
		// should the worker that finishes the last instance be lost first.
		d.StatusMessage = platform.WaitingForInstances
		deployments = append(deployments, d)
		pipeline = &platform.ServicePipeline{Service: in.Name, Deployable: newDeployable(tv, d)}
		pipeline.DeploymentStatusMessage = d.StatusMessage
	}
	if token != nil {
		token.Result = in.Name
	}
	if err := s.store.CreateService(ctx, svc, instances, pipeline, deployments, token); err != nil {
		return platform.Service{}, err
	}
	for i, d := range deployments {
		if d.Target.Kind != platform.ServiceInstanceTarget {
			continue
		}
		if err := s.launch(ctx, d, ""); err != nil {
			// Nothing else will start: the instances not launched yet and the pipeline
			// (which waits for them) end FAILED too.
			for _, rest := range deployments[i+1:] {
				s.abandon(ctx, rest, "not started: the deployment workflow could not be started; try again")
			}
			return svc, err
		}
	}
	return svc, nil
}

// newDeployable is the state of a target created together with its first deployment d.
func newDeployable(tv platform.TemplateVersion, d platform.Deployment) platform.Deployable {
	return platform.Deployable{TemplateName: tv.TemplateName, TemplateVersion: tv.Version, Spec: d.Spec,
		DeploymentStatus: d.Status, LastDeploymentID: d.ID, StackName: d.StackName,
		LastAttemptedAt: d.CreatedAt, CreatedAt: d.CreatedAt, Revision: 1}
}

// checkEnvironment confirms an instance of tv may deploy into environment name, and
// returns the environment as read: it
// exists, has deployed, runs a compatible template, is in the platform's region unless tv
// is provisioned by CloudFormation (Invalid naming field otherwise) and, for a CodeBuild
// version, has a CodeBuild role (Invalid naming codebuildRoleArn otherwise).
func (s *Service) checkEnvironment(ctx context.Context, tv platform.TemplateVersion, name, field string) (platform.Environment, error) {
	if name == "" {
		return platform.Environment{}, platform.FieldErrorf(field, "is required")
	}
	env, err := s.store.GetEnvironment(ctx, name)
	if platform.KindOf(err) == platform.NotFound {
		return env, platform.FieldErrorf(field, "environment %q does not exist", name)
	}
	if err != nil {
		return env, err
	}
	if env.LastSucceededDeploymentID == "" {
		return env, platform.FieldErrorf(field, "environment %q has not been deployed successfully yet (status %s)", name, env.DeploymentStatus)
	}
	for _, c := range tv.CompatibleEnvironments {
		if c.TemplateName == env.TemplateName && c.MajorVersion == env.TemplateVersion.Major {
			if err := s.checkEngineRegion(tv, env, field); err != nil {
				return env, err
			}
			return env, s.checkCodebuildRole(ctx, tv, env)
		}
	}
	return env, platform.FieldErrorf(field, "environment %q runs %s:%d, which service template %s %s is not compatible with (compatible: %s)",
		name, env.TemplateName, env.TemplateVersion.Major, tv.TemplateName, tv.Version, compatibleList(tv.CompatibleEnvironments))
}

func compatibleList(cs []platform.CompatibleEnvironment) string {
	out := ""
	for i, c := range cs {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprintf("%s:%d", c.TemplateName, c.MajorVersion)
	}
	return out
}

// GetService returns a service with its status derived from its instances and pipeline
// (platform.ServiceStatusOf); NotFound if there is none.
func (s *Service) GetService(ctx context.Context, name string) (platform.Service, error) {
	svc, err := s.store.GetService(ctx, name)
	if err != nil {
		return svc, err
	}
	_, err = s.serviceChildren(ctx, &svc)
	return svc, err
}

// ListServices lists services, each with its status derived as GetService derives it.
func (s *Service) ListServices(ctx context.Context, page platform.PageRequest) (platform.Page[platform.Service], error) {
	list, err := s.store.ListServices(ctx, page)
	if err != nil {
		return list, err
	}
	for i := range list.Items {
		if _, err := s.serviceChildren(ctx, &list.Items[i]); err != nil {
			return list, err
		}
	}
	return list, nil
}

// ListServiceInstances lists a service's instances; NotFound if the service does not exist.
func (s *Service) ListServiceInstances(ctx context.Context, service string, page platform.PageRequest) (platform.Page[platform.ServiceInstance], error) {
	if _, err := s.store.GetService(ctx, service); err != nil {
		return platform.Page[platform.ServiceInstance]{}, err
	}
	return s.store.ListServiceInstances(ctx, service, page)
}

// GetServiceInstance returns one instance; NotFound if there is none.
func (s *Service) GetServiceInstance(ctx context.Context, service, name string) (platform.ServiceInstance, error) {
	return s.store.GetServiceInstance(ctx, service, name)
}

// GetServicePipeline returns a service's pipeline; NotFound if it has none.
func (s *Service) GetServicePipeline(ctx context.Context, service string) (platform.ServicePipeline, error) {
	return s.store.GetServicePipeline(ctx, service)
}

// UpdateServiceInstance redeploys one instance with a new spec (its inputs, or a
// ServiceSpec naming it) and/or template version. Conflict while a deployment is in progress.
// When the service is synced (CreateServiceSyncConfig) and the caller is not sync, the
// change raises a sync blocker, as in Proton. In a customer-managed environment the
// update is rendered first: Invalid naming the output it reads that the environment was
// not given, with the template file and line.
func (s *Service) UpdateServiceInstance(ctx context.Context, service, name string, in UpdateInput) (platform.ServiceInstance, error) {
	if err := environmentOnly(in); err != nil {
		return platform.ServiceInstance{}, err
	}
	if err := checkSpec("spec", in.Spec); err != nil {
		return platform.ServiceInstance{}, err
	}
	replay := func(string) (platform.ServiceInstance, error) { return s.store.GetServiceInstance(ctx, service, name) }
	inst, err := idempotent(ctx, s, "UpdateServiceInstance:"+service+"/"+name, in.ClientToken, in, replay, func(token *platform.ClientToken) (platform.ServiceInstance, error) {
		return s.updateServiceInstance(ctx, service, name, in, token)
	})
	if err == nil {
		// A synced service changed by hand: its syncs stop until someone resolves it.
		err = s.raiseManualChangeBlocker(ctx, service, name, inst.LastDeploymentID)
	}
	return inst, err
}

// planInstanceUpdate checks an update of a service instance and returns the instance and
// the deployment the update makes, not stored: from a preview when in names one. In a
// customer-managed environment the update's template is rendered (checkInstanceOutputs).
func (s *Service) planInstanceUpdate(ctx context.Context, service, name string, in UpdateInput) (platform.ServiceInstance, platform.Deployment, error) {
	inst, err := s.store.GetServiceInstance(ctx, service, name)
	if err != nil {
		return inst, platform.Deployment{}, err
	}
	if in.PreviewID != "" {
		d, err := s.previewedDeployment(ctx, inst.Target(), inst.Deployable, in)
		return inst, d, err
	}
	tv, err := s.updateVersion(ctx, platform.ServiceTemplate, inst.Deployable, in)
	if err != nil {
		return inst, platform.Deployment{}, err
	}
	var env platform.Environment
	if tv.Version.Major != inst.TemplateVersion.Major {
		if env, err = s.checkEnvironment(ctx, tv, inst.Environment, "environment"); err != nil {
			return inst, platform.Deployment{}, err
		}
	}
	spec := in.Spec
	if spec == "" {
		spec = inst.Spec
	}
	inputs, err := s.engine.InstanceInputs(tv.Schema, spec, name)
	if err != nil {
		return inst, platform.Deployment{}, err
	}
	d := s.newDeployment(inst.Target(), platform.Deploy, tv, spec, inputs)
	if in.DeploymentType == platform.DeployNone {
		return inst, d, nil // nothing renders
	}
	if env.Name == "" {
		if env, err = s.store.GetEnvironment(ctx, inst.Environment); err != nil {
			return inst, d, err
		}
	}
	if !env.CustomerManaged {
		return inst, d, nil // the check renders only there: no service to read
	}
	svc, err := s.store.GetService(ctx, service)
	if err != nil {
		return inst, d, err
	}
	return inst, d, s.checkInstanceOutputs(ctx, "environment", tv, d, svc, inst, env)
}

// updateServiceInstance is UpdateServiceInstance once its client token is checked.
func (s *Service) updateServiceInstance(ctx context.Context, service, name string, in UpdateInput, token *platform.ClientToken) (platform.ServiceInstance, error) {
	inst, d, err := s.planInstanceUpdate(ctx, service, name, in)
	if err != nil {
		return inst, err
	}
	if token != nil {
		token.Result = d.ID
	}
	if err := s.startUpdate(ctx, d, inst.Deployable, in.DeploymentType, token); err != nil {
		return inst, err
	}
	return s.store.GetServiceInstance(ctx, service, name)
}
