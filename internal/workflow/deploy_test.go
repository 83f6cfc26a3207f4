package workflow_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
	"github.com/gantry-platform/gantry/internal/workflow"
)

// failingTemplate passes CloudFormation's up-front checks and fails while provisioning.
const failingTemplate = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      Bogus: 1\n"

func TestDeployIsIdempotent(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate(platformtest.EnvTemplate, "")
	d := h.mustCreateEnvironment("Beta", platformtest.EnvTemplate)
	h.mustRender(d.ID)
	h.holdStacks() // the stack operation stays in progress while Deploy runs again

	h.mustDeploy(d.ID)
	afterFirst, envFirst, blobsFirst := h.mustDeployment(d.ID), h.mustEnvironment("Beta"), h.blobs()
	if afterFirst.TaskToken != tokenOf(d.ID) {
		t.Fatalf("Deploy stored task token %q, want %q", afterFirst.TaskToken, tokenOf(d.ID))
	}
	h.mustDeploy(d.ID)
	if got := h.mustDeployment(d.ID); !reflect.DeepEqual(got, afterFirst) {
		t.Errorf("second Deploy changed the deployment:\n got %+v\nwant %+v", got, afterFirst)
	}
	if got := h.mustEnvironment("Beta"); !reflect.DeepEqual(got, envFirst) {
		t.Errorf("second Deploy changed the environment:\n got %+v\nwant %+v", got, envFirst)
	}
	if got := h.blobs(); !reflect.DeepEqual(got, blobsFirst) {
		t.Errorf("second Deploy changed the blobs")
	}
	if ops := h.stackOperations(); !reflect.DeepEqual(ops, []string{"DEPLOY gantry-env-Beta"}) {
		t.Errorf("stack operations = %v, want one deploy of gantry-env-Beta", ops)
	}
	if _, resolved, _ := h.workflows.snapshot(); len(resolved) != 0 {
		t.Errorf("Deploy resolved its own task while the stack is in progress: %+v", resolved)
	}

	h.release()
	h.sim.Wait(d.StackName)
	h.deliver(h.takeStackEvents()...)
	_, resolved, refused := h.workflows.snapshot()
	if len(resolved) != 1 || resolved[0].Token != tokenOf(d.ID) || resolved[0].ErrorName != "" || refused != 0 {
		t.Fatalf("after the stack finished: resolved %+v, refused %d; want one success", resolved, refused)
	}
}

// TestDeployRepeatedAfterTheStackFinished repeats Deploy with the same input once the stack
// operation it started has finished and its event resolved the task: the repeat must not
// start anything nor resolve the task a second time.
func TestDeployRepeatedAfterTheStackFinished(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate(platformtest.EnvTemplate, "")
	d := h.mustCreateEnvironment("Beta", platformtest.EnvTemplate)
	h.mustProvision(d)
	before := h.mustDeployment(d.ID)

	_, err := h.tasks.Deploy(h.ctx, workflow.Input{DeploymentID: d.ID, TaskToken: tokenOf(d.ID)})
	if err != nil {
		t.Errorf("repeated Deploy: %v", err)
	}
	_, resolved, refused := h.workflows.snapshot()
	if len(resolved) != 1 || refused != 0 {
		t.Errorf("repeated Deploy resolved the task again: %d accepted, %d refused as already resolved", len(resolved), refused)
	}
	if ops := h.stackOperations(); len(ops) != 1 {
		t.Errorf("stack operations = %v, want the first one only", ops)
	}
	if got := h.mustDeployment(d.ID); !reflect.DeepEqual(got, before) {
		t.Errorf("repeated Deploy changed the deployment:\n got %+v\nwant %+v", got, before)
	}
}

func TestDeployNoChangesResolvesAtOnce(t *testing.T) {
	h := newHarness(t)
	env := h.mustDeployedEnvironment()
	if _, err := h.control.UpdateEnvironment(h.ctx, env.Name, control.UpdateInput{DeploymentType: platform.DeployCurrentVersion}); err != nil {
		t.Fatal(err)
	}
	d := h.mustDeployment(h.mustEnvironment(env.Name).LastDeploymentID)
	h.mustRender(d.ID)
	h.mustDeploy(d.ID)

	if ops := h.stackOperations(); len(ops) != 1 {
		t.Errorf("stack operations = %v, want only the first deployment's", ops)
	}
	_, resolved, _ := h.workflows.snapshot()
	last := resolved[len(resolved)-1]
	if last.Token != tokenOf(d.ID) || last.ErrorName != "" || !strings.Contains(string(last.Output), "NO_CHANGES") {
		t.Fatalf("Deploy of an unchanged stack resolved %+v, want success with NO_CHANGES for %s", last, tokenOf(d.ID))
	}
	// Repeated, Deploy finds the task resolved and lets it be.
	if _, err := h.tasks.Deploy(h.ctx, workflow.Input{DeploymentID: d.ID, TaskToken: tokenOf(d.ID)}); err != nil {
		t.Errorf("repeated Deploy of an unchanged stack: %v", err)
	}
	if _, again, _ := h.workflows.snapshot(); len(again) != len(resolved) {
		t.Errorf("repeated Deploy resolved another task: %+v", again[len(resolved):])
	}
	if out, err := h.tasks.Record(h.ctx, workflow.Input{DeploymentID: d.ID}); err != nil || out.Status != platform.Succeeded {
		t.Fatalf("Record = %v, %v", out, err)
	}
	if got := h.mustEnvironment(env.Name); len(got.Outputs) == 0 || got.LastSucceededDeploymentID != d.ID {
		t.Fatalf("environment after a NoChanges deployment = %+v", got)
	}
}

func TestDeployRejectedTemplate(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate("broken-env", "Resources:\n  Thing:\n    Type: AWS::Foo::Bar\n    Properties: {}\n")
	d := h.mustCreateEnvironment("Beta", "broken-env")
	h.mustRender(d.ID)
	_, err := h.tasks.Deploy(h.ctx, workflow.Input{DeploymentID: d.ID, TaskToken: tokenOf(d.ID)})
	var rejected *workflow.StackRejected
	if !errors.As(err, &rejected) || !strings.Contains(rejected.Reason, "AWS::Foo::Bar") {
		t.Fatalf("Deploy of an unknown resource type: %v (%T), want *StackRejected naming AWS::Foo::Bar", err, err)
	}
	var transient *workflow.TransientError
	if errors.As(err, &transient) {
		t.Error("a rejected template must not be retried as transient")
	}
	if ops := h.stackOperations(); len(ops) != 0 {
		t.Errorf("stack operations = %v, want none", ops)
	}
}

func TestDeployOfCancelledDeployment(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate(platformtest.EnvTemplate, "")
	d := h.mustCreateEnvironment("Beta", platformtest.EnvTemplate)
	h.mustRender(d.ID)
	if _, err := h.control.CancelDeployment(h.ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	_, err := h.tasks.Deploy(h.ctx, workflow.Input{DeploymentID: d.ID, TaskToken: tokenOf(d.ID)})
	var cancelled *workflow.DeploymentCancelled
	if !errors.As(err, &cancelled) {
		t.Fatalf("Deploy of a cancelled deployment: %v (%T), want *DeploymentCancelled", err, err)
	}
	if ops := h.stackOperations(); len(ops) != 0 {
		t.Errorf("stack operations = %v, want none", ops)
	}
}

func TestDeployTransientFailureIsRetryable(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate(platformtest.EnvTemplate, "")
	d := h.mustCreateEnvironment("Beta", platformtest.EnvTemplate)
	h.mustRender(d.ID)
	h.prov.DeployFunc = func(ctx context.Context, in platform.StackDeployment) (platform.StackOperation, error) {
		return platform.StackOperation{}, errors.New("Rate exceeded")
	}
	_, err := h.tasks.Deploy(h.ctx, workflow.Input{DeploymentID: d.ID, TaskToken: tokenOf(d.ID)})
	var transient *workflow.TransientError
	if !errors.As(err, &transient) {
		t.Fatalf("Deploy with a throttled CloudFormation: %v (%T), want *TransientError", err, err)
	}
}

// reconcile runs Deploy's reconcile path through aws-lambda-go's adapter, as the state
// machine's Reconcile state does, and returns the outcome and reason it reports.
func reconcile(t *testing.T, h *harness, id string) (outcome, reason string) {
	t.Helper()
	payload, _ := json.Marshal(map[string]any{"deploymentId": id, "reconcile": true})
	raw, err := lambda.NewHandler(h.tasks.Deploy).Invoke(h.ctx, payload)
	if err != nil {
		t.Fatalf("reconcile %s: %v", id, err)
	}
	var out struct {
		Outcome string `json:"outcome"`
		Reason  string `json:"reason"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("reconcile output %s: %v", raw, err)
	}
	return out.Outcome, out.Reason
}

func TestReconcileOutcomes(t *testing.T) {
	t.Run("succeeded", func(t *testing.T) {
		h := newHarness(t)
		h.mustEnvTemplate(platformtest.EnvTemplate, "")
		d := h.mustCreateEnvironment("Beta", platformtest.EnvTemplate)
		h.mustRender(d.ID)
		h.mustDeploy(d.ID)
		h.sim.Wait(d.StackName)
		if outcome, reason := reconcile(t, h, d.ID); outcome != "SUCCEEDED" {
			t.Fatalf("reconcile = %s (%s), want SUCCEEDED", outcome, reason)
		}
	})
	t.Run("failed with the root cause", func(t *testing.T) {
		h := newHarness(t)
		h.mustEnvTemplate("failing-env", failingTemplate)
		d := h.mustCreateEnvironment("Beta", "failing-env")
		h.mustRender(d.ID)
		h.mustDeploy(d.ID)
		h.sim.Wait(d.StackName)
		outcome, reason := reconcile(t, h, d.ID)
		if outcome != "FAILED" || !strings.Contains(reason, "Queue") || !strings.Contains(reason, "Bogus") {
			t.Fatalf("reconcile = %s (%q), want FAILED naming Queue and Bogus", outcome, reason)
		}
	})
	t.Run("in progress, then failed after 24 hours", func(t *testing.T) {
		h := newHarness(t)
		h.mustEnvTemplate(platformtest.EnvTemplate, "")
		d := h.mustCreateEnvironment("Beta", platformtest.EnvTemplate)
		h.mustRender(d.ID)
		h.holdStacks()
		h.mustDeploy(d.ID)
		if outcome, reason := reconcile(t, h, d.ID); outcome != "IN_PROGRESS" || reason != "" {
			t.Fatalf("reconcile = %s (%q), want IN_PROGRESS", outcome, reason)
		}
		h.clock.Advance(25 * time.Hour)
		if outcome, reason := reconcile(t, h, d.ID); outcome != "FAILED" || !strings.Contains(reason, "24 hours") {
			t.Fatalf("reconcile after 25 hours = %s (%q), want FAILED after 24 hours", outcome, reason)
		}
	})
	t.Run("another operation took over", func(t *testing.T) {
		h := newHarness(t)
		h.mustEnvTemplate(platformtest.EnvTemplate, "")
		d := h.mustCreateEnvironment("Beta", platformtest.EnvTemplate)
		h.mustRender(d.ID)
		h.mustDeploy(d.ID)
		h.prov.DescribeFunc = func(ctx context.Context, name string) (platform.Stack, error) {
			return platform.Stack{StackName: name, Status: "UPDATE_IN_PROGRESS", LastClientRequestToken: "someone-else"}, nil
		}
		if outcome, reason := reconcile(t, h, d.ID); outcome != "FAILED" || !strings.Contains(reason, "someone-else") {
			t.Fatalf("reconcile = %s (%q), want FAILED naming the other operation", outcome, reason)
		}
	})
	t.Run("missing stack", func(t *testing.T) {
		h := newHarness(t)
		env := h.mustDeployedEnvironment()
		if _, err := h.control.DeleteEnvironment(h.ctx, env.Name); err != nil {
			t.Fatal(err)
		}
		del := h.mustDeployment(h.mustEnvironment(env.Name).LastDeploymentID)
		h.mustDeploy(del.ID)
		h.sim.Wait(del.StackName)
		if outcome, reason := reconcile(t, h, del.ID); outcome != "SUCCEEDED" {
			t.Fatalf("reconcile of a deletion whose stack is gone = %s (%q), want SUCCEEDED", outcome, reason)
		}

		h.mustEnvTemplate("other-env", "")
		d := h.mustCreateEnvironment("Gamma", "other-env")
		h.mustRender(d.ID)
		h.prov.DeployFunc = func(context.Context, platform.StackDeployment) (platform.StackOperation, error) {
			return platform.StackOperation{}, errors.New("connection reset") // never submitted: no stack
		}
		if _, err := h.tasks.Deploy(h.ctx, workflow.Input{DeploymentID: d.ID, TaskToken: tokenOf(d.ID)}); err == nil {
			t.Fatal("Deploy succeeded without submitting")
		}
		if outcome, reason := reconcile(t, h, d.ID); outcome != "FAILED" || !strings.Contains(reason, "does not exist") {
			t.Fatalf("reconcile of a deployment without a stack = %s (%q), want FAILED", outcome, reason)
		}
	})
}
