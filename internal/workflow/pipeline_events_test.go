package workflow_test

import (
	"testing"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

// TestHandleEventRecordsPipelineExecutions pushes the CodePipeline samples of service
// frontend's pipeline through the events function: the pipeline-level outcome becomes the
// pipeline's last execution, whatever the order and however often the events arrive.
func TestHandleEventRecordsPipelineExecutions(t *testing.T) {
	h := newHarness(t)
	stage := platformtest.EventSample(t, "codepipeline-gantry-stage-execution-failed")
	succeeded := platformtest.EventSample(t, "codepipeline-gantry-pipeline-execution-succeeded")
	// Before the service exists the events change nothing and are no error.
	if _, err := h.events.Invoke(h.ctx, succeeded); err != nil {
		t.Fatalf("event of a pipeline Gantry does not know: %v", err)
	}
	h.mustDeployedEnvironment()
	h.mustTemplate(platform.ServiceTemplate, platformtest.SvcTemplate, platformtest.TarGz(t, platformtest.SamplePath(t, platformtest.SvcBundle), nil))
	spec := "proton: ServiceSpec\npipeline: {}\ninstances:\n  - name: frontend-dev\n    environment: Beta\n    spec: {}\n"
	if _, err := h.control.CreateService(h.ctx, control.CreateServiceInput{Name: "frontend", TemplateName: platformtest.SvcTemplate, MajorVersion: 1,
		Spec: spec, RepositoryID: "example-org/frontend", BranchName: "main",
		RepositoryConnectionARN: "arn:aws:codestar-connections:us-east-1:111122223333:connection/example"}); err != nil {
		t.Fatalf("create service: %v", err)
	}

	if _, err := h.events.Invoke(h.ctx, stage); err != nil {
		t.Fatal(err)
	}
	p, err := h.store.GetServicePipeline(h.ctx, "frontend")
	if err != nil || p.LastExecution == nil || p.LastExecution.State != "STARTED" || p.LastExecution.Stage != "Build" {
		t.Fatalf("after the stage event: %+v, %v; want STARTED in stage Build", p.LastExecution, err)
	}
	// The outcome, then the older stage event again and the outcome again.
	for _, ev := range [][]byte{succeeded, stage, succeeded} {
		if _, err := h.events.Invoke(h.ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	p, err = h.store.GetServicePipeline(h.ctx, "frontend")
	if err != nil || p.LastExecution == nil {
		t.Fatalf("pipeline = %+v, %v", p, err)
	}
	if e := p.LastExecution; e.ID != "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a" || e.State != "SUCCEEDED" || e.Stage != "" {
		t.Fatalf("last execution = %+v, want the SUCCEEDED execution", e)
	}
}
