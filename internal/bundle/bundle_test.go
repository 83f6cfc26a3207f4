package bundle

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/cfnspec"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
	"github.com/gantry-platform/gantry/internal/render"
)

const envSchema = "schema:\n  format:\n    openapi: \"3.0.0\"\n  environment_input_type: In\n  types:\n    In:\n      type: object\n      properties:\n        a:\n          type: string\n          default: x\n"

const jinjaManifest = "infrastructure:\n  templates:\n    - file: cloudformation.yaml\n      rendering_engine: jinja\n      template_language: cloudformation\n"

func envFiles() map[string][]byte {
	return map[string][]byte{
		"schema/schema.yaml":                 []byte(envSchema),
		"infrastructure/manifest.yaml":       []byte(jinjaManifest),
		"infrastructure/cloudformation.yaml": []byte("Resources: {}\n"),
	}
}

func mustLoad(t *testing.T, files map[string][]byte) *Bundle {
	t.Helper()
	b, err := Load(files, ProtonLimits)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return b
}

// loadProblems loads files and returns the problems, failing when loading succeeds.
func loadProblems(t *testing.T, files map[string][]byte, limits Limits) []Problem {
	t.Helper()
	_, err := Load(files, limits)
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("err = %v, want *LoadError", err)
	}
	if platform.KindOf(err) != platform.Invalid {
		t.Errorf("kind = %s, want invalid", platform.KindOf(err))
	}
	return le.Problems
}

func wantProblem(t *testing.T, problems []Problem, want string) {
	t.Helper()
	for _, p := range problems {
		if strings.Contains(p.String(), want) {
			return
		}
	}
	t.Errorf("problems %q lack %q", problems, want)
}

func TestLoadConformanceBundles(t *testing.T) {
	conformance := platformtest.ConformanceBundlesDir(t)
	var dirs []string
	err := filepath.WalkDir(conformance, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "schema" {
			dirs = append(dirs, filepath.Dir(p))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 40 {
		t.Fatalf("found %d bundles under %s, want the conformance suite", len(dirs), conformance)
	}
	for _, dir := range dirs {
		b, err := Open(dir, ProtonLimits)
		// This repository was written for Proton's preview: its service bundles keep
		// their templates in infrastructure/ and pipeline/.
		if strings.Contains(dir, "chanzuckerberg__") && strings.HasSuffix(dir, "/service") {
			if err == nil || !strings.Contains(err.Error(), "Proton preview") {
				t.Errorf("%s: err = %v, want the preview layout named", dir, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", dir, err)
			continue
		}
		if b.Infrastructure == nil || len(b.Infrastructure.Templates) == 0 {
			t.Errorf("%s: no infrastructure templates", dir)
		}
	}
}

func TestLoadServiceBundle(t *testing.T) {
	b, err := Open(platformtest.SamplePath(t, platformtest.SvcBundle), ProtonLimits)
	if err != nil {
		t.Fatal(err)
	}
	if b.Kind != Service || b.Pipeline == nil || b.Infrastructure.Dir != InstanceDir {
		t.Fatalf("bundle = %+v", b)
	}
	tmpl := b.Infrastructure.Templates[0]
	if tmpl.File != "cloudformation.yaml" || tmpl.RenderingEngine != EngineJinja || tmpl.TemplateLanguage != "cloudformation" {
		t.Errorf("template = %+v", tmpl)
	}
	if got := b.Registration.CompatibleEnvironments; len(got) != 1 || got[0].String() != "loadbalanced-fargate-env:1" {
		t.Errorf("compatible environments = %v", got)
	}
	want := ".compatible-envs instance_infrastructure/cloudformation.yaml instance_infrastructure/manifest.yaml pipeline_infrastructure/cloudformation.yaml pipeline_infrastructure/manifest.yaml schema/schema.yaml"
	if got := strings.Join(b.Files(), " "); got != want {
		t.Errorf("files = %s", got)
	}
}

func TestLoadRegistrationAndLegacyEngine(t *testing.T) {
	files := map[string][]byte{
		"schema/schema.yaml":                    []byte(strings.Replace(envSchema, "environment_input_type", "service_input_type", 1)),
		"instance_infrastructure/manifest.yaml": []byte("infrastructure:\n  templates:\n    - file: cf.yaml\n      engine: jinja\n      template_language: cloudformation\n"),
		"instance_infrastructure/cf.yaml":       []byte("x"),
		".template-registration.yaml":           []byte("compatible_environments:\n  - env-a:1\n  - env-b:3\nsupported_component_sources:\n  - DIRECTLY_DEFINED\n"),
		"pipeline_infrastructure/manifest.yaml": []byte("infrastructure:\n  templates:\n    - file: p.yaml\n      rendering_engine: codebuild\n      settings:\n        provision: [make deploy]\n"),
		"pipeline_infrastructure/p.yaml":        []byte("x"),
	}
	b := mustLoad(t, files)
	if b.Infrastructure.Templates[0].RenderingEngine != EngineJinja {
		t.Errorf("legacy engine key not read: %+v", b.Infrastructure.Templates[0])
	}
	if got := b.Registration; len(got.CompatibleEnvironments) != 2 || got.CompatibleEnvironments[1] != (EnvironmentRef{"env-b", 3}) ||
		len(got.SupportedComponentSources) != 1 {
		t.Errorf("registration = %+v", got)
	}
	if p := b.Pipeline.Templates[0]; p.RenderingEngine != EngineCodeBuild || p.Provision[0] != "make deploy" {
		t.Errorf("codebuild template = %+v", p)
	}
	// A codebuild manifest runs the bundle's files: there is nothing to render.
	if out, err := b.RenderPipeline(context.Background(), fakeRenderer{}, render.NewMap()); err != nil || len(out) != 0 {
		t.Errorf("codebuild render: %v, %v; want nothing rendered", out, err)
	}
	if b.Pipeline.Engine() != platform.EngineCodeBuild || b.Infrastructure.Engine() != platform.EngineCloudFormation {
		t.Errorf("engines %s, %s", b.Infrastructure.Engine(), b.Pipeline.Engine())
	}
}

func TestBrokenBundles(t *testing.T) {
	big := func(n int) []byte { return bytes.Repeat([]byte("#"), n) }
	cases := []struct {
		name   string
		edit   func(map[string][]byte)
		limits *Limits
		want   string
	}{
		{"missing schema", func(f map[string][]byte) { delete(f, "schema/schema.yaml") }, nil, "schema/schema.yaml: missing"},
		{"schema YAML", func(f map[string][]byte) {
			f["schema/schema.yaml"] = []byte("schema:\n  format:\n    openapi: 3\n  types:\n    X:\n      type: object\n     properties: {}\n")
		}, nil, "schema/schema.yaml:4: did not find expected key"},
		{"manifest YAML", func(f map[string][]byte) {
			f["infrastructure/manifest.yaml"] = []byte("infrastructure:\n  templates:\n    - file: a\n      rendering_engine: jinja\n      x: [\n")
		}, nil, "infrastructure/manifest.yaml:5: invalid YAML: did not find expected node content"},
		{"missing manifest", func(f map[string][]byte) { delete(f, "infrastructure/manifest.yaml") }, nil, "infrastructure/manifest.yaml: missing"},
		{"template not in bundle", func(f map[string][]byte) {
			delete(f, "infrastructure/cloudformation.yaml")
			f["infrastructure/other"] = nil
		}, nil,
			`infrastructure/manifest.yaml:3: lists template "cloudformation.yaml", which is not in the bundle`},
		{"no engine", func(f map[string][]byte) {
			f["infrastructure/manifest.yaml"] = []byte("infrastructure:\n  templates:\n    - file: cloudformation.yaml\n")
		}, nil, "infrastructure/manifest.yaml:3: infrastructure.templates[0]: missing rendering_engine"},
		{"escaping file", func(f map[string][]byte) {
			f["infrastructure/manifest.yaml"] = []byte("infrastructure:\n  templates:\n    - file: ../schema/schema.yaml\n      rendering_engine: jinja\n")
		}, nil, "must be a file name inside infrastructure/"},
		{"no kind", func(f map[string][]byte) {
			delete(f, "infrastructure/manifest.yaml")
			delete(f, "infrastructure/cloudformation.yaml")
		}, nil, "bundle has neither infrastructure/"},
		{"too many files", func(f map[string][]byte) {
			for _, n := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
				f["infrastructure/"+n] = []byte(n)
			}
		}, nil, "bundle has 11 files; the limit is 10"},
		{"template too large", func(f map[string][]byte) { f["infrastructure/cloudformation.yaml"] = big(200<<10 + 1) }, nil,
			"infrastructure/cloudformation.yaml: template is 200.0 KB; the limit is 200 KB"},
		{"schema too large", func(f map[string][]byte) { f["schema/schema.yaml"] = append([]byte(envSchema), big(50<<10)...) }, nil,
			"schema/schema.yaml: schema is"},
		{"bundle too large", func(f map[string][]byte) { f["infrastructure/data"] = big(1000) }, &Limits{BundleBytes: 1000, SchemaBytes: 1 << 20, ManifestBytes: 1 << 20, TemplateBytes: 1 << 20, Files: 10},
			"bundle is 1.3 KB; the limit is 1000 bytes"},
		{"bad compatible env", func(f map[string][]byte) { f[".compatible-envs"] = []byte("env:1\nenv\n") }, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := envFiles()
			c.edit(files)
			limits := ProtonLimits
			if c.limits != nil {
				limits = *c.limits
			}
			if c.want == "" {
				mustLoad(t, files) // .compatible-envs is read for service bundles only
				return
			}
			wantProblem(t, loadProblems(t, files, limits), c.want)
		})
	}
}

func TestServiceBundleRules(t *testing.T) {
	svcSchema := strings.Replace(envSchema, "environment_input_type", "service_input_type", 1)
	base := func() map[string][]byte {
		return map[string][]byte{
			"schema/schema.yaml":                          []byte(svcSchema),
			"instance_infrastructure/manifest.yaml":       []byte(jinjaManifest),
			"instance_infrastructure/cloudformation.yaml": []byte("x"),
		}
	}
	f := base()
	f[".compatible-envs"] = []byte("env:1\nenv\n")
	wantProblem(t, loadProblems(t, f, ProtonLimits), `.compatible-envs:2: "env" is not an environment template and major version`)

	f = base()
	f[".template-registration.yaml"] = []byte("compatible_environments:\n  - env:1\nsupported_component_sources:\n  - GIT\n")
	wantProblem(t, loadProblems(t, f, ProtonLimits), `.template-registration.yaml:4: supported_component_sources: "GIT"`)

	f = base()
	f["schema/schema.yaml"] = []byte(envSchema)
	wantProblem(t, loadProblems(t, f, ProtonLimits), "schema/schema.yaml: a service template's schema must declare service_input_type")

	f = base()
	f["infrastructure/manifest.yaml"] = []byte(jinjaManifest)
	wantProblem(t, loadProblems(t, f, ProtonLimits), "bundle holds both infrastructure/ (environment) and instance_infrastructure/ (service)")
}

type tarEntry struct {
	name, body, link string
	typ              byte
}

func tarGz(t *testing.T, entries []tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		typ := e.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		h := &tar.Header{Name: e.name, Typeflag: typ, Mode: 0o644, Size: int64(len(e.body)), Linkname: e.link}
		if typ != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if typ == tar.TypeReg {
			if _, err := tw.Write([]byte(e.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func envEntries(prefix string) []tarEntry {
	var out []tarEntry
	if prefix != "" {
		out = append(out, tarEntry{name: prefix, typ: tar.TypeDir})
	}
	for name, body := range envFiles() {
		out = append(out, tarEntry{name: prefix + name, body: string(body)})
	}
	return out
}

func TestLoadTarGz(t *testing.T) {
	for _, prefix := range []string{"", "./", "v1/", "./v1/"} {
		b, err := LoadTarGz(bytes.NewReader(tarGz(t, envEntries(prefix))), ProtonLimits)
		if err != nil {
			t.Fatalf("prefix %q: %v", prefix, err)
		}
		if b.Kind != Environment || len(b.Files()) != 3 {
			t.Errorf("prefix %q: kind %s files %v", prefix, b.Kind, b.Files())
		}
		data, err := fs.ReadFile(b.FS(), "infrastructure/cloudformation.yaml")
		if err != nil || string(data) != "Resources: {}\n" {
			t.Errorf("prefix %q: template = %q, %v", prefix, data, err)
		}
	}
	// Two top folders: not a bundle wrapped in a folder.
	entries := append(envEntries("v1/"), tarEntry{name: "v2/x", body: "x"})
	_, err := LoadTarGz(bytes.NewReader(tarGz(t, entries)), ProtonLimits)
	if err == nil {
		t.Error("two top folders accepted")
	}
}

func TestLoadTarGzRejectsUnsafeEntries(t *testing.T) {
	cases := []struct {
		entry tarEntry
		want  string
	}{
		{tarEntry{name: "../evil", body: "x"}, "../evil: unsafe path"},
		{tarEntry{name: "infrastructure/../../evil", body: "x"}, "unsafe path"},
		{tarEntry{name: "/etc/passwd", body: "x"}, "/etc/passwd: unsafe path"},
		{tarEntry{name: "infrastructure/link", typ: tar.TypeSymlink, link: "/etc/passwd"}, "infrastructure/link: links are not allowed"},
		{tarEntry{name: "infrastructure/hard", typ: tar.TypeLink, link: "schema/schema.yaml"}, "infrastructure/hard: links are not allowed"},
		{tarEntry{name: "infrastructure/fifo", typ: tar.TypeFifo}, "unsupported archive entry type"},
	}
	for _, c := range cases {
		entries := append(envEntries(""), c.entry)
		_, err := LoadTarGz(bytes.NewReader(tarGz(t, entries)), ProtonLimits)
		var le *LoadError
		if !errors.As(err, &le) {
			t.Errorf("%s: err = %v", c.entry.name, err)
			continue
		}
		wantProblem(t, le.Problems, c.want)
	}
}

func TestLoadTarGzStopsAtTheLimit(t *testing.T) {
	// 64 MB of zeros compress to ~64 KB: the reader must give up at the limit.
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	const n = 64 << 20
	if err := tw.WriteHeader(&tar.Header{Name: "infrastructure/big", Typeflag: tar.TypeReg, Mode: 0o644, Size: n}); err != nil {
		t.Fatal(err)
	}
	zeros := make([]byte, 1<<20)
	for i := 0; i < n/len(zeros); i++ {
		if _, err := tw.Write(zeros); err != nil {
			t.Fatal(err)
		}
	}
	tw.Close()
	zw.Close()
	limits := ProtonLimits
	limits.Ratio = 0 // the bundle's own limit (the ratio is TestGzipBombIsRefusedEarly's)
	_, err := LoadTarGz(bytes.NewReader(buf.Bytes()), limits)
	if err == nil || !strings.Contains(err.Error(), "bundle is over 5 MB, the limit") {
		t.Errorf("err = %v", err)
	}
	_, err = LoadTarGz(strings.NewReader("not gzip"), ProtonLimits)
	if err == nil || !strings.Contains(err.Error(), "not a gzip-compressed tar archive") {
		t.Errorf("err = %v", err)
	}
}

func TestLoadDirRejectsSymlinks(t *testing.T) {
	dir := t.TempDir()
	for name, body := range envFiles() {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := LoadDir(dir, ProtonLimits); err != nil {
		t.Fatalf("LoadDir: %v", err)
	}
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "infrastructure", "x")); err != nil {
		t.Fatal(err)
	}
	_, err := LoadDir(dir, ProtonLimits)
	if err == nil || !strings.Contains(err.Error(), "infrastructure/x: is not a regular file") {
		t.Errorf("err = %v", err)
	}
	if _, err := Open(filepath.Join(dir, "nope"), ProtonLimits); platform.KindOf(err) != platform.NotFound {
		t.Errorf("missing path: err = %v", err)
	}
}

// fakeRenderer renders by calling fn, or returns the template text.
type fakeRenderer struct {
	fn func(files fs.FS, name string) (string, error)
}

func (f fakeRenderer) Render(_ context.Context, files fs.FS, name string, _ *render.Map) (string, error) {
	if f.fn != nil {
		return f.fn(files, name)
	}
	b, err := fs.ReadFile(files, name)
	return string(b), err
}

func TestRenderInfrastructure(t *testing.T) {
	b := mustLoad(t, envFiles())
	got, err := b.RenderInfrastructure(context.Background(), fakeRenderer{}, render.NewMap())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Path != "infrastructure/cloudformation.yaml" || got[0].Content != "Resources: {}\n" {
		t.Errorf("rendered = %+v", got)
	}
	failing := fakeRenderer{fn: func(fs.FS, string) (string, error) {
		return "", &render.Error{File: "cloudformation.yaml", Line: 7, Message: "'x' is undefined"}
	}}
	_, err = b.RenderInfrastructure(context.Background(), failing, render.NewMap())
	if platform.KindOf(err) != platform.Invalid || !strings.Contains(err.Error(), "infrastructure/cloudformation.yaml:7: 'x' is undefined") {
		t.Errorf("err = %v", err)
	}
	if _, err := b.RenderPipeline(context.Background(), fakeRenderer{}, render.NewMap()); platform.KindOf(err) != platform.Invalid {
		t.Errorf("pipeline of an environment: err = %v", err)
	}
}

func TestCheckRendered(t *testing.T) {
	spec, err := cfnspec.Load()
	if err != nil {
		t.Fatal(err)
	}
	tmpl := Template{File: "cloudformation.yaml", RenderingEngine: EngineJinja, TemplateLanguage: "cloudformation"}
	ok := RenderedFile{Path: "infrastructure/cloudformation.yaml", Template: tmpl, Content: "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub '${AWS::StackName}-b'\nOutputs:\n  Name:\n    Value: !Ref Bucket\n"}
	if p := CheckRendered(spec, ok); len(p) != 0 {
		t.Errorf("problems = %v", p)
	}
	bad := ok
	bad.Content = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketNam: x\n"
	p := CheckRendered(spec, bad)
	if len(p) == 0 || p[0].LogicalID != "Bucket" || p[0].File != "infrastructure/cloudformation.yaml" || p[0].Line == 0 {
		t.Errorf("problems = %+v", p)
	}
	broken := ok
	broken.Content = "Resources:\n  Bucket: [\n"
	p = CheckRendered(spec, broken)
	if len(p) != 1 || !strings.Contains(p[0].Message, "not valid YAML") {
		t.Errorf("problems = %+v", p)
	}
}
