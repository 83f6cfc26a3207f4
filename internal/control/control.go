// Package control is Gantry's control plane: the use cases behind the API — registering
// and publishing template versions, creating, updating and deleting environments,
// services and service instances, and starting the deployments that carry them out. It
// speaks only the domain (package platform) and the ports; the HTTP API calls it, the
// workflow tasks finish what it starts.
package control

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
)

// TemplateEngine is what the control plane needs of the template engine: checking a
// bundle and validating specs against a version's schema.
type TemplateEngine interface {
	// InspectBundle checks a .tar.gz bundle of kind and returns its facts; Invalid errors
	// name the file and the problem.
	InspectBundle(ctx context.Context, kind platform.TemplateKind, archive []byte) (BundleFacts, error)
	// EnvironmentInputs validates an EnvironmentSpec against schema and returns the
	// inputs with defaults applied, as a JSON object.
	EnvironmentInputs(schema, spec string) (json.RawMessage, error)
	// ServiceInputs validates a ServiceSpec against schema.
	ServiceInputs(schema, spec string, withPipeline bool) (ServiceInputs, error)
	// InstanceInputs validates one instance's spec (a ServiceSpec naming it, or the bare
	// inputs) against schema; field paths are prefixed with field.
	InstanceInputs(schema, spec, instance string) (json.RawMessage, error)
	// CheckComponent checks a directly defined component's manifest (one jinja
	// CloudFormation or hcl Terraform template) and template file and returns the engine
	// that provisions it; Invalid errors name the field and line.
	CheckComponent(manifest, templateFile string) (platform.Engine, error)
}

// BundleFacts is what registration learns from a bundle.
type BundleFacts struct {
	Schema      string
	HasPipeline bool
	// Engine provisions the infrastructure, PipelineEngine the pipeline (from the
	// manifests).
	Engine, PipelineEngine platform.Engine
	CompatibleEnvironments []platform.CompatibleEnvironment
	// SupportedComponentSources is what .template-registration.yaml lists (service bundles).
	SupportedComponentSources []string
	Digest                    string
}

// ServiceInputs is a validated ServiceSpec.
type ServiceInputs struct {
	Pipeline  json.RawMessage
	Instances []InstanceInputs
}

// InstanceInputs is one validated instance of a ServiceSpec; Spec is the instance's own
// spec YAML (its inputs), kept for later updates.
type InstanceInputs struct {
	Name        string
	Environment string
	Spec        string
	Inputs      json.RawMessage
}

// Service runs the control plane's use cases. Build it with New.
type Service struct {
	store     platform.Store
	blobs     platform.Blobs
	workflows platform.Workflows
	stacks    platform.StackProvisioner
	previewer Previewer
	estate    platform.StackLister
	engines   platform.Engines
	events    platform.EventPublisher
	engine    TemplateEngine
	arns      platform.ARNScope
	now       func() time.Time
	newID     func() string
	log       *slog.Logger

	// accessKeys and sealer keep the access keys of the Proton endpoint (SigV4).
	accessKeys platform.AccessKeyStore
	sealer     platform.Sealer

	// repos keeps linked repositories and the account settings.
	repos platform.RepositoryStore

	// previewerWith is the previewer reading through another store (a fleet preview's).
	previewerWith func(platform.Store) Previewer
	// accounts reaches the stacks of environments in environment accounts.
	accounts platform.StackProvisioners

	// syncs keeps sync configurations and attempts; git reads the repositories they follow.
	syncs         platform.SyncStore
	git           GitRepositories
	syncWorkflows platform.Workflows
	serviceSyncs  platform.ServiceSyncStore
}

// Config is what New needs.
type Config struct {
	Store     platform.Store
	Blobs     platform.Blobs
	Workflows platform.Workflows
	// Provisioner makes previews' change sets and lists targets' provisioned resources
	// (CloudFormation's stacks).
	Provisioner platform.StackProvisioner
	// Previewer renders the deployments previews show (the workflow's tasks); without
	// one, previews are Internal errors.
	Previewer Previewer
	// PreviewerWith returns Previewer reading through store (a fleet preview reads each
	// record once for all its targets); without it, a fleet preview's renders read the
	// store for each target.
	PreviewerWith func(store platform.Store) Previewer
	// Accounts reaches the stacks of environments in environment accounts (through their
	// connections) for previews; without it, previewing such an environment or its
	// instances is Invalid.
	Accounts platform.StackProvisioners
	// Estate lists the stacks an import of AWS Proton's estate adopts; without it,
	// imports are Internal errors.
	Estate platform.StackLister
	// Engines cancel the operation of a cancelled deployment (CloudFormation's
	// CancelUpdateStack, CodeBuild's StopBuild); without its engine, cancelling a
	// deployment whose operation has started only fails the workflow's waiting task and
	// the operation runs on.
	Engines platform.Engines
	Events  platform.EventPublisher
	Engine  TemplateEngine
	// ARNs is the partition, region and account of resources' ARNs; what is left empty
	// is platform.DefaultARNScope()'s.
	ARNs  platform.ARNScope
	Now   func() time.Time // default time.Now
	NewID func() string    // default platform.NewID
	Log   *slog.Logger     // default slog.Default()

	// AccessKeys and Sealer keep the access keys that sign requests to the Proton
	// endpoint; without them the access-key operations are Internal errors.
	AccessKeys platform.AccessKeyStore
	Sealer     platform.Sealer

	// Repositories keeps linked repositories and the account settings; without it the
	// repository and account-settings operations are Internal errors.
	Repositories platform.RepositoryStore

	// Syncs keeps template and service sync configurations and their attempts, and Git
	// reads the branches they follow; without them the sync operations are Internal errors.
	Syncs platform.SyncStore
	Git   GitRepositories
	// SyncWorkflows starts the sync workflow (statemachines/sync.asl.json), which
	// ReceivePush starts for each configuration a push concerns.
	SyncWorkflows platform.Workflows
	// ServiceSyncs keeps service sync configurations and sync blockers.
	ServiceSyncs platform.ServiceSyncStore
}

// New returns a Service.
func New(c Config) *Service {
	s := &Service{store: c.Store, blobs: c.Blobs, workflows: c.Workflows, stacks: c.Provisioner, previewer: c.Previewer, estate: c.Estate, engines: c.Engines, events: c.Events,
		engine: c.Engine, arns: c.ARNs, now: c.Now, newID: c.NewID, log: c.Log, accessKeys: c.AccessKeys, sealer: c.Sealer}
	s.repos = c.Repositories
	s.previewerWith, s.accounts = c.PreviewerWith, c.Accounts
	s.syncs, s.git, s.syncWorkflows, s.serviceSyncs = c.Syncs, c.Git, c.SyncWorkflows, c.ServiceSyncs
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = platform.NewID
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.arns = s.arns.OrDefault()
	return s
}

// ARNScope returns the partition, region and account of resources' ARNs.
func (s *Service) ARNScope() platform.ARNScope { return s.arns }

// caller returns the request's caller; the API always sets one.
func caller(ctx context.Context) platform.Caller {
	c, _ := platform.CallerFrom(ctx)
	return c
}

// clock returns the current time truncated to milliseconds, the precision stored.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Millisecond) }
