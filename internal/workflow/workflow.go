// Package workflow holds the tasks of the deployment state machine
// (statemachines/deployment.asl.json) — Render, Deploy (and its Reconcile path), Record and
// Notify — and the handler of the AWS events that resolve its waiting task. Each task is
// idempotent: it reads the deployment, acts only if the deployment still needs it, and
// writes with conditions, so a retried or duplicated invocation changes nothing. The same
// code runs as Lambda functions and in local mode.
package workflow

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Renderer renders the template of a bundle for one deployment target.
type Renderer interface {
	// Render returns the rendered CloudFormation template of kind's infrastructure in the
	// bundle archive; Invalid errors name the template file and line.
	Render(ctx context.Context, archive []byte, kind platform.TargetKind, data RenderData) ([]byte, error)
}

// RenderData is everything Proton puts in a template's context, by namespace.
type RenderData struct {
	Environment EnvironmentData
	Service     ServiceData
	Instance    InstanceData
	Pipeline    PipelineData
	Component   ComponentData
}

// ComponentData is a directly defined component: its name and sources for its own
// template's component namespace, its outputs for the instance's
// service_instance.components.default.
type ComponentData struct {
	Name         string
	Manifest     string
	TemplateFile string
	Outputs      []platform.Output
}

// EnvironmentData is the environment namespace.
type EnvironmentData struct {
	Name      string
	AccountID string
	Inputs    json.RawMessage
	Outputs   []platform.Output
	// CustomerManaged says the outputs were given by hand: a template reading one the
	// environment does not have fails to render.
	CustomerManaged bool
}

// ServiceData is the service namespace.
type ServiceData struct {
	Name                    string
	BranchName              string
	RepositoryConnectionARN string
	RepositoryID            string
}

// InstanceData is the service_instance namespace; Component is the instance's
// component, nil when it has none.
type InstanceData struct {
	Name      string
	Inputs    json.RawMessage
	Component *ComponentData
}

// PipelineData is the pipeline namespace and its service_instances list.
type PipelineData struct {
	Inputs    json.RawMessage
	Instances []PipelineInstance
}

// PipelineInstance is one entry of service_instances in a pipeline template.
type PipelineInstance struct {
	Name        string
	Inputs      json.RawMessage
	Outputs     []platform.Output
	Environment EnvironmentData
}

// ReporterKeys issues a key that may only report on one resource's deployment
// (auth.ReporterKeys).
type ReporterKeys interface {
	Mint(ctx context.Context, deploymentID, resourceARN string, expiresAt time.Time) (platform.ScopedCredentials, error)
}

// Tasks runs the workflow's tasks. Build it with New.
type Tasks struct {
	store     platform.Store
	blobs     platform.Blobs
	engines   platform.Engines
	workflows platform.Workflows
	events    platform.EventPublisher
	notifier  platform.Notifier
	renderer  Renderer
	accountID string
	roleARN   string
	arns      platform.ARNScope
	reporters ReporterKeys
	lease     time.Duration
	now       func() time.Time
	log       *slog.Logger
	// bundles keeps the archives read, by key, when not nil (see WithStore).
	bundles *sync.Map
}

// Config is what New needs. Notifier and Events may be nil (nothing sent).
type Config struct {
	Store platform.Store
	Blobs platform.Blobs
	// Engines are the provisioning engines' adapters; a deployment uses its template
	// version's engine (CloudFormation when none is recorded).
	Engines   platform.Engines
	Workflows platform.Workflows
	Events    platform.EventPublisher
	Notifier  platform.Notifier
	Renderer  Renderer
	// AccountID is the AWS account stacks deploy to, Proton's environment.account_id.
	AccountID string
	// RoleARN is the role CloudFormation assumes for users' stacks ("" for the caller's).
	RoleARN string
	// ReporterKeys issues the short-lived keys the commands of engines that run the bundle
	// report with; without it they get none (the engine's own end still finishes the
	// deployment).
	ReporterKeys ReporterKeys
	// ARNs is the scope of targets' ARNs (RESOURCE_ARN for engines that run the bundle);
	// what is empty is platform.DefaultARNScope's.
	ARNs platform.ARNScope
	// Lease is how long a task's claim on a deployment outlives the task's own wait
	// (default DefaultLease): a deployment nobody renews for that long has lost its worker
	// and the reconciler takes it over.
	Lease time.Duration
	Now   func() time.Time
	Log   *slog.Logger
}

// New returns Tasks.
func New(c Config) *Tasks {
	t := &Tasks{store: c.Store, blobs: c.Blobs, engines: c.Engines, workflows: c.Workflows,
		events: c.Events, notifier: c.Notifier, renderer: c.Renderer, accountID: c.AccountID,
		roleARN: c.RoleARN, arns: c.ARNs, reporters: c.ReporterKeys, lease: c.Lease, now: c.Now, log: c.Log}
	if t.lease <= 0 {
		t.lease = DefaultLease
	}
	t.arns = t.arns.OrDefault()
	if t.now == nil {
		t.now = time.Now
	}
	if t.log == nil {
		t.log = slog.Default()
	}
	return t
}

// WithStore returns t reading and writing through store instead (a fleet preview renders
// its targets reading through one snapshot of the records they share). The copy also
// keeps each bundle archive it reads, for its life (archives are content-addressed, so a
// kept one never goes stale): make one per call, not one for good.
func (t *Tasks) WithStore(store platform.Store) *Tasks {
	c := *t
	c.store = store
	c.bundles = &sync.Map{}
	return &c
}

func (t *Tasks) clock() time.Time { return t.now().UTC().Truncate(time.Millisecond) }

// Input is the input of every task: the deployment, for Deploy the task token, and the
// name of the workflow execution running the task (the owner of its lease).
type Input struct {
	DeploymentID string     `json:"deploymentId"`
	TaskToken    string     `json:"taskToken,omitempty"`
	Reconcile    bool       `json:"reconcile,omitempty"`
	Execution    string     `json:"execution,omitempty"`
	Error        *TaskError `json:"error,omitempty"`
}

// TaskError is a caught error as the state machine passes it on: the error name and its
// cause (for a Lambda error, a JSON object holding errorMessage).
type TaskError struct {
	Error string `json:"Error"`
	Cause string `json:"Cause"`
}

// Message returns the cause's human-readable message.
func (e TaskError) Message() string {
	var lambdaErr struct {
		ErrorMessage string `json:"errorMessage"`
	}
	if json.Unmarshal([]byte(e.Cause), &lambdaErr) == nil && lambdaErr.ErrorMessage != "" {
		return lambdaErr.ErrorMessage
	}
	if e.Cause != "" {
		return e.Cause
	}
	return e.Error
}

// update applies change to deployment d (as just read) and saves it; when another writer
// got there first it reads the deployment again and retries. change returns false when
// there is nothing to save. It returns the deployment as stored.
func (t *Tasks) update(ctx context.Context, d platform.Deployment, change func(*platform.Deployment) bool) (platform.Deployment, error) {
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			var err error
			if d, err = t.store.GetDeployment(ctx, d.ID); err != nil {
				return d, err
			}
		}
		if d.Finished() || !change(&d) {
			return d, nil
		}
		d.UpdatedAt = t.clock()
		err := t.store.UpdateDeployment(ctx, d)
		if platform.KindOf(err) == platform.Conflict && attempt < 5 {
			continue
		}
		if err == nil {
			d.Revision++
		}
		return d, err
	}
}
