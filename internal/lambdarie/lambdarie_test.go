package lambdarie_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gantry-platform/gantry/internal/awsclients"
	"github.com/gantry-platform/gantry/internal/awsclients/awstest"
	"github.com/gantry-platform/gantry/internal/dynamolocal"
	"github.com/gantry-platform/gantry/internal/lambdaenv"
	"github.com/gantry-platform/gantry/internal/lambdarie"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
	"github.com/gantry-platform/gantry/internal/store"
)

func TestMain(m *testing.M) { dynamolocal.Main(m) }

// built holds the emulator and the function binaries, built once per test binary.
var built struct {
	once      sync.Once
	emulator  string
	functions map[string]string
	err       error
}

// mustBuild returns the emulator's path and each function's bootstrap, by name.
func mustBuild(t testing.TB) (string, map[string]string) {
	t.Helper()
	built.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		if built.emulator, built.err = lambdarie.BuildEmulator(ctx); built.err != nil {
			return
		}
		dir, err := buildDir()
		if err != nil {
			built.err = err
			return
		}
		built.functions = map[string]string{}
		for _, name := range lambdaenv.Functions() {
			if built.functions[name], built.err = lambdarie.BuildFunction(ctx, "../..", name, dir); built.err != nil {
				return
			}
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.emulator, built.functions
}

// buildDir is where the function binaries go: one directory of the user's cache per
// checkout, rebuilt by each run (a temporary directory would outlive the test binary,
// whose TestMain exits through dynamolocal.Main).
func buildDir() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(root))
	return filepath.Join(cache, "gantry", "lambdarie", hex.EncodeToString(sum[:6])), nil
}

// stage is what the functions reach: a table of their own on DynamoDB Local, and a
// contract-test endpoint standing in for S3 (objects kept in memory), Step Functions,
// EventBridge, SNS and CloudFormation.
type stage struct {
	aws     *awstest.Server
	env     []string
	mu      sync.Mutex
	objects map[string][]byte
}

const stateMachineARN = "arn:aws:states:us-east-1:111122223333:stateMachine:gantry-deployment"

func newStage(t testing.TB) *stage {
	t.Helper()
	dynamo := dynamolocal.Shared(t)
	table := "rie-" + platform.NewID()
	ctx := context.Background()
	if err := store.CreateTable(ctx, dynamo.Client(ctx), table); err != nil {
		t.Fatal(err)
	}
	s := &stage{aws: awstest.NewServer(t), objects: map[string][]byte{}}
	s.aws.Handle("PUT", func(c awstest.Call) awstest.Response {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.objects[c.Path] = c.Body
		return awstest.Response{}
	})
	s.aws.Handle("GET", func(c awstest.Call) awstest.Response {
		s.mu.Lock()
		defer s.mu.Unlock()
		body, ok := s.objects[c.Path]
		if !ok {
			return awstest.RESTXMLError(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		}
		return awstest.Response{ContentType: "application/octet-stream", Body: string(body)}
	})
	s.aws.Handle("StartExecution", func(c awstest.Call) awstest.Response {
		return awstest.JSONResult(map[string]any{"executionArn": strings.Replace(stateMachineARN, "stateMachine", "execution", 1) + ":" + c.JSON(t)["name"].(string), "startDate": 1767323045})
	})
	s.aws.Handle("PutEvents", func(awstest.Call) awstest.Response {
		return awstest.JSONResult(map[string]any{"FailedEntryCount": 0, "Entries": []map[string]string{{"EventId": "e-1"}}})
	})
	s.aws.Handle("Publish", func(awstest.Call) awstest.Response {
		return awstest.QueryResult("Publish", "<MessageId>m-1</MessageId>")
	})
	s.env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
		"AWS_ACCESS_KEY_ID=AKIDRIE", "AWS_SECRET_ACCESS_KEY=secret", "AWS_REGION=us-east-1",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_LAMBDA_FUNCTION_TIMEOUT=30",
		awsclients.EndpointURL + "=" + s.aws.URL,
		awsclients.EndpointURL + "_" + string(awsclients.DynamoDB) + "=" + dynamo.Endpoint(),
		lambdaenv.TableName + "=" + table,
		lambdaenv.BucketName + "=gantry-bucket",
		lambdaenv.StateMachineARN + "=" + stateMachineARN,
		lambdaenv.EventBusName + "=gantry",
		lambdaenv.EventSource + "=gantry",
		lambdaenv.TopicARN + "=arn:aws:sns:us-east-1:111122223333:gantry",
	}
	return s
}

// start runs the function name under the emulator until the test ends.
func (s *stage) start(t testing.TB, name string) *lambdarie.Runtime {
	t.Helper()
	emulator, functions := mustBuild(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := lambdarie.Start(ctx, emulator, functions[name], s.env)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// invoke sends payload and decodes the answer into out (nil: not decoded); a function
// error fails the test.
func invoke(t *testing.T, r *lambdarie.Runtime, payload []byte, out any) {
	t.Helper()
	resp := mustInvoke(t, r, payload)
	if fe := functionError(resp.Body); fe.ErrorType != "" {
		t.Fatalf("function error %s: %s\n%s", fe.ErrorType, fe.ErrorMessage, r.Log())
	}
	if out != nil {
		if err := json.Unmarshal(resp.Body, out); err != nil {
			t.Fatalf("answer %s: %v", resp.Body, err)
		}
	}
}

func mustInvoke(t *testing.T, r *lambdarie.Runtime, payload []byte) lambdarie.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	resp, err := r.Invoke(ctx, payload)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != http.StatusOK {
		t.Fatalf("invoke answered %d: %s\n%s", resp.Status, resp.Body, r.Log())
	}
	return resp
}

type lambdaError struct {
	ErrorType    string `json:"errorType"`
	ErrorMessage string `json:"errorMessage"`
}

func functionError(body []byte) lambdaError {
	var e lambdaError
	_ = json.Unmarshal(body, &e)
	return e
}

// gatewayRequest is an API Gateway HTTP API event (payload format 2.0) from a caller in
// group; a binary body travels base64-encoded, as API Gateway sends it.
func gatewayRequest(method, path, group, contentType string, body []byte) []byte {
	req := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "ANY /{proxy+}", RawPath: path,
		Headers: map[string]string{"accept": "application/json", "host": "abc123.execute-api.us-east-1.amazonaws.com"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			AccountID: "111122223333", APIID: "abc123", DomainName: "abc123.execute-api.us-east-1.amazonaws.com",
			RequestID: "rie-" + platform.NewID(), RouteKey: "ANY /{proxy+}", Stage: "$default",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path, Protocol: "HTTP/1.1", SourceIP: "203.0.113.7"},
		},
	}
	if group != "" {
		req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "alice", "groups": "[" + group + "]"}}}
	}
	if contentType != "" {
		req.Headers["content-type"] = contentType
	}
	if body != nil {
		req.Body, req.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
	}
	b, _ := json.Marshal(req)
	return b
}

// call invokes the api function with a request and returns API Gateway's response.
func call(t *testing.T, api *lambdarie.Runtime, method, path, group, contentType string, body []byte) events.APIGatewayV2HTTPResponse {
	t.Helper()
	var resp events.APIGatewayV2HTTPResponse
	invoke(t, api, gatewayRequest(method, path, group, contentType, body), &resp)
	if resp.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body = string(b)
	}
	return resp
}

// TestFunctionsUnderTheEmulator drives a deployment through the shipped binaries under
// the Lambda runtime: the api function registers, publishes and deploys a template (on
// DynamoDB Local, starting the workflow), render renders it, record records a failure,
// notify announces it, deploy sees it finished, and the events function takes every
// sample event.
func TestFunctionsUnderTheEmulator(t *testing.T) {
	s := newStage(t)
	api := s.start(t, "api")
	const admin = "gantry-admins"

	for _, tc := range []struct {
		method, path, group, contentType string
		body                             []byte
		status                           int
		want                             string
	}{
		{"GET", "/healthz", "", "", nil, 200, `ok`},
		{"GET", "/v1/environments", "", "", nil, 401, `"code"`},
		{"GET", "/v1/environments", "gantry-developers", "", nil, 200, `"items":[]`},
		{"POST", "/v1/environment-templates", admin, "application/json", []byte(`{"name":"vpc-ecs"}`), 201, `"name":"vpc-ecs"`},
		{"POST", "/v1/environment-templates", "gantry-developers", "application/json", []byte(`{"name":"other"}`), 403, `"code"`},
		{"POST", "/v1/environment-templates/vpc-ecs/versions", admin, "application/gzip",
			platformtest.TarGz(t, "../../templates/environments/vpc-ecs/v1", nil), 201, `"status":"DRAFT"`},
		{"POST", "/v1/environment-templates/vpc-ecs/versions/1.0/publish", admin, "", nil, 200, `"status":"PUBLISHED"`},
		{"GET", "/v1/environments/nothing-here", admin, "", nil, 404, `"code":"ResourceNotFoundException"`},
	} {
		resp := call(t, api, tc.method, tc.path, tc.group, tc.contentType, tc.body)
		if resp.StatusCode != tc.status || !strings.Contains(resp.Body, tc.want) {
			t.Fatalf("%s %s: %d %s, want %d with %s", tc.method, tc.path, resp.StatusCode, resp.Body, tc.status, tc.want)
		}
	}
	spec, err := os.ReadFile("../../templates/environments/vpc-ecs/tests/defaults/spec.yaml")
	if err != nil {
		t.Fatal(err)
	}
	create, _ := json.Marshal(map[string]any{"name": "beta", "templateName": "vpc-ecs", "templateMajorVersion": 1, "spec": string(spec)})
	resp := call(t, api, "POST", "/v1/environments", admin, "application/json", create)
	var env struct {
		DeploymentStatus string `json:"deploymentStatus"`
		LastDeploymentID string `json:"lastDeploymentId"`
	}
	if err := json.Unmarshal([]byte(resp.Body), &env); err != nil || resp.StatusCode != 202 || env.DeploymentStatus != "IN_PROGRESS" || env.LastDeploymentID == "" {
		t.Fatalf("create environment: %d %s", resp.StatusCode, resp.Body)
	}
	if n := len(s.aws.CallsOf("StartExecution")); n != 1 {
		t.Fatalf("%d StartExecution calls, want the workflow started once", n)
	}
	input, _ := json.Marshal(map[string]string{"deploymentId": env.LastDeploymentID})

	var rendered struct {
		RenderedKey string `json:"renderedKey"`
	}
	invoke(t, s.start(t, "render"), input, &rendered)
	s.mu.Lock()
	template := s.objects["/gantry-bucket/"+rendered.RenderedKey]
	s.mu.Unlock()
	if rendered.RenderedKey == "" || !strings.Contains(string(template), "AWS::EC2::VPC") {
		t.Fatalf("render answered key %q; the stored template is %.200s", rendered.RenderedKey, template)
	}

	failed, _ := json.Marshal(map[string]any{"deploymentId": env.LastDeploymentID,
		"error": map[string]string{"Error": "StackFailed", "Cause": `{"errorMessage":"CREATE_FAILED: quota exceeded"}`}})
	var recorded struct {
		Status string `json:"status"`
	}
	invoke(t, s.start(t, "record"), failed, &recorded)
	if recorded.Status != "FAILED" {
		t.Fatalf("record answered status %q, want FAILED", recorded.Status)
	}
	resp = call(t, api, "GET", "/v1/environments/beta", admin, "", nil)
	if !strings.Contains(resp.Body, `"deploymentStatus":"FAILED"`) || !strings.Contains(resp.Body, "quota exceeded") {
		t.Fatalf("the environment after record: %s", resp.Body)
	}

	invoke(t, s.start(t, "notify"), input, nil)
	if len(s.aws.CallsOf("PutEvents")) == 0 || len(s.aws.CallsOf("Publish")) != 1 {
		t.Fatalf("notify sent %v, want status events and one notification", s.aws.Operations())
	}

	deploy := s.start(t, "deploy")
	invoke(t, deploy, input, nil) // finished: nothing to start
	if n := len(s.aws.CallsOf("CreateChangeSet")) + len(s.aws.CallsOf("CreateStack")); n != 0 {
		t.Fatalf("deploy of a finished deployment touched CloudFormation %d times", n)
	}
	missing := functionError(mustInvoke(t, deploy, []byte(`{"deploymentId":"no-such-deployment"}`)).Body)
	if missing.ErrorType == "" || !strings.Contains(missing.ErrorMessage, "no-such-deployment") {
		t.Fatalf("deploy of an unknown deployment answered %+v, want an error naming it", missing)
	}
}

// TestEventsFunctionTakesEverySample: every sample event, the project's and the shared
// real-shape ones, goes through the events function under the runtime without an error;
// pipeline changes are republished on Gantry's bus.
func TestEventsFunctionTakesEverySample(t *testing.T) {
	s := newStage(t)
	fn := s.start(t, "events")
	var samples []string
	for _, pattern := range []string{"../../events/samples/*.json", "../../../shared/samples/events/*.json"} {
		found, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		samples = append(samples, found...)
	}
	if len(samples) < 10 {
		t.Fatalf("found %d samples", len(samples))
	}
	pipelines := 0
	for _, path := range samples {
		payload, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(filepath.Base(path), "codepipeline") {
			pipelines++
		}
		resp := mustInvoke(t, fn, payload)
		if string(resp.Body) != "null" {
			t.Errorf("%s: the events function answered %s", filepath.Base(path), resp.Body)
		}
	}
	if n := len(s.aws.CallsOf("PutEvents")); n != pipelines {
		t.Errorf("%d PutEvents calls for %d pipeline samples", n, pipelines)
	}
}
