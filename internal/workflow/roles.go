package workflow

import (
	"context"

	"github.com/gantry-platform/gantry/internal/platform"
)

// provisioningRole is the role d's stack is provisioned under: for a component, its
// environment's component role (Proton's componentRoleArn, or its account connection's),
// read at deployment time; for
// the others, the configured RoleARN, or none in another account (d.Account: the engine
// works with the role assumed there). A component whose environment has no component role
// left (removed since the component was created) falls back to the same. Errors are the
// store's.
func (t *Tasks) provisioningRole(ctx context.Context, d platform.Deployment) (string, error) {
	fallback := t.roleARN
	if d.Account != "" {
		fallback = ""
	}
	if d.Target.Kind != platform.ComponentTarget {
		return fallback, nil
	}
	c, err := t.store.GetComponent(ctx, d.Target.Component)
	if err != nil {
		return "", err
	}
	env, err := t.store.GetEnvironment(ctx, c.Environment)
	if err != nil {
		return "", err
	}
	role, err := platform.ComponentRoleOf(ctx, t.store, env)
	if err != nil || role == "" {
		return fallback, err
	}
	return role, nil
}
