package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Environment account connections: one item each under EAC#<id>, on gsi1 under
// EAC_MGMT#<management account> and on gsi2 under EAC_ENVACCT#<environment account>,
// both sorted by <environment name>#<id> (an environment name narrows a listing by key).
// A PENDING or CONNECTED connection also holds its environment name in its management
// account: the item EAC_NAME#<management account>#<environment name> names it, written
// with the connection and removed when it is rejected or deleted.
const (
	skConnection       = "EAC"
	skConnectionName   = "EAC_NAME"
	connectionPKPrefix = "EAC#"
)

var _ platform.EnvironmentAccountConnectionStore = (*Store)(nil)

func connectionPK(id string) string { return connectionPKPrefix + id }

func connectionNamePK(management, environment string) string {
	return "EAC_NAME#" + management + "#" + environment
}

func connectionsByManagementGSI1PK(account string) string { return "EAC_MGMT#" + account }

func connectionsByEnvironmentGSI2PK(account string) string { return "EAC_ENVACCT#" + account }

func connectionSortKey(environment, id string) string { return environment + "#" + id }

func connectionWhat(id string) string { return fmt.Sprintf("environment account connection %q", id) }

type connectionItem struct {
	itemKeys
	ID                   string `dynamodbav:"connectionId"`
	ManagementAccountID  string `dynamodbav:"managementAccountId"`
	EnvironmentAccountID string `dynamodbav:"environmentAccountId"`
	EnvironmentName      string `dynamodbav:"environmentName"`
	RoleARN              string `dynamodbav:"roleArn,omitempty"`
	ComponentRoleARN     string `dynamodbav:"componentRoleArn,omitempty"`
	CodebuildRoleARN     string `dynamodbav:"codebuildRoleArn,omitempty"`
	Status               string `dynamodbav:"status"`
	RequestedBy          string `dynamodbav:"requestedBy,omitempty"`
	RequestedAt          string `dynamodbav:"requestedAt"`
	LastModifiedAt       string `dynamodbav:"lastModifiedAt"`
	Revision             int64  `dynamodbav:"revision"`
}

// connectionNameItem holds an environment name of a management account for a connection.
type connectionNameItem struct {
	itemKeys
	ConnectionID string `dynamodbav:"connectionId"`
}

func newConnectionItem(c platform.EnvironmentAccountConnection) connectionItem {
	sort := connectionSortKey(c.EnvironmentName, c.ID)
	return connectionItem{
		itemKeys: itemKeys{PK: connectionPK(c.ID), SK: skConnection,
			GSI1PK: connectionsByManagementGSI1PK(c.ManagementAccountID), GSI1SK: sort,
			GSI2PK: connectionsByEnvironmentGSI2PK(c.EnvironmentAccountID), GSI2SK: sort},
		ID: c.ID, ManagementAccountID: c.ManagementAccountID, EnvironmentAccountID: c.EnvironmentAccountID,
		EnvironmentName: c.EnvironmentName, RoleARN: c.RoleARN, ComponentRoleARN: c.ComponentRoleARN,
		CodebuildRoleARN: c.CodebuildRoleARN, Status: string(c.Status), RequestedBy: c.RequestedBy,
		RequestedAt: formatTime(c.RequestedAt), LastModifiedAt: formatTime(c.LastModifiedAt), Revision: c.Revision,
	}
}

func (it connectionItem) domain() (platform.EnvironmentAccountConnection, error) {
	var p times
	c := platform.EnvironmentAccountConnection{ID: it.ID, ManagementAccountID: it.ManagementAccountID,
		EnvironmentAccountID: it.EnvironmentAccountID, EnvironmentName: it.EnvironmentName, RoleARN: it.RoleARN,
		ComponentRoleARN: it.ComponentRoleARN, CodebuildRoleARN: it.CodebuildRoleARN,
		Status: platform.ConnectionStatus(it.Status), RequestedBy: it.RequestedBy, RequestedAt: p.parse(it.RequestedAt),
		LastModifiedAt: p.parse(it.LastModifiedAt), Revision: it.Revision}
	return c, p.err
}

// holdName writes the item that gives c's environment name to c; Conflict naming the
// connection that holds it already.
func (s *Store) holdName(c platform.EnvironmentAccountConnection) (writeOp, error) {
	op, err := s.putNew(connectionNameItem{itemKeys: itemKeys{PK: connectionNamePK(c.ManagementAccountID, c.EnvironmentName), SK: skConnectionName},
		ConnectionID: c.ID}, "environment name")
	if err != nil {
		return op, err
	}
	op.failed = func(old map[string]types.AttributeValue) error {
		var it connectionNameItem
		_ = attributevalue.UnmarshalMap(old, &it)
		return platform.Errorf(platform.Conflict, "environment %q already has an environment account connection with management account %s: %s (reject or delete it first)",
			c.EnvironmentName, c.ManagementAccountID, it.ConnectionID)
	}
	return op, nil
}

// freeName removes the item holding c's environment name, on the condition that c holds
// it (or none does).
func (s *Store) freeName(c platform.EnvironmentAccountConnection) writeOp {
	return writeOp{
		delete: &types.Delete{
			TableName: &s.table, Key: key(connectionNamePK(c.ManagementAccountID, c.EnvironmentName), skConnectionName),
			ConditionExpression:       aws.String("attribute_not_exists(#pk) OR #id = :id"),
			ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#id": "connectionId"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":id": &types.AttributeValueMemberS{Value: c.ID}},
		},
		what: "environment name",
		failed: func(map[string]types.AttributeValue) error {
			return platform.Errorf(platform.Conflict, "environment %q is held by another connection", c.EnvironmentName)
		},
	}
}

// CreateEnvironmentAccountConnection stores a new connection (Revision 1) holding its
// environment name, with the client token when not nil, atomically. Conflict naming the
// connection that holds the name, or when the id or the token is taken.
func (s *Store) CreateEnvironmentAccountConnection(ctx context.Context, c platform.EnvironmentAccountConnection, token *platform.ClientToken) error {
	c.Revision = 1
	op, err := s.putNew(newConnectionItem(c), connectionWhat(c.ID))
	if err != nil {
		return err
	}
	name, err := s.holdName(c)
	if err != nil {
		return err
	}
	ops, err := s.withToken([]writeOp{op, name}, token)
	if err != nil {
		return err
	}
	return s.write(ctx, "create "+connectionWhat(c.ID), ops...)
}

// GetEnvironmentAccountConnection returns a connection; NotFound when there is none.
func (s *Store) GetEnvironmentAccountConnection(ctx context.Context, id string) (platform.EnvironmentAccountConnection, error) {
	var it connectionItem
	if err := s.get(ctx, connectionPK(id), skConnection, &it, connectionWhat(id)); err != nil {
		return platform.EnvironmentAccountConnection{}, err
	}
	return it.domain()
}

// UpdateEnvironmentAccountConnection saves c, checked on Revision (NotFound when gone,
// Conflict when changed meanwhile); a REJECTED connection frees its environment name in
// the same transaction.
func (s *Store) UpdateEnvironmentAccountConnection(ctx context.Context, c platform.EnvironmentAccountConnection) error {
	next := c
	next.Revision++
	op, err := s.putRevised(newConnectionItem(next), c.Revision, connectionWhat(c.ID))
	if err != nil {
		return err
	}
	ops := []writeOp{op}
	if c.Status == platform.ConnectionRejected {
		ops = append(ops, s.freeName(c))
	}
	return s.write(ctx, "update "+connectionWhat(c.ID), ops...)
}

// DeleteEnvironmentAccountConnection removes c, checked on its Revision (NotFound when
// gone, Conflict when changed meanwhile), and frees its environment name unless it is
// REJECTED (its rejection freed it).
func (s *Store) DeleteEnvironmentAccountConnection(ctx context.Context, c platform.EnvironmentAccountConnection) error {
	ops := []writeOp{s.deleteRevised(connectionPK(c.ID), skConnection, c.Revision, connectionWhat(c.ID))}
	if c.Status != platform.ConnectionRejected {
		ops = append(ops, s.freeName(c))
	}
	return s.write(ctx, "delete "+connectionWhat(c.ID), ops...)
}

// ListEnvironmentAccountConnections lists f.Account's connections on f.RequestedBy's side
// (gsi1 for the management account, gsi2 for the environment account), by environment
// name then id; f.EnvironmentName narrows the query, f.Statuses the page. Invalid for a
// bad page token or an unknown side.
func (s *Store) ListEnvironmentAccountConnections(ctx context.Context, f platform.ConnectionFilter, page platform.PageRequest) (platform.Page[platform.EnvironmentAccountConnection], error) {
	q := listQuery{what: "environment account connections"}
	switch f.RequestedBy {
	case platform.RequestedByManagementAccount:
		q.index, q.partition = "gsi1", connectionsByManagementGSI1PK(f.Account)
	case platform.RequestedByEnvironmentAccount:
		q.index, q.partition = "gsi2", connectionsByEnvironmentGSI2PK(f.Account)
	default:
		return platform.Page[platform.EnvironmentAccountConnection]{}, platform.FieldErrorf("requestedBy", "must be %s or %s, not %q",
			platform.RequestedByEnvironmentAccount, platform.RequestedByManagementAccount, f.RequestedBy)
	}
	if f.EnvironmentName != "" {
		q.prefix = f.EnvironmentName + "#"
	}
	out, err := list(ctx, s, q, page, connectionItem.domain)
	if err != nil || len(f.Statuses) == 0 {
		return out, err
	}
	kept := out.Items[:0]
	for _, c := range out.Items {
		for _, st := range f.Statuses {
			if c.Status == st {
				kept = append(kept, c)
				break
			}
		}
	}
	out.Items = kept
	return out, nil
}
