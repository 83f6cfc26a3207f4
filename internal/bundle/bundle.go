// Package bundle loads AWS Proton template bundles, from a directory or a .tar.gz, checks
// them against Proton's rules and limits, and renders their infrastructure and pipeline
// templates.
//
// An environment bundle holds schema/schema.yaml and infrastructure/ (manifest.yaml plus
// the templates it lists); a service bundle holds schema/, instance_infrastructure/ and
// optionally pipeline_infrastructure/, .template-registration.yaml and the legacy
// .compatible-envs.
package bundle

import (
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/schema"
)

// Kind says what a bundle provisions.
type Kind string

// The kinds of bundle.
const (
	Environment Kind = "environment"
	Service     Kind = "service"
)

// The folders and files of a bundle.
const (
	SchemaFile                 = "schema/schema.yaml"
	EnvironmentDir             = "infrastructure"
	InstanceDir                = "instance_infrastructure"
	PipelineDir                = "pipeline_infrastructure"
	ManifestName               = "manifest.yaml"
	RegistrationFile           = ".template-registration.yaml"
	LegacyCompatibleEnvsFile   = ".compatible-envs"
	DirectlyDefinedComponents  = platform.DirectlyDefinedComponents
	defaultTemplateLanguageCFN = "cloudformation"
)

// Limits are the sizes Proton enforces on a bundle.
type Limits struct {
	BundleBytes   int64 // all files together (uncompressed), and the .tar.gz itself
	SchemaBytes   int64
	ManifestBytes int64
	TemplateBytes int64 // each template file a manifest lists
	Files         int   // files in the bundle, directories not counted
	// RunFiles bounds the files of a bundle whose manifests run it (codebuild, hcl): its
	// files are a program (a CDK app, Terraform modules), not templates Gantry renders.
	RunFiles int
	// Ratio bounds how many times its compressed size a .tar.gz may expand to, checked
	// from the first MB decompressed on (0: not checked). The decompressed archive is
	// also bounded: BundleBytes plus 1 MB for the archive's own headers.
	Ratio int64
}

// ProtonLimits are AWS Proton's limits: a 5 MB bundle, a 50 KB schema and manifest, a
// 200 KB template and 10 files (1,000 for a bundle that runs its own files: Proton's own
// samples of CodeBuild and Terraform provisioning have 13 to 16); and Gantry's against decompression bombs: an archive may
// expand at most 200 times (templates are text: they compress 5 to 20 times; a bomb of
// zeros expands 1,000 times).
var ProtonLimits = Limits{
	BundleBytes:   5 << 20,
	SchemaBytes:   50 << 10,
	ManifestBytes: 50 << 10,
	TemplateBytes: 200 << 10,
	Files:         10,
	RunFiles:      1000,
	Ratio:         200,
}

// Bundle is a loaded, checked template bundle.
type Bundle struct {
	Kind   Kind
	Schema *schema.Schema
	// Infrastructure is infrastructure/manifest.yaml (environment) or
	// instance_infrastructure/manifest.yaml (service).
	Infrastructure *Manifest
	// Pipeline is pipeline_infrastructure/manifest.yaml, nil when the bundle has none.
	Pipeline *Manifest
	// Registration is .template-registration.yaml, or what .compatible-envs says.
	Registration Registration

	files memFS
}

// Registration is what a service bundle says about the environments it runs in and the
// component sources it accepts.
type Registration struct {
	CompatibleEnvironments    []EnvironmentRef
	SupportedComponentSources []string
}

// EnvironmentRef names a major version of an environment template ("name:major").
type EnvironmentRef struct {
	Template string
	Major    int
}

// String returns "name:major".
func (r EnvironmentRef) String() string { return fmt.Sprintf("%s:%d", r.Template, r.Major) }

// Problem is one thing wrong with a bundle or its rendered output: the file (a path inside
// the bundle), the line when known, the CloudFormation logical id when it is about a
// resource, and the message.
type Problem struct {
	File      string
	Line      int
	LogicalID string
	Message   string
}

// String formats the problem as "file:line: [LogicalID] message".
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if p.LogicalID != "" {
		b.WriteString(p.LogicalID + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// LoadError reports every problem found while loading a bundle. It unwraps to an Invalid
// *platform.Error carrying the same text, so platform.KindOf(err) is Invalid.
type LoadError struct {
	Problems []Problem
}

// Error lists the problems, separated by "; ".
func (e *LoadError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return "invalid bundle: " + strings.Join(parts, "; ")
}

// Unwrap returns the Invalid *platform.Error for the API.
func (e *LoadError) Unwrap() error {
	return platform.Errorf(platform.Invalid, "%s", e.Error())
}

// FS returns the bundle's files, paths relative to the bundle root.
func (b *Bundle) FS() fs.FS { return b.files }

// Files lists the paths of the bundle's files, sorted.
func (b *Bundle) Files() []string {
	out := make([]string, 0, len(b.files.files))
	for p := range b.files.files {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Manifests returns the bundle's manifests: the infrastructure one, then the pipeline one
// when there is one.
func (b *Bundle) Manifests() []*Manifest {
	out := []*Manifest{b.Infrastructure}
	if b.Pipeline != nil {
		out = append(out, b.Pipeline)
	}
	return out
}

// Load checks files (slash-separated paths relative to the bundle root, e.g.
// "schema/schema.yaml") against Proton's rules and limits and returns the bundle. Errors
// are *LoadError values listing every problem found, each naming the file and, for YAML,
// the line.
func Load(files map[string][]byte, limits Limits) (*Bundle, error) {
	l := &loader{files: files, limits: limits}
	b := l.load()
	if len(l.problems) > 0 {
		return nil, &LoadError{Problems: l.problems}
	}
	return b, nil
}

type loader struct {
	files    map[string][]byte
	limits   Limits
	problems []Problem
}

func (l *loader) problem(file string, line int, format string, args ...any) {
	l.problems = append(l.problems, Problem{File: file, Line: line, Message: fmt.Sprintf(format, args...)})
}

// has reports whether some file lies in dir.
func (l *loader) has(dir string) bool {
	for p := range l.files {
		if strings.HasPrefix(p, dir+"/") {
			return true
		}
	}
	return false
}

func (l *loader) load() *Bundle {
	l.checkLimits()
	b := &Bundle{files: memFS{files: l.files}}
	hasEnv, hasInst := l.has(EnvironmentDir), l.has(InstanceDir)
	switch {
	case hasEnv && hasInst:
		l.problem("", 0, "bundle holds both %s/ (environment) and %s/ (service); keep one", EnvironmentDir, InstanceDir)
		return nil
	case hasEnv:
		b.Kind = Environment
		if l.has(PipelineDir) {
			l.problem(PipelineDir+"/", 0, "an environment bundle cannot have a pipeline")
		}
	case hasInst:
		b.Kind = Service
	default:
		l.problem("", 0, "bundle has neither %s/ (environment template) nor %s/ (service template)", EnvironmentDir, InstanceDir)
	}
	b.Schema = l.loadSchema(b.Kind)
	switch b.Kind {
	case Environment:
		b.Infrastructure = l.loadManifest(EnvironmentDir)
	case Service:
		b.Infrastructure = l.loadManifest(InstanceDir)
		if l.has(PipelineDir) {
			b.Pipeline = l.loadManifest(PipelineDir)
		}
		b.Registration = l.loadRegistration()
	}
	l.checkFileCount(b)
	return b
}

// checkFileCount refuses more files than the limit of b's kind of bundle: Limits.Files for
// templates Gantry renders, Limits.RunFiles when every manifest runs the bundle's files.
func (l *loader) checkFileCount(b *Bundle) {
	limit, what := l.limits.Files, ""
	runs := b.Infrastructure != nil
	for _, m := range b.Manifests() {
		if m == nil || m.Engine() == platform.EngineCloudFormation {
			runs = false
		}
	}
	if runs && l.limits.RunFiles > limit {
		limit, what = l.limits.RunFiles, " for a bundle that runs its files (codebuild, hcl)"
	}
	if len(l.files) <= limit {
		return
	}
	names := make([]string, 0, len(l.files))
	for p := range l.files {
		names = append(names, p)
	}
	sort.Strings(names)
	if len(names) > 20 {
		names = append(names[:20], fmt.Sprintf("and %d more", len(l.files)-20))
	}
	l.problem("", 0, "bundle has %d files; the limit is %d%s (%s)", len(l.files), limit, what, strings.Join(names, ", "))
}

func (l *loader) checkLimits() {
	var total int64
	for _, data := range l.files {
		total += int64(len(data))
	}
	if total > l.limits.BundleBytes {
		l.problem("", 0, "bundle is %s; the limit is %s", size(total), size(l.limits.BundleBytes))
	}
}

func (l *loader) checkSize(file string, limit int64, what string) bool {
	if n := int64(len(l.files[file])); n > limit {
		l.problem(file, 0, "%s is %s; the limit is %s", what, size(n), size(limit))
		return false
	}
	return true
}

var lineOfMessage = regexp.MustCompile(`^line (\d+): `)

// splitLine takes a leading "line N: " off a message.
func splitLine(msg string) (int, string) {
	m := lineOfMessage.FindStringSubmatch(msg)
	if m == nil {
		return 0, msg
	}
	n, _ := strconv.Atoi(m[1])
	return n, msg[len(m[0]):]
}

func (l *loader) loadSchema(kind Kind) *schema.Schema {
	data, ok := l.files[SchemaFile]
	if !ok {
		l.problem(SchemaFile, 0, "missing: every bundle needs a schema")
		return nil
	}
	if !l.checkSize(SchemaFile, l.limits.SchemaBytes, "schema") {
		return nil
	}
	s, err := schema.Parse(data)
	if err != nil {
		line, msg := splitLine(platform.MessageOf(err))
		l.problem(SchemaFile, line, "%s", msg)
		return nil
	}
	switch kind {
	case Environment:
		if _, _, ok := s.InputType(schema.EnvironmentInputs); !ok {
			if _, _, svc := s.InputType(schema.ServiceInputs); svc {
				l.problem(SchemaFile, 0, "declares service_input_type, but the bundle keeps its templates in %s/, an environment template's folder: "+
					"a service template uses %s/ and %s/ (this looks like a bundle for the Proton preview)", EnvironmentDir, InstanceDir, PipelineDir)
				return s
			}
			l.problem(SchemaFile, 0, "an environment template's schema must declare environment_input_type")
		}
	case Service:
		if _, _, ok := s.InputType(schema.ServiceInputs); !ok {
			l.problem(SchemaFile, 0, "a service template's schema must declare service_input_type")
		}
		if _, _, ok := s.InputType(schema.PipelineInputs); ok && !l.has(PipelineDir) {
			l.problem(SchemaFile, 0, "schema declares pipeline_input_type but the bundle has no %s/", PipelineDir)
		}
	}
	return s
}

func (l *loader) loadRegistration() Registration {
	var r Registration
	if data, ok := l.files[RegistrationFile]; ok {
		reg, problems := parseRegistration(data)
		for _, p := range problems {
			p.File = RegistrationFile
			l.problems = append(l.problems, p)
		}
		r = reg
	}
	if data, ok := l.files[LegacyCompatibleEnvsFile]; ok {
		for i, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			ref, err := parseEnvironmentRef(line)
			if err != nil {
				l.problem(LegacyCompatibleEnvsFile, i+1, "%v", err)
				continue
			}
			if !slices.Contains(r.CompatibleEnvironments, ref) {
				r.CompatibleEnvironments = append(r.CompatibleEnvironments, ref)
			}
		}
	}
	return r
}

// parseEnvironmentRef reads "name:major".
func parseEnvironmentRef(s string) (EnvironmentRef, error) {
	name, major, ok := strings.Cut(s, ":")
	n, err := strconv.Atoi(major)
	if !ok || err != nil || n < 1 || schema.ValidateName("", name) != nil {
		return EnvironmentRef{}, fmt.Errorf("%q is not an environment template and major version (name:major, e.g. my-env:1)", s)
	}
	return EnvironmentRef{Template: name, Major: n}, nil
}

// size writes n bytes in the unit Proton's limits use.
func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KB", n>>10)
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
