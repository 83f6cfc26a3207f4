package cfnsim

import (
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/cfnspec"
	"github.com/gantry-platform/gantry/internal/platform"
)

// TestEstateKeepsStacksPerAccount: the same stack name in two accounts is two stacks, each
// with its account in its id, reached through a role of that account.
func TestEstateKeepsStacksPerAccount(t *testing.T) {
	ctx := t.Context()
	spec, err := cfnspec.Load()
	if err != nil {
		t.Fatal(err)
	}
	estate := NewEstate("us-east-1")
	home := New(spec, Options{Account: "000000000000", Region: "us-east-1"})
	workload := New(spec, Options{Account: "222222222222", Region: "us-east-1"})
	t.Cleanup(home.Close)
	t.Cleanup(workload.Close)
	for _, s := range []*Simulator{home, workload} {
		if err := estate.Add(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := estate.Add(New(spec, Options{Account: "333333333333", Region: "eu-west-1"})); platform.KindOf(err) != platform.Invalid {
		t.Fatalf("a simulator of another region: %v", err)
	}
	at := platform.StackLocation{Account: "222222222222", RoleARN: "arn:aws:iam::222222222222:role/gantry", ExternalID: "conn"}
	p, err := estate.StackProvisioner(ctx, at)
	if err != nil {
		t.Fatal(err)
	}
	op, err := p.Deploy(ctx, platform.StackDeployment{StackName: "gantry-env-prod", TemplateBody: []byte(clusterTemplate), ClientRequestToken: "t1"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(op.StackID, "arn:aws:cloudformation:us-east-1:222222222222:stack/gantry-env-prod/") {
		t.Fatalf("stack id %s is not in the workload account", op.StackID)
	}
	workload.Wait("gantry-env-prod")
	if _, err := home.Describe(ctx, "gantry-env-prod"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("the home account sees the workload account's stack: %v", err)
	}
	for what, bad := range map[string]platform.StackLocation{
		"an unknown account":        {Account: "444444444444", RoleARN: "arn:aws:iam::444444444444:role/gantry", ExternalID: "conn"},
		"a role of another account": {Account: "222222222222", RoleARN: "arn:aws:iam::000000000000:role/gantry", ExternalID: "conn"},
		"no external id":            {Account: "222222222222", RoleARN: at.RoleARN},
		"another region":            {Account: "222222222222", Region: "eu-west-1", RoleARN: at.RoleARN, ExternalID: "conn"},
	} {
		if _, err := estate.StackProvisioner(ctx, bad); platform.KindOf(err) != platform.Invalid {
			t.Errorf("%s: %v, want Invalid", what, err)
		}
	}
}
