package main

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/gantry-platform/gantry/internal/lambdawire/lambdawiretest"
	"github.com/gantry-platform/gantry/internal/platform"
)

func TestDeployEntryPoint(t *testing.T) {
	ports := lambdawiretest.NewPorts(platform.Deployment{ID: "d-1", Operation: platform.Delete, Status: platform.DeleteInProgress,
		Target: platform.Target{Kind: platform.EnvironmentTarget, Environment: "beta"}, StackName: "gantry-env-beta", Revision: 1})
	ports.Provisioner.DeleteFunc = func(_ context.Context, stack, token string) (platform.StackOperation, error) {
		if stack != "gantry-env-beta" || token != "d-1" {
			t.Errorf("Delete(%q, %q)", stack, token)
		}
		return platform.StackOperation{NoChanges: true}, nil
	}
	var resolved []string
	ports.Workflows.SendTaskSuccessFunc = func(_ context.Context, token string, output json.RawMessage) error {
		resolved = append(resolved, token+" "+string(output))
		return nil
	}
	out, err := lambdawiretest.Invoke(t, handler(ports.App()), []byte(`{"deploymentId":"d-1","taskToken":"AQCEAAAAKgAAAAMAAAAA-token"}`))
	if err != nil || string(out) != `{}` {
		t.Fatalf("Deploy = %s, %v", out, err)
	}
	if fmt.Sprint(resolved) != `[AQCEAAAAKgAAAAMAAAAA-token {"stackStatus":"NO_CHANGES"}]` {
		t.Errorf("task resolutions = %v", resolved)
	}
	if d := ports.Store.Deployment("d-1"); d.TaskToken != "AQCEAAAAKgAAAAMAAAAA-token" {
		t.Errorf("stored task token = %q", d.TaskToken)
	}
}

func TestDeployEntryPointReportsARejectedTemplate(t *testing.T) {
	ports := lambdawiretest.NewPorts(platform.Deployment{ID: "d-1", Operation: platform.Deploy, Status: platform.InProgress,
		Target: platform.Target{Kind: platform.EnvironmentTarget, Environment: "beta"}, StackName: "gantry-env-beta",
		RenderedKey: "rendered/d-1/cloudformation.yaml", TaskToken: "tok", Revision: 2})
	ports.Blobs.GetFunc = func(context.Context, string) ([]byte, error) { return []byte("Resources: {}"), nil }
	ports.Provisioner.DeployFunc = func(context.Context, platform.StackDeployment) (platform.StackOperation, error) {
		return platform.StackOperation{}, platform.Errorf(platform.Invalid, "Template format error: Unrecognized resource types: [AWS::Nope]")
	}
	_, err := lambdawiretest.Invoke(t, handler(ports.App()), []byte(`{"deploymentId":"d-1","taskToken":"tok"}`))
	if got := fmt.Sprintf("%T", err); got != "*workflow.StackRejected" {
		t.Errorf("error %s %v, want *workflow.StackRejected", got, err)
	}
}
