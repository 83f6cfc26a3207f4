package store_test

import (
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/store/storetest"
)

func TestRecordPipelineExecution(t *testing.T) {
	ctx := t.Context()
	s := storetest.NewStore(t)
	if err := s.RecordPipelineExecution(ctx, "nope", platform.PipelineExecution{ID: "e1", State: "STARTED", UpdatedAt: time.Now()}); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("execution of a missing pipeline: %v, want NotFound", err)
	}
	mustCreateService(t, s, "frontend", "dev")
	p, err := s.GetServicePipeline(ctx, "frontend")
	if err != nil || p.LastExecution != nil {
		t.Fatalf("new pipeline = %+v, %v; want no execution", p, err)
	}
	t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	started := platform.PipelineExecution{ID: "e1", State: "STARTED", UpdatedAt: t0}
	stage := platform.PipelineExecution{ID: "e1", State: "STARTED", Stage: "Production", UpdatedAt: t0.Add(time.Minute)}
	succeeded := platform.PipelineExecution{ID: "e1", State: "SUCCEEDED", UpdatedAt: t0.Add(time.Minute)}
	// Out of order, a duplicate, and a stage change of the same second arriving last.
	for _, e := range []platform.PipelineExecution{succeeded, started, succeeded, stage} {
		if err := s.RecordPipelineExecution(ctx, "frontend", e); err != nil {
			t.Fatalf("record %s: %v", e.State, err)
		}
	}
	p, err = s.GetServicePipeline(ctx, "frontend")
	if err != nil || p.LastExecution == nil || *p.LastExecution != succeeded {
		t.Fatalf("pipeline execution = %+v, %v; want %+v (neither the older nor the same-second stage change may win)", p.LastExecution, err, succeeded)
	}
	if p.Service != "frontend" || p.LastDeploymentID == "" {
		t.Fatalf("pipeline read with its execution lost its own fields: %+v", p)
	}
	instances, err := s.ListServiceInstances(ctx, "frontend", platform.PageRequest{})
	if err != nil || len(instances.Items) != 1 {
		t.Fatalf("instances beside a pipeline execution = %+v, %v", instances.Items, err)
	}
}
