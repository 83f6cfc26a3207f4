package workflow_test

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/gantry-platform/gantry/internal/blobdir"
	"github.com/gantry-platform/gantry/internal/cfnsim"
	"github.com/gantry-platform/gantry/internal/cfnspec"
	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/dynamolocal"
	"github.com/gantry-platform/gantry/internal/engine"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
	"github.com/gantry-platform/gantry/internal/provision"
	"github.com/gantry-platform/gantry/internal/render"
	"github.com/gantry-platform/gantry/internal/store"
	"github.com/gantry-platform/gantry/internal/store/storetest"
	"github.com/gantry-platform/gantry/internal/workflow"
)

func TestMain(m *testing.M) { dynamolocal.Main(m) }

// resolution is one SendTaskSuccess (ErrorName "") or SendTaskFailure the workflow accepted.
type resolution struct {
	Token     string
	Output    json.RawMessage
	ErrorName string
	Cause     string
}

// ledger records what the fake workflow service was asked. Like Step Functions it starts
// one execution per name (a repeated Start with the same input returns the same execution,
// with other input it is a Conflict), and accepts one resolution per token; a later one
// is refused with Conflict (the AWS adapter's kind for TaskTimedOut) and counted in refused.
type ledger struct {
	mu       sync.Mutex
	starts   []string // execution names, one per execution started
	inputs   map[string]string
	resolved []resolution
	refused  int
}

func (l *ledger) fake() *platformtest.Workflows {
	return &platformtest.Workflows{
		StartFunc: func(ctx context.Context, name string, input json.RawMessage) (string, error) {
			l.mu.Lock()
			defer l.mu.Unlock()
			if l.inputs == nil {
				l.inputs = map[string]string{}
			}
			if earlier, ok := l.inputs[name]; ok {
				if earlier != string(input) {
					return "", platform.Errorf(platform.Conflict, "ExecutionAlreadyExists: %s", name)
				}
				return "execution-" + name, nil
			}
			l.inputs[name] = string(input)
			l.starts = append(l.starts, name)
			return "execution-" + name, nil
		},
		SendTaskSuccessFunc: func(ctx context.Context, token string, output json.RawMessage) error {
			return l.resolve(resolution{Token: token, Output: output})
		},
		SendTaskFailureFunc: func(ctx context.Context, token, errorName, cause string) error {
			return l.resolve(resolution{Token: token, ErrorName: errorName, Cause: cause})
		},
	}
}

func (l *ledger) resolve(r resolution) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, earlier := range l.resolved {
		if earlier.Token == r.Token {
			l.refused++
			return platform.Errorf(platform.Conflict, "TaskTimedOut: task %s was already resolved", r.Token)
		}
	}
	l.resolved = append(l.resolved, r)
	return nil
}

// snapshot returns copies of what the ledger holds.
func (l *ledger) snapshot() (starts []string, resolved []resolution, refused int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.starts...), append([]resolution(nil), l.resolved...), l.refused
}

// startsOf counts the executions started under name (0 or 1).
func (l *ledger) startsOf(name string) int {
	starts, _, _ := l.snapshot()
	n := 0
	for _, s := range starts {
		if s == name {
			n++
		}
	}
	return n
}

// harness is the workflow's tasks on real parts — the store on DynamoDB Local, blobs in a
// directory, the CloudFormation simulator, the template engine — with fakes for the
// workflow service, events and notifications. The control plane, on the same parts,
// creates the deployments the tasks work on.
type harness struct {
	t         *testing.T
	ctx       context.Context
	store     *store.Store
	blobRoot  string
	blobDir   *blobdir.Dir
	sim       *cfnsim.Simulator
	prov      *platformtest.Provisioner // calls the simulator, counting the operations
	workflows *ledger
	// taskWorkflows is the workflow service the tasks see (recording into workflows); a
	// test may replace its functions.
	taskWorkflows *platformtest.Workflows
	out           *platformtest.Recorder // events and notifications
	control       *control.Service
	engine        *engine.Engine
	tasks         *workflow.Tasks
	events        lambda.Handler // tasks.HandleEvent behind aws-lambda-go's adapter
	clock         *platformtest.Clock

	mu         sync.Mutex
	operations []string // stack operations started: "DEPLOY name" / "DELETE name"
	describes  int
	stackEvts  [][]byte          // events the simulator published, in order
	hold       chan struct{}     // while not nil, the simulator's stacks stay at their first status
	roles      map[string]string // stack name -> the role of its latest Deploy
}

// newHarness builds a harness; the clock moves one second per reading, so that any write
// a repeated task makes shows in the stored timestamps.
func newHarness(t *testing.T) *harness {
	t.Helper()
	spec, err := cfnspec.Load()
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, ctx: platformtest.AdminContext("alice"), store: storetest.NewStore(t), workflows: &ledger{},
		out: &platformtest.Recorder{}, clock: platformtest.NewClock()}
	h.blobRoot = t.TempDir()
	blobs, err := blobdir.New(h.blobRoot)
	if err != nil {
		t.Fatal(err)
	}
	h.blobDir = blobs
	h.sim = cfnsim.New(spec, cfnsim.Options{Publish: h.capture})
	t.Cleanup(func() {
		h.release()
		h.sim.Close()
	})
	h.prov = &platformtest.Provisioner{
		DeployFunc: func(ctx context.Context, in platform.StackDeployment) (platform.StackOperation, error) {
			h.mu.Lock()
			if h.roles == nil {
				h.roles = map[string]string{}
			}
			h.roles[in.StackName] = in.RoleARN
			h.mu.Unlock()
			op, err := h.sim.Deploy(ctx, in)
			if err == nil && !op.NoChanges {
				h.count("DEPLOY " + in.StackName)
			}
			return op, err
		},
		DeleteFunc: func(ctx context.Context, stackName, token string) (platform.StackOperation, error) {
			op, err := h.sim.Delete(ctx, stackName, token)
			if err == nil && !op.NoChanges {
				h.count("DELETE " + stackName)
			}
			return op, err
		},
		DescribeFunc: func(ctx context.Context, stackName string) (platform.Stack, error) {
			h.mu.Lock()
			h.describes++
			h.mu.Unlock()
			return h.sim.Describe(ctx, stackName)
		},
	}
	eng := engine.New(render.New(render.Options{}))
	h.engine = eng
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	h.control = control.New(control.Config{Store: h.store, Blobs: blobs, Workflows: h.workflows.fake(), Events: h.out,
		Engine: eng, Now: h.clock.Tick, Log: quiet})
	h.taskWorkflows = h.workflows.fake()
	h.tasks = workflow.New(workflow.Config{Store: h.store, Blobs: blobs, Engines: provision.Engines(h.prov, nil), Workflows: h.taskWorkflows,
		Events: h.out, Notifier: h.out, Renderer: eng, AccountID: "111122223333", Now: h.clock.Tick, Log: quiet})
	h.events = lambda.NewHandler(h.tasks.HandleEvent)
	return h
}

func (h *harness) count(op string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.operations = append(h.operations, op)
}

// capture is the simulator's Publish: it keeps the event and, while held, waits.
func (h *harness) capture(ctx context.Context, event []byte) error {
	h.mu.Lock()
	h.stackEvts = append(h.stackEvts, event)
	hold := h.hold
	h.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
		}
	}
	return nil
}

// holdStacks keeps every stack operation started from now on at its first status until
// release.
func (h *harness) holdStacks() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.hold = make(chan struct{})
}

func (h *harness) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.hold != nil {
		close(h.hold)
		h.hold = nil
	}
}

// stackOperations returns the stack operations started so far.
func (h *harness) stackOperations() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.operations...)
}

// takeStackEvents returns the simulator's events published since the last call.
func (h *harness) takeStackEvents() [][]byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	evts := h.stackEvts
	h.stackEvts = nil
	return evts
}

// blobs returns every blob under the blob root: key → content.
func (h *harness) blobs() map[string]string {
	h.t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(h.blobRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(h.blobRoot, path)
		out[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return out
}

// mustTemplate creates a template of kind from the bundle, registers it as version 1.0
// and publishes it.
func (h *harness) mustTemplate(kind platform.TemplateKind, name string, bundle []byte) {
	h.t.Helper()
	if _, err := h.control.CreateTemplate(h.ctx, kind, control.CreateTemplateInput{Name: name}); err != nil {
		h.t.Fatal(err)
	}
	tv, err := h.control.CreateTemplateVersion(h.ctx, kind, name, control.CreateVersionInput{Bundle: bundle})
	if err != nil {
		h.t.Fatalf("register %s: %v", name, err)
	}
	if _, err := h.control.PublishTemplateVersion(h.ctx, kind, name, tv.Version); err != nil {
		h.t.Fatal(err)
	}
}

// mustEnvTemplate registers the sample environment template, its infrastructure template
// replaced by infrastructure when not "".
func (h *harness) mustEnvTemplate(name, infrastructure string) {
	h.t.Helper()
	var overrides map[string]string
	if infrastructure != "" {
		// Registration renders with the sample environment; the tests' failures are for deployments.
		overrides = map[string]string{"infrastructure/cloudformation.yaml": platformtest.DeployTimeOnly(infrastructure)}
	}
	h.mustTemplate(platform.EnvironmentTemplate, name, platformtest.TarGz(h.t, platformtest.SamplePath(h.t, platformtest.EnvBundle), overrides))
}

// mustCreateEnvironment creates environment name from template 1.x with the sample's
// spec and returns its first deployment, IN_PROGRESS.
func (h *harness) mustCreateEnvironment(name, template string) platform.Deployment {
	h.t.Helper()
	env, err := h.control.CreateEnvironment(h.ctx, control.CreateEnvironmentInput{Name: name, TemplateName: template,
		MajorVersion: 1, Spec: platformtest.ReadFile(h.t, platformtest.SamplePath(h.t, platformtest.EnvSpec))})
	if err != nil {
		h.t.Fatalf("create environment %s: %v", name, err)
	}
	return h.mustDeployment(env.LastDeploymentID)
}

func (h *harness) mustDeployment(id string) platform.Deployment {
	h.t.Helper()
	d, err := h.store.GetDeployment(h.ctx, id)
	if err != nil {
		h.t.Fatalf("get deployment %s: %v", id, err)
	}
	return d
}

func (h *harness) mustEnvironment(name string) platform.Environment {
	h.t.Helper()
	env, err := h.store.GetEnvironment(h.ctx, name)
	if err != nil {
		h.t.Fatalf("get environment %s: %v", name, err)
	}
	return env
}

// tokenOf is the task token the tests hand Deploy for deployment id.
func tokenOf(id string) string { return "task-token-" + id }

func (h *harness) mustRender(id string) workflow.RenderOutput {
	h.t.Helper()
	out, err := h.tasks.Render(h.ctx, workflow.Input{DeploymentID: id})
	if err != nil {
		h.t.Fatalf("Render %s: %v", id, err)
	}
	return out
}

func (h *harness) mustDeploy(id string) workflow.DeployOutput {
	h.t.Helper()
	out, err := h.tasks.Deploy(h.ctx, workflow.Input{DeploymentID: id, TaskToken: tokenOf(id)})
	if err != nil {
		h.t.Fatalf("Deploy %s: %v", id, err)
	}
	return out
}

// deliver pushes events through the events function's entry point, failing the test on
// an error.
func (h *harness) deliver(events ...[]byte) {
	h.t.Helper()
	for _, e := range events {
		if _, err := h.events.Invoke(h.ctx, e); err != nil {
			h.t.Fatalf("events function: %v\nevent: %s", err, e)
		}
	}
}

// mustProvision renders and deploys deployment d, lets the simulator finish and delivers
// its events: the task token is then resolved.
func (h *harness) mustProvision(d platform.Deployment) {
	h.t.Helper()
	if d.Operation == platform.Deploy {
		h.mustRender(d.ID)
	}
	h.mustDeploy(d.ID)
	h.sim.Wait(d.StackName)
	h.deliver(h.takeStackEvents()...)
}

// mustSucceed carries deployment d through the whole workflow and expects it SUCCEEDED
// (DELETE_COMPLETE for a deletion).
func (h *harness) mustSucceed(d platform.Deployment) platform.Deployment {
	h.t.Helper()
	h.mustProvision(d)
	if _, resolved, _ := h.workflows.snapshot(); !resolvedOK(resolved, tokenOf(d.ID)) {
		h.t.Fatalf("deployment %s: its task was not resolved with success: %+v", d.ID, resolved)
	}
	out, err := h.tasks.Record(h.ctx, workflow.Input{DeploymentID: d.ID})
	want := platform.Succeeded
	if d.Operation == platform.Delete {
		want = platform.DeleteComplete
	}
	if err != nil || out.Status != want {
		h.t.Fatalf("Record %s = %v, %v; want %s", d.ID, out, err, want)
	}
	return h.mustDeployment(d.ID)
}

func resolvedOK(rs []resolution, token string) bool {
	for _, r := range rs {
		if r.Token == token && r.ErrorName == "" {
			return true
		}
	}
	return false
}

// mustDeployedEnvironment registers the sample environment template and deploys
// environment Beta with it, successfully.
func (h *harness) mustDeployedEnvironment() platform.Environment {
	h.t.Helper()
	h.mustEnvTemplate(platformtest.EnvTemplate, "")
	h.mustSucceed(h.mustCreateEnvironment("Beta", platformtest.EnvTemplate))
	return h.mustEnvironment("Beta")
}
