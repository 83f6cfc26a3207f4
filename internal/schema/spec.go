package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/render"
)

// The values of a spec file's "proton" key.
const (
	EnvironmentSpec = "EnvironmentSpec"
	ServiceSpec     = "ServiceSpec"
)

// MaxSpecLength is the longest spec Proton accepts, in characters.
const MaxSpecLength = 51_200

// MaxNameLength is the longest name (of an environment, service or service instance).
const MaxNameLength = 100

// NamePattern is what a name must match.
var NamePattern = regexp.MustCompile(`^[0-9A-Za-z]+[0-9A-Za-z_\-]*$`)

// Spec is a parsed spec file.
type Spec struct {
	// Proton is EnvironmentSpec or ServiceSpec.
	Proton string
	// Inputs are an EnvironmentSpec's spec: inputs.
	Inputs *render.Map
	// Pipeline holds a ServiceSpec's pipeline: inputs; nil when the spec has none.
	Pipeline *render.Map
	// Instances are a ServiceSpec's instances, in file order.
	Instances []InstanceSpec
}

// InstanceSpec is one entry of a ServiceSpec's instances.
type InstanceSpec struct {
	Name        string
	Environment string
	// Inputs are the instance's spec: inputs (never nil).
	Inputs *render.Map
}

// Instance returns the instance called name and true, or false when there is none.
func (s *Spec) Instance(name string) (InstanceSpec, bool) {
	for _, in := range s.Instances {
		if in.Name == name {
			return in, true
		}
	}
	return InstanceSpec{}, false
}

// ValidateName returns an Invalid *platform.Error about field unless name is 1 to
// MaxNameLength characters matching NamePattern.
func ValidateName(field, name string) error {
	switch {
	case name == "":
		return platform.FieldErrorf(field, "is required")
	case utf8.RuneCountInString(name) > MaxNameLength:
		return platform.FieldErrorf(field, "must be at most %d characters long", MaxNameLength)
	case !NamePattern.MatchString(name):
		return platform.FieldErrorf(field, "%q must match %s", name, NamePattern)
	}
	return nil
}

// ParseSpec reads a spec file: "proton: EnvironmentSpec" with "spec:", or "proton:
// ServiceSpec" with an optional "pipeline:" and "instances:" (each with name, environment
// and spec). Errors are Invalid *platform.Error values naming the field and the line: a
// spec longer than MaxSpecLength characters, a YAML error, an unknown key, a bad or
// duplicate instance name.
func ParseSpec(data []byte) (*Spec, error) {
	if n := utf8.RuneCount(data); n > MaxSpecLength {
		return nil, platform.Errorf(platform.Invalid, "spec is %d characters long; the limit is %d", n, MaxSpecLength)
	}
	doc, err := parseSpecYAML(data)
	if err != nil {
		return nil, platform.Errorf(platform.Invalid, "spec: %v", err)
	}
	var c valueConverter
	v, err := c.value(doc)
	if err != nil {
		return nil, platform.Errorf(platform.Invalid, "spec: %v", err)
	}
	root, ok := v.(*render.Map)
	if !ok {
		return nil, platform.Errorf(platform.Invalid, "spec: expected a mapping with a \"proton\" key")
	}
	return specFromMap(root, doc)
}

func specFromMap(root *render.Map, doc *yaml.Node) (*Spec, error) {
	at := func(path ...string) string {
		if n := nodeAt(doc, path...); n != nil {
			return fmt.Sprintf("line %d: ", n.Line)
		}
		return ""
	}
	kind, _ := root.Get("proton")
	s := &Spec{}
	switch kind {
	case EnvironmentSpec:
		s.Proton = EnvironmentSpec
		for _, k := range root.Keys() {
			if k != "proton" && k != "spec" {
				return nil, platform.FieldErrorf(k, "%sunknown key in an EnvironmentSpec (want proton, spec)", at(k))
			}
		}
		inputs, err := inputsAt(root, "spec", at("spec"))
		if err != nil {
			return nil, err
		}
		s.Inputs = inputs
	case ServiceSpec:
		s.Proton = ServiceSpec
		for _, k := range root.Keys() {
			if k != "proton" && k != "pipeline" && k != "instances" {
				return nil, platform.FieldErrorf(k, "%sunknown key in a ServiceSpec (want proton, pipeline, instances)", at(k))
			}
		}
		if _, ok := root.Get("pipeline"); ok {
			p, err := inputsAt(root, "pipeline", at("pipeline"))
			if err != nil {
				return nil, err
			}
			s.Pipeline = p
		}
		raw, _ := root.Get("instances")
		list, ok := raw.([]any)
		if raw != nil && !ok {
			return nil, platform.FieldErrorf("instances", "%smust be a list", at("instances"))
		}
		seen := map[string]bool{}
		for i, item := range list {
			field := fmt.Sprintf("instances[%d]", i)
			idx := fmt.Sprint(i)
			m, ok := item.(*render.Map)
			if !ok {
				return nil, platform.FieldErrorf(field, "%smust be a mapping with name, environment and spec", at("instances", idx))
			}
			for _, k := range m.Keys() {
				if k != "name" && k != "environment" && k != "spec" {
					return nil, platform.FieldErrorf(field+"."+k, "%sunknown key in an instance (want name, environment, spec)", at("instances", idx, k))
				}
			}
			name, _ := m.Get("name")
			nameText, _ := name.(string)
			if err := ValidateName(field+".name", nameText); err != nil {
				pe := err.(*platform.Error)
				pe.Message = at("instances", idx) + pe.Message
				return nil, pe
			}
			if seen[nameText] {
				return nil, platform.FieldErrorf(field+".name", "%sduplicate instance name %q", at("instances", idx, "name"), nameText)
			}
			seen[nameText] = true
			env, _ := m.Get("environment")
			envText, _ := env.(string)
			if err := ValidateName(field+".environment", envText); err != nil {
				pe := err.(*platform.Error)
				pe.Message = at("instances", idx) + pe.Message
				return nil, pe
			}
			inputs, err := inputsAt(m, "spec", at("instances", idx, "spec"))
			if err != nil {
				pe := err.(*platform.Error)
				pe.Field = field + "." + pe.Field
				return nil, pe
			}
			s.Instances = append(s.Instances, InstanceSpec{Name: nameText, Environment: envText, Inputs: inputs})
		}
	case nil:
		return nil, platform.FieldErrorf("proton", "is required: EnvironmentSpec or ServiceSpec")
	default:
		return nil, platform.FieldErrorf("proton", "%smust be EnvironmentSpec or ServiceSpec, got %v", at("proton"), kind)
	}
	return s, nil
}

// inputsAt returns the mapping under key of m; absent or null is an empty mapping.
func inputsAt(m *render.Map, key, at string) (*render.Map, error) {
	v, _ := m.Get(key)
	if v == nil {
		return render.NewMap(), nil
	}
	inputs, ok := v.(*render.Map)
	if !ok {
		return nil, platform.FieldErrorf(key, "%smust be a mapping of inputs", at)
	}
	return inputs, nil
}

// nodeAt finds the node at a path of mapping keys and list indexes, for line numbers.
func nodeAt(n *yaml.Node, path ...string) *yaml.Node {
	n = resolve(n)
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = resolve(n.Content[0])
	}
	for _, p := range path {
		if n == nil {
			return nil
		}
		switch n.Kind {
		case yaml.MappingNode:
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == p {
					next = n.Content[i]
					if p == path[len(path)-1] {
						return next
					}
					next = resolve(n.Content[i+1])
					break
				}
			}
			n = next
		case yaml.SequenceNode:
			var i int
			if _, err := fmt.Sscan(p, &i); err != nil || i < 0 || i >= len(n.Content) {
				return nil
			}
			n = resolve(n.Content[i])
		default:
			return nil
		}
	}
	return n
}

// ParseInstanceSpec reads the inputs of one service instance, as "update instance" takes
// them: a whole ServiceSpec (the instance called instance is picked; NotFound when it has
// none), a mapping with the single key "spec", or a plain mapping of inputs. Errors are
// Invalid *platform.Error values as for ParseSpec.
func ParseInstanceSpec(data []byte, instance string) (*render.Map, error) {
	if n := utf8.RuneCount(data); n > MaxSpecLength {
		return nil, platform.Errorf(platform.Invalid, "spec is %d characters long; the limit is %d", n, MaxSpecLength)
	}
	doc, err := parseSpecYAML(data)
	if err != nil {
		return nil, platform.Errorf(platform.Invalid, "spec: %v", err)
	}
	var c valueConverter
	v, err := c.value(doc)
	if err != nil {
		return nil, platform.Errorf(platform.Invalid, "spec: %v", err)
	}
	if v == nil {
		return render.NewMap(), nil
	}
	root, ok := v.(*render.Map)
	if !ok {
		return nil, platform.Errorf(platform.Invalid, "spec: expected a mapping of inputs")
	}
	if _, ok := root.Get("proton"); ok {
		s, err := specFromMap(root, doc)
		if err != nil {
			return nil, err
		}
		if s.Proton != ServiceSpec {
			return nil, platform.FieldErrorf("proton", "must be ServiceSpec for a service instance, got %s", s.Proton)
		}
		in, ok := s.Instance(instance)
		if !ok {
			return nil, platform.Errorf(platform.NotFound, "spec has no instance named %q", instance)
		}
		return in.Inputs, nil
	}
	if root.Len() == 1 && root.Keys()[0] == "spec" {
		return inputsAt(root, "spec", "")
	}
	return root, nil
}

// ValidateSpec validates every input set of spec against the schema and returns a copy of
// spec whose inputs have defaults applied. Field paths in errors are "spec.<input>",
// "pipeline.<input>" and "instances[i].spec.<input>". Errors are Invalid *platform.Error
// values listing every problem (see Validate); a spec of the wrong kind for the schema is
// Invalid too.
func (s *Schema) ValidateSpec(spec *Spec) (*Spec, error) {
	out := &Spec{Proton: spec.Proton}
	var errs []*platform.Error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err.(*platform.Error))
		}
	}
	switch spec.Proton {
	case EnvironmentSpec:
		if _, _, ok := s.InputType(EnvironmentInputs); !ok {
			return nil, platform.FieldErrorf("proton", "is EnvironmentSpec but the schema declares no environment_input_type (is this a service template?)")
		}
		in, err := s.Validate(EnvironmentInputs, spec.Inputs, "spec")
		add(err)
		out.Inputs = in
	case ServiceSpec:
		if _, _, ok := s.InputType(ServiceInputs); !ok {
			return nil, platform.FieldErrorf("proton", "is ServiceSpec but the schema declares no service_input_type (is this an environment template?)")
		}
		if spec.Pipeline != nil || s.hasKind(PipelineInputs) {
			p, err := s.Validate(PipelineInputs, spec.Pipeline, "pipeline")
			add(err)
			out.Pipeline = p
		}
		for i, inst := range spec.Instances {
			in, err := s.Validate(ServiceInputs, inst.Inputs, fmt.Sprintf("instances[%d].spec", i))
			add(err)
			out.Instances = append(out.Instances, InstanceSpec{Name: inst.Name, Environment: inst.Environment, Inputs: in})
		}
	default:
		return nil, platform.FieldErrorf("proton", "must be EnvironmentSpec or ServiceSpec")
	}
	if len(errs) > 0 {
		first := errs[0]
		for _, e := range errs[1:] {
			first.Message += "; " + e.Error()
		}
		return nil, first
	}
	return out, nil
}

func (s *Schema) hasKind(k InputKind) bool {
	_, ok := s.compiled[k]
	return ok
}

// SampleInputs returns inputs that give every required input lacking a default a
// placeholder of its type (the first enum value, a string of minLength "x"s, the minimum,
// false, an empty list or an object filled the same way), so that a template can be
// rendered with its defaults alone. filled lists the field paths that got a placeholder.
// A placeholder cannot satisfy every pattern: Validate still has the last word.
func (s *Schema) SampleInputs(kind InputKind) (inputs *render.Map, filled []string) {
	inputs = render.NewMap()
	t, _, ok := s.InputType(kind)
	if !ok {
		return inputs, nil
	}
	fillRequired(t, inputs, "", &filled)
	return inputs, filled
}

func fillRequired(t *Type, m *render.Map, path string, filled *[]string) {
	for _, p := range t.Properties {
		field := joinField(path, p.Name)
		if p.Type.HasDefault {
			continue
		}
		required := false
		for _, r := range t.Required {
			required = required || r == p.Name
		}
		if !required {
			continue
		}
		if p.Type.Type == "object" {
			sub := render.NewMap()
			fillRequired(p.Type, sub, field, filled)
			m.Set(p.Name, sub)
			continue
		}
		m.Set(p.Name, placeholder(p.Type))
		*filled = append(*filled, field)
	}
}

// Placeholders stay small whatever a schema asks for; Validate reports the shortfall.
const (
	maxPlaceholderLength = 1024
	maxPlaceholderItems  = 16
)

func placeholder(t *Type) any {
	if len(t.Enum) > 0 {
		return deepCopy(t.Enum[0])
	}
	switch t.Type {
	case "string":
		n := 1
		if t.MinLength != nil && *t.MinLength > n {
			n = *t.MinLength
		}
		if t.MaxLength != nil && *t.MaxLength < n {
			n = *t.MaxLength
		}
		return strings.Repeat("x", min(n, maxPlaceholderLength))
	case "number", "integer":
		switch {
		case t.Minimum != nil && !t.ExclusiveMinimum:
			return *t.Minimum
		case t.Minimum != nil:
			return json.Number(fmt.Sprint(ceilPlusOne(*t.Minimum)))
		case t.Maximum != nil && compareNumbers(*t.Maximum, "0") < 0:
			return *t.Maximum
		}
		return json.Number("0")
	case "boolean":
		return false
	case "array":
		n := 0
		if t.MinItems != nil {
			n = *t.MinItems
		}
		list := make([]any, min(n, maxPlaceholderItems))
		for i := range list {
			if t.Items != nil {
				list[i] = placeholder(t.Items)
			}
		}
		return list
	case "object":
		m := render.NewMap()
		var ignored []string
		fillRequired(t, m, "", &ignored)
		return m
	}
	return "x"
}

// ceilPlusOne returns the smallest integer strictly greater than n.
func ceilPlusOne(n json.Number) int64 {
	f, _ := n.Float64()
	i := int64(f)
	if float64(i) <= f {
		i++
	}
	return i
}

// parseSpecYAML parses a spec, which is one YAML document: a second document (after a
// "---" line) is an error naming its line, never silently ignored.
func parseSpecYAML(data []byte) (*yaml.Node, error) {
	doc, err := parseYAML(data)
	if err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var first, second yaml.Node
	if dec.Decode(&first) == nil && dec.Decode(&second) == nil {
		return nil, &lineError{Line: second.Line, Message: "a spec is one YAML document; a second one starts here (remove the \"---\" and what follows, or merge them)"}
	}
	return doc, nil
}
