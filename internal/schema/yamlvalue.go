package schema

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/gantry-platform/gantry/internal/render"
)

// maxValueNodes bounds how many YAML nodes one conversion visits, aliases counted each time
// they are expanded, so that a small document full of nested aliases cannot blow up.
const maxValueNodes = 100_000

// jsonNumber matches a number literal as JSON writes it.
var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// lineError is an error about the YAML node at Line.
type lineError struct {
	Line    int
	Message string
}

func (e *lineError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return e.Message
}

func lineErrorf(n *yaml.Node, format string, args ...any) *lineError {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &lineError{Line: line, Message: fmt.Sprintf(format, args...)}
}

// valueConverter turns YAML nodes into the values templates see: *render.Map (keys in
// document order), []any, string, bool, json.Number (integers stay integers) and nil.
type valueConverter struct {
	visited int
}

func (c *valueConverter) value(n *yaml.Node) (any, error) {
	c.visited++
	if c.visited > maxValueNodes {
		return nil, lineErrorf(n, "document too complex (more than %d values after alias expansion)", maxValueNodes)
	}
	switch n.Kind {
	case 0:
		return nil, nil // an empty document
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.value(n.Content[0])
	case yaml.AliasNode:
		return c.value(n.Alias)
	case yaml.MappingNode:
		m := render.NewMap()
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			key, err := mappingKey(k)
			if err != nil {
				return nil, err
			}
			if _, dup := m.Get(key); dup {
				return nil, lineErrorf(k, "duplicate key %q", key)
			}
			val, err := c.value(v)
			if err != nil {
				return nil, err
			}
			m.Set(key, val)
		}
		return m, nil
	case yaml.SequenceNode:
		list := make([]any, 0, len(n.Content))
		for _, item := range n.Content {
			v, err := c.value(item)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, nil
	case yaml.ScalarNode:
		return scalarValue(n)
	}
	return nil, lineErrorf(n, "unexpected YAML node")
}

// mappingKey returns the text of a mapping key; keys must be plain scalars.
func mappingKey(k *yaml.Node) (string, error) {
	if k.Kind == yaml.AliasNode && k.Alias != nil {
		k = k.Alias
	}
	if k.Kind != yaml.ScalarNode {
		return "", lineErrorf(k, "mapping keys must be scalars")
	}
	if k.ShortTag() == "!!merge" {
		return "", lineErrorf(k, "merge keys (<<) are not supported")
	}
	return k.Value, nil
}

func scalarValue(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, lineErrorf(n, "invalid boolean %q", n.Value)
		}
		return b, nil
	case "!!int":
		if jsonNumber.MatchString(n.Value) {
			return json.Number(n.Value), nil
		}
		var i int64
		if err := n.Decode(&i); err == nil {
			return json.Number(strconv.FormatInt(i, 10)), nil
		}
		var u uint64
		if err := n.Decode(&u); err == nil {
			return json.Number(strconv.FormatUint(u, 10)), nil
		}
		return nil, lineErrorf(n, "invalid integer %q", n.Value)
	case "!!float":
		if jsonNumber.MatchString(n.Value) {
			return json.Number(n.Value), nil
		}
		var f float64
		if err := n.Decode(&f); err != nil {
			return nil, lineErrorf(n, "invalid number %q", n.Value)
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, lineErrorf(n, "%q is not a finite number", n.Value)
		}
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return json.Number(s), nil
	case "!!str", "!!timestamp", "!!binary":
		return n.Value, nil
	}
	return nil, lineErrorf(n, "unsupported YAML tag %s", n.Tag)
}

// parseYAML parses one YAML document; the error names the line.
func parseYAML(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlSyntaxError(err)
	}
	return &doc, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlSyntaxError rewrites a YAML library error as a *lineError.
func yamlSyntaxError(err error) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &lineError{Line: line, Message: m[2]}
	}
	return &lineError{Message: strings.TrimPrefix(msg, "yaml: ")}
}

// plain returns v with every *render.Map turned into map[string]any, the form the JSON Schema
// validator expects.
func plain(v any) any {
	switch v := v.(type) {
	case *render.Map:
		out := make(map[string]any, v.Len())
		for _, k := range v.Keys() {
			x, _ := v.Get(k)
			out[k] = plain(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = plain(x)
		}
		return out
	}
	return v
}

// deepCopy copies maps and lists so that a default value is never shared between results.
func deepCopy(v any) any {
	switch v := v.(type) {
	case *render.Map:
		out := render.NewMap()
		for _, k := range v.Keys() {
			x, _ := v.Get(k)
			out.Set(k, deepCopy(x))
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = deepCopy(x)
		}
		return out
	}
	return v
}
