// Package awsevents decodes the AWS events Gantry reacts to, as EventBridge delivers them:
// CloudFormation "Stack Status Change" and CodePipeline "Pipeline/Stage/Action Execution
// State Change". It uses its own structs, which accept numbers written as floats (6.0) as
// current CodePipeline events carry them, and it classifies CloudFormation stack statuses.
//
// Decoding errors are Invalid platform errors naming the field at fault (e.g.
// "detail.stack-id"), so that a handler can tell a malformed event from a failure.
package awsevents

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Sources and detail types of the events this package decodes.
const (
	SourceCloudFormation = "aws.cloudformation"
	SourceCodePipeline   = "aws.codepipeline"

	DetailTypeStackStatusChange = "CloudFormation Stack Status Change"
	DetailTypePipelineExecution = "CodePipeline Pipeline Execution State Change"
	DetailTypeStageExecution    = "CodePipeline Stage Execution State Change"
	DetailTypeActionExecution   = "CodePipeline Action Execution State Change"
)

// Levels of a PipelineStateChange.
const (
	LevelPipeline = "pipeline"
	LevelStage    = "stage"
	LevelAction   = "action"
)

// pipelineLevels maps a CodePipeline detail type to its level.
var pipelineLevels = map[string]string{
	DetailTypePipelineExecution: LevelPipeline,
	DetailTypeStageExecution:    LevelStage,
	DetailTypeActionExecution:   LevelAction,
}

// StackStatusChange is a "CloudFormation Stack Status Change" event.
type StackStatusChange struct {
	EventID         string
	Time            time.Time
	Account, Region string
	// StackID is the stack's ARN; StackName is the name inside it.
	StackID, StackName string
	// Status is the stack status, e.g. UPDATE_ROLLBACK_COMPLETE; see ClassifyStackStatus.
	Status       string
	StatusReason string
	// ClientRequestToken is the token of the operation that caused the change, empty when
	// the operation was started without one.
	ClientRequestToken string
}

// PipelineStateChange is a CodePipeline pipeline, stage or action execution state change.
type PipelineStateChange struct {
	EventID         string
	Time            time.Time
	Account, Region string
	// Level is LevelPipeline, LevelStage or LevelAction, from the detail type.
	Level       string
	Pipeline    string
	ExecutionID string
	// State is e.g. STARTED, SUCCEEDED, FAILED, STOPPED, SUPERSEDED, CANCELED.
	State string
	// Stage is set for stage and action changes; Action for action changes.
	Stage, Action string
	// ExecutionAttempt is the attempt of the pipeline execution (1 for the first); 0 when
	// the event does not say.
	ExecutionAttempt int
	// ErrorCode and Summary come from an action's execution result, when present.
	ErrorCode, Summary string
	// Version is the pipeline structure version; 0 when the event does not say.
	Version int64
}

// envelope is the part of an EventBridge event common to all sources.
type envelope struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

type stackDetail struct {
	StackID       string `json:"stack-id"`
	StatusDetails struct {
		Status       string `json:"status"`
		StatusReason string `json:"status-reason"`
	} `json:"status-details"`
	ClientRequestToken string `json:"client-request-token"`
}

type pipelineDetail struct {
	Pipeline         string          `json:"pipeline"`
	ExecutionID      string          `json:"execution-id"`
	State            string          `json:"state"`
	Stage            string          `json:"stage"`
	Action           string          `json:"action"`
	Version          json.RawMessage `json:"version"`
	ExecutionAttempt json.RawMessage `json:"pipeline-execution-attempt"`
	ExecutionResult  *struct {
		ErrorCode string `json:"error-code"`
		Summary   string `json:"external-execution-summary"`
	} `json:"execution-result"`
}

// Decode decodes an EventBridge event into a StackStatusChange, a PipelineStateChange, an
// ExecutionStatusChange, a BuildStateChange or a Scheduled event, chosen by its source and detail type. It returns an Invalid error naming the source and
// detail type of any other event, and an Invalid error naming the field of a malformed one.
func Decode(raw []byte) (any, error) {
	env, err := decodeEnvelope(raw)
	if err != nil {
		return nil, err
	}
	switch {
	case env.Source == SourceCloudFormation && env.DetailType == DetailTypeStackStatusChange:
		return stackStatusChange(env)
	case env.Source == SourceCodePipeline && pipelineLevels[env.DetailType] != "":
		return pipelineStateChange(env)
	case env.Source == SourceStepFunctions && env.DetailType == DetailTypeExecutionStatusChange:
		return executionStatusChange(env)
	case env.Source == SourceEventBridge && env.DetailType == DetailTypeScheduled:
		return scheduled(env)
	case env.Source == SourceCodeBuild && env.DetailType == DetailTypeBuildStateChange:
		return buildStateChange(env)
	}
	return nil, platform.Errorf(platform.Invalid, "unsupported event: source %q, detail-type %q", env.Source, env.DetailType)
}

// DecodeStackStatusChange decodes a "CloudFormation Stack Status Change" event. It returns
// an Invalid error for another kind of event or a malformed one, naming the field.
func DecodeStackStatusChange(raw []byte) (StackStatusChange, error) {
	env, err := decodeEnvelope(raw)
	if err != nil {
		return StackStatusChange{}, err
	}
	if env.Source != SourceCloudFormation || env.DetailType != DetailTypeStackStatusChange {
		return StackStatusChange{}, platform.Errorf(platform.Invalid,
			"not a stack status change: source %q, detail-type %q", env.Source, env.DetailType)
	}
	return stackStatusChange(env)
}

// DecodePipelineStateChange decodes a CodePipeline pipeline, stage or action execution state
// change. It returns an Invalid error for another kind of event or a malformed one, naming
// the field.
func DecodePipelineStateChange(raw []byte) (PipelineStateChange, error) {
	env, err := decodeEnvelope(raw)
	if err != nil {
		return PipelineStateChange{}, err
	}
	if env.Source != SourceCodePipeline || pipelineLevels[env.DetailType] == "" {
		return PipelineStateChange{}, platform.Errorf(platform.Invalid,
			"not a pipeline state change: source %q, detail-type %q", env.Source, env.DetailType)
	}
	return pipelineStateChange(env)
}

func decodeEnvelope(raw []byte) (envelope, error) {
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		return envelope{}, platform.Errorf(platform.Invalid, "event is not an EventBridge event: %v", err)
	}
	if env.Source == "" {
		return envelope{}, platform.FieldErrorf("source", "is required")
	}
	if env.DetailType == "" {
		return envelope{}, platform.FieldErrorf("detail-type", "is required")
	}
	if d := bytes.TrimSpace(env.Detail); len(d) == 0 || d[0] != '{' {
		return envelope{}, platform.FieldErrorf("detail", "must be a JSON object")
	}
	return env, nil
}

// header decodes the envelope fields shared by every decoded event.
func header(env envelope) (time.Time, error) {
	if env.Time == "" {
		return time.Time{}, platform.FieldErrorf("time", "is required")
	}
	t, err := time.Parse(time.RFC3339, env.Time)
	if err != nil {
		return time.Time{}, platform.FieldErrorf("time", "%q is not an RFC 3339 time", env.Time)
	}
	return t, nil
}

func stackStatusChange(env envelope) (StackStatusChange, error) {
	t, err := header(env)
	if err != nil {
		return StackStatusChange{}, err
	}
	var d stackDetail
	if err := json.Unmarshal(env.Detail, &d); err != nil {
		return StackStatusChange{}, detailError(err)
	}
	if d.StackID == "" {
		return StackStatusChange{}, platform.FieldErrorf("detail.stack-id", "is required")
	}
	name, err := stackName(d.StackID)
	if err != nil {
		return StackStatusChange{}, err
	}
	if d.StatusDetails.Status == "" {
		return StackStatusChange{}, platform.FieldErrorf("detail.status-details.status", "is required")
	}
	return StackStatusChange{
		EventID:            env.ID,
		Time:               t,
		Account:            env.Account,
		Region:             env.Region,
		StackID:            d.StackID,
		StackName:          name,
		Status:             d.StatusDetails.Status,
		StatusReason:       d.StatusDetails.StatusReason,
		ClientRequestToken: d.ClientRequestToken,
	}, nil
}

// stackName returns NAME from arn:PARTITION:cloudformation:REGION:ACCOUNT:stack/NAME/UUID.
func stackName(stackID string) (string, error) {
	parts := strings.SplitN(stackID, ":", 6)
	if len(parts) == 6 && parts[0] == "arn" && parts[2] == "cloudformation" {
		if resource, ok := strings.CutPrefix(parts[5], "stack/"); ok {
			if name, _, ok := strings.Cut(resource, "/"); ok && name != "" {
				return name, nil
			}
		}
	}
	return "", platform.FieldErrorf("detail.stack-id", "%q is not a CloudFormation stack ARN", stackID)
}

func pipelineStateChange(env envelope) (PipelineStateChange, error) {
	t, err := header(env)
	if err != nil {
		return PipelineStateChange{}, err
	}
	var d pipelineDetail
	if err := json.Unmarshal(env.Detail, &d); err != nil {
		return PipelineStateChange{}, detailError(err)
	}
	level := pipelineLevels[env.DetailType]
	switch {
	case d.Pipeline == "":
		return PipelineStateChange{}, platform.FieldErrorf("detail.pipeline", "is required")
	case d.ExecutionID == "":
		return PipelineStateChange{}, platform.FieldErrorf("detail.execution-id", "is required")
	case d.State == "":
		return PipelineStateChange{}, platform.FieldErrorf("detail.state", "is required")
	case level != LevelPipeline && d.Stage == "":
		return PipelineStateChange{}, platform.FieldErrorf("detail.stage", "is required in a %q event", env.DetailType)
	case level == LevelAction && d.Action == "":
		return PipelineStateChange{}, platform.FieldErrorf("detail.action", "is required in a %q event", env.DetailType)
	}
	version, err := wholeNumber("detail.version", d.Version)
	if err != nil {
		return PipelineStateChange{}, err
	}
	attempt, err := wholeNumber("detail.pipeline-execution-attempt", d.ExecutionAttempt)
	if err != nil {
		return PipelineStateChange{}, err
	}
	if attempt < 0 || attempt > math.MaxInt32 {
		return PipelineStateChange{}, platform.FieldErrorf("detail.pipeline-execution-attempt", "%d is out of range", attempt)
	}
	c := PipelineStateChange{
		EventID:          env.ID,
		Time:             t,
		Account:          env.Account,
		Region:           env.Region,
		Level:            level,
		Pipeline:         d.Pipeline,
		ExecutionID:      d.ExecutionID,
		State:            d.State,
		Stage:            d.Stage,
		Action:           d.Action,
		ExecutionAttempt: int(attempt),
		Version:          version,
	}
	if d.ExecutionResult != nil {
		c.ErrorCode = d.ExecutionResult.ErrorCode
		c.Summary = d.ExecutionResult.Summary
	}
	return c, nil
}

// detailError turns a JSON error inside detail into an Invalid error naming the field.
func detailError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return platform.FieldErrorf("detail."+te.Field, "cannot hold a JSON %s", te.Value)
	}
	return platform.FieldErrorf("detail", "%v", err)
}

// wholeNumber returns the whole number raw holds, written as an integer (6), a float with
// no fraction (6.0, 6e0) or a string holding one ("6"); absent or null is 0. Anything else
// is an Invalid error naming field.
func wholeNumber(field string, raw json.RawMessage) (int64, error) {
	s := string(bytes.TrimSpace(raw))
	if s == "" || s == "null" {
		return 0, nil
	}
	if unquoted, err := strconv.Unquote(s); err == nil {
		s = strings.TrimSpace(unquoted)
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, platform.FieldErrorf(field, "%s is not a number", raw)
	}
	// 2^63 is the first float64 beyond int64's range.
	if f != math.Trunc(f) || f >= 1<<63 || f < -(1<<63) {
		return 0, platform.FieldErrorf(field, "%s is not a whole number", raw)
	}
	return int64(f), nil
}
