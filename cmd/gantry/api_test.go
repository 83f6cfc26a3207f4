package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gantry-platform/gantry/internal/apiclient"
	"github.com/gantry-platform/gantry/internal/dynamolocal"
	"github.com/gantry-platform/gantry/internal/local"
	"github.com/gantry-platform/gantry/internal/platform"
)

// library is the golden-path template library shipped in templates/.
const library = "../../templates"

// apiPlatform is a local platform served over real HTTP, with token files for its roles.
type apiPlatform struct {
	url                string
	adminToken         string
	adminFile, devFile string
	platform           *local.Platform
}

// startAPIPlatform starts DynamoDB Local ($GANTRY_DYNAMODB_LOCAL_ENDPOINT when set) and a
// local platform on it. This package's TestMain belongs to the authoring commands and does
// not call dynamolocal.Main, so the test owns its server rather than using
// dynamolocal.Shared. configure, when given, changes the platform's configuration.
func startAPIPlatform(t *testing.T, configure ...func(*local.Config)) *apiPlatform {
	t.Helper()
	ctx := context.Background()
	endpoint := os.Getenv(dynamolocal.EndpointEnv)
	if endpoint == "" {
		server, err := dynamolocal.Start(ctx, dynamolocal.Options{})
		if err != nil {
			t.Fatalf("DynamoDB Local: %v", err)
		}
		t.Cleanup(func() { server.Stop() })
		endpoint = server.Endpoint()
	}
	cfg := local.Config{DataDir: t.TempDir(), DynamoEndpoint: endpoint,
		Table: "gantry-cli-" + time.Now().Format("150405.000000000"), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, c := range configure {
		c(&cfg)
	}
	p, err := local.Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	ts := httptest.NewServer(p.Handler)
	t.Cleanup(ts.Close)
	ap := &apiPlatform{url: ts.URL, platform: p}
	dir := t.TempDir()
	for role, file := range map[platform.Role]*string{platform.AdminRole: &ap.adminFile, platform.DeveloperRole: &ap.devFile} {
		token, err := p.Token("cli-"+string(role), role, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		*file = filepath.Join(dir, string(role)+".token")
		if err := os.WriteFile(*file, []byte(token+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if role == platform.AdminRole {
			ap.adminToken = token
		}
	}
	return ap
}

// as runs gantry against the platform with the token file of a role.
func (ap *apiPlatform) as(t *testing.T, tokenFile string, args ...string) (int, string, string) {
	t.Helper()
	return gantry(t, append(args, "--api-url", ap.url, "--token-file", tokenFile)...)
}

// must runs gantry as ap.as does and fails the test unless it exits 0.
func (ap *apiPlatform) must(t *testing.T, tokenFile string, args ...string) string {
	t.Helper()
	code, out, errOut := ap.as(t, tokenFile, args...)
	if code != exitOK {
		t.Fatalf("gantry %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// requestID matches the end of an API error as the commands print it.
var requestID = regexp.MustCompile(`\(request id [0-9a-f]{8,}\)\n$`)

// TestAPICommands drives the API commands against one local platform, step by step: each
// subtest builds on the ones before.
func TestAPICommands(t *testing.T) {
	ap := startAPIPlatform(t)
	admin, dev := ap.adminFile, ap.devFile
	envSpec := library + "/environments/vpc-ecs/tests/defaults/spec.yaml"

	t.Run("register and publish a template", func(t *testing.T) {
		ap.must(t, admin, "templates", "create", "--kind", "environment", "--name", "vpc-ecs", "--display-name", "VPC and ECS")
		out := ap.must(t, admin, "templates", "register", "--kind", "environment", "--name", "vpc-ecs", "--bundle", library+"/environments/vpc-ecs/v1")
		if !regexp.MustCompile(`(?m)^version: +1\.0$`).MatchString(out) || !regexp.MustCompile(`(?m)^status: +DRAFT$`).MatchString(out) {
			t.Fatalf("register printed:\n%s", out)
		}
		out = ap.must(t, admin, "templates", "publish", "--kind", "environment", "--name", "vpc-ecs")
		if !regexp.MustCompile(`(?m)^status: +PUBLISHED$`).MatchString(out) {
			t.Fatalf("publish printed:\n%s", out)
		}
		out = ap.must(t, admin, "templates", "list", "--kind", "environment")
		if !regexp.MustCompile(`(?m)^NAME +DISPLAY NAME +RECOMMENDED +CREATED\nvpc-ecs +VPC and ECS +1\.0 +\d{4}-`).MatchString(out) {
			t.Fatalf("list printed:\n%s", out)
		}
		// The same bundle under major 1 is 1.0; another one is the next minor, a DRAFT
		// beside the published 1.0.
		out = ap.must(t, admin, "templates", "register", "--kind", "environment", "--name", "vpc-ecs", "--bundle", library+"/environments/vpc-ecs/v1", "--major", "1")
		if !regexp.MustCompile(`(?m)^version: +1\.0$`).MatchString(out) {
			t.Fatalf("register the same bundle --major 1 printed:\n%s", out)
		}
		out = ap.must(t, admin, "templates", "register", "--kind", "environment", "--name", "vpc-ecs", "--bundle", revisedBundle(t, library+"/environments/vpc-ecs/v1"), "--major", "1")
		if !regexp.MustCompile(`(?m)^version: +1\.1$`).MatchString(out) {
			t.Fatalf("register --major 1 printed:\n%s", out)
		}
		out = ap.must(t, admin, "templates", "versions", "--kind", "environment", "vpc-ecs")
		if !regexp.MustCompile(`(?m)^VERSION +STATUS +DESCRIPTION +CREATED\n1\.1 +DRAFT .*\n1\.0 +PUBLISHED `).MatchString(out) {
			t.Fatalf("versions printed:\n%s", out)
		}
		out = ap.must(t, admin, "templates", "get", "--kind", "environment", "vpc-ecs", "--version", "1.0")
		if !strings.Contains(out, "schema:\n  schema:\n") {
			t.Fatalf("get --version printed no schema:\n%s", out)
		}
		// A service template, registered from a packed folder and published in one step.
		ap.must(t, admin, "templates", "create", "--kind", "service", "--name", "s3-bucket")
		out = ap.must(t, admin, "templates", "register", "--kind", "service", "--name", "s3-bucket", "--bundle", library+"/services/s3-bucket/v1", "--publish")
		if !regexp.MustCompile(`(?m)^status: +PUBLISHED$`).MatchString(out) || !regexp.MustCompile(`(?m)^compatible environments: +vpc-ecs:1$`).MatchString(out) {
			t.Fatalf("register --publish printed:\n%s", out)
		}
		out = ap.must(t, admin, "templates", "versions", "--kind", "service", "s3-bucket")
		if !regexp.MustCompile(`(?m)^1\.0 +PUBLISHED `).MatchString(out) {
			t.Fatalf("versions printed:\n%s", out)
		}
	})

	t.Run("create an environment and wait", func(t *testing.T) {
		out := ap.must(t, admin, "environments", "create", "--name", "beta", "--template", "vpc-ecs", "--major", "1",
			"--spec", envSpec, "--wait", "--interval", "10ms")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) < 2 || !strings.Contains(lines[0], "environment beta: IN_PROGRESS (deployment ") ||
			!strings.Contains(lines[len(lines)-1], "environment beta: SUCCEEDED") {
			t.Fatalf("progress printed:\n%s", out)
		}
		out = ap.must(t, dev, "environments", "outputs", "beta")
		if !strings.HasPrefix(out, "KEY ") || strings.Count(out, "\n") < 2 {
			t.Fatalf("outputs printed:\n%s", out)
		}
		out = ap.must(t, dev, "deployments", "list", "--environment", "beta")
		if !regexp.MustCompile(`(?m)^[0-9a-zA-Z-]+ +environment beta +DEPLOY +1\.0 +SUCCEEDED `).MatchString(out) {
			t.Fatalf("deployments list printed:\n%s", out)
		}
		// An update repeated with its client token deploys once.
		for i := 0; i < 2; i++ {
			ap.must(t, admin, "environments", "update", "beta", "--client-token", "redeploy-1", "--wait", "--interval", "10ms")
		}
		out = ap.must(t, dev, "deployments", "list", "--environment", "beta")
		if n := strings.Count(out, " SUCCEEDED "); n != 2 {
			t.Fatalf("%d deployments after create and a repeated update, want 2:\n%s", n, out)
		}
	})

	t.Run("preview an environment update, then deploy that change set", func(t *testing.T) {
		out := ap.must(t, admin, "preview", "environment", "--name", "beta")
		if !regexp.MustCompile(`(?m)^changes: +none \(The submitted information didn't contain changes`).MatchString(out) {
			t.Fatalf("preview of the same spec printed:\n%s", out)
		}
		wider := filepath.Join(t.TempDir(), "spec.yaml")
		if err := os.WriteFile(wider, []byte("proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.1.0.0/16\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		out = ap.must(t, admin, "preview", "environment", "--name", "beta", "--spec", wider)
		m := regexp.MustCompile(`(?m)^preview: +(\S+)$`).FindStringSubmatch(out)
		if m == nil || !regexp.MustCompile(`(?m)^Modify +\w+ +AWS::EC2::VPC +True +Properties\.CidrBlock \(Always replaces\)$`).MatchString(out) {
			t.Fatalf("preview of another VPC range printed:\n%s", out)
		}
		if code, _, errOut := ap.as(t, dev, "preview", "environment", "--name", "beta"); code != exitProblems || !strings.Contains(errOut, "AccessDeniedException") {
			t.Fatalf("a developer's preview of an environment: exit %d, %s", code, errOut)
		}
		out = ap.must(t, admin, "environments", "update", "--name", "beta", "--preview-id", m[1], "--wait", "--interval", "10ms")
		if !strings.Contains(out, "environment beta: SUCCEEDED") {
			t.Fatalf("update --preview-id printed:\n%s", out)
		}
		if out = ap.must(t, admin, "environments", "get", "beta"); !strings.Contains(out, "vpc_cidr: 10.1.0.0/16") {
			t.Fatalf("environment after the previewed update:\n%s", out)
		}
	})

	t.Run("update an instance's inputs", func(t *testing.T) {
		ap.must(t, dev, "services", "create", "--name", "uploads", "--template", "s3-bucket", "--major", "1",
			"--spec", library+"/services/s3-bucket/tests/defaults/spec.yaml", "--wait", "--interval", "10ms")
		out := ap.must(t, dev, "instances", "update", "--service", "uploads", "--name", "uploads-beta",
			"--input", "versioning=true", "--input", "expiration_days=30", "--input", "noncurrent_version_expiration_days=7",
			"--wait", "--interval", "10ms")
		if !strings.Contains(out, "service instance uploads/uploads-beta: SUCCEEDED") {
			t.Fatalf("update printed:\n%s", out)
		}
		var inst struct {
			Spec             string `json:"spec"`
			DeploymentStatus string `json:"deploymentStatus"`
			LastDeploymentID string `json:"lastDeploymentId"`
		}
		if err := json.Unmarshal([]byte(ap.must(t, dev, "instances", "get", "--service", "uploads", "uploads-beta", "--output", "json")), &inst); err != nil {
			t.Fatal(err)
		}
		var spec struct {
			Spec map[string]any `yaml:"spec"`
		}
		if err := yaml.Unmarshal([]byte(inst.Spec), &spec); err != nil {
			t.Fatal(err)
		}
		if spec.Spec["versioning"] != true || spec.Spec["expiration_days"] != 30 || spec.Spec["noncurrent_version_expiration_days"] != 7 {
			t.Fatalf("instance spec after update:\n%s", inst.Spec)
		}
		// A second update starts from the spec the first one left.
		ap.must(t, dev, "instances", "update", "--service", "uploads", "--name", "uploads-beta", "--input", "expiration_days=60", "--wait", "--interval", "10ms")
		if err := json.Unmarshal([]byte(ap.must(t, dev, "instances", "get", "--service", "uploads", "uploads-beta", "--output", "json")), &inst); err != nil {
			t.Fatal(err)
		}
		spec.Spec = nil
		if err := yaml.Unmarshal([]byte(inst.Spec), &spec); err != nil {
			t.Fatal(err)
		}
		if spec.Spec["versioning"] != true || spec.Spec["expiration_days"] != 60 {
			t.Fatalf("instance spec after the second update:\n%s", inst.Spec)
		}
		// A value of the wrong type is the API's 400, naming the input.
		code, _, errOut := ap.as(t, dev, "instances", "update", "--service", "uploads", "--name", "uploads-beta", "--input", "expiration_days=soon")
		if code != exitProblems || !strings.Contains(errOut, "ValidationException: ") || !strings.Contains(errOut, "expiration_days") || !requestID.MatchString(errOut) {
			t.Fatalf("wrong type: exit %d, stderr %q", code, errOut)
		}
	})

	t.Run("grow, shrink and delete a service", func(t *testing.T) {
		dir := t.TempDir()
		spec := func(file string, instances ...string) string {
			text := "proton: ServiceSpec\ninstances:\n"
			for _, i := range instances {
				text += "  - name: " + i + "\n    environment: beta\n    spec: {}\n"
			}
			path := filepath.Join(dir, file)
			if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			return path
		}
		ap.must(t, dev, "services", "create", "--name", "logs", "--template", "s3-bucket", "--major", "1",
			"--spec", spec("one.yaml", "logs-a"), "--wait", "--interval", "10ms")
		out := ap.must(t, dev, "instances", "create", "--service", "logs", "--name", "logs-b", "--spec", spec("b.yaml", "logs-b"), "--wait", "--interval", "10ms")
		if !strings.Contains(out, "service instance logs/logs-b: SUCCEEDED") {
			t.Fatalf("instances create printed:\n%s", out)
		}
		// --wait prints what each poll finds changed: logs-a's deletion may end before the
		// first poll (then it is simply gone), so what is checked is where things end.
		out = ap.must(t, dev, "services", "update", "logs", "--description", "access logs", "--spec", spec("b-only.yaml", "logs-b"), "--wait", "--interval", "10ms")
		if !strings.Contains(out, "service instance logs/logs-b: SUCCEEDED") {
			t.Fatalf("services update printed:\n%s", out)
		}
		out = ap.must(t, dev, "instances", "list", "--service", "logs")
		if strings.Contains(out, "logs-a") || !strings.Contains(out, "logs-b") {
			t.Fatalf("instances after the update:\n%s", out)
		}
		out = ap.must(t, dev, "instances", "list", "--filter", "deploymentStatus=SUCCEEDED", "--filter", "name=logs-b", "--sort-by", "createdAt", "--sort-order", "DESCENDING")
		if !regexp.MustCompile(`(?m)^logs +logs-b +`).MatchString(out) || strings.Contains(out, "logs-a") {
			t.Fatalf("instances list --filter printed:\n%s", out)
		}
		out = ap.must(t, dev, "deployments", "list", "--service", "logs")
		if n := strings.Count(out, "instance logs/"); n != 3 || !regexp.MustCompile(`(?m) instance logs/logs-a +DELETE +\S+ +DELETE_COMPLETE `).MatchString(out) {
			t.Fatalf("%d deployments of the service, want 3 (two creates, one delete of logs-a, complete):\n%s", n, out)
		}
		out = ap.must(t, dev, "services", "delete", "logs", "--wait", "--interval", "10ms")
		if !strings.Contains(out, "service logs: DELETE_COMPLETE") {
			t.Fatalf("services delete printed:\n%s", out)
		}
		if code, _, errOut := ap.as(t, dev, "services", "get", "logs"); code != exitProblems || !strings.Contains(errOut, "ResourceNotFoundException") {
			t.Fatalf("deleted service: exit %d, stderr %q", code, errOut)
		}
	})

	t.Run("errors show the API's code, message and request id", func(t *testing.T) {
		code, out, errOut := ap.as(t, dev, "environments", "create", "--name", "gamma", "--template", "vpc-ecs", "--major", "1", "--spec", envSpec)
		if code != exitProblems || out != "" || !strings.HasPrefix(errOut, "gantry environments create: AccessDeniedException: creating an environment of environment template vpc-ecs needs the admin role: the template is not self-service (request id ") || !requestID.MatchString(errOut) {
			t.Fatalf("403: exit %d, stdout %q, stderr %q", code, out, errOut)
		}
		code, _, errOut = ap.as(t, admin, "environments", "create", "--name", "not a name", "--template", "vpc-ecs", "--major", "1", "--spec", envSpec)
		if code != exitProblems || !strings.HasPrefix(errOut, "gantry environments create: ValidationException: name") || !requestID.MatchString(errOut) {
			t.Fatalf("400: exit %d, stderr %q", code, errOut)
		}
		code, _, errOut = ap.as(t, dev, "environments", "get", "nowhere")
		if code != exitProblems || !strings.Contains(errOut, "ResourceNotFoundException: ") {
			t.Fatalf("404: exit %d, stderr %q", code, errOut)
		}
		// An environment with a service instance in it cannot be deleted.
		code, _, errOut = ap.as(t, admin, "environments", "delete", "beta")
		if code != exitProblems || !strings.Contains(errOut, "ConflictException: ") {
			t.Fatalf("409: exit %d, stderr %q", code, errOut)
		}
		// Nothing listens on this URL.
		code, _, errOut = gantry(t, "environments", "list", "--api-url", "http://127.0.0.1:1", "--token-file", admin)
		if code != exitProblems || !strings.Contains(errOut, "cannot reach the API") {
			t.Fatalf("unreachable: exit %d, stderr %q", code, errOut)
		}
	})

	t.Run("json output is the API's JSON", func(t *testing.T) {
		req, err := http.NewRequest("GET", ap.url+"/v1/environments/beta", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+ap.adminToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		// The global flags may also come before the command.
		code, out, errOut := gantry(t, "--output", "json", "--api-url", ap.url, "environments", "get", "beta", "--token-file", admin)
		if code != exitOK || out != string(want) {
			t.Fatalf("exit %d, stderr %q\ngot  %s\nwant %s", code, errOut, out, want)
		}
		var list struct {
			Items []struct {
				Name string `json:"name"`
			} `json:"items"`
		}
		out = ap.must(t, admin, "environments", "list", "--output", "json")
		if err := json.Unmarshal([]byte(out), &list); err != nil || len(list.Items) != 1 || list.Items[0].Name != "beta" {
			t.Fatalf("list: %v\n%s", err, out)
		}
		out = ap.must(t, admin, "templates", "list", "--kind", "service", "--output", "json", "--max-results", "1")
		if err := json.Unmarshal([]byte(out), &list); err != nil || len(list.Items) != 1 || list.Items[0].Name != "s3-bucket" {
			t.Fatalf("one page: %v\n%s", err, out)
		}
	})

	t.Run("configuration from the environment", func(t *testing.T) {
		t.Setenv(apiURLEnv, ap.url)
		t.Setenv(tokenEnv, ap.adminToken)
		code, out, errOut := gantry(t, "environments", "list")
		if code != exitOK || !regexp.MustCompile(`(?m)^beta +vpc-ecs +1\.0 +SUCCEEDED `).MatchString(out) {
			t.Fatalf("exit %d, stderr %q, stdout:\n%s", code, errOut, out)
		}
		t.Setenv(tokenEnv, "")
		code, _, errOut = gantry(t, "environments", "list")
		if code != exitUsage || !strings.Contains(errOut, "no token: set GANTRY_TOKEN or pass --token-file") {
			t.Fatalf("no token: exit %d, stderr %q", code, errOut)
		}
	})

	t.Run("a failed deployment exits 1 with its message", func(t *testing.T) {
		// The bundle passes registration's checks (rendered with its defaults, the resource
		// type is real); the spec picks a type CloudFormation does not know.
		broken := t.TempDir()
		for _, f := range []string{"infrastructure/manifest.yaml"} {
			data, err := os.ReadFile(library + "/environments/vpc-ecs/v1/" + f)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Dir(filepath.Join(broken, f)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(broken, f), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		files := map[string]string{
			"infrastructure/cloudformation.yaml": "Resources:\n  Thing:\n    Type: {{ environment.inputs.resource_type }}\n    Properties: {}\n",
			"schema/schema.yaml": "schema:\n  format:\n    openapi: \"3.0.0\"\n  environment_input_type: \"Input\"\n  types:\n    Input:\n      type: object\n" +
				"      properties:\n        resource_type:\n          type: string\n          default: \"AWS::SNS::Topic\"\n",
			"spec.yaml": "proton: EnvironmentSpec\nspec:\n  resource_type: \"AWS::Foo::Bar\"\n",
		}
		for name, content := range files {
			if err := os.MkdirAll(filepath.Dir(filepath.Join(broken, name)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(broken, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		doomedSpec := filepath.Join(broken, "spec.yaml")
		ap.must(t, admin, "templates", "create", "--kind", "environment", "--name", "broken")
		ap.must(t, admin, "templates", "register", "--kind", "environment", "--name", "broken", "--bundle", broken, "--publish")
		code, out, errOut := ap.as(t, admin, "environments", "create", "--name", "doomed", "--template", "broken", "--major", "1",
			"--spec", doomedSpec, "--wait", "--interval", "10ms", "--output", "json")
		if code != exitProblems || !strings.Contains(errOut, "environment doomed: FAILED") ||
			!strings.Contains(errOut, "gantry environments create: environment doomed ended FAILED: ") || !strings.Contains(errOut, "AWS::Foo::Bar") {
			t.Fatalf("exit %d, stderr:\n%s", code, errOut)
		}
		var env map[string]any
		if err := json.Unmarshal([]byte(out), &env); err != nil || env["name"] != "doomed" {
			t.Fatalf("stdout is not the create's JSON: %v\n%s", err, out)
		}
		// The rendered template that failed is kept: the spec's resource type is in it.
		if out := ap.must(t, admin, "deployments", "get", "--rendered", env["lastDeploymentId"].(string)); !strings.HasPrefix(out, "Resources:\n  Thing:\n    Type: AWS::Foo::Bar\n") {
			t.Fatalf("deployments get --rendered printed:\n%s", out)
		}
		// Deleting it, waiting until it is gone.
		out = ap.must(t, admin, "environments", "delete", "doomed", "--wait", "--interval", "10ms")
		if !strings.Contains(out, "environment doomed: DELETE_IN_PROGRESS") || !strings.Contains(out, "environment doomed: DELETE_COMPLETE") {
			t.Fatalf("delete printed:\n%s", out)
		}
	})
}

func TestAPIUsageErrors(t *testing.T) {
	t.Setenv(tokenEnv, "a-token")
	for _, args := range [][]string{
		{"environments"},
		{"environments", "frobnicate"},
		{"environments", "get"},
		{"environments", "get", "a", "b"},
		{"environments", "create", "--name", "x", "--major", "1", "--spec", "s.yaml"},
		{"environments", "create", "--name", "x", "--template", "t", "--spec", "s.yaml"},
		{"environments", "update", "x", "--deployment-type", "SOMETIMES"},
		{"environments", "list", "--output", "yaml"},
		{"environments", "list", "--api-url", "localhost:8080"},
		{"environments", "list", "--token-file", "/nonexistent/token"},
		{"templates", "list"},
		{"templates", "list", "--kind", "pipeline"},
		{"templates", "register", "--kind", "service", "--name", "x"},
		{"templates", "register", "--kind", "service", "--name", "x", "--bundle", "b", "--compatible-env", "vpc"},
		{"instances", "update", "--name", "i"},
		{"instances", "update", "--service", "s", "--name", "i", "--input", "novalue"},
		{"deployments", "list"},
		{"deployments", "list", "--environment", "e", "--service", "s"},
		{"deployments", "get"},
		{"services", "create", "--name", "s", "--template", "t", "--major", "1"},
		{"events", "dlq"},
		{"events", "dlq", "purge"},
		{"events", "dlq", "list", "--id", "x"},
	} {
		code, out, errOut := gantry(t, args...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, "usage:") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want usage on stderr and exit 2", args, code, out, errOut)
		}
	}
	if code, _, errOut := gantry(t, "instances", "update", "-h"); code != exitOK || !strings.Contains(errOut, "--input") {
		t.Errorf("instances update -h: exit %d, %q", code, errOut)
	}
	if code, _, errOut := gantry(t, "deployments", "help"); code != exitOK || !strings.Contains(errOut, "cancel") {
		t.Errorf("deployments help: exit %d, %q", code, errOut)
	}
}

func TestHoistGlobalFlags(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"--output json environments list", "environments list --output json"},
		{"--api-url=http://x -token-file t environments get b", "environments get b --api-url=http://x -token-file t"},
		{"environments --output json list", "environments --output json list"},
		{"--bogus environments list", "--bogus environments list"},
		{"--output", "--output"},
	} {
		if got := strings.Join(hoistGlobalFlags(strings.Fields(c.in)), " "); got != c.want {
			t.Errorf("%q: got %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSetInputs(t *testing.T) {
	for _, c := range []struct {
		name, spec string
		inputs     []input
		want       string
	}{
		{"the API's own form", "spec:\n  versioning: false # keep it off\n  expiration_days: 0\n",
			[]input{{"versioning", "true"}, {"expiration_days", "30"}, {"bucket_name", "logs"}},
			"spec:\n  versioning: true # keep it off\n  expiration_days: 30\n  bucket_name: logs\n"},
		{"empty", "", []input{{"retain", "yes"}, {"note", ""}}, "spec:\n  retain: yes\n  note: \"\"\n"},
		{"empty mapping", "spec: {}\n", []input{{"days", "7"}}, "spec:\n  days: 7\n"},
		{"null spec", "spec:\n", []input{{"days", "7"}}, "spec:\n  days: 7\n"},
		{"plain inputs", "a: 1\n", []input{{"b", "'2'"}}, "spec:\n  a: 1\n  b: '2'\n"},
		{"text that is no scalar", "spec: {}\n", []input{{"title", "a: b"}, {"list", "[1, 2]"}},
			"spec:\n  title: 'a: b'\n  list: '[1, 2]'\n"},
		{"a ServiceSpec", "proton: ServiceSpec\ninstances:\n  - name: other\n    environment: e\n    spec:\n      x: 1\n  - name: api-beta\n    environment: beta\n    spec:\n      port: 80\n",
			[]input{{"port", "8080"}}, "spec:\n  port: 8080\n"},
	} {
		got, err := setInputs(c.spec, "api-beta", c.inputs)
		if err != nil || got != c.want {
			t.Errorf("%s: got %q (%v), want %q", c.name, got, err, c.want)
		}
	}
	for _, spec := range []string{"- a\n", "proton: ServiceSpec\ninstances:\n  - name: other\n", "spec: [1]\n", "a: [\n"} {
		if _, err := setInputs(spec, "api-beta", []input{{"x", "1"}}); err == nil {
			t.Errorf("%q: no error", spec)
		}
	}
}

func TestProgressPrinter(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	var out strings.Builder
	p := newProgressPrinter(&out, clock)
	inProgress := apiclient.Status{Target: "environment beta", DeploymentStatus: platform.InProgress, DeploymentID: "d1"}
	p.change(inProgress)
	now = now.Add(10 * time.Second)
	p.heartbeat([]apiclient.Status{inProgress}) // too soon: silent
	now = now.Add(25 * time.Second)
	p.heartbeat([]apiclient.Status{inProgress})
	now = now.Add(5 * time.Second)
	p.change(apiclient.Status{Target: "environment beta", DeploymentStatus: platform.Failed, DeploymentID: "d1", Message: "stack rolled back"})
	p.change(apiclient.Status{Target: "environment beta", DeploymentStatus: platform.InProgress, DeploymentID: "d2"})
	want := "[    0s] environment beta: IN_PROGRESS (deployment d1)\n" +
		"[   35s] environment beta: still IN_PROGRESS\n" +
		"[   40s] environment beta: FAILED — stack rolled back\n" +
		"[   40s] environment beta: IN_PROGRESS (deployment d2)\n"
	if out.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", out.String(), want)
	}
}
