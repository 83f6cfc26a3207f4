package control_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

// vpcOutputs are the outputs of an environment made outside Gantry.
var vpcOutputs = []platform.Output{{Key: "ClusterName", Value: "shared-cluster"}, {Key: "VpcId", Value: "vpc-0abc"}}

func (h *harness) customerManagedInput(name string, outputs []platform.Output) control.CreateEnvironmentInput {
	in := h.envInput(name)
	in.CustomerManaged, in.Outputs = true, outputs
	return in
}

// TestCustomerManagedEnvironment registers an environment made outside Gantry with its
// outputs: it is SUCCEEDED at once with a deployment of its own that deployed nothing (no
// workflow, no stack), its outputs are the environment's, and its status change is
// published.
func TestCustomerManagedEnvironment(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate()
	env := h.mustCreateEnvironment(h.customerManagedInput("Shared", vpcOutputs))
	if !env.CustomerManaged || env.DeploymentStatus != platform.Succeeded || env.StackName != "" ||
		env.LastSucceededDeploymentID != env.LastDeploymentID || !reflect.DeepEqual(env.Outputs, vpcOutputs) {
		t.Fatalf("customer-managed environment = %+v", env)
	}
	if !reflect.DeepEqual(h.mustEnvironment("Shared"), env) {
		t.Fatalf("stored %+v, answered %+v", h.mustEnvironment("Shared"), env)
	}
	if h.startCount() != 0 {
		t.Fatalf("%d workflows started for an environment that deploys nothing", h.startCount())
	}
	d := h.mustDeployment(env.LastDeploymentID)
	if d.Status != platform.Succeeded || d.Operation != platform.Deploy || d.StackName != "" || !reflect.DeepEqual(d.Outputs, vpcOutputs) ||
		d.CompletedAt.IsZero() || d.LeaseOwner != "" {
		t.Fatalf("its deployment = %+v", d)
	}
	published := false
	for _, e := range h.events.Events() {
		published = published || (e.DetailType == "Environment Status Change" && strings.Contains(string(e.Detail), `"SUCCEEDED"`))
	}
	if !published {
		t.Fatalf("no SUCCEEDED status change published: %+v", h.events.Events())
	}
	if _, err := h.svc.PreviewEnvironmentUpdate(h.ctx, "Shared", control.UpdateInput{DeploymentType: platform.DeployCurrentVersion}); platform.KindOf(err) != platform.Invalid {
		t.Fatalf("previewing a customer-managed environment: %v, want Invalid", err)
	}
}

// TestCustomerManagedOutputsChecked refuses bad outputs with the field (outputs.KEY where
// one key is at fault) and writes nothing.
func TestCustomerManagedOutputsChecked(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate()
	plain := h.envInput("Shared")
	plain.Outputs = vpcOutputs
	withRepo := h.customerManagedInput("Shared", vpcOutputs)
	withRepo.ProvisioningRepository = &platform.RepositoryBranch{Provider: "GITHUB", Name: "org/infra", Branch: "main"}
	tooMany := make([]platform.Output, 201)
	for i := range tooMany {
		tooMany[i] = platform.Output{Key: strings.Repeat("k", i+1), Value: "v"}
	}
	for _, c := range []struct {
		name  string
		in    control.CreateEnvironmentInput
		field string
	}{
		{"no outputs", h.customerManagedInput("Shared", nil), "outputs"},
		{"outputs of a deployed environment", plain, "outputs"},
		{"outputs with a provisioning repository", withRepo, "outputs"},
		{"an empty key", h.customerManagedInput("Shared", []platform.Output{{Key: "", Value: "x"}}), "outputs"},
		{"a key twice", h.customerManagedInput("Shared", []platform.Output{{Key: "VpcId", Value: "a"}, {Key: "VpcId", Value: "b"}}), "outputs.VpcId"},
		{"a long value", h.customerManagedInput("Shared", []platform.Output{{Key: "Cert", Value: strings.Repeat("x", 4097)}}), "outputs.Cert"},
		{"a long key", h.customerManagedInput("Shared", []platform.Output{{Key: strings.Repeat("k", 256), Value: "x"}}), "outputs"},
		{"too many", h.customerManagedInput("Shared", tooMany), "outputs"},
	} {
		_, err := h.svc.CreateEnvironment(h.ctx, c.in)
		if kind, field := fieldOf(err); kind != platform.Invalid || field != c.field {
			t.Errorf("%s: %v (field %q), want Invalid naming %s", c.name, err, field, c.field)
		}
	}
	if _, err := h.store.GetEnvironment(h.ctx, "Shared"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("a refused environment was stored: %v", err)
	}
	// No outputs at all is a valid registration.
	if env := h.mustCreateEnvironment(h.customerManagedInput("Bare", []platform.Output{})); env.DeploymentStatus != platform.Succeeded || len(env.Outputs) != 0 {
		t.Fatalf("an environment registered with no outputs = %+v", env)
	}
}

// TestCustomerManagedUpdateAndDelete: an update replaces the outputs with a deployment of
// its own (or keeps them), NONE records the spec only, outputs are refused for a deployed
// environment and for instances; deleting removes only the record, refused while a
// service instance runs in it.
func TestCustomerManagedUpdateAndDelete(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate()
	first := h.mustCreateEnvironment(h.customerManagedInput("Beta", vpcOutputs))
	moved := []platform.Output{{Key: "VpcId", Value: "vpc-0def"}}
	env, err := h.svc.UpdateEnvironment(h.ctx, "Beta", control.UpdateInput{DeploymentType: platform.DeployCurrentVersion, Outputs: moved})
	if err != nil || env.DeploymentStatus != platform.Succeeded || env.LastDeploymentID == first.LastDeploymentID || !reflect.DeepEqual(env.Outputs, moved) {
		t.Fatalf("update with outputs = %+v, %v", env, err)
	}
	if d := h.mustDeployment(env.LastDeploymentID); d.Status != platform.Succeeded || d.PreviousDeploymentID != first.LastDeploymentID || !reflect.DeepEqual(d.Outputs, moved) {
		t.Fatalf("the update's deployment = %+v", d)
	}
	spec := "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.1.0.0/16\n"
	kept, err := h.svc.UpdateEnvironment(h.ctx, "Beta", control.UpdateInput{DeploymentType: platform.DeployCurrentVersion, Spec: spec})
	if err != nil || kept.Spec != spec || !reflect.DeepEqual(kept.Outputs, moved) || kept.LastDeploymentID == env.LastDeploymentID {
		t.Fatalf("update without outputs = %+v, %v; want the outputs kept", kept, err)
	}
	if _, err := h.svc.UpdateEnvironment(h.ctx, "Beta", control.UpdateInput{DeploymentType: platform.DeployNone, Outputs: vpcOutputs}); !isField(err, "outputs") {
		t.Fatalf("NONE with outputs: %v, want Invalid naming outputs", err)
	}
	if n := len(h.deploymentsOf(first.Target())); n != 3 || h.startCount() != 0 {
		t.Fatalf("%d deployments and %d workflow starts, want 3 and 0", n, h.startCount())
	}

	h.mustDeployedEnvironment("Gamma")
	if _, err := h.svc.UpdateEnvironment(h.ctx, "Gamma", control.UpdateInput{DeploymentType: platform.DeployCurrentVersion, Outputs: moved}); !isField(err, "outputs") {
		t.Fatalf("outputs for a deployed environment: %v, want Invalid naming outputs", err)
	}

	// A service instance in Beta: Beta cannot go; the instance takes no outputs.
	h.mustCreateTemplate(platform.ServiceTemplate, platformtest.SvcTemplate)
	h.mustPublish(platform.ServiceTemplate, platformtest.SvcTemplate, h.mustVersion(platform.ServiceTemplate, platformtest.SvcTemplate, 0).Version)
	if _, err := h.svc.CreateService(h.ctx, serviceInput("Beta")); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.DeleteEnvironment(h.ctx, "Beta"); platform.KindOf(err) != platform.Conflict {
		t.Fatalf("deleting Beta while frontend-beta runs in it: %v, want Conflict", err)
	}
	if _, err := h.svc.UpdateServiceInstance(h.ctx, "frontend", "frontend-beta", control.UpdateInput{DeploymentType: platform.DeployCurrentVersion, Outputs: moved}); !isField(err, "outputs") {
		t.Fatalf("outputs for a service instance: %v, want Invalid naming outputs", err)
	}

	other := h.mustCreateEnvironment(h.customerManagedInput("Delta", vpcOutputs))
	gone, err := h.svc.DeleteEnvironment(h.ctx, "Delta")
	if err != nil || gone.DeploymentStatus != platform.DeleteComplete {
		t.Fatalf("deleting Delta = %+v, %v", gone, err)
	}
	if _, err := h.store.GetEnvironment(h.ctx, "Delta"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("Delta is still there: %v", err)
	}
	if d := h.mustDeployment(gone.LastDeploymentID); d.Operation != platform.Delete || d.Status != platform.DeleteComplete || d.PreviousDeploymentID != other.LastDeploymentID {
		t.Fatalf("Delta's deletion = %+v", d)
	}
	if h.startCount() != 2 { // frontend's two instances; nothing for Beta or Delta
		t.Fatalf("%d workflow starts, want 2", h.startCount())
	}
}

func isField(err error, field string) bool {
	kind, f := fieldOf(err)
	return kind == platform.Invalid && f == field
}
