// Package cfntemplate parses CloudFormation templates, YAML (with the short-form tags
// !Ref, !Sub, !GetAtt, ...) or JSON, into yaml.Node trees that keep every tag and line,
// and recognises intrinsic functions in either form. Packages cfnspec (the specification
// check) and cfnsim (the simulator) share it.
package cfntemplate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Parse parses a template body and returns its root node (a document's content, not the
// document node). A JSON body (its first non-blank byte is '{') is read as JSON, anything
// else as YAML. The error, when the body is neither, names the line.
func Parse(body []byte) (*yaml.Node, error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n\ufeff")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		return parseJSON(body)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(body, &doc); err != nil {
		// yaml's messages already read "yaml: line N: ...".
		return nil, fmt.Errorf("template is not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, errors.New("template is empty")
	}
	return doc.Content[0], nil
}

// Lookup returns the value of key in mapping m, or nil when m is not a mapping or has no
// such key. Aliases are followed.
func Lookup(m *yaml.Node, key string) *yaml.Node {
	_, v := LookupKey(m, key)
	return v
}

// LookupKey is Lookup that also returns the key node (for its line).
func LookupKey(m *yaml.Node, key string) (k, v *yaml.Node) {
	m = Resolve(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], Resolve(m.Content[i+1])
		}
	}
	return nil, nil
}

// Resolve follows aliases.
func Resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// shortForms maps a YAML short-form tag to the intrinsic function's long name.
var shortForms = map[string]string{
	"!Ref": "Ref", "!Condition": "Condition",
	"!Base64": "Fn::Base64", "!Cidr": "Fn::Cidr", "!FindInMap": "Fn::FindInMap",
	"!GetAtt": "Fn::GetAtt", "!GetAZs": "Fn::GetAZs", "!ImportValue": "Fn::ImportValue",
	"!Join": "Fn::Join", "!Select": "Fn::Select", "!Split": "Fn::Split", "!Sub": "Fn::Sub",
	"!Transform": "Fn::Transform", "!If": "Fn::If", "!Equals": "Fn::Equals",
	"!Not": "Fn::Not", "!And": "Fn::And", "!Or": "Fn::Or", "!Length": "Fn::Length",
	"!ToJsonString": "Fn::ToJsonString", "!ForEach": "Fn::ForEach",
}

// Intrinsic reports whether n is an intrinsic function — a short-form tag, or a mapping
// with the single key Ref or Fn::* — and returns its long name ("Ref", "Fn::GetAtt") and
// its argument. The argument of a short form is a copy of n without the tag. "Condition"
// is returned only for the short form !Condition: as a mapping key it is the caller's
// context that decides (see ConditionRef).
func Intrinsic(n *yaml.Node) (name string, arg *yaml.Node, ok bool) {
	n = Resolve(n)
	if n == nil {
		return "", nil, false
	}
	if long, ok := shortForms[n.Tag]; ok {
		c := *n
		switch n.Kind {
		case yaml.SequenceNode:
			c.Tag = "!!seq"
		case yaml.MappingNode:
			c.Tag = "!!map"
		default:
			c.Tag = "!!str"
		}
		return long, &c, true
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 {
		k := n.Content[0].Value
		if k == "Ref" || strings.HasPrefix(k, "Fn::") {
			return k, Resolve(n.Content[1]), true
		}
	}
	return "", nil, false
}

// ConditionRef reports whether n is a condition reference inside a condition function
// ({"Condition": name} or !Condition name) and returns the name.
func ConditionRef(n *yaml.Node) (string, bool) {
	n = Resolve(n)
	if n == nil {
		return "", false
	}
	if n.Tag == "!Condition" && n.Kind == yaml.ScalarNode {
		return n.Value, true
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Value == "Condition" {
		if v := Resolve(n.Content[1]); v.Kind == yaml.ScalarNode {
			return v.Value, true
		}
	}
	return "", false
}

// Transforms returns the template's Transform entries (a string or a list).
func Transforms(root *yaml.Node) []string {
	t := Lookup(root, "Transform")
	if t == nil {
		return nil
	}
	switch t.Kind {
	case yaml.ScalarNode:
		return []string{t.Value}
	case yaml.SequenceNode:
		var out []string
		for _, e := range t.Content {
			if e = Resolve(e); e.Kind == yaml.ScalarNode {
				out = append(out, e.Value)
			}
		}
		return out
	}
	return nil
}

// SAMTransform is the Transform that makes AWS::Serverless::* types available.
const SAMTransform = "AWS::Serverless-2016-10-31"

// HasSAM reports whether the template declares the AWS SAM transform.
func HasSAM(root *yaml.Node) bool {
	for _, t := range Transforms(root) {
		if t == SAMTransform {
			return true
		}
	}
	return false
}

// PseudoParameters are the names Ref accepts without a declaration.
var PseudoParameters = map[string]bool{
	"AWS::AccountId": true, "AWS::NotificationARNs": true, "AWS::NoValue": true,
	"AWS::Partition": true, "AWS::Region": true, "AWS::StackId": true,
	"AWS::StackName": true, "AWS::URLSuffix": true,
}

// SubReference is one ${...} placeholder of an Fn::Sub string.
type SubReference struct {
	Name      string // the logical id, parameter or variable
	Attribute string // after the first '.', for ${Resource.Attribute}; "" otherwise
}

// SubReferences returns the placeholders of an Fn::Sub string in order, skipping the
// literal form ${!...}.
func SubReferences(s string) []SubReference {
	var out []SubReference
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return out
		}
		s = s[i+2:]
		j := strings.IndexByte(s, '}')
		if j < 0 {
			return out
		}
		ref := strings.TrimSpace(s[:j])
		s = s[j+1:]
		if strings.HasPrefix(ref, "!") {
			continue
		}
		name, attr, _ := strings.Cut(ref, ".")
		out = append(out, SubReference{Name: name, Attribute: attr})
	}
}

// parseJSON builds a yaml.Node tree from JSON, with the line of every node.
func parseJSON(body []byte) (*yaml.Node, error) {
	lines := lineStarts(body)
	lineAt := func(off int64) int {
		return sort.Search(len(lines), func(i int) bool { return lines[i] > int(off) })
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	fail := func(err error) error {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("template is not valid JSON: line %d: %s", lineAt(se.Offset), se.Error())
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("template is not valid JSON: line %d: unexpected end of input", len(lines))
		}
		return fmt.Errorf("template is not valid JSON: line %d: %s", lineAt(dec.InputOffset()), err)
	}
	var value func() (*yaml.Node, error)
	value = func() (*yaml.Node, error) {
		tok, err := dec.Token()
		if err != nil {
			return nil, fail(err)
		}
		// The token starts after any blank between start and it; the line of its last
		// byte is the line it is on, as tokens hold no newlines.
		line := lineAt(dec.InputOffset() - 1)
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: line, Style: yaml.FlowStyle}
				for dec.More() {
					kt, err := dec.Token()
					if err != nil {
						return nil, fail(err)
					}
					key, _ := kt.(string)
					k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key, Line: lineAt(dec.InputOffset() - 1)}
					v, err := value()
					if err != nil {
						return nil, err
					}
					n.Content = append(n.Content, k, v)
				}
				if _, err := dec.Token(); err != nil {
					return nil, fail(err)
				}
				return n, nil
			case '[':
				n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: line, Style: yaml.FlowStyle}
				for dec.More() {
					v, err := value()
					if err != nil {
						return nil, err
					}
					n.Content = append(n.Content, v)
				}
				if _, err := dec.Token(); err != nil {
					return nil, fail(err)
				}
				return n, nil
			}
			return nil, fmt.Errorf("template is not valid JSON: line %d: unexpected %q", line, t)
		case string:
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: t, Line: line}, nil
		case json.Number:
			tag := "!!int"
			if strings.ContainsAny(string(t), ".eE") {
				tag = "!!float"
			}
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: string(t), Line: line}, nil
		case bool:
			v := "false"
			if t {
				v = "true"
			}
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: v, Line: line}, nil
		case nil:
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null", Line: line}, nil
		}
		return nil, fmt.Errorf("template is not valid JSON: line %d: unexpected token", line)
	}
	root, err := value()
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("template is not valid JSON: line %d: data after the top-level value", lineAt(dec.InputOffset()))
	}
	return root, nil
}

// lineStarts returns the offset of the first byte of each line.
func lineStarts(b []byte) []int {
	starts := []int{0}
	for i, c := range b {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}
