package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/gantry-platform/gantry/internal/bundle"
	"github.com/gantry-platform/gantry/internal/render"
	"github.com/gantry-platform/gantry/internal/schema"
	"github.com/gantry-platform/gantry/internal/templatetest"
)

const renderUsage = `usage:
  gantry render --template-dir DIR --template FILE --context CONTEXT.json
  gantry render --bundle DIR|FILE.tar.gz --spec SPEC.yaml [--env-outputs FILE.json]
                [--instance NAME] [--name NAME] --out DIR

The first form renders one template with a raw context (JSON holding the Proton
namespaces, e.g. {"environment": {"name": ..., "inputs": {...}}}) and writes exactly
the rendered text to stdout.

The second form validates the spec against the bundle's schema (defaults applied),
builds Proton's context for each template and renders the whole bundle under --out:

  OUT/environment/<template>   an environment spec (proton: EnvironmentSpec)
  OUT/<instance>/<template>    each instance of a service spec (proton: ServiceSpec),
                               or only --instance
  OUT/pipeline/<template>      the service's pipeline, when the bundle has one

--env-outputs is a flat JSON object of output name to value: the outputs of the
environment every instance runs in. --name names the environment of an environment
spec or the service of a service spec (defaults: my-environment, my-service); the
account id is 123456789012. Nothing is written unless everything renders.

flags:
`

func runRender(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	templateDir := fs.String("template-dir", "", "folder the template and its includes are loaded from")
	template := fs.String("template", "", "template file, relative to --template-dir")
	contextFile := fs.String("context", "", "JSON file holding the render context")
	bundleDir := fs.String("bundle", "", "bundle folder or .tar.gz")
	specFile := fs.String("spec", "", "spec file (EnvironmentSpec or ServiceSpec)")
	envOutputs := fs.String("env-outputs", "", "JSON file of the environment's outputs (service specs)")
	instance := fs.String("instance", "", "render only this service instance (and the pipeline)")
	name := fs.String("name", "", "name of the environment (environment spec) or service (service spec)")
	out := fs.String("out", "", "output folder")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), renderUsage)
		fs.PrintDefaults()
	}
	positional, code, done := parseFlags(fs, args, stderr)
	if done {
		return code
	}
	if len(positional) > 0 {
		return usageError(fs, stderr, "unexpected argument %q", positional[0])
	}
	raw := *templateDir != "" || *template != "" || *contextFile != ""
	whole := *bundleDir != "" || *specFile != "" || *out != "" || *envOutputs != "" || *instance != "" || *name != ""
	switch {
	case raw && whole:
		return usageError(fs, stderr, "--template-dir/--template/--context and --bundle/--spec/--out are two different forms")
	case raw:
		if *templateDir == "" || *template == "" || *contextFile == "" {
			return usageError(fs, stderr, "--template-dir, --template and --context are all required")
		}
		return renderTemplate(ctx, *templateDir, *template, *contextFile, stdout, stderr)
	case whole:
		if *bundleDir == "" || *specFile == "" || *out == "" {
			return usageError(fs, stderr, "--bundle, --spec and --out are all required")
		}
		return renderBundle(ctx, bundleArgs{bundle: *bundleDir, spec: *specFile, envOutputs: *envOutputs,
			instance: *instance, name: *name, out: *out}, stdout, stderr)
	}
	return usageError(fs, stderr, "nothing to render")
}

func renderTemplate(ctx context.Context, dir, name, contextFile string, stdout, stderr io.Writer) int {
	data, err := os.ReadFile(contextFile)
	if err != nil {
		fmt.Fprintf(stderr, "gantry render: %v\n", err)
		return exitProblems
	}
	v, err := render.DecodeJSON(data)
	if err != nil {
		fmt.Fprintf(stderr, "gantry render: %s: %v\n", contextFile, err)
		return exitProblems
	}
	m, ok := v.(*render.Map)
	if !ok {
		fmt.Fprintf(stderr, "gantry render: %s: the context must be a JSON object\n", contextFile)
		return exitProblems
	}
	text, err := render.New(render.Options{}).Render(ctx, os.DirFS(dir), name, m)
	if err != nil {
		fmt.Fprintf(stderr, "gantry render: %v\n", err)
		return exitProblems
	}
	if _, err := io.WriteString(stdout, text); err != nil {
		fmt.Fprintf(stderr, "gantry render: %v\n", err)
		return exitProblems
	}
	return exitOK
}

type bundleArgs struct {
	bundle, spec, envOutputs, instance, name, out string
}

func renderBundle(ctx context.Context, a bundleArgs, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "gantry render: %v\n", err)
		return exitProblems
	}
	b, err := bundle.Open(a.bundle, bundle.ProtonLimits)
	if err != nil {
		return fail(err)
	}
	specData, err := os.ReadFile(a.spec)
	if err != nil {
		return fail(err)
	}
	spec, err := schema.ParseSpec(specData)
	if err != nil {
		return fail(fmt.Errorf("%s: %w", a.spec, err))
	}
	fixture := templatetest.Fixture{Instance: a.instance}
	if spec.Proton == schema.EnvironmentSpec {
		fixture.EnvironmentName = a.name
	} else {
		fixture.ServiceName = a.name
	}
	if a.envOutputs != "" {
		data, err := os.ReadFile(a.envOutputs)
		if err != nil {
			return fail(err)
		}
		if fixture.EnvironmentOutputs, err = templatetest.EnvironmentOutputs(data); err != nil {
			return fail(fmt.Errorf("%s: %w", a.envOutputs, err))
		}
	}
	files, err := templatetest.RenderSpec(ctx, render.New(render.Options{}), b, spec, fixture)
	if err != nil {
		return fail(err)
	}
	if err := templatetest.WriteFiles(a.out, files); err != nil {
		return fail(err)
	}
	for _, f := range files {
		fmt.Fprintf(stdout, "wrote %s\n", filepath.Join(a.out, filepath.FromSlash(f.Path)))
	}
	return exitOK
}
