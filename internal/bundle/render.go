package bundle

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strconv"

	"github.com/gantry-platform/gantry/internal/cfnspec"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/render"
)

// RenderedFile is one rendered template.
type RenderedFile struct {
	// Path is the template's path inside the bundle, e.g.
	// "instance_infrastructure/cloudformation.yaml".
	Path     string
	Template Template
	Content  string
}

// Renderer renders one template of files with data; *render.Engine is one.
type Renderer interface {
	Render(ctx context.Context, files fs.FS, name string, data *render.Map) (string, error)
}

var _ Renderer = (*render.Engine)(nil)

// RenderInfrastructure renders every template of the infrastructure manifest
// (infrastructure/ for an environment, instance_infrastructure/ for a service instance)
// with data, a context from package rendercontext; a manifest that runs the bundle's own
// files (codebuild) renders nothing. Errors: Invalid *platform.Error for a template that
// fails to render (the message names the bundle path and line); ctx's error when it ends.
func (b *Bundle) RenderInfrastructure(ctx context.Context, r Renderer, data *render.Map) ([]RenderedFile, error) {
	return b.renderManifest(ctx, r, b.Infrastructure, data)
}

// RenderPipeline renders every template of pipeline_infrastructure/ with data, as
// RenderInfrastructure does. A bundle without a pipeline gives an Invalid error.
func (b *Bundle) RenderPipeline(ctx context.Context, r Renderer, data *render.Map) ([]RenderedFile, error) {
	if b.Pipeline == nil {
		return nil, platform.Errorf(platform.Invalid, "the bundle has no %s/", PipelineDir)
	}
	return b.renderManifest(ctx, r, b.Pipeline, data)
}

func (b *Bundle) renderManifest(ctx context.Context, r Renderer, m *Manifest, data *render.Map) ([]RenderedFile, error) {
	if m == nil {
		return nil, platform.Errorf(platform.Invalid, "the bundle has no manifest to render")
	}
	dir, err := fs.Sub(b.files, m.Dir)
	if err != nil {
		return nil, err
	}
	out := make([]RenderedFile, 0, len(m.Templates))
	for _, t := range m.Templates {
		if t.RenderingEngine != EngineJinja {
			continue // the bundle runs its own files (codebuild): nothing to render
		}
		text, err := renderTemplate(ctx, r, dir, m.Dir, t, data)
		if err != nil {
			return nil, err
		}
		out = append(out, RenderedFile{Path: m.Path(t), Template: t, Content: text})
	}
	return out, nil
}

// renderTemplate renders template t of the folder files (dir names the folder in
// messages, "templateFile" for a component's). A template that fails to render is an
// Invalid error naming the file and line.
func renderTemplate(ctx context.Context, r Renderer, files fs.FS, dir string, t Template, data *render.Map) (string, error) {
	text, err := r.Render(ctx, files, t.File, data)
	if err == nil {
		return text, nil
	}
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	var re *render.Error
	if errors.As(err, &re) {
		where := dir + "/" + re.File
		if dir == "templateFile" {
			where = componentWhere(re.File)
		}
		if re.Line > 0 {
			where = fmt.Sprintf("%s:%d", where, re.Line)
		}
		return "", platform.Errorf(platform.Invalid, "%s: %s", where, re.Message)
	}
	return "", fmt.Errorf("render %s: %w", path.Join(dir, t.File), err)
}

var lineInMessage = regexp.MustCompile(`\bline (\d+):`)

// TemplateChecker checks a rendered CloudFormation template; *cfnspec.Spec is one.
type TemplateChecker interface {
	Check(template []byte) ([]cfnspec.Problem, error)
}

var _ TemplateChecker = (*cfnspec.Spec)(nil)

// CheckRendered checks a rendered CloudFormation template: it must parse as YAML or JSON
// (short-form tags such as !Ref kept) and pass the resource specification check. Files in
// another template language are not checked. Problems carry f.Path as their file.
func CheckRendered(checker TemplateChecker, f RenderedFile) []Problem {
	if lang := f.Template.TemplateLanguage; lang != "" && lang != defaultTemplateLanguageCFN {
		return nil
	}
	found, err := checker.Check([]byte(f.Content))
	if err != nil {
		line := 0
		if m := lineInMessage.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
		return []Problem{{File: f.Path, Line: line, Message: "rendered " + err.Error()}}
	}
	out := make([]Problem, 0, len(found))
	for _, p := range found {
		out = append(out, Problem{File: f.Path, Line: p.Line, LogicalID: p.LogicalID, Message: p.Message})
	}
	return out
}
