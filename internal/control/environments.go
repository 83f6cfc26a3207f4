package control

import (
	"context"
	"fmt"
	"strings"

	"github.com/gantry-platform/gantry/internal/platform"
)

// CreateEnvironmentInput is a new environment.
type CreateEnvironmentInput struct {
	Name         string
	Description  string
	TemplateName string
	MajorVersion int
	MinorVersion *int
	// Spec is the EnvironmentSpec YAML.
	Spec        string
	ClientToken string
	// EnvironmentAccountConnectionID, when set, deploys the environment (and its service
	// instances and components) into that CONNECTED connection's environment account.
	EnvironmentAccountConnectionID string
	// Region is the AWS region the environment, its service instances and components
	// deploy in (an extension beyond Proton); "" or the platform's own region: the
	// platform's. Fixed at creation.
	Region string
	// ComponentRoleARN is the IAM role of the environment's directly defined components
	// (Proton's componentRoleArn), a role of Gantry's account; without one, no directly
	// defined component can be created in the environment.
	ComponentRoleARN string
	// CodebuildRoleARN is the IAM role CodeBuild provisioning runs under for the
	// environment and its service instances (Proton's codebuildRoleArn), a role of
	// Gantry's account: required for a CodeBuild template version unless the account
	// connection has one.
	CodebuildRoleARN string
	// ProvisioningRepository is where a self-managed (Terraform) environment's pull
	// requests go: required for a template version provisioned by Terraform, refused for
	// another.
	ProvisioningRepository *platform.RepositoryBranch
	// CustomerManaged is Proton's provisioning CUSTOMER_MANAGED: with a
	// ProvisioningRepository, the self-managed environment above; without one, an
	// environment made outside Gantry, registered with its Outputs (required then, refused
	// otherwise): nothing is deployed, its deployment succeeds at once.
	CustomerManaged bool
	Outputs         []platform.Output
}

// CreateEnvironment validates the spec against the template version's schema, stores the
// environment and its first deployment, and starts deploying it; a customer-managed
// environment given its outputs is stored with its deployment SUCCEEDED at once (nothing
// deployed). An environment with a Region deploys there (environmentRegion says which may).
// Invalid errors name the field (outputs.KEY for a bad output, region); Conflict if the
// name is taken or the client token was used for another request.
// Forbidden unless the caller is an admin or the template is self-service (a developer may
// set no IAM role: componentRoleArn, codebuildRoleArn).
func (s *Service) CreateEnvironment(ctx context.Context, in CreateEnvironmentInput) (platform.Environment, error) {
	if err := s.authorizeEnvironment(ctx, in.TemplateName, "creating", in.ComponentRoleARN != "" || in.CodebuildRoleARN != ""); err != nil {
		return platform.Environment{}, err
	}
	if err := platform.ValidateName("name", in.Name); err != nil {
		return platform.Environment{}, err
	}
	if err := checkSpec("spec", in.Spec); err != nil {
		return platform.Environment{}, err
	}
	for field, role := range map[string]string{"componentRoleArn": in.ComponentRoleARN, "codebuildRoleArn": in.CodebuildRoleARN} {
		if err := s.checkRoleARN(field, role, s.arns.Account); err != nil {
			return platform.Environment{}, err
		}
	}
	if err := checkCustomerManaged(in); err != nil {
		return platform.Environment{}, err
	}
	replay := func(name string) (platform.Environment, error) { return s.store.GetEnvironment(ctx, name) }
	return idempotent(ctx, s, "CreateEnvironment", in.ClientToken, in, replay, func(token *platform.ClientToken) (platform.Environment, error) {
		return s.createEnvironment(ctx, in, token)
	})
}

// createEnvironment is CreateEnvironment once its client token is checked.
func (s *Service) createEnvironment(ctx context.Context, in CreateEnvironmentInput, token *platform.ClientToken) (platform.Environment, error) {
	tv, err := s.resolveVersion(ctx, platform.EnvironmentTemplate, in.TemplateName, in.MajorVersion, in.MinorVersion, "")
	if err != nil {
		return platform.Environment{}, err
	}
	inputs, err := s.engine.EnvironmentInputs(tv.Schema, in.Spec)
	if err != nil {
		return platform.Environment{}, err
	}
	outputsGiven := in.CustomerManaged && in.ProvisioningRepository == nil
	if err := s.checkProvisioningRepository(ctx, tv, in.ProvisioningRepository); err != nil && !outputsGiven {
		return platform.Environment{}, err
	}
	region, err := s.environmentRegion(in.Region, tv, outputsGiven)
	if err != nil {
		return platform.Environment{}, err
	}
	var conn platform.EnvironmentAccountConnection
	if in.EnvironmentAccountConnectionID != "" {
		if conn, err = s.environmentConnection(ctx, in.Name, in.EnvironmentAccountConnectionID); err != nil {
			return platform.Environment{}, err
		}
	}
	if err := s.checkCodebuildRole(ctx, tv, platform.Environment{Name: in.Name, CodebuildRoleARN: in.CodebuildRoleARN, AccountConnectionID: conn.ID}); err != nil {
		return platform.Environment{}, err
	}
	target := platform.Target{Kind: platform.EnvironmentTarget, Environment: in.Name}
	d := s.newDeployment(target, platform.Deploy, tv, in.Spec, inputs)
	if outputsGiven {
		d = s.recorded(d, in.Outputs)
	}
	env := platform.Environment{Name: in.Name, Description: in.Description, AccountConnectionID: conn.ID, AccountID: conn.EnvironmentAccountID, Region: region,
		ComponentRoleARN: in.ComponentRoleARN, CodebuildRoleARN: in.CodebuildRoleARN, ProvisioningRepository: in.ProvisioningRepository, CustomerManaged: outputsGiven, Deployable: platform.Deployable{
			TemplateName: tv.TemplateName, TemplateVersion: tv.Version, Spec: in.Spec,
			DeploymentStatus: d.Status, LastDeploymentID: d.ID, StackName: d.StackName,
			LastAttemptedAt: d.CreatedAt, CreatedAt: d.CreatedAt, Revision: 1}}
	if token != nil {
		token.Result = in.Name
	}
	if err := s.store.CreateEnvironment(ctx, env, d, token); err != nil {
		return platform.Environment{}, err
	}
	if outputsGiven {
		s.publish(ctx, platform.TargetEvents(d, "")...)
		return s.store.GetEnvironment(ctx, in.Name)
	}
	if err := s.launch(ctx, d, ""); err != nil {
		return platform.Environment{}, err
	}
	return env, nil
}

// GetEnvironment returns an environment; NotFound if there is none.
func (s *Service) GetEnvironment(ctx context.Context, name string) (platform.Environment, error) {
	return s.store.GetEnvironment(ctx, name)
}

// ListEnvironments lists environments.
func (s *Service) ListEnvironments(ctx context.Context, page platform.PageRequest) (platform.Page[platform.Environment], error) {
	return s.store.ListEnvironments(ctx, page)
}

// UpdateEnvironment redeploys an environment with a new spec and/or template version.
// A ComponentRoleARN given is recorded first, once the update is checked, as Proton
// records metadata: the environment's components deploy under it from their next
// deployment on (a deployment refused after that, by a concurrent change, leaves the role
// recorded). A customer-managed environment deploys nothing: the update's deployment
// records its new Outputs (nil keeps them), SUCCEEDED at once. Invalid naming the field
// (outputs for another environment); Conflict while a deployment is in progress.
// Forbidden unless the caller is an admin or the environment's template is self-service
// (a developer may set no IAM role).
func (s *Service) UpdateEnvironment(ctx context.Context, name string, in UpdateInput) (platform.Environment, error) {
	if err := s.authorizeEnvironmentOf(ctx, name, "updating", in.ComponentRoleARN != nil || in.CodebuildRoleARN != nil); err != nil {
		return platform.Environment{}, err
	}
	if err := checkSpec("spec", in.Spec); err != nil {
		return platform.Environment{}, err
	}
	for field, role := range map[string]*string{"componentRoleArn": in.ComponentRoleARN, "codebuildRoleArn": in.CodebuildRoleARN} {
		if role == nil {
			continue
		}
		if err := s.checkRoleARN(field, *role, s.arns.Account); err != nil {
			return platform.Environment{}, err
		}
	}
	if err := checkGivenOutputs("outputs", in.Outputs); err != nil {
		return platform.Environment{}, err
	}
	replay := func(string) (platform.Environment, error) { return s.store.GetEnvironment(ctx, name) }
	return idempotent(ctx, s, "UpdateEnvironment:"+name, in.ClientToken, in, replay, func(token *platform.ClientToken) (platform.Environment, error) {
		env, err := s.store.GetEnvironment(ctx, name)
		if err != nil {
			return env, err
		}
		switch {
		case in.Outputs != nil && !env.CustomerManaged:
			return env, platform.FieldErrorf("outputs", "environment %s is deployed by Gantry: its outputs are its stack's", name)
		case env.CustomerManaged && in.PreviewID != "":
			return env, platform.FieldErrorf("previewId", "environment %s is customer-managed: nothing of it is deployed or previewed", name)
		}
		env, d, err := s.planUpdateOf(ctx, env, in)
		if err != nil {
			return env, err
		}
		if token != nil {
			token.Result = d.ID
		}
		for _, r := range []struct {
			role    *string
			current string
			set     func(ctx context.Context, name, roleARN string, revision int64) error
		}{{in.ComponentRoleARN, env.ComponentRoleARN, s.store.SetEnvironmentComponentRole}, {in.CodebuildRoleARN, env.CodebuildRoleARN, s.store.SetEnvironmentCodebuildRole}} {
			if r.role == nil || *r.role == r.current {
				continue
			}
			if env.DeploymentStatus.Active() {
				return env, platform.Errorf(platform.Conflict, "%s has a deployment in progress (%s); wait for it or cancel it", env.Target(), env.LastDeploymentID)
			}
			if err := r.set(ctx, name, *r.role, env.Revision); err != nil {
				return env, err
			}
			env.Revision++
		}
		if env.CustomerManaged {
			_, err = s.recordEnvironmentChange(ctx, env, d, in.Outputs, in.DeploymentType, token)
		} else {
			err = s.startUpdate(ctx, d, env.Deployable, in.DeploymentType, token)
		}
		if err != nil {
			return env, err
		}
		return s.store.GetEnvironment(ctx, name)
	})
}

// planEnvironmentUpdate checks an update of environment name and returns the environment
// and the deployment the update makes, not stored: from a preview when in names one.
// Invalid for a customer-managed environment, of which nothing is deployed.
func (s *Service) planEnvironmentUpdate(ctx context.Context, name string, in UpdateInput) (platform.Environment, platform.Deployment, error) {
	env, err := s.store.GetEnvironment(ctx, name)
	if err != nil {
		return env, platform.Deployment{}, err
	}
	if env.CustomerManaged {
		return env, platform.Deployment{}, platform.Errorf(platform.Invalid,
			"environment %s is customer-managed: nothing of it is deployed, so there is nothing to preview; update its outputs instead", name)
	}
	return s.planUpdateOf(ctx, env, in)
}

// planUpdateOf is planEnvironmentUpdate for env as read.
func (s *Service) planUpdateOf(ctx context.Context, env platform.Environment, in UpdateInput) (platform.Environment, platform.Deployment, error) {
	name := env.Name
	if err := s.checkRegionKept(env, in.Region); err != nil {
		return env, platform.Deployment{}, err
	}
	if in.PreviewID != "" {
		d, err := s.previewedDeployment(ctx, env.Target(), env.Deployable, in)
		return env, d, err
	}
	tv, err := s.updateVersion(ctx, platform.EnvironmentTemplate, env.Deployable, in)
	if err != nil {
		return env, platform.Deployment{}, err
	}
	if tv.Version.Major != env.TemplateVersion.Major {
		if err := s.checkInstancesCompatible(ctx, name, tv); err != nil {
			return env, platform.Deployment{}, err
		}
	}
	spec := in.Spec
	if spec == "" {
		spec = env.Spec
	}
	inputs, err := s.engine.EnvironmentInputs(tv.Schema, spec)
	if err != nil {
		return env, platform.Deployment{}, err
	}
	withRole := env
	if in.CodebuildRoleARN != nil {
		withRole.CodebuildRoleARN = *in.CodebuildRoleARN
	}
	if err := s.checkCodebuildRole(ctx, tv, withRole); err != nil {
		return env, platform.Deployment{}, err
	}
	if !env.CustomerManaged {
		if err := s.checkEngineRegion(tv, env, "region"); err != nil {
			return env, platform.Deployment{}, err
		}
	}
	return env, s.newDeployment(env.Target(), platform.Deploy, tv, spec, inputs), nil
}

// DeleteEnvironment deletes an environment's stack, then its record; a customer-managed
// environment's record only, at once (its infrastructure is not Gantry's), with a
// DELETE_COMPLETE deployment. Conflict while service instances or components run in it or
// a deployment is in progress.
// Forbidden unless the caller is an admin or the environment's template is self-service.
func (s *Service) DeleteEnvironment(ctx context.Context, name string) (platform.Environment, error) {
	if err := s.authorizeEnvironmentOf(ctx, name, "deleting", false); err != nil {
		return platform.Environment{}, err
	}
	env, err := s.store.GetEnvironment(ctx, name)
	if err != nil {
		return env, err
	}
	instances, err := s.store.ListEnvironmentInstances(ctx, name, platform.PageRequest{Limit: 1})
	if err != nil {
		return env, err
	}
	if len(instances.Items) > 0 {
		i := instances.Items[0]
		return env, platform.Errorf(platform.Conflict, "environment %s still runs service instances (e.g. %s/%s); delete them first", name, i.Service, i.Name)
	}
	components, err := s.store.ListComponents(ctx, platform.ComponentFilter{Environment: name}, platform.PageRequest{Limit: 1})
	if err != nil {
		return env, err
	}
	if len(components.Items) > 0 {
		return env, platform.Errorf(platform.Conflict, "environment %s still holds components (e.g. %s); delete them first", name, components.Items[0].Name)
	}
	tv := platform.TemplateVersion{TemplateName: env.TemplateName, Version: env.TemplateVersion}
	d := s.newDeployment(env.Target(), platform.Delete, tv, env.Spec, nil)
	if env.CustomerManaged {
		d, err := s.recordEnvironmentChange(ctx, env, d, nil, platform.DeployCurrentVersion, nil)
		env.DeploymentStatus, env.LastDeploymentID, env.LastAttemptedAt = d.Status, d.ID, d.CreatedAt
		return env, err
	}
	if err := s.startUpdate(ctx, d, env.Deployable, platform.DeployCurrentVersion, nil); err != nil {
		return env, err
	}
	return s.store.GetEnvironment(ctx, name)
}

// checkInstancesCompatible refuses to move environment name to template version tv while
// a service instance runs in it whose service template version is not compatible with
// tv's major: Conflict naming the instances (up to ten, and how many more).
func (s *Service) checkInstancesCompatible(ctx context.Context, name string, tv platform.TemplateVersion) error {
	versions := map[string]platform.TemplateVersion{} // service template name@version → version
	var incompatible []string
	page := platform.PageRequest{Limit: 100}
	for {
		instances, err := s.store.ListEnvironmentInstances(ctx, name, page)
		if err != nil {
			return err
		}
		for _, i := range instances.Items {
			key := i.TemplateName + "@" + i.TemplateVersion.String()
			sv, ok := versions[key]
			if !ok {
				if sv, err = s.store.GetTemplateVersion(ctx, platform.ServiceTemplate, i.TemplateName, i.TemplateVersion); err != nil {
					return err
				}
				versions[key] = sv
			}
			compatible := false
			for _, c := range sv.CompatibleEnvironments {
				compatible = compatible || (c.TemplateName == tv.TemplateName && c.MajorVersion == tv.Version.Major)
			}
			if !compatible {
				incompatible = append(incompatible, fmt.Sprintf("%s/%s (%s %s)", i.Service, i.Name, i.TemplateName, i.TemplateVersion))
			}
		}
		if instances.NextToken == "" {
			break
		}
		page.NextToken = instances.NextToken
	}
	if len(incompatible) == 0 {
		return nil
	}
	named := incompatible
	more := ""
	if len(named) > 10 {
		named, more = named[:10], fmt.Sprintf(" and %d more", len(incompatible)-10)
	}
	return platform.Errorf(platform.Conflict, "environment %s cannot move to %s:%d: service instances running in it are not compatible with that major version: %s%s",
		name, tv.TemplateName, tv.Version.Major, strings.Join(named, ", "), more)
}
