package local

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/dynamolocal"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

func TestMain(m *testing.M) { dynamolocal.Main(m) }

// newPlatform starts a local platform on the test binary's DynamoDB Local, in a table of
// its own, and serves its API over real HTTP.
func newPlatform(t testing.TB) (*Platform, *httptest.Server) {
	t.Helper()
	return newPlatformStep(t, 0)
}

// newPlatformStep is newPlatform with the CloudFormation simulator pausing step between
// stack statuses.
func newPlatformStep(t testing.TB, step time.Duration) (*Platform, *httptest.Server) {
	t.Helper()
	return startPlatform(t, Config{Step: step})
}

// startPlatform starts a local platform configured by cfg, whose DataDir, DynamoEndpoint,
// Table and Log default to a temporary directory, the test binary's DynamoDB Local, a
// table of its own and a quiet log, and serves its API over real HTTP.
func startPlatform(t testing.TB, cfg Config) (*Platform, *httptest.Server) {
	t.Helper()
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	if cfg.DynamoEndpoint == "" {
		cfg.DynamoEndpoint = dynamolocal.Shared(t).Endpoint()
	}
	if cfg.Table == "" {
		cfg.Table = fmt.Sprintf("gantry-e2e-%d", time.Now().UnixNano())
	}
	if cfg.Log == nil {
		cfg.Log = quietLog()
	}
	p, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	ts := httptest.NewServer(p.Handler)
	t.Cleanup(ts.Close)
	return p, ts
}

// shortSleep is a Config.Sleep that waits d whatever a Wait state asks.
func shortSleep(d time.Duration) func(ctx context.Context, _ time.Duration) error {
	return func(ctx context.Context, _ time.Duration) error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(d):
			return nil
		}
	}
}

// createGoldenEnvironment registers the golden-path vpc-ecs (templates/) and deploys
// environment name from it with its default spec.
func (c *client) createGoldenEnvironment(name string) {
	c.t.Helper()
	lib := "../../templates"
	c.register("environment-templates", "vpc-ecs", platformtest.TarGz(c.t, lib+"/environments/vpc-ecs/v1", nil))
	c.must(202, "POST", "/v1/environments", map[string]any{"name": name, "templateName": "vpc-ecs",
		"templateMajorVersion": 1, "spec": platformtest.ReadFile(c.t, lib+"/environments/vpc-ecs/tests/defaults/spec.yaml")}, nil)
	if env := c.waitFor("/v1/environments/" + name); env["deploymentStatus"] != "SUCCEEDED" {
		c.t.Fatalf("environment %s = %v", name, env)
	}
}

func quietLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

// client calls the API as one caller.
type client struct {
	t     testing.TB
	base  string
	token string
}

func newClient(t testing.TB, p *Platform, ts *httptest.Server, role platform.Role) *client {
	t.Helper()
	token, err := p.Token("e2e-"+string(role), role, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, base: ts.URL, token: token}
}

// call sends a request and decodes the JSON answer into out (when not nil); it returns
// the status and the raw body.
func (c *client) call(method, path, contentType string, body []byte, out any) (int, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
	return resp.StatusCode, string(raw)
}

func (c *client) json(method, path string, in any, out any) (int, string) {
	c.t.Helper()
	var body []byte
	if in != nil {
		body, _ = json.Marshal(in)
	}
	return c.call(method, path, "application/json", body, out)
}

// must calls and fails the test unless the status is want.
func (c *client) must(want int, method, path string, in, out any) {
	c.t.Helper()
	if status, body := c.json(method, path, in, out); status != want {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, status, want, body)
	}
}

// waitFor polls path until its deploymentStatus is not in progress and returns it.
func (c *client) waitFor(path string) map[string]any {
	c.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var got map[string]any
		c.must(200, "GET", path, nil, &got)
		switch got["deploymentStatus"] {
		case "IN_PROGRESS", "DELETE_IN_PROGRESS", "CANCELLING":
		default:
			return got
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s still %v after 60s: %v", path, got["deploymentStatus"], got)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// register creates a template, registers bundle as its first version and publishes it.
func (c *client) register(kind, name string, bundle []byte) {
	c.t.Helper()
	c.must(201, "POST", "/v1/"+kind, map[string]string{"name": name}, nil)
	var v map[string]any
	if status, body := c.call("POST", "/v1/"+kind+"/"+name+"/versions", "application/gzip", bundle, &v); status != 201 {
		c.t.Fatalf("register %s: %d %s", name, status, body)
	}
	if v["status"] != "DRAFT" || v["majorVersion"] != 1.0 || v["minorVersion"] != 0.0 {
		c.t.Fatalf("new version = %v, want 1.0 DRAFT", v)
	}
	c.must(200, "POST", "/v1/"+kind+"/"+name+"/versions/1.0/publish", nil, &v)
	if v["status"] != "PUBLISHED" {
		c.t.Fatalf("published version = %v", v)
	}
}

// createSampleEnvironment registers the shared sample's environment template as lb-env
// and creates environment Beta from it with the sample's spec; it returns once the API
// has accepted the creation (202), its deployment still at work.
func (c *client) createSampleEnvironment() {
	c.t.Helper()
	c.register("environment-templates", "lb-env", platformtest.TarGz(c.t, platformtest.SamplePath(c.t, platformtest.EnvBundle), nil))
	c.must(202, "POST", "/v1/environments", map[string]any{"name": "Beta", "templateName": "lb-env",
		"templateMajorVersion": 1, "spec": platformtest.ReadFile(c.t, platformtest.SamplePath(c.t, platformtest.EnvSpec))}, nil)
}

// TestEndToEnd runs the spine's scenario as a new user would: register and publish the
// sample's environment and service templates, deploy environment Beta, read its outputs,
// deploy service frontend as a developer, update its instance and read the history.
func TestEndToEnd(t *testing.T) {
	p, admin, dev := newSamplePlatform(t)

	var env map[string]any
	admin.must(202, "POST", "/v1/environments", map[string]any{"name": "Beta", "templateName": platformtest.EnvTemplate,
		"templateMajorVersion": 1, "spec": platformtest.ReadFile(t, platformtest.SamplePath(t, platformtest.EnvSpec))}, &env)
	if env["deploymentStatus"] != "IN_PROGRESS" || env["lastDeploymentId"] == "" {
		t.Fatalf("created environment = %v", env)
	}
	env = admin.waitFor("/v1/environments/Beta")
	if env["deploymentStatus"] != "SUCCEEDED" {
		t.Fatalf("environment Beta ended %v: %v", env["deploymentStatus"], env["deploymentStatusMessage"])
	}
	var outputs struct {
		Outputs []apimodel.Output `json:"outputs"`
	}
	dev.must(200, "GET", "/v1/environments/Beta/outputs", nil, &outputs)
	keys := map[string]string{}
	for _, o := range outputs.Outputs {
		keys[o.Key] = o.ValueString
	}
	if !strings.HasPrefix(keys["VpcId"], "vpc-") || keys["ClusterName"] == "" {
		t.Fatalf("environment outputs = %v, want VpcId and ClusterName", outputs.Outputs)
	}

	var svc map[string]any
	dev.must(202, "POST", "/v1/services", map[string]any{"name": "frontend", "templateName": platformtest.SvcTemplate,
		"templateMajorVersion": 1, "spec": platformtest.ReadFile(t, platformtest.SamplePath(t, platformtest.SvcSpec)),
		"repositoryConnectionArn": "arn:aws:codestar-connections:us-east-1:000000000000:connection/example",
		"repositoryId":            "example-org/frontend", "branchName": "main"}, &svc)
	inst := dev.waitFor("/v1/services/frontend/instances/frontend-dev")
	if inst["deploymentStatus"] != "SUCCEEDED" || inst["environmentName"] != "Beta" {
		t.Fatalf("instance frontend-dev = %v", inst)
	}
	var instOutputs struct {
		Outputs []apimodel.Output `json:"outputs"`
	}
	dev.must(200, "GET", "/v1/services/frontend/instances/frontend-dev/outputs", nil, &instOutputs)
	if len(instOutputs.Outputs) == 0 {
		t.Fatal("instance frontend-dev has no outputs")
	}

	// The pipeline deploys once the instances are done; its template reads their outputs.
	deadline := time.Now().Add(60 * time.Second)
	for {
		dev.must(200, "GET", "/v1/services/frontend", nil, &svc)
		pipeline, _ := svc["pipeline"].(map[string]any)
		if pipeline == nil {
			t.Fatalf("service frontend has no pipeline: %v", svc)
		}
		if pipeline["deploymentStatus"] == "SUCCEEDED" {
			break
		}
		if pipeline["deploymentStatus"] == "FAILED" || time.Now().After(deadline) {
			t.Fatalf("pipeline = %v", pipeline)
		}
		time.Sleep(20 * time.Millisecond)
	}

	var updated map[string]any
	dev.must(202, "PATCH", "/v1/services/frontend/instances/frontend-dev", map[string]any{
		"deploymentType": "CURRENT_VERSION", "spec": "spec:\n  desired_count: 3\n  port: 80\n  task_size: large\n"}, &updated)
	if updated["deploymentStatus"] != "IN_PROGRESS" || updated["lastDeploymentId"] == inst["lastDeploymentId"] {
		t.Fatalf("updated instance = %v", updated)
	}
	inst = dev.waitFor("/v1/services/frontend/instances/frontend-dev")
	if inst["deploymentStatus"] != "SUCCEEDED" || !strings.Contains(inst["spec"].(string), "desired_count: 3") {
		t.Fatalf("instance after update = %v", inst)
	}

	var history struct {
		Items []map[string]any `json:"items"`
	}
	dev.must(200, "GET", "/v1/deployments?serviceName=frontend&serviceInstanceName=frontend-dev", nil, &history)
	if len(history.Items) < 2 || history.Items[0]["id"] != inst["lastDeploymentId"] {
		t.Fatalf("history = %v, want ≥ 2 deployments, newest (%v) first", history.Items, inst["lastDeploymentId"])
	}
	for _, d := range history.Items {
		if d["deploymentStatus"] != "SUCCEEDED" {
			t.Errorf("deployment %v ended %v", d["id"], d["deploymentStatus"])
		}
	}
	var one map[string]any
	dev.must(200, "GET", "/v1/deployments/"+history.Items[1]["id"].(string), nil, &one)
	if one["serviceInstanceName"] != "frontend-dev" || one["targetResourceType"] != "SERVICE_INSTANCE" {
		t.Fatalf("deployment = %v", one)
	}
	// Notify runs after Record has made the deployment SUCCEEDED: the last one may still be
	// on its way.
	for deadline := time.Now().Add(60 * time.Second); len(p.Notifications.Sent()) < 4 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(p.Notifications.Sent()); n < 4 {
		t.Errorf("%d notifications sent, want one per finished deployment (≥ 4)", n)
	}
}

// TestAccessAndBadInput checks authentication, roles and clear answers to bad input.
func TestAccessAndBadInput(t *testing.T) {
	p, ts := newPlatform(t)
	admin := newClient(t, p, ts, platform.AdminRole)
	dev := newClient(t, p, ts, platform.DeveloperRole)
	anonymous := &client{t: t, base: ts.URL}

	if status, _ := anonymous.json("GET", "/healthz", nil, nil); status != 200 {
		t.Fatalf("healthz: %d", status)
	}
	status, body := anonymous.json("GET", "/v1/environments", nil, nil)
	if status != 401 || !strings.Contains(body, `"requestId"`) || !strings.Contains(body, "UnauthorizedException") {
		t.Fatalf("no token: %d %s", status, body)
	}
	forged := &client{t: t, base: ts.URL, token: admin.token[:len(admin.token)-4] + "AAAA"}
	if status, _ := forged.json("GET", "/v1/environments", nil, nil); status != 401 {
		t.Fatalf("forged token: %d", status)
	}
	if status, body := dev.json("POST", "/v1/environment-templates", map[string]string{"name": "x"}, nil); status != 403 {
		t.Fatalf("developer creating a template: %d %s", status, body)
	}

	admin.register("environment-templates", "lb-env", platformtest.TarGz(t, platformtest.SamplePath(t, platformtest.EnvBundle), nil))

	status, body = admin.call("POST", "/v1/environment-templates/lb-env/versions", "application/gzip", []byte("not a tarball"), nil)
	if status != 400 || !strings.Contains(body, "ValidationException") {
		t.Fatalf("garbage bundle: %d %s", status, body)
	}
	noSchema := platformtest.TarGz(t, platformtest.SamplePath(t, platformtest.EnvBundle), map[string]string{"schema/schema.yaml": "schema: [unclosed"})
	status, body = admin.call("POST", "/v1/environment-templates/lb-env/versions", "application/gzip", noSchema, nil)
	if status != 400 || !strings.Contains(body, "schema/schema.yaml") {
		t.Fatalf("broken schema: %d %s, want 400 naming schema/schema.yaml", status, body)
	}

	status, body = admin.json("POST", "/v1/environments", map[string]any{"name": "Bad", "templateName": "lb-env",
		"templateMajorVersion": 1, "spec": "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 12\n"}, nil)
	if status != 400 || !strings.Contains(body, "vpc_cidr") {
		t.Fatalf("bad input: %d %s, want 400 naming vpc_cidr", status, body)
	}
	status, body = admin.json("POST", "/v1/environments", map[string]any{"name": "bad name!", "templateName": "lb-env", "templateMajorVersion": 1, "spec": ""}, nil)
	if status != 400 || !strings.Contains(body, "name") {
		t.Fatalf("bad name: %d %s", status, body)
	}
	if status, body := admin.json("POST", "/v1/environments", map[string]any{"nmae": "x"}, nil); status != 400 || !strings.Contains(body, "nmae") {
		t.Fatalf("unknown field: %d %s", status, body)
	}
	if status, _ := admin.json("GET", "/v1/environments/Nope", nil, nil); status != 404 {
		t.Fatalf("missing environment: %d", status)
	}
	var list struct {
		Items []any `json:"items"`
	}
	admin.must(200, "GET", "/v1/environments", nil, &list)
	if len(list.Items) != 0 {
		t.Fatalf("rejected requests left environments behind: %v", list.Items)
	}
}

// TestUnknownResourceTypeFails deploys a template CloudFormation would refuse and expects
// the environment to end FAILED with CloudFormation's reason.
func TestUnknownResourceTypeFails(t *testing.T) {
	p, ts := newPlatform(t)
	admin := newClient(t, p, ts, platform.AdminRole)
	broken := platformtest.TarGz(t, platformtest.SamplePath(t, platformtest.EnvBundle), map[string]string{
		"infrastructure/cloudformation.yaml": platformtest.DeployTimeOnly("Resources:\n  Thing:\n    Type: AWS::Foo::Bar\n    Properties: {}\n")})
	admin.register("environment-templates", "broken-env", broken)
	admin.must(202, "POST", "/v1/environments", map[string]any{"name": "Doomed", "templateName": "broken-env",
		"templateMajorVersion": 1, "spec": "proton: EnvironmentSpec\nspec: {}\n"}, nil)
	env := admin.waitFor("/v1/environments/Doomed")
	msg, _ := env["deploymentStatusMessage"].(string)
	if env["deploymentStatus"] != "FAILED" || !strings.Contains(msg, "AWS::Foo::Bar") {
		t.Fatalf("environment = %v, want FAILED naming AWS::Foo::Bar", env)
	}
	var d map[string]any
	admin.must(200, "GET", "/v1/deployments/"+env["lastDeploymentId"].(string), nil, &d)
	if d["deploymentStatus"] != "FAILED" || d["completedAt"] == nil {
		t.Fatalf("deployment = %v", d)
	}
	// The template CloudFormation refused is kept and returned, as deployed.
	var rendered map[string]any
	admin.must(200, "GET", "/v1/deployments/"+env["lastDeploymentId"].(string)+"/rendered", nil, &rendered)
	if rendered["template"] != "Resources:\n  Thing:\n    Type: AWS::Foo::Bar\n    Properties: {}\n" {
		t.Fatalf("rendered = %v", rendered)
	}
}

// TestOneDeploymentAtATime checks that a target with a deployment in progress refuses a
// second one with 409, and takes it once the first has finished. The simulator pauses 2 s
// between stack statuses, so the first deployment is in progress for at least 4 s.
func TestOneDeploymentAtATime(t *testing.T) {
	p, ts := newPlatformStep(t, 2*time.Second)
	admin := newClient(t, p, ts, platform.AdminRole)
	admin.createSampleEnvironment()
	status, body := admin.json("PATCH", "/v1/environments/Beta", map[string]any{"deploymentType": "CURRENT_VERSION"}, nil)
	if status != 409 || !strings.Contains(body, "in progress") {
		t.Fatalf("update during a deployment: %d %s, want 409", status, body)
	}
	if env := admin.waitFor("/v1/environments/Beta"); env["deploymentStatus"] != "SUCCEEDED" {
		t.Fatalf("environment = %v", env)
	}
	admin.must(202, "PATCH", "/v1/environments/Beta", map[string]any{"deploymentType": "CURRENT_VERSION"}, nil)
}

// TestGoldenPathLibrary registers the shipped vpc-ecs environment and two services from
// templates/ (a data service and a web service with a pipeline) and deploys them.
func TestGoldenPathLibrary(t *testing.T) {
	p, ts := newPlatform(t)
	admin := newClient(t, p, ts, platform.AdminRole)
	dev := newClient(t, p, ts, platform.DeveloperRole)
	lib := "../../templates"
	admin.createGoldenEnvironment("beta")
	for _, svc := range []struct{ template, service, instance string }{
		{"s3-bucket", "uploads", "uploads-beta"},
		{"public-web-service", "frontend", "frontend-beta"},
	} {
		admin.register("service-templates", svc.template, platformtest.TarGz(t, lib+"/services/"+svc.template+"/v1", nil))
		dev.must(202, "POST", "/v1/services", map[string]any{"name": svc.service, "templateName": svc.template,
			"templateMajorVersion": 1, "spec": platformtest.ReadFile(t, lib+"/services/"+svc.template+"/tests/defaults/spec.yaml"),
			"repositoryConnectionArn": "arn:aws:codestar-connections:us-east-1:000000000000:connection/example",
			"repositoryId":            "example-org/" + svc.service, "branchName": "main"}, nil)
		inst := dev.waitFor("/v1/services/" + svc.service + "/instances/" + svc.instance)
		if inst["deploymentStatus"] != "SUCCEEDED" {
			t.Fatalf("%s/%s = %v", svc.service, svc.instance, inst)
		}
		var outputs struct {
			Outputs []apimodel.Output `json:"outputs"`
		}
		dev.must(200, "GET", "/v1/services/"+svc.service+"/instances/"+svc.instance+"/outputs", nil, &outputs)
		if len(outputs.Outputs) == 0 {
			t.Fatalf("%s/%s advertises no outputs", svc.service, svc.instance)
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		var svc map[string]any
		dev.must(200, "GET", "/v1/services/frontend", nil, &svc)
		pipeline, _ := svc["pipeline"].(map[string]any)
		if pipeline != nil && pipeline["deploymentStatus"] == "SUCCEEDED" {
			break
		}
		if pipeline == nil || pipeline["deploymentStatus"] == "FAILED" || time.Now().After(deadline) {
			t.Fatalf("frontend pipeline = %v", pipeline)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if status, body := admin.json("DELETE", "/v1/environments/beta", nil, nil); status != 409 || !strings.Contains(body, "service instances") {
		t.Fatalf("deleting an environment with instances: %d %s, want 409", status, body)
	}
}

// TestDeleteEnvironment deletes an environment: its stack is deleted and the record goes,
// while its history stays readable. (TestGoldenPathLibrary checks the refusal while
// service instances run in it.)
func TestDeleteEnvironment(t *testing.T) {
	p, ts := newPlatform(t)
	admin := newClient(t, p, ts, platform.AdminRole)
	admin.createSampleEnvironment()
	admin.waitFor("/v1/environments/Beta")
	if _, err := p.Sim.Describe(context.Background(), "gantry-env-Beta"); err != nil {
		t.Fatalf("stack of Beta: %v", err)
	}
	var env map[string]any
	admin.must(202, "DELETE", "/v1/environments/Beta", nil, &env)
	if env["deploymentStatus"] != "DELETE_IN_PROGRESS" {
		t.Fatalf("deleting environment = %v", env)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		status, _ := admin.json("GET", "/v1/environments/Beta", nil, nil)
		if status == 404 {
			break
		}
		if status != 200 || time.Now().After(deadline) {
			t.Fatalf("environment Beta after delete: status %d", status)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := p.Sim.Describe(context.Background(), "gantry-env-Beta"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("stack of deleted Beta: %v, want NotFound", err)
	}
	var history struct {
		Items []map[string]any `json:"items"`
	}
	admin.must(200, "GET", "/v1/deployments?environmentName=Beta", nil, &history)
	if len(history.Items) != 2 || history.Items[0]["deploymentStatus"] != "DELETE_COMPLETE" || history.Items[0]["operation"] != "DELETE" {
		t.Fatalf("history after delete = %v", history.Items)
	}
}
