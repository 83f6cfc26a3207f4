package platformtest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/templatetest"
)

// TestNoShippedBinaryLinksTestSupport lists the dependencies of every shipped program —
// the Lambda functions, the CLI, the local platform and the CDK app — and fails for each
// test-support package among them (this one, and every package of the module whose name
// ends in "test", such as storetest or lambdawiretest — but templatetest, the engine of
// the `gantry test` command): what they hold must never reach a production binary.
func TestNoShippedBinaryLinksTestSupport(t *testing.T) {
	root := ModuleRoot(t)
	cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "./functions/...", "./cmd/...", "./cdk/...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 { // the listing must have seen the programs, not an empty folder
		t.Fatalf("go list found %d dependencies of the shipped programs, want many", len(deps))
	}
	for _, p := range deps {
		if strings.HasPrefix(p, ModulePath+"/") && strings.HasSuffix(p, "test") && p != ModulePath+"/internal/templatetest" {
			t.Errorf("a shipped program links the test-support package %s", p)
		}
	}
}

// untar returns the entries of a .tar.gz in order: name → content, and the names.
func untar(t *testing.T, archive []byte) (map[string]string, []string) {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(archive))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	files := map[string]string{}
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files, names
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag != tar.TypeReg || h.Mode != 0o644 {
			t.Errorf("%s: type %c mode %o, want a regular file 0644", h.Name, h.Typeflag, h.Mode)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name] = string(data)
		names = append(names, h.Name)
	}
}

func TestTarGz(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{"schema/schema.yaml": "schema", "infrastructure/cloudformation.yaml": "old", "b.txt": "b"} {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files, names := untar(t, TarGz(t, dir, map[string]string{"infrastructure/cloudformation.yaml": "new", "a/added.txt": "added"}))
	want := map[string]string{"a/added.txt": "added", "b.txt": "b", "infrastructure/cloudformation.yaml": "new", "schema/schema.yaml": "schema"}
	if !reflect.DeepEqual(files, want) {
		t.Errorf("entries = %v, want %v", files, want)
	}
	if wantNames := []string{"a/added.txt", "b.txt", "infrastructure/cloudformation.yaml", "schema/schema.yaml"}; !reflect.DeepEqual(names, wantNames) {
		t.Errorf("entry order = %v, want %v", names, wantNames)
	}
	if again := TarGz(t, dir, nil); !bytes.Equal(again, TarGz(t, dir, nil)) {
		t.Error("packing the same folder twice gave different archives")
	}
}

func TestSample(t *testing.T) {
	for _, rel := range []string{EnvBundle + "/schema/schema.yaml", SvcBundle + "/schema/schema.yaml", EnvSpec, SvcSpec} {
		if ReadFile(t, SamplePath(t, rel)) == "" {
			t.Errorf("%s is empty", rel)
		}
	}
	if got, want := filepath.Dir(SharedDir(t)), filepath.Dir(ModuleRoot(t)); got != want {
		t.Errorf("shared material in %s, want it beside the repository in %s", got, want)
	}
	if !strings.HasPrefix(SampleDir(t), ConformanceBundlesDir(t)) {
		t.Errorf("sample %s is not among the conformance bundles %s", SampleDir(t), ConformanceBundlesDir(t))
	}
}

func TestModuleOf(t *testing.T) {
	for gomod, want := range map[string]string{
		"module github.com/gantry-platform/gantry\n\ngo 1.26\n": ModulePath,
		"// x\nmodule \"example.com/m\"\n":                      "example.com/m",
		"go 1.26\n":                                             "",
	} {
		if got := moduleOf([]byte(gomod)); got != want {
			t.Errorf("moduleOf(%q) = %q, want %q", gomod, got, want)
		}
	}
}

func TestFakesWithoutAFunctionFail(t *testing.T) {
	ctx := context.Background()
	w, p := &Workflows{}, &Provisioner{}
	_, startErr := w.Start(ctx, "x", nil)
	_, deployErr := p.Deploy(ctx, platform.StackDeployment{})
	_, deleteErr := p.Delete(ctx, "s", "t")
	_, describeErr := p.Describe(ctx, "s")
	for call, err := range map[string]error{
		"Workflows.Start":             startErr,
		"Workflows.SendTaskSuccess":   w.SendTaskSuccess(ctx, "t", nil),
		"Workflows.SendTaskFailure":   w.SendTaskFailure(ctx, "t", "E", "c"),
		"Workflows.SendTaskHeartbeat": w.SendTaskHeartbeat(ctx, "t"),
		"Provisioner.Deploy":          deployErr,
		"Provisioner.Delete":          deleteErr,
		"Provisioner.Describe":        describeErr,
	} {
		if err == nil || !strings.Contains(err.Error(), call) {
			t.Errorf("%s with no function = %v, want an error naming it", call, err)
		}
	}
	w.StartFunc = func(ctx context.Context, name string, input json.RawMessage) (string, error) {
		return "execution-" + name, nil
	}
	if id, err := w.Start(ctx, "x", nil); id != "execution-x" || err != nil {
		t.Errorf("Start = %q, %v; want StartFunc's answer", id, err)
	}
}

func TestRecorder(t *testing.T) {
	var r Recorder
	ctx := context.Background()
	r.Publish(ctx, platform.Event{DetailType: "a"}, platform.Event{DetailType: "b"})
	r.Notify(ctx, "subject", "message")
	events := r.Events()
	events[0].DetailType = "changed"
	if got := r.Events(); len(got) != 2 || got[0].DetailType != "a" || got[1].DetailType != "b" {
		t.Errorf("events = %+v, want a then b, unchanged by a caller", got)
	}
	if got := r.Notifications(); !reflect.DeepEqual(got, []string{"subject\nmessage"}) {
		t.Errorf("notifications = %q", got)
	}
}

func TestClock(t *testing.T) {
	c := NewClock()
	start := c.Now()
	if c.Now() != start {
		t.Error("Now moved the clock")
	}
	if got := c.Tick(); got != start.Add(time.Second) || c.Now() != got {
		t.Errorf("Tick = %v, Now = %v; want both %v", got, c.Now(), start.Add(time.Second))
	}
	c.Advance(25 * time.Hour)
	if got := c.Now(); got != start.Add(25*time.Hour+time.Second) {
		t.Errorf("after Advance(25h) Now = %v", got)
	}
}

func TestAdminContext(t *testing.T) {
	caller, ok := platform.CallerFrom(AdminContext("alice"))
	if !ok || caller.Subject != "alice" || !reflect.DeepEqual(caller.Roles, []platform.Role{platform.AdminRole}) {
		t.Errorf("caller = %+v, %v; want alice, admin", caller, ok)
	}
}

func TestEventSample(t *testing.T) {
	if raw := EventSample(t, "cloudformation-gantry-env-beta-create-complete"); !strings.Contains(string(raw), "CREATE_COMPLETE") {
		t.Errorf("sample = %s, want a CREATE_COMPLETE stack event", raw)
	}
}

// fatalRecorder is a testing.TB whose Fatalf records the message and ends the goroutine,
// as testing's does; the other methods are the embedded TB's.
type fatalRecorder struct {
	testing.TB
	message string
}

func (f *fatalRecorder) Helper() {}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.message = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// fatalOf runs fn with a fatalRecorder in a goroutine of its own and returns the message
// fn failed with ("" when it did not fail).
func fatalOf(t *testing.T, fn func(tb testing.TB)) string {
	f := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	return f.message
}

func TestMissingSharedMaterialFailsTheTest(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "shared")
	msg := fatalOf(t, func(tb testing.TB) { mustDir(tb, missing) })
	if !strings.Contains(msg, missing) || !strings.Contains(msg, "is missing") || !strings.Contains(msg, "beside the repository") {
		t.Errorf("message = %q, want it to name %s as missing and say where it must sit", msg, missing)
	}
	if msg := fatalOf(t, func(tb testing.TB) { mustDir(tb, t.TempDir()) }); msg != "" {
		t.Errorf("an existing folder failed: %q", msg)
	}
}

func TestModuleRootOutsideTheModuleFailsTheTest(t *testing.T) {
	t.Chdir(t.TempDir())
	if msg := fatalOf(t, func(tb testing.TB) { ModuleRoot(tb) }); !strings.Contains(msg, "no go.mod of module "+ModulePath) {
		t.Errorf("message = %q, want it to say no go.mod of %s was found", msg, ModulePath)
	}
}

// TestDeployTimeOnlyRendersTheSampleName keeps DeployTimeOnly's name the one registration
// renders with.
func TestDeployTimeOnlyRendersTheSampleName(t *testing.T) {
	if sampleEnvironmentName != templatetest.DefaultEnvironmentName {
		t.Fatalf("DeployTimeOnly tests for %q, registration renders %q", sampleEnvironmentName, templatetest.DefaultEnvironmentName)
	}
}
