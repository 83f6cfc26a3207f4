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

func TestCancelDeployment(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate()
	env := h.mustCreateEnvironment(h.envInput("Beta"))

	// A deployment waiting on CloudFormation before its stack exists (the harness's
	// provisioner answers NotFound): its task is failed with DeploymentCancelled.
	d := h.mustDeployment(env.LastDeploymentID)
	d.TaskToken, d.UpdatedAt = "token-1", h.clock.Tick()
	if err := h.store.UpdateDeployment(h.ctx, d); err != nil {
		t.Fatal(err)
	}
	// A developer may not cancel an environment's deployment; nothing changes.
	developer := platform.WithCaller(h.ctx, platform.Caller{Subject: "dev", Roles: []platform.Role{platform.DeveloperRole}})
	if _, err := h.svc.CancelDeployment(developer, d.ID); platform.KindOf(err) != platform.Forbidden {
		t.Fatalf("developer cancelling an environment deployment: %v, want Forbidden", err)
	}
	if stored := h.mustDeployment(d.ID); stored.Status != platform.InProgress {
		t.Fatalf("after a refused cancel the deployment is %s", stored.Status)
	}
	got, err := h.svc.CancelDeployment(h.ctx, d.ID)
	if err != nil || got.Status != platform.Cancelling || !strings.Contains(got.StatusMessage, "alice") {
		t.Fatalf("cancel = %+v, %v; want CANCELLING by alice", got, err)
	}
	if stored := h.mustDeployment(d.ID); !reflect.DeepEqual(stored, got) {
		t.Fatalf("cancel returned %+v, stored %+v", got, stored)
	}
	if e := h.mustEnvironment("Beta"); e.DeploymentStatus != platform.Cancelling {
		t.Fatalf("environment while cancelling is %s", e.DeploymentStatus)
	}
	h.mu.Lock()
	failures := append([]failure(nil), h.failures...)
	h.mu.Unlock()
	if len(failures) != 1 || failures[0].token != "token-1" || failures[0].errorName != "DeploymentCancelled" {
		t.Fatalf("task failures = %+v, want DeploymentCancelled for token-1", failures)
	}
	if cancels, _ := h.calls(); len(cancels) != 1 || cancels[0] != (stackCancel{d.StackName, platform.CancelToken(d.ID)}) {
		t.Fatalf("stack cancellations = %+v, want one of %s", cancels, d.StackName)
	}

	// Cancelling again is a no-op.
	again, err := h.svc.CancelDeployment(h.ctx, d.ID)
	if err != nil || !reflect.DeepEqual(again, got) {
		t.Fatalf("cancel again = %+v, %v", again, err)
	}
	h.mu.Lock()
	if len(h.failures) != 1 {
		t.Errorf("cancel again failed the task again")
	}
	h.mu.Unlock()

	// A finished deployment cannot be cancelled.
	finished := h.mustDeployment(d.ID)
	finished.Status, finished.StatusMessage, finished.CompletedAt = platform.Cancelled, got.StatusMessage, h.clock.Tick()
	if err := h.store.FinishDeployment(h.ctx, finished); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.CancelDeployment(h.ctx, d.ID); platform.KindOf(err) != platform.Conflict {
		t.Fatalf("cancel a finished deployment: %v, want Conflict", err)
	}
	if _, err := h.svc.CancelDeployment(h.ctx, "no-such-deployment"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("cancel a missing deployment: %v, want NotFound", err)
	}
}

func TestCancelDeletionIsRefused(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate()
	h.mustDeployedEnvironment("Beta")
	env, err := h.svc.DeleteEnvironment(h.ctx, "Beta")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.CancelDeployment(h.ctx, env.LastDeploymentID); platform.KindOf(err) != platform.Conflict {
		t.Fatalf("cancel a deletion: %v, want Conflict", err)
	}
}

// mustWaitingUpdate deploys environment name, starts an update of it and records the task
// token its workflow waits on, as the Deploy task does once the stack update started.
func (h *harness) mustWaitingUpdate(name string) platform.Deployment {
	h.t.Helper()
	env := h.mustDeployedEnvironment(name)
	updated, err := h.svc.UpdateEnvironment(h.ctx, env.Name, control.UpdateInput{DeploymentType: platform.DeployCurrentVersion,
		Spec: "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.1.0.0/16\n"})
	if err != nil {
		h.t.Fatal(err)
	}
	d := h.mustDeployment(updated.LastDeploymentID)
	d.TaskToken, d.UpdatedAt = "token-update", h.clock.Tick()
	if err := h.store.UpdateDeployment(h.ctx, d); err != nil {
		h.t.Fatal(err)
	}
	return h.mustDeployment(d.ID)
}

func TestCancelDeploymentCancelsTheStackUpdate(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate()
	d := h.mustWaitingUpdate("Beta")
	h.cancelAnswers(nil)
	events := len(h.events.Events())

	got, err := h.svc.CancelDeployment(h.ctx, d.ID)
	if err != nil || got.Status != platform.Cancelling {
		t.Fatalf("cancel = %+v, %v; want CANCELLING", got, err)
	}
	cancels, failures := h.calls()
	if want := []stackCancel{{d.StackName, platform.CancelToken(d.ID)}}; !reflect.DeepEqual(cancels, want) {
		t.Fatalf("stack cancellations = %+v, want %+v (the deployment's cancel token)", cancels, want)
	}
	if len(failures) != 0 {
		t.Fatalf("task failures = %+v, want none: the stack's rollback ends the wait", failures)
	}
	if stored := h.mustDeployment(d.ID); !reflect.DeepEqual(stored, got) {
		t.Fatalf("cancel returned %+v, stored %+v", got, stored)
	}
	if e := h.mustEnvironment("Beta"); e.DeploymentStatus != platform.Cancelling {
		t.Fatalf("environment while cancelling is %s", e.DeploymentStatus)
	}
	if len(h.events.Events()) == events {
		t.Error("no status event published for the cancellation")
	}
	// Cancelling again changes nothing and asks CloudFormation nothing.
	if again, err := h.svc.CancelDeployment(h.ctx, d.ID); err != nil || !reflect.DeepEqual(again, got) {
		t.Fatalf("cancel again = %+v, %v", again, err)
	}
	if cancels, _ := h.calls(); len(cancels) != 1 {
		t.Fatalf("cancel again cancelled the stack again: %+v", cancels)
	}
}

func TestCancelOfAStackThatCannotBeCancelledLeavesTheDeployment(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		kind platform.ErrorKind
	}{
		{"being created", platform.Errorf(platform.Conflict, "stack gantry-env-Beta: CancelUpdateStack cannot be called from current stack status"), platform.Conflict},
		{"CloudFormation unavailable", errors.New("cloudformation: CancelUpdateStack: throttled"), platform.Internal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.mustEnvTemplate()
			d := h.mustWaitingUpdate("Beta")
			h.cancelAnswers(tc.err)
			events := len(h.events.Events())

			_, err := h.svc.CancelDeployment(h.ctx, d.ID)
			if platform.KindOf(err) != tc.kind {
				t.Fatalf("cancel: %v (%s), want %s", err, platform.KindOf(err), tc.kind)
			}
			if tc.kind == platform.Conflict && !strings.Contains(platform.MessageOf(err), "only a stack update in progress") {
				t.Errorf("the Conflict does not say what can be cancelled: %v", err)
			}
			stored := h.mustDeployment(d.ID)
			if stored.Status != platform.InProgress || stored.StatusMessage != d.StatusMessage || stored.TaskToken != d.TaskToken {
				t.Fatalf("deployment after a refused cancel = %+v, want it as it was", stored)
			}
			if e := h.mustEnvironment("Beta"); e.DeploymentStatus != platform.InProgress {
				t.Fatalf("environment after a refused cancel is %s", e.DeploymentStatus)
			}
			if _, failures := h.calls(); len(failures) != 0 {
				t.Fatalf("a refused cancel failed the task: %+v", failures)
			}
			if len(h.events.Events()) != events {
				t.Errorf("a refused cancel published %v", h.events.Events()[events:])
			}
			// Once CloudFormation can cancel, a new request does.
			h.cancelAnswers(nil)
			if got, err := h.svc.CancelDeployment(h.ctx, d.ID); err != nil || got.Status != platform.Cancelling {
				t.Fatalf("cancel once possible = %+v, %v", got, err)
			}
			if cancels, _ := h.calls(); len(cancels) != 2 {
				t.Fatalf("stack cancellations = %+v, want 2", cancels)
			}
		})
	}
}

func TestCancelBeforeTheStackOperationAsksCloudFormationNothing(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate()
	env := h.mustCreateEnvironment(h.envInput("Beta"))
	h.cancelAnswers(errors.New("Cancel must not be called"))
	got, err := h.svc.CancelDeployment(h.ctx, env.LastDeploymentID)
	if err != nil || got.Status != platform.Cancelling {
		t.Fatalf("cancel while rendering = %+v, %v; want CANCELLING", got, err)
	}
	if cancels, failures := h.calls(); len(cancels) != 0 || len(failures) != 0 {
		t.Fatalf("cancel before the stack operation: cancellations %+v, task failures %+v; want none", cancels, failures)
	}
}

// mustServiceTemplate registers the sample service template, 1.0 published.
func (h *harness) mustServiceTemplate() {
	h.t.Helper()
	h.mustCreateTemplate(platform.ServiceTemplate, platformtest.SvcTemplate)
	h.mustPublish(platform.ServiceTemplate, platformtest.SvcTemplate, h.mustVersion(platform.ServiceTemplate, platformtest.SvcTemplate, 0).Version)
}

// serviceInput is service frontend with one instance per environment named.
func serviceInput(environments ...string) control.CreateServiceInput {
	spec := "proton: ServiceSpec\npipeline:\n  unit_test_command: \"ls\"\ninstances:\n"
	for _, env := range environments {
		spec += "  - name: frontend-" + strings.ToLower(env) + "\n    environment: " + env + "\n    spec:\n      port: 80\n"
	}
	return control.CreateServiceInput{Name: "frontend", TemplateName: platformtest.SvcTemplate, MajorVersion: 1, Spec: spec,
		RepositoryID: "example-org/frontend", BranchName: "main",
		RepositoryConnectionARN: "arn:aws:codestar-connections:us-east-1:111122223333:connection/example"}
}

func TestCreateService(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate()
	h.mustDeployedEnvironment("Beta")
	h.mustDeployedEnvironment("Gamma")
	h.mustCreateEnvironment(h.envInput("Undeployed"))
	h.mustServiceTemplate()
	starts := h.startCount()

	in := serviceInput("Beta", "Gamma")
	in.ClientToken = "create-frontend"
	svc, err := h.svc.CreateService(h.ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if !svc.HasPipeline || svc.TemplateVersion != (platform.Version{Major: 1}) {
		t.Fatalf("service = %+v", svc)
	}
	pipeline, err := h.store.GetServicePipeline(h.ctx, "frontend")
	if err != nil || pipeline.DeploymentStatus != platform.InProgress {
		t.Fatalf("pipeline = %+v, %v", pipeline, err)
	}
	if h.startCount()-starts != 2 {
		t.Fatalf("creating a service with two instances started %d workflows, want 2 (the pipeline waits)", h.startCount()-starts)
	}
	h.mu.Lock()
	for _, name := range h.starts[starts:] {
		if name == pipeline.LastDeploymentID {
			t.Errorf("the pipeline started with the instances")
		}
	}
	h.mu.Unlock()

	again, err := h.svc.CreateService(h.ctx, in)
	stored, _ := h.store.GetService(h.ctx, "frontend")
	if err != nil || !reflect.DeepEqual(again, stored) || h.startCount()-starts != 2 {
		t.Fatalf("a repeat with the same token = %+v, %v, %d starts in all", again, err, h.startCount()-starts)
	}

	refused := []struct {
		name  string
		edit  func(*control.CreateServiceInput)
		field string
	}{
		{"an undeployed environment", func(in *control.CreateServiceInput) { *in = serviceInput("Undeployed"); in.Name = "x" }, "spec.instances[0].environment"},
		{"a missing environment", func(in *control.CreateServiceInput) { *in = serviceInput("Nowhere"); in.Name = "x" }, "spec.instances[0].environment"},
		{"no repository", func(in *control.CreateServiceInput) { *in = serviceInput("Beta"); in.Name, in.RepositoryID = "x", "" }, "repositoryId"},
		{"a bad name", func(in *control.CreateServiceInput) { *in = serviceInput("Beta"); in.Name = "no spaces" }, "name"},
	}
	for _, r := range refused {
		var in control.CreateServiceInput
		r.edit(&in)
		_, err := h.svc.CreateService(h.ctx, in)
		if k, field := fieldOf(err); k != platform.Invalid || field != r.field {
			t.Errorf("%s: %v (kind %s, field %q), want Invalid naming %s", r.name, err, k, field, r.field)
		}
	}
}

// TestCreateServiceStartFailureLeavesNothingInProgress creates a service of two instances
// and a pipeline while workflows cannot start: no target may be left IN_PROGRESS, since
// nothing would ever finish it.
func TestCreateServiceStartFailureLeavesNothingInProgress(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate()
	h.mustDeployedEnvironment("Beta")
	h.mustDeployedEnvironment("Gamma")
	h.mustServiceTemplate()
	startErr := errors.New("states: ServiceUnavailable")
	h.failStarts(startErr)
	if _, err := h.svc.CreateService(h.ctx, serviceInput("Beta", "Gamma")); !errors.Is(err, startErr) {
		t.Fatalf("create with the workflow down: %v, want the start error", err)
	}
	instances, err := h.store.ListServiceInstances(h.ctx, "frontend", platform.PageRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range instances.Items {
		if i.DeploymentStatus.Active() {
			t.Errorf("instance %s is left %s", i.Name, i.DeploymentStatus)
		}
	}
	pipeline, err := h.store.GetServicePipeline(h.ctx, "frontend")
	if err != nil {
		t.Fatal(err)
	}
	if pipeline.DeploymentStatus.Active() {
		t.Errorf("the pipeline is left %s: %q", pipeline.DeploymentStatus, pipeline.DeploymentStatusMessage)
	}
}

func TestUpdateServiceInstance(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate()
	h.mustDeployedEnvironment("Beta")
	h.mustServiceTemplate()
	if _, err := h.svc.CreateService(h.ctx, serviceInput("Beta")); err != nil {
		t.Fatal(err)
	}
	inst, err := h.store.GetServiceInstance(h.ctx, "frontend", "frontend-beta")
	if err != nil {
		t.Fatal(err)
	}
	in := control.UpdateInput{DeploymentType: platform.DeployCurrentVersion, Spec: "port: 8080\n"}
	if _, err := h.svc.UpdateServiceInstance(h.ctx, "frontend", "frontend-beta", in); platform.KindOf(err) != platform.Conflict {
		t.Fatalf("update during the first deployment: %v, want Conflict", err)
	}
	h.mustFinish(inst.LastDeploymentID)
	got, err := h.svc.UpdateServiceInstance(h.ctx, "frontend", "frontend-beta", in)
	if err != nil || got.DeploymentStatus != platform.InProgress {
		t.Fatalf("update = %+v, %v", got, err)
	}
	d := h.mustDeployment(got.LastDeploymentID)
	if !strings.Contains(string(d.Inputs), "8080") || d.PreviousDeploymentID != inst.LastDeploymentID {
		t.Fatalf("instance deployment = %+v (inputs %s)", d, d.Inputs)
	}
	if _, err := h.svc.UpdateServiceInstance(h.ctx, "frontend", "nope", in); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("update a missing instance: %v, want NotFound", err)
	}
}
