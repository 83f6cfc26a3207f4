package workflow

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/gantry-platform/gantry/events"
	"github.com/gantry-platform/gantry/internal/awsevents"
	"github.com/gantry-platform/gantry/internal/platform"
)

// HandleEvent handles one EventBridge event matched by a rule in events/. A CloudFormation
// stack status change resolves the task its deployment's workflow waits on: success or
// failure with the root cause. A CodePipeline pipeline or stage execution change of a
// service's pipeline (named as platform.PipelineName says) becomes the pipeline's last
// execution; every CodePipeline change is republished as a Gantry "Pipeline Execution
// Status Change" event. Events arrive at least once and in any order: an event for a
// finished or superseded deployment, an intermediate status, an older pipeline change or a
// repeat changes nothing. An event of another kind is an Invalid error.
func (t *Tasks) HandleEvent(ctx context.Context, raw json.RawMessage) error {
	ev, err := awsevents.Decode(raw)
	if err != nil {
		return err
	}
	switch ev := ev.(type) {
	case awsevents.StackStatusChange:
		return t.stackChanged(ctx, ev)
	case awsevents.PipelineStateChange:
		return t.pipelineChanged(ctx, ev)
	default:
		return platform.Errorf(platform.Invalid, "unexpected event %T", ev)
	}
}

func (t *Tasks) stackChanged(ctx context.Context, ev awsevents.StackStatusChange) error {
	log := t.log.With("stack", ev.StackName, "status", ev.Status, "token", ev.ClientRequestToken)
	if !events.IsGantryStackID(ev.StackID) {
		log.InfoContext(ctx, "stack event of a stack Gantry does not own: ignored")
		return nil
	}
	if ev.ClientRequestToken == "" {
		log.InfoContext(ctx, "stack event without a client request token: not a Gantry operation")
		return nil
	}
	outcome := awsevents.ClassifyStackStatus(ev.Status)
	if outcome != awsevents.Succeeded && outcome != awsevents.Failed {
		return nil // an intermediate status: the workflow waits for the outcome
	}
	d, err := t.store.GetDeployment(ctx, platform.DeploymentOfToken(ev.ClientRequestToken))
	if platform.KindOf(err) == platform.NotFound {
		log.InfoContext(ctx, "stack event for no known deployment")
		return nil
	}
	if err != nil {
		return err
	}
	deleting := strings.HasPrefix(ev.Status, "DELETE_")
	switch {
	case d.Finished() || d.TaskToken == "":
		log.InfoContext(ctx, "stack event after its deployment was resolved: ignored")
		return nil
	case deleting != (d.Operation == platform.Delete):
		log.InfoContext(ctx, "stack event of another operation: ignored")
		return nil
	case outcome == awsevents.Succeeded:
		out, _ := json.Marshal(map[string]string{"stackStatus": ev.Status, "stackId": ev.StackID})
		return ignoreResolved(t.workflows.SendTaskSuccess(ctx, d.TaskToken, out))
	case outcome == awsevents.Failed:
		reason := ev.StatusReason
		if stack, err := t.provisioner.Describe(ctx, d.StackName); err == nil && stack.StatusReason != "" {
			reason = stack.StatusReason // the root cause, from the stack's events
		}
		if reason == "" {
			reason = "the stack ended " + ev.Status
		}
		return ignoreResolved(t.workflows.SendTaskFailure(ctx, d.TaskToken, "StackFailed", ev.Status+": "+reason))
	default:
		return nil
	}
}

// ignoreResolved treats a task already resolved (a duplicate event) as done.
func ignoreResolved(err error) error {
	switch platform.KindOf(err) {
	case platform.NotFound, platform.Conflict:
		return nil
	}
	return err
}

func (t *Tasks) pipelineChanged(ctx context.Context, ev awsevents.PipelineStateChange) error {
	t.publish(ctx, platform.StatusChangeEvent("Pipeline Execution", platform.StatusChange{
		Name: ev.Pipeline, Status: ev.State, Target: ev.Level + " " + strings.Trim(ev.Stage+"/"+ev.Action, "/"),
		DeploymentID: ev.ExecutionID, Message: ev.Summary}))
	service, ok := platform.PipelineService(ev.Pipeline)
	if !ok || ev.Level == awsevents.LevelAction {
		return nil // not a service's pipeline by name, or an action's change: republished only
	}
	e := platform.PipelineExecution{ID: ev.ExecutionID, State: ev.State, Summary: ev.Summary, UpdatedAt: ev.Time}
	if ev.Level == awsevents.LevelStage {
		// A stage changing means the execution is running; the stage's own outcome is
		// in Summary when CodePipeline gives one.
		e.State, e.Stage = "STARTED", ev.Stage
		if ev.State == "FAILED" && e.Summary == "" {
			e.Summary = "stage " + ev.Stage + " failed"
		}
	}
	err := t.store.RecordPipelineExecution(ctx, service, e)
	if platform.KindOf(err) == platform.NotFound {
		t.log.InfoContext(ctx, "pipeline event of a service without a pipeline: ignored", "pipeline", ev.Pipeline)
		return nil
	}
	return err
}
