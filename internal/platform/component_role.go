package platform

import "context"

// ComponentRoleReader reads what ComponentRoleOf needs.
type ComponentRoleReader interface {
	GetEnvironmentAccountConnection(ctx context.Context, id string) (EnvironmentAccountConnection, error)
}

// ComponentRoleOf is the role env's directly defined components are deployed under, as
// Proton chooses it: the environment's componentRoleArn, else, for an environment in
// another account, its account connection's; "" when it has none. Errors are the store's.
func ComponentRoleOf(ctx context.Context, store ComponentRoleReader, env Environment) (string, error) {
	if env.ComponentRoleARN != "" || env.AccountConnectionID == "" {
		return env.ComponentRoleARN, nil
	}
	conn, err := store.GetEnvironmentAccountConnection(ctx, env.AccountConnectionID)
	if err != nil {
		return "", err
	}
	return conn.ComponentRoleARN, nil
}
