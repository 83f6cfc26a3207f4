package local

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/proton"
	"github.com/aws/aws-sdk-go-v2/service/proton/types"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
)

// accountClient returns the official Proton client signing with a new admin access key
// acting in account.
func (w *wirePlatform) accountClient(t *testing.T, account string) *proton.Client {
	t.Helper()
	ctx := platform.WithCaller(context.Background(), platform.Caller{Subject: "local-admin", Roles: []platform.Role{platform.AdminRole}})
	k, secret, err := w.Control.CreateAccessKey(ctx, control.CreateAccessKeyInput{Role: platform.AdminRole, Account: account})
	if err != nil {
		t.Fatal(err)
	}
	return w.clientWith(k.ID, secret)
}

// TestProtonSDKAccountConnections drives Proton's seven environment account connection
// operations through the official Go client: a request from a workload account's key, the
// management account (the platform's) accepting one and rejecting another, each side's
// list, the update and delete, and the refusals of the wrong side (AccessDeniedException)
// and of a third account (ResourceNotFoundException).
func TestProtonSDKAccountConnections(t *testing.T) {
	ctx := t.Context()
	w := newWirePlatform(t)
	mgmt := w.client(t, platform.AdminRole)
	workload := w.accountClient(t, "222222222222")
	stranger := w.accountClient(t, "333333333333")
	role := "arn:aws:iam::222222222222:role/gantry-provisioning"

	created, err := workload.CreateEnvironmentAccountConnection(ctx, &proton.CreateEnvironmentAccountConnectionInput{
		ManagementAccountId: aws.String(AccountID), EnvironmentName: aws.String("prod"), RoleArn: aws.String(role),
		ClientToken: aws.String("prod-1"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("ops")}}})
	if err != nil {
		t.Fatal(err)
	}
	c := created.EnvironmentAccountConnection
	if c.Status != types.EnvironmentAccountConnectionStatusPending || aws.ToString(c.EnvironmentAccountId) != "222222222222" ||
		aws.ToString(c.Arn) != "arn:aws:proton:us-east-1:"+AccountID+":environment-account-connection/"+aws.ToString(c.Id) {
		t.Fatalf("created %+v", c)
	}
	_, err = mgmt.CreateEnvironmentAccountConnection(ctx, &proton.CreateEnvironmentAccountConnectionInput{
		ManagementAccountId: aws.String(AccountID), EnvironmentName: aws.String("beta"), RoleArn: aws.String("arn:aws:iam::" + AccountID + ":role/x")})
	wantAPIError(t, err, "ValidationException")
	_, err = workload.CreateEnvironmentAccountConnection(ctx, &proton.CreateEnvironmentAccountConnectionInput{
		ManagementAccountId: aws.String(AccountID), EnvironmentName: aws.String("prod"), RoleArn: aws.String(role)})
	wantAPIError(t, err, "ConflictException")

	_, err = workload.AcceptEnvironmentAccountConnection(ctx, &proton.AcceptEnvironmentAccountConnectionInput{Id: c.Id})
	wantAPIError(t, err, "AccessDeniedException")
	_, err = stranger.GetEnvironmentAccountConnection(ctx, &proton.GetEnvironmentAccountConnectionInput{Id: c.Id})
	wantAPIError(t, err, "ResourceNotFoundException")
	accepted, err := mgmt.AcceptEnvironmentAccountConnection(ctx, &proton.AcceptEnvironmentAccountConnectionInput{Id: c.Id})
	if err != nil || accepted.EnvironmentAccountConnection.Status != types.EnvironmentAccountConnectionStatusConnected {
		t.Fatalf("accept = %+v, %v", accepted, err)
	}
	got, err := workload.GetEnvironmentAccountConnection(ctx, &proton.GetEnvironmentAccountConnectionInput{Id: c.Id})
	if err != nil || got.EnvironmentAccountConnection.Status != types.EnvironmentAccountConnectionStatusConnected {
		t.Fatalf("get = %+v, %v", got, err)
	}

	beta, err := workload.CreateEnvironmentAccountConnection(ctx, &proton.CreateEnvironmentAccountConnectionInput{
		ManagementAccountId: aws.String(AccountID), EnvironmentName: aws.String("beta"), RoleArn: aws.String(role)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mgmt.RejectEnvironmentAccountConnection(ctx, &proton.RejectEnvironmentAccountConnectionInput{Id: beta.EnvironmentAccountConnection.Id}); err != nil {
		t.Fatal(err)
	}
	listed, err := mgmt.ListEnvironmentAccountConnections(ctx, &proton.ListEnvironmentAccountConnectionsInput{
		RequestedBy: types.EnvironmentAccountConnectionRequesterAccountTypeManagementAccount})
	if err != nil || len(listed.EnvironmentAccountConnections) != 2 {
		t.Fatalf("the management account's list = %+v, %v", listed, err)
	}
	connected, err := workload.ListEnvironmentAccountConnections(ctx, &proton.ListEnvironmentAccountConnectionsInput{
		RequestedBy: types.EnvironmentAccountConnectionRequesterAccountTypeEnvironmentAccount,
		Statuses:    []types.EnvironmentAccountConnectionStatus{types.EnvironmentAccountConnectionStatusConnected}})
	if err != nil || len(connected.EnvironmentAccountConnections) != 1 || aws.ToString(connected.EnvironmentAccountConnections[0].EnvironmentName) != "prod" {
		t.Fatalf("the workload account's connected list = %+v, %v", connected, err)
	}
	none, err := stranger.ListEnvironmentAccountConnections(ctx, &proton.ListEnvironmentAccountConnectionsInput{
		RequestedBy: types.EnvironmentAccountConnectionRequesterAccountTypeEnvironmentAccount})
	if err != nil || len(none.EnvironmentAccountConnections) != 0 {
		t.Fatalf("a third account's list = %+v, %v", none, err)
	}

	newRole := "arn:aws:iam::222222222222:role/gantry-v2"
	_, err = mgmt.UpdateEnvironmentAccountConnection(ctx, &proton.UpdateEnvironmentAccountConnectionInput{Id: c.Id, RoleArn: aws.String(newRole)})
	wantAPIError(t, err, "AccessDeniedException")
	updated, err := workload.UpdateEnvironmentAccountConnection(ctx, &proton.UpdateEnvironmentAccountConnectionInput{Id: c.Id, RoleArn: aws.String(newRole),
		ComponentRoleArn: aws.String("arn:aws:iam::222222222222:role/components")})
	if err != nil || aws.ToString(updated.EnvironmentAccountConnection.RoleArn) != newRole {
		t.Fatalf("update = %+v, %v", updated, err)
	}
	_, err = mgmt.DeleteEnvironmentAccountConnection(ctx, &proton.DeleteEnvironmentAccountConnectionInput{Id: c.Id})
	wantAPIError(t, err, "AccessDeniedException")
	if _, err := workload.DeleteEnvironmentAccountConnection(ctx, &proton.DeleteEnvironmentAccountConnectionInput{Id: c.Id}); err != nil {
		t.Fatal(err)
	}
	_, err = workload.GetEnvironmentAccountConnection(ctx, &proton.GetEnvironmentAccountConnectionInput{Id: c.Id})
	wantAPIError(t, err, "ResourceNotFoundException")
}
