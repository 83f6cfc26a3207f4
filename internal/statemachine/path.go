package statemachine

import (
	"fmt"
	"strconv"
	"strings"
)

// A path is a JSONPath of the subset the runner supports: $ (the state's input) or $$ (the
// context object), followed by .field, ['field'] and [N] steps.
type path struct {
	text    string
	context bool // starts with $$
	steps   []pathStep
}

type pathStep struct {
	field   string
	index   int
	isIndex bool
}

func (p path) String() string { return p.text }

// parsePath parses a path; the error says what part is not supported.
func parsePath(text string) (path, error) {
	p := path{text: text}
	rest := text
	switch {
	case strings.HasPrefix(rest, "$$"):
		p.context = true
		rest = rest[2:]
	case strings.HasPrefix(rest, "$"):
		rest = rest[1:]
	default:
		return p, fmt.Errorf("path %q must start with $ or $$", text)
	}
	for rest != "" {
		switch {
		case rest[0] == '.':
			end := strings.IndexAny(rest[1:], ".[")
			if end < 0 {
				end = len(rest) - 1
			}
			name := rest[1 : 1+end]
			if name == "" || name == "*" || strings.ContainsAny(name, " \t\n()?@*") {
				return p, fmt.Errorf("path %q: %q is not supported (the runner supports $, .field, ['field'] and [N])", text, rest[:1+end])
			}
			p.steps = append(p.steps, pathStep{field: name})
			rest = rest[1+end:]
		case strings.HasPrefix(rest, "['") || strings.HasPrefix(rest, `["`):
			quote := rest[1]
			end := strings.IndexByte(rest[2:], quote)
			if end < 0 || !strings.HasPrefix(rest[2+end+1:], "]") {
				return p, fmt.Errorf("path %q: unterminated bracket", text)
			}
			p.steps = append(p.steps, pathStep{field: rest[2 : 2+end]})
			rest = rest[2+end+2:]
		case rest[0] == '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return p, fmt.Errorf("path %q: unterminated bracket", text)
			}
			n, err := strconv.Atoi(rest[1:end])
			if err != nil || n < 0 {
				return p, fmt.Errorf("path %q: %q is not supported (the runner supports $, .field, ['field'] and [N])", text, rest[:end+1])
			}
			p.steps = append(p.steps, pathStep{index: n, isIndex: true})
			rest = rest[end+1:]
		default:
			return p, fmt.Errorf("path %q: unexpected %q", text, rest)
		}
	}
	return p, nil
}

// lookup returns the value the path selects in root, and whether it exists.
func (p path) lookup(root any) (any, bool) {
	cur := root
	for _, s := range p.steps {
		if s.isIndex {
			arr, ok := cur.([]any)
			if !ok || s.index >= len(arr) {
				return nil, false
			}
			cur = arr[s.index]
			continue
		}
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[s.field]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// set returns a copy of root with value at the path, creating missing objects on the
// way. It fails when a step meets a value that is not an object (or, for [N], an array
// long enough).
func (p path) set(root any, value any) (any, error) {
	return setSteps(root, p.steps, value, p.text)
}

func setSteps(cur any, steps []pathStep, value any, text string) (any, error) {
	if len(steps) == 0 {
		return value, nil
	}
	s := steps[0]
	if s.isIndex {
		arr, ok := cur.([]any)
		if !ok || s.index >= len(arr) {
			return nil, fmt.Errorf("unable to apply ResultPath %q: [%d] does not match an existing array element", text, s.index)
		}
		elem, err := setSteps(arr[s.index], steps[1:], value, text)
		if err != nil {
			return nil, err
		}
		out := append([]any(nil), arr...)
		out[s.index] = elem
		return out, nil
	}
	var obj map[string]any
	switch c := cur.(type) {
	case map[string]any:
		obj = c
	case nil:
		obj = nil
	default:
		return nil, fmt.Errorf("unable to apply ResultPath %q to a %s", text, jsonTypeName(cur))
	}
	child, exists := obj[s.field]
	if !exists {
		child = nil
	}
	elem, err := setSteps(child, steps[1:], value, text)
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(obj)+1)
	for k, v := range obj {
		out[k] = v
	}
	out[s.field] = elem
	return out, nil
}
