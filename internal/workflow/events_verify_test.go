package workflow_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
	"github.com/gantry-platform/gantry/internal/workflow"
)

// withStatus derives an event from a sample with another stack status.
func withStatus(event []byte, from, to string) []byte {
	return []byte(strings.Replace(string(event), `"`+from+`"`, `"`+to+`"`, 1))
}

// TestHandleEventDropsForgedAndStaleEvents delivers, for two environments waiting on
// their stacks, events that must not resolve anything: another deployment's token on a
// stack, a stack's event under another name, an earlier stack of the same name, and an
// UPDATE_COMPLETE for an update not submitted yet. Then the genuine events resolve each
// deployment exactly once.
func TestHandleEventDropsForgedAndStaleEvents(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate(platformtest.EnvTemplate, "")
	beta := waitingDeployment(t, h, platformtest.EnvTemplate)
	gamma := h.mustCreateEnvironment("Gamma", platformtest.EnvTemplate)
	h.mustRender(gamma.ID)
	h.mustDeploy(gamma.ID)
	h.sim.Wait(gamma.StackName)
	h.takeStackEvents()
	gamma = h.mustDeployment(gamma.ID)
	betaID, gammaID := stackIDOf(t, h, beta.StackName), stackIDOf(t, h, gamma.StackName)
	const complete = "cloudformation-gantry-env-beta-create-complete"

	forged := map[string][]byte{
		"Gamma's token on Beta's stack": stackEvent(t, complete, betaID, gamma.ID),
		"Beta's token on Gamma's stack": stackEvent(t, complete, gammaID, beta.ID),
		"an earlier stack named as Beta's": stackEvent(t, complete,
			strings.Replace(betaID, "/gantry-env-Beta/", "/gantry-env-Beta/0ld", 1), beta.ID),
		"Beta's cancellation token on Gamma's stack": stackEvent(t, complete, gammaID, platform.CancelToken(beta.ID)),
	}
	for name, ev := range forged {
		if _, err := h.events.Invoke(h.ctx, ev); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, resolved, _ := h.workflows.snapshot(); len(resolved) != 0 {
			t.Fatalf("%s resolved %+v", name, resolved)
		}
	}
	h.deliver(stackEvent(t, complete, betaID, beta.ID), stackEvent(t, complete, gammaID, gamma.ID))
	_, resolved, _ := h.workflows.snapshot()
	if len(resolved) != 2 || resolved[0].Token != beta.TaskToken || resolved[1].Token != gamma.TaskToken ||
		resolved[0].ErrorName != "" || resolved[1].ErrorName != "" {
		t.Fatalf("genuine events resolved %+v, want Beta's then Gamma's task with success", resolved)
	}

	// An update of Beta rendered but not submitted: an UPDATE_COMPLETE naming it is early.
	if _, err := h.tasks.Record(h.ctx, workflow.Input{DeploymentID: beta.ID}); err != nil {
		t.Fatal(err)
	}
	env, err := h.control.UpdateEnvironment(h.ctx, "Beta", control.UpdateInput{DeploymentType: platform.DeployCurrentVersion})
	if err != nil {
		t.Fatal(err)
	}
	update := h.mustDeployment(env.LastDeploymentID)
	h.mustRender(update.ID)
	early := withStatus(stackEvent(t, complete, betaID, update.ID), "CREATE_COMPLETE", "UPDATE_COMPLETE")
	h.deliver(early)
	if _, after, _ := h.workflows.snapshot(); len(after) != 2 {
		t.Fatalf("an UPDATE_COMPLETE before the update was submitted resolved %+v", after[2:])
	}
	if got := h.mustDeployment(update.ID); got.Status != platform.InProgress || got.TaskToken != "" {
		t.Fatalf("the early event changed the update: %+v", got)
	}

	// Its task token recorded, but the stack operation never reached CloudFormation (the
	// request failed): the stack's latest operation is still Beta's creation.
	h.prov.DeployFunc = func(ctx context.Context, in platform.StackDeployment) (platform.StackOperation, error) {
		return platform.StackOperation{}, errors.New("connection reset")
	}
	if _, err := h.tasks.Deploy(h.ctx, workflow.Input{DeploymentID: update.ID, TaskToken: tokenOf(update.ID)}); err == nil {
		t.Fatal("Deploy succeeded without submitting")
	}
	if got := h.mustDeployment(update.ID); got.TaskToken == "" {
		t.Fatal("Deploy recorded no task token")
	}
	h.deliver(early)
	if _, after, _ := h.workflows.snapshot(); len(after) != 2 {
		t.Fatalf("an UPDATE_COMPLETE of an operation CloudFormation never saw resolved %+v", after[2:])
	}
}

// TestHandleEventReorderedAndDuplicated delivers a stack's events out of order and
// repeatedly: an outcome arriving while the stack still runs is dropped, the genuine one
// resolves the task once, and repeats, late intermediate statuses and a contradicting
// outcome change nothing.
func TestHandleEventReorderedAndDuplicated(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate(platformtest.EnvTemplate, "")
	d := h.mustCreateEnvironment("Beta", platformtest.EnvTemplate)
	h.mustRender(d.ID)
	h.holdStacks() // the stack stays CREATE_IN_PROGRESS
	h.mustDeploy(d.ID)
	id := stackIDOf(t, h, d.StackName)
	complete := stackEvent(t, "cloudformation-gantry-env-beta-create-complete", id, d.ID)
	inProgress := stackEvent(t, "cloudformation-gantry-env-beta-create-in-progress", id, d.ID)
	rollback := stackEvent(t, "cloudformation-gantry-env-beta-rollback-complete", id, d.ID)

	h.deliver(complete, rollback, inProgress) // ahead of the stack
	if _, resolved, _ := h.workflows.snapshot(); len(resolved) != 0 {
		t.Fatalf("outcomes delivered while the stack still runs resolved %+v", resolved)
	}
	h.release()
	h.sim.Wait(d.StackName)
	h.deliver(complete, complete, inProgress, rollback, complete)
	_, resolved, _ := h.workflows.snapshot()
	if len(resolved) != 1 || resolved[0].Token != tokenOf(d.ID) || resolved[0].ErrorName != "" {
		t.Fatalf("resolved %+v, want one success of %s", resolved, tokenOf(d.ID))
	}
	if got := h.mustDeployment(d.ID); got.Status != platform.InProgress {
		t.Fatalf("events changed the deployment itself: %+v", got)
	}
}
