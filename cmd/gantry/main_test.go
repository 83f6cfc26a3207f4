package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// shared is the project's shared material, reached from the repository root as ../shared.
const shared = "../../../shared"

const (
	conformance = shared + "/conformance/proton-jinja"
	lbSample    = conformance + "/bundles/aws-samples__aws-proton-cloudformation-sample-templates/loadbalanced-fargate-svc"
	lbExpected  = conformance + "/expected/aws-samples__aws-proton-cloudformation-sample-templates/loadbalanced-fargate-svc"
	lbContexts  = conformance + "/contexts/aws-samples__aws-proton-cloudformation-sample-templates/loadbalanced-fargate-svc"
)

// gantry runs the command's entry point and returns its exit code and output.
func gantry(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestMain(m *testing.M) {
	if _, err := os.Stat(lbSample); err != nil {
		// The conformance suite is part of the test input: its absence is a failure.
		println("missing conformance suite:", err.Error())
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func TestRenderTemplateWritesExactlyTheRendering(t *testing.T) {
	var cases []struct {
		ID, TemplateDir, Template, Context, Expected string
		ExpectedError                                bool `json:"expected_error"`
	}
	raw := mustRead(t, conformance+"/cases.json")
	if err := json.Unmarshal([]byte(strings.NewReplacer(`"template_dir"`, `"TemplateDir"`).Replace(raw)), &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 50 {
		t.Fatalf("%d cases", len(cases))
	}
	for _, c := range cases {
		code, out, errOut := gantry(t, "render", "--template-dir", filepath.Join(conformance, c.TemplateDir),
			"--template", c.Template, "--context", filepath.Join(conformance, c.Context))
		if c.ExpectedError {
			if code != 1 || errOut == "" || out != "" {
				t.Errorf("%s: code %d, stdout %q, stderr %q; want a failure on stderr", c.ID, code, out, errOut)
			}
			continue
		}
		if code != 0 || errOut != "" {
			t.Errorf("%s: code %d, stderr %s", c.ID, code, errOut)
			continue
		}
		if want := mustRead(t, filepath.Join(conformance, c.Expected)); out != want {
			t.Errorf("%s: output differs from Jinja2's", c.ID)
		}
	}
}

func TestRenderBundleMatchesJinja2(t *testing.T) {
	// The conformance context's environment outputs, as a flat file.
	var ctx struct {
		Environment struct {
			Outputs json.RawMessage `json:"outputs"`
		} `json:"environment"`
	}
	if err := json.Unmarshal([]byte(mustRead(t, lbContexts+"/loadbalanced-fargate-svc/v1/instance.cloudformation.yaml.json")), &ctx); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	outputs := filepath.Join(tmp, "outputs.json")
	if err := os.WriteFile(outputs, ctx.Environment.Outputs, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "out")
	code, stdout, stderr := gantry(t, "render", "--bundle", lbSample+"/loadbalanced-fargate-svc/v1", "--spec", lbSample+"/specs/svc-spec.yaml",
		"--env-outputs", outputs, "--name", "sample-svc", "--out", out)
	if code != 0 {
		t.Fatalf("code %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, filepath.Join(out, "frontend-dev", "cloudformation.yaml")) {
		t.Errorf("stdout = %q", stdout)
	}
	// The spec holds only some inputs: schema defaults fill the rest, in schema order,
	// and the result is byte for byte what Jinja2 renders from the conformance context.
	for got, want := range map[string]string{
		out + "/frontend-dev/cloudformation.yaml": lbExpected + "/loadbalanced-fargate-svc/v1/instance/cloudformation.yaml",
		out + "/pipeline/cloudformation.yaml":     lbExpected + "/loadbalanced-fargate-svc/v1/pipeline/cloudformation.yaml",
	} {
		if mustRead(t, got) != mustRead(t, want) {
			t.Errorf("%s differs from %s", got, want)
		}
	}

	envOut := filepath.Join(tmp, "env")
	code, _, stderr = gantry(t, "render", "--bundle", lbSample+"/loadbalanced-fargate-env/v1", "--spec", lbSample+"/specs/env-spec.yaml",
		"--name", "sample-env", "--out", envOut)
	if code != 0 {
		t.Fatalf("environment: code %d: %s", code, stderr)
	}
	if mustRead(t, envOut+"/environment/cloudformation.yaml") != mustRead(t, lbExpected+"/loadbalanced-fargate-env/v1/environment/cloudformation.yaml") {
		t.Error("environment rendering differs from Jinja2's")
	}
}

func TestRenderBundleOneInstanceAndErrors(t *testing.T) {
	tmp := t.TempDir()
	spec := filepath.Join(tmp, "spec.yaml")
	write := func(body string) {
		if err := os.WriteFile(spec, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("proton: ServiceSpec\ninstances:\n  - name: a\n    environment: e\n  - name: b\n    environment: e\n    spec: {port: 8080}\n")
	out := filepath.Join(tmp, "out")
	code, _, stderr := gantry(t, "render", "--bundle", lbSample+"/loadbalanced-fargate-svc/v1", "--spec", spec, "--instance", "b", "--out", out)
	if code != 0 {
		t.Fatalf("code %d: %s", code, stderr)
	}
	entries, _ := os.ReadDir(out)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "b,pipeline" {
		t.Errorf("out holds %v, want b and pipeline", names)
	}
	if !strings.Contains(mustRead(t, out+"/b/cloudformation.yaml"), "ContainerPort: '8080'") {
		t.Error("instance b not rendered with its inputs")
	}

	write("proton: ServiceSpec\ninstances:\n  - name: a\n    environment: e\n    spec: {port: -1, desired_count: 0}\n")
	out2 := filepath.Join(tmp, "out2")
	code, _, stderr = gantry(t, "render", "--bundle", lbSample+"/loadbalanced-fargate-svc/v1", "--spec", spec, "--out", out2)
	if code != 1 || !strings.Contains(stderr, "instances[0].spec.desired_count: must be >= 1; instances[0].spec.port: must be >= 0") {
		t.Errorf("code %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(out2); !os.IsNotExist(err) {
		t.Errorf("a failed render wrote %s", out2)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"nope"},
		{"render"},
		{"render", "--template-dir", "x"},
		{"render", "--bundle", "x", "--spec", "y"},
		{"render", "--template", "x", "--bundle", "y"},
		{"render", "--bogus"},
		{"validate"},
		{"validate", "--bundle", "x", "extra"},
		{"test"},
		{"test", "a", "b"},
	} {
		code, out, errOut := gantry(t, args...)
		if code != 2 || out != "" || !strings.Contains(errOut, "usage:") {
			t.Errorf("%q: code %d, stdout %q, stderr %q; want usage on stderr and exit 2", args, code, out, errOut)
		}
	}
	if code, _, errOut := gantry(t, "render", "-h"); code != 0 || !strings.Contains(errOut, "OUT/pipeline/<template>") {
		t.Errorf("render -h: code %d, %q", code, errOut)
	}
}

func TestValidate(t *testing.T) {
	code, out, _ := gantry(t, "validate", "--bundle", lbSample+"/loadbalanced-fargate-svc/v1")
	if code != 0 || out != "ok\n" {
		t.Errorf("valid bundle: code %d, %q", code, out)
	}
	// A required input without a default gets a placeholder, and the user is told.
	code, out, _ = gantry(t, "validate", "--bundle", conformance+"/bundles/aws-samples__aws-proton-cloudformation-sample-templates/public-private-fargate-microservices/microservices-svc/loadbalanced-public-svc/v1")
	if code != 0 || !strings.Contains(out, `note: instances[0].spec.service_discovery_name is required and has no default: rendered with the placeholder "xxx"`) {
		t.Errorf("placeholder: code %d, %q", code, out)
	}
	// A template that fails to render names its file and line.
	code, out, _ = gantry(t, "validate", "--bundle", conformance+"/bundles/aws-samples__aws-proton-template-checker-action/test/sample_templates/invalid_jinja_template")
	if code != 1 || !strings.Contains(out, "instance_infrastructure/cloudformation.yaml:30:") {
		t.Errorf("render error: code %d, %q", code, out)
	}

	dir := t.TempDir()
	copyBundle(t, lbSample+"/loadbalanced-fargate-env/v1", dir)
	tmpl := filepath.Join(dir, "infrastructure", "cloudformation.yaml")
	body := mustRead(t, tmpl)
	broken := strings.Replace(body, "Type: AWS::EC2::VPC", "Type: AWS::EC2::VPCC", 1)
	if broken == body {
		t.Fatal("fixture changed: no AWS::EC2::VPC")
	}
	if err := os.WriteFile(tmpl, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ = gantry(t, "validate", "--bundle", dir)
	if code != 1 || !strings.Contains(out, "infrastructure/cloudformation.yaml (rendered):") || !strings.Contains(out, "AWS::EC2::VPCC") || !strings.Contains(out, "1 problem(s)") {
		t.Errorf("CloudFormation problem: code %d, %q", code, out)
	}

	if err := os.Remove(filepath.Join(dir, "schema", "schema.yaml")); err != nil {
		t.Fatal(err)
	}
	code, out, _ = gantry(t, "validate", "--bundle", dir)
	if code != 1 || !strings.Contains(out, "schema/schema.yaml: missing") {
		t.Errorf("missing schema: code %d, %q", code, out)
	}
}

func copyBundle(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestTestCommand(t *testing.T) {
	testdata := "../../internal/templatetest/testdata"
	code, out, stderr := gantry(t, "test", testdata+"/queue-svc")
	if code != 0 || !strings.Contains(out, "ok   two-instances") {
		t.Fatalf("pass: code %d, %q %q", code, out, stderr)
	}
	dir := t.TempDir()
	copyBundle(t, testdata+"/bucket-env", dir)
	golden := filepath.Join(dir, "tests", "defaults", "expected", "environment", "cloudformation.yaml")
	if err := os.WriteFile(golden, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ = gantry(t, "test", dir)
	if code != 1 || !strings.Contains(out, "FAIL defaults") || !strings.Contains(out, "-old") || !strings.Contains(out, "2 case(s), 1 failed (bundle v2)") {
		t.Errorf("fail: code %d, %q", code, out)
	}
	code, out, _ = gantry(t, "test", dir, "--update")
	if code != 0 || !strings.Contains(out, "updated defaults (environment/cloudformation.yaml)") {
		t.Errorf("update: code %d, %q", code, out)
	}
	if code, out, _ = gantry(t, "test", dir); code != 0 {
		t.Errorf("after update: code %d, %q", code, out)
	}
	if code, _, stderr = gantry(t, "test", filepath.Join(dir, "nope")); code != 1 || !strings.Contains(stderr, "does not exist") {
		t.Errorf("missing folder: code %d, %q", code, stderr)
	}
}

// tarball packs the files of src into a .tar.gz under the top folder v1/, plus extra
// (empty) entries, and returns its path.
func tarball(t *testing.T, src string, extra ...string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: "v1/" + filepath.ToSlash(rel), Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(data))}); err != nil {
			return err
		}
		_, err = tw.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range extra {
		if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644}); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bundle.tar.gz")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestValidateTarball(t *testing.T) {
	src := lbSample + "/loadbalanced-fargate-svc/v1"
	if code, out, _ := gantry(t, "validate", "--bundle", tarball(t, src)); code != 0 || out != "ok\n" {
		t.Errorf("tarball: code %d, %q", code, out)
	}
	code, out, _ := gantry(t, "validate", "--bundle", tarball(t, src, "v1/../../escape"))
	if code != 1 || !strings.Contains(out, "v1/../../escape: unsafe path in archive") {
		t.Errorf("unsafe tarball: code %d, %q", code, out)
	}
}
