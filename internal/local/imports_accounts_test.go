package local

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/dynamolocal"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

// TestImportAcrossAccounts imports AWS Proton's stacks from two accounts: the platform's
// own and an environment account reached through its CONNECTED connection (seeded as
// DIR/ACCOUNT/REGION/STACK). The environment found there is linked to its connection and
// deploys there afterwards; a stack there for an environment the connection is not for is
// not adopted; a connection that is not CONNECTED is refused.
func TestImportAcrossAccounts(t *testing.T) {
	seeds, specs := seedProtonStacks(t, []protonEnvironment{{name: "vpc", template: "vpc-env", stack: "AWSProton-vpc-cloudformation-1a2b3c"}})
	there, thereSpecs := seedProtonStacks(t, []protonEnvironment{
		{name: "fargate", template: "fargate-env", stack: "AWSProton-fargate-cloudformation-4d5e6f"},
		{name: "stray", template: "vpc-env", stack: "AWSProton-stray-cloudformation-7a8b9c"},
	})
	for name, spec := range thereSpecs {
		specs[name] = spec
	}
	if err := os.MkdirAll(filepath.Join(seeds, workloadID), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(there, filepath.Join(seeds, workloadID, Region)); err != nil {
		t.Fatal(err)
	}
	p, ts := seededPlatform(t, seeds, workloadID)
	admin := newClient(t, p, ts, platform.AdminRole)
	token, err := p.Issuer.IssueIn("erin", []string{"gantry-admins"}, workloadID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	workload := &client{t: t, base: ts.URL, token: token}
	for _, name := range []string{"vpc-env", "fargate-env"} {
		admin.register("environment-templates", name, platformtest.TarGz(t, fmt.Sprintf(protonSamples, "bundles", name)+"/v1", nil))
	}
	var conn map[string]any
	workload.must(201, "POST", "/v1/environment-account-connections", map[string]any{"managementAccountId": AccountID,
		"environmentName": "fargate", "roleArn": "arn:aws:iam::" + workloadID + ":role/gantry-connection"}, &conn)
	id := conn["id"].(string)
	in := apimodel.ImportProton{EnvironmentSpecs: specs, AccountConnectionIDs: []string{id}}
	if status, body := admin.json("POST", "/v1/imports/proton", in, nil); status != 400 || !strings.Contains(body, "accountConnectionIds") || !strings.Contains(body, "PENDING") {
		t.Fatalf("an import through a PENDING connection: %d %s", status, body)
	}
	admin.must(200, "POST", "/v1/environment-account-connections/"+id+"/accept", nil, nil)
	if status, body := workload.json("POST", "/v1/imports/proton", in, nil); status != 403 {
		t.Fatalf("an import by the environment account's admin: %d %s, want 403", status, body)
	}

	got := importReport(t, admin, in)
	if r := got["vpc"]; r.Outcome != "ADOPTED" || r.Account != "" {
		t.Fatalf("the platform account's stack = %+v", r)
	}
	if r := got["fargate"]; r.Outcome != "ADOPTED" || r.Account != workloadID || r.StackName != "AWSProton-fargate-cloudformation-4d5e6f" {
		t.Fatalf("the environment account's stack = %+v", r)
	}
	if r := got["stray"]; r.Outcome != "FAILED" || r.Account != workloadID || !strings.Contains(r.Message, "connection") {
		t.Fatalf("a stack of an environment without a connection = %+v", r)
	}
	var env apimodel.Environment
	admin.must(200, "GET", "/v1/environments/fargate", nil, &env)
	if env.EnvironmentAccountID != workloadID || env.EnvironmentAccountConnectionID != id || env.DeploymentStatus != platform.Succeeded {
		t.Fatalf("the imported environment = %+v, want it linked to connection %s", env, id)
	}
	if again := importReport(t, admin, in); again["fargate"].Outcome != "ALREADY_ADOPTED" || again["vpc"].Outcome != "ALREADY_ADOPTED" {
		t.Fatalf("a second import = %+v", again)
	}

	// It deploys in its account, to its own stack.
	admin.must(202, "PATCH", "/v1/environments/fargate", map[string]any{"deploymentType": "CURRENT_VERSION"}, nil)
	if e := admin.waitFor("/v1/environments/fargate"); e["deploymentStatus"] != "SUCCEEDED" {
		t.Fatalf("the imported environment's deployment = %v", e)
	}
	ctx := context.Background()
	if stack, err := p.Estate.Account(workloadID).Describe(ctx, env.StackName); err != nil || stack.Status != "UPDATE_COMPLETE" {
		t.Fatalf("its stack in account %s = %+v, %v; want it updated in place", workloadID, stack, err)
	}
	if _, err := p.Sim.Describe(ctx, env.StackName); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("its stack in the platform's account: %v, want NotFound", err)
	}
	wantStackResourcesIn(t, p.Estate.Account(workloadID), env.StackName, admin.provisionedResources("/v1/environments/fargate"))
}

// TestSeedStacksOfAnotherRegion: a seed directory holds stacks by account and region
// (the platform's own account's in another region too); a directory that is not a region
// is refused naming it, and so is a region that is not a local one (--regions).
func TestSeedStacksOfAnotherRegion(t *testing.T) {
	dir := t.TempDir()
	writeSeedStack(t, filepath.Join(dir, workloadID, "eu-west-1"), "AWSProton-x", "Resources: {}\n", SeedStackFile{})
	writeSeedStack(t, filepath.Join(dir, AccountID, "eu-west-1"), "AWSProton-y", "Resources: {}\n", SeedStackFile{})
	writeSeedStack(t, filepath.Join(dir, AccountID, Region), "AWSProton-z", "Resources: {}\n", SeedStackFile{})
	seeds, err := LoadSeedStacks(dir)
	if err != nil {
		t.Fatal(err)
	}
	names := func(at SeedLocation) (out []string) {
		for _, s := range seeds[at] {
			out = append(out, s.Name)
		}
		return out
	}
	if got := names(SeedLocation{Account: workloadID, Region: "eu-west-1"}); len(got) != 1 || got[0] != "AWSProton-x" {
		t.Fatalf("the workload account's stacks in eu-west-1 = %v", got)
	}
	if got := names(SeedLocation{Region: "eu-west-1"}); len(got) != 1 || got[0] != "AWSProton-y" {
		t.Fatalf("the platform account's stacks in eu-west-1 = %v", got)
	}
	if got := names(SeedLocation{}); len(got) != 1 || got[0] != "AWSProton-z" {
		t.Fatalf("the platform account's stacks in its own region = %v", got)
	}
	if _, err := Start(context.Background(), Config{DataDir: t.TempDir(), DynamoEndpoint: dynamolocal.Shared(t).Endpoint(), Log: quietLog(),
		Table: fmt.Sprintf("gantry-seed-%d", time.Now().UnixNano()), SeedStacks: dir, Accounts: []string{workloadID}}); err == nil ||
		!strings.Contains(err.Error(), "eu-west-1") || !strings.Contains(err.Error(), "--regions") {
		t.Fatalf("seeds in eu-west-1 without --regions eu-west-1: %v, want an error naming the region and --regions", err)
	}

	bad := t.TempDir()
	writeSeedStack(t, filepath.Join(bad, workloadID, "westeros"), "AWSProton-x", "Resources: {}\n", SeedStackFile{})
	if _, err := LoadSeedStacks(bad); err == nil || !strings.Contains(err.Error(), "westeros") {
		t.Fatalf("seeds in westeros: %v, want an error naming it", err)
	}
}
