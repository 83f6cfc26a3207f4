package workflow_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
	"github.com/gantry-platform/gantry/internal/statemachine"
	"github.com/gantry-platform/gantry/internal/workflow"
	"github.com/gantry-platform/gantry/statemachines"
)

// about reports whether a lease of left is hold, give or take the harness clock's ticks.
func about(left, hold time.Duration) bool { return left > hold-time.Minute && left <= hold }

// TestTasksHoldTheLease: each task gives the deployment's lease to its execution, for as
// long as the state machine will wait before calling a task again plus the lease; a
// repeated task leaves a fresh lease alone.
func TestTasksHoldTheLease(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate(platformtest.EnvTemplate, "")
	d := h.mustCreateEnvironment("Beta", platformtest.EnvTemplate)
	if d.LeaseOwner == "" || !d.LeaseExpiresAt.After(d.CreatedAt) {
		t.Fatalf("a new deployment has no lease covering its workflow's start: %+v", d)
	}
	in := workflow.Input{DeploymentID: d.ID, Execution: "exec-1"}
	if _, err := h.tasks.Render(h.ctx, in); err != nil {
		t.Fatal(err)
	}
	rendered := h.mustDeployment(d.ID)
	if left := rendered.LeaseExpiresAt.Sub(rendered.UpdatedAt); rendered.LeaseOwner != "exec-1" || !about(left, workflow.DefaultLease) {
		t.Fatalf("after Render: lease %s for %s, want exec-1 for %s", rendered.LeaseOwner, left, workflow.DefaultLease)
	}
	if _, err := h.tasks.Render(h.ctx, in); err != nil {
		t.Fatal(err)
	}
	if again := h.mustDeployment(d.ID); again.Revision != rendered.Revision {
		t.Fatalf("a repeated Render rewrote a fresh lease: revision %d → %d", rendered.Revision, again.Revision)
	}
	in.TaskToken = tokenOf(d.ID)
	if _, err := h.tasks.Deploy(h.ctx, in); err != nil {
		t.Fatal(err)
	}
	deployed := h.mustDeployment(d.ID)
	if left := deployed.LeaseExpiresAt.Sub(deployed.UpdatedAt); !about(left, workflow.ProvisionWait+workflow.DefaultLease) {
		t.Fatalf("after Deploy the lease lasts %s, want the Provision wait plus the lease", left)
	}
	update := h.mustDeployment(d.ID)
	h.clock.Advance(workflow.ProvisionWait + workflow.DefaultLease/2) // Provision timed out: Reconcile takes over
	h.prov.DescribeFunc = func(_ context.Context, name string) (platform.Stack, error) {
		return platform.Stack{StackName: name, Status: "CREATE_IN_PROGRESS", LastClientRequestToken: d.ID}, nil
	}
	out, err := h.tasks.Deploy(h.ctx, workflow.Input{DeploymentID: d.ID, Reconcile: true, Execution: "exec-1"})
	if err != nil || out.Outcome != "IN_PROGRESS" {
		t.Fatalf("reconcile = %+v, %v", out, err)
	}
	waiting := h.mustDeployment(d.ID)
	if left := waiting.LeaseExpiresAt.Sub(waiting.UpdatedAt); waiting.Revision == update.Revision || !about(left, workflow.ReconcileWait+workflow.DefaultLease) {
		t.Fatalf("Reconcile of a running stack left the lease at %s (revision %d → %d), want WaitForStack plus the lease", left, update.Revision, waiting.Revision)
	}
}

// renderedBeta creates environment Beta and renders its deployment in an execution named
// after it, which then holds the lease.
func renderedBeta(t *testing.T, h *harness) platform.Deployment {
	t.Helper()
	h.mustEnvTemplate(platformtest.EnvTemplate, "")
	d := h.mustCreateEnvironment("Beta", platformtest.EnvTemplate)
	if _, err := h.tasks.Render(h.ctx, workflow.Input{DeploymentID: d.ID, Execution: d.ID}); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestReconcileResumesWhatLostItsWorker: a deployment whose lease expired is claimed and
// resumed once, by an execution starting at Reconcile; one whose lease holds is left
// alone unless All is asked (local mode's start); finished ones are never touched.
func TestReconcileResumesWhatLostItsWorker(t *testing.T) {
	h := newHarness(t)
	stale := renderedBeta(t, h)
	h.clock.Advance(workflow.DefaultLease + time.Minute) // Beta's worker died after Render
	fresh := h.mustCreateEnvironment("Gamma", platformtest.EnvTemplate)
	done := h.mustCreateEnvironment("Delta", platformtest.EnvTemplate)
	h.mustSucceed(done)

	report, err := h.tasks.Reconcile(h.ctx, workflow.ReconcileInput{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(report.Resumed, []string{stale.ID}) {
		t.Fatalf("resumed %v, want only Beta's deployment %s", report.Resumed, stale.ID)
	}
	claimed := h.mustDeployment(stale.ID)
	name := claimed.LeaseOwner
	if !strings.HasPrefix(name, stale.ID+"-resume-") || !claimed.LeaseExpiresAt.After(h.clock.Now()) {
		t.Fatalf("the resumed deployment's lease: %s until %s", name, claimed.LeaseExpiresAt)
	}
	var input map[string]any
	h.workflows.mu.Lock()
	raw := h.workflows.inputs[name]
	h.workflows.mu.Unlock()
	if err := json.Unmarshal([]byte(raw), &input); err != nil || input["deploymentId"] != stale.ID || input["resume"] != true {
		t.Fatalf("execution %s started with %s, want the deployment and resume: true", name, raw)
	}
	// Claimed: a second sweep leaves it to the execution just started.
	if again, err := h.tasks.Reconcile(h.ctx, workflow.ReconcileInput{}); err != nil || len(again.Resumed) != 0 {
		t.Fatalf("a second sweep resumed %v (%v)", again.Resumed, err)
	}
	// All takes over every unfinished deployment: Gamma's lease holds, Beta's is the new one's.
	all, err := h.tasks.Reconcile(h.ctx, workflow.ReconcileInput{All: true})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(all.Resumed)
	want := []string{stale.ID, fresh.ID}
	slices.Sort(want)
	if !slices.Equal(all.Resumed, want) {
		t.Fatalf("All resumed %v, want %v (never the finished %s)", all.Resumed, want, done.ID)
	}
}

// TestReconcileAfterAnExecutionEndedBadly: the execution that holds a deployment's lease
// ended (failed, timed out, aborted) — the deployment is resumed at once; the report of
// an execution that no longer holds it, or of a finished deployment, changes nothing.
func TestReconcileAfterAnExecutionEndedBadly(t *testing.T) {
	h := newHarness(t)
	d := renderedBeta(t, h)
	other, err := h.tasks.Reconcile(h.ctx, workflow.ReconcileInput{DeploymentID: d.ID, Execution: "some-other-execution"})
	if err != nil || len(other.Resumed) != 0 || other.Left != 1 {
		t.Fatalf("an execution not holding the lease: %+v, %v; want it left", other, err)
	}
	own, err := h.tasks.Reconcile(h.ctx, workflow.ReconcileInput{DeploymentID: d.ID, Execution: d.ID})
	if err != nil || !slices.Equal(own.Resumed, []string{d.ID}) {
		t.Fatalf("the lease holder's execution failed: %+v, %v; want it resumed", own, err)
	}
	done := h.mustCreateEnvironment("Delta", platformtest.EnvTemplate)
	h.mustSucceed(done)
	if r, err := h.tasks.Reconcile(h.ctx, workflow.ReconcileInput{DeploymentID: done.ID, Execution: done.ID}); err != nil || len(r.Resumed) != 0 {
		t.Fatalf("a finished deployment: %+v, %v", r, err)
	}
	if r, err := h.tasks.Reconcile(h.ctx, workflow.ReconcileInput{DeploymentID: "no-such-deployment"}); err != nil || len(r.Resumed) != 0 {
		t.Fatalf("an unknown deployment: %+v, %v", r, err)
	}
}

// TestWaitsMatchTheStateMachine keeps ProvisionWait and ReconcileWait equal to the
// definition's, and checks the definition's guarantees that deployments end: a
// TimeoutSeconds on the state machine and on every task, a Retry of transient errors
// with backoff and a Catch on every task, and a resume path starting at Reconcile.
func TestWaitsMatchTheStateMachine(t *testing.T) {
	var def struct {
		StartAt        string
		TimeoutSeconds int
		States         map[string]struct {
			Type           string
			TimeoutSeconds int
			Seconds        int
			Retry          []struct {
				ErrorEquals []string
				BackoffRate float64
			}
			Catch   []json.RawMessage
			Choices []struct{ Next string }
		}
	}
	if err := json.Unmarshal(statemachines.Deployment(), &def); err != nil {
		t.Fatal(err)
	}
	if got := time.Duration(def.States["Provision"].TimeoutSeconds) * time.Second; got != workflow.ProvisionWait {
		t.Errorf("Provision waits %s, ProvisionWait is %s", got, workflow.ProvisionWait)
	}
	if got := time.Duration(def.States["WaitForStack"].Seconds) * time.Second; got != workflow.ReconcileWait {
		t.Errorf("WaitForStack waits %s, ReconcileWait is %s", got, workflow.ReconcileWait)
	}
	if def.TimeoutSeconds <= 0 || time.Duration(def.TimeoutSeconds)*time.Second <= 24*time.Hour {
		t.Errorf("the state machine's TimeoutSeconds is %d, want one beyond the reconcile path's 24 hours", def.TimeoutSeconds)
	}
	for name, st := range def.States {
		if st.Type != "Task" {
			continue
		}
		transient := false
		for _, r := range st.Retry {
			transient = transient || (slices.Contains(r.ErrorEquals, "TransientError") && r.BackoffRate > 1)
		}
		if st.TimeoutSeconds <= 0 || !transient || len(st.Catch) == 0 {
			t.Errorf("task %s: TimeoutSeconds %d, transient errors retried with backoff %v, %d catchers", name, st.TimeoutSeconds, transient, len(st.Catch))
		}
	}
	start := def.States[def.StartAt]
	if start.Type != "Choice" || len(start.Choices) != 1 || start.Choices[0].Next != "Reconcile" {
		t.Errorf("the state machine starts at %s (%+v), want a choice that sends resumed executions to Reconcile", def.StartAt, start)
	}
	if _, err := statemachine.Parse(statemachines.Deployment()); err != nil {
		t.Fatal(err)
	}
}

// executionEvent derives a Step Functions status change from the failed sample, for
// execution name of deployment id ending with status.
func executionEvent(t *testing.T, name, id, status string) []byte {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(platformtest.EventSample(t, "stepfunctions-gantry-execution-failed"), &ev); err != nil {
		t.Fatal(err)
	}
	detail := ev["detail"].(map[string]any)
	detail["name"], detail["status"] = name, status
	detail["executionArn"] = "arn:aws:states:eu-west-1:111122223333:execution:gantry-deployment:" + name
	detail["input"] = `{"deploymentId":"` + id + `"}`
	raw, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestHandleEventReconciles: the events function takes Step Functions' status changes and
// the scheduled sweep to the reconciler — the execution that held a deployment failing
// resumes it, one succeeding changes nothing, a tick resumes the expired ones.
func TestHandleEventReconciles(t *testing.T) {
	h := newHarness(t)
	d := renderedBeta(t, h)
	h.deliver(executionEvent(t, d.ID, d.ID, "SUCCEEDED"), executionEvent(t, "another-execution", d.ID, "ABORTED"))
	if got := h.mustDeployment(d.ID); got.LeaseOwner != d.ID {
		t.Fatalf("a succeeded execution or one not holding the lease moved it to %s", got.LeaseOwner)
	}
	h.deliver(executionEvent(t, d.ID, d.ID, "TIMED_OUT"))
	resumed := h.mustDeployment(d.ID)
	if !strings.HasPrefix(resumed.LeaseOwner, d.ID+"-resume-") || h.workflows.startsOf(resumed.LeaseOwner) != 1 {
		t.Fatalf("after its execution timed out, the lease is %s (%d starts)", resumed.LeaseOwner, h.workflows.startsOf(resumed.LeaseOwner))
	}
	// The resuming execution is aborted in turn (name only: no input), then a tick of the
	// schedule finds nothing expired before the lease runs out, and resumes it after.
	noInput := strings.Replace(string(executionEvent(t, resumed.LeaseOwner, d.ID, "ABORTED")), `"input":`, `"ignored":`, 1)
	h.deliver([]byte(noInput))
	again := h.mustDeployment(d.ID)
	if again.LeaseOwner == resumed.LeaseOwner || !strings.HasPrefix(again.LeaseOwner, d.ID+"-resume-") {
		t.Fatalf("after the resuming execution was aborted, the lease is %s", again.LeaseOwner)
	}
	tick := platformtest.EventSample(t, "eventbridge-scheduled-event")
	h.deliver(tick)
	if got := h.mustDeployment(d.ID); got.LeaseOwner != again.LeaseOwner {
		t.Fatalf("a tick took over a lease that holds: %s", got.LeaseOwner)
	}
	h.clock.Advance(2 * workflow.DefaultLease)
	h.deliver(tick)
	if got := h.mustDeployment(d.ID); got.LeaseOwner == again.LeaseOwner {
		t.Fatalf("a tick after the lease expired left it with %s", got.LeaseOwner)
	}
}

// TestReconcileStartsAPipelineWhoseStarterWasLost: a new service's pipeline deployment
// waits for the service's instances. While one is still deploying, a sweep only renews
// its lease; once the last instance has finished but the worker that was to start the
// pipeline was lost first, a sweep starts it, once.
func TestReconcileStartsAPipelineWhoseStarterWasLost(t *testing.T) {
	h := newHarness(t)
	pd, instances := mustServiceWithPipeline(t, h)
	if pd.StatusMessage != platform.WaitingForInstances || pd.LeaseExpiresAt.IsZero() {
		t.Fatalf("the waiting pipeline deployment = %q with lease until %s, want %q and a lease", pd.StatusMessage, pd.LeaseExpiresAt, platform.WaitingForInstances)
	}
	h.mustSucceed(instances[0])

	// frontend-prod still deploys: its worker holds it; the pipeline's lease is renewed.
	h.mustRender(instances[1].ID)
	h.clock.Advance(workflow.DefaultLease + time.Minute)
	h.mustRender(instances[1].ID) // frontend-prod's worker is alive and renews
	report, err := h.tasks.Reconcile(h.ctx, workflow.ReconcileInput{})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(report.Resumed, pd.ID) || h.workflows.startsOf(pd.ID) != 0 {
		t.Fatalf("the pipeline was started (%d) or resumed (%v) while frontend-prod deploys", h.workflows.startsOf(pd.ID), report.Resumed)
	}
	if renewed := h.mustDeployment(pd.ID); !renewed.LeaseExpiresAt.After(h.clock.Now()) || renewed.Finished() {
		t.Fatalf("the waiting pipeline deployment after the sweep: %s, lease until %s", renewed.Status, renewed.LeaseExpiresAt)
	}

	// frontend-prod ends, but the worker that was to start the pipeline is lost.
	start := h.taskWorkflows.StartFunc
	h.taskWorkflows.StartFunc = func(ctx context.Context, name string, input json.RawMessage) (string, error) {
		return "", context.Canceled // the process died here
	}
	h.mustProvision(instances[1])
	_, _ = h.tasks.Record(h.ctx, workflow.Input{DeploymentID: instances[1].ID})
	h.taskWorkflows.StartFunc = start
	if n := h.workflows.startsOf(pd.ID); n != 0 {
		t.Fatalf("the pipeline started %d times with its starter lost", n)
	}
	h.clock.Advance(workflow.DefaultLease + time.Minute)
	report, err = h.tasks.Reconcile(h.ctx, workflow.ReconcileInput{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(report.Resumed, pd.ID) || h.workflows.startsOf(pd.ID) != 1 {
		t.Fatalf("after the lost start a sweep resumed %v and started the pipeline %d times, want it once", report.Resumed, h.workflows.startsOf(pd.ID))
	}
}

// mustServiceWithPipeline creates service frontend with instances frontend-dev and
// frontend-prod (in Beta) and a pipeline, and returns the pipeline's waiting deployment
// and the instances' deployments.
func mustServiceWithPipeline(t *testing.T, h *harness) (platform.Deployment, []platform.Deployment) {
	t.Helper()
	h.mustDeployedEnvironment()
	h.mustTemplate(platform.ServiceTemplate, platformtest.SvcTemplate, platformtest.TarGz(t, platformtest.SamplePath(t, platformtest.SvcBundle), nil))
	spec := "proton: ServiceSpec\npipeline:\n  unit_test_command: \"ls\"\ninstances:\n" +
		"  - name: frontend-dev\n    environment: Beta\n    spec:\n      port: 80\n" +
		"  - name: frontend-prod\n    environment: Beta\n    spec:\n      desired_count: 2\n"
	if _, err := h.control.CreateService(h.ctx, control.CreateServiceInput{Name: "frontend", TemplateName: platformtest.SvcTemplate, MajorVersion: 1,
		Spec: spec, RepositoryID: "example-org/frontend", BranchName: "main",
		RepositoryConnectionARN: "arn:aws:codestar-connections:us-east-1:111122223333:connection/example"}); err != nil {
		t.Fatalf("create service: %v", err)
	}
	pipeline, err := h.store.GetServicePipeline(h.ctx, "frontend")
	if err != nil {
		t.Fatal(err)
	}
	var instances []platform.Deployment
	for _, name := range []string{"frontend-dev", "frontend-prod"} {
		inst, err := h.store.GetServiceInstance(h.ctx, "frontend", name)
		if err != nil {
			t.Fatal(err)
		}
		instances = append(instances, h.mustDeployment(inst.LastDeploymentID))
	}
	return h.mustDeployment(pipeline.LastDeploymentID), instances
}

// TestReconcileStartsInstanceDeletionsWhoseStarterWasLost: deleting a service deletes its
// pipeline first while the instances' deletions wait. A sweep while the pipeline's
// deletion runs leaves them waiting (it does not fail them as never submitted); once the
// pipeline is gone but the worker that was to start them was lost, a sweep starts them.
func TestReconcileStartsInstanceDeletionsWhoseStarterWasLost(t *testing.T) {
	h := newHarness(t)
	pd, instances := mustServiceWithPipeline(t, h)
	for _, d := range instances {
		h.mustSucceed(d)
	}
	h.mustSucceed(h.mustDeployment(pd.ID))
	if _, err := h.control.DeleteService(h.ctx, "frontend"); err != nil {
		t.Fatalf("delete service: %v", err)
	}
	pipeline, err := h.store.GetServicePipeline(h.ctx, "frontend")
	if err != nil {
		t.Fatal(err)
	}
	pipelineDeletion := h.mustDeployment(pipeline.LastDeploymentID)
	var deletions []platform.Deployment
	for _, name := range []string{"frontend-dev", "frontend-prod"} {
		inst, err := h.store.GetServiceInstance(h.ctx, "frontend", name)
		if err != nil {
			t.Fatal(err)
		}
		d := h.mustDeployment(inst.LastDeploymentID)
		if d.StatusMessage != platform.WaitingForPipelineDeletion {
			t.Fatalf("%s's deletion: %q, want it waiting for the pipeline's", name, d.StatusMessage)
		}
		deletions = append(deletions, d)
	}

	// The pipeline's deletion is under way past the instances' deletions' lease.
	h.mustDeploy(pipelineDeletion.ID)
	h.clock.Advance(workflow.DefaultLease + time.Minute)
	h.mustDeploy(pipelineDeletion.ID) // its worker is alive and renews
	if _, err := h.tasks.Reconcile(h.ctx, workflow.ReconcileInput{}); err != nil {
		t.Fatal(err)
	}
	for _, d := range deletions {
		if got := h.mustDeployment(d.ID); got.Finished() || h.workflows.startsOf(d.ID) != 0 {
			t.Fatalf("while the pipeline's deletion runs, %s's deletion ended %s or started (%d)", d.Target, got.Status, h.workflows.startsOf(d.ID))
		}
	}

	// The pipeline is deleted, but the worker that was to start the instances' deletions is lost.
	start := h.taskWorkflows.StartFunc
	h.taskWorkflows.StartFunc = func(ctx context.Context, name string, input json.RawMessage) (string, error) {
		return "", context.Canceled // the process died here
	}
	h.sim.Wait(pipelineDeletion.StackName)
	h.deliver(h.takeStackEvents()...)
	_, _ = h.tasks.Record(h.ctx, workflow.Input{DeploymentID: pipelineDeletion.ID})
	h.taskWorkflows.StartFunc = start
	h.clock.Advance(workflow.DefaultLease + time.Minute)
	report, err := h.tasks.Reconcile(h.ctx, workflow.ReconcileInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range deletions {
		if n := h.workflows.startsOf(d.ID); n != 1 || !slices.Contains(report.Resumed, d.ID) {
			t.Fatalf("%s's deletion started %d times (resumed %v), want once", d.Target, n, report.Resumed)
		}
	}
}
