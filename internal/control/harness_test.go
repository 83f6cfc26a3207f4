package control_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/gantry-platform/gantry/internal/blobdir"
	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/dynamolocal"
	"github.com/gantry-platform/gantry/internal/engine"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
	"github.com/gantry-platform/gantry/internal/provision"
	"github.com/gantry-platform/gantry/internal/render"
	"github.com/gantry-platform/gantry/internal/store"
	"github.com/gantry-platform/gantry/internal/store/storetest"
)

func TestMain(m *testing.M) { dynamolocal.Main(m) }

// failure is one SendTaskFailure call.
type failure struct{ token, errorName, cause string }

// stackCancel is one Provisioner.Cancel call.
type stackCancel struct{ stack, token string }

// harness is the control plane on the real store (DynamoDB Local), blobs in a directory
// and the real template engine, with a fake workflow service that records what it is
// asked and fails Start while startErr is set, and a fake provisioner whose Cancel records
// its calls and returns cancelErr (by default NotFound: no stack exists).
type harness struct {
	t     *testing.T
	ctx   context.Context
	store *store.Store
	blobs *blobdir.Dir
	// blobRoot is the blob directory.
	blobRoot string
	events   *platformtest.Recorder
	svc      *control.Service
	// cfg is what svc was built with.
	cfg     control.Config
	bundles map[string][]byte
	// revisions counts the bundles mustVersion registered.
	revisions int
	clock     *platformtest.Clock

	mu        sync.Mutex
	starts    []string // execution names
	failures  []failure
	startErr  error
	cancels   []stackCancel
	cancelErr error
	// stackResources are the pages ListResources answers, by stack name and token; a
	// stack not there does not exist (NotFound).
	stackResources map[string]map[string]platform.StackResourcePage
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{t: t, ctx: platformtest.AdminContext("alice"), store: storetest.NewStore(t), events: &platformtest.Recorder{},
		bundles: map[string][]byte{}, clock: platformtest.NewClock(),
		cancelErr: platform.Errorf(platform.NotFound, "no stack")}
	h.store.Now = h.clock.Now // the store's clock (client token expiry) is the harness's
	var err error
	h.blobRoot = t.TempDir()
	if h.blobs, err = blobdir.New(h.blobRoot); err != nil {
		t.Fatal(err)
	}
	workflows := &platformtest.Workflows{
		StartFunc: func(ctx context.Context, name string, input json.RawMessage) (string, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			if h.startErr != nil {
				return "", h.startErr
			}
			h.starts = append(h.starts, name)
			return "execution-" + name, nil
		},
		SendTaskFailureFunc: func(ctx context.Context, token, errorName, cause string) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.failures = append(h.failures, failure{token, errorName, cause})
			return nil
		},
	}
	stacks := &platformtest.Provisioner{
		CancelFunc: func(ctx context.Context, stackName, token string) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.cancels = append(h.cancels, stackCancel{stackName, token})
			return h.cancelErr
		},
		ListResourcesFunc: func(ctx context.Context, stackName, token string) (platform.StackResourcePage, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			pages, ok := h.stackResources[stackName]
			if !ok {
				return platform.StackResourcePage{}, platform.Errorf(platform.NotFound, "Stack with id %s does not exist", stackName)
			}
			page, ok := pages[token]
			if !ok {
				return platform.StackResourcePage{}, platform.FieldErrorf("nextToken", "Invalid NextToken")
			}
			return page, nil
		},
	}
	h.cfg = control.Config{Store: h.store, Blobs: h.blobs, Workflows: workflows, Provisioner: stacks, Engines: provision.Engines(stacks, nil), Events: h.events,
		Engine: engine.New(render.New(render.Options{})), Now: h.clock.Tick, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Repositories: h.store}
	h.svc = control.New(h.cfg)
	return h
}

// cancelAnswers makes the provisioner's Cancel return err.
func (h *harness) cancelAnswers(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.cancelErr = err
}

// calls returns the stack cancellations and task failures asked so far.
func (h *harness) calls() ([]stackCancel, []failure) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]stackCancel(nil), h.cancels...), append([]failure(nil), h.failures...)
}

func (h *harness) failStarts(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.startErr = err
}

// startCount returns how many executions were started.
func (h *harness) startCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.starts)
}

// bundle packs a bundle folder of the shared sample (platformtest.EnvBundle) once per
// harness.
func (h *harness) bundle(folder string) []byte {
	h.t.Helper()
	if b, ok := h.bundles[folder]; ok {
		return b
	}
	b := platformtest.TarGz(h.t, platformtest.SamplePath(h.t, folder), nil)
	h.bundles[folder] = b
	return b
}

func (h *harness) mustCreateTemplate(kind platform.TemplateKind, name string) {
	h.t.Helper()
	if _, err := h.svc.CreateTemplate(h.ctx, kind, control.CreateTemplateInput{Name: name}); err != nil {
		h.t.Fatal(err)
	}
}

// revisedBundle packs the sample bundle folder with a comment added to its schema, n, so
// that each n makes another bundle (registering an identical bundle again under a major
// returns the version it already is).
func (h *harness) revisedBundle(folder string, n int) []byte {
	h.t.Helper()
	schema := platformtest.ReadFile(h.t, platformtest.SamplePath(h.t, folder+"/schema/schema.yaml"))
	return platformtest.TarGz(h.t, platformtest.SamplePath(h.t, folder), map[string]string{"schema/schema.yaml": fmt.Sprintf("%s\n# revision %d\n", schema, n)})
}

// mustVersion registers the sample bundle of kind, revised each time (revisedBundle), as
// the next version of template name (the next minor of major when major > 0, else a new
// major).
func (h *harness) mustVersion(kind platform.TemplateKind, name string, major int) platform.TemplateVersion {
	h.t.Helper()
	folder := platformtest.EnvBundle
	if kind == platform.ServiceTemplate {
		folder = platformtest.SvcBundle
	}
	h.revisions++
	tv, err := h.svc.CreateTemplateVersion(h.ctx, kind, name, control.CreateVersionInput{Major: major, Bundle: h.revisedBundle(folder, h.revisions)})
	if err != nil {
		h.t.Fatalf("register %s (major %d): %v", name, major, err)
	}
	return tv
}

func (h *harness) mustPublish(kind platform.TemplateKind, name string, v platform.Version) platform.TemplateVersion {
	h.t.Helper()
	tv, err := h.svc.PublishTemplateVersion(h.ctx, kind, name, v)
	if err != nil {
		h.t.Fatalf("publish %s %s: %v", name, v, err)
	}
	return tv
}

func (h *harness) mustTemplate(kind platform.TemplateKind, name string) platform.Template {
	h.t.Helper()
	tmpl, err := h.store.GetTemplate(h.ctx, kind, name)
	if err != nil {
		h.t.Fatal(err)
	}
	return tmpl
}

// mustEnvTemplate creates the sample environment template with version 1.0 published.
func (h *harness) mustEnvTemplate() {
	h.t.Helper()
	h.mustCreateTemplate(platform.EnvironmentTemplate, platformtest.EnvTemplate)
	h.mustPublish(platform.EnvironmentTemplate, platformtest.EnvTemplate, h.mustVersion(platform.EnvironmentTemplate, platformtest.EnvTemplate, 0).Version)
}

// testComponentRole is the component role of the environments envInput makes.
const testComponentRole = "arn:aws:iam::000000000000:role/gantry-components"

func (h *harness) envInput(name string) control.CreateEnvironmentInput {
	return control.CreateEnvironmentInput{Name: name, TemplateName: platformtest.EnvTemplate, MajorVersion: 1,
		Spec: platformtest.ReadFile(h.t, platformtest.SamplePath(h.t, platformtest.EnvSpec)), ComponentRoleARN: testComponentRole}
}

func (h *harness) mustCreateEnvironment(in control.CreateEnvironmentInput) platform.Environment {
	h.t.Helper()
	env, err := h.svc.CreateEnvironment(h.ctx, in)
	if err != nil {
		h.t.Fatalf("create environment %s: %v", in.Name, err)
	}
	return env
}

func (h *harness) mustEnvironment(name string) platform.Environment {
	h.t.Helper()
	env, err := h.store.GetEnvironment(h.ctx, name)
	if err != nil {
		h.t.Fatal(err)
	}
	return env
}

func (h *harness) mustDeployment(id string) platform.Deployment {
	h.t.Helper()
	d, err := h.store.GetDeployment(h.ctx, id)
	if err != nil {
		h.t.Fatal(err)
	}
	return d
}

// testOutputs are the outputs mustFinish gives a stack.
var testOutputs = []platform.Output{{Key: "VpcId", Value: "vpc-0123"}}

// mustFinish stands in for the workflow: it finishes deployment id as SUCCEEDED (DELETE_COMPLETE
// for a deletion) with testOutputs.
func (h *harness) mustFinish(id string) {
	h.t.Helper()
	d := h.mustDeployment(id)
	d.Status, d.Outputs, d.CompletedAt = platform.Succeeded, testOutputs, h.clock.Tick()
	if d.Operation == platform.Delete {
		d.Status, d.Outputs = platform.DeleteComplete, nil
	}
	if err := h.store.FinishDeployment(h.ctx, d); err != nil {
		h.t.Fatalf("finish deployment %s: %v", id, err)
	}
}

// mustDeployedEnvironment creates the environment template and environment name, deployed.
func (h *harness) mustDeployedEnvironment(name string) platform.Environment {
	h.t.Helper()
	env := h.mustCreateEnvironment(h.envInput(name))
	h.mustFinish(env.LastDeploymentID)
	return h.mustEnvironment(name)
}

func (h *harness) deploymentsOf(target platform.Target) []platform.Deployment {
	h.t.Helper()
	page, err := h.store.ListDeployments(h.ctx, target, platform.PageRequest{})
	if err != nil {
		h.t.Fatal(err)
	}
	return page.Items
}

// fieldOf returns the kind and field of a domain error.
func fieldOf(err error) (platform.ErrorKind, string) {
	var e *platform.Error
	if errors.As(err, &e) {
		return e.Kind, e.Field
	}
	return platform.KindOf(err), ""
}

func intPtr(i int) *int { return &i }
