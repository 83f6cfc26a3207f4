package local

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

const workloadID = "222222222222"

// TestEnvironmentInAnotherAccount runs Proton's multi-account estate locally, with two
// accounts: a connection requested from the workload account and accepted by the
// management account (the platform's), an environment created through it whose stack
// lands in the workload account's CloudFormation, a service instance in that environment
// there too, a pipeline in the platform's account. The workload account's stack events
// reach the workflow only through that account's bus, whose forwarding rule
// (events.ForwardingRules, the connection stack's) targets the platform's bus: every
// deployment there ends SUCCEEDED within seconds only because those events came back
// (the workflow waits on them; its own check comes after an hour). Once the connection is
// deleted, the environment cannot deploy, saying why.
func TestEnvironmentInAnotherAccount(t *testing.T) {
	ctx := context.Background()
	p, admin, dev, workload := newTwoAccountPlatform(t)

	var conn map[string]any
	workload.must(201, "POST", "/v1/environment-account-connections", map[string]any{"managementAccountId": AccountID,
		"environmentName": "Beta", "roleArn": "arn:aws:iam::" + workloadID + ":role/gantry-connection"}, &conn)
	id := conn["id"].(string)
	create := map[string]any{"name": "Beta", "templateName": platformtest.EnvTemplate, "templateMajorVersion": 1,
		"spec": platformtest.ReadFile(t, platformtest.SamplePath(t, platformtest.EnvSpec)), "environmentAccountConnectionId": id}
	if status, body := admin.json("POST", "/v1/environments", create, nil); status != 400 || !strings.Contains(body, "PENDING") {
		t.Fatalf("an environment through a PENDING connection: %d %s", status, body)
	}
	admin.must(200, "POST", "/v1/environment-account-connections/"+id+"/accept", nil, &conn)

	var env map[string]any
	admin.must(202, "POST", "/v1/environments", create, &env)
	env = admin.waitFor("/v1/environments/Beta")
	if env["deploymentStatus"] != "SUCCEEDED" || env["environmentAccountId"] != workloadID || env["environmentAccountConnectionId"] != id ||
		env["arn"] != "arn:aws:proton:us-east-1:"+AccountID+":environment/Beta" {
		t.Fatalf("environment Beta = %v", env)
	}
	var d map[string]any
	admin.must(200, "GET", "/v1/deployments/"+env["lastDeploymentId"].(string), nil, &d)
	if d["account"] != workloadID || !strings.HasPrefix(d["stackId"].(string), "arn:aws:cloudformation:us-east-1:"+workloadID+":stack/gantry-env-Beta/") {
		t.Fatalf("Beta's deployment = %v, want it in account %s", d, workloadID)
	}
	there := p.Estate.Account(workloadID)
	if _, err := there.Describe(ctx, "gantry-env-Beta"); err != nil {
		t.Fatalf("Beta's stack in the workload account: %v", err)
	}
	if _, err := p.Sim.Describe(ctx, "gantry-env-Beta"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("Beta's stack in the platform's account: %v, want NotFound", err)
	}

	// A service instance in Beta deploys into the workload account; its pipeline stays home.
	dev.must(202, "POST", "/v1/services", map[string]any{"name": "frontend", "templateName": platformtest.SvcTemplate,
		"templateMajorVersion": 1, "spec": platformtest.ReadFile(t, platformtest.SamplePath(t, platformtest.SvcSpec)),
		"repositoryConnectionArn": "arn:aws:codestar-connections:us-east-1:000000000000:connection/example",
		"repositoryId":            "example-org/frontend", "branchName": "main"}, nil)
	inst := dev.waitFor("/v1/services/frontend/instances/frontend-dev")
	if inst["deploymentStatus"] != "SUCCEEDED" {
		t.Fatalf("instance frontend-dev = %v", inst)
	}
	if _, err := there.Describe(ctx, platform.StackName(platform.Target{Kind: platform.ServiceInstanceTarget, Service: "frontend", Instance: "frontend-dev"})); err != nil {
		t.Fatalf("frontend-dev's stack in the workload account: %v", err)
	}
	pipeline := platform.StackName(platform.Target{Kind: platform.ServicePipelineTarget, Service: "frontend"})
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := p.Sim.Describe(ctx, pipeline); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the pipeline's stack never appeared in the platform's account")
		}
	}
	if dead, err := p.Bus.DeadLetters(); err != nil || len(dead) != 0 {
		t.Fatalf("dead letters = %v, %v", dead, err)
	}

	// Without its connection, the environment cannot deploy: the deployment fails, saying why.
	workload.must(200, "DELETE", "/v1/environment-account-connections/"+id, nil, nil)
	admin.must(202, "PATCH", "/v1/environments/Beta", map[string]any{"deploymentType": "CURRENT_VERSION"}, nil)
	env = admin.waitFor("/v1/environments/Beta")
	if env["deploymentStatus"] != "FAILED" || !strings.Contains(fmt.Sprint(env["deploymentStatusMessage"]), "was deleted") {
		t.Fatalf("Beta without its connection = %v", env)
	}
}
