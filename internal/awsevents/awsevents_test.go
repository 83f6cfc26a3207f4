package awsevents

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/events"
	"github.com/gantry-platform/gantry/internal/platform"
)

func mustSample(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := events.Sample(name)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestDecodeEverySample(t *testing.T) {
	for _, name := range events.Samples() {
		got, err := Decode(mustSample(t, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		switch c := got.(type) {
		case StackStatusChange:
			if !strings.HasPrefix(name, "cloudformation-") {
				t.Errorf("%s decoded as a stack status change", name)
			}
			if c.EventID == "" || c.Time.IsZero() || c.Account == "" || c.Region == "" || c.StackName == "" ||
				ClassifyStackStatus(c.Status) == Unknown {
				t.Errorf("%s: incomplete %+v", name, c)
			}
		case PipelineStateChange:
			if !strings.HasPrefix(name, "codepipeline-") {
				t.Errorf("%s decoded as a pipeline state change", name)
			}
			if c.EventID == "" || c.Time.IsZero() || c.Pipeline == "" || c.ExecutionID == "" || c.State == "" ||
				c.ExecutionAttempt < 1 || c.Version < 1 {
				t.Errorf("%s: incomplete %+v", name, c)
			}
		case ExecutionStatusChange:
			if !strings.HasPrefix(name, "stepfunctions-") {
				t.Errorf("%s decoded as an execution status change", name)
			}
			if c.EventID == "" || c.Time.IsZero() || c.ExecutionARN == "" || c.StateMachineARN == "" || c.Name == "" || c.Status == "" || c.Input == "" {
				t.Errorf("%s: incomplete %+v", name, c)
			}
		case BuildStateChange:
			if !strings.HasPrefix(name, "codebuild-") {
				t.Errorf("%s decoded as a build state change", name)
			}
			if c.EventID == "" || c.Time.IsZero() || c.BuildID == "" || c.Project == "" || c.Status == "" || c.DeploymentID == "" {
				t.Errorf("%s: incomplete %+v", name, c)
			}
		case Scheduled:
			if !strings.HasPrefix(name, "eventbridge-scheduled") || c.Time.IsZero() || len(c.Rules) != 1 {
				t.Errorf("%s decoded as %+v", name, c)
			}
		default:
			t.Errorf("%s decoded as %T", name, got)
		}
	}
}

// TestDecodeBuildStateChange: a failed build names its deployment, the phase that failed
// and CodeBuild's context for it.
func TestDecodeBuildStateChange(t *testing.T) {
	got, err := Decode(mustSample(t, "codebuild-gantry-build-failed"))
	if err != nil {
		t.Fatal(err)
	}
	b, ok := got.(BuildStateChange)
	if !ok || b.Status != "FAILED" || b.DeploymentID != "0b6c2f4e-8a1d-4e3b-9f70-2c5d8e1a3b4f" || b.Project != "gantry-provisioning" ||
		b.FailedPhase != "BUILD" || !strings.Contains(b.Reason, "npm run cdk -- deploy. Reason: exit status 1") || !BuildEnded(b.Status) {
		t.Errorf("decoded %+v", got)
	}
}

func TestDecodeStackStatusChange(t *testing.T) {
	for name, want := range map[string]StackStatusChange{
		"cloudformation-stack-status-change": {
			EventID: "1e789968-f1d2-426f-db05-e8bca2e199d8", Time: mustTime(t, "2022-08-03T07:22:45Z"),
			Account: "111122223333", Region: "eu-west-3",
			StackID:   "arn:aws:cloudformation:eu-west-3:111122223333:stack/cf-event-testing/dca9d690-12fc-11ed-acb4-0e99ce9abea2",
			StackName: "cf-event-testing", Status: "CREATE_COMPLETE",
		},
		"cloudformation-stack-status-change-with-token": {
			EventID: "6a7e8feb-b491-4cf7-a9f1-bf3703467718", Time: mustTime(t, "2024-03-11T10:15:02Z"),
			Account: "111122223333", Region: "us-east-1",
			StackID:   "arn:aws:cloudformation:us-east-1:111122223333:stack/gantry-env-prod/5c1ae7f0-df9a-11ee-9e6b-0affd8a6d3e1",
			StackName: "gantry-env-prod", Status: "UPDATE_ROLLBACK_COMPLETE",
			StatusReason:       "The following resource(s) failed to update: [Cluster].",
			ClientRequestToken: "d2f4c1e0-9a1b-4c6e-8f3a-0b7d6e5c4a21",
		},
		"cloudformation-gantry-env-beta-rollback-complete": {
			EventID: "3c1d9a4e-2f6b-4e8a-9d7c-5b4a3f2e1d03", Time: mustTime(t, "2025-06-02T09:04:17Z"),
			Account: "111122223333", Region: "eu-west-1",
			StackID:   "arn:aws:cloudformation:eu-west-1:111122223333:stack/gantry-env-Beta/7b3c2a10-5e4f-11ef-8a3d-06b1c2d3e4f5",
			StackName: "gantry-env-Beta", Status: "ROLLBACK_COMPLETE",
			StatusReason:       "The following resource(s) failed to create: [VpcFlowLogsRole, Cluster]. Rollback requested by user.",
			ClientRequestToken: "0f9e8d7c-6b5a-4c3d-9e2f-1a0b9c8d7e6f",
		},
	} {
		got, err := DecodeStackStatusChange(mustSample(t, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got != want {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got, want)
		}
	}
}

func TestDecodePipelineStateChange(t *testing.T) {
	for name, want := range map[string]PipelineStateChange{
		"codepipeline-pipeline-execution-state-change": {
			EventID: "01234567-0123-0123-0123-012345678901", Time: mustTime(t, "2020-01-24T22:03:07Z"),
			Account: "123456789012", Region: "us-east-1", Level: LevelPipeline, Pipeline: "myPipeline",
			ExecutionID: "12345678-1234-5678-abcd-12345678abcd", State: "STARTED", ExecutionAttempt: 1, Version: 6,
		},
		"codepipeline-stage-execution-state-change": {
			EventID: "01234567-0123-0123-0123-012345678902", Time: mustTime(t, "2020-01-31T18:21:39Z"),
			Account: "123456789012", Region: "us-west-2", Level: LevelStage, Pipeline: "myPipeline",
			ExecutionID: "12345678-1234-5678-abcd-12345678abcd", State: "STOPPED", Stage: "Deploy",
			ExecutionAttempt: 1, Version: 3,
		},
		"codepipeline-action-execution-state-change": {
			EventID: "01234567-0123-0123-0123-012345678903", Time: mustTime(t, "2020-01-31T18:55:43Z"),
			Account: "123456789012", Region: "us-west-2", Level: LevelAction, Pipeline: "myPipeline",
			ExecutionID: "12345678-1234-5678-abcd-12345678abcd", State: "FAILED", Stage: "Deploy", Action: "Deploy",
			ExecutionAttempt: 1, ErrorCode: "JobFailed", Summary: "Deployment d-EXAMPLE failed", Version: 4,
		},
		"codepipeline-gantry-stage-execution-failed": {
			EventID: "8a7b6c5d-4e3f-4a1b-9c8d-7e6f5a4b3c02", Time: mustTime(t, "2025-06-02T10:09:55Z"),
			Account: "111122223333", Region: "eu-west-1", Level: LevelStage, Pipeline: "gantry-svc-frontend-pipeline",
			ExecutionID: "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a", State: "FAILED", Stage: "Build",
			ExecutionAttempt: 2, Version: 2,
		},
	} {
		got, err := DecodePipelineStateChange(mustSample(t, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got != want {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got, want)
		}
	}
}

func TestDecodeToleratesNumberSpellings(t *testing.T) {
	base := string(mustSample(t, "codepipeline-pipeline-execution-state-change"))
	for _, spelling := range []string{`6`, `6.0`, `6e0`, `"6"`, `"6.0"`, `6.000`} {
		raw := strings.Replace(base, `"version":6.0`, `"version":`+spelling, 1)
		got, err := DecodePipelineStateChange([]byte(raw))
		if err != nil {
			t.Errorf("version %s: %v", spelling, err)
			continue
		}
		if got.Version != 6 {
			t.Errorf("version %s decoded as %d", spelling, got.Version)
		}
	}
	raw := strings.Replace(base, `"version":6.0,"pipeline-execution-attempt":1.0`, `"version":null`, 1)
	got, err := DecodePipelineStateChange([]byte(raw))
	if err != nil || got.Version != 0 || got.ExecutionAttempt != 0 {
		t.Errorf("absent numbers: %+v, %v", got, err)
	}
}

func TestDecodeRejectsMalformedEvents(t *testing.T) {
	stack := string(mustSample(t, "cloudformation-gantry-env-beta-create-complete"))
	pipeline := string(mustSample(t, "codepipeline-gantry-action-execution-failed"))
	for name, tc := range map[string]struct {
		raw  string
		want string
	}{
		"not JSON":         {raw: `{`, want: "not an EventBridge event"},
		"array":            {raw: `[]`, want: "not an EventBridge event"},
		"no source":        {raw: strings.Replace(stack, `"source":"aws.cloudformation",`, "", 1), want: "source: is required"},
		"no detail-type":   {raw: strings.Replace(stack, `"detail-type":"CloudFormation Stack Status Change",`, "", 1), want: "detail-type: is required"},
		"detail not obj":   {raw: `{"source":"aws.cloudformation","detail-type":"CloudFormation Stack Status Change","time":"2025-06-02T09:02:41Z","detail":"x"}`, want: "detail: must be a JSON object"},
		"unknown type":     {raw: strings.Replace(stack, "Stack Status Change", "Resource Status Change", 1), want: `detail-type "CloudFormation Resource Status Change"`},
		"unknown source":   {raw: strings.Replace(stack, `"aws.cloudformation"`, `"gantry"`, 1), want: `source "gantry"`},
		"bad time":         {raw: strings.Replace(stack, "2025-06-02T09:02:41Z", "yesterday", 1), want: `time: "yesterday" is not an RFC 3339 time`},
		"no stack-id":      {raw: strings.Replace(stack, `"stack-id"`, `"stack-name"`, 1), want: "detail.stack-id: is required"},
		"bad stack-id":     {raw: strings.Replace(stack, `"stack-id":"arn:aws:cloudformation:eu-west-1:111122223333:stack/`, `"stack-id":"arn:aws:s3:::`, 1), want: "detail.stack-id: \"arn:aws:s3:::"},
		"no status":        {raw: strings.Replace(stack, `"status":"CREATE_COMPLETE",`, "", 1), want: "detail.status-details.status: is required"},
		"status not text":  {raw: strings.Replace(stack, `"status":"CREATE_COMPLETE"`, `"status":3`, 1), want: "detail.status-details.status: cannot hold a JSON number"},
		"fractional":       {raw: strings.Replace(pipeline, `"version":2.0`, `"version":2.5`, 1), want: "detail.version: 2.5 is not a whole number"},
		"not a number":     {raw: strings.Replace(pipeline, `"version":2.0`, `"version":"two"`, 1), want: `detail.version: "two" is not a number`},
		"bad attempt":      {raw: strings.Replace(pipeline, `"pipeline-execution-attempt":2.0`, `"pipeline-execution-attempt":-1`, 1), want: "detail.pipeline-execution-attempt: -1 is out of range"},
		"no pipeline":      {raw: strings.Replace(pipeline, `"pipeline":"gantry-svc-frontend-pipeline",`, "", 1), want: "detail.pipeline: is required"},
		"no execution-id":  {raw: strings.Replace(pipeline, `"execution-id":`, `"x":`, 1), want: "detail.execution-id: is required"},
		"no state":         {raw: strings.Replace(pipeline, `"state":"FAILED",`, "", 1), want: "detail.state: is required"},
		"no stage":         {raw: strings.Replace(pipeline, `"stage":"Build",`, "", 1), want: `detail.stage: is required in a "CodePipeline Action Execution State Change" event`},
		"no action":        {raw: strings.Replace(pipeline, `"action":"Build",`, "", 1), want: "detail.action: is required"},
		"huge version":     {raw: strings.Replace(pipeline, `"version":2.0`, `"version":1e300`, 1), want: "detail.version: 1e300 is not a whole number"},
		"infinite version": {raw: strings.Replace(pipeline, `"version":2.0`, `"version":1e999`, 1), want: "detail.version"},
	} {
		_, err := Decode([]byte(tc.raw))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, tc.want)
			continue
		}
		if kind := platform.KindOf(err); kind != platform.Invalid {
			t.Errorf("%s: error kind %q, want invalid", name, kind)
		}
	}
}

func TestTypedDecodersRejectTheOtherKind(t *testing.T) {
	stack := mustSample(t, "cloudformation-stack-status-change")
	pipeline := mustSample(t, "codepipeline-stage-execution-state-change")
	if _, err := DecodeStackStatusChange(pipeline); err == nil ||
		!strings.Contains(err.Error(), `not a stack status change: source "aws.codepipeline"`) {
		t.Errorf("DecodeStackStatusChange(pipeline event) error = %v", err)
	}
	if _, err := DecodePipelineStateChange(stack); err == nil ||
		!strings.Contains(err.Error(), `not a pipeline state change: source "aws.cloudformation"`) {
		t.Errorf("DecodePipelineStateChange(stack event) error = %v", err)
	}
}

func BenchmarkDecode(b *testing.B) {
	raw, err := events.Sample("codepipeline-gantry-action-execution-failed")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDecodeExecutionStatusChange(t *testing.T) {
	got, err := Decode(mustSample(t, "stepfunctions-gantry-execution-failed"))
	if err != nil {
		t.Fatal(err)
	}
	c := got.(ExecutionStatusChange)
	if c.Name != "bac792aa-b7f7-4e4f-af34-819b3a5a309f" || c.Status != "FAILED" || c.Input != `{"deploymentId":"bac792aa-b7f7-4e4f-af34-819b3a5a309f"}` ||
		c.Error != "Lambda.Unknown" || !strings.Contains(c.Cause, "Task timed out") {
		t.Fatalf("decoded %+v", c)
	}
	for field, raw := range map[string]string{
		"detail.executionArn": `{"source":"aws.states","detail-type":"Step Functions Execution Status Change","time":"2025-06-02T09:00:00Z","detail":{"name":"x","status":"FAILED"}}`,
		"detail.name":         `{"source":"aws.states","detail-type":"Step Functions Execution Status Change","time":"2025-06-02T09:00:00Z","detail":{"executionArn":"arn","status":"FAILED"}}`,
		"detail.status":       `{"source":"aws.states","detail-type":"Step Functions Execution Status Change","time":"2025-06-02T09:00:00Z","detail":{"executionArn":"arn","name":"x"}}`,
	} {
		_, err := Decode([]byte(raw))
		var e *platform.Error
		if !errors.As(err, &e) || e.Field != field {
			t.Errorf("missing %s: %v", field, err)
		}
	}
}
