package control

import (
	"context"
	"encoding/json"
	"errors"
	"slices"

	"github.com/gantry-platform/gantry/internal/platform"
)

// maxDescription is Proton's limit on a description.
const maxDescription = 500

// requireRole returns Forbidden unless the caller holds role.
func requireRole(ctx context.Context, role platform.Role, operation string) error {
	if !caller(ctx).Has(role) {
		return platform.Errorf(platform.Forbidden, "%s needs the %s role", operation, role)
	}
	return nil
}

// CreateComponentInput is a new directly defined component (Proton's CreateComponent):
// attached to a service instance (ServiceName and ServiceInstanceName), or detached, in
// EnvironmentName.
type CreateComponentInput struct {
	Name                string
	Description         string
	EnvironmentName     string
	ServiceName         string
	ServiceInstanceName string
	// ServiceSpec is the ServiceSpec the component reads the instance's inputs from;
	// without one it reads the instance's current inputs. Attached components only.
	ServiceSpec string
	// Manifest is the manifest.yaml listing the component's one template;
	// TemplateFile that template (CloudFormation, rendered with jinja).
	Manifest     string
	TemplateFile string
	ClientToken  string
	Tags         map[string]string
}

// CreateComponent validates a directly defined component, stores it with its first
// deployment and starts deploying it into a stack of its own. An attached component needs
// a service instance whose service template version lists DIRECTLY_DEFINED among its
// supported component sources, and which has no component yet; the environment must have
// a component role (Proton's componentRoleArn), which its stack is deployed under. Errors:
// Invalid naming the field (sources, names, the attachment, the service spec, an
// environment without a component role; templateFile with the line and the output for a
// template reading an output its customer-managed environment was not given — see
// checkOutputsRead), NotFound for a missing
// service instance, Conflict when the name is taken or the instance has a component,
// Forbidden without the developer role.
func (s *Service) CreateComponent(ctx context.Context, in CreateComponentInput) (platform.Component, error) {
	if err := requireRole(ctx, platform.DeveloperRole, "CreateComponent"); err != nil {
		return platform.Component{}, err
	}
	if err := platform.ValidateName("name", in.Name); err != nil {
		return platform.Component{}, err
	}
	if len(in.Description) > maxDescription {
		return platform.Component{}, platform.FieldErrorf("description", "must be at most %d characters", maxDescription)
	}
	engine, err := s.engine.CheckComponent(in.Manifest, in.TemplateFile)
	if err != nil {
		return platform.Component{}, err
	}
	if err := checkSpec("serviceSpec", in.ServiceSpec); err != nil {
		return platform.Component{}, err
	}
	if err := platform.ValidateTags("tags", in.Tags); err != nil {
		return platform.Component{}, err
	}
	replay := func(name string) (platform.Component, error) { return s.store.GetComponent(ctx, name) }
	return idempotent(ctx, s, "CreateComponent", in.ClientToken, in, replay, func(token *platform.ClientToken) (platform.Component, error) {
		return s.createComponent(ctx, in, engine, token)
	})
}

// createComponent stores a checked new component, provisioned by engine, with its first
// deployment (and token, when not nil) and starts deploying it.
func (s *Service) createComponent(ctx context.Context, in CreateComponentInput, engine platform.Engine, token *platform.ClientToken) (platform.Component, error) {
	now := s.clock()
	c := platform.Component{Name: in.Name, Description: in.Description, ServiceSpec: in.ServiceSpec,
		Manifest: in.Manifest, TemplateFile: in.TemplateFile, LastClientRequestToken: in.ClientToken, UpdatedAt: now}
	var inputs json.RawMessage
	switch {
	case in.ServiceName != "" || in.ServiceInstanceName != "":
		if in.ServiceName == "" || in.ServiceInstanceName == "" {
			return c, platform.FieldErrorf("serviceInstanceName", "serviceName and serviceInstanceName go together: give both or neither")
		}
		inst, err := s.store.GetServiceInstance(ctx, in.ServiceName, in.ServiceInstanceName)
		if err != nil {
			return c, err
		}
		if in.EnvironmentName != "" && in.EnvironmentName != inst.Environment {
			return c, platform.FieldErrorf("environmentName", "service instance %s/%s runs in environment %s, not %s", inst.Service, inst.Name, inst.Environment, in.EnvironmentName)
		}
		c.Service, c.Instance, c.Environment = inst.Service, inst.Name, inst.Environment
		if inputs, err = s.componentInputs(ctx, inst, in.ServiceSpec); err != nil {
			return c, err
		}
	case in.EnvironmentName != "":
		if in.ServiceSpec != "" {
			return c, platform.FieldErrorf("serviceSpec", "applies only to a component attached to a service instance")
		}
		env, err := s.store.GetEnvironment(ctx, in.EnvironmentName)
		if platform.KindOf(err) == platform.NotFound {
			return c, platform.FieldErrorf("environmentName", "environment %q does not exist", in.EnvironmentName)
		}
		if err != nil {
			return c, err
		}
		if env.LastSucceededDeploymentID == "" {
			return c, platform.FieldErrorf("environmentName", "environment %q has not been deployed successfully yet (status %s)", env.Name, env.DeploymentStatus)
		}
		c.Environment = env.Name
	default:
		return c, platform.FieldErrorf("environmentName", "is required for a component not attached to a service instance (else give serviceName and serviceInstanceName)")
	}
	if err := s.checkComponentEnvironment(ctx, c.Environment, in.EnvironmentName != "" && in.ServiceName == "", engine); err != nil {
		return c, err
	}
	d := s.newDeployment(c.Target(), platform.Deploy, platform.TemplateVersion{}, in.ServiceSpec, inputs)
	if err := s.checkComponentOutputs(ctx, "templateFile", engine, d, c); err != nil {
		return c, err
	}
	c.Deployable = newDeployable(platform.TemplateVersion{}, d)
	if token != nil {
		token.Result = c.Name
	}
	if err := s.store.CreateComponent(ctx, c, d, token); err != nil {
		return platform.Component{}, err
	}
	if len(in.Tags) > 0 {
		if err := s.store.TagResource(ctx, platform.TargetResource(c.Target()), in.Tags); err != nil {
			s.abandon(ctx, d, "not started: the component's tags could not be recorded; try again")
			return c, err
		}
	}
	if err := s.launch(ctx, d, ""); err != nil {
		return c, err
	}
	return c, nil
}

// componentInputs checks that inst may have a directly defined component and returns the
// inputs of inst the component's template reads: from serviceSpec when given (validated
// against the instance's schema), else the instance's current ones.
func (s *Service) componentInputs(ctx context.Context, inst platform.ServiceInstance, serviceSpec string) (json.RawMessage, error) {
	tv, err := s.store.GetTemplateVersion(ctx, platform.ServiceTemplate, inst.TemplateName, inst.TemplateVersion)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(tv.SupportedComponentSources, platform.DirectlyDefinedComponents) {
		return nil, platform.FieldErrorf("serviceInstanceName", "service instance %s/%s runs service template %s %s, which does not list %s in its supportedComponentSources",
			inst.Service, inst.Name, tv.TemplateName, tv.Version, platform.DirectlyDefinedComponents)
	}
	if serviceSpec != "" {
		inputs, err := s.engine.InstanceInputs(tv.Schema, serviceSpec, inst.Name)
		if err != nil {
			var e *platform.Error
			if errors.As(err, &e) && e.Kind == platform.Invalid {
				return nil, platform.FieldErrorf("serviceSpec", "%s", e.Error())
			}
			return nil, err
		}
		return inputs, nil
	}
	id := inst.LastSucceededDeploymentID
	if id == "" {
		id = inst.LastDeploymentID
	}
	d, err := s.store.GetDeployment(ctx, id)
	if err != nil {
		return nil, err
	}
	return d.Inputs, nil
}

// GetComponent returns a component; NotFound if there is none.
func (s *Service) GetComponent(ctx context.Context, name string) (platform.Component, error) {
	return s.store.GetComponent(ctx, name)
}

// ListComponents lists components by name, filtered by environment, service or service
// instance as Proton's ListComponents is; Invalid for an instance without its service.
func (s *Service) ListComponents(ctx context.Context, f platform.ComponentFilter, page platform.PageRequest) (platform.Page[platform.Component], error) {
	return s.store.ListComponents(ctx, f, page)
}

// UpdateComponentInput changes a component (Proton's UpdateComponent). Nil fields keep
// the current value. DeploymentType NONE changes the description only; CURRENT_VERSION
// redeploys with the new service spec and/or template file.
type UpdateComponentInput struct {
	DeploymentType platform.DeploymentType
	Description    *string
	// ServiceName and ServiceInstanceName, given together, move the component: to that
	// service instance (of the same environment), or, both "", detached (Proton's
	// UpdateComponent); nil keeps the attachment. A move needs CURRENT_VERSION.
	ServiceName         *string
	ServiceInstanceName *string
	ServiceSpec         *string
	TemplateFile        *string
	ClientToken         string
}

// UpdateComponent changes a component and, with CURRENT_VERSION, redeploys it. Errors:
// Invalid naming the field (templateFile as CreateComponent's), Conflict while a deployment is in progress or when the client
// token was used for another request, NotFound, Forbidden without the developer role.
func (s *Service) UpdateComponent(ctx context.Context, name string, in UpdateComponentInput) (platform.Component, error) {
	if err := requireRole(ctx, platform.DeveloperRole, "UpdateComponent"); err != nil {
		return platform.Component{}, err
	}
	if in.Description != nil && len(*in.Description) > maxDescription {
		return platform.Component{}, platform.FieldErrorf("description", "must be at most %d characters", maxDescription)
	}
	switch in.DeploymentType {
	case platform.DeployNone:
		for field, v := range map[string]*string{"serviceSpec": in.ServiceSpec, "templateFile": in.TemplateFile} {
			if v != nil {
				return platform.Component{}, platform.FieldErrorf(field, "cannot change with deploymentType NONE, which changes the description only")
			}
		}
	case platform.DeployCurrentVersion:
	case "":
		return platform.Component{}, platform.FieldErrorf("deploymentType", "is required: NONE or CURRENT_VERSION")
	default:
		return platform.Component{}, platform.FieldErrorf("deploymentType", "%q is not one of NONE, CURRENT_VERSION (a component has no template version)", in.DeploymentType)
	}
	replay := func(string) (platform.Component, error) { return s.store.GetComponent(ctx, name) }
	return idempotent(ctx, s, "UpdateComponent:"+name, in.ClientToken, in, replay, func(token *platform.ClientToken) (platform.Component, error) {
		return s.updateComponent(ctx, name, in, token)
	})
}

// updateComponent applies a checked update to component name, storing token (when not
// nil) with the change.
func (s *Service) updateComponent(ctx context.Context, name string, in UpdateComponentInput, token *platform.ClientToken) (platform.Component, error) {
	c, err := s.store.GetComponent(ctx, name)
	if err != nil {
		return c, err
	}
	moved, err := s.moveComponent(ctx, &c, in)
	if err != nil {
		return c, err
	}
	if in.Description != nil {
		c.Description = *in.Description
	}
	c.UpdatedAt, c.LastClientRequestToken = s.clock(), in.ClientToken
	if in.DeploymentType == platform.DeployNone {
		if moved {
			return c, platform.FieldErrorf("deploymentType", "moving component %s to another service instance redeploys it: use CURRENT_VERSION", c.Name)
		}
		if err := s.store.UpdateComponent(ctx, c, nil, token); err != nil {
			return c, err
		}
		return s.store.GetComponent(ctx, name)
	}
	if c.DeploymentStatus.Active() {
		return c, platform.Errorf(platform.Conflict, "component %s has a deployment in progress (%s); wait for it or cancel it", c.Name, c.LastDeploymentID)
	}
	if in.TemplateFile != nil {
		c.TemplateFile = *in.TemplateFile
	}
	if in.ServiceSpec != nil {
		if err := checkSpec("serviceSpec", *in.ServiceSpec); err != nil {
			return c, err
		}
		if *in.ServiceSpec != "" && !c.Attached() {
			return c, platform.FieldErrorf("serviceSpec", "applies only to a component attached to a service instance")
		}
		c.ServiceSpec = *in.ServiceSpec
	}
	engine, err := s.engine.CheckComponent(c.Manifest, c.TemplateFile)
	if err != nil {
		return c, err
	}
	if moved {
		if err := s.checkComponentEnvironment(ctx, c.Environment, !c.Attached(), engine); err != nil {
			return c, err
		}
	}
	var inputs json.RawMessage
	if c.Attached() {
		inst, err := s.store.GetServiceInstance(ctx, c.Service, c.Instance)
		if err != nil {
			return c, err
		}
		if inputs, err = s.componentInputs(ctx, inst, c.ServiceSpec); err != nil {
			return c, err
		}
	}
	d := s.newDeployment(c.Target(), platform.Deploy, platform.TemplateVersion{}, c.ServiceSpec, inputs)
	if err := s.checkComponentOutputs(ctx, "templateFile", engine, d, c); err != nil {
		return c, err
	}
	d.PreviousDeploymentID = c.LastSucceededDeploymentID
	if token != nil {
		token.Result = d.ID
	}
	previous := c.DeploymentStatus
	if err := s.store.UpdateComponent(ctx, c, &d, token); err != nil {
		return c, err
	}
	if err := s.launch(ctx, d, previous); err != nil {
		return c, err
	}
	return s.store.GetComponent(ctx, name)
}

// DeleteComponent deletes a component's stack, then its record. Errors: Conflict while a
// deployment is in progress, NotFound, Forbidden without the developer role.
func (s *Service) DeleteComponent(ctx context.Context, name string) (platform.Component, error) {
	if err := requireRole(ctx, platform.DeveloperRole, "DeleteComponent"); err != nil {
		return platform.Component{}, err
	}
	c, err := s.store.GetComponent(ctx, name)
	if err != nil {
		return c, err
	}
	d := s.newDeployment(c.Target(), platform.Delete, platform.TemplateVersion{}, c.ServiceSpec, nil)
	if err := s.startUpdate(ctx, d, c.Deployable, platform.DeployCurrentVersion, nil); err != nil {
		return c, err
	}
	return s.store.GetComponent(ctx, name)
}

// ListComponentOutputs returns a component's outputs: those of its last successful
// deployment, or of deploymentID when given (which must be one of the component's).
// NotFound for a missing component or deployment.
func (s *Service) ListComponentOutputs(ctx context.Context, name, deploymentID string) ([]platform.Output, error) {
	c, err := s.store.GetComponent(ctx, name)
	if err != nil {
		return nil, err
	}
	if deploymentID == "" {
		return c.Outputs, nil
	}
	d, err := s.store.GetDeployment(ctx, deploymentID)
	if err != nil {
		return nil, err
	}
	if d.Target != c.Target() {
		return nil, platform.Errorf(platform.NotFound, "deployment %s is not a deployment of component %s", deploymentID, name)
	}
	return d.Outputs, nil
}

// CancelComponentDeployment cancels the component's deployment in progress, as
// CancelDeployment does. Conflict when none is in progress; NotFound; Forbidden without
// the developer role.
func (s *Service) CancelComponentDeployment(ctx context.Context, name string) (platform.Component, error) {
	if err := requireRole(ctx, platform.DeveloperRole, "CancelComponentDeployment"); err != nil {
		return platform.Component{}, err
	}
	c, err := s.store.GetComponent(ctx, name)
	if err != nil {
		return c, err
	}
	if !c.DeploymentStatus.Active() {
		return c, platform.Errorf(platform.Conflict, "component %s has no deployment in progress (status %s)", name, c.DeploymentStatus)
	}
	if _, err := s.CancelDeployment(ctx, c.LastDeploymentID); err != nil {
		return c, err
	}
	return s.store.GetComponent(ctx, name)
}

// moveComponent applies UpdateComponent's serviceName and serviceInstanceName to c, as
// Proton does: both nil keep the attachment, both "" detach the component (it stays in
// its environment), both set attach it to that instance of the same environment, which
// must exist, accept DIRECTLY_DEFINED components and have no deployment in progress
// (nor may the instance it leaves). A move resets the service spec unless one is given.
// It reports whether the attachment changes. Errors: Invalid naming the field, NotFound
// for a missing instance, Conflict for a deployment in progress.
func (s *Service) moveComponent(ctx context.Context, c *platform.Component, in UpdateComponentInput) (bool, error) {
	if in.ServiceName == nil && in.ServiceInstanceName == nil {
		return false, nil
	}
	if in.ServiceName == nil || in.ServiceInstanceName == nil || (*in.ServiceName == "") != (*in.ServiceInstanceName == "") {
		return false, platform.FieldErrorf("serviceInstanceName", "serviceName and serviceInstanceName go together: give both (\"\" for both detaches the component) or neither")
	}
	service, instance := *in.ServiceName, *in.ServiceInstanceName
	if service == c.Service && instance == c.Instance {
		return false, nil
	}
	for _, inst := range [][2]string{{c.Service, c.Instance}, {service, instance}} {
		if inst[1] == "" {
			continue
		}
		i, err := s.store.GetServiceInstance(ctx, inst[0], inst[1])
		if err != nil {
			return false, err
		}
		if i.DeploymentStatus.Active() {
			return false, platform.Errorf(platform.Conflict, "service instance %s/%s has a deployment in progress (%s); a component moves only between instances at rest", i.Service, i.Name, i.LastDeploymentID)
		}
		if inst[0] != service || inst[1] != instance {
			continue
		}
		if i.Environment != c.Environment {
			return false, platform.FieldErrorf("serviceInstanceName", "service instance %s/%s runs in environment %s; component %s stays in environment %s", i.Service, i.Name, i.Environment, c.Name, c.Environment)
		}
		if _, err := s.componentInputs(ctx, i, ""); err != nil {
			return false, err
		}
	}
	c.Service, c.Instance = service, instance
	if in.ServiceSpec == nil {
		c.ServiceSpec = ""
	}
	return true, nil
}

// checkComponentEnvironment refuses a directly defined component, provisioned by engine,
// in an environment that cannot take it: one without a component role (its own, or its
// account connection's), as Proton does — Invalid naming environmentName when the request
// named the environment (detached), serviceInstanceName otherwise; a Terraform component
// in an environment that is not self-managed (no provisioningRepository), or a
// CloudFormation one in a self-managed environment — Invalid naming manifest.
func (s *Service) checkComponentEnvironment(ctx context.Context, environment string, detached bool, engine platform.Engine) error {
	env, err := s.store.GetEnvironment(ctx, environment)
	if err != nil {
		return err
	}
	switch selfManaged := env.ProvisioningRepository != nil; {
	case engine == platform.EngineTerraform && !selfManaged:
		return platform.FieldErrorf("manifest", "names a Terraform template (rendering_engine hcl), but environment %s is provisioned by CloudFormation, "+
			"not self-managed (it has no provisioningRepository): a Terraform component needs a self-managed environment", environment)
	case engine != platform.EngineTerraform && selfManaged:
		return platform.FieldErrorf("manifest", "names a CloudFormation template (rendering_engine jinja), but environment %s is self-managed "+
			"(its provisioningRepository takes Terraform pull requests): a component there must be Terraform (rendering_engine hcl, template_language terraform)", environment)
	}
	role, err := platform.ComponentRoleOf(ctx, s.store, env)
	if err != nil || role != "" {
		return err
	}
	field := "serviceInstanceName"
	if detached {
		field = "environmentName"
	}
	return platform.FieldErrorf(field, "environment %s has no componentRoleArn: directly defined components can only be created in an environment "+
		"that has one (set it with UpdateEnvironment)", environment)
}

// componentFirst prepares the deletion of the component attached to the instance that
// deletion d deletes, if it has one: it returns that component's deletion, to be stored
// with d and started at once, records the component's revision in revisions, and makes d
// wait for it (platform.WaitingForComponentDeletion: the workflow starts d once the
// component is gone) unless d already waits for something else. Conflict when the
// component has a deployment in progress.
func (s *Service) componentFirst(ctx context.Context, d *platform.Deployment, revisions map[platform.Target]int64) (*platform.Deployment, error) {
	c, err := s.store.GetInstanceComponent(ctx, d.Target.Service, d.Target.Instance)
	switch {
	case platform.KindOf(err) == platform.NotFound:
		return nil, nil
	case err != nil:
		return nil, err
	case c.DeploymentStatus.Active():
		return nil, platform.Errorf(platform.Conflict, "component %s of %s has a deployment in progress (%s); wait for it or cancel it", c.Name, d.Target, c.LastDeploymentID)
	}
	cd := s.newDeployment(c.Target(), platform.Delete, platform.TemplateVersion{}, c.ServiceSpec, nil)
	cd.PreviousDeploymentID = c.LastSucceededDeploymentID
	revisions[c.Target()] = c.Revision
	if d.StatusMessage == "" {
		d.StatusMessage = platform.WaitingForComponentDeletion
	}
	return &cd, nil
}

// startable leaves out the deletions that wait for a component's.
func startable(deployments []platform.Deployment) []platform.Deployment {
	out := make([]platform.Deployment, 0, len(deployments))
	for _, d := range deployments {
		if d.StatusMessage != platform.WaitingForComponentDeletion {
			out = append(out, d)
		}
	}
	return out
}
