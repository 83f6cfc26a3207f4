// Package templatetest runs the tests of a template folder, the work behind "gantry
// test": a folder holding bundles v1/, v2/, … and test cases tests/<case>/, each with a
// spec.yaml, for service templates an environment-outputs.json (a flat JSON object of
// output name to value), and golden files under expected/ laid out as RenderSpec lays
// them out. Each case renders the newest bundle, must equal its goldens byte for byte and
// must pass the CloudFormation resource specification check.
package templatetest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/gantry-platform/gantry/internal/bundle"
	"github.com/gantry-platform/gantry/internal/cfnspec"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/render"
	"github.com/gantry-platform/gantry/internal/schema"
)

// The files of a test case.
const (
	TestsDir                = "tests"
	SpecFile                = "spec.yaml"
	EnvironmentOutputsFile  = "environment-outputs.json"
	ExpectedDir             = "expected"
	maxDiffLines            = 8
	expectedPermissions     = 0o644
	expectedDirPermissions  = 0o755
	temporaryExpectedPrefix = ".expected-"
)

// Options tune Run. Zero values take defaults.
type Options struct {
	// Update rewrites each case's expected/ with what the bundle renders now (a case
	// whose rendering fails keeps its goldens).
	Update bool
	// Renderer renders templates; default render.New(render.Options{}).
	Renderer bundle.Renderer
	// Checker checks rendered CloudFormation; default cfnspec.Load().
	Checker bundle.TemplateChecker
	// Limits bound the bundle; default bundle.ProtonLimits.
	Limits *bundle.Limits
}

// Report is what Run found.
type Report struct {
	// Bundle is the folder of the bundle tested, e.g. "v2".
	Bundle string
	Cases  []CaseResult
}

// Passed reports whether every case passed.
func (r Report) Passed() bool {
	for _, c := range r.Cases {
		if !c.Passed() {
			return false
		}
	}
	return len(r.Cases) > 0
}

// CaseResult is the outcome of one test case.
type CaseResult struct {
	Name string
	// Problems are the case's failures: a render error, a missing or extra golden file,
	// a difference (with a short diff), a CloudFormation check problem.
	Problems []string
	// Updated lists the golden files written by an update run.
	Updated []string
}

// Passed reports whether the case has no problem.
func (c CaseResult) Passed() bool { return len(c.Problems) == 0 }

var versionDir = regexp.MustCompile(`^v([0-9]+)$`)

// NewestBundle returns the name of the v<N> folder of dir with the highest N. NotFound
// *platform.Error when there is none.
func NewestBundle(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", notFoundOr(err, "template folder %s does not exist", dir)
	}
	best, bestN := "", -1
	for _, e := range entries {
		m := versionDir.FindStringSubmatch(e.Name())
		if m == nil || !e.IsDir() {
			continue
		}
		if n, err := strconv.Atoi(m[1]); err == nil && n > bestN {
			best, bestN = e.Name(), n
		}
	}
	if best == "" {
		return "", platform.Errorf(platform.NotFound, "%s holds no bundle folder v1/, v2/, …", dir)
	}
	return best, nil
}

func notFoundOr(err error, format string, args ...any) error {
	if errors.Is(err, fs.ErrNotExist) {
		return platform.Errorf(platform.NotFound, format, args...)
	}
	return err
}

// Run tests the template folder dir. The error is for what stops every case (no bundle
// folder, a bundle that does not load, no test cases, a failure to load the resource
// specification); a case's own failures are in the Report.
func Run(ctx context.Context, dir string, opts Options) (Report, error) {
	if opts.Renderer == nil {
		opts.Renderer = render.New(render.Options{})
	}
	if opts.Checker == nil {
		spec, err := cfnspec.Load()
		if err != nil {
			return Report{}, fmt.Errorf("load the CloudFormation resource specification: %w", err)
		}
		opts.Checker = spec
	}
	limits := bundle.ProtonLimits
	if opts.Limits != nil {
		limits = *opts.Limits
	}
	newest, err := NewestBundle(dir)
	if err != nil {
		return Report{}, err
	}
	report := Report{Bundle: newest}
	b, err := bundle.LoadDir(filepath.Join(dir, newest), limits)
	if err != nil {
		return report, fmt.Errorf("%s: %w", newest, err)
	}
	cases, err := caseNames(filepath.Join(dir, TestsDir))
	if err != nil {
		return report, err
	}
	for _, name := range cases {
		if err := ctx.Err(); err != nil {
			return report, err
		}
		report.Cases = append(report.Cases, runCase(ctx, b, filepath.Join(dir, TestsDir, name), name, opts))
	}
	return report, nil
}

func caseNames(testsDir string) ([]string, error) {
	entries, err := os.ReadDir(testsDir)
	if err != nil {
		return nil, notFoundOr(err, "no test cases: %s does not exist", testsDir)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return nil, platform.Errorf(platform.NotFound, "no test cases: %s holds no case folder", testsDir)
	}
	sort.Strings(names)
	return names, nil
}

func runCase(ctx context.Context, b *bundle.Bundle, dir, name string, opts Options) CaseResult {
	res := CaseResult{Name: name}
	fail := func(format string, args ...any) CaseResult {
		res.Problems = append(res.Problems, fmt.Sprintf(format, args...))
		return res
	}
	specData, err := os.ReadFile(filepath.Join(dir, SpecFile))
	if err != nil {
		return fail("read %s: %v", SpecFile, err)
	}
	spec, err := schema.ParseSpec(specData)
	if err != nil {
		return fail("%s: %v", SpecFile, err)
	}
	var fixture Fixture
	if outs, err := os.ReadFile(filepath.Join(dir, EnvironmentOutputsFile)); err == nil {
		fixture.EnvironmentOutputs, err = EnvironmentOutputs(outs)
		if err != nil {
			return fail("%s: %v", EnvironmentOutputsFile, err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fail("read %s: %v", EnvironmentOutputsFile, err)
	} else if spec.Proton == schema.ServiceSpec {
		return fail("missing %s: a service test case needs its environment's outputs", EnvironmentOutputsFile)
	}
	files, err := RenderSpec(ctx, opts.Renderer, b, spec, fixture)
	if err != nil {
		return fail("render: %v", err)
	}
	for _, f := range files {
		for _, p := range bundle.CheckRendered(opts.Checker, f.Rendered) {
			p.File = f.Path + " (rendered)"
			res.Problems = append(res.Problems, p.String())
		}
	}
	expectedDir := filepath.Join(dir, ExpectedDir)
	if opts.Update {
		if err := writeExpected(dir, files); err != nil {
			return fail("update %s: %v", ExpectedDir, err)
		}
		for _, f := range files {
			res.Updated = append(res.Updated, f.Path)
		}
		return res
	}
	res.Problems = append(res.Problems, compare(expectedDir, files)...)
	return res
}

// compare checks files against the goldens under dir.
func compare(dir string, files []File) []string {
	want, err := readTree(dir)
	if err != nil {
		return []string{fmt.Sprintf("read %s: %v (run with --update to create the goldens)", ExpectedDir, err)}
	}
	var problems []string
	for _, f := range files {
		exp, ok := want[f.Path]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s/%s: missing golden file (run with --update)", ExpectedDir, f.Path))
			continue
		}
		delete(want, f.Path)
		if exp != f.Content {
			problems = append(problems, fmt.Sprintf("%s/%s differs from the rendering:\n%s", ExpectedDir, f.Path, Diff(exp, f.Content)))
		}
	}
	extra := make([]string, 0, len(want))
	for p := range want {
		extra = append(extra, p)
	}
	sort.Strings(extra)
	for _, p := range extra {
		problems = append(problems, fmt.Sprintf("%s/%s: golden file the bundle no longer renders", ExpectedDir, p))
	}
	return problems
}

// readTree reads every file under dir, keyed by slash-separated relative path.
func readTree(dir string) (map[string]string, error) {
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[filepath.ToSlash(rel)] = string(data)
		return nil
	})
	return out, err
}

// writeExpected replaces caseDir/expected with files, all or nothing: the files go to a
// fresh folder beside it that is then swapped in.
func writeExpected(caseDir string, files []File) error {
	tmp, err := os.MkdirTemp(caseDir, temporaryExpectedPrefix)
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, expectedDirPermissions); err != nil {
		return err
	}
	if err := WriteFiles(tmp, files); err != nil {
		return err
	}
	return ReplaceDir(filepath.Join(caseDir, ExpectedDir), tmp)
}

// WriteFiles writes files under dir, creating folders; each file is written to a
// temporary name and renamed, so no file is ever left half-written.
func WriteFiles(dir string, files []File) error {
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), expectedDirPermissions); err != nil {
			return err
		}
		tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-"+filepath.Base(p)+"-")
		if err != nil {
			return err
		}
		_, werr := tmp.WriteString(f.Content)
		cerr := tmp.Close()
		if err := errors.Join(werr, cerr, os.Chmod(tmp.Name(), expectedPermissions)); err != nil {
			os.Remove(tmp.Name())
			return err
		}
		if err := os.Rename(tmp.Name(), p); err != nil {
			os.Remove(tmp.Name())
			return err
		}
	}
	return nil
}

// ReplaceDir puts the folder src in place of dst: dst, when it exists, is first moved
// aside, and removed once src is in place (restored if the swap fails).
func ReplaceDir(dst, src string) error {
	old := ""
	if _, err := os.Stat(dst); err == nil {
		old = dst + ".old-" + strconv.Itoa(os.Getpid())
		if err := os.Rename(dst, old); err != nil {
			return err
		}
	}
	if err := os.Rename(src, dst); err != nil {
		if old != "" {
			os.Rename(old, dst)
		}
		return err
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}
