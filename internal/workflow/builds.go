package workflow

import (
	"context"
	"encoding/json"

	"github.com/gantry-platform/gantry/internal/awsevents"
	"github.com/gantry-platform/gantry/internal/platform"
)

// buildChanged resolves the waiting task of the deployment whose build ended, once the
// event is verified: the build is the deployment's (its ProvisioningRef), the deployment
// waits on it, and CodeBuild itself (the CodeBuild engine's Report) shows the build
// ended. A build that succeeded finishes the deployment unless its commands reported
// otherwise first; one that failed, timed out or was stopped fails it with the phase and
// CodeBuild's reason. Anything else is logged and dropped; a duplicate changes nothing.
func (t *Tasks) buildChanged(ctx context.Context, ev awsevents.BuildStateChange) error {
	log := t.log.With("build", ev.BuildID, "status", ev.Status, "deployment", ev.DeploymentID)
	if !awsevents.BuildEnded(ev.Status) || ev.DeploymentID == "" {
		return nil
	}
	d, err := t.store.GetDeployment(ctx, ev.DeploymentID)
	if platform.KindOf(err) == platform.NotFound {
		log.WarnContext(ctx, "build event for no known deployment: dropped")
		return nil
	}
	if err != nil {
		return err
	}
	switch {
	case d.Finished() || d.TaskToken == "":
		log.InfoContext(ctx, "build event while its deployment waits on no build: dropped")
		return nil
	case d.ProvisioningRef != ev.BuildID:
		log.WarnContext(ctx, "build event of a build that is not the deployment's: dropped", "deploymentBuild", d.ProvisioningRef)
		return nil
	}
	engine, err := t.engines.For(d.Engine)
	if err != nil {
		return err
	}
	rep, err := engine.Report(ctx, d)
	if err != nil {
		return &TransientError{Err: err}
	}
	switch {
	case rep.DeploymentID != d.ID:
		log.WarnContext(ctx, "build event of a build that runs another deployment: dropped")
		return nil
	case rep.Outcome == platform.OutcomeInProgress:
		log.WarnContext(ctx, "build event ahead of the build, still "+rep.Status+": dropped")
		return nil
	case d.Reported == platform.Failed:
		return ignoreResolved(t.workflows.SendTaskFailure(ctx, d.TaskToken, "ProvisioningFailed", d.ReportedMessage))
	case rep.Outcome == platform.OutcomeSucceeded || d.Reported == platform.Succeeded:
		out, _ := json.Marshal(map[string]string{"buildStatus": rep.Status, "buildId": rep.ID})
		return ignoreResolved(t.workflows.SendTaskSuccess(ctx, d.TaskToken, out))
	}
	return ignoreResolved(t.workflows.SendTaskFailure(ctx, d.TaskToken, "ProvisioningFailed", rep.Reason))
}
