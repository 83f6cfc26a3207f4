package cloudformation_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gantry-platform/gantry/internal/awsclients/awstest"
	"github.com/gantry-platform/gantry/internal/cloudformation"
	"github.com/gantry-platform/gantry/internal/platform"
)

// assumed answers AssumeRole with credentials key that expire at expires.
func assumed(key string, expires time.Time) awstest.Response {
	return awstest.QueryResult("AssumeRole", fmt.Sprintf(`<Credentials><AccessKeyId>%s</AccessKeyId>`+
		`<SecretAccessKey>assumed-secret</SecretAccessKey><SessionToken>assumed-session</SessionToken>`+
		`<Expiration>%s</Expiration></Credentials>`+
		`<AssumedRoleUser><Arn>arn:aws:sts::444455556666:assumed-role/gantry-connection/gantry</Arn><AssumedRoleId>AROA:gantry</AssumedRoleId></AssumedRoleUser>`,
		key, expires.UTC().Format(time.RFC3339)))
}

func connectedAccounts(server *awstest.Server, window time.Duration) *cloudformation.ConnectedAccounts {
	server.Handle("DescribeStackEvents", func(awstest.Call) awstest.Response {
		return awstest.QueryResult("DescribeStackEvents", "<StackEvents></StackEvents>")
	})
	return &cloudformation.ConnectedAccounts{
		STS:           sts.NewFromConfig(awstest.Config(), func(o *sts.Options) { o.BaseEndpoint = aws.String(server.URL) }),
		Config:        awstest.Config(),
		ClientOptions: []func(*cfn.Options){func(o *cfn.Options) { o.BaseEndpoint = aws.String(server.URL) }},
		ExpiryWindow:  window,
	}
}

// connectedServer is a server whose AssumeRole answers credentials good for an hour and
// whose stacks are UPDATE_COMPLETE, with ConnectedAccounts calling it.
func connectedServer(t *testing.T) (*awstest.Server, *cloudformation.ConnectedAccounts) {
	server := awstest.NewServer(t)
	server.Handle("AssumeRole", func(awstest.Call) awstest.Response { return assumed("ASIACONNECTED", time.Now().Add(time.Hour)) })
	server.Handle("DescribeStacks", func(awstest.Call) awstest.Response { return describeStacks("UPDATE_COMPLETE", "") })
	return server, connectedAccounts(server, 0)
}

// TestContract_ConnectedAccountsAssumeTheConnectionsRole: a stack in an environment
// account is reached by assuming the connection's role with the connection id as external
// id; the credentials and the provisioner are kept per role and external id while they
// last, every CloudFormation call is signed with them, and a stack deployment naming the
// environment account goes to it.
func TestContract_ConnectedAccountsAssumeTheConnectionsRole(t *testing.T) {
	server, accounts := connectedServer(t)
	ctx := context.Background()
	at := platform.StackLocation{Account: "444455556666", RoleARN: "arn:aws:iam::444455556666:role/gantry-connection",
		ExternalID: "0f8fad5b-d9cb-469f-a165-70867728950e"}
	var first platform.StackProvisioner
	for i := range 2 {
		p, err := accounts.StackProvisioner(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = p
		} else if p != first {
			t.Error("a second look at the same connection built another provisioner")
		}
		if _, err := p.Describe(ctx, stackName); err != nil {
			t.Fatalf("Describe in the environment account: %v", err)
		}
	}
	assumes := server.CallsOf("AssumeRole")
	if len(assumes) != 1 {
		t.Fatalf("AssumeRole calls = %d, want 1 (credentials cached until shortly before they expire)", len(assumes))
	}
	wantForm(t, assumes[0], map[string]string{"RoleArn": at.RoleARN, "ExternalId": at.ExternalID, "RoleSessionName": cloudformation.SessionName})
	for _, c := range server.CallsOf("DescribeStacks") {
		if c.AccessKeyID != "ASIACONNECTED" {
			t.Errorf("DescribeStacks signed with %s, want the assumed role's key", c.AccessKeyID)
		}
	}

	other := at
	other.ExternalID = "1b4e28ba-2fa1-41d2-883f-0016d3cca427"
	if p, err := accounts.StackProvisioner(ctx, other); err != nil || p == first {
		t.Fatalf("another connection to the same role: %v, same provisioner %v", err, p == first)
	}
	for what, bad := range map[string]platform.StackLocation{
		"a role of another account": {Account: "444455556666", RoleARN: "arn:aws:iam::111122223333:role/x", ExternalID: "e"},
		"not a role":                {Account: "444455556666", RoleARN: "arn:aws:iam::444455556666:user/x", ExternalID: "e"},
		"no external id":            {Account: "444455556666", RoleARN: at.RoleARN},
	} {
		if _, err := accounts.StackProvisioner(ctx, bad); platform.KindOf(err) != platform.Invalid {
			t.Errorf("%s: %v, want Invalid", what, err)
		}
	}
}

// TestContract_ConnectedCredentialsRenewBeforeExpiry: credentials that expire within the
// expiry window are assumed again before the next call, not used to the last second.
func TestContract_ConnectedCredentialsRenewBeforeExpiry(t *testing.T) {
	server := awstest.NewServer(t)
	n := 0
	server.Handle("AssumeRole", func(awstest.Call) awstest.Response {
		n++
		return assumed(fmt.Sprintf("ASIAKEY%d", n), time.Now().Add(4*time.Minute)) // inside the 5-minute window
	})
	server.Handle("DescribeStacks", func(awstest.Call) awstest.Response { return describeStacks("CREATE_COMPLETE", "") })
	accounts := connectedAccounts(server, 5*time.Minute)
	ctx := context.Background()
	p, err := accounts.StackProvisioner(ctx, platform.StackLocation{Account: "444455556666",
		RoleARN: "arn:aws:iam::444455556666:role/gantry-connection", ExternalID: "conn"})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := p.Describe(ctx, stackName); err != nil {
			t.Fatal(err)
		}
	}
	// Every CloudFormation call (DescribeStacks, then DescribeStackEvents for the root
	// cause) finds the credentials inside the window, so each assumes the role anew.
	cfnCalls := len(server.CallsOf("DescribeStacks")) + len(server.CallsOf("DescribeStackEvents"))
	keys := map[string]bool{}
	for _, c := range server.Calls() {
		if c.Operation != "AssumeRole" {
			keys[c.AccessKeyID] = true
		}
	}
	if assumes := len(server.CallsOf("AssumeRole")); assumes != cfnCalls || len(keys) != cfnCalls {
		t.Fatalf("AssumeRole calls = %d, keys used %v, for %d CloudFormation calls; want each call on freshly assumed credentials", assumes, keys, cfnCalls)
	}
}

// signedRegion is the region of call's SigV4 credential scope.
func signedRegion(call awstest.Call) string {
	auth := call.Header.Get("Authorization")
	i := strings.Index(auth, "Credential=")
	if i < 0 {
		return ""
	}
	scope := strings.Split(strings.SplitN(auth[i+len("Credential="):], ",", 2)[0], "/")
	if len(scope) < 3 {
		return ""
	}
	return scope[2]
}

// TestContract_ConnectedAccountsReachOtherRegions: a stack in another region of the
// platform's own account is reached with the platform's own credentials, no role assumed,
// its calls signed for that region; an environment account's stack in another region is
// reached with the connection's role, signed for that region; each region has its own
// provisioner.
func TestContract_ConnectedAccountsReachOtherRegions(t *testing.T) {
	server, accounts := connectedServer(t)
	ctx := context.Background()

	west, err := accounts.StackProvisioner(ctx, platform.StackLocation{Region: "us-west-2"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := west.Describe(ctx, stackName); err != nil {
		t.Fatal(err)
	}
	if n := len(server.CallsOf("AssumeRole")); n != 0 {
		t.Fatalf("AssumeRole calls = %d for the platform's own account, want none", n)
	}
	for _, c := range server.CallsOf("DescribeStacks") {
		if c.AccessKeyID != awstest.AccessKeyID || signedRegion(c) != "us-west-2" {
			t.Fatalf("DescribeStacks signed with %s for %s, want the platform's key for us-west-2", c.AccessKeyID, signedRegion(c))
		}
	}
	if again, _ := accounts.StackProvisioner(ctx, platform.StackLocation{Region: "us-west-2"}); again != west {
		t.Error("a second look at us-west-2 built another provisioner")
	}
	if eu, _ := accounts.StackProvisioner(ctx, platform.StackLocation{Region: "eu-west-1"}); eu == west {
		t.Error("eu-west-1 shares us-west-2's provisioner")
	}

	there, err := accounts.StackProvisioner(ctx, platform.StackLocation{Account: "444455556666", Region: "eu-west-1",
		RoleARN: "arn:aws:iam::444455556666:role/gantry-connection", ExternalID: "conn"})
	if err != nil {
		t.Fatal(err)
	}
	before := len(server.CallsOf("DescribeStacks"))
	if _, err := there.Describe(ctx, stackName); err != nil {
		t.Fatal(err)
	}
	c := server.CallsOf("DescribeStacks")[before]
	if c.AccessKeyID != "ASIACONNECTED" || signedRegion(c) != "eu-west-1" {
		t.Fatalf("DescribeStacks in the environment account signed with %s for %s, want the assumed key for eu-west-1", c.AccessKeyID, signedRegion(c))
	}
}
