package workflow_test

import (
	"io"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/provision"
	"github.com/gantry-platform/gantry/internal/workflow"
)

// TestCancelledStackUpdateEndsCancelled follows a cancellation through the existing path:
// the control plane cancels the stack update, the stack's rollback event fails the waiting
// task with the stack's reason, and Record, seeing the deployment CANCELLING, ends it
// CANCELLED with the environment's previous outputs.
func TestCancelledStackUpdateEndsCancelled(t *testing.T) {
	h := newHarness(t)
	env := h.mustDeployedEnvironment()
	h.prov.CancelFunc = h.sim.Cancel
	svc := control.New(control.Config{Store: h.store, Blobs: h.blobDir, Workflows: h.workflows.fake(), Engines: provision.Engines(h.prov, nil),
		Events: h.out, Engine: h.engine, Now: h.clock.Tick, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	updated, err := svc.UpdateEnvironment(h.ctx, "Beta", control.UpdateInput{DeploymentType: platform.DeployCurrentVersion,
		Spec: "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.1.0.0/16\n"})
	if err != nil {
		t.Fatal(err)
	}
	d := h.mustDeployment(updated.LastDeploymentID)
	h.mustRender(d.ID)
	h.holdStacks()
	h.mustDeploy(d.ID)

	_, before, _ := h.workflows.snapshot()
	got, err := svc.CancelDeployment(h.ctx, d.ID)
	if err != nil || got.Status != platform.Cancelling {
		t.Fatalf("cancel = %+v, %v; want CANCELLING", got, err)
	}
	if _, resolved, _ := h.workflows.snapshot(); len(resolved) != len(before) {
		t.Fatalf("the cancel resolved %+v itself; the stack's rollback ends the wait", resolved[len(before):])
	}
	h.release()
	h.sim.Wait(d.StackName)
	h.deliver(h.takeStackEvents()...)
	_, resolved, _ := h.workflows.snapshot()
	last := resolved[len(resolved)-1]
	if last.Token != tokenOf(d.ID) || last.ErrorName != "StackFailed" || !strings.HasPrefix(last.Cause, "UPDATE_ROLLBACK_COMPLETE: ") {
		t.Fatalf("the rollback resolved %+v, want StackFailed with UPDATE_ROLLBACK_COMPLETE", last)
	}

	out, err := h.tasks.Record(h.ctx, workflow.Input{DeploymentID: d.ID, Error: &workflow.TaskError{Error: last.ErrorName, Cause: last.Cause}})
	if err != nil || out.Status != platform.Cancelled {
		t.Fatalf("Record = %v, %v; want CANCELLED", out, err)
	}
	after := h.mustEnvironment("Beta")
	if after.DeploymentStatus != platform.Cancelled || after.LastSucceededDeploymentID != env.LastSucceededDeploymentID {
		t.Fatalf("environment after the cancellation = %+v", after)
	}
	if msg := after.DeploymentStatusMessage; !strings.Contains(msg, "alice") || !strings.Contains(msg, "UPDATE_ROLLBACK_COMPLETE") {
		t.Errorf("message = %q, want who cancelled and how the stack ended", msg)
	}
	if !reflect.DeepEqual(after.Outputs, env.Outputs) || after.Spec != env.Spec {
		t.Fatalf("environment took the cancelled update: outputs %v spec %q, want %v %q", after.Outputs, after.Spec, env.Outputs, env.Spec)
	}
	if st, err := h.sim.Describe(h.ctx, d.StackName); err != nil || st.Status != "UPDATE_ROLLBACK_COMPLETE" {
		t.Fatalf("stack = %+v, %v; want UPDATE_ROLLBACK_COMPLETE", st, err)
	}
}

// TestCancelTooLateSaysSo: a cancel accepted (CANCELLING) while CloudFormation finishes
// the update anyway ends SUCCEEDED — the stack holds the update — with a message saying
// who cancelled and that it came too late, never silently.
func TestCancelTooLateSaysSo(t *testing.T) {
	h := newHarness(t)
	h.mustDeployedEnvironment()
	updated, err := h.control.UpdateEnvironment(h.ctx, "Beta", control.UpdateInput{DeploymentType: platform.DeployCurrentVersion,
		Spec: "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.1.0.0/16\n"})
	if err != nil {
		t.Fatal(err)
	}
	d := h.mustDeployment(updated.LastDeploymentID)
	h.mustProvision(d) // CloudFormation finished the update; its success resolved the task
	// The cancel lands before Record runs (the control plane's cancel of a finished stack
	// update is CloudFormation's to refuse; here it was accepted first).
	d = h.mustDeployment(d.ID)
	d.Status, d.StatusMessage = platform.Cancelling, "cancellation requested by alice"
	if err := h.store.UpdateDeployment(h.ctx, d); err != nil {
		t.Fatal(err)
	}
	out, err := h.tasks.Record(h.ctx, workflow.Input{DeploymentID: d.ID})
	if err != nil || out.Status != platform.Succeeded {
		t.Fatalf("Record = %v, %v; want SUCCEEDED", out, err)
	}
	got := h.mustDeployment(d.ID)
	if !strings.Contains(got.StatusMessage, "alice") || !strings.Contains(got.StatusMessage, "too late") || !strings.Contains(got.StatusMessage, "UPDATE_COMPLETE") {
		t.Fatalf("message = %q, want who cancelled, that it came too late and how the stack ended", got.StatusMessage)
	}
	if env := h.mustEnvironment("Beta"); env.DeploymentStatus != platform.Succeeded || env.DeploymentStatusMessage != got.StatusMessage {
		t.Fatalf("environment = %s %q", env.DeploymentStatus, env.DeploymentStatusMessage)
	}
}
