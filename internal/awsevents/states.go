package awsevents

import (
	"encoding/json"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Sources and detail types of the Step Functions and scheduled events.
const (
	SourceStepFunctions = "aws.states"
	SourceEventBridge   = "aws.events"

	DetailTypeExecutionStatusChange = "Step Functions Execution Status Change"
	DetailTypeScheduled             = "Scheduled Event"
)

// ExecutionStatusChange is a "Step Functions Execution Status Change" event.
type ExecutionStatusChange struct {
	EventID         string
	Time            time.Time
	ExecutionARN    string
	StateMachineARN string
	// Name is the execution's name; Status RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED.
	Name   string
	Status string
	// Input is the execution's input (a JSON document), "" when the event does not carry it.
	Input string
	// Error and Cause say why an execution failed.
	Error, Cause string
}

// Scheduled is a "Scheduled Event" of a scheduled EventBridge rule; Rules are the ARNs
// of the rules that fired.
type Scheduled struct {
	EventID string
	Time    time.Time
	Rules   []string
}

type executionDetail struct {
	ExecutionARN    string  `json:"executionArn"`
	StateMachineARN string  `json:"stateMachineArn"`
	Name            string  `json:"name"`
	Status          string  `json:"status"`
	Input           *string `json:"input"`
	Error           *string `json:"error"`
	Cause           *string `json:"cause"`
}

func executionStatusChange(env envelope) (ExecutionStatusChange, error) {
	t, err := header(env)
	if err != nil {
		return ExecutionStatusChange{}, err
	}
	var d executionDetail
	if err := json.Unmarshal(env.Detail, &d); err != nil {
		return ExecutionStatusChange{}, detailError(err)
	}
	switch {
	case d.ExecutionARN == "":
		return ExecutionStatusChange{}, platform.FieldErrorf("detail.executionArn", "is required")
	case d.Name == "":
		return ExecutionStatusChange{}, platform.FieldErrorf("detail.name", "is required")
	case d.Status == "":
		return ExecutionStatusChange{}, platform.FieldErrorf("detail.status", "is required")
	}
	deref := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	return ExecutionStatusChange{EventID: env.ID, Time: t, ExecutionARN: d.ExecutionARN, StateMachineARN: d.StateMachineARN,
		Name: d.Name, Status: d.Status, Input: deref(d.Input), Error: deref(d.Error), Cause: deref(d.Cause)}, nil
}

func scheduled(env envelope) (Scheduled, error) {
	t, err := header(env)
	if err != nil {
		return Scheduled{}, err
	}
	return Scheduled{EventID: env.ID, Time: t, Rules: env.Resources}, nil
}
