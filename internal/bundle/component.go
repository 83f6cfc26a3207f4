package bundle

import (
	"context"
	"fmt"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/render"
)

// Proton's limits on a directly defined component's sources.
const (
	MaxComponentManifest     = 1024
	MaxComponentTemplateFile = 51200
)

// ParseComponentManifest parses the manifest of a directly defined component (Proton's
// CreateComponent manifest field, the shape of a bundle's manifest.yaml) and returns its
// one template. Invalid errors name the field "manifest" and the line; a component has
// exactly one template: CloudFormation rendered by jinja, or Terraform (rendering_engine
// hcl, template_language terraform) for a self-managed environment's repository.
func ParseComponentManifest(manifest string) (Template, error) {
	if len(manifest) > MaxComponentManifest {
		return Template{}, platform.FieldErrorf("manifest", "is %d characters; the limit is %d", len(manifest), MaxComponentManifest)
	}
	m, problems := parseManifest(".", []byte(manifest))
	if len(problems) > 0 {
		p := problems[0]
		if p.Line > 0 {
			return Template{}, platform.FieldErrorf("manifest", "line %d: %s", p.Line, p.Message)
		}
		return Template{}, platform.FieldErrorf("manifest", "%s", p.Message)
	}
	if len(m.Templates) != 1 {
		return Template{}, platform.FieldErrorf("manifest", "lists %d templates; a component has exactly one", len(m.Templates))
	}
	t := m.Templates[0]
	switch t.RenderingEngine {
	case EngineJinja:
		if t.TemplateLanguage != "" && t.TemplateLanguage != "cloudformation" {
			return Template{}, platform.FieldErrorf("manifest", "line %d: template language %q does not go with rendering engine jinja (cloudformation does)", t.Line, t.TemplateLanguage)
		}
	case EngineHCL:
		if t.TemplateLanguage != "terraform" {
			return Template{}, platform.FieldErrorf("manifest", "line %d: rendering engine hcl needs template_language terraform, not %q", t.Line, t.TemplateLanguage)
		}
		if t.File == WildcardFile {
			return Template{}, platform.FieldErrorf("manifest", "line %d: a component has one template file: name it (not %q)", t.Line, WildcardFile)
		}
	default:
		return Template{}, platform.FieldErrorf("manifest", "line %d: rendering engine %q is not supported for components (jinja with cloudformation, or hcl with terraform)", t.Line, t.RenderingEngine)
	}
	return t, nil
}

// RenderComponent renders a directly defined component's template file, which its
// manifest entry t names, with data (rendercontext.ForComponent). Errors: Invalid naming
// the template file and line when it fails to render; ctx's error when it ends.
func RenderComponent(ctx context.Context, r Renderer, t Template, templateFile string, data *render.Map) (RenderedFile, error) {
	if len(templateFile) > MaxComponentTemplateFile {
		return RenderedFile{}, platform.FieldErrorf("templateFile", "is %d characters; the limit is %d", len(templateFile), MaxComponentTemplateFile)
	}
	files := memFS{files: map[string][]byte{t.File: []byte(templateFile)}}
	text, err := renderTemplate(ctx, r, files, "templateFile", t, data)
	if err != nil {
		return RenderedFile{}, err
	}
	return RenderedFile{Path: t.File, Template: t, Content: text}, nil
}

// componentWhere names a component's template file in messages.
func componentWhere(file string) string { return fmt.Sprintf("templateFile (%s)", file) }
