package workflow_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
	"github.com/gantry-platform/gantry/internal/workflow"
)

// TestNotifyIsIdempotent runs Notify twice on a finished deployment. Notify writes nothing:
// the stored state is the same after each run. Events are at-least-once (as on
// EventBridge), so the repeat sends the same events and notification again, identical,
// and nothing else.
func TestNotifyIsIdempotent(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate(platformtest.EnvTemplate, "")
	d := h.mustSucceed(h.mustCreateEnvironment("Beta", platformtest.EnvTemplate))
	env, blobs := h.mustEnvironment("Beta"), h.blobs()
	ops := h.stackOperations()
	starts, resolved, _ := h.workflows.snapshot()
	before, notesBefore := h.out.Events(), h.out.Notifications()

	if err := h.tasks.Notify(h.ctx, workflow.Input{DeploymentID: d.ID}); err != nil {
		t.Fatal(err)
	}
	afterFirst, notesFirst := h.out.Events(), h.out.Notifications()
	first, firstNotes := afterFirst[len(before):], notesFirst[len(notesBefore):]
	if len(first) != 2 || len(firstNotes) != 1 {
		t.Fatalf("Notify sent %d events and %d notifications, want 2 and 1", len(first), len(firstNotes))
	}
	kinds := map[string]platform.StatusChange{}
	for _, e := range first {
		var change platform.StatusChange
		if err := json.Unmarshal(e.Detail, &change); err != nil {
			t.Fatal(err)
		}
		kinds[e.DetailType] = change
	}
	if c := kinds["Environment Status Change"]; c.Name != "Beta" || c.Status != "SUCCEEDED" || c.PreviousStatus != "IN_PROGRESS" || c.DeploymentID != d.ID {
		t.Errorf("environment event = %+v", c)
	}
	if c := kinds["Deployment Status Change"]; c.Name != d.ID || c.Status != "SUCCEEDED" || c.Target != "environment Beta" {
		t.Errorf("deployment event = %+v", c)
	}
	if !strings.Contains(firstNotes[0], "environment Beta SUCCEEDED") || !strings.Contains(firstNotes[0], d.ID) {
		t.Errorf("notification = %q", firstNotes[0])
	}

	if err := h.tasks.Notify(h.ctx, workflow.Input{DeploymentID: d.ID}); err != nil {
		t.Fatal(err)
	}
	afterSecond, notesSecond := h.out.Events(), h.out.Notifications()
	if second := afterSecond[len(afterFirst):]; !reflect.DeepEqual(second, first) {
		t.Errorf("second Notify sent %d events, want the same %d again", len(second), len(first))
	}
	if second := notesSecond[len(notesFirst):]; !reflect.DeepEqual(second, firstNotes) {
		t.Errorf("second Notify sent %q, want %q", second, firstNotes)
	}
	if got := h.mustDeployment(d.ID); !reflect.DeepEqual(got, d) {
		t.Errorf("Notify changed the deployment")
	}
	if got := h.mustEnvironment("Beta"); !reflect.DeepEqual(got, env) {
		t.Errorf("Notify changed the environment")
	}
	if !reflect.DeepEqual(h.blobs(), blobs) || !reflect.DeepEqual(h.stackOperations(), ops) {
		t.Errorf("Notify changed blobs or stacks")
	}
	if starts2, resolved2, _ := h.workflows.snapshot(); len(starts2) != len(starts) || len(resolved2) != len(resolved) {
		t.Errorf("Notify started or resolved workflow tasks")
	}
}

func TestNotifyOfFailureCarriesTheReason(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate(platformtest.EnvTemplate, "")
	d := h.mustCreateEnvironment("Beta", platformtest.EnvTemplate)
	reason := "ROLLBACK_COMPLETE: Cluster: quota exceeded"
	if _, err := h.tasks.Record(h.ctx, workflow.Input{DeploymentID: d.ID, Error: &workflow.TaskError{Error: "StackFailed", Cause: reason}}); err != nil {
		t.Fatal(err)
	}
	if err := h.tasks.Notify(h.ctx, workflow.Input{DeploymentID: d.ID}); err != nil {
		t.Fatal(err)
	}
	published, notes := h.out.Events(), h.out.Notifications()
	if len(notes) != 1 || !strings.Contains(notes[0], "FAILED") || !strings.Contains(notes[0], reason) {
		t.Fatalf("notifications = %q, want one naming FAILED and the reason", notes)
	}
	last := published[len(published)-1]
	var change platform.StatusChange
	if err := json.Unmarshal(last.Detail, &change); err != nil || change.Message != reason {
		t.Fatalf("last event %s, want the reason as statusMessage", last.Detail)
	}
}
