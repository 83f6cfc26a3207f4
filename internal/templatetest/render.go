package templatetest

import (
	"context"
	"fmt"
	"path"

	"github.com/gantry-platform/gantry/internal/bundle"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/render"
	"github.com/gantry-platform/gantry/internal/rendercontext"
	"github.com/gantry-platform/gantry/internal/schema"
)

// The names a local render gives what a spec file does not name.
const (
	DefaultEnvironmentName = "my-environment"
	DefaultServiceName     = "my-service"
	DefaultAccountID       = "123456789012"
)

// Output folders (see RenderSpec).
const (
	EnvironmentFolder = "environment"
	PipelineFolder    = "pipeline"
)

// Fixture is what a local render supplies in place of deployed resources.
type Fixture struct {
	// EnvironmentName names the environment of an EnvironmentSpec (DefaultEnvironmentName
	// when empty); a ServiceSpec names each instance's environment itself.
	EnvironmentName string
	// ServiceName names the service of a ServiceSpec (DefaultServiceName when empty).
	ServiceName string
	// AccountID is every environment's account (DefaultAccountID when empty).
	AccountID string
	// EnvironmentOutputs are the outputs of every environment a service instance runs in.
	EnvironmentOutputs []platform.Output
	// Instance, when set, renders only that service instance (the pipeline still sees
	// every instance).
	Instance string
}

// File is one rendered file: Path is where it goes under an output folder.
type File struct {
	Path    string
	Content string
	// Rendered is the template's rendering, with its bundle path, for checks.
	Rendered bundle.RenderedFile
}

// RenderSpec validates spec against the bundle's schema (defaults applied), builds the
// Proton context for each template with fixture, and renders the whole bundle. The files
// come out as:
//
//	environment/<template file>   an EnvironmentSpec's infrastructure templates
//	<instance>/<template file>    each instance of a ServiceSpec
//	pipeline/<template file>      the pipeline of a ServiceSpec, when the bundle has one
//
// Errors: Invalid *platform.Error for a spec of the wrong kind or with bad inputs (the field
// named), an instance name that collides with the pipeline folder, an unknown
// fixture.Instance, or a template that fails to render (file and line named).
func RenderSpec(ctx context.Context, r bundle.Renderer, b *bundle.Bundle, spec *schema.Spec, fixture Fixture) ([]File, error) {
	valid, err := b.Schema.ValidateSpec(spec)
	if err != nil {
		return nil, err
	}
	envName := or(fixture.EnvironmentName, DefaultEnvironmentName)
	account := or(fixture.AccountID, DefaultAccountID)
	var files []File
	add := func(folder string, rendered []bundle.RenderedFile) {
		for _, f := range rendered {
			files = append(files, File{Path: path.Join(folder, f.Template.File), Content: f.Content, Rendered: f})
		}
	}
	switch {
	case b.Kind == bundle.Environment && valid.Proton == schema.EnvironmentSpec:
		rendered, err := b.RenderInfrastructure(ctx, r, rendercontext.ForEnvironment(envName, valid.Inputs))
		if err != nil {
			return nil, err
		}
		add(EnvironmentFolder, rendered)
	case b.Kind == bundle.Service && valid.Proton == schema.ServiceSpec:
		svc := rendercontext.Service{
			Name:                    or(fixture.ServiceName, DefaultServiceName),
			BranchName:              "main",
			RepositoryConnectionARN: "arn:aws:codestar-connections:us-east-1:" + account + ":connection/00000000-0000-0000-0000-000000000000",
			RepositoryID:            "example-org/example-repo",
		}
		var instances []rendercontext.ServiceInstance
		found := fixture.Instance == ""
		for i, in := range valid.Instances {
			if in.Name == PipelineFolder && b.Pipeline != nil {
				return nil, platform.FieldErrorf(fmt.Sprintf("instances[%d].name", i), "%q is the pipeline's output folder; rename the instance", in.Name)
			}
			inst := rendercontext.ServiceInstance{
				Name:        in.Name,
				Inputs:      in.Inputs,
				Environment: rendercontext.Environment{Name: in.Environment, AccountID: account, Outputs: fixture.EnvironmentOutputs},
			}
			instances = append(instances, inst)
			if fixture.Instance != "" && in.Name != fixture.Instance {
				continue
			}
			found = true
			rendered, err := b.RenderInfrastructure(ctx, r, rendercontext.ForServiceInstance(svc, inst))
			if err != nil {
				return nil, fmt.Errorf("instance %s: %w", in.Name, err)
			}
			add(in.Name, rendered)
		}
		if !found {
			return nil, platform.Errorf(platform.Invalid, "the spec has no instance named %q", fixture.Instance)
		}
		if b.Pipeline != nil {
			inputs := valid.Pipeline
			if inputs == nil {
				inputs = render.NewMap()
			}
			rendered, err := b.RenderPipeline(ctx, r, rendercontext.ForPipeline(svc, inputs, instances))
			if err != nil {
				return nil, fmt.Errorf("pipeline: %w", err)
			}
			add(PipelineFolder, rendered)
		}
	default:
		return nil, platform.FieldErrorf("proton", "a %s does not fit a %s template", spec.Proton, b.Kind)
	}
	return files, nil
}

func or(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// EnvironmentOutputs reads a flat JSON object of output key to value (strings; numbers
// and booleans are written as JSON writes them), keeping the file's order.
func EnvironmentOutputs(data []byte) ([]platform.Output, error) {
	v, err := render.DecodeJSON(data)
	if err != nil {
		return nil, platform.Errorf(platform.Invalid, "environment outputs: %v", err)
	}
	m, ok := v.(*render.Map)
	if !ok {
		return nil, platform.Errorf(platform.Invalid, "environment outputs: want a JSON object of output name to value")
	}
	out := make([]platform.Output, 0, m.Len())
	for _, k := range m.Keys() {
		x, _ := m.Get(k)
		switch x := x.(type) {
		case string:
			out = append(out, platform.Output{Key: k, Value: x})
		case nil, *render.Map, []any:
			return nil, platform.FieldErrorf(k, "environment output must be a string")
		default:
			out = append(out, platform.Output{Key: k, Value: fmt.Sprint(x)})
		}
	}
	return out, nil
}
