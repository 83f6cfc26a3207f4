package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gantry-platform/gantry/internal/bundle"
	"github.com/gantry-platform/gantry/internal/cfnspec"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/render"
	"github.com/gantry-platform/gantry/internal/schema"
	"github.com/gantry-platform/gantry/internal/templatetest"
)

const validateUsage = `usage: gantry validate --bundle DIR|FILE.tar.gz [--env-outputs FILE.json]

Checks a bundle as Proton would register it: layout, limits, manifests and schema;
then renders every template with the schema's defaults (a required input without a
default gets a placeholder of its type, and a note says so) and checks each rendered
CloudFormation template against the resource specification. Prints one problem per
line (file:line: [logical id:] message; lines of rendered templates are lines of the
rendering) and exits 1 when there is any. --env-outputs supplies the outputs of the
environment a service instance runs in (a flat JSON object), for templates that
need them to render.

flags:
`

func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	bundleDir := fs.String("bundle", "", "bundle folder or .tar.gz")
	envOutputs := fs.String("env-outputs", "", "JSON file of the environment's outputs (service templates)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), validateUsage)
		fs.PrintDefaults()
	}
	positional, code, done := parseFlags(fs, args, stderr)
	if done {
		return code
	}
	if len(positional) > 0 {
		return usageError(fs, stderr, "unexpected argument %q", positional[0])
	}
	if *bundleDir == "" {
		return usageError(fs, stderr, "--bundle is required")
	}
	var fixture templatetest.Fixture
	if *envOutputs != "" {
		data, err := os.ReadFile(*envOutputs)
		if err == nil {
			fixture.EnvironmentOutputs, err = templatetest.EnvironmentOutputs(data)
		}
		if err != nil {
			fmt.Fprintf(stderr, "gantry validate: %s: %v\n", *envOutputs, err)
			return exitProblems
		}
	}
	b, err := bundle.Open(*bundleDir, bundle.ProtonLimits)
	if err != nil {
		var le *bundle.LoadError
		if errors.As(err, &le) {
			for _, p := range le.Problems {
				fmt.Fprintln(stdout, p)
			}
			fmt.Fprintf(stdout, "%d problem(s)\n", len(le.Problems))
			return exitProblems
		}
		fmt.Fprintf(stderr, "gantry validate: %v\n", err)
		return exitProblems
	}
	for _, w := range b.Schema.Lint() {
		fmt.Fprintf(stdout, "warning: %s: %s\n", bundle.SchemaFile, w)
	}
	spec, notes := sampleSpec(b)
	for _, n := range notes {
		fmt.Fprintf(stdout, "note: %s\n", n)
	}
	var problems []string
	for _, m := range b.Manifests() {
		for _, t := range m.Templates {
			if t.RenderingEngine != bundle.EngineJinja {
				problems = append(problems, fmt.Sprintf("%s/%s:%d: rendering engine %q is not supported yet (only jinja)", m.Dir, bundle.ManifestName, t.Line, t.RenderingEngine))
			}
		}
	}
	if len(problems) > 0 {
		return report(stdout, problems)
	}
	files, err := templatetest.RenderSpec(ctx, render.New(render.Options{}), b, spec, fixture)
	if err != nil {
		return report(stdout, []string{platform.MessageOf(err)})
	}
	checker, err := cfnspec.Load()
	if err != nil {
		fmt.Fprintf(stderr, "gantry validate: load the CloudFormation resource specification: %v\n", err)
		return exitProblems
	}
	for _, f := range files {
		for _, p := range bundle.CheckRendered(checker, f.Rendered) {
			p.File += " (rendered)"
			problems = append(problems, p.String())
		}
	}
	return report(stdout, problems)
}

func report(stdout io.Writer, problems []string) int {
	for _, p := range problems {
		fmt.Fprintln(stdout, p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(stdout, "%d problem(s)\n", len(problems))
		return exitProblems
	}
	fmt.Fprintln(stdout, "ok")
	return exitOK
}

// sampleSpec is a spec that renders b with its schema's defaults: one instance, and the
// pipeline, for a service. notes say which inputs got placeholders.
func sampleSpec(b *bundle.Bundle) (*schema.Spec, []string) {
	var notes []string
	inputs := func(kind schema.InputKind, prefix string) *render.Map {
		in, filled := b.Schema.SampleInputs(kind)
		for _, f := range filled {
			v, _ := in.Get(strings.SplitN(f, ".", 2)[0])
			notes = append(notes, fmt.Sprintf("%s.%s is required and has no default: rendered with the placeholder %s", prefix, f, placeholderText(v, f)))
		}
		return in
	}
	if b.Kind == bundle.Environment {
		return &schema.Spec{Proton: schema.EnvironmentSpec, Inputs: inputs(schema.EnvironmentInputs, "spec")}, notes
	}
	spec := &schema.Spec{Proton: schema.ServiceSpec, Instances: []schema.InstanceSpec{{
		Name: "instance", Environment: templatetest.DefaultEnvironmentName, Inputs: inputs(schema.ServiceInputs, "instances[0].spec"),
	}}}
	if b.Pipeline != nil {
		spec.Pipeline = inputs(schema.PipelineInputs, "pipeline")
	}
	return spec, notes
}

// placeholderText shows a top-level placeholder value; nested ones are named only.
func placeholderText(v any, field string) string {
	if strings.Contains(field, ".") {
		return "of its type"
	}
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(v)
}
