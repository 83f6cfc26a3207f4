package lambdawire_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/awsclients"
	"github.com/gantry-platform/gantry/internal/awsclients/awstest"
	"github.com/gantry-platform/gantry/internal/gitsync/gitsynctest"
	"github.com/gantry-platform/gantry/internal/lambdaenv"
	"github.com/gantry-platform/gantry/internal/lambdawire"
	"github.com/gantry-platform/gantry/internal/lambdawire/lambdawiretest"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

func TestConfigFromEnv(t *testing.T) {
	cfg, err := lambdawire.ConfigFromEnv(awstest.Getenv(map[string]string{
		lambdaenv.TableName:               "gantry-table",
		lambdaenv.StateMachineARN:         "arn:aws-cn:states:cn-north-1:444455556666:stateMachine:gantry",
		lambdaenv.AdminGroups:             " platform-team , ",
		lambdaenv.DeveloperGroups:         "devs,qa",
		lambdaenv.AccessKeysKMSKey:        "alias/gantry-access-keys",
		lambdaenv.SyncStateMachineARN:     "arn:aws-cn:states:cn-north-1:444455556666:stateMachine:gantry-sync",
		lambdaenv.GitCredentialsSecretARN: "arn:aws-cn:secretsmanager:cn-north-1:444455556666:secret:git",
		lambdaenv.GitHubEnterpriseURL:     "https://github.example.com",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.AccountID != "444455556666" || cfg.Partition != "aws-cn" {
		t.Errorf("account %q partition %q, want them from the state machine ARN", cfg.AccountID, cfg.Partition)
	}
	if cfg.SyncStateMachineARN == "" || cfg.GitCredentialsSecretARN == "" || cfg.GitHubEnterpriseURL != "https://github.example.com" || cfg.GitDir == "" {
		t.Errorf("sync configuration = %q, %q, %q, %q", cfg.SyncStateMachineARN, cfg.GitCredentialsSecretARN, cfg.GitHubEnterpriseURL, cfg.GitDir)
	}
	if cfg.AccessKeysKMSKey != "alias/gantry-access-keys" {
		t.Errorf("access keys' KMS key = %q", cfg.AccessKeysKMSKey)
	}
	if strings.Join(cfg.Roles.AdminGroups, ",") != "platform-team" || strings.Join(cfg.Roles.DeveloperGroups, ",") != "devs,qa" {
		t.Errorf("roles = %+v", cfg.Roles)
	}

	cfg, err = lambdawire.ConfigFromEnv(awstest.Getenv(map[string]string{lambdaenv.TableName: "t"}))
	if err != nil || cfg.AccountID != "" || len(cfg.Roles.AdminGroups) == 0 {
		t.Errorf("minimal config = %+v, %v; want no account and the default role map", cfg, err)
	}
	if _, err := lambdawire.ConfigFromEnv(awstest.Getenv(nil)); err == nil || !strings.Contains(err.Error(), lambdaenv.TableName) {
		t.Errorf("without a table: %v, want an error naming %s", err, lambdaenv.TableName)
	}
}

func TestAWSPortsAsksSTSForTheAccountAndSkipsWhatIsNotConfigured(t *testing.T) {
	server := awstest.NewServer(t)
	server.Handle("GetCallerIdentity", func(awstest.Call) awstest.Response {
		return awstest.QueryResult("GetCallerIdentity", `<Account>444455556666</Account>`)
	})
	clients := awsclients.New(awstest.Config(), awstest.Getenv(map[string]string{awsclients.EndpointURL: server.URL}))
	cfg := lambdawire.Config{TableName: "t", BucketName: "b"}
	ports, err := lambdawire.AWSPorts(context.Background(), &cfg, clients)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.AccountID != "444455556666" {
		t.Errorf("account = %q", cfg.AccountID)
	}
	if ports.Events != nil || ports.Notifier != nil {
		t.Errorf("events %v, notifier %v: want none without a bus or topic", ports.Events, ports.Notifier)
	}
	if ports.Store == nil || ports.Blobs == nil || ports.Provisioner == nil || ports.Workflows == nil {
		t.Errorf("ports = %+v", ports)
	}
	if ports.Sealer != nil || ports.Bundles != nil {
		t.Errorf("sealer %v, bundles %v: want none without the access keys' KMS key", ports.Sealer, ports.Bundles)
	}
	cfg.AccessKeysKMSKey = "arn:aws:kms:us-east-1:444455556666:key/abc"
	if ports, err = lambdawire.AWSPorts(context.Background(), &cfg, clients); err != nil || ports.Sealer == nil || ports.Bundles == nil {
		t.Errorf("with the access keys' KMS key: sealer %v, bundles %v, %v; want both", ports.Sealer, ports.Bundles, err)
	}
}

// TestFromEnvIsAColdStart runs the mains' cold start against a contract-test endpoint:
// configuration from the environment, one AWS configuration, the adapters wired to it.
func TestFromEnvIsAColdStart(t *testing.T) {
	server := awstest.NewServer(t)
	server.Handle("StartExecution", func(c awstest.Call) awstest.Response {
		return awstest.JSONResult(map[string]string{"executionArn": "arn:aws:states:eu-west-1:111122223333:execution:gantry:d-1"})
	})
	server.Handle("Publish", func(awstest.Call) awstest.Response {
		return awstest.QueryResult("Publish", "<MessageId>m</MessageId>")
	})
	setColdStartEnv(t, server.URL)
	app, err := lambdawire.FromEnv(context.Background())
	if err != nil {
		t.Fatalf("FromEnv: %v", err)
	}
	if app.Config.AccountID != "111122223333" || app.Tasks == nil || app.Service == nil {
		t.Fatalf("app = %+v", app)
	}
	ctx := context.Background()
	if _, err := app.Ports.Workflows.Start(ctx, "d-1", []byte(`{"deploymentId":"d-1"}`)); err != nil {
		t.Errorf("Start: %v", err)
	}
	if err := app.Ports.Notifier.Notify(ctx, "s", "m"); err != nil {
		t.Errorf("Notify: %v", err)
	}
	for _, c := range server.Calls() {
		if c.AccessKeyID != "AKIDCOLDSTART" {
			t.Errorf("%s signed with %q", c.Operation, c.AccessKeyID)
		}
	}
	if ops := strings.Join(server.Operations(), " "); ops != "StartExecution Publish" {
		t.Errorf("operations = %s (no STS call expected: the account comes from an ARN)", ops)
	}
	if app.Ports.Events != nil {
		t.Error("no bus is configured, yet there is an event publisher")
	}
}

// setColdStartEnv sets what a Lambda function's environment holds: credentials, region,
// Gantry's variables, and the endpoint of a contract-test server.
func setColdStartEnv(t testing.TB, endpoint string) {
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIDCOLDSTART", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "",
		"AWS_REGION": "eu-west-1", "AWS_PROFILE": "", "AWS_CONFIG_FILE": t.TempDir() + "/none", "AWS_SHARED_CREDENTIALS_FILE": t.TempDir() + "/none",
		"AWS_EC2_METADATA_DISABLED": "true", awsclients.EndpointURL: endpoint,
		lambdaenv.TableName: "gantry-table", lambdaenv.StateMachineARN: "arn:aws:states:eu-west-1:111122223333:stateMachine:gantry",
		lambdaenv.TopicARN: "arn:aws:sns:eu-west-1:111122223333:gantry",
	} {
		t.Setenv(k, v)
	}
}

// BenchmarkFromEnv measures the wiring part of a cold start: configuration, AWS clients,
// adapters, engine, service and tasks (no network: the account comes from an ARN).
func BenchmarkFromEnv(b *testing.B) {
	setColdStartEnv(b, "http://127.0.0.1:1")
	for b.Loop() {
		if _, err := lambdawire.FromEnv(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

// TestTheServiceCancelsStackUpdatesThroughTheProvisioner: the control plane of an App
// is given the Provisioner, so that cancelling a deployment cancels its stack update.
func TestTheServiceCancelsStackUpdatesThroughTheProvisioner(t *testing.T) {
	d := platform.Deployment{ID: "d-1", Target: platform.Target{Kind: platform.EnvironmentTarget, Environment: "Beta"},
		Operation: platform.Deploy, Status: platform.InProgress, StackName: "gantry-env-Beta", TaskToken: "token-1", Revision: 3}
	ports := lambdawiretest.NewPorts(d)
	var cancelled []string
	ports.Provisioner.CancelFunc = func(_ context.Context, stack, token string) error {
		cancelled = append(cancelled, stack+" "+token)
		return nil
	}
	ports.Events.PublishFunc = func(context.Context, ...platform.Event) error { return nil }
	got, err := ports.App().Service.CancelDeployment(platformtest.AdminContext("alice"), d.ID)
	if err != nil || got.Status != platform.Cancelling {
		t.Fatalf("CancelDeployment = %+v, %v; want CANCELLING", got, err)
	}
	if len(cancelled) != 1 || cancelled[0] != "gantry-env-Beta "+platform.CancelToken("d-1") {
		t.Fatalf("stack cancellations = %v, want gantry-env-Beta with the deployment's cancel token", cancelled)
	}
}

// TestHostedRepositoriesCloneWithTheSecretsToken: on AWS, a linked GitHub Enterprise
// repository is fetched over HTTPS from the configured host with the token read from the
// Secrets Manager secret (AWSPorts wiring: endpoint, secret, host); the sync workflow is
// started only when its state machine is configured.
func TestHostedRepositoriesCloneWithTheSecretsToken(t *testing.T) {
	root := t.TempDir()
	remote := gitsynctest.NewRemoteAt(t, filepath.Join(root, "acme", "ops.git"))
	head := remote.Commit(t, "main", "ops", map[string][]byte{"proton-ops.yaml": []byte("sync: {}\n")})
	backend := gitsynctest.HTTPBackend(t, root)
	var refused int
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if user, token, ok := r.BasicAuth(); !ok || user != "x-access-token" || token != "ghe_token" {
			refused++
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		backend.ServeHTTP(w, r)
	}))
	t.Cleanup(host.Close)
	aws := awstest.NewServer(t)
	aws.Handle("GetSecretValue", func(awstest.Call) awstest.Response {
		return awstest.JSONResult(map[string]any{"SecretString": `{"GITHUB_ENTERPRISE": "ghe_token"}`})
	})
	clients := awsclients.New(awstest.Config(), awstest.Getenv(map[string]string{awsclients.EndpointURL: aws.URL}))
	cfg := lambdawire.Config{TableName: "t", BucketName: "b", AccountID: "111122223333", GitDir: t.TempDir(), GitHubEnterpriseURL: host.URL + "/git",
		GitCredentialsSecretARN: "arn:aws:secretsmanager:us-east-1:111122223333:secret:gantry-git-AbCdEf"}
	ports, err := lambdawire.AWSPorts(context.Background(), &cfg, clients)
	if err != nil {
		t.Fatal(err)
	}
	if ports.SyncWorkflows != nil {
		t.Error("a sync workflow without its state machine")
	}
	repo := platform.RepositoryID{Provider: platform.GitHubEnterprise, Name: "acme/ops"}
	got, err := ports.Git.Fetch(context.Background(), repo, "main")
	if err != nil || got != head || refused != 0 {
		t.Fatalf("Fetch = %q, %v (%d refused); want %s", got, err, refused, head)
	}
	cfg.GitCredentialsSecretARN, cfg.GitDir = "", t.TempDir()
	cfg.SyncStateMachineARN = "arn:aws:states:us-east-1:111122223333:stateMachine:gantry-sync"
	if ports, err = lambdawire.AWSPorts(context.Background(), &cfg, clients); err != nil || ports.SyncWorkflows == nil {
		t.Fatalf("with the sync state machine: %v, %v", ports.SyncWorkflows, err)
	}
	if _, err := ports.Git.Fetch(context.Background(), repo, "main"); err == nil || refused == 0 {
		t.Fatalf("Fetch without the secret = %v (%d refused), want the host's refusal", err, refused)
	}
}
