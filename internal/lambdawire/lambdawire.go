// Package lambdawire builds, once per cold start, what Gantry's Lambda functions run: the
// configuration from the environment variables of package lambdaenv, the AWS clients, the
// adapters behind the platform ports, the template engine, the control-plane service, the
// workflow tasks and the API handler. Each functions/<name>/main.go takes its handler from
// an App; tests build an App with New from fake ports.
package lambdawire

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"github.com/gantry-platform/gantry/internal/api"
	"github.com/gantry-platform/gantry/internal/auth"
	"github.com/gantry-platform/gantry/internal/awsclients"
	"github.com/gantry-platform/gantry/internal/cloudformation"
	"github.com/gantry-platform/gantry/internal/codebuild"
	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/engine"
	"github.com/gantry-platform/gantry/internal/eventbridge"
	"github.com/gantry-platform/gantry/internal/gitcredentials"
	"github.com/gantry-platform/gantry/internal/gitsync"
	"github.com/gantry-platform/gantry/internal/keyseal"
	"github.com/gantry-platform/gantry/internal/lambdaenv"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/provision"
	"github.com/gantry-platform/gantry/internal/render"
	"github.com/gantry-platform/gantry/internal/s3blobs"
	"github.com/gantry-platform/gantry/internal/sns"
	"github.com/gantry-platform/gantry/internal/stepfunctions"
	"github.com/gantry-platform/gantry/internal/store"
	"github.com/gantry-platform/gantry/internal/syncflow"
	"github.com/gantry-platform/gantry/internal/workflow"
)

// Config is a function's configuration, read from the environment the CDK app sets. A
// function gets only the variables of what it may use; the others are "".
type Config struct {
	TableName           string
	BucketName          string
	StateMachineARN     string
	EventBusName        string
	EventSource         string
	TopicARN            string
	ProvisioningRoleARN string
	AccountRoleName     string
	Roles               auth.RoleMap
	// AccountID is the home account, taken from an ARN of the environment when one is
	// there; otherwise AWSPorts asks STS.
	AccountID string
	// Partition is the ARN partition of that ARN, default "aws".
	Partition string
	// Region is the function's region (AWS_REGION, which Lambda sets), the region of
	// resources' ARNs.
	Region string
	// RenderLimits bound template rendering (the GANTRY_RENDER_* variables of
	// engine.LimitsFromEnv; zero fields are render's defaults).
	RenderLimits render.Limits
	// AccessKeysKMSKey is the KMS key sealing access keys' secrets ("" outside the API
	// function: no access keys, and Proton's protocol refuses every request).
	AccessKeysKMSKey string
	// BuildProject and ProtonEndpoint configure the CodeBuild engine (the functions that
	// start, stop or describe provisioning builds): the project its builds run in and the
	// URL their commands report to.
	BuildProject, ProtonEndpoint string
	// SyncStateMachineARN is the sync workflow, started by the webhook receiver and the
	// poller ("" elsewhere: sync starts nothing there).
	SyncStateMachineARN string
	// GitCredentialsSecretARN is the secret of the tokens that clone hosted repositories
	// (""; public repositories only); GitHubEnterpriseURL the GitHub Enterprise host.
	GitCredentialsSecretARN, GitHubEnterpriseURL string
	// GitDir holds the local copies of linked repositories (default: under the temporary
	// directory, the only writable one on Lambda).
	GitDir string
}

// ConfigFromEnv reads the configuration through getenv (os.Getenv on Lambda). Every
// function uses the table: without lambdaenv.TableName it is an error naming the
// variable. Without group lists the roles are auth.DefaultRoleMap's.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	get := func(name string) string { return strings.TrimSpace(getenv(name)) }
	c := Config{
		TableName:           get(lambdaenv.TableName),
		BucketName:          get(lambdaenv.BucketName),
		StateMachineARN:     get(lambdaenv.StateMachineARN),
		EventBusName:        get(lambdaenv.EventBusName),
		EventSource:         get(lambdaenv.EventSource),
		TopicARN:            get(lambdaenv.TopicARN),
		ProvisioningRoleARN: get(lambdaenv.ProvisioningRoleARN),
		AccountRoleName:     get(lambdaenv.AccountRoleName),
		Roles: auth.RoleMap{AdminGroups: auth.ParseGroupList(get(lambdaenv.AdminGroups)),
			DeveloperGroups: auth.ParseGroupList(get(lambdaenv.DeveloperGroups)), GroupsClaim: get(lambdaenv.GroupsClaim)},
		Partition:        "aws",
		Region:           get("AWS_REGION"),
		AccessKeysKMSKey: get(lambdaenv.AccessKeysKMSKey),
		BuildProject:     get(lambdaenv.BuildProject),
		ProtonEndpoint:   get(lambdaenv.ProtonEndpoint),

		SyncStateMachineARN:     get(lambdaenv.SyncStateMachineARN),
		GitCredentialsSecretARN: get(lambdaenv.GitCredentialsSecretARN),
		GitHubEnterpriseURL:     get(lambdaenv.GitHubEnterpriseURL),
		GitDir:                  filepath.Join(os.TempDir(), "gantry-git"),
	}
	if c.TableName == "" {
		return Config{}, fmt.Errorf("lambdawire: environment variable %s is not set", lambdaenv.TableName)
	}
	limits, err := engine.LimitsFromEnv(getenv)
	if err != nil {
		return Config{}, fmt.Errorf("lambdawire: %w", err)
	}
	c.RenderLimits = limits
	if len(c.Roles.AdminGroups) == 0 && len(c.Roles.DeveloperGroups) == 0 {
		c.Roles = auth.DefaultRoleMap()
	}
	for _, arn := range []string{c.StateMachineARN, c.TopicARN, c.ProvisioningRoleARN} {
		if parts := strings.Split(arn, ":"); len(parts) >= 6 && parts[0] == "arn" && parts[4] != "" {
			c.Partition, c.AccountID = parts[1], parts[4]
			break
		}
	}
	return c, nil
}

// Ports are the adapters behind the platform's ports. Events and Notifier may be nil
// (nothing sent).
type Ports struct {
	Store platform.Store
	Blobs platform.Blobs
	// Provisioner is CloudFormation's (the CloudFormation engine's stacks); Engines the
	// adapters of the other engines.
	Provisioner platform.StackProvisioner
	// Accounts reaches the stacks of environments in environment accounts (through their
	// connections' roles); nil: such deployments fail, saying so.
	Accounts  platform.StackProvisioners
	Engines   platform.Engines
	Workflows platform.Workflows
	Events    platform.EventPublisher
	Notifier  platform.Notifier
	// Sealer seals access keys' secrets; Bundles reads Proton's s3:// bundle sources. Nil
	// outside the API function.
	Sealer  platform.Sealer
	Bundles api.BundleObjects
	// Git reads linked repositories (their hosts over HTTPS); SyncWorkflows starts the
	// sync workflow (nil without its state machine).
	Git           *gitsync.Sources
	SyncWorkflows platform.Workflows
}

// AWSPorts builds the AWS adapters from clients built once. When cfg has no AccountID it
// asks STS (GetCallerIdentity, which needs no permission) and fills it in. Connected
// accounts are reached when cfg.AccountRoleName is set.
func AWSPorts(ctx context.Context, cfg *Config, clients *awsclients.Clients) (Ports, error) {
	if cfg.AccountID == "" {
		id, err := clients.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return Ports{}, fmt.Errorf("lambdawire: find this account: %w", err)
		}
		cfg.AccountID = aws.ToString(id.Account)
	}
	blobs := s3blobs.New(clients.S3, cfg.BucketName, s3blobs.Options{Region: clients.Config.Region, Endpoint: aws.ToString(clients.Endpoint(awsclients.S3))})
	provisioning := cloudformation.Options{Templates: blobs}
	if cfg.AccountRoleName != "" {
		provisioning.Accounts = &cloudformation.AccountRoles{Home: cfg.AccountID, RoleName: cfg.AccountRoleName, Partition: cfg.Partition,
			STS: clients.STS, Config: clients.Config,
			ClientOptions: []func(*cfn.Options){func(o *cfn.Options) { o.BaseEndpoint = clients.Endpoint(awsclients.CloudFormation) }}}
	}
	ports := Ports{
		Store:       store.New(clients.DynamoDB, cfg.TableName),
		Blobs:       blobs,
		Provisioner: cloudformation.New(clients.CloudFormation, provisioning),
		Accounts: &cloudformation.ConnectedAccounts{STS: clients.STS, Config: clients.Config, Options: cloudformation.Options{Templates: blobs},
			ClientOptions: []func(*cfn.Options){func(o *cfn.Options) { o.BaseEndpoint = clients.Endpoint(awsclients.CloudFormation) }}},
		Workflows: stepfunctions.New(clients.StepFunctions, cfg.StateMachineARN),
	}
	if cfg.BuildProject != "" {
		ports.Engines = platform.Engines{platform.EngineCodeBuild: provision.CodeBuild{Project: cfg.BuildProject, Endpoint: cfg.ProtonEndpoint,
			Builds: codebuild.New(clients.CodeBuild, blobs, cfg.BucketName)}}
	}
	if cfg.EventBusName != "" {
		ports.Events = eventbridge.New(clients.EventBridge, cfg.EventBusName, cfg.EventSource)
	}
	if cfg.TopicARN != "" {
		ports.Notifier = sns.New(clients.SNS, cfg.TopicARN)
	}
	var credentials gitsync.Credentials
	if cfg.GitCredentialsSecretARN != "" {
		credentials = (&gitcredentials.Secret{Client: clients.SecretsManager, ARN: cfg.GitCredentialsSecretARN}).Credentials
	}
	ports.Git = &gitsync.Sources{Dir: cfg.GitDir, Locate: gitsync.HostedRepositories(cfg.gitHosts(), credentials)}
	if cfg.SyncStateMachineARN != "" {
		ports.SyncWorkflows = stepfunctions.New(clients.StepFunctions, cfg.SyncStateMachineARN)
	}
	if cfg.AccessKeysKMSKey != "" {
		ports.Sealer = keyseal.NewKMS(kms.NewFromConfig(clients.Config), cfg.AccessKeysKMSKey)
		ports.Bundles = s3blobs.NewObjects(clients.S3, maxBundleObject)
	}
	return ports, nil
}

// gitHosts are the base URLs of the providers: gitsync.DefaultHosts and the GitHub
// Enterprise installation.
func (c Config) gitHosts() map[platform.RepositoryProvider]string {
	hosts := maps.Clone(gitsync.DefaultHosts)
	if c.GitHubEnterpriseURL != "" {
		hosts[platform.GitHubEnterprise] = c.GitHubEnterpriseURL
	}
	return hosts
}

// maxBundleObject bounds an s3:// bundle read: Proton's limit on a bundle (5 MB) and one
// byte, so that the control plane says the bundle is too large.
const maxBundleObject = 5<<20 + 1

// App is what a function runs: the control-plane service and the workflow tasks on the
// same ports. Build it with New or FromEnv.
type App struct {
	Config  Config
	Ports   Ports
	Service *control.Service
	Tasks   *workflow.Tasks
	Log     *slog.Logger
}

// New builds the template engine, the service and the tasks on ports. log nil means
// slog.Default().
func New(cfg Config, ports Ports, log *slog.Logger) *App {
	if log == nil {
		log = slog.Default()
	}
	templates := engine.WithLimits(cfg.RenderLimits)
	accessKeys, _ := ports.Store.(platform.AccessKeyStore)
	engines := provision.Engines(ports.Provisioner, ports.Engines)
	if ports.Accounts != nil {
		engines[platform.EngineCloudFormation] = provision.CloudFormation{Stacks: ports.Provisioner, Accounts: ports.Accounts, Connections: ports.Store}
	}
	arns := platform.ARNScope{Partition: cfg.Partition, Region: cfg.Region, Account: cfg.AccountID}
	estate, _ := ports.Provisioner.(platform.StackLister)
	wc := workflow.Config{Store: ports.Store, Blobs: ports.Blobs, Engines: engines,
		Workflows: ports.Workflows, Events: ports.Events, Notifier: ports.Notifier, Renderer: templates,
		AccountID: cfg.AccountID, RoleARN: cfg.ProvisioningRoleARN, ARNs: arns, Log: log}
	if accessKeys != nil && ports.Sealer != nil {
		// The commands of engines that run the bundle get reporter's keys.
		wc.ReporterKeys = auth.ReporterKeys{Keys: accessKeys, Sealer: ports.Sealer}
	}
	tasks := workflow.New(wc)
	repositories, _ := ports.Store.(platform.RepositoryStore)
	syncs, _ := ports.Store.(platform.SyncStore)
	serviceSyncs, _ := ports.Store.(platform.ServiceSyncStore)
	var git control.GitRepositories
	if ports.Git != nil {
		git = ports.Git
	}
	return &App{
		Config: cfg,
		Ports:  ports,
		Log:    log,
		Service: control.New(control.Config{Store: ports.Store, Blobs: ports.Blobs, Workflows: ports.Workflows,
			Provisioner: ports.Provisioner, Previewer: tasks, Estate: estate, Engines: engines, Events: ports.Events, Engine: templates, Log: log,
			ARNs: arns, AccessKeys: accessKeys, Sealer: ports.Sealer,
			Repositories: repositories, PreviewerWith: func(s platform.Store) control.Previewer { return tasks.WithStore(s) },
			Accounts: ports.Accounts, Syncs: syncs, ServiceSyncs: serviceSyncs, Git: git, SyncWorkflows: ports.SyncWorkflows}),
		Tasks: tasks,
	}
}

// FromEnv is a cold start: the configuration from the environment, one AWS configuration
// and its clients, the AWS adapters, then New with a JSON logger on stdout (the Lambda
// log format). Call it once, before lambda.Start.
func FromEnv(ctx context.Context) (*App, error) {
	cfg, err := ConfigFromEnv(os.Getenv)
	if err != nil {
		return nil, err
	}
	clients, err := awsclients.Load(ctx, os.Getenv)
	if err != nil {
		return nil, err
	}
	ports, err := AWSPorts(ctx, &cfg, clients)
	if err != nil {
		return nil, err
	}
	return New(cfg, ports, slog.New(slog.NewJSONHandler(os.Stdout, nil))), nil
}

// API returns the HTTP API as the API function serves it: callers authenticated by the
// claims API Gateway's JWT authorizer validated, request ids from API Gateway; with a
// Sealer (the API function's KMS key), Proton's wire protocol at POST / authenticated by
// SigV4 with Gantry's access keys.
func (a *App) API() http.Handler {
	opts := api.Options{Log: a.Log, RequestID: GatewayRequestID}
	if store, ok := a.Ports.Store.(api.HealthChecker); ok {
		opts.Dependencies = map[string]api.HealthChecker{"dynamodb": store}
	}
	if a.Ports.Sealer != nil {
		opts.ProtonAuth = &auth.SigV4{Keys: a.Service.AccessKeySecret, Service: "proton", MaxBody: api.MaxWireBody, Now: time.Now}
		opts.Bundles = a.Ports.Bundles
	}
	return api.New(a.Service, auth.GatewayClaims{Roles: a.Config.Roles}, opts)
}

// SyncTask returns the sync workflow's task (the sync function's handler).
func (a *App) SyncTask() syncflow.Task { return syncflow.Task{Control: a.Service} }

// Poller returns a poller of the branches sync configurations follow, handing new heads
// to the sync workflow (the poll function's handler polls once per scheduled event; a
// warm function remembers the heads it handed on). Without git access each round fails
// saying sync is not configured.
func (a *App) Poller() *gitsync.Poller {
	return syncflow.NewPoller(a.Service, a.Ports.Git)
}

// GatewayRequestID returns the id API Gateway gave the request (its requestContext), or
// a new one when the request did not come through API Gateway.
func GatewayRequestID(r *http.Request) string {
	if rc, ok := core.GetAPIGatewayV2ContextFromContext(r.Context()); ok && rc.RequestID != "" {
		return rc.RequestID
	}
	return platform.NewID()
}

// Start is the main of the function name: a cold start (FromEnv), then lambda.Start with
// the handler entry picks from the App. A failed cold start ends the process before any
// invocation, with the reason in the log; Lambda reports it as an init error.
func Start[H any](name string, entry func(*App) H) {
	app, err := FromEnv(context.Background())
	if err != nil {
		log.Fatalf("%s: cold start: %v", name, err)
	}
	lambda.Start(entry(app))
}
