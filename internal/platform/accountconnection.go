package platform

import (
	"context"
	"time"
)

// ConnectionStatus is the status of an environment account connection (Proton's
// EnvironmentAccountConnectionStatus): PENDING once requested, then CONNECTED when the
// management account accepts it, or REJECTED when it refuses it (for good).
type ConnectionStatus string

// The connection statuses.
const (
	ConnectionPending   ConnectionStatus = "PENDING"
	ConnectionConnected ConnectionStatus = "CONNECTED"
	ConnectionRejected  ConnectionStatus = "REJECTED"
)

// ConnectionRequester says which side of connections a listing is about (Proton's
// EnvironmentAccountConnectionRequesterAccountType): those the caller's account requested
// as the environment account, or those requested of it as the management account.
type ConnectionRequester string

// The requester account types.
const (
	RequestedByEnvironmentAccount ConnectionRequester = "ENVIRONMENT_ACCOUNT"
	RequestedByManagementAccount  ConnectionRequester = "MANAGEMENT_ACCOUNT"
)

// EnvironmentAccountConnection joins an environment account (a workload account) to the
// management account that runs Gantry, for one environment name: once CONNECTED, the
// environment of that name may deploy into the environment account, Gantry assuming
// RoleARN there with the connection's id as external id (ComponentRoleARN for its
// components, CodebuildRoleARN for CodeBuild provisioning). It is requested from the
// environment account and accepted or rejected by the management account.
type EnvironmentAccountConnection struct {
	ID                   string
	ManagementAccountID  string
	EnvironmentAccountID string
	EnvironmentName      string
	RoleARN              string
	ComponentRoleARN     string
	CodebuildRoleARN     string
	Status               ConnectionStatus
	// RequestedBy is the subject of the caller who requested it.
	RequestedBy    string
	RequestedAt    time.Time
	LastModifiedAt time.Time
	Revision       int64
}

// Resource is the connection's resource, for its ARN and tags.
func (c EnvironmentAccountConnection) Resource() Resource {
	return Resource{Type: EnvironmentAccountConnectionResource, Name: c.ID}
}

// ConnectionFilter narrows ListEnvironmentAccountConnections: Account is the caller's
// account, on the side RequestedBy says; EnvironmentName and Statuses narrow further when
// set.
type ConnectionFilter struct {
	RequestedBy     ConnectionRequester
	Account         string
	EnvironmentName string
	Statuses        []ConnectionStatus
}

// EnvironmentAccountConnectionStore keeps environment account connections. At most one
// connection per management account and environment name is PENDING or CONNECTED at a
// time (a REJECTED or deleted one frees the name). Errors as Store's.
type EnvironmentAccountConnectionStore interface {
	// CreateEnvironmentAccountConnection stores a new PENDING connection (Revision 1) and
	// the client token (when not nil) atomically; Conflict naming the connection that
	// holds the environment name, or when the id or token is taken.
	CreateEnvironmentAccountConnection(ctx context.Context, c EnvironmentAccountConnection, token *ClientToken) error
	// GetEnvironmentAccountConnection returns a connection; NotFound when there is none.
	GetEnvironmentAccountConnection(ctx context.Context, id string) (EnvironmentAccountConnection, error)
	// UpdateEnvironmentAccountConnection saves c (checked on Revision); a connection
	// becoming REJECTED frees its environment name. NotFound, Conflict.
	UpdateEnvironmentAccountConnection(ctx context.Context, c EnvironmentAccountConnection) error
	// DeleteEnvironmentAccountConnection removes c (checked on its Revision) and frees its
	// environment name. NotFound, Conflict.
	DeleteEnvironmentAccountConnection(ctx context.Context, c EnvironmentAccountConnection) error
	// ListEnvironmentAccountConnections lists the connections of f.Account on f's side,
	// by environment name then id, read from an index (f.EnvironmentName narrows the
	// query; f.Statuses narrow the page). Invalid for a bad page token.
	ListEnvironmentAccountConnections(ctx context.Context, f ConnectionFilter, page PageRequest) (Page[EnvironmentAccountConnection], error)
}

// ValidateAccountID checks that id is an AWS account id (12 digits); Invalid naming field.
func ValidateAccountID(field, id string) error {
	if len(id) != 12 {
		return FieldErrorf(field, "must be an AWS account id of 12 digits, is %q", id)
	}
	for _, c := range id {
		if c < '0' || c > '9' {
			return FieldErrorf(field, "must be an AWS account id of 12 digits, is %q", id)
		}
	}
	return nil
}
