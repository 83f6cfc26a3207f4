package workflow

import (
	"context"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Stacks in environment accounts: an environment created with an environment account
// connection deploys into that connection's account, and so do its service instances and
// components; a service's pipeline stays in the platform's account (as in Proton). Deploy
// records the account and connection on the deployment before it submits the stack
// operation (and gives it to the engine); the engine's adapter reaches that account
// through the connection (provision.CloudFormation).

// placement returns the environment account and connection of d's target ("" for the
// platform's own account): its environment's. A target already gone is the platform's.
func (t *Tasks) placement(ctx context.Context, d platform.Deployment) (account, connection string, err error) {
	var envName string
	switch d.Target.Kind {
	case platform.EnvironmentTarget:
		envName = d.Target.Environment
	case platform.ServiceInstanceTarget:
		inst, err := t.store.GetServiceInstance(ctx, d.Target.Service, d.Target.Instance)
		if err != nil {
			return "", "", ignoreNotFound(err)
		}
		envName = inst.Environment
	case platform.ComponentTarget:
		c, err := t.store.GetComponent(ctx, d.Target.Component)
		if err != nil {
			return "", "", ignoreNotFound(err)
		}
		envName = c.Environment
	default:
		return "", "", nil
	}
	env, err := t.store.GetEnvironment(ctx, envName)
	if err != nil {
		return "", "", ignoreNotFound(err)
	}
	return env.AccountID, env.AccountConnectionID, nil
}

func ignoreNotFound(err error) error {
	if platform.KindOf(err) == platform.NotFound {
		return nil
	}
	return err
}
