package local

import (
	"context"
	"time"

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
