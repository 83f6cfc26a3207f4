package workflow

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
)

// DefaultLease is Config.Lease's default.
const DefaultLease = 10 * time.Minute

// ProvisionWait and ReconcileWait are how long the state machine waits before calling a
// task again: Provision's TimeoutSeconds (the wait for CloudFormation's event, before
// Reconcile asks CloudFormation itself) and WaitForStack's Seconds (between two
// Reconciles). A task about to wait that long extends its deployment's lease by as much;
// a test keeps them equal to statemachines/deployment.asl.json.
const (
	ProvisionWait = time.Hour
	ReconcileWait = time.Minute
)

// renew gives d's lease to owner until wait plus the lease duration from now. To keep a
// repeated task from writing for nothing, a lease of the same owner with more than half of
// that left stands; renew reports whether it changed d.
func (t *Tasks) renew(d *platform.Deployment, owner string, wait time.Duration) bool {
	if owner == "" {
		owner = d.LeaseOwner
	}
	hold, now := wait+t.lease, t.clock()
	expires := now.Add(hold)
	if owner == d.LeaseOwner && d.LeaseExpiresAt.Sub(now) > hold/2 {
		return false
	}
	d.LeaseOwner, d.LeaseExpiresAt = owner, expires
	return true
}

// ReconcileInput says what Reconcile looks at. The zero value sweeps the deployments
// whose lease has expired.
type ReconcileInput struct {
	// DeploymentID, when set, reconciles that deployment alone: the one of a workflow
	// execution that ended badly (failed, timed out, aborted), named Execution. It is
	// taken over when its lease has expired or is still Execution's.
	DeploymentID string
	Execution    string
	// All takes over every unfinished deployment that has a lease, expired or not: what
	// local mode does when it starts, since the executions of a previous process died
	// with it.
	All bool
}

// ReconcileReport says what Reconcile did: the deployments it resumed (a new execution
// started for each) and those it left (another worker holds them, or they finished).
type ReconcileReport struct {
	Resumed []string
	Left    int
}

// Reconcile finds deployments whose worker is gone — their lease expired, or their
// execution ended badly — and resumes each: it claims the deployment with a conditional
// write (so that two reconcilers never both act) and starts a new execution of the
// deployment state machine, named <deployment id>-resume-<revision>, with input
// {"deploymentId", "resume": true}. That execution starts at Reconcile, where
// CloudFormation's description of the stack decides: a stack operation of this
// deployment that finished is recorded with its real outcome, one still running is waited
// for, one never submitted fails the deployment with that reason (a cancelled deployment
// ends CANCELLED); then Notify, as always. A deployment that could not be resumed (the
// execution did not start) keeps the reconciler's lease and is tried again once it
// expires. Errors: the store's, for the sweep's Query; failures of single deployments are
// logged and counted as left.
func (t *Tasks) Reconcile(ctx context.Context, in ReconcileInput) (ReconcileReport, error) {
	var report ReconcileReport
	now := t.clock()
	if in.DeploymentID != "" {
		d, err := t.store.GetDeployment(ctx, in.DeploymentID)
		if platform.KindOf(err) == platform.NotFound {
			t.log.WarnContext(ctx, "reconcile: no such deployment", "deployment", in.DeploymentID, "execution", in.Execution)
			return report, nil
		}
		if err != nil {
			return report, err
		}
		if d.Finished() || d.LeaseExpiresAt.IsZero() || (d.LeaseExpiresAt.After(now) && d.LeaseOwner != in.Execution) {
			report.Left++
			return report, nil
		}
		t.resume(ctx, d, &report)
		return report, nil
	}
	before := now
	if in.All {
		before = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	page := platform.PageRequest{Limit: 100}
	for {
		expired, err := t.store.ListExpiredDeployments(ctx, before, page)
		if err != nil {
			return report, err
		}
		for _, d := range expired.Items {
			t.resume(ctx, d, &report)
		}
		if expired.NextToken == "" {
			return report, nil
		}
		page.NextToken = expired.NextToken
	}
}

// resume claims deployment d (as listed) and starts the execution that carries it to its end.
func (t *Tasks) resume(ctx context.Context, d platform.Deployment, report *ReconcileReport) {
	log := t.log.With("deployment", d.ID, "status", d.Status, "leaseOwner", d.LeaseOwner, "leaseExpiresAt", d.LeaseExpiresAt)
	// The index may lag: read the deployment itself, then claim it on its Revision.
	d, err := t.store.GetDeployment(ctx, d.ID)
	if err != nil || d.Finished() {
		report.Left++
		return
	}
	switch waiting, err := t.waiting(ctx, d); {
	case err != nil:
		log.ErrorContext(ctx, "reconcile: what the deployment waits for", "error", err)
		report.Left++
		return
	case waiting == stillWaiting:
		// Nothing is lost: what it waits for is under way and will start it. Hold it
		// another lease.
		d.LeaseOwner, d.LeaseExpiresAt, d.UpdatedAt = "waiting", t.clock().Add(t.lease), t.clock()
		if err := t.store.UpdateDeployment(ctx, d); err != nil {
			log.InfoContext(ctx, "reconcile: waiting deployment not renewed", "error", err)
		}
		report.Left++
		return
	case waiting == waitOver:
		// What it waited for ended, but the worker that was to start it was lost: start
		// it as that worker would have (its own execution, named after it).
		t.startWaited(ctx, d, log, report)
		return
	}
	name := d.ID + "-resume-" + strconv.FormatInt(d.Revision+1, 10)
	d.LeaseOwner, d.LeaseExpiresAt, d.UpdatedAt = name, t.clock().Add(t.lease), t.clock()
	if err := t.store.UpdateDeployment(ctx, d); err != nil {
		// Conflict: another worker or reconciler changed it meanwhile, and holds it.
		log.InfoContext(ctx, "reconcile: deployment not claimed", "error", err)
		report.Left++
		return
	}
	input, _ := json.Marshal(map[string]any{"deploymentId": d.ID, "resume": true})
	if _, err := t.workflows.Start(ctx, name, input); err != nil {
		log.ErrorContext(ctx, "reconcile: start the resuming execution", "execution", name, "error", err)
		report.Left++
		return
	}
	log.WarnContext(ctx, "reconcile: the deployment's worker was lost; resumed", "execution", name)
	report.Resumed = append(report.Resumed, d.ID)
}

// waitState says whether a deployment is one that waits for another target's deployment
// before it starts, and whether that other one is still under way.
type waitState int

const (
	notWaiting   waitState = iota // an ordinary deployment
	stillWaiting                  // what it waits for is under way
	waitOver                      // what it waits for has ended
)

// waiting tells whether d is a deployment that starts only when another ends — a new
// service's pipeline after its instances (platform.WaitingForInstances), an instance's
// deletion after its pipeline's or its component's — and whether that one is still under
// way. Errors: the store's.
func (t *Tasks) waiting(ctx context.Context, d platform.Deployment) (waitState, error) {
	busy := func(active bool, err error) (waitState, error) {
		switch {
		case platform.KindOf(err) == platform.NotFound:
			return waitOver, nil
		case err != nil:
			return notWaiting, err
		case active:
			return stillWaiting, nil
		}
		return waitOver, nil
	}
	switch d.StatusMessage {
	case platform.WaitingForInstances:
		settled, err := t.instancesSettled(ctx, d.Target.Service)
		return busy(!settled, err)
	case platform.WaitingForPipelineDeletion:
		p, err := t.store.GetServicePipeline(ctx, d.Target.Service)
		return busy(p.DeploymentStatus.Active(), err)
	case platform.WaitingForComponentDeletion:
		c, err := t.store.GetInstanceComponent(ctx, d.Target.Service, d.Target.Instance)
		return busy(c.DeploymentStatus.Active(), err)
	}
	return notWaiting, nil
}

// startWaited claims d, a waiting deployment whose wait is over, and starts it: a
// pipeline as followUp does once the instances have finished; an instance's deletion as
// deleteWaitingInstances and deleteInstanceAfterComponent do, through the deployment its
// wait was for (so that a failed pipeline or component deletion fails it as there).
func (t *Tasks) startWaited(ctx context.Context, d platform.Deployment, log *slog.Logger, report *ReconcileReport) {
	d.LeaseOwner, d.LeaseExpiresAt, d.UpdatedAt = d.ID, t.clock().Add(t.lease), t.clock()
	if err := t.store.UpdateDeployment(ctx, d); err != nil {
		log.InfoContext(ctx, "reconcile: waiting deployment not claimed", "error", err)
		report.Left++
		return
	}
	var err error
	switch d.StatusMessage {
	case platform.WaitingForInstances:
		_, err = t.workflows.Start(ctx, d.ID, []byte(`{"deploymentId":"`+d.ID+`"}`))
		if err == nil {
			t.publish(ctx, platform.TargetEvents(d, platform.InProgress)...)
		}
	case platform.WaitingForPipelineDeletion:
		p, gerr := t.store.GetServicePipeline(ctx, d.Target.Service)
		var awaited platform.Deployment
		if awaited, err = t.awaitedDeletion(ctx, platform.Target{Kind: platform.ServicePipelineTarget, Service: d.Target.Service}, p.LastDeploymentID, gerr); err == nil {
			err = t.deleteWaitingInstances(ctx, awaited)
		}
	case platform.WaitingForComponentDeletion:
		c, gerr := t.store.GetInstanceComponent(ctx, d.Target.Service, d.Target.Instance)
		target := platform.Target{Kind: platform.ComponentTarget, Service: d.Target.Service, Instance: d.Target.Instance, Component: c.Name}
		var awaited platform.Deployment
		if awaited, err = t.awaitedDeletion(ctx, target, c.LastDeploymentID, gerr); err == nil {
			err = t.deleteInstanceAfterComponent(ctx, awaited)
		}
	}
	if err != nil {
		log.ErrorContext(ctx, "reconcile: start the waiting deployment", "error", err)
		report.Left++
		return
	}
	log.WarnContext(ctx, "reconcile: the worker that was to start this deployment was lost; started")
	report.Resumed = append(report.Resumed, d.ID)
}

// instancesSettled reports whether none of service's instances has a deployment under way.
func (t *Tasks) instancesSettled(ctx context.Context, service string) (bool, error) {
	page := platform.PageRequest{Limit: 100}
	for {
		instances, err := t.store.ListServiceInstances(ctx, service, page)
		if err != nil {
			return false, err
		}
		for _, i := range instances.Items {
			if i.DeploymentStatus.Active() {
				return false, nil
			}
		}
		if instances.NextToken == "" {
			return true, nil
		}
		page.NextToken = instances.NextToken
	}
}

// awaitedDeletion returns the deletion a waiting deployment waited for, from the read of
// its target (getErr): a target that is gone was deleted (DELETE_COMPLETE); one still there
// ended otherwise, as its last deployment says.
func (t *Tasks) awaitedDeletion(ctx context.Context, target platform.Target, lastDeploymentID string, getErr error) (platform.Deployment, error) {
	switch {
	case platform.KindOf(getErr) == platform.NotFound:
		return platform.Deployment{Target: target, Operation: platform.Delete, Status: platform.DeleteComplete}, nil
	case getErr != nil:
		return platform.Deployment{}, getErr
	}
	return t.store.GetDeployment(ctx, lastDeploymentID)
}
