package control

import (
	"context"
	"fmt"
	"sort"

	"github.com/gantry-platform/gantry/internal/platform"
)

// maxDescriptionChars is Proton's limit on a description.
const maxDescriptionChars = 500

// serviceChildren reads svc's instances and pipeline (one Query per 100 instances and a
// GetItem) and sets svc.Status and StatusMessage as platform.ServiceStatusOf derives them.
func (s *Service) serviceChildren(ctx context.Context, svc *platform.Service) ([]platform.ServiceChild, error) {
	var children []platform.ServiceChild
	page := platform.PageRequest{Limit: 100}
	for {
		instances, err := s.store.ListServiceInstances(ctx, svc.Name, page)
		if err != nil {
			return nil, err
		}
		for _, i := range instances.Items {
			children = append(children, platform.ServiceChild{Target: i.Target(), Deployable: i.Deployable})
		}
		if instances.NextToken == "" {
			break
		}
		page.NextToken = instances.NextToken
	}
	if svc.HasPipeline {
		p, err := s.store.GetServicePipeline(ctx, svc.Name)
		switch {
		case err == nil:
			children = append(children, platform.ServiceChild{Target: p.Target(), Deployable: p.Deployable})
		case platform.KindOf(err) != platform.NotFound:
			return nil, err
		}
	}
	svc.Status, svc.StatusMessage = platform.ServiceStatusOf(svc.Status, children)
	return children, nil
}

// busyChild returns the first child with a deployment in progress, nil when none.
func busyChild(children []platform.ServiceChild) *platform.ServiceChild {
	for i, c := range children {
		if c.DeploymentStatus.Active() {
			return &children[i]
		}
	}
	return nil
}

// UpdateServiceInput changes a service, as Proton's UpdateService: Description when not
// nil; Spec, when not "", is the ServiceSpec listing the instances to keep (unchanged:
// edits of existing instances go through UpdateServiceInstance) and those to add.
type UpdateServiceInput struct {
	Description *string
	Spec        string
	ClientToken string
}

// UpdateService changes a service's description and, with a spec, its instances: an
// instance the spec adds is created and deployed (into an environment compatible with
// the service's template version); an instance it omits is deleted — its stack first,
// then its record. The service shows UPDATE_IN_PROGRESS until those deployments end.
// Errors: Invalid naming the field (a spec dropping every instance: delete the service
// instead); Conflict while any instance or the pipeline has a deployment in progress or
// the service is being deleted; NotFound.
func (s *Service) UpdateService(ctx context.Context, name string, in UpdateServiceInput) (platform.Service, error) {
	if err := checkSpec("spec", in.Spec); err != nil {
		return platform.Service{}, err
	}
	if in.Description != nil && len(*in.Description) > maxDescriptionChars {
		return platform.Service{}, platform.FieldErrorf("description", "must be at most %d characters", maxDescriptionChars)
	}
	replay := func(result string) (platform.Service, error) { return s.GetService(ctx, name) }
	return idempotent(ctx, s, "UpdateService:"+name, in.ClientToken, in, replay, func(token *platform.ClientToken) (platform.Service, error) {
		return s.updateService(ctx, name, in, token)
	})
}

// updateService applies a checked update to service name, storing token (when not nil)
// with it.
func (s *Service) updateService(ctx context.Context, name string, in UpdateServiceInput, token *platform.ClientToken) (platform.Service, error) {
	svc, err := s.store.GetService(ctx, name)
	if err != nil {
		return svc, err
	}
	phase := svc.Status
	children, err := s.serviceChildren(ctx, &svc)
	if err != nil {
		return svc, err
	}
	if phase == platform.ServiceDeleteInProgress {
		return svc, platform.Errorf(platform.Conflict, "service %s is being deleted (%s)", name, svc.Status)
	}
	if c := busyChild(children); c != nil {
		return svc, platform.Errorf(platform.Conflict, "%s has a deployment in progress (%s); wait for it or cancel it", c.Target, c.LastDeploymentID)
	}
	changed := svc
	changed.Status, changed.StatusMessage = phase, ""
	changed.UpdatedAt = s.clock()
	if in.Description != nil {
		changed.Description = *in.Description
	}
	var added []platform.ServiceInstance
	var deployments []platform.Deployment
	revisions := map[platform.Target]int64{}
	if in.Spec != "" {
		tv, err := s.store.GetTemplateVersion(ctx, platform.ServiceTemplate, svc.TemplateName, svc.TemplateVersion)
		if err != nil {
			return svc, err
		}
		spec, err := s.engine.ServiceInputs(tv.Schema, in.Spec, false)
		if err != nil {
			return svc, err
		}
		if len(spec.Instances) == 0 {
			return svc, platform.FieldErrorf("spec.instances", "must list at least one instance; to remove every instance, delete the service")
		}
		existing := map[string]platform.ServiceChild{}
		for _, c := range children {
			if c.Target.Kind == platform.ServiceInstanceTarget {
				existing[c.Target.Instance] = c
			}
		}
		kept := map[string]bool{}
		for i, inst := range spec.Instances {
			field := fmt.Sprintf("spec.instances[%d]", i)
			if kept[inst.Name] {
				return svc, platform.FieldErrorf(field+".name", "instance %q is listed twice", inst.Name)
			}
			kept[inst.Name] = true
			if _, ok := existing[inst.Name]; ok {
				continue
			}
			if err := platform.ValidateName(field+".name", inst.Name); err != nil {
				return svc, err
			}
			// A new instance runs the template version its service was created with
			// (UpdateServiceInstance moves it on).
			env, err := s.checkEnvironment(ctx, tv, inst.Environment, field+".environment")
			if err != nil {
				return svc, err
			}
			target := platform.Target{Kind: platform.ServiceInstanceTarget, Service: name, Instance: inst.Name}
			d := s.newDeployment(target, platform.Deploy, tv, inst.Spec, inst.Inputs)
			instance := platform.ServiceInstance{Service: name, Name: inst.Name, Environment: inst.Environment, Deployable: newDeployable(tv, d)}
			if err := s.checkInstanceOutputs(ctx, field+".environment", tv, d, svc, instance, env); err != nil {
				return svc, err
			}
			deployments, added = append(deployments, d), append(added, instance)
		}
		removed := make([]string, 0, len(existing))
		for n := range existing {
			if !kept[n] {
				removed = append(removed, n)
			}
		}
		sort.Strings(removed)
		for _, n := range removed {
			// An instance's component is deleted before it.
			c := existing[n]
			d := s.deleteDeployment(c)
			component, err := s.componentFirst(ctx, &d, revisions)
			if err != nil {
				return svc, err
			}
			if component != nil {
				deployments = append(deployments, *component)
			}
			deployments = append(deployments, d)
			revisions[c.Target] = c.Revision
		}
		changed.Spec = in.Spec
		if len(deployments) > 0 {
			changed.Status = platform.ServiceUpdateInProgress
		}
	}
	if len(added) > maxInstances {
		return svc, platform.FieldErrorf("spec.instances", "adds %d instances; at most %d per request", len(added), maxInstances)
	}
	if err := s.store.ChangeService(ctx, changed, added, deployments, revisions, token); err != nil {
		return svc, err
	}
	if len(deployments) == 0 {
		return s.GetService(ctx, name)
	}
	s.launchAll(ctx, startable(deployments))
	// The answer is the change as accepted: its deployments have just started.
	changed.Revision++
	return changed, nil
}

// deleteDeployment builds the deletion of a service's instance or pipeline, not yet stored.
func (s *Service) deleteDeployment(c platform.ServiceChild) platform.Deployment {
	tv := platform.TemplateVersion{TemplateName: c.TemplateName, Version: c.TemplateVersion}
	d := s.newDeployment(c.Target, platform.Delete, tv, c.Spec, nil)
	d.PreviousDeploymentID = c.LastSucceededDeploymentID
	d.StackName = stackOf(c.Deployable, d)
	return d
}

// launchAll starts the workflows of stored deployments; one that cannot start is
// finished FAILED (DELETE_FAILED) by launch, and the others still start.
func (s *Service) launchAll(ctx context.Context, deployments []platform.Deployment) {
	for _, d := range deployments {
		_ = s.launch(ctx, d, "") // launch logs and records the failure on the deployment
	}
}

// DeleteService deletes a service as Proton does: its pipeline, then every instance, are
// deleted (their stacks first, then their records; components first once they exist),
// and the last of them to go takes the service record with it. Meanwhile the service
// shows DELETE_IN_PROGRESS, or DELETE_FAILED naming the instance or pipeline whose
// deletion failed and why (DeleteService again retries). Errors: Conflict while any
// instance or the pipeline has a deployment in progress; NotFound.
func (s *Service) DeleteService(ctx context.Context, name string) (platform.Service, error) {
	svc, err := s.store.GetService(ctx, name)
	if err != nil {
		return svc, err
	}
	children, err := s.serviceChildren(ctx, &svc)
	if err != nil {
		return svc, err
	}
	if c := busyChild(children); c != nil {
		return svc, platform.Errorf(platform.Conflict, "%s has a deployment in progress (%s); wait for it or cancel it", c.Target, c.LastDeploymentID)
	}
	changed := svc
	changed.Status, changed.StatusMessage, changed.UpdatedAt = platform.ServiceDeleteInProgress, "", s.clock()
	var deployments, launch []platform.Deployment
	revisions := map[platform.Target]int64{}
	hasPipeline := false
	for _, c := range children {
		hasPipeline = hasPipeline || c.Target.Kind == platform.ServicePipelineTarget
	}
	for _, c := range children {
		d := s.deleteDeployment(c)
		if hasPipeline && c.Target.Kind == platform.ServiceInstanceTarget {
			// The workflow starts it once the pipeline is gone (or fails it if that fails).
			d.StatusMessage = platform.WaitingForPipelineDeletion
		}
		if c.Target.Kind == platform.ServiceInstanceTarget {
			// An instance's component is deleted first, at once; the instance follows.
			component, err := s.componentFirst(ctx, &d, revisions)
			if err != nil {
				return svc, err
			}
			if component != nil {
				deployments = append(deployments, *component)
				launch = append(launch, *component)
			}
		}
		if d.StatusMessage == "" {
			launch = append(launch, d)
		}
		deployments = append(deployments, d)
		revisions[c.Target] = c.Revision
	}
	if err := s.store.ChangeService(ctx, changed, nil, deployments, revisions, nil); err != nil {
		return svc, err
	}
	if len(children) == 0 {
		if err := s.store.DeleteService(ctx, name); err != nil && platform.KindOf(err) != platform.NotFound {
			return svc, err
		}
		return changed, nil
	}
	s.launchAll(ctx, launch)
	changed.Revision++
	return changed, nil
}

// CreateServiceInstanceInput is a new instance of an existing service, as Proton's
// CreateServiceInstance: Spec is a ServiceSpec listing the instance (its environment and
// inputs); the template version defaults to the service's major, and within it to the
// recommended minor.
type CreateServiceInstanceInput struct {
	Service      string
	Name         string
	Spec         string
	MajorVersion *int
	MinorVersion *int
	ClientToken  string
}

// CreateServiceInstance adds an instance to a service and deploys it. Errors: Invalid
// naming the field (the spec must list the instance by name, with an environment the
// template version is compatible with); Conflict when the name is taken or the service is
// being deleted; NotFound for the service.
func (s *Service) CreateServiceInstance(ctx context.Context, in CreateServiceInstanceInput) (platform.ServiceInstance, error) {
	if err := platform.ValidateName("name", in.Name); err != nil {
		return platform.ServiceInstance{}, err
	}
	if err := checkSpec("spec", in.Spec); err != nil {
		return platform.ServiceInstance{}, err
	}
	replay := func(result string) (platform.ServiceInstance, error) {
		return s.store.GetServiceInstance(ctx, in.Service, result)
	}
	return idempotent(ctx, s, "CreateServiceInstance:"+in.Service, in.ClientToken, in, replay, func(token *platform.ClientToken) (platform.ServiceInstance, error) {
		return s.createServiceInstance(ctx, in, token)
	})
}

// createServiceInstance stores and deploys a checked new instance, storing token (when
// not nil) with it.
func (s *Service) createServiceInstance(ctx context.Context, in CreateServiceInstanceInput, token *platform.ClientToken) (platform.ServiceInstance, error) {
	svc, err := s.store.GetService(ctx, in.Service)
	if err != nil {
		return platform.ServiceInstance{}, err
	}
	if svc.Status == platform.ServiceDeleteInProgress {
		return platform.ServiceInstance{}, platform.Errorf(platform.Conflict, "service %s is being deleted", in.Service)
	}
	major := svc.TemplateVersion.Major
	if in.MajorVersion != nil {
		major = *in.MajorVersion
	}
	tv, err := s.resolveVersion(ctx, platform.ServiceTemplate, svc.TemplateName, major, in.MinorVersion, "")
	if err != nil {
		return platform.ServiceInstance{}, err
	}
	spec, err := s.engine.ServiceInputs(tv.Schema, in.Spec, false)
	if err != nil {
		return platform.ServiceInstance{}, err
	}
	var inst *InstanceInputs
	for i := range spec.Instances {
		if spec.Instances[i].Name == in.Name {
			inst = &spec.Instances[i]
		}
	}
	if inst == nil {
		return platform.ServiceInstance{}, platform.FieldErrorf("spec.instances", "must list instance %q (with its environment and inputs)", in.Name)
	}
	env, err := s.checkEnvironment(ctx, tv, inst.Environment, "spec.instances.environment")
	if err != nil {
		return platform.ServiceInstance{}, err
	}
	target := platform.Target{Kind: platform.ServiceInstanceTarget, Service: in.Service, Instance: in.Name}
	d := s.newDeployment(target, platform.Deploy, tv, inst.Spec, inst.Inputs)
	instance := platform.ServiceInstance{Service: in.Service, Name: in.Name, Environment: inst.Environment, Deployable: newDeployable(tv, d)}
	if err := s.checkInstanceOutputs(ctx, "spec.instances.environment", tv, d, svc, instance, env); err != nil {
		return platform.ServiceInstance{}, err
	}
	if token != nil {
		token.Result = in.Name
	}
	svc.UpdatedAt = s.clock()
	if err := s.store.ChangeService(ctx, svc, []platform.ServiceInstance{instance}, []platform.Deployment{d}, nil, token); err != nil {
		return platform.ServiceInstance{}, err
	}
	if err := s.launch(ctx, d, ""); err != nil {
		return instance, err
	}
	return s.store.GetServiceInstance(ctx, in.Service, in.Name)
}
