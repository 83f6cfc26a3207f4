package main

import (
	"testing"

	"github.com/gantry-platform/gantry/internal/lambdawire/lambdawiretest"
	"github.com/gantry-platform/gantry/internal/platform"
)

func TestRecordEntryPoint(t *testing.T) {
	ports := lambdawiretest.NewPorts(platform.Deployment{ID: "d-1", Operation: platform.Deploy, Status: platform.InProgress,
		Target: platform.Target{Kind: platform.EnvironmentTarget, Environment: "beta"}, StackName: "gantry-env-beta", Revision: 3})
	// The input as the state machine's Catch passes a failed Deploy on.
	payload := []byte(`{"deploymentId":"d-1","error":{"Error":"StackFailed","Cause":"{\"errorMessage\":\"UPDATE_ROLLBACK_COMPLETE: Cluster (AWS::ECS::Cluster): limit exceeded\",\"errorType\":\"StackFailed\"}"}}`)
	h := handler(ports.App())
	for range 2 { // recording twice changes nothing
		out, err := lambdawiretest.Invoke(t, h, payload)
		if err != nil || string(out) != `{"status":"FAILED"}` {
			t.Fatalf("Record = %s, %v", out, err)
		}
	}
	d := ports.Store.Deployment("d-1")
	if d.StatusMessage != "UPDATE_ROLLBACK_COMPLETE: Cluster (AWS::ECS::Cluster): limit exceeded" || d.Revision != 4 || d.CompletedAt.IsZero() {
		t.Errorf("stored deployment: message %q, revision %d, completed %v", d.StatusMessage, d.Revision, d.CompletedAt)
	}
}
