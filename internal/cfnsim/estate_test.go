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
	estate := NewEstate("000000000000", "us-east-1")
	home := New(spec, Options{Account: "000000000000", Region: "us-east-1"})
	workload := New(spec, Options{Account: "222222222222", Region: "us-east-1"})
	t.Cleanup(home.Close)
	t.Cleanup(workload.Close)
	for _, s := range []*Simulator{home, workload} {
		if err := estate.Add(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := estate.Add(New(spec, Options{Account: "222222222222", Region: "us-east-1"})); platform.KindOf(err) != platform.Invalid {
		t.Fatalf("a second simulator of an account and region: %v", err)
	}
	at := platform.StackLocation{Account: "222222222222", RoleARN: "arn:aws:iam::222222222222:role/gantry", ExternalID: "conn"}
	p, err := estate.StackProvisioner(ctx, at)
	if err != nil {
		t.Fatal(err)
	}
	deployOnlyIn(t, p, workload, home, "arn:aws:cloudformation:us-east-1:222222222222:stack/gantry-env-prod/")
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

// TestEstateKeepsStacksPerRegion: the same stack name in two regions of the platform's
// account is two stacks, each with its region in its id; the platform's account is reached
// in another region without a role, an environment account there with its role; a region
// the estate does not have is Invalid, naming it.
func TestEstateKeepsStacksPerRegion(t *testing.T) {
	ctx := t.Context()
	spec, err := cfnspec.Load()
	if err != nil {
		t.Fatal(err)
	}
	estate := NewEstate("000000000000", "us-east-1")
	home := New(spec, Options{Account: "000000000000", Region: "us-east-1"})
	west := New(spec, Options{Account: "000000000000", Region: "us-west-2"})
	workloadWest := New(spec, Options{Account: "222222222222", Region: "us-west-2"})
	for _, s := range []*Simulator{home, west, workloadWest} {
		t.Cleanup(s.Close)
		if err := estate.Add(s); err != nil {
			t.Fatal(err)
		}
	}
	if got := estate.Regions(); strings.Join(got, ",") != "us-east-1,us-west-2" {
		t.Fatalf("regions = %v", got)
	}
	p, err := estate.StackProvisioner(ctx, platform.StackLocation{Region: "us-west-2"})
	if err != nil || p != platform.StackProvisioner(west) {
		t.Fatalf("the platform's account in us-west-2 = %v, %v", p, err)
	}
	deployOnlyIn(t, p, west, home, "arn:aws:cloudformation:us-west-2:000000000000:stack/gantry-env-prod/")
	there := platform.StackLocation{Account: "222222222222", Region: "us-west-2", RoleARN: "arn:aws:iam::222222222222:role/gantry", ExternalID: "conn"}
	if p, err := estate.StackProvisioner(ctx, there); err != nil || p != platform.StackProvisioner(workloadWest) {
		t.Fatalf("the environment account in us-west-2 = %v, %v", p, err)
	}
	if estate.At("", "us-west-2") != west || estate.Account("000000000000") != home {
		t.Fatal("At and Account do not find the simulators")
	}
	for what, bad := range map[string]platform.StackLocation{
		"a region the estate lacks":             {Region: "eu-west-1"},
		"an environment account in that region": {Account: "222222222222", Region: "us-east-1", RoleARN: there.RoleARN, ExternalID: "conn"},
		"no role in another region":             {Account: "222222222222", Region: "us-west-2"},
	} {
		if _, err := estate.StackProvisioner(ctx, bad); platform.KindOf(err) != platform.Invalid {
			t.Errorf("%s: %v, want Invalid", what, err)
		}
	}
}

// deployOnlyIn deploys stack gantry-env-prod through p, which must be sim, and checks that
// its id starts with id and that other does not see it.
func deployOnlyIn(t *testing.T, p platform.StackProvisioner, sim, other *Simulator, id string) {
	t.Helper()
	ctx := t.Context()
	op, err := p.Deploy(ctx, platform.StackDeployment{StackName: "gantry-env-prod", TemplateBody: []byte(clusterTemplate), ClientRequestToken: "t1"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(op.StackID, id) {
		t.Fatalf("stack id %s, want it to start with %s", op.StackID, id)
	}
	sim.Wait("gantry-env-prod")
	if _, err := other.Describe(ctx, "gantry-env-prod"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("another account or region sees the stack: %v", err)
	}
}
