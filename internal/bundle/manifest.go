package bundle

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/gantry-platform/gantry/internal/platform"
)

// The rendering engines a manifest may name.
const (
	EngineJinja     = "jinja"
	EngineCodeBuild = "codebuild"
	EngineHCL       = "hcl"
)

// WildcardFile is a Terraform manifest's file "*": every file of the folder whose name ends
// in .tf.
const WildcardFile = "*"

// Manifest is one manifest.yaml: the templates of one folder of the bundle.
type Manifest struct {
	// Dir is the folder, e.g. "instance_infrastructure".
	Dir       string
	Templates []Template
}

// Template is one entry of a manifest's infrastructure.templates.
type Template struct {
	// File is the template's file name, relative to the manifest's folder (empty for
	// CodeBuild provisioning).
	File string
	// RenderingEngine is "jinja", "codebuild" or "hcl" (from rendering_engine, or the
	// legacy key engine).
	RenderingEngine string
	// TemplateLanguage is e.g. "cloudformation" or "terraform".
	TemplateLanguage string
	// Provision and Deprovision are a CodeBuild template's settings.provision and
	// settings.deprovision commands.
	Provision   []string
	Deprovision []string
	// Image is a CodeBuild template's settings.image and Runtimes its settings.runtimes
	// (runtime → version, e.g. nodejs → 16).
	Image    string
	Runtimes map[string]string
	// Line is the entry's line in manifest.yaml.
	Line int
}

// Engine is the provisioning engine of the manifest's templates (its first's): jinja is
// CloudFormation, codebuild CodeBuild, hcl Terraform.
func (m *Manifest) Engine() platform.Engine {
	if m == nil || len(m.Templates) == 0 {
		return platform.EngineCloudFormation
	}
	return m.Templates[0].Engine()
}

// Engine is the provisioning engine of template t: jinja is CloudFormation, codebuild
// CodeBuild, hcl Terraform.
func (t Template) Engine() platform.Engine {
	switch t.RenderingEngine {
	case EngineCodeBuild:
		return platform.EngineCodeBuild
	case EngineHCL:
		return platform.EngineTerraform
	}
	return platform.EngineCloudFormation
}

// Path returns the template's path inside the bundle, e.g.
// "instance_infrastructure/cloudformation.yaml".
func (m *Manifest) Path(t Template) string { return path.Join(m.Dir, t.File) }

var yamlErrorLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlProblem turns a YAML library error into a Problem about file.
func yamlProblem(file string, err error) Problem {
	msg := err.Error()
	if m := yamlErrorLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return Problem{File: file, Line: n, Message: "invalid YAML: " + m[2]}
	}
	return Problem{File: file, Message: "invalid YAML: " + msg}
}

func (l *loader) loadManifest(dir string) *Manifest {
	file := dir + "/" + ManifestName
	data, ok := l.files[file]
	if !ok {
		l.problem(file, 0, "missing: %s/ needs a manifest listing its templates", dir)
		return nil
	}
	if !l.checkSize(file, l.limits.ManifestBytes, "manifest") {
		return nil
	}
	m, problems := parseManifest(dir, data)
	for _, p := range problems {
		p.File = file
		l.problems = append(l.problems, p)
	}
	if m == nil {
		return nil
	}
	for _, t := range m.Templates {
		if t.File == "" || t.File == WildcardFile && t.RenderingEngine == EngineHCL {
			continue // Terraform's "*": every .tf file of the folder
		}
		p := m.Path(t)
		if _, ok := l.files[p]; !ok {
			l.problem(file, t.Line, "lists template %q, which is not in the bundle", t.File)
			continue
		}
		l.checkSize(p, l.limits.TemplateBytes, "template")
	}
	return m
}

// parseManifest reads manifest.yaml; problems carry lines but no file.
func parseManifest(dir string, data []byte) (*Manifest, []Problem) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, []Problem{yamlProblem("", err)}
	}
	bad := func(n *yaml.Node, format string, args ...any) []Problem {
		line := 0
		if n != nil {
			line = n.Line
		}
		return []Problem{{Line: line, Message: fmt.Sprintf(format, args...)}}
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, bad(&doc, "expected a mapping with key infrastructure.templates")
	}
	root := doc.Content[0]
	infra := value(root, "infrastructure")
	if infra == nil || infra.Kind != yaml.MappingNode {
		return nil, bad(root, "missing infrastructure.templates")
	}
	list := value(infra, "templates")
	if list == nil || list.Kind != yaml.SequenceNode || len(list.Content) == 0 {
		return nil, bad(infra, "infrastructure.templates must list at least one template")
	}
	m := &Manifest{Dir: dir}
	var problems []Problem
	seen := map[string]bool{}
	for i, item := range list.Content {
		if item.Kind != yaml.MappingNode {
			problems = append(problems, bad(item, "infrastructure.templates[%d] must be a mapping", i)...)
			continue
		}
		t := Template{Line: item.Line}
		for j := 0; j+1 < len(item.Content); j += 2 {
			k, v := item.Content[j], item.Content[j+1]
			switch k.Value {
			case "file", "rendering_engine", "engine", "template_language":
				if v.Kind != yaml.ScalarNode {
					problems = append(problems, bad(v, "infrastructure.templates[%d].%s must be a string", i, k.Value)...)
					continue
				}
				switch k.Value {
				case "file":
					t.File = v.Value
				case "template_language":
					t.TemplateLanguage = v.Value
				default:
					if t.RenderingEngine != "" && t.RenderingEngine != v.Value {
						problems = append(problems, bad(v, "infrastructure.templates[%d] names two rendering engines", i)...)
					}
					t.RenderingEngine = v.Value
				}
			case "settings":
				t.Provision = commands(value(v, "provision"))
				t.Deprovision = commands(value(v, "deprovision"))
				if img := value(v, "image"); img != nil && img.Kind == yaml.ScalarNode {
					t.Image = img.Value
				}
				if rt := value(v, "runtimes"); rt != nil && rt.Kind == yaml.MappingNode {
					t.Runtimes = map[string]string{}
					for j := 0; j+1 < len(rt.Content); j += 2 {
						t.Runtimes[rt.Content[j].Value] = rt.Content[j+1].Value
					}
				}
			default:
				problems = append(problems, bad(k, "infrastructure.templates[%d]: unknown key %q", i, k.Value)...)
			}
		}
		switch t.RenderingEngine {
		case EngineJinja, EngineHCL:
			if t.File == "" {
				problems = append(problems, bad(item, "infrastructure.templates[%d]: missing file", i)...)
			}
		case EngineCodeBuild:
			if len(t.Provision) == 0 {
				problems = append(problems, bad(item, "infrastructure.templates[%d]: a codebuild template needs settings.provision commands", i)...)
			}
		case "":
			problems = append(problems, bad(item, "infrastructure.templates[%d]: missing rendering_engine (jinja, codebuild or hcl)", i)...)
		default:
			problems = append(problems, bad(item, "infrastructure.templates[%d]: unknown rendering_engine %q (want jinja, codebuild or hcl)", i, t.RenderingEngine)...)
		}
		if t.File != "" {
			if !validFileName(t.File) {
				problems = append(problems, bad(item, "infrastructure.templates[%d]: file %q must be a file name inside %s/", i, t.File, dir)...)
				t.File = ""
			} else if seen[t.File] {
				problems = append(problems, bad(item, "infrastructure.templates[%d]: %q is listed twice", i, t.File)...)
			}
			seen[t.File] = true
		}
		m.Templates = append(m.Templates, t)
	}
	return m, problems
}

// validFileName accepts a relative path that stays inside the manifest's folder.
func validFileName(name string) bool {
	clean := path.Clean(name)
	return clean == name && clean != "." && clean != ".." && !path.IsAbs(clean) &&
		!strings.HasPrefix(clean, "../")
}

// commands reads a list of strings (or one string).
func commands(n *yaml.Node) []string {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}
	}
	var out []string
	for _, c := range n.Content {
		if c.Kind == yaml.ScalarNode {
			out = append(out, c.Value)
		}
	}
	return out
}

// value returns the value of key in mapping m, or nil.
func value(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// parseRegistration reads .template-registration.yaml; problems carry lines but no file.
func parseRegistration(data []byte) (Registration, []Problem) {
	var r Registration
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return r, []Problem{yamlProblem("", err)}
	}
	if len(doc.Content) == 0 {
		return r, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return r, []Problem{{Line: root.Line, Message: "expected a mapping with compatible_environments and supported_component_sources"}}
	}
	var problems []Problem
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if v.Kind != yaml.SequenceNode {
			problems = append(problems, Problem{Line: v.Line, Message: k.Value + " must be a list"})
			continue
		}
		switch k.Value {
		case "compatible_environments":
			for _, item := range v.Content {
				if item.Kind != yaml.ScalarNode {
					problems = append(problems, Problem{Line: item.Line, Message: "compatible_environments must list name:major strings"})
					continue
				}
				ref, err := parseEnvironmentRef(item.Value)
				if err != nil {
					problems = append(problems, Problem{Line: item.Line, Message: fmt.Sprintf("compatible_environments: %v", err)})
					continue
				}
				r.CompatibleEnvironments = append(r.CompatibleEnvironments, ref)
			}
		case "supported_component_sources":
			for _, item := range v.Content {
				if item.Value != DirectlyDefinedComponents {
					problems = append(problems, Problem{Line: item.Line, Message: fmt.Sprintf("supported_component_sources: %q is not a component source (want %s)", item.Value, DirectlyDefinedComponents)})
					continue
				}
				r.SupportedComponentSources = append(r.SupportedComponentSources, item.Value)
			}
		default:
			problems = append(problems, Problem{Line: k.Line, Message: fmt.Sprintf("unknown key %q (want compatible_environments, supported_component_sources)", k.Value)})
		}
	}
	return r, problems
}
