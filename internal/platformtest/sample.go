package platformtest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ModulePath is the path of Gantry's Go module.
const ModulePath = "github.com/gantry-platform/gantry"

// The shared sample: AWS's loadbalanced-fargate-svc sample of the shared conformance
// suite, an environment template and a service template whose .compatible-envs names the
// environment template as loadbalanced-fargate-env:1. The tests register the templates
// under these names.
const (
	EnvTemplate = "loadbalanced-fargate-env"
	SvcTemplate = "loadbalanced-fargate-svc"
)

// Paths inside SampleDir, slash-separated, for SamplePath.
const (
	EnvBundle = "loadbalanced-fargate-env/v1" // the environment template's bundle folder
	SvcBundle = "loadbalanced-fargate-svc/v1" // the service template's bundle folder
	EnvSpec   = "specs/env-spec.yaml"         // an environment spec for EnvBundle
	SvcSpec   = "specs/svc-spec.yaml"         // a service spec (two instances) for SvcBundle
)

// sample is SampleDir relative to ConformanceBundlesDir.
const sample = "aws-samples__aws-proton-cloudformation-sample-templates/loadbalanced-fargate-svc"

// ModuleRoot returns the directory holding Gantry's go.mod, found by walking up from the
// test's working directory. No such directory fails the test.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatalf("platformtest: working directory: %v", err)
	}
	for dir := wd; ; {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && moduleOf(data) == ModulePath {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("platformtest: no go.mod of module %s in %s or any folder above it", ModulePath, wd)
		}
		dir = parent
	}
}

// moduleOf returns the module path a go.mod declares, or "".
func moduleOf(gomod []byte) string {
	lines := bufio.NewScanner(bytes.NewReader(gomod))
	for lines.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(lines.Text()), "module"); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

// SharedDir returns the project's shared material: the folder "shared" beside the
// repository (ModuleRoot/../shared). A missing folder fails the test (never skips it):
// the conformance suite and the samples the tests read live there.
func SharedDir(t testing.TB) string {
	t.Helper()
	return mustDir(t, filepath.Join(filepath.Dir(ModuleRoot(t)), "shared"))
}

// ConformanceBundlesDir returns the bundles of the shared conformance suite
// (shared/conformance/proton-jinja/bundles), failing the test when it is missing.
func ConformanceBundlesDir(t testing.TB) string {
	t.Helper()
	return mustDir(t, filepath.Join(SharedDir(t), "conformance", "proton-jinja", "bundles"))
}

// SampleDir returns the folder of the shared sample (see EnvTemplate), failing the test
// when it is missing.
func SampleDir(t testing.TB) string {
	t.Helper()
	return mustDir(t, filepath.Join(ConformanceBundlesDir(t), filepath.FromSlash(sample)))
}

// SamplePath returns the path of rel (slash-separated, such as EnvBundle or EnvSpec)
// inside SampleDir, failing the test when nothing is there.
func SamplePath(t testing.TB, rel string) string {
	t.Helper()
	path := filepath.Join(SampleDir(t), filepath.FromSlash(rel))
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("platformtest: the shared sample lacks %s: %v", rel, err)
	}
	return path
}

// mustDir returns dir, failing the test unless it is a folder.
func mustDir(t testing.TB, dir string) string {
	t.Helper()
	info, err := os.Stat(dir)
	if err == nil && !info.IsDir() {
		err = fmt.Errorf("not a folder")
	}
	if err != nil {
		t.Fatalf("platformtest: %s is missing (Gantry's tests read the project's shared material, "+
			"which must sit in a folder named shared beside the repository): %v", dir, err)
	}
	return dir
}
