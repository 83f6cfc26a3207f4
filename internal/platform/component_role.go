package platform

import "context"

// ComponentRoleReader reads what ComponentRoleOf and CodebuildRoleOf need.
type ComponentRoleReader interface {
	GetEnvironmentAccountConnection(ctx context.Context, id string) (EnvironmentAccountConnection, error)
}

// ComponentRoleOf is the role env's directly defined components are deployed under, as
// Proton chooses it: the environment's componentRoleArn, else, for an environment in
// another account, its account connection's; "" when it has none. Errors are the store's.
func ComponentRoleOf(ctx context.Context, store ComponentRoleReader, env Environment) (string, error) {
	return roleOf(ctx, store, env, env.ComponentRoleARN, func(c EnvironmentAccountConnection) string { return c.ComponentRoleARN })
}

// CodebuildRoleOf is the role CodeBuild provisioning runs under for env and what runs in
// it, as Proton chooses it: the environment's codebuildRoleArn, else, for an environment
// in another account, its account connection's; "" when it has none. Errors are the
// store's.
func CodebuildRoleOf(ctx context.Context, store ComponentRoleReader, env Environment) (string, error) {
	return roleOf(ctx, store, env, env.CodebuildRoleARN, func(c EnvironmentAccountConnection) string { return c.CodebuildRoleARN })
}

func roleOf(ctx context.Context, store ComponentRoleReader, env Environment, own string, connections func(EnvironmentAccountConnection) string) (string, error) {
	if own != "" || env.AccountConnectionID == "" {
		return own, nil
	}
	conn, err := store.GetEnvironmentAccountConnection(ctx, env.AccountConnectionID)
	if err != nil {
		return "", err
	}
	return connections(conn), nil
}
