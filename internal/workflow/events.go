package workflow

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
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
// repeat changes nothing. A Step Functions execution that ended badly (FAILED, TIMED_OUT,
// ABORTED) has the reconciler resume its deployment if the execution still held it; a
// scheduled event runs the reconciler's sweep (see Reconcile). A CodeBuild build's end
// resolves the task of the deployment it ran for (see buildChanged). An event of another kind is
// an Invalid error.
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
	case awsevents.ExecutionStatusChange:
		return t.executionEnded(ctx, ev)
	case awsevents.BuildStateChange:
		return t.buildChanged(ctx, ev)
	case awsevents.Scheduled:
		_, err := t.Reconcile(ctx, ReconcileInput{})
		return err
	default:
		return platform.Errorf(platform.Invalid, "unexpected event %T", ev)
	}
}

// stackChanged resolves the waiting task of the deployment a stack status change names,
// once the change is verified: the event's stack is the deployment's stack, its token is
// the deployment's (its id, or its cancellation's token), the deployment is waiting on
// CloudFormation (its task token recorded, not finished), and CloudFormation itself — the
// source of truth, described again — shows that same stack, with this deployment's
// operation as its latest, ended. The outcome sent is the one the stack shows. Anything
// else (a forged, foreign, stale or early event) is logged and dropped; a duplicate meets
// a task already resolved and changes nothing. A failure to describe the stack is
// returned, so that the event is delivered again.
func (t *Tasks) stackChanged(ctx context.Context, ev awsevents.StackStatusChange) error {
	log := t.log.With("stack", ev.StackName, "stackId", ev.StackID, "status", ev.Status, "token", ev.ClientRequestToken)
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
		log.WarnContext(ctx, "stack event for no known deployment: dropped")
		return nil
	}
	if err != nil {
		return err
	}
	log = log.With("deployment", d.ID)
	deleting := strings.HasPrefix(ev.Status, "DELETE_")
	switch {
	case d.Finished() || d.TaskToken == "":
		log.InfoContext(ctx, "stack event while its deployment waits on no stack operation (finished, or not submitted yet): dropped")
		return nil
	case d.Engine.OrDefault() != platform.EngineCloudFormation:
		log.WarnContext(ctx, "stack event for a deployment another engine provisions: dropped", "engine", d.Engine)
		return nil
	case ev.StackName != d.StackName:
		log.WarnContext(ctx, "stack event of another stack carrying this deployment's token: dropped", "deploymentStack", d.StackName)
		return nil
	case deleting != (d.Operation == platform.Delete):
		log.WarnContext(ctx, "stack event of another operation: dropped", "operation", d.Operation)
		return nil
	}
	status, reason, ok, err := t.verifyStack(ctx, log, d, ev)
	if err != nil || !ok {
		return err
	}
	if awsevents.ClassifyStackStatus(status) == awsevents.Succeeded || status == "DELETE_COMPLETE" {
		out, _ := json.Marshal(map[string]string{"stackStatus": status, "stackId": ev.StackID})
		return ignoreResolved(t.workflows.SendTaskSuccess(ctx, d.TaskToken, out))
	}
	if reason == "" {
		reason = ev.StatusReason
	}
	if reason == "" {
		reason = "the stack ended " + status
	}
	return ignoreResolved(t.workflows.SendTaskFailure(ctx, d.TaskToken, "StackFailed", status+": "+reason))
}

// verifyStack asks CloudFormation how deployment d's stack stands and reports whether the
// event ev agrees: same stack id, d's operation the latest, ended. It returns the stack's
// final status and failure reason (the root cause from the stack's events).
func (t *Tasks) verifyStack(ctx context.Context, log *slog.Logger, d platform.Deployment, ev awsevents.StackStatusChange) (status, reason string, ok bool, err error) {
	stacks, err := t.engines.For(platform.EngineCloudFormation)
	if err != nil {
		return "", "", false, err
	}
	stack, err := stacks.Report(ctx, d)
	switch {
	case (d.Account != "" || d.Region != "") && (platform.KindOf(err) == platform.Conflict || platform.KindOf(err) == platform.Invalid):
		log.WarnContext(ctx, "stack event of an environment account or region Gantry cannot reach: dropped", "account", d.Account, "region", d.Region, "error", platform.MessageOf(err))
		return "", "", false, nil
	case platform.KindOf(err) == platform.NotFound && d.Operation == platform.Delete && ev.Status == "DELETE_COMPLETE":
		return ev.Status, "", true, nil // a deleted stack is described no more (by name)
	case platform.KindOf(err) == platform.NotFound:
		log.WarnContext(ctx, "stack event of a stack that does not exist: dropped")
		return "", "", false, nil
	case err != nil:
		return "", "", false, &TransientError{Err: fmt.Errorf("verify the stack event against the stack: %w", err)}
	}
	switch {
	case stack.ID != ev.StackID:
		log.WarnContext(ctx, "stack event of another stack of that name (an earlier one): dropped", "currentStackId", stack.ID)
		return "", "", false, nil
	case stack.DeploymentID != d.ID:
		log.WarnContext(ctx, "stack event of an operation that is not the stack's latest: dropped", "latestDeployment", stack.DeploymentID)
		return "", "", false, nil
	}
	outcome := awsevents.ClassifyStackStatus(stack.Status)
	if outcome != awsevents.Succeeded && outcome != awsevents.Failed {
		log.WarnContext(ctx, "stack event ahead of the stack, still "+stack.Status+": dropped until the stack ends")
		return "", "", false, nil
	}
	if outcome != awsevents.ClassifyStackStatus(ev.Status) {
		log.WarnContext(ctx, "stack event disagrees with the stack, which ended "+stack.Status+": the stack's status counts")
	}
	return stack.Status, stack.Reason, true, nil
}

// executionEnded hands the deployment of an execution that ended badly to the reconciler.
// The deployment is the execution input's deploymentId, or else the execution's name (a
// deployment id, or <id>-resume-<n>).
func (t *Tasks) executionEnded(ctx context.Context, ev awsevents.ExecutionStatusChange) error {
	switch ev.Status {
	case "FAILED", "TIMED_OUT", "ABORTED":
	default:
		return nil // running or succeeded: its worker is fine
	}
	var input struct {
		DeploymentID string `json:"deploymentId"`
	}
	if json.Unmarshal([]byte(ev.Input), &input) != nil || input.DeploymentID == "" {
		input.DeploymentID, _, _ = strings.Cut(ev.Name, "-resume-")
	}
	report, err := t.Reconcile(ctx, ReconcileInput{DeploymentID: input.DeploymentID, Execution: ev.Name})
	if err == nil && len(report.Resumed) > 0 {
		t.log.WarnContext(ctx, "a deployment's execution ended "+ev.Status+": resumed", "execution", ev.ExecutionARN,
			"deployment", input.DeploymentID, "error", ev.Error, "cause", ev.Cause)
	}
	return err
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
