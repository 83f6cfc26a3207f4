package workflow_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
	"github.com/gantry-platform/gantry/internal/workflow"
)

func TestRenderIsIdempotent(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate(platformtest.EnvTemplate, "")
	d := h.mustCreateEnvironment("Beta", platformtest.EnvTemplate)

	first := h.mustRender(d.ID)
	afterFirst, envFirst, blobsFirst := h.mustDeployment(d.ID), h.mustEnvironment("Beta"), h.blobs()
	if first.RenderedKey == "" || afterFirst.RenderedKey != first.RenderedKey {
		t.Fatalf("Render = %+v, stored key %q", first, afterFirst.RenderedKey)
	}
	body := blobsFirst[first.RenderedKey]
	if !strings.Contains(body, "AWS::EC2::VPC") || strings.Contains(body, "{{") {
		t.Fatalf("rendered template is not the sample's, rendered:\n%.300s", body)
	}

	second := h.mustRender(d.ID)
	if second != first {
		t.Errorf("second Render = %+v, want %+v", second, first)
	}
	if got := h.mustDeployment(d.ID); !reflect.DeepEqual(got, afterFirst) {
		t.Errorf("second Render changed the deployment:\n got %+v\nwant %+v", got, afterFirst)
	}
	if got := h.mustEnvironment("Beta"); !reflect.DeepEqual(got, envFirst) {
		t.Errorf("second Render changed the environment:\n got %+v\nwant %+v", got, envFirst)
	}
	if got := h.blobs(); !reflect.DeepEqual(got, blobsFirst) {
		t.Errorf("second Render changed the blobs: %d → %d blobs", len(blobsFirst), len(got))
	}
	if ops := h.stackOperations(); len(ops) != 0 {
		t.Errorf("Render started stack operations: %v", ops)
	}
	if _, resolved, _ := h.workflows.snapshot(); len(resolved) != 0 {
		t.Errorf("Render resolved tasks: %+v", resolved)
	}
}

func TestRenderOfCancelledDeployment(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate(platformtest.EnvTemplate, "")
	d := h.mustCreateEnvironment("Beta", platformtest.EnvTemplate)
	if _, err := h.control.CancelDeployment(h.ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	_, err := h.tasks.Render(h.ctx, workflow.Input{DeploymentID: d.ID})
	var cancelled *workflow.DeploymentCancelled
	if !errors.As(err, &cancelled) || !strings.Contains(cancelled.Reason, "alice") {
		t.Fatalf("Render of a cancelled deployment: %v (%T), want *DeploymentCancelled naming who cancelled", err, err)
	}
	if got := h.mustDeployment(d.ID); got.RenderedKey != "" {
		t.Errorf("a cancelled deployment was rendered to %s", got.RenderedKey)
	}
}

func TestRenderFailureNamesTheFile(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate("broken-env", "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: {{ environment.inputs.vpc_cidr | no_such_filter }}\n")
	d := h.mustCreateEnvironment("Beta", "broken-env")
	_, err := h.tasks.Render(h.ctx, workflow.Input{DeploymentID: d.ID})
	var failed *workflow.RenderFailed
	if !errors.As(err, &failed) || !strings.Contains(failed.Reason, "cloudformation.yaml") {
		t.Fatalf("Render of a broken template: %v (%T), want *RenderFailed naming cloudformation.yaml", err, err)
	}
}

func TestRenderOfDeletionRendersNothing(t *testing.T) {
	h := newHarness(t)
	env := h.mustDeployedEnvironment()
	if _, err := h.control.DeleteEnvironment(h.ctx, env.Name); err != nil {
		t.Fatal(err)
	}
	del := h.mustDeployment(h.mustEnvironment(env.Name).LastDeploymentID)
	before := h.blobs()
	out := h.mustRender(del.ID)
	if out.RenderedKey != "" || !reflect.DeepEqual(h.blobs(), before) {
		t.Fatalf("Render of a deletion = %+v and wrote blobs", out)
	}
	if del.Operation != platform.Delete {
		t.Fatalf("deployment %+v is not a deletion", del)
	}
}
