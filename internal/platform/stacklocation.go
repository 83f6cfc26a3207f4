package platform

import "context"

// StackLocation says where a stack lives: the platform's own account and region (the zero
// value), another region of the platform's account (Account "", Region set: reached with
// the platform's own credentials), or an environment account reached by assuming RoleARN
// there with ExternalID (the environment account connection's id, as Proton does).
type StackLocation struct {
	Account string
	// Region is the stack's region; "" is the platform's.
	Region     string
	RoleARN    string
	ExternalID string
}

// Home reports whether the location is the platform's own account and region.
func (l StackLocation) Home() bool { return l.Account == "" && l.Region == "" }

// StackProvisioners chooses the stack provisioner of a location, one per account and
// region (on AWS, CloudFormation with the assumed role's credentials, cached until shortly
// before they expire; locally, that account's simulated CloudFormation).
type StackProvisioners interface {
	// StackProvisioner returns the provisioner of the stacks at at. Invalid when the
	// location cannot be reached (no role, an unknown local account), Internal otherwise.
	StackProvisioner(ctx context.Context, at StackLocation) (StackProvisioner, error)
}

// StackLocationOf returns where deployment d's stack lives, in d.Region ("" the
// platform's): the platform's account when d.Account is "", else d.Account through d's
// connection, which must still be CONNECTED to that account. A component's stack is reached through the connection's
// ComponentRoleARN when it has one (Proton's role for components), else its RoleARN.
// Errors: Conflict naming the connection when it was deleted, is not CONNECTED, or now
// joins another account, Invalid when it has no role; the store's otherwise.
func StackLocationOf(ctx context.Context, connections EnvironmentAccountConnectionStore, d Deployment) (StackLocation, error) {
	if d.Account == "" {
		return StackLocation{Region: d.Region}, nil
	}
	c, err := connections.GetEnvironmentAccountConnection(ctx, d.ConnectionID)
	switch {
	case KindOf(err) == NotFound:
		return StackLocation{}, Errorf(Conflict, "the environment account connection %s of account %s was deleted: Gantry cannot reach the stack %s until a new connection is accepted and the environment updated with it",
			d.ConnectionID, d.Account, d.StackName)
	case err != nil:
		return StackLocation{}, err
	case c.Status != ConnectionConnected:
		return StackLocation{}, Errorf(Conflict, "the environment account connection %s of account %s is %s, not CONNECTED", c.ID, d.Account, c.Status)
	case c.EnvironmentAccountID != d.Account:
		return StackLocation{}, Errorf(Conflict, "the environment account connection %s joins account %s, not %s", c.ID, c.EnvironmentAccountID, d.Account)
	}
	role := c.RoleARN
	if d.Target.Kind == ComponentTarget && c.ComponentRoleARN != "" {
		role = c.ComponentRoleARN
	}
	if role == "" {
		return StackLocation{}, Errorf(Invalid, "the environment account connection %s has no roleArn for Gantry to assume in account %s", c.ID, d.Account)
	}
	return StackLocation{Account: d.Account, Region: d.Region, RoleARN: role, ExternalID: c.ID}, nil
}

// StacksOf returns the stack provisioner of deployment d's stack: home for the platform's
// own account and region, else the one accounts gives for StackLocationOf(d). Errors:
// Invalid when d is in another account or region and accounts is nil; StackLocationOf's
// and accounts'.
func StacksOf(ctx context.Context, home StackProvisioner, accounts StackProvisioners, connections EnvironmentAccountConnectionStore, d Deployment) (StackProvisioner, error) {
	if d.Account == "" && d.Region == "" {
		return home, nil
	}
	if accounts == nil {
		where := "account " + d.Account
		if d.Account == "" {
			where = "region " + d.Region
		}
		return nil, Errorf(Invalid, "deployment %s deploys into %s, and this Gantry is not configured to reach other accounts or regions", d.ID, where)
	}
	at, err := StackLocationOf(ctx, connections, d)
	if err != nil {
		return nil, err
	}
	return accounts.StackProvisioner(ctx, at)
}
