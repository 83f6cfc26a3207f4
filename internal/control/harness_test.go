package control_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/blobdir"
	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/dynamolocal"
	"github.com/gantry-platform/gantry/internal/engine"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/render"
	"github.com/gantry-platform/gantry/internal/store"
	"github.com/gantry-platform/gantry/internal/store/storetest"
)

func TestMain(m *testing.M) { dynamolocal.Main(m) }

// sampleDir is the loadbalanced-fargate sample of the shared conformance suite.
const sampleDir = "../../../shared/conformance/proton-jinja/bundles/aws-samples__aws-proton-cloudformation-sample-templates/loadbalanced-fargate-svc"

// The sample's templates; the service template's .compatible-envs names the environment
// template as loadbalanced-fargate-env:1.
const (
	envTemplate = "loadbalanced-fargate-env"
	svcTemplate = "loadbalanced-fargate-svc"
)

// workflowsFake is a platform.Workflows whose methods call its function fields.
type workflowsFake struct {
	start   func(ctx context.Context, name string, input json.RawMessage) (string, error)
	success func(ctx context.Context, token string, output json.RawMessage) error
	failure func(ctx context.Context, token, errorName, cause string) error
}

func (f *workflowsFake) Start(ctx context.Context, name string, input json.RawMessage) (string, error) {
	return f.start(ctx, name, input)
}
func (f *workflowsFake) SendTaskSuccess(ctx context.Context, token string, output json.RawMessage) error {
	return f.success(ctx, token, output)
}
func (f *workflowsFake) SendTaskFailure(ctx context.Context, token, errorName, cause string) error {
	return f.failure(ctx, token, errorName, cause)
}
func (f *workflowsFake) SendTaskHeartbeat(ctx context.Context, token string) error { return nil }

// failure is one SendTaskFailure call.
type failure struct{ token, errorName, cause string }

// publisher records the events published.
type publisher struct {
	mu     sync.Mutex
	events []platform.Event
}

func (p *publisher) Publish(ctx context.Context, events ...platform.Event) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.events = append(p.events, events...)
	return nil
}

func (p *publisher) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.events)
}

// harness is the control plane on the real store (DynamoDB Local), blobs in a directory
// and the real template engine, with a fake workflow service that records what it is
// asked and fails Start while startErr is set.
type harness struct {
	t       *testing.T
	ctx     context.Context
	store   *store.Store
	blobs   *blobdir.Dir
	events  *publisher
	svc     *control.Service
	bundles map[string][]byte

	mu       sync.Mutex
	starts   []string // execution names
	failures []failure
	startErr error
	now      time.Time
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{t: t, store: storetest.NewStore(t), events: &publisher{}, bundles: map[string][]byte{},
		now: time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)}
	h.ctx = asCaller("alice")
	h.store.Now = func() time.Time { // the store's clock (client token expiry) is the harness's
		h.mu.Lock()
		defer h.mu.Unlock()
		return h.now
	}
	var err error
	if h.blobs, err = blobdir.New(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	workflows := &workflowsFake{
		start: func(ctx context.Context, name string, input json.RawMessage) (string, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			if h.startErr != nil {
				return "", h.startErr
			}
			h.starts = append(h.starts, name)
			return "execution-" + name, nil
		},
		success: func(ctx context.Context, token string, output json.RawMessage) error { return nil },
		failure: func(ctx context.Context, token, errorName, cause string) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.failures = append(h.failures, failure{token, errorName, cause})
			return nil
		},
	}
	h.svc = control.New(control.Config{Store: h.store, Blobs: h.blobs, Workflows: workflows, Events: h.events,
		Engine: engine.New(render.New(render.Options{})), Now: h.clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return h
}

func asCaller(subject string) context.Context {
	return platform.WithCaller(context.Background(), platform.Caller{Subject: subject, Roles: []platform.Role{platform.AdminRole}})
}

func (h *harness) clock() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.now = h.now.Add(time.Second)
	return h.now
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

// bundle packs a sample bundle folder ("loadbalanced-fargate-env/v1") once per harness.
func (h *harness) bundle(folder string) []byte {
	h.t.Helper()
	if b, ok := h.bundles[folder]; ok {
		return b
	}
	b := tarGz(h.t, filepath.Join(sampleDir, folder))
	h.bundles[folder] = b
	return b
}

// tarGz packs the bundle folder dir as a .tar.gz.
func tarGz(t testing.TB, dir string) []byte {
	t.Helper()
	var names []string
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		data, err := os.ReadFile(path)
		names = append(names, filepath.ToSlash(rel))
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatalf("pack %s: %v (the shared conformance suite must sit at ../shared)", dir, err)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, name := range names {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(files[name])), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(files[name]); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func (h *harness) mustCreateTemplate(kind platform.TemplateKind, name string) {
	h.t.Helper()
	if _, err := h.svc.CreateTemplate(h.ctx, kind, control.CreateTemplateInput{Name: name}); err != nil {
		h.t.Fatal(err)
	}
}

// mustVersion registers the sample bundle of kind as the next version of template name
// (the next minor of major when major > 0, else a new major).
func (h *harness) mustVersion(kind platform.TemplateKind, name string, major int) platform.TemplateVersion {
	h.t.Helper()
	folder := "loadbalanced-fargate-env/v1"
	if kind == platform.ServiceTemplate {
		folder = "loadbalanced-fargate-svc/v1"
	}
	tv, err := h.svc.CreateTemplateVersion(h.ctx, kind, name, control.CreateVersionInput{Major: major, Bundle: h.bundle(folder)})
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
	h.mustCreateTemplate(platform.EnvironmentTemplate, envTemplate)
	h.mustPublish(platform.EnvironmentTemplate, envTemplate, h.mustVersion(platform.EnvironmentTemplate, envTemplate, 0).Version)
}

func (h *harness) envInput(name string) control.CreateEnvironmentInput {
	return control.CreateEnvironmentInput{Name: name, TemplateName: envTemplate, MajorVersion: 1,
		Spec: readFile(h.t, sampleDir+"/specs/env-spec.yaml")}
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
	d.Status, d.Outputs, d.CompletedAt = platform.Succeeded, testOutputs, h.clock()
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
