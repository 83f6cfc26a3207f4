// Package schema reads a Proton template schema (schema/schema.yaml, an OpenAPI 3 subset),
// validates the inputs of spec files against it with defaults applied, and parses spec files
// (EnvironmentSpec, ServiceSpec). Validated inputs come out as *render.Map whose keys follow
// the order in which the schema declares the properties; an object the schema leaves open
// (type object without properties) keeps the order of the spec.
package schema

import (
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/gantry-platform/gantry/internal/platform"
)

// InputKind names one of the three input sets a schema may declare.
type InputKind int

// The input kinds, each declared by a key of the schema.
const (
	EnvironmentInputs InputKind = iota // schema.environment_input_type
	ServiceInputs                      // schema.service_input_type (each service instance)
	PipelineInputs                     // schema.pipeline_input_type
)

// String returns the schema key that declares the kind.
func (k InputKind) String() string {
	switch k {
	case EnvironmentInputs:
		return "environment_input_type"
	case ServiceInputs:
		return "service_input_type"
	case PipelineInputs:
		return "pipeline_input_type"
	}
	return fmt.Sprintf("InputKind(%d)", int(k))
}

// Schema is a parsed schema.yaml.
type Schema struct {
	// OpenAPI is schema.format.openapi, e.g. "3.0.0".
	OpenAPI string
	// InputTypes maps each declared input kind to the name of its type in Types.
	InputTypes map[InputKind]string
	// Types holds schema.types by name; TypeNames lists the names in document order.
	Types     map[string]*Type
	TypeNames []string

	compiled map[InputKind]*compiledType
}

// Type is one type of the schema (a types.<Name> entry, a property or an array's items).
type Type struct {
	// Type is "object", "string", "number", "integer", "boolean", "array", or "" for any.
	Type        string
	Title       string
	Description string
	// Default is the default value (nil with HasDefault false when none is declared).
	Default    any
	HasDefault bool
	Enum       []any
	Pattern    string
	MinLength  *int
	MaxLength  *int
	// Minimum and Maximum are number literals; the Exclusive flags follow OpenAPI 3.0.
	Minimum          *json.Number
	Maximum          *json.Number
	ExclusiveMinimum bool
	ExclusiveMaximum bool
	MinItems         *int
	MaxItems         *int
	UniqueItems      bool
	Nullable         bool
	// Items is the type of an array's items.
	Items *Type
	// Properties are an object's properties in document order; Required names those a
	// value must carry.
	Properties []Property
	Required   []string
	// Line is the line of the type in schema.yaml.
	Line int

	defaultLine int
}

// Property is one named property of an object type.
type Property struct {
	Name string
	Type *Type
}

// Property returns the property called name, or nil.
func (t *Type) Property(name string) *Type {
	for _, p := range t.Properties {
		if p.Name == name {
			return p.Type
		}
	}
	return nil
}

// InputType returns the type the schema declares for kind and its name; ok is false when
// the schema declares none.
func (s *Schema) InputType(kind InputKind) (t *Type, name string, ok bool) {
	name, ok = s.InputTypes[kind]
	if !ok {
		return nil, "", false
	}
	return s.Types[name], name, true
}

// ignoredKeywords are OpenAPI annotations that do not constrain a value.
var ignoredKeywords = map[string]bool{
	"format": true, "example": true, "examples": true, "deprecated": true,
	"readOnly": true, "writeOnly": true, "externalDocs": true, "xml": true,
}

var knownTypes = []string{"object", "string", "number", "integer", "boolean", "array"}

// Parse reads schema.yaml. Errors are Invalid *platform.Error values whose message names the
// line and the problem (a YAML syntax error, a missing key, an unsupported keyword, a
// default that breaks its own type, an input type that is not declared under types).
func Parse(data []byte) (*Schema, error) {
	s, err := parse(data)
	if err != nil {
		return nil, platform.Errorf(platform.Invalid, "%s", err.Error())
	}
	return s, nil
}

func parse(data []byte) (*Schema, error) {
	doc, err := parseYAML(data)
	if err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, &lineError{Message: "empty document: expected a top-level \"schema\" key"}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, lineErrorf(root, "expected a mapping with a top-level \"schema\" key")
	}
	body := mappingValue(root, "schema")
	if body == nil {
		return nil, lineErrorf(root, "missing top-level key \"schema\"")
	}
	body = resolve(body)
	if body.Kind != yaml.MappingNode {
		return nil, lineErrorf(body, "\"schema\" must be a mapping")
	}
	s := &Schema{InputTypes: map[InputKind]string{}, Types: map[string]*Type{}}
	var typesNode *yaml.Node
	for i := 0; i+1 < len(body.Content); i += 2 {
		k, v := body.Content[i], resolve(body.Content[i+1])
		switch k.Value {
		case "format":
			if v.Kind != yaml.MappingNode {
				return nil, lineErrorf(v, "schema.format must be a mapping with key openapi")
			}
			if o := mappingValue(v, "openapi"); o != nil {
				s.OpenAPI = resolve(o).Value
			}
		case "environment_input_type", "service_input_type", "pipeline_input_type":
			if v.Kind != yaml.ScalarNode || v.Value == "" {
				return nil, lineErrorf(v, "schema.%s must name a type", k.Value)
			}
			s.InputTypes[inputKindOf(k.Value)] = v.Value
		case "types":
			typesNode = v
		default:
			return nil, lineErrorf(k, "unknown key schema.%s", k.Value)
		}
	}
	if s.OpenAPI == "" {
		return nil, lineErrorf(body, "missing schema.format.openapi (e.g. \"3.0.0\")")
	}
	if !strings.HasPrefix(s.OpenAPI, "3.") {
		return nil, lineErrorf(body, "schema.format.openapi is %q; only OpenAPI 3 is supported", s.OpenAPI)
	}
	if typesNode == nil {
		if len(s.InputTypes) > 0 {
			return nil, lineErrorf(body, "missing schema.types")
		}
	} else {
		if typesNode.Kind != yaml.MappingNode {
			return nil, lineErrorf(typesNode, "schema.types must be a mapping of type names to types")
		}
		for i := 0; i+1 < len(typesNode.Content); i += 2 {
			k, v := typesNode.Content[i], typesNode.Content[i+1]
			if _, dup := s.Types[k.Value]; dup {
				return nil, lineErrorf(k, "duplicate type %q", k.Value)
			}
			t, err := parseType(v, "types."+k.Value)
			if err != nil {
				return nil, err
			}
			s.Types[k.Value] = t
			s.TypeNames = append(s.TypeNames, k.Value)
		}
	}
	for _, kind := range []InputKind{EnvironmentInputs, ServiceInputs, PipelineInputs} {
		name, ok := s.InputTypes[kind]
		if !ok {
			continue
		}
		t, ok := s.Types[name]
		if !ok {
			return nil, lineErrorf(body, "schema.%s names type %q, which is not under schema.types", kind, name)
		}
		if t.Type != "object" {
			return nil, lineErrorf(&yaml.Node{Line: t.Line}, "type %q (schema.%s) must be of type object", name, kind)
		}
	}
	if err := s.compile(); err != nil {
		return nil, err
	}
	return s, nil
}

func inputKindOf(key string) InputKind {
	switch key {
	case "environment_input_type":
		return EnvironmentInputs
	case "service_input_type":
		return ServiceInputs
	}
	return PipelineInputs
}

// resolve follows an alias.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// mappingValue returns the value of key in mapping m, or nil.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// parseType reads one type node; path names it in errors (e.g. types.Input.properties.port).
func parseType(n *yaml.Node, path string) (*Type, error) {
	return parseTypeDepth(n, path, 0)
}

const maxTypeDepth = 32

func parseTypeDepth(n *yaml.Node, path string, depth int) (*Type, error) {
	n = resolve(n)
	if depth > maxTypeDepth {
		return nil, lineErrorf(n, "%s: types nested deeper than %d levels", path, maxTypeDepth)
	}
	if n.Kind != yaml.MappingNode {
		return nil, lineErrorf(n, "%s must be a mapping", path)
	}
	t := &Type{Line: n.Line}
	var defaultNode *yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		key := k.Value
		if seen[key] {
			return nil, lineErrorf(k, "%s: duplicate key %q", path, key)
		}
		seen[key] = true
		var err error
		switch key {
		case "type":
			t.Type = v.Value
			if v.Kind != yaml.ScalarNode || !slices.Contains(knownTypes, t.Type) {
				return nil, lineErrorf(v, "%s.type must be one of %s", path, strings.Join(knownTypes, ", "))
			}
		case "title":
			t.Title, err = scalarString(v, path+".title")
		case "description":
			t.Description, err = scalarString(v, path+".description")
		case "default":
			defaultNode = v
		case "enum":
			if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
				return nil, lineErrorf(v, "%s.enum must be a non-empty list", path)
			}
			var c valueConverter
			var list any
			list, err = c.value(v)
			if err == nil {
				t.Enum = list.([]any)
			}
		case "pattern":
			t.Pattern, err = scalarString(v, path+".pattern")
			if err == nil {
				if _, rerr := regexp.Compile(t.Pattern); rerr != nil {
					err = lineErrorf(v, "%s.pattern %q is not a valid regular expression: %v", path, t.Pattern, rerr)
				}
			}
		case "minLength":
			t.MinLength, err = nonNegativeInt(v, path+".minLength")
		case "maxLength":
			t.MaxLength, err = nonNegativeInt(v, path+".maxLength")
		case "minItems":
			t.MinItems, err = nonNegativeInt(v, path+".minItems")
		case "maxItems":
			t.MaxItems, err = nonNegativeInt(v, path+".maxItems")
		case "minimum":
			t.Minimum, err = number(v, path+".minimum")
		case "maximum":
			t.Maximum, err = number(v, path+".maximum")
		case "exclusiveMinimum":
			t.ExclusiveMinimum, err = boolean(v, path+".exclusiveMinimum")
		case "exclusiveMaximum":
			t.ExclusiveMaximum, err = boolean(v, path+".exclusiveMaximum")
		case "uniqueItems":
			t.UniqueItems, err = boolean(v, path+".uniqueItems")
		case "nullable":
			t.Nullable, err = boolean(v, path+".nullable")
		case "items":
			t.Items, err = parseTypeDepth(v, path+".items", depth+1)
		case "properties":
			if v.Kind != yaml.MappingNode {
				return nil, lineErrorf(v, "%s.properties must be a mapping", path)
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				pk := v.Content[j]
				if t.Property(pk.Value) != nil {
					return nil, lineErrorf(pk, "%s.properties: duplicate property %q", path, pk.Value)
				}
				pt, perr := parseTypeDepth(v.Content[j+1], path+".properties."+pk.Value, depth+1)
				if perr != nil {
					return nil, perr
				}
				t.Properties = append(t.Properties, Property{Name: pk.Value, Type: pt})
			}
		case "required":
			if v.Kind != yaml.SequenceNode {
				return nil, lineErrorf(v, "%s.required must be a list of property names", path)
			}
			for _, r := range v.Content {
				r = resolve(r)
				if r.Kind != yaml.ScalarNode {
					return nil, lineErrorf(r, "%s.required must be a list of property names", path)
				}
				t.Required = append(t.Required, r.Value)
			}
		default:
			if ignoredKeywords[key] || strings.HasPrefix(key, "x-") {
				continue
			}
			return nil, lineErrorf(k, "%s: unsupported keyword %q", path, key)
		}
		if err != nil {
			return nil, err
		}
	}
	if t.Type == "" && (len(t.Properties) > 0 || len(t.Required) > 0) {
		t.Type = "object"
	}
	if t.Items != nil && t.Type == "" {
		t.Type = "array"
	}
	for _, r := range t.Required {
		if t.Property(r) == nil {
			return nil, lineErrorf(n, "%s.required names %q, which is not a property", path, r)
		}
	}
	if t.Minimum != nil && t.Maximum != nil && compareNumbers(*t.Minimum, *t.Maximum) > 0 {
		return nil, lineErrorf(n, "%s: minimum %s is greater than maximum %s", path, *t.Minimum, *t.Maximum)
	}
	if t.MinLength != nil && t.MaxLength != nil && *t.MinLength > *t.MaxLength {
		return nil, lineErrorf(n, "%s: minLength %d is greater than maxLength %d", path, *t.MinLength, *t.MaxLength)
	}
	if defaultNode != nil {
		var c valueConverter
		d, err := c.value(defaultNode)
		if err != nil {
			return nil, err
		}
		t.Default, t.HasDefault = d, true
		t.defaultLine = defaultNode.Line
	}
	return t, nil
}

func scalarString(v *yaml.Node, path string) (string, error) {
	if v.Kind != yaml.ScalarNode {
		return "", lineErrorf(v, "%s must be a string", path)
	}
	return v.Value, nil
}

func nonNegativeInt(v *yaml.Node, path string) (*int, error) {
	var i int
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!int" || v.Decode(&i) != nil || i < 0 {
		return nil, lineErrorf(v, "%s must be a non-negative integer", path)
	}
	return &i, nil
}

func number(v *yaml.Node, path string) (*json.Number, error) {
	if v.Kind == yaml.ScalarNode && (v.ShortTag() == "!!int" || v.ShortTag() == "!!float") {
		x, err := scalarValue(v)
		if err == nil {
			n := x.(json.Number)
			return &n, nil
		}
	}
	return nil, lineErrorf(v, "%s must be a number", path)
}

func boolean(v *yaml.Node, path string) (bool, error) {
	var b bool
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" || v.Decode(&b) != nil {
		return false, lineErrorf(v, "%s must be true or false", path)
	}
	return b, nil
}

// compareNumbers compares two number literals exactly.
func compareNumbers(a, b json.Number) int {
	x, okx := new(big.Rat).SetString(string(a))
	y, oky := new(big.Rat).SetString(string(b))
	if !okx || !oky {
		return 0
	}
	return x.Cmp(y)
}

// Lint returns warnings about a schema that Proton accepts but that is likely a mistake: a
// default that does not satisfy its own type (Validate leaves such defaults alone). Each
// warning names the line.
func (s *Schema) Lint() []string {
	var out []string
	for _, name := range s.TypeNames {
		lintType(s.Types[name], "types."+name, &out)
	}
	return out
}

func lintType(t *Type, path string, out *[]string) {
	if t.HasDefault {
		if problems := validateStandalone(t, t.Default); len(problems) > 0 {
			*out = append(*out, fmt.Sprintf("line %d: %s.default does not satisfy its type: %s", t.defaultLine, path, problems[0].text("")))
		}
	}
	for _, p := range t.Properties {
		lintType(p.Type, path+".properties."+p.Name, out)
	}
	if t.Items != nil {
		lintType(t.Items, path+".items", out)
	}
}
