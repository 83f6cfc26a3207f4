// Package engine puts the Proton template engine — bundles (package bundle), schemas and
// specs (schema), Proton's namespaces (rendercontext) and the Jinja renderer (render) —
// behind the two small interfaces its users declare: control.TemplateEngine (checking
// bundles at registration, validating specs) and workflow.Renderer (rendering a bundle for
// a deployment).
package engine

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/gantry-platform/gantry/internal/bundle"
	"github.com/gantry-platform/gantry/internal/bundlecheck"
	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/render"
	"github.com/gantry-platform/gantry/internal/rendercontext"
	"github.com/gantry-platform/gantry/internal/schema"
	"github.com/gantry-platform/gantry/internal/terraform"
	"github.com/gantry-platform/gantry/internal/workflow"
)

// Engine is the template engine. Build it with New; it is safe for concurrent use.
type Engine struct {
	renderer *render.Engine
	// bundles and schemas keep the bundles rendered and the schemas validated against by
	// their content: a fleet preview renders one bundle and validates against one schema
	// for each of its targets.
	bundles loaded[*bundle.Bundle]
	schemas loaded[*schema.Schema]
}

var (
	_ control.TemplateEngine = (*Engine)(nil)
	_ workflow.Renderer      = (*Engine)(nil)
)

// New returns an Engine rendering with r.
func New(r *render.Engine) *Engine { return &Engine{renderer: r} }

func bundleKind(k platform.TemplateKind) bundle.Kind {
	if k == platform.EnvironmentTemplate {
		return bundle.Environment
	}
	return bundle.Service
}

// load reads a .tar.gz bundle and checks it is of kind.
func (e *Engine) load(kind platform.TemplateKind, archive []byte) (*bundle.Bundle, error) {
	b, err := bundle.LoadTarGz(bytes.NewReader(archive), bundle.ProtonLimits)
	if err != nil {
		return nil, err
	}
	return b, checkKind(kind, b)
}

// loadToRender is load for rendering: a bundle is loaded once for every render of the
// same archive (rendering only reads it).
func (e *Engine) loadToRender(kind platform.TemplateKind, archive []byte) (*bundle.Bundle, error) {
	b, err := e.bundles.get(archive, func() (*bundle.Bundle, error) {
		return bundle.LoadTarGz(bytes.NewReader(archive), bundle.ProtonLimits)
	})
	if err != nil {
		return nil, err
	}
	return b, checkKind(kind, b)
}

// checkKind is Invalid when b is not a bundle of kind.
func checkKind(kind platform.TemplateKind, b *bundle.Bundle) error {
	if b.Kind != bundleKind(kind) {
		want := map[bundle.Kind]string{bundle.Environment: "schema/ and infrastructure/", bundle.Service: "schema/ and instance_infrastructure/"}
		return platform.Errorf(platform.Invalid, "invalid bundle: this is a %s template bundle, but a %s template needs %s",
			b.Kind, bundleKind(kind), want[bundleKind(kind)])
	}
	return nil
}

// InspectBundle implements control.TemplateEngine: it runs the checks `gantry validate`
// runs (package bundlecheck), so that the API accepts no bundle the CLI rejects.
func (e *Engine) InspectBundle(ctx context.Context, kind platform.TemplateKind, archive []byte) (control.BundleFacts, error) {
	res, err := bundlecheck.Check(ctx, func() (*bundle.Bundle, error) { return e.load(kind, archive) }, bundlecheck.Options{Renderer: e.renderer})
	if err == nil {
		err = res.Err()
	}
	if err != nil {
		return control.BundleFacts{}, err
	}
	b := res.Bundle
	schemaText, err := b.FS().(interface{ ReadFile(string) ([]byte, error) }).ReadFile(bundle.SchemaFile)
	if err != nil {
		return control.BundleFacts{}, err
	}
	sum := sha256.Sum256(archive)
	facts := control.BundleFacts{Schema: string(schemaText), HasPipeline: b.Pipeline != nil, Digest: hex.EncodeToString(sum[:]),
		Engine: b.Infrastructure.Engine()}
	if b.Pipeline != nil {
		facts.PipelineEngine = b.Pipeline.Engine()
	}
	facts.SupportedComponentSources = append(facts.SupportedComponentSources, b.Registration.SupportedComponentSources...)
	for _, c := range b.Registration.CompatibleEnvironments {
		facts.CompatibleEnvironments = append(facts.CompatibleEnvironments, platform.CompatibleEnvironment{TemplateName: c.Template, MajorVersion: c.Major})
	}
	return facts, nil
}

// parseSchema parses a stored schema, once for every validation against the same text
// (validating only reads it); it was checked at registration, so a failure here is
// internal.
func (e *Engine) parseSchema(text string) (*schema.Schema, error) {
	s, err := e.schemas.get([]byte(text), func() (*schema.Schema, error) { return schema.Parse([]byte(text)) })
	if err != nil {
		return nil, fmt.Errorf("stored schema does not parse: %w", err)
	}
	return s, nil
}

// EnvironmentInputs implements control.TemplateEngine.
func (e *Engine) EnvironmentInputs(schemaText, specText string) (json.RawMessage, error) {
	s, err := e.parseSchema(schemaText)
	if err != nil {
		return nil, err
	}
	spec, err := schema.ParseSpec([]byte(specText))
	if err != nil {
		return nil, prefixField("spec", err)
	}
	if spec.Proton != schema.EnvironmentSpec {
		return nil, platform.FieldErrorf("spec", "must be a proton: EnvironmentSpec document, not %s", spec.Proton)
	}
	valid, err := s.ValidateSpec(spec)
	if err != nil {
		return nil, err
	}
	return json.Marshal(valid.Inputs)
}

// ServiceInputs implements control.TemplateEngine.
func (e *Engine) ServiceInputs(schemaText, specText string, withPipeline bool) (control.ServiceInputs, error) {
	s, err := e.parseSchema(schemaText)
	if err != nil {
		return control.ServiceInputs{}, err
	}
	spec, err := schema.ParseSpec([]byte(specText))
	if err != nil {
		return control.ServiceInputs{}, prefixField("spec", err)
	}
	if spec.Proton != schema.ServiceSpec {
		return control.ServiceInputs{}, platform.FieldErrorf("spec", "must be a proton: ServiceSpec document, not %s", spec.Proton)
	}
	valid, err := s.ValidateSpec(spec)
	if err != nil {
		return control.ServiceInputs{}, err
	}
	var out control.ServiceInputs
	if withPipeline {
		pipeline := valid.Pipeline
		if pipeline == nil {
			if pipeline, err = s.Validate(schema.PipelineInputs, nil, "spec.pipeline"); err != nil {
				return out, err
			}
		}
		if out.Pipeline, err = json.Marshal(pipeline); err != nil {
			return out, err
		}
	}
	for i, inst := range valid.Instances {
		inputs, err := json.Marshal(inst.Inputs)
		if err != nil {
			return out, err
		}
		own, err := instanceSpecYAML(spec.Instances[i].Inputs)
		if err != nil {
			return out, err
		}
		out.Instances = append(out.Instances, control.InstanceInputs{Name: inst.Name, Environment: inst.Environment, Spec: own, Inputs: inputs})
	}
	return out, nil
}

// InstanceInputs implements control.TemplateEngine.
func (e *Engine) InstanceInputs(schemaText, specText, instance string) (json.RawMessage, error) {
	s, err := e.parseSchema(schemaText)
	if err != nil {
		return nil, err
	}
	inputs, err := schema.ParseInstanceSpec([]byte(specText), instance)
	if err != nil {
		return nil, prefixField("spec", err)
	}
	valid, err := s.Validate(schema.ServiceInputs, inputs, "spec")
	if err != nil {
		return nil, err
	}
	return json.Marshal(valid)
}

// prefixField puts field before an Invalid error's field path.
func prefixField(field string, err error) error {
	if pe, ok := err.(*platform.Error); ok && pe.Kind == platform.Invalid {
		copy := *pe
		if copy.Field == "" {
			copy.Field = field
		} else if !strings.HasPrefix(copy.Field, field) {
			copy.Field = field + "." + copy.Field
		}
		return &copy
	}
	return err
}

// instanceSpecYAML writes one instance's inputs as the instance spec document
// ("spec:" mapping) that UpdateServiceInstance accepts.
func instanceSpecYAML(inputs *render.Map) (string, error) {
	if inputs == nil {
		inputs = render.NewMap()
	}
	doc := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Value: "spec"}, toNode(inputs)}}
	out, err := yaml.Marshal(doc)
	return string(out), err
}

// toNode converts a render value to a YAML node, keeping key order.
func toNode(v any) *yaml.Node {
	switch v := v.(type) {
	case *render.Map:
		n := &yaml.Node{Kind: yaml.MappingNode}
		for _, k := range v.Keys() {
			val, _ := v.Get(k)
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, toNode(val))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode}
		for _, item := range v {
			n.Content = append(n.Content, toNode(item))
		}
		return n
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	case string:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(v)}
	case json.Number:
		return &yaml.Node{Kind: yaml.ScalarNode, Value: v.String()}
	default:
		return &yaml.Node{Kind: yaml.ScalarNode, Value: fmt.Sprint(v)}
	}
}

// Render implements workflow.Renderer.
func (e *Engine) Render(ctx context.Context, archive []byte, kind platform.TargetKind, data workflow.RenderData) ([]byte, error) {
	tkind := platform.ServiceTemplate
	if kind == platform.EnvironmentTarget {
		tkind = platform.EnvironmentTemplate
	}
	if kind == platform.ComponentTarget {
		return e.renderComponent(ctx, data)
	}
	b, err := e.loadToRender(tkind, archive)
	if err != nil {
		return nil, err
	}
	var files []bundle.RenderedFile
	switch kind {
	case platform.EnvironmentTarget:
		inputs, err := decodeInputs(data.Environment.Inputs)
		if err != nil {
			return nil, err
		}
		files, err = b.RenderInfrastructure(ctx, e.renderer, rendercontext.ForEnvironment(data.Environment.Name, inputs))
		if err != nil {
			return nil, err
		}
	case platform.ServiceInstanceTarget:
		inputs, err := decodeInputs(data.Instance.Inputs)
		if err != nil {
			return nil, err
		}
		inst := rendercontext.ServiceInstance{Name: data.Instance.Name, Inputs: inputs, Environment: environment(data.Environment)}
		if c := data.Instance.Component; c != nil {
			inst.Component = &rendercontext.Component{Name: c.Name, Outputs: c.Outputs}
		}
		files, err = b.RenderInfrastructure(ctx, e.renderer, rendercontext.ForServiceInstance(service(data.Service), inst))
		if err != nil {
			return nil, err
		}
	default:
		inputs, err := decodeInputs(data.Pipeline.Inputs)
		if err != nil {
			return nil, err
		}
		var instances []rendercontext.ServiceInstance
		for _, pi := range data.Pipeline.Instances {
			in, err := decodeInputs(pi.Inputs)
			if err != nil {
				return nil, err
			}
			instances = append(instances, rendercontext.ServiceInstance{Name: pi.Name, Inputs: in, Outputs: pi.Outputs, Environment: environment(pi.Environment)})
		}
		files, err = b.RenderPipeline(ctx, e.renderer, rendercontext.ForPipeline(service(data.Service), inputs, instances))
		if err != nil {
			return nil, err
		}
	}
	if len(files) != 1 {
		return nil, platform.Errorf(platform.Invalid, "the manifest lists %d templates; Gantry deploys one CloudFormation template per manifest", len(files))
	}
	if files[0].Template.TemplateLanguage != "" && files[0].Template.TemplateLanguage != "cloudformation" {
		return nil, platform.Errorf(platform.Invalid, "%s: template language %s is not supported yet", files[0].Path, files[0].Template.TemplateLanguage)
	}
	return []byte(files[0].Content), nil
}

// renderComponent renders a directly defined component's template file with Proton's
// component context.
func (e *Engine) renderComponent(ctx context.Context, data workflow.RenderData) ([]byte, error) {
	t, err := bundle.ParseComponentManifest(data.Component.Manifest)
	if err != nil {
		return nil, err
	}
	inputs, err := decodeInputs(data.Instance.Inputs)
	if err != nil {
		return nil, err
	}
	inst := rendercontext.ServiceInstance{Name: data.Instance.Name, Inputs: inputs, Environment: environment(data.Environment)}
	f, err := bundle.RenderComponent(ctx, e.renderer, t, data.Component.TemplateFile,
		rendercontext.ForComponent(data.Component.Name, service(data.Service), inst))
	if err != nil {
		return nil, err
	}
	return []byte(f.Content), nil
}

// CheckComponent implements control.TemplateEngine: a Terraform component's template
// file is parsed with HCL (a file it cannot parse passes, as in a bundle; one declaring
// Proton's own variables does not).
func (e *Engine) CheckComponent(manifest, templateFile string) (platform.Engine, error) {
	t, err := bundle.ParseComponentManifest(manifest)
	if err != nil {
		return "", err
	}
	switch {
	case templateFile == "":
		return "", platform.FieldErrorf("templateFile", "is required")
	case len(templateFile) > bundle.MaxComponentTemplateFile:
		return "", platform.FieldErrorf("templateFile", "is %d characters; the limit is %d", len(templateFile), bundle.MaxComponentTemplateFile)
	}
	if t.Engine() == platform.EngineTerraform {
		if problems := terraform.Parse(".", map[string][]byte{t.File: []byte(templateFile)}).CheckComponent(); len(problems) > 0 {
			return "", platform.FieldErrorf("templateFile", "%s", problems[0])
		}
	}
	return t.Engine(), nil
}

func decodeInputs(raw json.RawMessage) (*render.Map, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return render.NewMap(), nil
	}
	v, err := render.DecodeJSON(raw)
	if err != nil {
		return nil, err
	}
	m, ok := v.(*render.Map)
	if !ok {
		return nil, fmt.Errorf("stored inputs are not a JSON object")
	}
	return m, nil
}

func environment(e workflow.EnvironmentData) rendercontext.Environment {
	return rendercontext.Environment{Name: e.Name, AccountID: e.AccountID, Outputs: e.Outputs, CustomerManaged: e.CustomerManaged}
}

func service(s workflow.ServiceData) rendercontext.Service {
	return rendercontext.Service{Name: s.Name, BranchName: s.BranchName,
		RepositoryConnectionARN: s.RepositoryConnectionARN, RepositoryID: s.RepositoryID}
}
