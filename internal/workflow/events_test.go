package workflow_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/gantry-platform/gantry/events"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
	"github.com/gantry-platform/gantry/internal/provision"
	"github.com/gantry-platform/gantry/internal/statemachine"
	"github.com/gantry-platform/gantry/internal/workflow"
)

// stackEvent derives an event from a CloudFormation sample: stackID ("" keeps the
// sample's) and token ("" removes it) replaced.
func stackEvent(t *testing.T, sample, stackID, token string) []byte {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(platformtest.EventSample(t, sample), &ev); err != nil {
		t.Fatal(err)
	}
	detail := ev["detail"].(map[string]any)
	if stackID != "" {
		detail["stack-id"] = stackID
		ev["resources"] = []any{stackID}
	}
	if token == "" {
		delete(detail, "client-request-token")
	} else {
		detail["client-request-token"] = token
	}
	raw, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// stackIDOf returns the id of the simulator's stack of that name.
func stackIDOf(t *testing.T, h *harness, stackName string) string {
	t.Helper()
	stack, err := h.sim.Describe(h.ctx, stackName)
	if err != nil {
		t.Fatal(err)
	}
	return stack.StackID
}

// waitingDeployment creates environment Beta from template and brings its deployment to
// the point where the workflow waits on its task token, the stack operation started.
func waitingDeployment(t *testing.T, h *harness, template string) platform.Deployment {
	t.Helper()
	d := h.mustCreateEnvironment("Beta", template)
	h.mustRender(d.ID)
	h.mustDeploy(d.ID)
	h.sim.Wait(d.StackName)
	h.takeStackEvents() // the tests send their own
	return h.mustDeployment(d.ID)
}

func TestHandleEventResolvesTheTaskOnce(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate(platformtest.EnvTemplate, "")
	d := waitingDeployment(t, h, platformtest.EnvTemplate)
	id := stackIDOf(t, h, d.StackName)

	h.deliver(stackEvent(t, "cloudformation-gantry-env-beta-create-complete", id, d.ID))
	_, resolved, refused := h.workflows.snapshot()
	if len(resolved) != 1 || resolved[0].Token != d.TaskToken || resolved[0].ErrorName != "" {
		t.Fatalf("resolved %+v, want one success of %s", resolved, d.TaskToken)
	}
	var output map[string]string
	if err := json.Unmarshal(resolved[0].Output, &output); err != nil || output["stackStatus"] != "CREATE_COMPLETE" || output["stackId"] != id {
		t.Fatalf("task output %s, want the stack status and id", resolved[0].Output)
	}

	// A duplicate: the workflow refuses the second success and the handler lets it be.
	h.deliver(stackEvent(t, "cloudformation-gantry-env-beta-create-complete", id, d.ID))
	// An intermediate status arriving late changes nothing.
	h.deliver(stackEvent(t, "cloudformation-gantry-env-beta-create-in-progress", id, d.ID))
	_, resolved2, refused2 := h.workflows.snapshot()
	if len(resolved2) != 1 || refused2 > refused+1 {
		t.Fatalf("after a duplicate and a late IN_PROGRESS: %d resolutions accepted, %d refused; want 1 and at most 1", len(resolved2), refused2)
	}
	if got := h.mustDeployment(d.ID); !reflect.DeepEqual(got, d) {
		t.Errorf("events changed the deployment:\n got %+v\nwant %+v", got, d)
	}

	// Once recorded, the deployment takes no more events: not even an attempt.
	if _, err := h.tasks.Record(h.ctx, workflow.Input{DeploymentID: d.ID}); err != nil {
		t.Fatal(err)
	}
	h.deliver(stackEvent(t, "cloudformation-gantry-env-beta-create-complete", id, d.ID),
		stackEvent(t, "cloudformation-gantry-env-beta-rollback-complete", id, d.ID))
	if _, resolved3, refused3 := h.workflows.snapshot(); len(resolved3) != 1 || refused3 != refused2 {
		t.Fatalf("events after Record reached the workflow: %d accepted, %d refused", len(resolved3), refused3)
	}
}

func TestHandleEventIgnoresOthers(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate(platformtest.EnvTemplate, "")
	d := waitingDeployment(t, h, platformtest.EnvTemplate)
	ignored := map[string][]byte{
		"a stack Gantry does not own":  platformtest.EventSample(t, "cloudformation-stack-status-change"),
		"another stack with our token": stackEvent(t, "cloudformation-gantry-env-beta-create-complete", "arn:aws:cloudformation:eu-west-1:111122223333:stack/other-stack/0b7d6e5c", d.ID),
		"an unknown token":             platformtest.EventSample(t, "cloudformation-stack-status-change-with-token"),
		"a fresh unknown token":        stackEvent(t, "cloudformation-gantry-env-beta-create-complete", "", platform.NewID()),
		"no token":                     stackEvent(t, "cloudformation-gantry-env-beta-create-complete", "", ""),
		"a deletion's status":          []byte(strings.Replace(string(stackEvent(t, "cloudformation-gantry-env-beta-create-complete", "", d.ID)), "CREATE_COMPLETE", "DELETE_COMPLETE", 1)),
		"an intermediate status":       stackEvent(t, "cloudformation-gantry-env-beta-create-in-progress", "", d.ID),
	}
	for name, ev := range ignored {
		if _, err := h.events.Invoke(h.ctx, ev); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, resolved, refused := h.workflows.snapshot(); len(resolved) != 0 || refused != 0 {
		t.Fatalf("ignored events reached the workflow: %+v (%d refused)", resolved, refused)
	}
}

func TestHandleEventFailureSendsTheRootCause(t *testing.T) {
	t.Run("from the stack's description", func(t *testing.T) {
		h := newHarness(t)
		h.mustEnvTemplate("failing-env", failingTemplate)
		d := waitingDeployment(t, h, "failing-env")
		h.deliver(stackEvent(t, "cloudformation-gantry-env-beta-rollback-complete", stackIDOf(t, h, d.StackName), d.ID))
		_, resolved, _ := h.workflows.snapshot()
		if len(resolved) != 1 || resolved[0].ErrorName != "StackFailed" || resolved[0].Token != d.TaskToken ||
			!strings.HasPrefix(resolved[0].Cause, "ROLLBACK_COMPLETE: ") || !strings.Contains(resolved[0].Cause, "Queue: Encountered unsupported property Bogus") {
			t.Fatalf("resolved %+v, want StackFailed with the root cause", resolved)
		}
	})
	t.Run("delivered again when the stack cannot be described", func(t *testing.T) {
		h := newHarness(t)
		h.mustEnvTemplate("failing-env", failingTemplate)
		d := waitingDeployment(t, h, "failing-env")
		event := stackEvent(t, "cloudformation-gantry-env-beta-rollback-complete", stackIDOf(t, h, d.StackName), d.ID)
		describe := h.prov.DescribeFunc
		h.prov.DescribeFunc = func(ctx context.Context, name string) (platform.Stack, error) {
			return platform.Stack{}, errors.New("Rate exceeded")
		}
		if _, err := h.events.Invoke(h.ctx, event); err == nil || !strings.Contains(err.Error(), "Rate exceeded") {
			t.Fatalf("an event that could not be verified: %v, want the error (EventBridge delivers it again)", err)
		}
		if _, resolved, _ := h.workflows.snapshot(); len(resolved) != 0 {
			t.Fatalf("an unverified event resolved %+v", resolved)
		}
		h.prov.DescribeFunc = describe
		h.deliver(event)
		_, resolved, _ := h.workflows.snapshot()
		if len(resolved) != 1 || resolved[0].ErrorName != "StackFailed" || !strings.Contains(resolved[0].Cause, "Bogus") {
			t.Fatalf("resolved %+v, want StackFailed with the root cause", resolved)
		}
	})
}

func TestHandleEventSimulatorEvents(t *testing.T) {
	// The simulator's own event sequence of a failing stack, delivered in order.
	h := newHarness(t)
	h.mustEnvTemplate("failing-env", failingTemplate)
	d := h.mustCreateEnvironment("Beta", "failing-env")
	h.mustProvision(d)
	_, resolved, refused := h.workflows.snapshot()
	if len(resolved) != 1 || resolved[0].ErrorName != "StackFailed" || !strings.Contains(resolved[0].Cause, "Bogus") || refused != 0 {
		t.Fatalf("resolved %+v (%d refused), want one StackFailed naming Bogus", resolved, refused)
	}
}

func TestHandleEventCodePipeline(t *testing.T) {
	h := newHarness(t)
	for _, name := range events.Samples() {
		if !strings.HasPrefix(name, "codepipeline-") {
			continue
		}
		if _, err := h.events.Invoke(h.ctx, platformtest.EventSample(t, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	published := h.out.Events()
	found := false
	for _, e := range published {
		var change platform.StatusChange
		if err := json.Unmarshal(e.Detail, &change); err != nil {
			t.Fatal(err)
		}
		if e.DetailType == "Pipeline Execution Status Change" && change.Name == "gantry-svc-frontend-pipeline" && change.Status == "SUCCEEDED" &&
			change.DeploymentID == "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a" {
			found = true
		}
	}
	if !found {
		t.Fatalf("no Pipeline Execution Status Change for the succeeded sample among %d published events", len(published))
	}
	if _, resolved, _ := h.workflows.snapshot(); len(resolved) != 0 {
		t.Fatalf("pipeline events resolved tasks: %+v", resolved)
	}
}

func TestHandleEventMalformed(t *testing.T) {
	h := newHarness(t)
	invalid := map[string]string{
		"empty object":         `{}`,
		"no stack id":          `{"source":"aws.cloudformation","detail-type":"CloudFormation Stack Status Change","time":"2025-06-02T09:00:00Z","detail":{"status-details":{"status":"CREATE_COMPLETE"}}}`,
		"detail not an object": `{"source":"aws.cloudformation","detail-type":"CloudFormation Stack Status Change","time":"2025-06-02T09:00:00Z","detail":"x"}`,
		"another service":      `{"source":"aws.ec2","detail-type":"EC2 Instance State-change Notification","time":"2025-06-02T09:00:00Z","detail":{}}`,
	}
	for name, payload := range invalid {
		_, err := h.events.Invoke(h.ctx, []byte(payload))
		if platform.KindOf(err) != platform.Invalid {
			t.Errorf("%s: %v, want an Invalid error", name, err)
		}
	}
	if _, err := h.events.Invoke(h.ctx, []byte(`not json`)); err == nil {
		t.Error("a payload that is not JSON was accepted")
	}
	if _, resolved, _ := h.workflows.snapshot(); len(resolved) != 0 {
		t.Fatalf("malformed events resolved tasks: %+v", resolved)
	}
}

// invokerFunc is a statemachine.Invoker.
type invokerFunc func(ctx context.Context, name string, payload []byte) ([]byte, error)

func (f invokerFunc) Invoke(ctx context.Context, name string, payload []byte) ([]byte, error) {
	return f(ctx, name, payload)
}

// TestHandleEventDuplicateWithTheLocalRunner delivers a stack's terminal event twice with
// local mode's workflow runner (internal/statemachine) behind the tasks: the duplicate must
// be ignored there too, as it is with Step Functions (whose TaskTimedOut the AWS adapter
// reports as Conflict).
func TestHandleEventDuplicateWithTheLocalRunner(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate(platformtest.EnvTemplate, "")
	d := h.mustCreateEnvironment("Beta", platformtest.EnvTemplate)
	h.mustRender(d.ID)

	// One state, as the deployment machine's Provision: Deploy gets the task token.
	def, err := statemachine.Parse([]byte(`{"StartAt":"Provision","States":{"Provision":{"Type":"Task",
		"Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken","Parameters":{"FunctionName":"deploy",
		"Payload":{"deploymentId.$":"$.deploymentId","taskToken.$":"$$.Task.Token"}},"End":true}}}`))
	if err != nil {
		t.Fatal(err)
	}
	var tasks *workflow.Tasks
	deployed := make(chan error, 1)
	runner, err := statemachine.New(def, statemachine.Options{Invoker: invokerFunc(func(ctx context.Context, name string, payload []byte) ([]byte, error) {
		out, err := lambda.NewHandler(tasks.Deploy).Invoke(ctx, payload)
		deployed <- err
		return out, err
	})})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(runner.Close)
	tasks = workflow.New(workflow.Config{Store: h.store, Blobs: h.blobDir, Engines: provision.Engines(h.prov, nil), Workflows: runner,
		Renderer: h.engine, Now: h.clock.Tick, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	handler := lambda.NewHandler(tasks.HandleEvent)

	execution, err := runner.Start(h.ctx, d.ID, json.RawMessage(`{"deploymentId":"`+d.ID+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	guard, cancel := context.WithTimeout(h.ctx, time.Minute) // a guard against hanging, not a measure
	defer cancel()
	select {
	case err := <-deployed:
		if err != nil {
			t.Fatalf("Deploy: %v", err)
		}
	case <-guard.Done():
		t.Fatal("the runner never invoked Deploy")
	}
	h.sim.Wait(d.StackName)
	event := stackEvent(t, "cloudformation-gantry-env-beta-create-complete", stackIDOf(t, h, d.StackName), d.ID)
	if _, err := handler.Invoke(h.ctx, event); err != nil {
		t.Fatalf("first event: %v", err)
	}
	if x, err := runner.Wait(guard, execution); err != nil || x.Status != "SUCCEEDED" {
		t.Fatalf("execution = %+v, %v; want SUCCEEDED", x, err)
	}
	if _, err := handler.Invoke(h.ctx, event); err != nil {
		t.Fatalf("duplicate event: %v, want it ignored", err)
	}
}

// TestHandleEventCancelToken: should CloudFormation stamp a cancelled update's rollback with
// the cancellation's own token, the event still resolves the deployment's task.
func TestHandleEventCancelToken(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate(platformtest.EnvTemplate, "")
	d := waitingDeployment(t, h, platformtest.EnvTemplate)
	id := stackIDOf(t, h, d.StackName)
	h.prov.DescribeFunc = func(ctx context.Context, name string) (platform.Stack, error) {
		return platform.Stack{StackID: id, StackName: name, Status: "UPDATE_ROLLBACK_COMPLETE", StatusReason: "User Initiated",
			LastClientRequestToken: platform.CancelToken(d.ID)}, nil
	}
	h.deliver(stackEvent(t, "cloudformation-gantry-env-beta-rollback-complete", id, platform.CancelToken(d.ID)))
	_, resolved, _ := h.workflows.snapshot()
	if len(resolved) != 1 || resolved[0].Token != d.TaskToken || resolved[0].ErrorName != "StackFailed" ||
		resolved[0].Cause != "UPDATE_ROLLBACK_COMPLETE: User Initiated" {
		t.Fatalf("resolved %+v, want one StackFailed of %s with the stack's status and reason", resolved, d.TaskToken)
	}
}
