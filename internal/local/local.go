// Package local runs the whole of Gantry on one machine, with the same code as on AWS:
// the official DynamoDB Local for the table, the API handler over net/http, the Go runner
// executing statemachines/deployment.asl.json, an in-process event bus matching the rule
// patterns of events/, the CloudFormation simulator, and a directory for blobs. The
// workflow's functions are invoked through aws-lambda-go's own handler adapter, so their
// payloads and error names are exactly what Lambda would see.
package local

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gantry-platform/gantry/events"
	"github.com/gantry-platform/gantry/internal/api"
	"github.com/gantry-platform/gantry/internal/auth"
	"github.com/gantry-platform/gantry/internal/blobdir"
	"github.com/gantry-platform/gantry/internal/cfnsim"
	"github.com/gantry-platform/gantry/internal/cfnspec"
	"github.com/gantry-platform/gantry/internal/codebuildsim"
	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/dynamolocal"
	"github.com/gantry-platform/gantry/internal/engine"
	"github.com/gantry-platform/gantry/internal/eventbus"
	"github.com/gantry-platform/gantry/internal/gitprovider"
	"github.com/gantry-platform/gantry/internal/gitsync"
	"github.com/gantry-platform/gantry/internal/keyseal"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/provision"
	"github.com/gantry-platform/gantry/internal/render"
	"github.com/gantry-platform/gantry/internal/statemachine"
	"github.com/gantry-platform/gantry/internal/store"
	"github.com/gantry-platform/gantry/internal/syncflow"
	"github.com/gantry-platform/gantry/internal/workflow"
	"github.com/gantry-platform/gantry/statemachines"
)

// syncStateMachineARN is the ARN of local mode's sync state machine.
const syncStateMachineARN = "arn:aws:states:" + Region + ":" + AccountID + ":stateMachine:gantry-sync"

// The identity of local mode's tokens and account.
const (
	// BuildProject is the CodeBuild project of CodeBuild provisioning's builds.
	BuildProject = "gantry-provisioning"
	Issuer       = "gantry-local"
	Audience     = "gantry"
	AccountID    = "000000000000"
	Region       = "us-east-1"
	// EventSource is the source of Gantry's own events.
	EventSource = "gantry"
)

// Config configures a local platform.
type Config struct {
	// DataDir holds blobs, the token signing key and, unless InMemory, the database.
	DataDir string
	// Now is the control plane's clock (default time.Now): previews expire by it.
	Now func() time.Time
	// SeedStacks, when set, is a directory of stacks the CloudFormation simulator starts
	// with, as if made outside Gantry (see LoadSeedStacks).
	SeedStacks string
	// InMemory keeps the database in memory (it is lost when the platform stops).
	InMemory bool
	// DynamoEndpoint, when set, is a running DynamoDB Local to use instead of starting one.
	DynamoEndpoint string
	// Table is the table name; default "gantry".
	Table string
	// Step is the CloudFormation simulator's delay between stack status transitions.
	Step time.Duration
	// Sleep, when set, replaces real waiting in the workflow runner (tests).
	Sleep func(ctx context.Context, d time.Duration) error
	// RenderLimits bound template rendering; zero fields are render's defaults.
	RenderLimits render.Limits
	// EventRetryFor is how long the event bus retries a failing delivery before it
	// dead-letters it; default the bus's (5 minutes).
	EventRetryFor time.Duration
	// Lease is how long a workflow task's claim on a deployment outlives its wait
	// (default workflow.DefaultLease); ReconcileInterval how often the reconciler sweeps
	// for deployments whose lease expired (default one minute; negative: never). Whatever
	// the interval, Start resumes every deployment a previous process left unfinished.
	Lease             time.Duration
	ReconcileInterval time.Duration
	Log               *slog.Logger
	// Endpoint is the URL the platform is served at, which CodeBuild provisioning's
	// commands report to (AWS_ENDPOINT_URL_PROTON); SetEndpoint sets it once known.
	Endpoint string
	// BuildPath are directories put first on PATH in CodeBuild provisioning's builds;
	// BuildTimeout bounds a build (default one hour).
	BuildPath    []string
	BuildTimeout time.Duration
	// S3Dir is where s3://BUCKET/KEY bundles of Proton's wire protocol are read from
	// (DIR/BUCKET/KEY); default DataDir/s3.
	S3Dir string
	// Accounts are local environment accounts besides the platform's own (AccountID):
	// each has its own CloudFormation stacks and a bus forwarding their events to the
	// platform's, for environment account connections.
	Accounts []string
	// Regions are local regions besides the platform's own (Region): every local account
	// has its own CloudFormation stacks in each, and a bus forwarding their events to the
	// platform's, for environments created with a region.
	Regions []string
	// RepositoriesDir holds the git repositories that linked repositories stand for, bare,
	// at <dir>/<provider, lower case>/<owner>/<repo> (gitsync.LocalRepositories); default
	// DataDir/repositories.
	RepositoriesDir string
	// PollInterval is how often the sync poller asks each followed branch for its head;
	// 0 or less: no poller (webhooks only).
	PollInterval time.Duration
}

// Platform is a running local Gantry. Close stops everything it started.
type Platform struct {
	// Handler is the HTTP API.
	Handler http.Handler
	Issuer  *auth.LocalIssuer
	Store   *store.Store
	Runner  *statemachine.Runner
	Sim     *cfnsim.Simulator
	// Estate holds the stacks of every local account and region: Sim's, and those of
	// Config.Accounts and Config.Regions.
	Estate *cfnsim.Estate
	// Builds is the CodeBuild stand-in, running CodeBuild provisioning's commands.
	Builds *codebuildsim.Simulator
	Bus    *eventbus.Bus
	// DeadLetters is the bus's dead-letter log, <DataDir>/eventbus/dead-letters.jsonl.
	DeadLetters *eventbus.DeadLetterLog
	// Notifications receives what would go to the SNS topic.
	Notifications *Notifications
	// Control is the control plane the API calls.
	Control *control.Service
	// SyncRunner runs the sync workflow (statemachines/sync.asl.json).
	SyncRunner *statemachine.Runner
	// Poller follows the branches of sync configurations (nil without PollInterval).
	Poller *gitsync.Poller
	// Sources reads the repositories under RepositoriesDir for sync.
	Sources *gitsync.Sources
	// Git holds the linked repositories as bare repositories under Config.RepositoriesDir
	// (gitsync.LocalRepositoryPath), with the pull requests self-managed provisioning
	// opened beside them.
	Git gitprovider.LocalRemotes

	tasks          *workflow.Tasks
	accounts       []workloadAccount
	codebuild      *provision.CodeBuild
	stopSweeps     context.CancelFunc
	stopPoller     context.CancelFunc
	polling        sync.WaitGroup
	sweeps         sync.WaitGroup
	dynamo         *dynamolocal.Server
	dynamoEndpoint string
	table          string
	closed         sync.Once
	closing        atomic.Bool
}

// Start starts a local platform.
func Start(ctx context.Context, cfg Config) (*Platform, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Table == "" {
		cfg.Table = "gantry"
	}
	dir, err := filepath.Abs(cfg.DataDir) // DynamoDB Local runs in a directory of its own
	if err != nil {
		return nil, err
	}
	cfg.DataDir = dir
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, err
	}
	p := &Platform{Notifications: &Notifications{log: cfg.Log}}
	if err := p.start(ctx, cfg); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// start builds the platform's parts into p; on error, the caller closes what was started.
func (p *Platform) start(ctx context.Context, cfg Config) error {
	client, err := p.startDynamo(ctx, cfg)
	if err != nil {
		return err
	}
	var inUse *types.ResourceInUseException
	if err := store.CreateTable(ctx, client, cfg.Table); err != nil && !errors.As(err, &inUse) {
		return err // an existing table (a persisted database) is fine
	}
	p.Store, p.table = store.New(client, cfg.Table), cfg.Table
	blobs, err := blobdir.New(filepath.Join(cfg.DataDir, "blobs"))
	if err != nil {
		return err
	}
	spec, err := cfnspec.Load()
	if err != nil {
		return err
	}
	p.DeadLetters, err = eventbus.OpenDeadLetterLog(filepath.Join(cfg.DataDir, "eventbus", "dead-letters.jsonl"))
	if err != nil {
		return err
	}
	p.Bus = eventbus.New(eventbus.Options{Account: AccountID, Region: Region, RetryFor: cfg.EventRetryFor, DeadLetters: p.DeadLetters,
		OnDeliveryError: func(rule string, event []byte, err error) {
			cfg.Log.Error("event delivery given up: in the dead-letter log (gantry events dlq list)", "rule", rule, "error", err)
		}})
	p.Sim = cfnsim.New(spec, cfnsim.Options{Account: AccountID, Region: Region, Publish: p.Bus.Put, Step: cfg.Step})
	if err := p.startAccounts(spec, cfg); err != nil {
		return err
	}
	if err := p.seed(cfg.SeedStacks); err != nil {
		return err
	}
	p.Builds = codebuildsim.New(codebuildsim.Options{Account: AccountID, Region: Region, Publish: p.Bus.Put,
		PathPrefix: cfg.BuildPath, Log: cfg.Log})
	p.codebuild = &provision.CodeBuild{Builds: p.Builds, Project: BuildProject, Endpoint: cfg.Endpoint, Timeout: cfg.BuildTimeout}
	eng := engine.WithLimits(cfg.RenderLimits)
	publisher := p.Bus.Publisher(EventSource)

	functions := &invoker{handlers: map[string]lambda.Handler{}}
	def, err := statemachine.Parse(statemachines.Deployment())
	if err != nil {
		return err
	}
	subs := map[string]string{}
	for name, fn := range statemachines.DeploymentSubstitutions() {
		subs[name] = fn
	}
	p.Runner, err = statemachine.New(def, statemachine.Options{Invoker: functions, Substitutions: subs, Sleep: cfg.Sleep,
		StateMachineARN: stateMachineARN, OnTransition: p.executionTransition})
	if err != nil {
		return err
	}
	sealer, err := keyseal.LoadLocalKey(filepath.Join(cfg.DataDir, "access-keys.key"))
	if err != nil {
		return err
	}
	arns := platform.ARNScope{Partition: "aws", Region: Region, Account: AccountID}
	engines := provision.Engines(p.Sim, platform.Engines{platform.EngineCodeBuild: p.codebuild})
	// Stacks of environments in the other local accounts are in their simulators.
	engines[platform.EngineCloudFormation] = provision.CloudFormation{Stacks: p.Sim, Accounts: p.Estate, Connections: p.Store}
	repositories := cfg.RepositoriesDir
	if repositories == "" {
		repositories = filepath.Join(cfg.DataDir, "repositories")
	}
	p.Git = gitprovider.LocalRemotes{Root: repositories}
	engines[platform.EngineTerraform] = provision.Terraform{RepositoryOf: provision.RepositoryResolver(p.Store),
		Remotes: provision.LocalRemotes{LocalRemotes: p.Git}, PullRequests: provision.LocalPullRequests(p.Git)}
	tasks := workflow.New(workflow.Config{Store: p.Store, Blobs: blobs, Engines: engines, Workflows: p.Runner,
		Events: publisher, Notifier: p.Notifications, Renderer: eng, AccountID: AccountID, ARNs: arns, Lease: cfg.Lease, Log: cfg.Log,
		ReporterKeys: auth.ReporterKeys{Keys: p.Store, Sealer: sealer}})
	p.tasks = tasks
	functions.handlers["render"] = lambda.NewHandler(tasks.Render)
	functions.handlers["deploy"] = lambda.NewHandler(tasks.Deploy)
	functions.handlers["record"] = lambda.NewHandler(tasks.Record)
	functions.handlers["notify"] = lambda.NewHandler(tasks.Notify)
	functions.handlers["events"] = lambda.NewHandler(tasks.HandleEvent)
	rules, err := events.Rules()
	if err != nil {
		return err
	}
	targets := map[string]eventbus.Target{}
	for _, r := range rules {
		fn := r.Target
		targets[fn] = func(ctx context.Context, event []byte) error {
			_, err := functions.Invoke(ctx, fn, event)
			return err
		}
	}
	if err := p.Bus.AddRules(rules, targets); err != nil {
		return err
	}
	syncDef, err := statemachine.Parse(statemachines.Sync())
	if err != nil {
		return err
	}
	p.SyncRunner, err = statemachine.New(syncDef, statemachine.Options{Invoker: functions, Substitutions: statemachines.SyncSubstitutions(),
		Sleep: cfg.Sleep, StateMachineARN: syncStateMachineARN})
	if err != nil {
		return err
	}
	sources := &gitsync.Sources{Dir: filepath.Join(cfg.DataDir, "git-copies"), Locate: gitsync.LocalRepositories(repositories)}
	p.Sources = sources
	svc := control.New(control.Config{Store: p.Store, Blobs: blobs, Workflows: p.Runner, Provisioner: p.Sim, Previewer: tasks, Estate: p.Sim,
		Engines: engines, Events: publisher, Engine: eng, Log: cfg.Log, ARNs: arns, Now: cfg.Now,
		AccessKeys: p.Store, Sealer: sealer,
		Repositories: p.Store, Syncs: p.Store, Git: sources, SyncWorkflows: p.SyncRunner, ServiceSyncs: p.Store,
		PreviewerWith: func(s platform.Store) control.Previewer { return tasks.WithStore(s) }, Accounts: p.Estate})
	p.Control = svc
	functions.handlers["sync"] = lambda.NewHandler(syncflow.Task{Control: svc}.Sync)
	if cfg.PollInterval > 0 {
		p.Poller = syncflow.NewPoller(svc, sources)
		pollCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
		p.stopPoller = stop
		p.polling.Go(func() {
			p.Poller.Run(pollCtx, cfg.PollInterval, func(err error) { cfg.Log.WarnContext(pollCtx, "sync poller", "error", err) })
		})
	}
	p.Issuer, err = loadIssuer(filepath.Join(cfg.DataDir, "signing-key.pem"))
	if err != nil {
		return err
	}
	s3dir := cfg.S3Dir
	if s3dir == "" {
		s3dir = filepath.Join(cfg.DataDir, "s3")
	}
	p.Handler = api.New(svc, p.Issuer, api.Options{Log: cfg.Log, Dependencies: map[string]api.HealthChecker{"dynamodb": p.Store},
		DeadLetters: p.Bus,
		ProtonAuth:  &auth.SigV4{Keys: svc.AccessKeySecret, Service: ProtonSigningName, MaxBody: api.MaxWireBody, Now: time.Now},
		Bundles:     S3Dir{Root: s3dir}})
	return p.startReconciler(ctx, cfg)
}

// ProtonSigningName is the SigV4 service name of Proton's wire protocol.
const ProtonSigningName = "proton"

// AccessKey issues an access key holding role (and team, when not empty), as an admin
// running gantry access-keys create would, and returns its id and secret.
func (p *Platform) AccessKey(role platform.Role, team string) (id, secret string, err error) {
	ctx := platform.WithCaller(context.Background(), platform.Caller{Subject: "local-admin", Roles: []platform.Role{platform.AdminRole}})
	k, secret, err := p.Control.CreateAccessKey(ctx, control.CreateAccessKeyInput{Role: role, Team: team})
	return k.ID, secret, err
}

func (p *Platform) startDynamo(ctx context.Context, cfg Config) (*dynamodb.Client, error) {
	if cfg.DynamoEndpoint != "" {
		p.dynamoEndpoint = cfg.DynamoEndpoint
		return dynamolocal.NewClient(cfg.DynamoEndpoint), nil
	}
	opts := dynamolocal.Options{JavaOptions: dynamolocal.ServerJavaOptions}
	if !cfg.InMemory {
		opts.DBPath = filepath.Join(cfg.DataDir, "dynamodb")
		if err := os.MkdirAll(opts.DBPath, 0o755); err != nil {
			return nil, err
		}
	}
	server, err := dynamolocal.Start(ctx, opts)
	if err != nil {
		return nil, err
	}
	p.dynamo, p.dynamoEndpoint = server, server.Endpoint()
	return server.Client(ctx), nil
}

// loadIssuer keeps the local signing key in path, so tokens survive a restart.
func loadIssuer(path string) (*auth.LocalIssuer, error) {
	roles := auth.DefaultRoleMap()
	if pem, err := os.ReadFile(path); err == nil {
		return auth.LoadLocalIssuer(pem, Issuer, Audience, roles)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	issuer, err := auth.NewLocalIssuer(Issuer, Audience, roles)
	if err != nil {
		return nil, err
	}
	pem, err := issuer.MarshalKey()
	if err != nil {
		return nil, err
	}
	return issuer, os.WriteFile(path, pem, 0o600)
}

// Token issues a token for subject holding role, valid for ttl.
func (p *Platform) Token(subject string, role platform.Role, ttl time.Duration) (string, error) {
	group := auth.DefaultRoleMap().DeveloperGroups[0]
	if role == platform.AdminRole {
		group = auth.DefaultRoleMap().AdminGroups[0]
	}
	return p.Issuer.Issue(subject, []string{group}, ttl)
}

// SetEndpoint sets the URL the platform is served at (Config.Endpoint), before any
// deployment runs.
func (p *Platform) SetEndpoint(url string) { p.codebuild.Endpoint = url }

// Close stops the workflow runner, the simulators, the bus and DynamoDB Local.
func (p *Platform) Close() error {
	var err error
	p.closed.Do(func() {
		p.closing.Store(true)
		if p.stopSweeps != nil {
			p.stopSweeps()
			p.sweeps.Wait()
		}
		if p.stopPoller != nil {
			p.stopPoller()
			p.polling.Wait()
		}
		if p.Runner != nil {
			p.Runner.Close()
		}
		if p.SyncRunner != nil {
			p.SyncRunner.Close()
		}
		if p.Sim != nil {
			p.Sim.Close()
		}
		p.closeAccounts()
		if p.Builds != nil {
			p.Builds.Close()
		}
		if p.Bus != nil {
			p.Bus.Close()
		}
		if p.dynamo != nil {
			err = p.dynamo.Stop()
		}
	})
	return err
}

// invoker runs the workflow's functions by logical name, through aws-lambda-go's handler
// adapter as Lambda would.
type invoker struct{ handlers map[string]lambda.Handler }

func (i *invoker) Invoke(ctx context.Context, name string, payload []byte) ([]byte, error) {
	h, ok := i.handlers[name]
	if !ok {
		return nil, platform.Errorf(platform.NotFound, "Function not found: %s", name)
	}
	return h.Invoke(ctx, payload)
}
