package control

import (
	"context"
	"strings"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Environment account connections follow Proton's rules: a connection is requested from
// the environment account (the caller's account) and names the management account, which
// is this Gantry's own; only the management account accepts or rejects it, only the
// environment account updates or deletes it, and both may read it. A caller's account is
// its identity's (an access key's account, a token's account claim), the platform's own
// when it has none. Every change needs the admin role in the account that makes it.

// CallerAccount returns the account the caller of ctx acts in: its own, or the
// platform's (the management account) when its identity names none.
func (s *Service) CallerAccount(ctx context.Context) string {
	if a := caller(ctx).Account; a != "" {
		return a
	}
	return s.arns.Account
}

// CreateEnvironmentAccountConnectionInput is Proton's CreateEnvironmentAccountConnection.
type CreateEnvironmentAccountConnectionInput struct {
	ManagementAccountID string
	EnvironmentName     string
	RoleARN             string
	ComponentRoleARN    string
	CodebuildRoleARN    string
	ClientToken         string
	Tags                map[string]string
}

// checkRoleARN checks that arn, when set, is an IAM role of account in this partition;
// Invalid naming field.
func (s *Service) checkRoleARN(field, arn, account string) error {
	if arn == "" {
		return nil
	}
	prefix := "arn:" + s.arns.Partition + ":iam::" + account + ":role/"
	name, ok := strings.CutPrefix(arn, prefix)
	if !ok || name == "" || len(arn) > 2048 {
		return platform.FieldErrorf(field, "%q is not an IAM role of the environment account (%s…)", arn, prefix)
	}
	return nil
}

// CreateEnvironmentAccountConnection requests, from the caller's account, a connection to
// the management account for environment EnvironmentName; it is PENDING until the
// management account accepts or rejects it. A repeat with the same client token and
// parameters returns the same connection. Errors: Forbidden without the admin role;
// Invalid naming the field (managementAccountId not this Gantry's account, a caller in the
// management account itself, a bad name, a role not in the environment account, tags);
// Conflict when the environment name already has a PENDING or CONNECTED connection with
// the management account (naming it).
func (s *Service) CreateEnvironmentAccountConnection(ctx context.Context, in CreateEnvironmentAccountConnectionInput) (platform.EnvironmentAccountConnection, error) {
	var none platform.EnvironmentAccountConnection
	if err := requireAdmin(ctx, "CreateEnvironmentAccountConnection"); err != nil {
		return none, err
	}
	if err := platform.ValidateAccountID("managementAccountId", in.ManagementAccountID); err != nil {
		return none, err
	}
	if in.ManagementAccountID != s.arns.Account {
		return none, platform.FieldErrorf("managementAccountId", "%s is not the management account of this Gantry (%s)", in.ManagementAccountID, s.arns.Account)
	}
	account := s.CallerAccount(ctx)
	if account == in.ManagementAccountID {
		return none, platform.FieldErrorf("managementAccountId", "a connection is requested from an environment account, and the caller acts in the management account %s itself", account)
	}
	if err := platform.ValidateName("environmentName", in.EnvironmentName); err != nil {
		return none, err
	}
	for _, r := range []struct{ field, arn string }{{"roleArn", in.RoleARN}, {"componentRoleArn", in.ComponentRoleARN}, {"codebuildRoleArn", in.CodebuildRoleARN}} {
		if err := s.checkRoleARN(r.field, r.arn, account); err != nil {
			return none, err
		}
	}
	if in.RoleARN == "" && in.CodebuildRoleARN == "" {
		return none, platform.FieldErrorf("roleArn", "is required (the role Gantry assumes in the environment account), unless codebuildRoleArn is given")
	}
	if err := platform.ValidateTags("tags", in.Tags); err != nil {
		return none, err
	}
	replay := func(id string) (platform.EnvironmentAccountConnection, error) {
		return s.store.GetEnvironmentAccountConnection(ctx, id)
	}
	params := struct {
		CreateEnvironmentAccountConnectionInput
		Account string
	}{in, account}
	return idempotent(ctx, s, "CreateEnvironmentAccountConnection", in.ClientToken, params, replay, func(token *platform.ClientToken) (platform.EnvironmentAccountConnection, error) {
		now := s.clock()
		c := platform.EnvironmentAccountConnection{ID: s.newID(), ManagementAccountID: in.ManagementAccountID,
			EnvironmentAccountID: account, EnvironmentName: in.EnvironmentName, RoleARN: in.RoleARN,
			ComponentRoleARN: in.ComponentRoleARN, CodebuildRoleARN: in.CodebuildRoleARN, Status: platform.ConnectionPending,
			RequestedBy: caller(ctx).Subject, RequestedAt: now, LastModifiedAt: now}
		if token != nil {
			token.Result = c.ID
		}
		if err := s.store.CreateEnvironmentAccountConnection(ctx, c, token); err != nil {
			return none, err
		}
		c.Revision = 1
		if len(in.Tags) > 0 {
			if err := s.store.TagResource(ctx, c.Resource(), in.Tags); err != nil {
				return c, err
			}
		}
		s.log.InfoContext(ctx, "environment account connection requested", "id", c.ID, "environmentAccountId", account,
			"environmentName", c.EnvironmentName, "by", c.RequestedBy)
		return c, nil
	})
}

// connectionIDNoun is what an invalid connection id is said not to be.
const connectionIDNoun = "an environment account connection id"

// connectionFor returns connection id when the caller's account is one of its two sides
// (NotFound otherwise: another account's connections are not shown), with the caller's
// account.
func (s *Service) connectionFor(ctx context.Context, id string) (platform.EnvironmentAccountConnection, string, error) {
	if err := platform.ValidateUUID("id", id, connectionIDNoun); err != nil {
		return platform.EnvironmentAccountConnection{}, "", err
	}
	c, err := s.store.GetEnvironmentAccountConnection(ctx, id)
	if err != nil {
		return c, "", err
	}
	account := s.CallerAccount(ctx)
	if account != c.ManagementAccountID && account != c.EnvironmentAccountID {
		return platform.EnvironmentAccountConnection{}, "", platform.Errorf(platform.NotFound, "environment account connection %q not found", id)
	}
	return c, account, nil
}

// GetEnvironmentAccountConnection returns a connection the caller's account is a side of.
// Errors: Invalid for a malformed id, NotFound (also for other accounts' connections).
func (s *Service) GetEnvironmentAccountConnection(ctx context.Context, id string) (platform.EnvironmentAccountConnection, error) {
	c, _, err := s.connectionFor(ctx, id)
	return c, err
}

// decideConnection moves a PENDING connection to status on behalf of the management
// account: only its admins may. Errors: Forbidden (no admin role, or the caller acts in
// the environment account), NotFound, Conflict when it is not PENDING.
func (s *Service) decideConnection(ctx context.Context, operation, id string, status platform.ConnectionStatus) (platform.EnvironmentAccountConnection, error) {
	if err := requireAdmin(ctx, operation); err != nil {
		return platform.EnvironmentAccountConnection{}, err
	}
	c, account, err := s.connectionFor(ctx, id)
	if err != nil {
		return c, err
	}
	if account != c.ManagementAccountID {
		return platform.EnvironmentAccountConnection{}, platform.Errorf(platform.Forbidden,
			"%s is for the management account (%s); the caller acts in the environment account %s", operation, c.ManagementAccountID, account)
	}
	if c.Status != platform.ConnectionPending {
		return platform.EnvironmentAccountConnection{}, platform.Errorf(platform.Conflict,
			"environment account connection %s is %s: only a PENDING connection can be accepted or rejected", c.ID, c.Status)
	}
	c.Status, c.LastModifiedAt = status, s.clock()
	if err := s.store.UpdateEnvironmentAccountConnection(ctx, c); err != nil {
		return platform.EnvironmentAccountConnection{}, err
	}
	c.Revision++
	s.log.InfoContext(ctx, "environment account connection "+strings.ToLower(string(status)), "id", c.ID, "by", caller(ctx).Subject)
	return c, nil
}

// AcceptEnvironmentAccountConnection accepts a PENDING connection (management account):
// it becomes CONNECTED, and the environment of its name may deploy through it. Errors as
// decideConnection's.
func (s *Service) AcceptEnvironmentAccountConnection(ctx context.Context, id string) (platform.EnvironmentAccountConnection, error) {
	return s.decideConnection(ctx, "AcceptEnvironmentAccountConnection", id, platform.ConnectionConnected)
}

// RejectEnvironmentAccountConnection rejects a PENDING connection (management account):
// it becomes REJECTED for good and frees its environment name for a new request. Errors
// as decideConnection's.
func (s *Service) RejectEnvironmentAccountConnection(ctx context.Context, id string) (platform.EnvironmentAccountConnection, error) {
	return s.decideConnection(ctx, "RejectEnvironmentAccountConnection", id, platform.ConnectionRejected)
}

// ownConnection returns connection id for a change by the environment account: only its
// admins may. Errors: Forbidden (no admin role, or the caller acts in the management
// account), NotFound, Invalid for a malformed id.
func (s *Service) ownConnection(ctx context.Context, operation, id string) (platform.EnvironmentAccountConnection, error) {
	if err := requireAdmin(ctx, operation); err != nil {
		return platform.EnvironmentAccountConnection{}, err
	}
	c, account, err := s.connectionFor(ctx, id)
	if err != nil {
		return c, err
	}
	if account != c.EnvironmentAccountID {
		return platform.EnvironmentAccountConnection{}, platform.Errorf(platform.Forbidden,
			"%s is for the environment account (%s) that requested the connection; the caller acts in the management account %s", operation, c.EnvironmentAccountID, account)
	}
	return c, nil
}

// UpdateEnvironmentAccountConnectionInput is Proton's UpdateEnvironmentAccountConnection:
// nil fields are kept, "" clears an optional role.
type UpdateEnvironmentAccountConnectionInput struct {
	RoleARN          *string
	ComponentRoleARN *string
	CodebuildRoleARN *string
}

// UpdateEnvironmentAccountConnection changes the roles of a PENDING or CONNECTED
// connection (environment account); the next deployments through it use them. Errors as
// ownConnection's, Invalid naming a role not in the environment account, Conflict for a
// REJECTED connection.
func (s *Service) UpdateEnvironmentAccountConnection(ctx context.Context, id string, in UpdateEnvironmentAccountConnectionInput) (platform.EnvironmentAccountConnection, error) {
	c, err := s.ownConnection(ctx, "UpdateEnvironmentAccountConnection", id)
	if err != nil {
		return c, err
	}
	if c.Status == platform.ConnectionRejected {
		return platform.EnvironmentAccountConnection{}, platform.Errorf(platform.Conflict, "environment account connection %s was rejected: request a new one", c.ID)
	}
	for _, r := range []struct {
		field string
		in    *string
		to    *string
	}{{"roleArn", in.RoleARN, &c.RoleARN}, {"componentRoleArn", in.ComponentRoleARN, &c.ComponentRoleARN}, {"codebuildRoleArn", in.CodebuildRoleARN, &c.CodebuildRoleARN}} {
		if r.in == nil {
			continue
		}
		if err := s.checkRoleARN(r.field, *r.in, c.EnvironmentAccountID); err != nil {
			return platform.EnvironmentAccountConnection{}, err
		}
		*r.to = *r.in
	}
	if c.RoleARN == "" && c.CodebuildRoleARN == "" {
		return platform.EnvironmentAccountConnection{}, platform.FieldErrorf("roleArn", "cannot be cleared: a connection needs roleArn or codebuildRoleArn")
	}
	c.LastModifiedAt = s.clock()
	if err := s.store.UpdateEnvironmentAccountConnection(ctx, c); err != nil {
		return platform.EnvironmentAccountConnection{}, err
	}
	c.Revision++
	return c, nil
}

// DeleteEnvironmentAccountConnection deletes a connection (environment account) and frees
// its environment name, as Proton does even while an environment uses it: that
// environment cannot deploy until a new connection is accepted for it. It returns the
// connection as it was. Errors as ownConnection's.
func (s *Service) DeleteEnvironmentAccountConnection(ctx context.Context, id string) (platform.EnvironmentAccountConnection, error) {
	c, err := s.ownConnection(ctx, "DeleteEnvironmentAccountConnection", id)
	if err != nil {
		return c, err
	}
	if err := s.store.DeleteEnvironmentAccountConnection(ctx, c); err != nil {
		return platform.EnvironmentAccountConnection{}, err
	}
	s.log.InfoContext(ctx, "environment account connection deleted", "id", c.ID, "by", caller(ctx).Subject)
	return c, nil
}

// ListEnvironmentAccountConnectionsInput is Proton's ListEnvironmentAccountConnections.
type ListEnvironmentAccountConnectionsInput struct {
	RequestedBy     platform.ConnectionRequester
	EnvironmentName string
	Statuses        []platform.ConnectionStatus
}

// ListEnvironmentAccountConnections lists the connections of the caller's account: those
// it requested (ENVIRONMENT_ACCOUNT) or those requested of it (MANAGEMENT_ACCOUNT), by
// environment name. Invalid naming requestedBy, environmentName, statuses or a bad page
// token.
func (s *Service) ListEnvironmentAccountConnections(ctx context.Context, in ListEnvironmentAccountConnectionsInput, page platform.PageRequest) (platform.Page[platform.EnvironmentAccountConnection], error) {
	var none platform.Page[platform.EnvironmentAccountConnection]
	if in.RequestedBy != platform.RequestedByEnvironmentAccount && in.RequestedBy != platform.RequestedByManagementAccount {
		return none, platform.FieldErrorf("requestedBy", "must be %s or %s, not %q", platform.RequestedByEnvironmentAccount, platform.RequestedByManagementAccount, in.RequestedBy)
	}
	if in.EnvironmentName != "" {
		if err := platform.ValidateName("environmentName", in.EnvironmentName); err != nil {
			return none, err
		}
	}
	for _, st := range in.Statuses {
		switch st {
		case platform.ConnectionPending, platform.ConnectionConnected, platform.ConnectionRejected:
		default:
			return none, platform.FieldErrorf("statuses", "%q is not PENDING, CONNECTED or REJECTED", st)
		}
	}
	return s.store.ListEnvironmentAccountConnections(ctx, platform.ConnectionFilter{RequestedBy: in.RequestedBy,
		Account: s.CallerAccount(ctx), EnvironmentName: in.EnvironmentName, Statuses: in.Statuses}, page)
}

// environmentConnection checks that connection id may carry environment envName, as
// Proton's CreateEnvironment does: it exists, it is CONNECTED, it is for that environment
// name and this management account, and the caller acts in the management account.
// Errors: Invalid naming environmentAccountConnectionId, Forbidden for a caller of another
// account.
func (s *Service) environmentConnection(ctx context.Context, envName, id string) (platform.EnvironmentAccountConnection, error) {
	const field = "environmentAccountConnectionId"
	var none platform.EnvironmentAccountConnection
	if account := s.CallerAccount(ctx); account != s.arns.Account {
		return none, platform.Errorf(platform.Forbidden, "an environment is created in the management account (%s), not from account %s", s.arns.Account, account)
	}
	if err := platform.ValidateUUID(field, id, connectionIDNoun); err != nil {
		return none, err
	}
	c, err := s.connectedConnection(ctx, field, id)
	if err != nil {
		return none, err
	}
	if c.EnvironmentName != envName {
		return none, platform.FieldErrorf(field, "environment account connection %s is for environment %q, not %q", id, c.EnvironmentName, envName)
	}
	return c, nil
}

// connectedConnection returns connection id, which Gantry may deploy through: one with
// this management account, CONNECTED, with a role to assume. Invalid naming field
// otherwise; the store's errors.
func (s *Service) connectedConnection(ctx context.Context, field, id string) (platform.EnvironmentAccountConnection, error) {
	c, err := s.store.GetEnvironmentAccountConnection(ctx, id)
	switch {
	case platform.KindOf(err) == platform.NotFound:
		return c, platform.FieldErrorf(field, "environment account connection %s does not exist", id)
	case err != nil:
		return c, err
	case c.ManagementAccountID != s.arns.Account:
		return c, platform.FieldErrorf(field, "environment account connection %s is with management account %s, not this one", id, c.ManagementAccountID)
	case c.Status != platform.ConnectionConnected:
		return c, platform.FieldErrorf(field, "environment account connection %s is %s: the management account must accept it first", id, c.Status)
	case c.RoleARN == "":
		return c, platform.FieldErrorf(field, "environment account connection %s has no roleArn for Gantry to assume", id)
	}
	return c, nil
}
