package platform

import (
	"context"
	"errors"
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

// TestStackLocationInAnotherRegion: a deployment in another region of the platform's own
// account is reached there without a role; one in an environment account carries its
// region with the connection's role; neither is home.
func TestStackLocationInAnotherRegion(t *testing.T) {
	ctx := context.Background()
	conn := EnvironmentAccountConnection{ID: "c1", EnvironmentAccountID: "222222222222", Status: ConnectionConnected, RoleARN: "arn:aws:iam::222222222222:role/env"}
	store := connectionsByID{byID: map[string]EnvironmentAccountConnection{"c1": conn}}
	at, err := StackLocationOf(ctx, store, Deployment{ID: "d1", Region: "eu-west-1"})
	if err != nil || at != (StackLocation{Region: "eu-west-1"}) || at.Home() {
		t.Fatalf("a deployment in eu-west-1 of the platform's account = %+v, %v", at, err)
	}
	at, err = StackLocationOf(ctx, store, Deployment{ID: "d2", Account: "222222222222", ConnectionID: "c1", Region: "eu-west-1"})
	if err != nil || at != (StackLocation{Account: "222222222222", Region: "eu-west-1", RoleARN: conn.RoleARN, ExternalID: "c1"}) {
		t.Fatalf("a deployment in eu-west-1 of an environment account = %+v, %v", at, err)
	}
	if _, err := StacksOf(ctx, nil, nil, store, Deployment{ID: "d1", Region: "eu-west-1"}); KindOf(err) != Invalid || !strings.Contains(MessageOf(err), "eu-west-1") {
		t.Errorf("another region without StackProvisioners: %v, want Invalid naming the region", err)
	}
}

// TestValidateRegion: AWS region names pass; anything else is Invalid naming the field.
func TestValidateRegion(t *testing.T) {
	for _, r := range []string{"us-east-1", "eu-central-2", "ap-southeast-4", "us-gov-west-1", "cn-northwest-1", "us-isob-east-1", "il-central-1"} {
		if err := ValidateRegion("region", r); err != nil {
			t.Errorf("%s: %v", r, err)
		}
	}
	for _, r := range []string{"", "US-EAST-1", "us-east", "useast1", "us-east-1a", "us_east_1", "eu-west-1 ", "arn:aws:eu-west-1"} {
		var e *Error
		if err := ValidateRegion("region", r); !errors.As(err, &e) || e.Kind != Invalid || e.Field != "region" {
			t.Errorf("%q: %v, want Invalid naming region", r, err)
		}
	}
}
