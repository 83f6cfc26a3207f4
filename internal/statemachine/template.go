package statemachine

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// A payloadTemplate is a Parameters, ResultSelector or ItemSelector value: JSON in which
// every field whose name ends in ".$" holds a path or an intrinsic function whose value
// replaces it (under the name without ".$").
type payloadTemplate struct {
	literal any                // a value with no ".$" field inside
	fields  []templateField    // for an object
	items   []*payloadTemplate // for an array
	isObj   bool
	isArr   bool
}

type templateField struct {
	name  string // without ".$"
	key   string // as written
	expr  expr   // for a ".$" field
	value *payloadTemplate
}

// templateError is an error in a template, at field (e.g. "Parameters.a.$").
type templateError struct {
	field, message string
}

func (e *templateError) Error() string { return e.field + ": " + e.message }

// compileTemplate compiles v; field is where v stands (e.g. "Parameters").
func compileTemplate(v any, field string) (*payloadTemplate, error) {
	switch x := v.(type) {
	case map[string]any:
		t := &payloadTemplate{isObj: true}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		seen := map[string]string{}
		for _, k := range keys {
			name := strings.TrimSuffix(k, ".$")
			if other, dup := seen[name]; dup {
				return nil, &templateError{field, fmt.Sprintf("fields %q and %q both set %q", other, k, name)}
			}
			seen[name] = k
			if strings.HasSuffix(k, ".$") {
				s, ok := x[k].(string)
				if !ok {
					return nil, &templateError{field + "." + k, "must be a string holding a path or an intrinsic function"}
				}
				e, err := parseExpr(s)
				if err != nil {
					return nil, &templateError{field + "." + k, err.Error()}
				}
				t.fields = append(t.fields, templateField{name: name, key: k, expr: e})
				continue
			}
			sub, err := compileTemplate(x[k], field+"."+k)
			if err != nil {
				return nil, err
			}
			t.fields = append(t.fields, templateField{name: name, key: k, value: sub})
		}
		return t, nil
	case []any:
		t := &payloadTemplate{isArr: true}
		for i, item := range x {
			sub, err := compileTemplate(item, fmt.Sprintf("%s[%d]", field, i))
			if err != nil {
				return nil, err
			}
			t.items = append(t.items, sub)
		}
		return t, nil
	}
	return &payloadTemplate{literal: v}, nil
}

// referencesTaskToken reports whether a ".$" field of the template reads $$.Task.Token.
func (t *payloadTemplate) referencesTaskToken() bool {
	if t == nil {
		return false
	}
	for _, f := range t.fields {
		if f.expr != nil && exprReadsTaskToken(f.expr) {
			return true
		}
		if f.value != nil && f.value.referencesTaskToken() {
			return true
		}
	}
	for _, item := range t.items {
		if item.referencesTaskToken() {
			return true
		}
	}
	return false
}

func exprReadsTaskToken(e expr) bool {
	switch x := e.(type) {
	case pathExpr:
		return x.p.context && strings.HasPrefix(x.p.text, "$$.Task.Token")
	case *callExpr:
		for _, a := range x.args {
			if exprReadsTaskToken(a) {
				return true
			}
		}
	}
	return false
}

// apply evaluates the template. A path that selects nothing is a States.Runtime error
// naming the field; a failing intrinsic function is a States.IntrinsicFailure.
func (t *payloadTemplate) apply(env *evalEnv, field string) (any, error) {
	switch {
	case t.isObj:
		out := make(map[string]any, len(t.fields))
		for _, f := range t.fields {
			if f.expr != nil {
				v, err := f.expr.eval(env)
				if err != nil {
					var nf *errPathNotFound
					if errors.As(err, &nf) {
						return nil, runtimeErrorf("The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'", nf.p.text, f.key, encodeJSON(env.input))
					}
					return nil, err
				}
				out[f.name] = v
				continue
			}
			v, err := f.value.apply(env, field)
			if err != nil {
				return nil, err
			}
			out[f.name] = v
		}
		return out, nil
	case t.isArr:
		out := make([]any, len(t.items))
		for i, item := range t.items {
			v, err := item.apply(env, field)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	return t.literal, nil
}
