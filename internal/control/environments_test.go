package control_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

func TestCreateEnvironmentWithClientToken(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate()
	in := h.envInput("Beta")
	in.ClientToken = "create-beta-1"

	first := h.mustCreateEnvironment(in)
	if first.DeploymentStatus != platform.InProgress || first.LastDeploymentID == "" || h.startCount() != 1 {
		t.Fatalf("created %+v with %d workflow starts", first, h.startCount())
	}
	again := h.mustCreateEnvironment(in)
	if !reflect.DeepEqual(again, h.mustEnvironment("Beta")) || again.LastDeploymentID != first.LastDeploymentID {
		t.Fatalf("a repeat with the same token = %+v, want the environment created first", again)
	}
	if n := len(h.deploymentsOf(first.Target())); n != 1 || h.startCount() != 1 {
		t.Fatalf("a repeat with the same token made %d deployments and %d starts, want 1 and 1", n, h.startCount())
	}

	other := in
	other.Description = "something else"
	if _, err := h.svc.CreateEnvironment(h.ctx, other); platform.KindOf(err) != platform.Conflict {
		t.Fatalf("same token, other parameters: %v, want Conflict", err)
	}
	long := in
	long.Name, long.ClientToken = "Gamma", strings.Repeat("x", 65)
	if _, field := fieldOf(func() error { _, err := h.svc.CreateEnvironment(h.ctx, long); return err }()); field != "clientToken" {
		t.Fatalf("a 65-character token: field %q, want clientToken", field)
	}
	// Without a token, the same request is a second create: the name is taken.
	plain := h.envInput("Beta")
	if _, err := h.svc.CreateEnvironment(h.ctx, plain); platform.KindOf(err) != platform.Conflict {
		t.Fatalf("creating Beta again without a token: %v, want Conflict", err)
	}
}

func TestUpdateEnvironmentWithClientToken(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate()
	env := h.mustDeployedEnvironment("Beta")
	in := control.UpdateInput{DeploymentType: platform.DeployCurrentVersion, Spec: "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.1.0.0/16\n", ClientToken: "update-1"}
	updated, err := h.svc.UpdateEnvironment(h.ctx, env.Name, in)
	if err != nil {
		t.Fatal(err)
	}
	starts := h.startCount()
	again, err := h.svc.UpdateEnvironment(h.ctx, env.Name, in)
	if err != nil || again.LastDeploymentID != updated.LastDeploymentID {
		t.Fatalf("repeat with the same token = %+v, %v; want deployment %s", again, err, updated.LastDeploymentID)
	}
	if h.startCount() != starts || len(h.deploymentsOf(env.Target())) != 2 {
		t.Fatalf("a repeated update started another deployment")
	}
	in.Spec = "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.2.0.0/16\n"
	if _, err := h.svc.UpdateEnvironment(h.ctx, env.Name, in); platform.KindOf(err) != platform.Conflict {
		t.Fatalf("same token, other spec: %v, want Conflict", err)
	}
}

func TestUpdateEnvironmentInProgress(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate()
	env := h.mustCreateEnvironment(h.envInput("Beta"))
	_, err := h.svc.UpdateEnvironment(h.ctx, env.Name, control.UpdateInput{DeploymentType: platform.DeployCurrentVersion})
	if platform.KindOf(err) != platform.Conflict || !strings.Contains(err.Error(), "in progress") {
		t.Fatalf("update during a deployment: %v, want Conflict", err)
	}
	if n := len(h.deploymentsOf(env.Target())); n != 1 || h.startCount() != 1 {
		t.Fatalf("the refused update left %d deployments and %d starts", n, h.startCount())
	}
	if got := h.mustEnvironment(env.Name); got.LastDeploymentID != env.LastDeploymentID || got.DeploymentStatus != platform.InProgress {
		t.Fatalf("the refused update changed the environment: %+v", got)
	}
}

func TestUpdateEnvironmentDeploymentTypeNone(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate()
	env := h.mustDeployedEnvironment("Beta")
	starts := h.startCount()
	spec := "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.9.0.0/16\n"
	got, err := h.svc.UpdateEnvironment(h.ctx, env.Name, control.UpdateInput{DeploymentType: platform.DeployNone, Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	if h.startCount() != starts {
		t.Fatal("deploymentType NONE started a workflow")
	}
	// As in Proton: the spec is stored, nothing is deployed, no deployment is written.
	if got.Spec != spec || got.DeploymentStatus != platform.Succeeded || got.LastDeploymentID != env.LastDeploymentID ||
		got.LastSucceededDeploymentID != env.LastSucceededDeploymentID || got.TemplateVersion != env.TemplateVersion ||
		!reflect.DeepEqual(got.Outputs, testOutputs) || got.Revision != env.Revision+1 {
		t.Fatalf("environment after NONE = %+v", got)
	}
	if n := len(h.deploymentsOf(env.Target())); n != 1 {
		t.Fatalf("NONE left %d deployments of the environment, want its first only", n)
	}
	// The next deployment takes the recorded spec.
	next, err := h.svc.UpdateEnvironment(h.ctx, env.Name, control.UpdateInput{DeploymentType: platform.DeployCurrentVersion})
	if err != nil {
		t.Fatal(err)
	}
	if d := h.mustDeployment(next.LastDeploymentID); d.Spec != spec || h.startCount() != starts+1 {
		t.Fatalf("the deployment after NONE = %+v (%d starts)", d, h.startCount()-starts)
	}
	// NONE while a deployment is in progress is refused, and a stale revision too.
	if _, err := h.svc.UpdateEnvironment(h.ctx, env.Name, control.UpdateInput{DeploymentType: platform.DeployNone, Spec: spec}); platform.KindOf(err) != platform.Conflict {
		t.Fatalf("NONE during a deployment: %v, want Conflict", err)
	}
	if err := h.store.RecordSpec(h.ctx, env.Target(), spec, env.Revision, nil); platform.KindOf(err) != platform.Conflict {
		t.Fatalf("RecordSpec on a stale revision: %v, want Conflict", err)
	}
}

// TestUpdateVersionRules walks an environment through the deployment types' version rules.
func TestUpdateVersionRules(t *testing.T) {
	h := newHarness(t)
	const kind = platform.EnvironmentTemplate
	h.mustEnvTemplate()                                                                                     // 1.0
	h.mustPublish(kind, platformtest.EnvTemplate, h.mustVersion(kind, platformtest.EnvTemplate, 1).Version) // 1.1
	env := h.mustCreateEnvironment(func() control.CreateEnvironmentInput {
		in := h.envInput("Beta")
		in.MinorVersion = intPtr(0)
		return in
	}())
	h.mustFinish(env.LastDeploymentID)
	h.mustPublish(kind, platformtest.EnvTemplate, h.mustVersion(kind, platformtest.EnvTemplate, 0).Version) // 2.0
	h.mustVersion(kind, platformtest.EnvTemplate, 2)                                                        // 2.1, draft

	refused := []struct {
		name  string
		in    control.UpdateInput
		field string
	}{
		{"no deployment type", control.UpdateInput{}, "deploymentType"},
		{"an unknown deployment type", control.UpdateInput{DeploymentType: "SIDEWAYS"}, "deploymentType"},
		{"NONE with a major version", control.UpdateInput{DeploymentType: platform.DeployNone, MajorVersion: intPtr(1)}, "templateMajorVersion"},
		{"CURRENT_VERSION with a minor version", control.UpdateInput{DeploymentType: platform.DeployCurrentVersion, MinorVersion: intPtr(1)}, "templateMajorVersion"},
		{"MINOR_VERSION to another major", control.UpdateInput{DeploymentType: platform.DeployMinorVersion, MajorVersion: intPtr(2)}, "templateMajorVersion"},
		{"MINOR_VERSION to a draft", control.UpdateInput{DeploymentType: platform.DeployMinorVersion, MinorVersion: intPtr(5)}, "templateMinorVersion"},
		{"MAJOR_VERSION to the same major", control.UpdateInput{DeploymentType: platform.DeployMajorVersion, MajorVersion: intPtr(1)}, "templateMajorVersion"},
		{"MAJOR_VERSION to a draft", control.UpdateInput{DeploymentType: platform.DeployMajorVersion, MajorVersion: intPtr(2), MinorVersion: intPtr(1)}, "templateMinorVersion"},
	}
	for _, r := range refused {
		_, err := h.svc.UpdateEnvironment(h.ctx, env.Name, r.in)
		if k, field := fieldOf(err); k != platform.Invalid || field != r.field {
			t.Errorf("%s: %v (kind %s, field %q), want Invalid naming %s", r.name, err, k, field, r.field)
		}
	}
	if n := len(h.deploymentsOf(env.Target())); n != 1 {
		t.Fatalf("refused updates left %d deployments, want 1", n)
	}

	// MINOR_VERSION without a minor moves to the highest published minor of the major.
	got, err := h.svc.UpdateEnvironment(h.ctx, env.Name, control.UpdateInput{DeploymentType: platform.DeployMinorVersion})
	if err != nil {
		t.Fatal(err)
	}
	if d := h.mustDeployment(got.LastDeploymentID); d.TemplateVersion != (platform.Version{Major: 1, Minor: 1}) {
		t.Fatalf("MINOR_VERSION deploys %s, want 1.1", d.TemplateVersion)
	}
	h.mustFinish(got.LastDeploymentID)
	if env := h.mustEnvironment(env.Name); env.TemplateVersion != (platform.Version{Major: 1, Minor: 1}) {
		t.Fatalf("environment after the minor update runs %s", env.TemplateVersion)
	}
	_, err = h.svc.UpdateEnvironment(h.ctx, env.Name, control.UpdateInput{DeploymentType: platform.DeployMinorVersion, MinorVersion: intPtr(0)})
	if _, field := fieldOf(err); field != "templateMinorVersion" || !strings.Contains(err.Error(), "older") {
		t.Fatalf("MINOR_VERSION back to 1.0: %v, want Invalid saying 1.0 is older", err)
	}

	// MAJOR_VERSION without a major moves to the recommended version's major.
	got, err = h.svc.UpdateEnvironment(h.ctx, env.Name, control.UpdateInput{DeploymentType: platform.DeployMajorVersion})
	if err != nil {
		t.Fatal(err)
	}
	if d := h.mustDeployment(got.LastDeploymentID); d.TemplateVersion != (platform.Version{Major: 2, Minor: 0}) {
		t.Fatalf("MAJOR_VERSION deploys %s, want 2.0", d.TemplateVersion)
	}
}

func TestDeleteEnvironment(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate()
	beta := h.mustDeployedEnvironment("Beta")
	gamma := h.mustDeployedEnvironment("Gamma")
	h.mustCreateTemplate(platform.ServiceTemplate, platformtest.SvcTemplate)
	h.mustPublish(platform.ServiceTemplate, platformtest.SvcTemplate, h.mustVersion(platform.ServiceTemplate, platformtest.SvcTemplate, 0).Version)
	if _, err := h.svc.CreateService(h.ctx, control.CreateServiceInput{Name: "frontend", TemplateName: platformtest.SvcTemplate, MajorVersion: 1,
		Spec: platformtest.ReadFile(t, platformtest.SamplePath(t, platformtest.SvcSpec)), RepositoryID: "example-org/frontend", BranchName: "main",
		RepositoryConnectionARN: "arn:aws:codestar-connections:us-east-1:111122223333:connection/example"}); err != nil {
		t.Fatal(err)
	}

	_, err := h.svc.DeleteEnvironment(h.ctx, beta.Name)
	if platform.KindOf(err) != platform.Conflict || !strings.Contains(err.Error(), "frontend/frontend-dev") {
		t.Fatalf("deleting Beta, which runs frontend-dev: %v, want Conflict naming the instance", err)
	}
	if got := h.mustEnvironment(beta.Name); !reflect.DeepEqual(got, beta) {
		t.Fatalf("the refused deletion changed Beta: %+v", got)
	}

	got, err := h.svc.DeleteEnvironment(h.ctx, gamma.Name)
	if err != nil || got.DeploymentStatus != platform.DeleteInProgress {
		t.Fatalf("deleting Gamma = %+v, %v", got, err)
	}
	d := h.mustDeployment(got.LastDeploymentID)
	if d.Operation != platform.Delete || d.Status != platform.DeleteInProgress || d.PreviousDeploymentID != gamma.LastSucceededDeploymentID {
		t.Fatalf("deletion deployment = %+v", d)
	}
	if _, err := h.svc.DeleteEnvironment(h.ctx, gamma.Name); platform.KindOf(err) != platform.Conflict {
		t.Fatalf("deleting Gamma twice: %v, want Conflict", err)
	}
	if _, err := h.svc.DeleteEnvironment(h.ctx, "Nope"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("deleting a missing environment: %v, want NotFound", err)
	}
}

// TestStartFailureFailsTheDeployment checks that a deployment whose workflow cannot start
// is finished as FAILED, so its target is not left in progress, and the error returned.
func TestStartFailureFailsTheDeployment(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate()
	startErr := errors.New("states: ServiceUnavailable")
	h.failStarts(startErr)
	_, err := h.svc.CreateEnvironment(h.ctx, h.envInput("Beta"))
	if !errors.Is(err, startErr) {
		t.Fatalf("create with the workflow down: %v, want the start error", err)
	}
	env := h.mustEnvironment("Beta")
	d := h.mustDeployment(env.LastDeploymentID)
	if env.DeploymentStatus != platform.Failed || d.Status != platform.Failed || d.CompletedAt.IsZero() ||
		!strings.Contains(env.DeploymentStatusMessage, "could not be started") {
		t.Fatalf("after a failed start: environment %+v, deployment %+v", env, d)
	}

	// The environment is not stuck: once workflows start again, it can be updated.
	h.failStarts(nil)
	if _, err := h.svc.UpdateEnvironment(h.ctx, "Beta", control.UpdateInput{DeploymentType: platform.DeployCurrentVersion}); err != nil {
		t.Fatalf("update after a failed start: %v", err)
	}
	h.mustFinish(h.mustEnvironment("Beta").LastDeploymentID)

	h.failStarts(startErr)
	if _, err := h.svc.UpdateEnvironment(h.ctx, "Beta", control.UpdateInput{DeploymentType: platform.DeployCurrentVersion}); !errors.Is(err, startErr) {
		t.Fatalf("update with the workflow down: %v", err)
	}
	if env := h.mustEnvironment("Beta"); env.DeploymentStatus != platform.Failed {
		t.Fatalf("after a failed update start the environment is %s", env.DeploymentStatus)
	}
	if _, err := h.svc.DeleteEnvironment(h.ctx, "Beta"); !errors.Is(err, startErr) {
		t.Fatalf("delete with the workflow down: %v", err)
	}
	if env := h.mustEnvironment("Beta"); env.DeploymentStatus != platform.DeleteFailed {
		t.Fatalf("after a failed delete start the environment is %s, want DELETE_FAILED", env.DeploymentStatus)
	}
}

// TestUpdateInstanceDeploymentTypeNone: an instance updated with NONE (and a client token)
// takes the spec and nothing else; no deployment is written, no workflow started, and a
// repeat with the token answers the same.
func TestUpdateInstanceDeploymentTypeNone(t *testing.T) {
	h := newHarness(t)
	h.mustComponentService(false)
	before, err := h.store.GetServiceInstance(h.ctx, "frontend", "frontend-beta")
	if err != nil {
		t.Fatal(err)
	}
	starts, deployments := h.startCount(), len(h.deploymentsOf(before.Target()))
	spec := "port: 8080\n"
	in := control.UpdateInput{DeploymentType: platform.DeployNone, Spec: spec, ClientToken: "none-1"}
	for range 2 {
		got, err := h.svc.UpdateServiceInstance(h.ctx, "frontend", "frontend-beta", in)
		if err != nil {
			t.Fatal(err)
		}
		if got.Spec != spec || got.LastDeploymentID != before.LastDeploymentID || got.DeploymentStatus != before.DeploymentStatus || got.Revision != before.Revision+1 {
			t.Fatalf("instance after NONE = %+v", got)
		}
	}
	if h.startCount() != starts || len(h.deploymentsOf(before.Target())) != deployments {
		t.Fatalf("NONE started %d workflows and wrote %d deployments", h.startCount()-starts, len(h.deploymentsOf(before.Target()))-deployments)
	}
}
