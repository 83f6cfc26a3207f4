package local

import (
	"context"
	"encoding/json"
	"time"

	"github.com/gantry-platform/gantry/internal/awsevents"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/workflow"
)

// startReconciler resumes what a previous process left in flight — its executions died
// with it, so every unfinished deployment with a lease is taken over, expired or not —
// then sweeps for expired leases every cfg.ReconcileInterval until Close.
func (p *Platform) startReconciler(ctx context.Context, cfg Config) error {
	report, err := p.tasks.Reconcile(ctx, workflow.ReconcileInput{All: true})
	if err != nil {
		return err
	}
	if len(report.Resumed) > 0 {
		cfg.Log.WarnContext(ctx, "resumed the deployments a previous run left unfinished", "deployments", report.Resumed)
	}
	interval := cfg.ReconcileInterval
	if interval == 0 {
		interval = time.Minute
	}
	if interval < 0 {
		return nil
	}
	sweepCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	p.stopSweeps = stop
	p.sweeps.Go(func() {
		ticker := time.NewTicker(interval)
		defer ticker.Stop()
		for {
			select {
			case <-sweepCtx.Done():
				return
			case <-ticker.C:
			}
			if _, err := p.Reconcile(sweepCtx); err != nil && sweepCtx.Err() == nil {
				cfg.Log.ErrorContext(sweepCtx, "reconcile: sweep", "error", err)
			}
		}
	})
	return nil
}

// Reconcile sweeps once for deployments whose lease expired and resumes them
// (workflow.Tasks.Reconcile); it returns the ids of those resumed.
func (p *Platform) Reconcile(ctx context.Context) ([]string, error) {
	report, err := p.tasks.Reconcile(ctx, workflow.ReconcileInput{})
	return report.Resumed, err
}

// stateMachineARN is the ARN of local mode's deployment state machine.
const stateMachineARN = "arn:aws:states:" + Region + ":" + AccountID + ":stateMachine:gantry-deployment"

// executionStatuses maps the runner's history events that end an execution badly to the
// status Step Functions reports.
var executionStatuses = map[string]string{"ExecutionFailed": "FAILED", "ExecutionTimedOut": "TIMED_OUT", "ExecutionAborted": "ABORTED"}

// executionTransition is the runner's OnTransition: when an execution ends badly it puts
// a "Step Functions Execution Status Change" event on the bus, as Step Functions does on
// AWS, and the rule of events/ takes it to the reconciler. Executions stopped by Close
// are not reported: the next start resumes their deployments.
func (p *Platform) executionTransition(exec, state, kind string) {
	status := executionStatuses[kind]
	if status == "" || state != "" || p.closing.Load() {
		return
	}
	x, err := p.Runner.Describe(exec)
	if err != nil {
		return
	}
	now := time.Now().UTC()
	raw, _ := json.Marshal(map[string]any{
		"version": "0", "id": platform.NewID(), "detail-type": awsevents.DetailTypeExecutionStatusChange,
		"source": awsevents.SourceStepFunctions, "account": AccountID, "time": now.Format(time.RFC3339), "region": Region,
		"resources": []string{exec},
		"detail": map[string]any{"executionArn": exec, "stateMachineArn": stateMachineARN, "name": x.Name, "status": status,
			"startDate": x.StartDate.UnixMilli(), "stopDate": now.UnixMilli(), "input": string(x.Input)},
	})
	if err := p.Bus.Put(context.Background(), raw); err != nil && !p.closing.Load() {
		p.Notifications.log.Error("put an execution status change on the bus", "execution", exec, "error", err)
	}
}
