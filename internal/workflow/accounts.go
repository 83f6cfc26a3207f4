package workflow

import (
	"context"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Stacks in environment accounts: an environment created with an environment account
// connection deploys into that connection's account, and so do its service instances and
// components; a service's pipeline stays in the platform's account and region (as in
// Proton). An environment with a region deploys there, and so do its service instances
// and components. Deploy records the account, connection and region on the deployment
// before it submits the stack operation (and gives it to the engine); the engine's adapter
// reaches that account and region, through the connection for another account
// (provision.CloudFormation, platform.StacksOf).

// placement is where a deployment's stack lives: its environment's account, connection
// and region ("" for the platform's own).
type placement struct{ account, connection, region string }

// placement returns where d's target deploys: its environment's account, connection and
// region. A target already gone is the platform's.
func (t *Tasks) placement(ctx context.Context, d platform.Deployment) (placement, error) {
	env, err := t.targetEnvironment(ctx, d)
	if err != nil || env == nil {
		return placement{}, ignoreNotFound(err)
	}
	return placement{account: env.AccountID, connection: env.AccountConnectionID, region: env.Region}, nil
}

// targetEnvironment is the environment d's target is or runs in; nil for a pipeline.
// NotFound when the target or its environment is gone.
func (t *Tasks) targetEnvironment(ctx context.Context, d platform.Deployment) (*platform.Environment, error) {
	var envName string
	switch d.Target.Kind {
	case platform.EnvironmentTarget:
		envName = d.Target.Environment
	case platform.ServiceInstanceTarget:
		inst, err := t.store.GetServiceInstance(ctx, d.Target.Service, d.Target.Instance)
		if err != nil {
			return nil, err
		}
		envName = inst.Environment
	case platform.ComponentTarget:
		c, err := t.store.GetComponent(ctx, d.Target.Component)
		if err != nil {
			return nil, err
		}
		envName = c.Environment
	default:
		return nil, nil
	}
	env, err := t.store.GetEnvironment(ctx, envName)
	if err != nil {
		return nil, err
	}
	return &env, nil
}

// accountSettingsReader is what codebuildRole asks of the store for pipelines (the
// DynamoDB store keeps the account settings).
type accountSettingsReader interface {
	GetAccountSettings(ctx context.Context) (platform.AccountSettings, error)
}

// codebuildRole is the role d's CodeBuild build runs under, as Proton chooses it: for a
// pipeline the account settings' pipelineCodebuildRoleArn, else the codebuildRoleArn of
// the environment it runs in (or of that environment's account connection); "" when
// there is none.
func (t *Tasks) codebuildRole(ctx context.Context, d platform.Deployment) (string, error) {
	env, err := t.targetEnvironment(ctx, d)
	if err != nil {
		return "", err
	}
	if env != nil {
		return platform.CodebuildRoleOf(ctx, t.store, *env)
	}
	settings, ok := t.store.(accountSettingsReader)
	if !ok {
		return "", nil
	}
	s, err := settings.GetAccountSettings(ctx)
	return s.PipelineCodebuildRoleARN, err
}

func ignoreNotFound(err error) error {
	if platform.KindOf(err) == platform.NotFound {
		return nil
	}
	return err
}
