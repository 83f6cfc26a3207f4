package workflow_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
	"github.com/gantry-platform/gantry/internal/workflow"
)

func TestRecordIsIdempotent(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate(platformtest.EnvTemplate, "")
	d := h.mustCreateEnvironment("Beta", platformtest.EnvTemplate)
	h.mustProvision(d)

	out, err := h.tasks.Record(h.ctx, workflow.Input{DeploymentID: d.ID})
	if err != nil || out.Status != platform.Succeeded {
		t.Fatalf("Record = %v, %v; want SUCCEEDED", out, err)
	}
	stack, err := h.sim.Describe(h.ctx, d.StackName)
	if err != nil {
		t.Fatal(err)
	}
	got := h.mustDeployment(d.ID)
	if got.Status != platform.Succeeded || got.StackID != stack.StackID || got.TaskToken != "" || got.CompletedAt.IsZero() ||
		len(got.Outputs) == 0 || !reflect.DeepEqual(got.Outputs, stack.Outputs) {
		t.Fatalf("recorded deployment = %+v\nstack outputs %v", got, stack.Outputs)
	}
	env := h.mustEnvironment("Beta")
	if env.DeploymentStatus != platform.Succeeded || env.LastSucceededDeploymentID != d.ID ||
		!reflect.DeepEqual(env.Outputs, stack.Outputs) || env.TemplateVersion != (platform.Version{Major: 1}) {
		t.Fatalf("environment after Record = %+v", env)
	}

	h.mu.Lock()
	describes := h.describes
	h.mu.Unlock()
	starts, resolved, _ := h.workflows.snapshot()
	events, notes := h.out.Events(), h.out.Notifications()
	blobs := h.blobs()

	again, err := h.tasks.Record(h.ctx, workflow.Input{DeploymentID: d.ID})
	if err != nil || again != out {
		t.Fatalf("second Record = %v, %v; want %v", again, err, out)
	}
	if d2 := h.mustDeployment(d.ID); !reflect.DeepEqual(d2, got) {
		t.Errorf("second Record changed the deployment:\n got %+v\nwant %+v", d2, got)
	}
	if env2 := h.mustEnvironment("Beta"); !reflect.DeepEqual(env2, env) {
		t.Errorf("second Record changed the environment:\n got %+v\nwant %+v", env2, env)
	}
	if !reflect.DeepEqual(h.blobs(), blobs) {
		t.Error("second Record changed the blobs")
	}
	h.mu.Lock()
	if h.describes != describes {
		t.Errorf("second Record described the stack again")
	}
	h.mu.Unlock()
	starts2, resolved2, _ := h.workflows.snapshot()
	events2, notes2 := h.out.Events(), h.out.Notifications()
	if len(starts2) != len(starts) || len(resolved2) != len(resolved) || len(events2) != len(events) || len(notes2) != len(notes) {
		t.Errorf("second Record did more: starts %d→%d, resolved %d→%d, events %d→%d, notifications %d→%d",
			len(starts), len(starts2), len(resolved), len(resolved2), len(events), len(events2), len(notes), len(notes2))
	}
}

func TestRecordFailure(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate("broken-env", "Resources:\n  Thing:\n    Type: AWS::Foo::Bar\n    Properties: {}\n")
	d := h.mustCreateEnvironment("Beta", "broken-env")
	const message = "Template format error: Unrecognized resource types: [AWS::Foo::Bar]"
	// A caught Lambda error, as the state machine passes it to RecordFailure.
	in := workflow.Input{DeploymentID: d.ID, Error: &workflow.TaskError{Error: "StackRejected",
		Cause: `{"errorMessage":"` + message + `","errorType":"StackRejected"}`}}

	out, err := h.tasks.Record(h.ctx, in)
	if err != nil || out.Status != platform.Failed {
		t.Fatalf("Record = %v, %v; want FAILED", out, err)
	}
	got := h.mustDeployment(d.ID)
	if got.Status != platform.Failed || got.StatusMessage != message || got.CompletedAt.IsZero() {
		t.Fatalf("recorded deployment = %+v, want FAILED with message %q", got, message)
	}
	env := h.mustEnvironment("Beta")
	if env.DeploymentStatus != platform.Failed || env.DeploymentStatusMessage != message || env.LastSucceededDeploymentID != "" {
		t.Fatalf("environment after a failure = %+v", env)
	}

	again, err := h.tasks.Record(h.ctx, in)
	if err != nil || again.Status != platform.Failed {
		t.Fatalf("second Record = %v, %v", again, err)
	}
	if d2 := h.mustDeployment(d.ID); !reflect.DeepEqual(d2, got) {
		t.Errorf("second Record changed the deployment:\n got %+v\nwant %+v", d2, got)
	}
	if env2 := h.mustEnvironment("Beta"); !reflect.DeepEqual(env2, env) {
		t.Errorf("second Record changed the environment")
	}
}

func TestRecordFailureWithPlainCause(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate(platformtest.EnvTemplate, "")
	d := h.mustCreateEnvironment("Beta", platformtest.EnvTemplate)
	cause := "ROLLBACK_COMPLETE: Cluster: Resource handler returned message: quota exceeded"
	if _, err := h.tasks.Record(h.ctx, workflow.Input{DeploymentID: d.ID, Error: &workflow.TaskError{Error: "StackFailed", Cause: cause}}); err != nil {
		t.Fatal(err)
	}
	if got := h.mustDeployment(d.ID); got.Status != platform.Failed || got.StatusMessage != cause {
		t.Fatalf("recorded deployment = %+v, want FAILED with the cause", got)
	}
}

func TestRecordDeletion(t *testing.T) {
	h := newHarness(t)
	env := h.mustDeployedEnvironment()
	if _, err := h.control.DeleteEnvironment(h.ctx, env.Name); err != nil {
		t.Fatal(err)
	}
	del := h.mustDeployment(h.mustEnvironment(env.Name).LastDeploymentID)
	got := h.mustSucceed(del)
	if got.Status != platform.DeleteComplete {
		t.Fatalf("deletion = %+v", got)
	}
	if _, err := h.store.GetEnvironment(h.ctx, env.Name); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("environment after DELETE_COMPLETE: %v, want NotFound", err)
	}
	history, err := h.store.ListDeployments(h.ctx, env.Target(), platform.PageRequest{})
	if err != nil || len(history.Items) != 2 {
		t.Fatalf("history after the deletion = %v, %v; want both deployments", history.Items, err)
	}
	if out, err := h.tasks.Record(h.ctx, workflow.Input{DeploymentID: del.ID}); err != nil || out.Status != platform.DeleteComplete {
		t.Fatalf("second Record of the deletion = %v, %v", out, err)
	}
}

func TestRecordFailedDeletion(t *testing.T) {
	h := newHarness(t)
	env := h.mustDeployedEnvironment()
	if _, err := h.control.DeleteEnvironment(h.ctx, env.Name); err != nil {
		t.Fatal(err)
	}
	del := h.mustEnvironment(env.Name).LastDeploymentID
	out, err := h.tasks.Record(h.ctx, workflow.Input{DeploymentID: del, Error: &workflow.TaskError{Error: "StackFailed", Cause: "DELETE_FAILED: Export in use"}})
	if err != nil || out.Status != platform.DeleteFailed {
		t.Fatalf("Record = %v, %v; want DELETE_FAILED", out, err)
	}
	if got := h.mustEnvironment(env.Name); got.DeploymentStatus != platform.DeleteFailed || got.LastSucceededDeploymentID != env.LastSucceededDeploymentID {
		t.Fatalf("environment after a failed deletion = %+v", got)
	}
}

func TestRecordCancellation(t *testing.T) {
	for _, errorName := range []string{"DeploymentCancelled", "StackFailed"} {
		t.Run(errorName, func(t *testing.T) {
			h := newHarness(t)
			h.mustEnvTemplate(platformtest.EnvTemplate, "")
			d := h.mustCreateEnvironment("Beta", platformtest.EnvTemplate)
			h.mustRender(d.ID)
			h.holdStacks()
			h.mustDeploy(d.ID)
			if _, err := h.control.CancelDeployment(h.ctx, d.ID); err != nil {
				t.Fatal(err)
			}
			_, resolved, _ := h.workflows.snapshot()
			if len(resolved) != 1 || resolved[0].Token != tokenOf(d.ID) || resolved[0].ErrorName != "DeploymentCancelled" {
				t.Fatalf("cancelling a waiting deployment resolved %+v, want its task failed with DeploymentCancelled", resolved)
			}
			// Whatever error the workflow caught, a deployment being cancelled ends CANCELLED.
			out, err := h.tasks.Record(h.ctx, workflow.Input{DeploymentID: d.ID, Error: &workflow.TaskError{Error: errorName, Cause: resolved[0].Cause}})
			if err != nil || out.Status != platform.Cancelled {
				t.Fatalf("Record = %v, %v; want CANCELLED", out, err)
			}
			if got := h.mustEnvironment("Beta"); got.DeploymentStatus != platform.Cancelled || !strings.Contains(got.DeploymentStatusMessage, "alice") {
				t.Fatalf("environment after the cancellation = %+v", got)
			}
		})
	}
}

// TestRecordStartsPipelineAfterLastInstance creates a service with two instances and a
// pipeline: the pipeline's deployment starts when the last instance has finished, once.
func TestRecordStartsPipelineAfterLastInstance(t *testing.T) {
	h := newHarness(t)
	pipeline, instances := mustServiceWithPipeline(t, h)
	pd := pipeline.ID
	for _, d := range instances {
		if n := h.workflows.startsOf(d.ID); n != 1 {
			t.Fatalf("%s's deployment started %d times, want once", d.Target, n)
		}
	}
	if n := h.workflows.startsOf(pd); n != 0 {
		t.Fatalf("the pipeline started with the instances (%d)", n)
	}

	h.mustSucceed(instances[0])
	if n := h.workflows.startsOf(pd); n != 0 {
		t.Fatalf("the pipeline started while frontend-prod was still deploying (%d)", n)
	}
	h.mustSucceed(instances[1])
	if n := h.workflows.startsOf(pd); n != 1 {
		t.Fatalf("after the last instance the pipeline started %d times, want once", n)
	}
	for _, d := range instances {
		if _, err := h.tasks.Record(h.ctx, workflow.Input{DeploymentID: d.ID}); err != nil {
			t.Fatal(err)
		}
	}
	if n := h.workflows.startsOf(pd); n != 1 {
		t.Fatalf("repeated Records started the pipeline %d times in all, want once", n)
	}
}

// TestRecordRetriedAfterThePipelineCouldNotStart fails the start of a new service's
// pipeline when its last instance is recorded, then runs Record again as a retry would:
// the pipeline must not be left IN_PROGRESS with nothing to ever start or finish it.
func TestRecordRetriedAfterThePipelineCouldNotStart(t *testing.T) {
	h := newHarness(t)
	h.mustDeployedEnvironment()
	h.mustTemplate(platform.ServiceTemplate, platformtest.SvcTemplate, platformtest.TarGz(t, platformtest.SamplePath(t, platformtest.SvcBundle), nil))
	if _, err := h.control.CreateService(h.ctx, control.CreateServiceInput{Name: "frontend", TemplateName: platformtest.SvcTemplate, MajorVersion: 1,
		Spec: platformtest.ReadFile(t, platformtest.SamplePath(t, platformtest.SvcSpec)), RepositoryID: "example-org/frontend", BranchName: "main",
		RepositoryConnectionARN: "arn:aws:codestar-connections:us-east-1:111122223333:connection/example"}); err != nil {
		t.Fatalf("create service: %v", err)
	}
	inst, err := h.store.GetServiceInstance(h.ctx, "frontend", "frontend-dev")
	if err != nil {
		t.Fatal(err)
	}
	d := h.mustDeployment(inst.LastDeploymentID)
	h.mustProvision(d)

	start := h.taskWorkflows.StartFunc
	h.taskWorkflows.StartFunc = func(ctx context.Context, name string, input json.RawMessage) (string, error) {
		return "", errors.New("states: ServiceUnavailable")
	}
	if _, err := h.tasks.Record(h.ctx, workflow.Input{DeploymentID: d.ID}); err == nil {
		t.Fatal("Record hid that the pipeline could not start")
	}
	h.taskWorkflows.StartFunc = start
	// The retry (or the state machine's RecordFailure, which also calls Record).
	_, _ = h.tasks.Record(h.ctx, workflow.Input{DeploymentID: d.ID})

	pipeline, err := h.store.GetServicePipeline(h.ctx, "frontend")
	if err != nil {
		t.Fatal(err)
	}
	if pipeline.DeploymentStatus.Active() && h.workflows.startsOf(pipeline.LastDeploymentID) == 0 {
		t.Fatalf("the pipeline is left %s and was never started", pipeline.DeploymentStatus)
	}
}
