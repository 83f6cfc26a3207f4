package control

import (
	"context"

	"github.com/gantry-platform/gantry/internal/platform"
)

// authorizeEnvironment returns nil when the caller may create, update, delete or cancel
// the deployment of an environment of environment template templateName (action says
// which, for the error): an admin always; a developer only when the template is
// self-service (Template.SelfService, which an admin sets) and the change sets no IAM
// role (setsRole: componentRoleArn, codebuildRoleArn), which stays the admin's. Forbidden
// naming the template (or the role) otherwise, and for a caller with neither role; NotFound when a
// developer names a template that does not exist.
func (s *Service) authorizeEnvironment(ctx context.Context, templateName, action string, setsRole bool) error {
	c := caller(ctx)
	if c.Has(platform.AdminRole) {
		return nil
	}
	if !c.Has(platform.DeveloperRole) {
		return platform.Errorf(platform.Forbidden, "%s an environment needs the developer or admin role", action)
	}
	t, err := s.store.GetTemplate(ctx, platform.EnvironmentTemplate, templateName)
	if err != nil {
		return err
	}
	if !t.SelfService {
		return platform.Errorf(platform.Forbidden, "%s an environment of environment template %s needs the admin role: the template is not self-service", action, templateName)
	}
	if setsRole {
		return platform.Errorf(platform.Forbidden, "setting an environment's IAM roles (componentRoleArn, codebuildRoleArn) needs the admin role")
	}
	return nil
}

// authorizeEnvironmentOf is authorizeEnvironment for the existing environment name, whose
// template decides; NotFound when a developer names an environment that does not exist.
func (s *Service) authorizeEnvironmentOf(ctx context.Context, name, action string, setsRole bool) error {
	if caller(ctx).Has(platform.AdminRole) {
		return nil
	}
	env, err := s.store.GetEnvironment(ctx, name)
	if err != nil {
		return err
	}
	return s.authorizeEnvironment(ctx, env.TemplateName, action, setsRole)
}
