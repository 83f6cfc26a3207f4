package platform

import (
	"context"
	"strings"
	"testing"
)

// connectionsByID is a connection store that holds the connections of a map (reads only).
type connectionsByID struct {
	EnvironmentAccountConnectionStore
	byID map[string]EnvironmentAccountConnection
}

func (c connectionsByID) GetEnvironmentAccountConnection(_ context.Context, id string) (EnvironmentAccountConnection, error) {
	conn, ok := c.byID[id]
	if !ok {
		return conn, Errorf(NotFound, "environment account connection %q not found", id)
	}
	return conn, nil
}

// TestStackLocationOf: a deployment into an environment account is reached through its
// connection's role (a component's through its componentRoleArn) with the connection id as
// external id, only while the connection is CONNECTED to that account.
func TestStackLocationOf(t *testing.T) {
	ctx := context.Background()
	conn := EnvironmentAccountConnection{ID: "c1", EnvironmentAccountID: "222222222222", Status: ConnectionConnected,
		RoleARN: "arn:aws:iam::222222222222:role/env", ComponentRoleARN: "arn:aws:iam::222222222222:role/components"}
	store := connectionsByID{byID: map[string]EnvironmentAccountConnection{"c1": conn}}
	env := Deployment{ID: "d1", Target: Target{Kind: EnvironmentTarget, Environment: "prod"}, StackName: "gantry-env-prod", Account: "222222222222", ConnectionID: "c1"}

	if at, err := StackLocationOf(ctx, store, Deployment{ID: "d0"}); err != nil || !at.Home() {
		t.Fatalf("a deployment in the platform's account = %+v, %v; want home", at, err)
	}
	at, err := StackLocationOf(ctx, store, env)
	if err != nil || at != (StackLocation{Account: "222222222222", RoleARN: conn.RoleARN, ExternalID: "c1"}) {
		t.Fatalf("environment's location = %+v, %v", at, err)
	}
	component := env
	component.Target = Target{Kind: ComponentTarget, Component: "logs"}
	if at, err := StackLocationOf(ctx, store, component); err != nil || at.RoleARN != conn.ComponentRoleARN {
		t.Fatalf("component's location = %+v, %v; want the component role", at, err)
	}

	for what, c := range map[string]struct {
		conn *EnvironmentAccountConnection
		kind ErrorKind
		text string
	}{
		"deleted":         {nil, Conflict, "was deleted"},
		"pending":         {&EnvironmentAccountConnection{ID: "c1", EnvironmentAccountID: "222222222222", Status: ConnectionPending, RoleARN: conn.RoleARN}, Conflict, "PENDING"},
		"another account": {&EnvironmentAccountConnection{ID: "c1", EnvironmentAccountID: "333333333333", Status: ConnectionConnected, RoleARN: conn.RoleARN}, Conflict, "333333333333"},
		"no role":         {&EnvironmentAccountConnection{ID: "c1", EnvironmentAccountID: "222222222222", Status: ConnectionConnected}, Invalid, "no roleArn"},
	} {
		s := connectionsByID{byID: map[string]EnvironmentAccountConnection{}}
		if c.conn != nil {
			s.byID["c1"] = *c.conn
		}
		_, err := StackLocationOf(ctx, s, env)
		if KindOf(err) != c.kind || !strings.Contains(MessageOf(err), c.text) {
			t.Errorf("%s: %v, want %s saying %q", what, err, c.kind, c.text)
		}
	}
	if _, err := StacksOf(ctx, nil, nil, store, env); KindOf(err) != Invalid {
		t.Errorf("an environment account without StackProvisioners: %v, want Invalid", err)
	}
}
