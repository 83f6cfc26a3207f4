// Package bundlecheck is the one check of a template bundle: what `gantry validate` runs on
// a folder or archive and what registration (CreateEnvironmentTemplateVersion,
// CreateServiceTemplateVersion) runs on an uploaded archive, so that a bundle the CLI
// rejects is never accepted by the API. It checks the layout, limits, manifests and
// schema (package bundle), that every template uses a supported rendering engine, then
// renders every template with the schema's defaults (a required input without a default
// gets a placeholder of its type) and checks each rendered CloudFormation template
// against the resource specification.
package bundlecheck

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gantry-platform/gantry/internal/bundle"
	"github.com/gantry-platform/gantry/internal/cfnspec"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/render"
	"github.com/gantry-platform/gantry/internal/schema"
	"github.com/gantry-platform/gantry/internal/templatetest"
)

// Options tune Check. Zero values take defaults.
type Options struct {
	// Renderer renders templates; default render.New(render.Options{}).
	Renderer bundle.Renderer
	// Checker checks rendered CloudFormation; default cfnspec.Load().
	Checker bundle.TemplateChecker
	// Fixture supplies what rendering needs besides the spec (environment outputs …).
	Fixture templatetest.Fixture
}

// Result is what Check found. Problems are the reasons to reject the bundle, one a line
// ("file:line: [logical id:] message"; a rendered template's file says "(rendered)" and its
// lines are lines of the rendering); Warnings and Notes are for the author only.
type Result struct {
	// Bundle is the loaded bundle, nil when it did not load.
	Bundle   *bundle.Bundle
	Problems []string
	Warnings []string
	Notes    []string
}

// Err returns nil when the bundle has no problem, else an Invalid *platform.Error listing
// them ("invalid bundle: p1; p2").
func (r Result) Err() error {
	if len(r.Problems) == 0 {
		return nil
	}
	return platform.Errorf(platform.Invalid, "invalid bundle: %s", strings.Join(r.Problems, "; "))
}

// Check loads a bundle with load and checks it. A bundle that does not load (a
// *bundle.LoadError) is a Result with its problems; any other load failure, or a
// failure to load the resource specification, is the error.
func Check(ctx context.Context, load func() (*bundle.Bundle, error), opts Options) (Result, error) {
	var res Result
	b, err := load()
	if err != nil {
		var le *bundle.LoadError
		if !errors.As(err, &le) {
			return res, err
		}
		for _, p := range le.Problems {
			res.Problems = append(res.Problems, p.String())
		}
		return res, nil
	}
	res.Bundle = b
	for _, w := range b.Schema.Lint() {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%s: %s", bundle.SchemaFile, w))
	}
	spec, notes := sampleSpec(b)
	res.Notes = notes
	for _, m := range b.Manifests() {
		res.Problems = append(res.Problems, engineProblems(m)...)
	}
	problems, warnings := terraformProblems(b)
	res.Problems, res.Warnings = append(res.Problems, problems...), append(res.Warnings, warnings...)
	if len(res.Problems) > 0 {
		return res, nil
	}
	renderer := opts.Renderer
	if renderer == nil {
		renderer = render.New(render.Options{})
	}
	files, err := templatetest.RenderSpec(ctx, renderer, b, spec, opts.Fixture)
	if err != nil {
		res.Problems = append(res.Problems, platform.MessageOf(err))
		return res, nil
	}
	checker := opts.Checker
	if checker == nil {
		spec, err := cfnspec.Load()
		if err != nil {
			return res, fmt.Errorf("load the CloudFormation resource specification: %w", err)
		}
		checker = spec
	}
	for _, f := range files {
		for _, p := range bundle.CheckRendered(checker, f.Rendered) {
			p.File += " (rendered)"
			res.Problems = append(res.Problems, p.String())
		}
	}
	return res, nil
}

// engineProblems are the reasons manifest m cannot be provisioned here, each naming the
// manifest line and what is supported: jinja templates (CloudFormation, any number), one
// codebuild entry with settings.provision commands, alone in its manifest, or hcl templates
// in template_language terraform (self-managed provisioning).
func engineProblems(m *bundle.Manifest) []string {
	var problems []string
	where := func(t bundle.Template) string { return fmt.Sprintf("%s/%s:%d", m.Dir, bundle.ManifestName, t.Line) }
	for _, t := range m.Templates {
		switch t.RenderingEngine {
		case bundle.EngineJinja:
			if lang := t.TemplateLanguage; lang != "" && lang != "cloudformation" {
				problems = append(problems, fmt.Sprintf("%s: template_language %q with rendering_engine jinja is not supported: "+
					"jinja renders CloudFormation templates (template_language cloudformation)", where(t), lang))
			}
		case bundle.EngineHCL:
			if lang := t.TemplateLanguage; lang != "terraform" {
				problems = append(problems, fmt.Sprintf("%s: rendering_engine hcl needs template_language terraform, not %q: "+
					"Gantry provisions hcl bundles as self-managed Terraform (a pull request on the provisioning repository)", where(t), lang))
			}
		case bundle.EngineCodeBuild:
			if len(m.Templates) > 1 {
				problems = append(problems, fmt.Sprintf("%s: a codebuild entry must be the manifest's only one (it lists %d): "+
					"its commands provision the whole folder", where(t), len(m.Templates)))
			}
		default:
			problems = append(problems, fmt.Sprintf("%s: rendering_engine %q (template_language %q) is not supported: "+
				"supported are jinja with CloudFormation templates, codebuild with settings.provision commands, and hcl with terraform",
				where(t), t.RenderingEngine, t.TemplateLanguage))
		}
	}
	return problems
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
