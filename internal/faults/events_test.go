//go:build faults

package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/local"
	"github.com/gantry-platform/gantry/internal/platform"
)

// stackEvent is a CloudFormation Stack Status Change as EventBridge delivers it.
func stackEvent(stackID, status, token string) []byte {
	b, _ := json.Marshal(map[string]any{
		"version": "0", "id": platform.NewID(), "detail-type": "CloudFormation Stack Status Change", "source": "aws.cloudformation",
		"account": local.AccountID, "time": time.Now().UTC().Format(time.RFC3339), "region": local.Region, "resources": []string{stackID},
		"detail": map[string]any{"stack-id": stackID, "client-request-token": token,
			"status-details": map[string]string{"status": status, "status-reason": "forged by the fault suite"}},
	})
	return b
}

// TestForgedDuplicatedAndReorderedStackEvents runs the local platform in process (the
// same code gantry-local runs; its bus is the one way in for CloudFormation events) and
// puts stack events on its bus while two environments deploy: a failure announced before
// the stack was even submitted, one carrying another deployment's token, one ahead of the
// stack, one of a stack Gantry does not own, one of an earlier stack of the same name;
// after the end, the real final event five times and a stale failure. Both deployments
// must end SUCCEEDED, as the stacks did, and the duplicates change nothing.
func TestForgedDuplicatedAndReorderedStackEvents(t *testing.T) {
	ctx := context.Background()
	p, err := local.Start(ctx, local.Config{DataDir: t.TempDir(), InMemory: true, Step: 300 * time.Millisecond,
		Log: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	server := httptest.NewServer(p.Handler)
	defer server.Close()
	admin, err := p.Token("faults", platform.AdminRole, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c := &client{t: t, base: server.URL, admin: admin}
	major := c.environmentTemplate("vpc-ecs", "")
	began := time.Now()
	alpha := c.createEnvironment("alpha", "vpc-ecs", major, "")
	put := func(event []byte) {
		t.Helper()
		if err := p.Bus.Put(ctx, event); err != nil {
			t.Fatal(err)
		}
	}
	const stackPrefix = "arn:aws:cloudformation:" + local.Region + ":" + local.AccountID + ":stack/"
	put(stackEvent(stackPrefix+"gantry-env-alpha/early", "ROLLBACK_COMPLETE", alpha.LastDeploymentID)) // before submission
	bravo := c.createEnvironment("bravo", "vpc-ecs", major, "")

	var stack platform.Stack
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if stack, err = p.Sim.Describe(ctx, "gantry-env-alpha"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the stack of alpha was not submitted within 60 s: %v", err)
		}
	}
	put(stackEvent(stack.StackID, "ROLLBACK_COMPLETE", bravo.LastDeploymentID))                                 // another deployment's token
	put(stackEvent(stack.StackID, "ROLLBACK_COMPLETE", alpha.LastDeploymentID))                                 // ahead of the stack
	put(stackEvent(stackPrefix+"team-db/1", "ROLLBACK_COMPLETE", alpha.LastDeploymentID))                       // not Gantry's stack
	put(stackEvent(stackPrefix+"gantry-env-alpha/earlier", "UPDATE_ROLLBACK_COMPLETE", alpha.LastDeploymentID)) // an earlier stack

	a, took := c.waitTerminal("alpha", began, 60*time.Second)
	b, tookB := c.waitTerminal("bravo", began, 60*time.Second)
	if a.DeploymentStatus != "SUCCEEDED" || b.DeploymentStatus != "SUCCEEDED" {
		t.Fatalf("alpha ended %s (%s), bravo %s (%s); both stacks succeeded", a.DeploymentStatus, a.DeploymentStatusMessage, b.DeploymentStatus, b.DeploymentStatusMessage)
	}
	before := c.must(200, "GET", "/v1/deployments/"+alpha.LastDeploymentID, admin, "", nil)
	for range 5 {
		put(stackEvent(stack.StackID, "CREATE_COMPLETE", alpha.LastDeploymentID))
	}
	put(stackEvent(stack.StackID, "ROLLBACK_COMPLETE", alpha.LastDeploymentID))
	idle, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := p.Bus.Idle(idle); err != nil {
		t.Fatalf("the bus did not settle: %v", err)
	}
	if after := c.must(200, "GET", "/v1/deployments/"+alpha.LastDeploymentID, admin, "", nil); !bytes.Equal(before, after) {
		t.Fatalf("duplicate and stale events changed the deployment:\nbefore %s\nafter  %s", before, after)
	}
	if dead, err := p.Bus.DeadLetters(); err != nil || len(dead) != 0 {
		t.Fatalf("dead letters %v, %v: forged events must be dropped, not failed", dead, err)
	}
	report("forged, early, duplicate, stale stack events (in process)", "both deployments SUCCEEDED, duplicates no-ops", max(took, tookB), 0)
}
