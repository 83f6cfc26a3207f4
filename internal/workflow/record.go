package workflow

import (
	"context"
	"errors"

	"github.com/gantry-platform/gantry/internal/platform"
)

// RecordOutput is what Record hands on.
type RecordOutput struct {
	Status platform.DeploymentStatus `json:"status"`
}

// Record finishes the deployment: on success it reads the stack's outputs and applies the
// deployment to its target; with in.Error it records the failure and its reason (CANCELLED
// for a cancellation, or for any failure of a deployment being cancelled — typically its
// stack's cancelled update rolling back —, the message then naming who cancelled and how
// the wait ended); a deployment being cancelled whose stack operation succeeded all the
// same ends SUCCEEDED with a message saying the cancellation came too late. Recording an
// already finished deployment changes nothing. Once a
// new service's instances have all finished, it starts the service's pipeline deployment.
func (t *Tasks) Record(ctx context.Context, in Input) (RecordOutput, error) {
	for attempt := 0; ; attempt++ {
		d, err := t.store.GetDeployment(ctx, in.DeploymentID)
		if err != nil {
			return RecordOutput{}, err
		}
		if d.Finished() {
			// A repeat: what the first run's end made possible may not have happened yet.
			return RecordOutput{Status: d.Status}, t.followUp(ctx, d)
		}
		if err := t.settle(ctx, &d, in.Error); err != nil {
			return RecordOutput{}, err
		}
		err = t.store.FinishDeployment(ctx, d)
		if platform.KindOf(err) == platform.Conflict && attempt < 3 {
			continue // changed meanwhile (a cancellation, say): read it again
		}
		if err != nil {
			return RecordOutput{}, err
		}
		if err := t.followUp(ctx, d); err != nil {
			return RecordOutput{Status: d.Status}, err
		}
		return RecordOutput{Status: d.Status}, nil
	}
}

// settle sets d's final status, message and outputs.
func (t *Tasks) settle(ctx context.Context, d *platform.Deployment, failure *TaskError) error {
	now := t.clock()
	d.CompletedAt, d.UpdatedAt, d.TaskToken = now, now, ""
	if failure != nil {
		message := failure.Message()
		switch {
		case failure.Error == "DeploymentCancelled":
			d.Status = platform.Cancelled
		case d.Status == platform.Cancelling:
			// Typically the stack's cancelled update rolled back: say who cancelled, then how
			// the workflow's wait ended, e.g. "UPDATE_ROLLBACK_COMPLETE: User Initiated".
			d.Status = platform.Cancelled
			if d.StatusMessage != "" && d.StatusMessage != message {
				message = d.StatusMessage + " (" + message + ")"
			}
		case d.Operation == platform.Delete:
			d.Status = platform.DeleteFailed
		default:
			d.Status = platform.Failed
		}
		d.StatusMessage = message
		return nil
	}
	if d.Operation == platform.Delete {
		d.Status, d.StatusMessage = platform.DeleteComplete, ""
		return nil
	}
	engine, err := t.engines.For(d.Engine)
	if err != nil {
		return err
	}
	rep, err := engine.Report(ctx, *d)
	if err != nil {
		return &TransientError{Err: err}
	}
	message := ""
	if d.Status == platform.Cancelling {
		// The cancellation came too late: the engine had finished. Say so, rather than
		// end SUCCEEDED as if nobody had asked.
		message = d.StatusMessage + ", too late: " + engineName(d.Engine) + " had already finished the operation (" + rep.Status + "); the deployment succeeded"
	}
	d.Status, d.StatusMessage = platform.Succeeded, message
	if rep.ID != "" {
		d.StackID = rep.ID
	}
	if rep.Outputs != nil {
		d.Outputs = rep.Outputs // otherwise those the engine's commands notified stand
	}
	return nil
}

// followUp starts what d's end makes possible: a new service's pipeline, once none of its
// instances is still deploying for the first time; the removal of a service being
// deleted, once its last instance or pipeline is gone.
func (t *Tasks) followUp(ctx context.Context, d platform.Deployment) error {
	if d.Operation == platform.Delete && d.Target.Kind == platform.ComponentTarget && d.Target.Instance != "" {
		return t.deleteInstanceAfterComponent(ctx, d)
	}
	if d.Operation == platform.Delete && d.Target.Kind == platform.ServicePipelineTarget {
		if err := t.deleteWaitingInstances(ctx, d); err != nil {
			return err
		}
	}
	if d.Status == platform.DeleteComplete && d.Target.Kind != platform.EnvironmentTarget {
		return t.removeDeletedService(ctx, d.Target.Service)
	}
	if d.Target.Kind != platform.ServiceInstanceTarget {
		return nil
	}
	pipeline, err := t.store.GetServicePipeline(ctx, d.Target.Service)
	if platform.KindOf(err) == platform.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if pipeline.LastSucceededDeploymentID != "" || !pipeline.DeploymentStatus.Active() {
		return nil
	}
	pd, err := t.store.GetDeployment(ctx, pipeline.LastDeploymentID)
	if err != nil || pd.Finished() {
		return err
	}
	if settled, err := t.instancesSettled(ctx, d.Target.Service); err != nil || !settled {
		return err // the last instance to finish starts the pipeline
	}
	// Start is idempotent by name: when two instances finish together, both may get here
	// and the pipeline still deploys once.
	input := []byte(`{"deploymentId":"` + pd.ID + `"}`)
	if _, err := t.workflows.Start(ctx, pd.ID, input); err != nil {
		return &TransientError{Err: errors.Join(errors.New("start the pipeline deployment"), err)}
	}
	t.publish(ctx, platform.TargetEvents(pd, platform.InProgress)...)
	return nil
}

// deleteWaitingInstances starts the instance deletions DeleteService stored to follow the
// deletion d of the service's pipeline; when d failed, they end DELETE_FAILED unstarted.
func (t *Tasks) deleteWaitingInstances(ctx context.Context, d platform.Deployment) error {
	page := platform.PageRequest{Limit: 100}
	for {
		instances, err := t.store.ListServiceInstances(ctx, d.Target.Service, page)
		if err != nil {
			return err
		}
		for _, i := range instances.Items {
			if i.DeploymentStatus != platform.DeleteInProgress {
				continue
			}
			id, err := t.store.GetDeployment(ctx, i.LastDeploymentID)
			if err != nil {
				return err
			}
			if id.Finished() || id.StatusMessage != platform.WaitingForPipelineDeletion {
				continue
			}
			if d.Status != platform.DeleteComplete {
				id.Status, id.StatusMessage = platform.DeleteFailed, "not started: the service's pipeline could not be deleted ("+d.StatusMessage+")"
				id.CompletedAt, id.UpdatedAt = t.clock(), t.clock()
				if err := t.store.FinishDeployment(ctx, id); err != nil && platform.KindOf(err) != platform.Conflict {
					return err
				}
				continue
			}
			// Start is idempotent by name: a repeat of this task starts each deletion once.
			if _, err := t.workflows.Start(ctx, id.ID, []byte(`{"deploymentId":"`+id.ID+`"}`)); err != nil {
				return &TransientError{Err: errors.Join(errors.New("start an instance deletion"), err)}
			}
			t.publish(ctx, platform.TargetEvents(id, platform.DeleteInProgress)...)
		}
		if instances.NextToken == "" {
			return nil
		}
		page.NextToken = instances.NextToken
	}
}

// deleteInstanceAfterComponent starts the deletion of the service instance that waited for
// the deletion d of its component (platform.WaitingForComponentDeletion); when d failed,
// the instance's deletion ends DELETE_FAILED unstarted.
func (t *Tasks) deleteInstanceAfterComponent(ctx context.Context, d platform.Deployment) error {
	inst, err := t.store.GetServiceInstance(ctx, d.Target.Service, d.Target.Instance)
	if platform.KindOf(err) == platform.NotFound {
		return nil
	}
	if err != nil || inst.DeploymentStatus != platform.DeleteInProgress {
		return err
	}
	id, err := t.store.GetDeployment(ctx, inst.LastDeploymentID)
	if err != nil || id.Finished() || id.StatusMessage != platform.WaitingForComponentDeletion {
		return err
	}
	if d.Status != platform.DeleteComplete {
		id.Status, id.StatusMessage = platform.DeleteFailed, "not started: the instance's component "+d.Target.Component+" could not be deleted ("+d.StatusMessage+")"
		id.CompletedAt, id.UpdatedAt = t.clock(), t.clock()
		if err := t.store.FinishDeployment(ctx, id); err != nil && platform.KindOf(err) != platform.Conflict {
			return err
		}
		return nil
	}
	// Start is idempotent by name: a repeat of this task starts the deletion once.
	if _, err := t.workflows.Start(ctx, id.ID, []byte(`{"deploymentId":"`+id.ID+`"}`)); err != nil {
		return &TransientError{Err: errors.Join(errors.New("start an instance deletion"), err)}
	}
	t.publish(ctx, platform.TargetEvents(id, platform.DeleteInProgress)...)
	return nil
}

// removeDeletedService removes a service being deleted (DeleteService) once it has no
// instance or pipeline left. The store refuses while any remains, so that whichever
// deletion finishes last removes it; a service already gone is fine.
func (t *Tasks) removeDeletedService(ctx context.Context, name string) error {
	svc, err := t.store.GetService(ctx, name)
	if platform.KindOf(err) == platform.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if svc.Status != platform.ServiceDeleteInProgress {
		return nil
	}
	switch err := t.store.DeleteService(ctx, name); platform.KindOf(err) {
	case "", platform.NotFound, platform.Conflict: // Conflict: instances remain
		return nil
	default:
		return err
	}
}

// publish sends events best-effort: a lost status event must not fail the workflow.
func (t *Tasks) publish(ctx context.Context, events ...platform.Event) {
	if t.events == nil {
		return
	}
	if err := t.events.Publish(ctx, events...); err != nil {
		t.log.ErrorContext(ctx, "publish status events", "error", err)
	}
}
