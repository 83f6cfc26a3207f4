package local

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

// TestPreviewInAnotherAccount previews an environment and a service instance that live
// in a workload account through an environment account connection: the change sets are
// made against their stacks in that account (a preview against the platform's own
// account would see no stack and plan a CREATE), and the previewed change set is the one
// deployed there.
func TestPreviewInAnotherAccount(t *testing.T) {
	ctx := context.Background()
	p, admin, dev, workload := newTwoAccountPlatform(t)
	var conn map[string]any
	workload.must(201, "POST", "/v1/environment-account-connections", map[string]any{"managementAccountId": AccountID,
		"environmentName": "Beta", "roleArn": "arn:aws:iam::" + workloadID + ":role/gantry-connection"}, &conn)
	admin.must(200, "POST", "/v1/environment-account-connections/"+conn["id"].(string)+"/accept", nil, nil)
	admin.must(202, "POST", "/v1/environments", map[string]any{"name": "Beta", "templateName": platformtest.EnvTemplate, "templateMajorVersion": 1,
		"spec": platformtest.ReadFile(t, platformtest.SamplePath(t, platformtest.EnvSpec)), "environmentAccountConnectionId": conn["id"]}, nil)
	if env := admin.waitFor("/v1/environments/Beta"); env["deploymentStatus"] != "SUCCEEDED" {
		t.Fatalf("environment Beta = %v", env)
	}
	there := p.Estate.Account(workloadID)
	stackHere := "arn:aws:cloudformation:us-east-1:" + workloadID + ":stack/"

	wider := "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.1.0.0/16\n  subnet_one_cidr: 10.1.0.0/24\n  subnet_two_cidr: 10.1.1.0/24\n"
	var pv apimodel.Preview
	admin.must(200, "POST", "/v1/environments/Beta/preview", map[string]any{"deploymentType": "CURRENT_VERSION", "spec": wider}, &pv)
	if pv.ChangeSetType != "UPDATE" || pv.Summary.Replace == 0 || !strings.HasPrefix(pv.ChangeSetID, "arn:aws:cloudformation:us-east-1:"+workloadID+":changeSet/") {
		t.Fatalf("preview of Beta = %+v, want an UPDATE of its stack in account %s", pv, workloadID)
	}
	if _, err := p.Sim.Describe(ctx, "gantry-env-Beta"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("a stack of Beta in the platform's account: %v", err)
	}
	admin.must(202, "PATCH", "/v1/environments/Beta", map[string]any{"deploymentType": "CURRENT_VERSION", "previewId": pv.ID}, nil)
	after := admin.waitFor("/v1/environments/Beta")
	stack, err := there.Describe(ctx, "gantry-env-Beta")
	if after["deploymentStatus"] != "SUCCEEDED" || err != nil || stack.LastClientRequestToken != after["lastDeploymentId"] || !strings.HasPrefix(stack.StackID, stackHere) {
		t.Fatalf("Beta after its previewed deployment = %v; its stack there = %+v, %v", after, stack, err)
	}

	createWebService(t, dev)
	var ipv apimodel.Preview
	dev.must(200, "POST", "/v1/services/web/instances/web-a/preview", map[string]any{"deploymentType": "CURRENT_VERSION",
		"spec": "desired_count: 3\nport: 80\ntask_size: medium\n"}, &ipv)
	if ipv.ChangeSetType != "UPDATE" || ipv.Summary.Modify == 0 || ipv.Summary.Add != 0 || !strings.HasPrefix(ipv.ChangeSetID, "arn:aws:cloudformation:us-east-1:"+workloadID+":changeSet/") {
		t.Fatalf("preview of web-a = %+v, want an UPDATE of its stack in account %s", ipv, workloadID)
	}
	dev.must(202, "PATCH", "/v1/services/web/instances/web-a", map[string]any{"deploymentType": "CURRENT_VERSION", "previewId": ipv.ID}, nil)
	if got := dev.waitFor("/v1/services/web/instances/web-a"); got["deploymentStatus"] != "SUCCEEDED" {
		t.Fatalf("web-a after its previewed deployment = %v", got)
	}
}

// newTwoAccountPlatform starts a local platform with a second (workload) account, the
// sample templates registered, and clients: an admin and a developer of the platform's
// account, an admin of the workload account.
func newTwoAccountPlatform(t *testing.T, regions ...string) (p *Platform, admin, dev, workload *client) {
	t.Helper()
	p, ts := startPlatform(t, Config{Accounts: []string{workloadID}, Regions: regions})
	admin, dev = newClient(t, p, ts, platform.AdminRole), newClient(t, p, ts, platform.DeveloperRole)
	token, err := p.Issuer.IssueIn("erin", []string{"gantry-admins"}, workloadID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	workload = &client{t: t, base: ts.URL, token: token}
	admin.register("environment-templates", platformtest.EnvTemplate, platformtest.TarGz(t, platformtest.SamplePath(t, platformtest.EnvBundle), nil))
	admin.register("service-templates", platformtest.SvcTemplate, platformtest.TarGz(t, platformtest.SamplePath(t, platformtest.SvcBundle), nil))
	return p, admin, dev, workload
}

// connectBeta has the workload account request a connection for environment Beta and the
// platform's admin accept it; it returns the connection's id.
func connectBeta(t *testing.T, admin, workload *client) string {
	t.Helper()
	var conn map[string]any
	workload.must(201, "POST", "/v1/environment-account-connections", map[string]any{"managementAccountId": AccountID,
		"environmentName": "Beta", "roleArn": "arn:aws:iam::" + workloadID + ":role/gantry-connection"}, &conn)
	id := conn["id"].(string)
	admin.must(200, "POST", "/v1/environment-account-connections/"+id+"/accept", nil, nil)
	return id
}

// createWebService creates service web of the sample template with one instance, web-a,
// and waits until it is ACTIVE.
func createWebService(t *testing.T, dev *client) {
	t.Helper()
	dev.must(202, "POST", "/v1/services", map[string]any{"name": "web", "templateName": platformtest.SvcTemplate, "templateMajorVersion": 1,
		"spec": instanceSpec("web-a"), "repositoryConnectionArn": "arn:aws:codestar-connections:us-east-1:000000000000:connection/example",
		"repositoryId": "example-org/web", "branchName": "main"}, nil)
	if s := dev.waitService("web"); s["status"] != "ACTIVE" {
		t.Fatalf("service web = %v", s)
	}
}

// TestPreviewsAreSupersededAndExpire checks that previews do not pile up: a target keeps
// at most one preview (a new one deletes the previous one's change set and record), a
// deployment ends its stack's change sets, and a preview expires after
// platform.PreviewLifetime (it can no longer be read or deployed; the next preview of its
// target deletes its change set).
func TestPreviewsAreSupersededAndExpire(t *testing.T) {
	var later atomic.Int64 // how far the control plane's clock is ahead
	p, ts := startPlatform(t, Config{Now: func() time.Time { return time.Now().Add(time.Duration(later.Load())) }})
	admin := newClient(t, p, ts, platform.AdminRole)
	admin.register("environment-templates", platformtest.EnvTemplate, platformtest.TarGz(t, platformtest.SamplePath(t, platformtest.EnvBundle), nil))
	admin.must(202, "POST", "/v1/environments", map[string]any{"name": "Beta", "templateName": platformtest.EnvTemplate, "templateMajorVersion": 1,
		"spec": platformtest.ReadFile(t, platformtest.SamplePath(t, platformtest.EnvSpec))}, nil)
	if env := admin.waitFor("/v1/environments/Beta"); env["deploymentStatus"] != "SUCCEEDED" {
		t.Fatalf("environment Beta = %v", env)
	}
	spec := func(n int) map[string]any {
		return map[string]any{"deploymentType": "CURRENT_VERSION", "spec": fmt.Sprintf("proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.%d.0.0/16\n  subnet_one_cidr: 10.%d.0.0/24\n  subnet_two_cidr: 10.%d.1.0/24\n", n, n, n)}
	}
	var first, second apimodel.Preview
	admin.must(200, "POST", "/v1/environments/Beta/preview", spec(1), &first)
	if first.ExpiresAt == nil || !first.ExpiresAt.Equal(first.CreatedAt.Add(platform.PreviewLifetime)) {
		t.Fatalf("preview expires at %v, created at %v", first.ExpiresAt, first.CreatedAt)
	}
	admin.must(200, "POST", "/v1/environments/Beta/preview", spec(2), &second)
	if n := p.Sim.ChangeSets(); n != 1 {
		t.Fatalf("%d change sets after a target's second preview, want 1 (the first one's deleted)", n)
	}
	if status, body := admin.json("GET", "/v1/previews/"+first.ID, nil, nil); status != 404 {
		t.Fatalf("GET a superseded preview: %d %s", status, body)
	}
	if status, body := admin.json("PATCH", "/v1/environments/Beta", map[string]any{"deploymentType": "CURRENT_VERSION", "previewId": first.ID}, nil); status != 404 {
		t.Fatalf("deploy a superseded preview: %d %s", status, body)
	}
	admin.must(202, "PATCH", "/v1/environments/Beta", map[string]any{"deploymentType": "CURRENT_VERSION", "previewId": second.ID}, nil)
	if env := admin.waitFor("/v1/environments/Beta"); env["deploymentStatus"] != "SUCCEEDED" {
		t.Fatalf("environment Beta after its previewed deployment = %v", env)
	}
	if n := p.Sim.ChangeSets(); n != 0 {
		t.Fatalf("%d change sets after the deployment, want 0", n)
	}

	var third apimodel.Preview
	admin.must(200, "POST", "/v1/environments/Beta/preview", spec(3), &third)
	later.Store(int64(platform.PreviewLifetime + time.Minute))
	if status, body := admin.json("GET", "/v1/previews/"+third.ID, nil, nil); status != 404 || !strings.Contains(body, "expired") {
		t.Fatalf("GET an expired preview: %d %s", status, body)
	}
	if status, body := admin.json("PATCH", "/v1/environments/Beta", map[string]any{"deploymentType": "CURRENT_VERSION", "previewId": third.ID}, nil); status != 404 {
		t.Fatalf("deploy an expired preview: %d %s", status, body)
	}
	admin.must(200, "POST", "/v1/environments/Beta/preview", spec(4), nil)
	if n := p.Sim.ChangeSets(); n != 1 {
		t.Fatalf("%d change sets after a preview following an expired one, want 1", n)
	}
}
