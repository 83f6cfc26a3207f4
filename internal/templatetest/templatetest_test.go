package templatetest

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/platform"
)

// copyTestdata copies testdata/<name> to a temporary folder and returns its path.
func copyTestdata(t *testing.T, name string) string {
	t.Helper()
	src := filepath.Join("testdata", name)
	dst := filepath.Join(t.TempDir(), name)
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func mustRun(t *testing.T, dir string, opts Options) Report {
	t.Helper()
	rep, err := Run(context.Background(), dir, opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return rep
}

func TestRunPasses(t *testing.T) {
	for _, name := range []string{"bucket-env", "queue-svc"} {
		rep := mustRun(t, filepath.Join("testdata", name), Options{})
		if !rep.Passed() {
			t.Errorf("%s: %+v", name, rep)
		}
	}
	rep := mustRun(t, filepath.Join("testdata", "bucket-env"), Options{})
	if rep.Bundle != "v2" || len(rep.Cases) != 2 {
		t.Errorf("report = %+v, want the newest bundle v2 and two cases", rep)
	}
}

func TestRunReportsADifferenceWithADiff(t *testing.T) {
	dir := copyTestdata(t, "bucket-env")
	golden := filepath.Join(dir, "tests", "versioned", "expected", "environment", "cloudformation.yaml")
	data, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(golden, []byte(strings.Replace(string(data), "ExpirationInDays: 365", "ExpirationInDays: 366", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	rep := mustRun(t, dir, Options{})
	if rep.Passed() {
		t.Fatal("a changed golden passed")
	}
	var versioned CaseResult
	for _, c := range rep.Cases {
		if c.Name == "versioned" {
			versioned = c
		} else if !c.Passed() {
			t.Errorf("case %s failed: %v", c.Name, c.Problems)
		}
	}
	if len(versioned.Problems) != 1 {
		t.Fatalf("problems = %q", versioned.Problems)
	}
	p := versioned.Problems[0]
	for _, want := range []string{"expected/environment/cloudformation.yaml differs", "@@ -10,4 +10,4 @@", "-            ExpirationInDays: 366", "+            ExpirationInDays: 365"} {
		if !strings.Contains(p, want) {
			t.Errorf("problem lacks %q:\n%s", want, p)
		}
	}
}

func TestRunReportsMissingAndExtraGoldens(t *testing.T) {
	dir := copyTestdata(t, "queue-svc")
	exp := filepath.Join(dir, "tests", "two-instances", "expected")
	if err := os.Rename(filepath.Join(exp, "orders-prod"), filepath.Join(exp, "orders-gone")); err != nil {
		t.Fatal(err)
	}
	rep := mustRun(t, dir, Options{})
	got := strings.Join(rep.Cases[0].Problems, "\n")
	for _, want := range []string{"expected/orders-prod/cloudformation.yaml: missing golden file", "expected/orders-gone/cloudformation.yaml: golden file the bundle no longer renders"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
}

func TestRunChecksCloudFormation(t *testing.T) {
	dir := copyTestdata(t, "bucket-env")
	tmpl := filepath.Join(dir, "v2", "infrastructure", "cloudformation.yaml")
	data, err := os.ReadFile(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tmpl, []byte(strings.Replace(string(data), "BucketName:", "BucketNam:", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	rep := mustRun(t, dir, Options{Update: true})
	for _, c := range rep.Cases {
		got := strings.Join(c.Problems, "\n")
		if !strings.Contains(got, "environment/cloudformation.yaml (rendered):7: Bucket:") || !strings.Contains(got, "BucketNam") {
			t.Errorf("case %s: problems = %q", c.Name, got)
		}
	}
}

func TestUpdateRewritesGoldens(t *testing.T) {
	dir := copyTestdata(t, "queue-svc")
	exp := filepath.Join(dir, "tests", "two-instances", "expected")
	stale := filepath.Join(exp, "orders-gone", "cloudformation.yaml")
	if err := os.MkdirAll(filepath.Dir(stale), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stale, []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(exp, "pipeline", "cloudformation.yaml"), []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	if mustRun(t, dir, Options{}).Passed() {
		t.Fatal("stale goldens passed")
	}
	rep := mustRun(t, dir, Options{Update: true})
	if !rep.Passed() || len(rep.Cases[0].Updated) != 3 {
		t.Fatalf("update: %+v", rep)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale golden kept: %v", err)
	}
	if !mustRun(t, dir, Options{}).Passed() {
		t.Error("goldens written by --update do not pass")
	}
	want, _ := os.ReadFile(filepath.Join("testdata", "queue-svc", "tests", "two-instances", "expected", "pipeline", "cloudformation.yaml"))
	got, _ := os.ReadFile(filepath.Join(exp, "pipeline", "cloudformation.yaml"))
	if string(got) != string(want) {
		t.Errorf("pipeline golden = %q, want %q", got, want)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "tests", "two-instances"))
	for _, e := range entries {
		if e.Name() != "expected" && e.Name() != SpecFile && e.Name() != EnvironmentOutputsFile {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func TestUpdateKeepsGoldensWhenRenderingFails(t *testing.T) {
	dir := copyTestdata(t, "bucket-env")
	if err := os.WriteFile(filepath.Join(dir, "v2", "infrastructure", "cloudformation.yaml"), []byte("{{ environment.nope.deeper }}"), 0o644); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join(dir, "tests", "defaults", "expected", "environment", "cloudformation.yaml")
	before, _ := os.ReadFile(golden)
	rep := mustRun(t, dir, Options{Update: true})
	if rep.Passed() || !strings.Contains(rep.Cases[0].Problems[0], "render: infrastructure/cloudformation.yaml:1:") {
		t.Fatalf("report = %+v", rep)
	}
	after, _ := os.ReadFile(golden)
	if string(before) != string(after) {
		t.Error("a failed render changed the goldens")
	}
}

func TestRunErrors(t *testing.T) {
	if _, err := Run(context.Background(), t.TempDir(), Options{}); platform.KindOf(err) != platform.NotFound {
		t.Errorf("no bundle: err = %v", err)
	}
	dir := copyTestdata(t, "bucket-env")
	if err := os.RemoveAll(filepath.Join(dir, "tests")); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), dir, Options{}); err == nil || !strings.Contains(err.Error(), "no test cases") {
		t.Errorf("no tests: err = %v", err)
	}
	dir = copyTestdata(t, "queue-svc")
	os.Remove(filepath.Join(dir, "tests", "two-instances", EnvironmentOutputsFile))
	rep := mustRun(t, dir, Options{})
	if rep.Passed() || !strings.Contains(rep.Cases[0].Problems[0], "missing environment-outputs.json") {
		t.Errorf("report = %+v", rep)
	}
}

func TestDiff(t *testing.T) {
	if Diff("a\n", "a\n") != "" {
		t.Error("equal texts differ")
	}
	got := Diff("a\nb\nc", "a\nb\nc\n")
	if !strings.Contains(got, "-c\n\\ No newline at end of file") || !strings.Contains(got, "+c") {
		t.Errorf("diff = %q", got)
	}
	long := strings.Repeat("x\n", 20)
	if got := Diff("", long); !strings.Contains(got, "+… 12 more lines") {
		t.Errorf("diff = %q", got)
	}
}
