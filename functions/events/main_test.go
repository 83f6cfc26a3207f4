package main

import (
	"context"
	"testing"

	"github.com/gantry-platform/gantry/internal/lambdawire/lambdawiretest"
	"github.com/gantry-platform/gantry/internal/platform"
)

// The sample's stack gantry-env-prod ended UPDATE_ROLLBACK_COMPLETE under this token.
const (
	sampleToken   = "d2f4c1e0-9a1b-4c6e-8f3a-0b7d6e5c4a21"
	sampleStackID = "arn:aws:cloudformation:us-east-1:111122223333:stack/gantry-env-prod/5c1ae7f0-df9a-11ee-9e6b-0affd8a6d3e1"
)

func TestEventsEntryPointFailsTheWaitingTask(t *testing.T) {
	for _, tc := range []struct {
		name    string
		sendErr error
	}{
		{"first delivery", nil},
		{"repeat after the task was resolved", platform.Errorf(platform.NotFound, "task does not exist")},
	} {
		ports := lambdawiretest.NewPorts(platform.Deployment{ID: sampleToken, Operation: platform.Deploy, Status: platform.InProgress,
			Target: platform.Target{Kind: platform.EnvironmentTarget, Environment: "prod"}, StackName: "gantry-env-prod", TaskToken: "task-1"})
		ports.Provisioner.DescribeFunc = func(context.Context, string) (platform.Stack, error) {
			// CloudFormation confirms the event: the same stack, this operation, ended.
			return platform.Stack{StackID: sampleStackID, StackName: "gantry-env-prod", Status: "UPDATE_ROLLBACK_COMPLETE",
				StatusReason: "Cluster (AWS::ECS::Cluster): limit exceeded", LastClientRequestToken: sampleToken}, nil
		}
		var failures []string
		ports.Workflows.SendTaskFailureFunc = func(_ context.Context, token, name, cause string) error {
			failures = append(failures, token+" "+name+" "+cause)
			return tc.sendErr
		}
		out, err := lambdawiretest.Invoke(t, handler(ports.App()), lambdawiretest.Sample(t, "cloudformation-stack-status-change-with-token"))
		if err != nil || string(out) != "null" {
			t.Fatalf("%s: HandleEvent = %s, %v", tc.name, out, err)
		}
		want := "task-1 StackFailed UPDATE_ROLLBACK_COMPLETE: Cluster (AWS::ECS::Cluster): limit exceeded"
		if len(failures) != 1 || failures[0] != want {
			t.Errorf("%s: task failures %q, want [%q]", tc.name, failures, want)
		}
	}
}

func TestEventsEntryPointRepublishesPipelineChanges(t *testing.T) {
	ports := lambdawiretest.NewPorts()
	var published []platform.Event
	ports.Events.PublishFunc = func(_ context.Context, events ...platform.Event) error {
		published = append(published, events...)
		return nil
	}
	if _, err := lambdawiretest.Invoke(t, handler(ports.App()), lambdawiretest.Sample(t, "codepipeline-gantry-pipeline-execution-succeeded")); err != nil {
		t.Fatalf("HandleEvent: %v", err)
	}
	if len(published) != 1 || published[0].DetailType != "Pipeline Execution Status Change" {
		t.Errorf("published %+v", published)
	}
}

func TestEventsEntryPointRejectsOtherEvents(t *testing.T) {
	_, err := lambdawiretest.Invoke(t, handler(lambdawiretest.NewPorts().App()), []byte(`{"detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","detail":{}}`))
	if err == nil {
		t.Fatal("an EC2 event was accepted")
	}
}
