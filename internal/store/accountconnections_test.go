package store_test

import (
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/store/storetest"
)

func TestEnvironmentAccountConnections(t *testing.T) {
	ctx := t.Context()
	s := storetest.NewStore(t)
	at := time.Date(2026, 12, 6, 5, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return at } // the client token expires an hour after at, whatever the day the test runs
	c := platform.EnvironmentAccountConnection{ID: "0f8fad5b-d9cb-469f-a165-70867728950e", ManagementAccountID: "111111111111",
		EnvironmentAccountID: "222222222222", EnvironmentName: "prod", RoleARN: "arn:aws:iam::222222222222:role/gantry",
		Status: platform.ConnectionPending, RequestedBy: "alice", RequestedAt: at, LastModifiedAt: at}
	token := &platform.ClientToken{Scope: "CreateEnvironmentAccountConnection:alice", Token: "t1", Fingerprint: "f", Result: c.ID, ExpiresAt: at.Add(time.Hour)}
	mustOK(t, s.CreateEnvironmentAccountConnection(ctx, c, token))
	got, err := s.GetEnvironmentAccountConnection(ctx, c.ID)
	mustOK(t, err)
	if got.Revision != 1 || got.EnvironmentAccountID != c.EnvironmentAccountID || got.RoleARN != c.RoleARN || !got.RequestedAt.Equal(at) || got.Status != platform.ConnectionPending {
		t.Fatalf("stored connection = %+v, want %+v with revision 1", got, c)
	}
	if tok, err := s.GetClientToken(ctx, token.Scope, token.Token); err != nil || tok.Result != c.ID {
		t.Fatalf("client token = %+v, %v; want it recorded with the connection", tok, err)
	}

	// The environment name is held in the management account: a second request for it
	// (from any account) is refused, naming the holder; another management account's is not.
	other := c
	other.ID, other.EnvironmentAccountID = "1b4e28ba-2fa1-41d2-883f-0016d3cca427", "333333333333"
	wantKind(t, s.CreateEnvironmentAccountConnection(ctx, other, nil), platform.Conflict, c.ID)
	if _, err := s.GetEnvironmentAccountConnection(ctx, other.ID); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("a refused connection was written half-way: %v", err)
	}
	elsewhere := other
	elsewhere.ID, elsewhere.ManagementAccountID = "9a1f3b2c-1111-4a2b-8c3d-4e5f6a7b8c9d", "444444444444"
	mustOK(t, s.CreateEnvironmentAccountConnection(ctx, elsewhere, nil))

	// Accepted, then listed from both sides, narrowed by name and status.
	got.Status = platform.ConnectionConnected
	mustOK(t, s.UpdateEnvironmentAccountConnection(ctx, got))
	wantKind(t, s.UpdateEnvironmentAccountConnection(ctx, got), platform.Conflict, "changed by another request")
	second := c
	second.ID, second.EnvironmentName = "6fa459ea-ee8a-4ca4-894e-db77e160355e", "beta"
	mustOK(t, s.CreateEnvironmentAccountConnection(ctx, second, nil))
	ids := func(f platform.ConnectionFilter) []string {
		t.Helper()
		page, err := s.ListEnvironmentAccountConnections(ctx, f, platform.PageRequest{})
		mustOK(t, err)
		var out []string
		for _, c := range page.Items {
			out = append(out, c.EnvironmentName+":"+string(c.Status))
		}
		return out
	}
	mustEqual(t, "by management account", ids(platform.ConnectionFilter{RequestedBy: platform.RequestedByManagementAccount, Account: "111111111111"}),
		[]string{"beta:PENDING", "prod:CONNECTED"})
	mustEqual(t, "by environment account", ids(platform.ConnectionFilter{RequestedBy: platform.RequestedByEnvironmentAccount, Account: "222222222222"}),
		[]string{"beta:PENDING", "prod:CONNECTED"})
	mustEqual(t, "by environment account, other", ids(platform.ConnectionFilter{RequestedBy: platform.RequestedByEnvironmentAccount, Account: "333333333333"}),
		[]string{"prod:PENDING"})
	mustEqual(t, "by name", ids(platform.ConnectionFilter{RequestedBy: platform.RequestedByManagementAccount, Account: "111111111111", EnvironmentName: "prod"}),
		[]string{"prod:CONNECTED"})
	mustEqual(t, "by status", ids(platform.ConnectionFilter{RequestedBy: platform.RequestedByEnvironmentAccount, Account: "222222222222",
		Statuses: []platform.ConnectionStatus{platform.ConnectionPending}}), []string{"beta:PENDING"})
	page, err := s.ListEnvironmentAccountConnections(ctx, platform.ConnectionFilter{RequestedBy: platform.RequestedByManagementAccount, Account: "111111111111"}, platform.PageRequest{Limit: 1})
	mustOK(t, err)
	if len(page.Items) != 1 || page.NextToken == "" {
		t.Fatalf("first page of one = %+v, want one item and a next token", page)
	}
	_, err = s.ListEnvironmentAccountConnections(ctx, platform.ConnectionFilter{RequestedBy: "SOMEONE"}, platform.PageRequest{})
	wantKind(t, err, platform.Invalid, "requestedBy")

	// Rejecting frees the name: a new request for it is taken.
	second, err = s.GetEnvironmentAccountConnection(ctx, second.ID)
	mustOK(t, err)
	second.Status = platform.ConnectionRejected
	mustOK(t, s.UpdateEnvironmentAccountConnection(ctx, second))
	again := second
	again.ID, again.Status, again.Revision = "7c9e6679-7425-40de-944b-e07fc1f90ae7", platform.ConnectionPending, 0
	mustOK(t, s.CreateEnvironmentAccountConnection(ctx, again, nil))
	// Deleting the rejected one leaves the new holder's name alone.
	second, err = s.GetEnvironmentAccountConnection(ctx, second.ID)
	mustOK(t, err)
	mustOK(t, s.DeleteEnvironmentAccountConnection(ctx, second))
	wantKind(t, s.CreateEnvironmentAccountConnection(ctx, second, nil), platform.Conflict, again.ID)

	// Deleting a connected one frees its name; a stale revision is refused.
	got, err = s.GetEnvironmentAccountConnection(ctx, c.ID)
	mustOK(t, err)
	stale := got
	stale.Revision--
	wantKind(t, s.DeleteEnvironmentAccountConnection(ctx, stale), platform.Conflict, "changed by another request")
	mustOK(t, s.DeleteEnvironmentAccountConnection(ctx, got))
	wantKind(t, s.DeleteEnvironmentAccountConnection(ctx, got), platform.NotFound, "not found")
	_, err = s.GetEnvironmentAccountConnection(ctx, c.ID)
	wantKind(t, err, platform.NotFound, "not found")
	mustOK(t, s.CreateEnvironmentAccountConnection(ctx, other, nil))
}
