package schema

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/render"
)

// compiledType is one input type translated to JSON Schema and compiled.
type compiledType struct {
	typ    *Type
	schema *jsonschema.Schema
}

// problem is one reason a value does not satisfy a type: the path of the offending field,
// relative to the validated value, and what is wrong with it.
type problem struct {
	path    string
	message string
}

// text renders the problem with the field prefix in front.
func (p problem) text(prefix string) string {
	if f := joinField(prefix, p.path); f != "" {
		return f + ": " + p.message
	}
	return p.message
}

// joinField joins a field prefix and a relative path ("", ".a", "[0].b" or "a").
func joinField(prefix, path string) string {
	path = strings.TrimPrefix(path, ".")
	switch {
	case prefix == "":
		return path
	case path == "":
		return prefix
	case strings.HasPrefix(path, "["):
		return prefix + path
	}
	return prefix + "." + path
}

func (s *Schema) compile() error {
	s.compiled = map[InputKind]*compiledType{}
	for kind, name := range s.InputTypes {
		t := s.Types[name]
		sch, err := compileType(t, true)
		if err != nil {
			return &lineError{Line: t.Line, Message: fmt.Sprintf("type %q: %v", name, err)}
		}
		s.compiled[kind] = &compiledType{typ: t, schema: sch}
	}
	return nil
}

// compileType translates t to JSON Schema (draft 2020-12) and compiles it. top marks an
// input type, which never admits properties it does not declare.
func compileType(t *Type, top bool) (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	const url = "mem:///inputs.json"
	if err := c.AddResource(url, jsonSchemaOf(t, top)); err != nil {
		return nil, err
	}
	return c.Compile(url)
}

// jsonSchemaOf is the JSON Schema document equivalent to t.
func jsonSchemaOf(t *Type, top bool) map[string]any {
	out := map[string]any{}
	if t.Type != "" {
		if t.Nullable {
			out["type"] = []any{t.Type, "null"}
		} else {
			out["type"] = t.Type
		}
	}
	if len(t.Enum) > 0 {
		enum := make([]any, len(t.Enum))
		for i, e := range t.Enum {
			enum[i] = plain(e)
		}
		if t.Nullable {
			enum = append(enum, nil)
		}
		out["enum"] = enum
	}
	if t.Pattern != "" {
		out["pattern"] = t.Pattern
	}
	setInt := func(key string, v *int) {
		if v != nil {
			out[key] = *v
		}
	}
	setInt("minLength", t.MinLength)
	setInt("maxLength", t.MaxLength)
	setInt("minItems", t.MinItems)
	setInt("maxItems", t.MaxItems)
	if t.Minimum != nil {
		if t.ExclusiveMinimum {
			out["exclusiveMinimum"] = *t.Minimum
		} else {
			out["minimum"] = *t.Minimum
		}
	}
	if t.Maximum != nil {
		if t.ExclusiveMaximum {
			out["exclusiveMaximum"] = *t.Maximum
		} else {
			out["maximum"] = *t.Maximum
		}
	}
	if t.UniqueItems {
		out["uniqueItems"] = true
	}
	if t.Items != nil {
		out["items"] = jsonSchemaOf(t.Items, false)
	}
	if len(t.Properties) > 0 {
		props := map[string]any{}
		for _, p := range t.Properties {
			props[p.Name] = jsonSchemaOf(p.Type, false)
		}
		out["properties"] = props
	}
	if len(t.Properties) > 0 || top {
		out["additionalProperties"] = false
	}
	if len(t.Required) > 0 {
		req := make([]any, len(t.Required))
		for i, r := range t.Required {
			req[i] = r
		}
		out["required"] = req
	}
	return out
}

// Validate checks inputs against the type the schema declares for kind and returns them
// with defaults applied (nested objects and array items too), keys in the order the schema
// declares the properties. field prefixes every field path in errors (e.g.
// "instances[0].spec"; "" for none). A nil inputs is an empty set of inputs. Errors are
// Invalid *platform.Error values: Field is the first offending field, Message lists every
// problem (a missing required input, an input the schema does not declare, a type, enum,
// pattern, length or range violation).
func (s *Schema) Validate(kind InputKind, inputs *render.Map, field string) (*render.Map, error) {
	if inputs == nil {
		inputs = render.NewMap()
	}
	ct, ok := s.compiled[kind]
	if !ok {
		if inputs.Len() == 0 {
			return render.NewMap(), nil
		}
		return nil, platform.FieldErrorf(joinField(field, inputs.Keys()[0]),
			"is not an input of the schema: the schema declares no %s", kind)
	}
	defaulted := map[string]bool{}
	out := applyDefaults(ct.typ, inputs, "", defaulted).(*render.Map)
	var problems []problem
	for _, p := range validateValue(ct.schema, out) {
		// A default that breaks its own type is the template's fault, not the
		// caller's: Proton accepted such bundles, and Lint reports them.
		if !fromDefault(p.path, defaulted) {
			problems = append(problems, p)
		}
	}
	if len(problems) > 0 {
		return nil, problemsError(field, problems)
	}
	return out, nil
}

// problemsError builds the Invalid error for problems.
func problemsError(prefix string, problems []problem) error {
	first := problems[0]
	e := platform.FieldErrorf(joinField(prefix, first.path), "%s", first.message)
	for _, p := range problems[1:] {
		e.Message += "; " + p.text(prefix)
	}
	return e
}

// applyDefaults returns v with t's defaults filled in. It copies what it changes. When
// defaulted is not nil it records the path (relative, as fieldPath writes it) of each value
// taken from a default.
func applyDefaults(t *Type, v any, path string, defaulted map[string]bool) any {
	switch v := v.(type) {
	case *render.Map:
		if len(t.Properties) == 0 {
			return v
		}
		out := render.NewMap()
		for _, p := range t.Properties {
			x, ok := v.Get(p.Name)
			field := joinField(path, p.Name)
			if (!ok || x == nil) && p.Type.HasDefault {
				if defaulted != nil {
					defaulted[field] = true
				}
				out.Set(p.Name, applyDefaults(p.Type, deepCopy(p.Type.Default), field, defaulted))
				continue
			}
			if ok {
				out.Set(p.Name, applyDefaults(p.Type, x, field, defaulted))
			}
		}
		for _, k := range v.Keys() {
			if t.Property(k) == nil {
				x, _ := v.Get(k)
				out.Set(k, x)
			}
		}
		return out
	case []any:
		if t.Items == nil {
			return v
		}
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = applyDefaults(t.Items, x, fmt.Sprintf("%s[%d]", path, i), defaulted)
		}
		return out
	}
	return v
}

// fromDefault reports whether path is, or lies under, a path in defaulted.
func fromDefault(path string, defaulted map[string]bool) bool {
	for p := range defaulted {
		if path == p || strings.HasPrefix(path, p+".") || strings.HasPrefix(path, p+"[") {
			return true
		}
	}
	return false
}

// validateStandalone validates v against t alone (used for defaults).
func validateStandalone(t *Type, v any) []problem {
	sch, err := compileType(t, false)
	if err != nil {
		return []problem{{message: err.Error()}}
	}
	return validateValue(sch, applyDefaults(t, v, "", nil))
}

// validateValue validates v and returns its problems sorted by field path.
func validateValue(sch *jsonschema.Schema, v any) []problem {
	doc := plain(v)
	err := sch.Validate(doc)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []problem{{message: err.Error()}}
	}
	var problems []problem
	collect(ve, doc, &problems)
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].path < problems[j].path })
	return dedupe(problems)
}

func dedupe(ps []problem) []problem {
	out := ps[:0]
	for i, p := range ps {
		if i > 0 && p == ps[i-1] {
			continue
		}
		out = append(out, p)
	}
	return out
}

// collect appends the leaf errors of ve.
func collect(ve *jsonschema.ValidationError, doc any, out *[]problem) {
	if len(ve.Causes) > 0 {
		for _, c := range ve.Causes {
			collect(c, doc, out)
		}
		return
	}
	path := fieldPath(doc, ve.InstanceLocation)
	switch k := ve.ErrorKind.(type) {
	case *kind.Required:
		for _, m := range k.Missing {
			*out = append(*out, problem{path: joinField(path, m), message: "is required"})
		}
	case *kind.AdditionalProperties:
		for _, p := range k.Properties {
			*out = append(*out, problem{path: joinField(path, p), message: "is not an input of the schema"})
		}
	default:
		*out = append(*out, problem{path: path, message: describe(ve.ErrorKind)})
	}
}

// fieldPath renders an instance location as a field path: ".key" for object members,
// "[i]" for array items.
func fieldPath(doc any, loc []string) string {
	var b strings.Builder
	cur := doc
	for _, seg := range loc {
		switch c := cur.(type) {
		case []any:
			b.WriteString("[" + seg + "]")
			if i, err := strconv.Atoi(seg); err == nil && i >= 0 && i < len(c) {
				cur = c[i]
			} else {
				cur = nil
			}
		case map[string]any:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(seg)
			cur = c[seg]
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(seg)
			cur = nil
		}
	}
	return b.String()
}

// describe turns a JSON Schema error kind into a message for template users.
func describe(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Type:
		return fmt.Sprintf("must be %s, got %s", article(strings.Join(k.Want, " or ")), k.Got)
	case *kind.Enum:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			b, _ := json.Marshal(w)
			want[i] = string(b)
		}
		return "must be one of " + strings.Join(want, ", ")
	case *kind.Pattern:
		return fmt.Sprintf("must match pattern %q", k.Want)
	case *kind.MinLength:
		return fmt.Sprintf("must be at least %d characters long", k.Want)
	case *kind.MaxLength:
		return fmt.Sprintf("must be at most %d characters long", k.Want)
	case *kind.Minimum:
		return "must be >= " + ratString(k.Want)
	case *kind.Maximum:
		return "must be <= " + ratString(k.Want)
	case *kind.ExclusiveMinimum:
		return "must be > " + ratString(k.Want)
	case *kind.ExclusiveMaximum:
		return "must be < " + ratString(k.Want)
	case *kind.MinItems:
		return fmt.Sprintf("must have at least %d items", k.Want)
	case *kind.MaxItems:
		return fmt.Sprintf("must have at most %d items", k.Want)
	case *kind.UniqueItems:
		return fmt.Sprintf("items %d and %d are equal; items must be unique", k.Duplicates[0], k.Duplicates[1])
	}
	return fmt.Sprintf("is invalid (%s)", strings.Join(k.KeywordPath(), "/"))
}

func article(typ string) string {
	switch typ {
	case "object", "array", "integer":
		return "an " + typ
	}
	return "a " + typ
}

// ratString writes r as an integer when it is one, else as a short decimal.
func ratString(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'g', -1, 64)
}
