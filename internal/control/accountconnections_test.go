package control_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/store/storetest"
)

// inAccount is a caller of role acting in account ("" is the platform's own).
func inAccount(t *testing.T, subject, account string, role platform.Role) context.Context {
	return platform.WithCaller(t.Context(), platform.Caller{Subject: subject, Roles: []platform.Role{role}, Account: account})
}

func wantErr(t *testing.T, what string, err error, kind platform.ErrorKind, text string) {
	t.Helper()
	if platform.KindOf(err) != kind || !strings.Contains(platform.MessageOf(err), text) {
		t.Fatalf("%s: %v (%s), want %s containing %q", what, err, platform.KindOf(err), kind, text)
	}
}

func TestEnvironmentAccountConnectionRules(t *testing.T) {
	st := storetest.NewStore(t)
	svc := control.New(control.Config{Store: st, ARNs: platform.ARNScope{Account: "111111111111"}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	const workload = "222222222222"
	mgmt := inAccount(t, "alice", "", platform.AdminRole) // the platform's own account
	env := inAccount(t, "erin", workload, platform.AdminRole)
	envDev := inAccount(t, "dave", workload, platform.DeveloperRole)
	stranger := inAccount(t, "sam", "333333333333", platform.AdminRole)
	role := "arn:aws:iam::" + workload + ":role/gantry-provisioning"
	in := control.CreateEnvironmentAccountConnectionInput{ManagementAccountID: "111111111111", EnvironmentName: "prod", RoleARN: role,
		ComponentRoleARN: "arn:aws:iam::" + workload + ":role/gantry-components", ClientToken: "req-1", Tags: map[string]string{"team": "ops"}}

	// Who may request, and what.
	_, err := svc.CreateEnvironmentAccountConnection(envDev, in)
	wantErr(t, "a developer requesting", err, platform.Forbidden, "admin role")
	_, err = svc.CreateEnvironmentAccountConnection(mgmt, in)
	wantErr(t, "the management account requesting", err, platform.Invalid, "requested from an environment account")
	bad := in
	bad.ManagementAccountID = "444444444444"
	_, err = svc.CreateEnvironmentAccountConnection(env, bad)
	wantErr(t, "another management account", err, platform.Invalid, "managementAccountId")
	bad = in
	bad.ManagementAccountID = "1111"
	_, err = svc.CreateEnvironmentAccountConnection(env, bad)
	wantErr(t, "a malformed account", err, platform.Invalid, "12 digits")
	bad = in
	bad.RoleARN = "arn:aws:iam::333333333333:role/elsewhere"
	_, err = svc.CreateEnvironmentAccountConnection(env, bad)
	wantErr(t, "a role of another account", err, platform.Invalid, "roleArn")
	bad = in
	bad.RoleARN = ""
	_, err = svc.CreateEnvironmentAccountConnection(env, bad)
	wantErr(t, "no role", err, platform.Invalid, "roleArn")

	c, err := svc.CreateEnvironmentAccountConnection(env, in)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != platform.ConnectionPending || c.EnvironmentAccountID != workload || c.ManagementAccountID != "111111111111" || c.RequestedBy != "erin" {
		t.Fatalf("requested connection = %+v", c)
	}
	again, err := svc.CreateEnvironmentAccountConnection(env, in)
	if err != nil || again.ID != c.ID {
		t.Fatalf("a repeat with the client token = %+v, %v; want connection %s", again, err, c.ID)
	}
	in2 := in
	in2.ClientToken = ""
	_, err = svc.CreateEnvironmentAccountConnection(env, in2)
	wantErr(t, "a second request for the environment", err, platform.Conflict, c.ID)
	arn := svc.ARNScope().ARN(c.Resource())
	if arn != "arn:aws:proton:us-east-1:111111111111:environment-account-connection/"+c.ID {
		t.Fatalf("ARN = %s", arn)
	}
	if tags, err := svc.ListTagsForResource(env, arn); err != nil || tags["team"] != "ops" {
		t.Fatalf("tags = %v, %v", tags, err)
	}

	// Reading: both sides, nobody else.
	for _, ctx := range []context.Context{mgmt, env, envDev} {
		if got, err := svc.GetEnvironmentAccountConnection(ctx, c.ID); err != nil || got.ID != c.ID {
			t.Fatalf("get from a side = %+v, %v", got, err)
		}
	}
	_, err = svc.GetEnvironmentAccountConnection(stranger, c.ID)
	wantErr(t, "a third account reading", err, platform.NotFound, "not found")
	_, err = svc.GetEnvironmentAccountConnection(mgmt, "nope")
	wantErr(t, "a malformed id", err, platform.Invalid, "id")

	// Only the management account accepts or rejects; only the environment account updates
	// or deletes.
	_, err = svc.AcceptEnvironmentAccountConnection(env, c.ID)
	wantErr(t, "the environment account accepting", err, platform.Forbidden, "management account")
	_, err = svc.RejectEnvironmentAccountConnection(env, c.ID)
	wantErr(t, "the environment account rejecting", err, platform.Forbidden, "management account")
	_, err = svc.AcceptEnvironmentAccountConnection(stranger, c.ID)
	wantErr(t, "a third account accepting", err, platform.NotFound, "not found")
	_, err = svc.AcceptEnvironmentAccountConnection(inAccount(t, "bob", "", platform.DeveloperRole), c.ID)
	wantErr(t, "a developer of the management account accepting", err, platform.Forbidden, "admin role")
	newRole := "arn:aws:iam::" + workload + ":role/gantry-v2"
	_, err = svc.UpdateEnvironmentAccountConnection(mgmt, c.ID, control.UpdateEnvironmentAccountConnectionInput{RoleARN: &newRole})
	wantErr(t, "the management account updating", err, platform.Forbidden, "environment account")
	_, err = svc.DeleteEnvironmentAccountConnection(mgmt, c.ID)
	wantErr(t, "the management account deleting", err, platform.Forbidden, "environment account")

	c, err = svc.AcceptEnvironmentAccountConnection(mgmt, c.ID)
	if err != nil || c.Status != platform.ConnectionConnected {
		t.Fatalf("accept = %+v, %v", c, err)
	}
	_, err = svc.AcceptEnvironmentAccountConnection(mgmt, c.ID)
	wantErr(t, "accepting twice", err, platform.Conflict, "CONNECTED")
	_, err = svc.RejectEnvironmentAccountConnection(mgmt, c.ID)
	wantErr(t, "rejecting a connected one", err, platform.Conflict, "CONNECTED")
	c, err = svc.UpdateEnvironmentAccountConnection(env, c.ID, control.UpdateEnvironmentAccountConnectionInput{RoleARN: &newRole})
	if err != nil || c.RoleARN != newRole || c.Status != platform.ConnectionConnected || !strings.HasSuffix(c.ComponentRoleARN, "gantry-components") {
		t.Fatalf("update = %+v, %v", c, err)
	}
	foreign := "arn:aws:iam::111111111111:role/x"
	_, err = svc.UpdateEnvironmentAccountConnection(env, c.ID, control.UpdateEnvironmentAccountConnectionInput{ComponentRoleARN: &foreign})
	wantErr(t, "updating to a foreign role", err, platform.Invalid, "componentRoleArn")

	// Listing: by side, from the caller's account.
	other, err := svc.CreateEnvironmentAccountConnection(env, control.CreateEnvironmentAccountConnectionInput{ManagementAccountID: "111111111111", EnvironmentName: "beta", RoleARN: role})
	if err != nil {
		t.Fatal(err)
	}
	list := func(ctx context.Context, in control.ListEnvironmentAccountConnectionsInput) []string {
		t.Helper()
		page, err := svc.ListEnvironmentAccountConnections(ctx, in, platform.PageRequest{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range page.Items {
			out = append(out, c.EnvironmentName+":"+string(c.Status))
		}
		return out
	}
	if got := strings.Join(list(mgmt, control.ListEnvironmentAccountConnectionsInput{RequestedBy: platform.RequestedByManagementAccount}), ","); got != "beta:PENDING,prod:CONNECTED" {
		t.Fatalf("management account's list = %s", got)
	}
	if got := list(mgmt, control.ListEnvironmentAccountConnectionsInput{RequestedBy: platform.RequestedByEnvironmentAccount}); len(got) != 0 {
		t.Fatalf("the management account requested none, listed %v", got)
	}
	if got := strings.Join(list(env, control.ListEnvironmentAccountConnectionsInput{RequestedBy: platform.RequestedByEnvironmentAccount,
		Statuses: []platform.ConnectionStatus{platform.ConnectionConnected}}), ","); got != "prod:CONNECTED" {
		t.Fatalf("environment account's connected list = %s", got)
	}
	if got := list(stranger, control.ListEnvironmentAccountConnectionsInput{RequestedBy: platform.RequestedByEnvironmentAccount}); len(got) != 0 {
		t.Fatalf("a third account listed %v", got)
	}
	_, err = svc.ListEnvironmentAccountConnections(env, control.ListEnvironmentAccountConnectionsInput{}, platform.PageRequest{})
	wantErr(t, "no requestedBy", err, platform.Invalid, "requestedBy")
	_, err = svc.ListEnvironmentAccountConnections(env, control.ListEnvironmentAccountConnectionsInput{RequestedBy: platform.RequestedByEnvironmentAccount,
		Statuses: []platform.ConnectionStatus{"GONE"}}, platform.PageRequest{})
	wantErr(t, "an unknown status", err, platform.Invalid, "statuses")

	// Rejected for good; deleting frees the name.
	other, err = svc.RejectEnvironmentAccountConnection(mgmt, other.ID)
	if err != nil || other.Status != platform.ConnectionRejected {
		t.Fatalf("reject = %+v, %v", other, err)
	}
	_, err = svc.UpdateEnvironmentAccountConnection(env, other.ID, control.UpdateEnvironmentAccountConnectionInput{RoleARN: &newRole})
	wantErr(t, "updating a rejected one", err, platform.Conflict, "rejected")
	if _, err := svc.DeleteEnvironmentAccountConnection(env, c.ID); err != nil {
		t.Fatal(err)
	}
	_, err = svc.GetEnvironmentAccountConnection(env, c.ID)
	wantErr(t, "reading a deleted one", err, platform.NotFound, "not found")
	if _, err := svc.CreateEnvironmentAccountConnection(env, in2); err != nil {
		t.Fatalf("a new request once the old one is deleted: %v", err)
	}
}

// TestEnvironmentThroughAConnection: an environment deploys through a connection only when
// it is CONNECTED, for that environment name, asked from the management account; it then
// records the connection and its account.
func TestEnvironmentThroughAConnection(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate()
	const workload = "222222222222"
	env := inAccount(t, "erin", workload, platform.AdminRole)
	c, err := h.svc.CreateEnvironmentAccountConnection(env, control.CreateEnvironmentAccountConnectionInput{ManagementAccountID: h.svc.ARNScope().Account,
		EnvironmentName: "prod", RoleARN: "arn:aws:iam::" + workload + ":role/gantry"})
	if err != nil {
		t.Fatal(err)
	}
	in := h.envInput("prod")
	in.EnvironmentAccountConnectionID = c.ID
	_, err = h.svc.CreateEnvironment(h.ctx, in)
	wantErr(t, "a PENDING connection", err, platform.Invalid, "PENDING")
	if _, err := h.svc.AcceptEnvironmentAccountConnection(h.ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	other := h.envInput("beta")
	other.EnvironmentAccountConnectionID = c.ID
	_, err = h.svc.CreateEnvironment(h.ctx, other)
	wantErr(t, "another environment's connection", err, platform.Invalid, `for environment "prod"`)
	other.EnvironmentAccountConnectionID = "0f8fad5b-d9cb-469f-a165-70867728950e"
	_, err = h.svc.CreateEnvironment(h.ctx, other)
	wantErr(t, "an unknown connection", err, platform.Invalid, "does not exist")
	_, err = h.svc.CreateEnvironment(env, in)
	wantErr(t, "created from the environment account", err, platform.Forbidden, "management account")
	got := h.mustCreateEnvironment(in)
	if stored := h.mustEnvironment("prod"); got.AccountID != workload || stored.AccountConnectionID != c.ID || stored.AccountID != workload {
		t.Fatalf("environment through the connection = %+v, stored %+v", got, stored)
	}
}
