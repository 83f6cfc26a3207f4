package main

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// input is one --input KEY=VALUE.
type input struct{ key, value string }

// inputList is the repeatable --input flag.
type inputList []input

func (l *inputList) String() string { return fmt.Sprint(*l) }

func (l *inputList) Set(s string) error {
	key, value, ok := strings.Cut(s, "=")
	key = strings.TrimSpace(key)
	if !ok || key == "" {
		return fmt.Errorf("%q must be KEY=VALUE", s)
	}
	*l = append(*l, input{key, value})
	return nil
}

// setInputs returns the instance spec document ("spec:" and the inputs) made from spec with
// each input set. spec may be any form the API takes for an instance: a ServiceSpec (the
// instance called instance is picked), a mapping with the single key "spec", or a plain
// mapping of inputs; empty means no inputs yet. Comments and the order of the inputs are
// kept. Values are YAML scalars: 30 is a number, true a boolean, "30" or any text that is
// not a scalar (a: b) a string; an empty value is the empty string.
func setInputs(spec, instance string, inputs []input) (string, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(spec), &doc); err != nil {
		return "", fmt.Errorf("not YAML: %v", err)
	}
	inputsNode, err := instanceInputs(&doc, instance)
	if err != nil {
		return "", err
	}
	for _, in := range inputs {
		setKey(inputsNode, in.key, scalar(in.value))
	}
	out := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: "spec"}, inputsNode}}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(out); err != nil {
		return "", err
	}
	if err := enc.Close(); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// instanceInputs finds, in a parsed spec, the mapping holding the instance's inputs,
// creating it where the spec has none.
func instanceInputs(doc *yaml.Node, instance string) (*yaml.Node, error) {
	if doc.Kind == 0 || len(doc.Content) == 0 || isNull(doc.Content[0]) {
		return &yaml.Node{Kind: yaml.MappingNode}, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: a spec must be a mapping", root.Line)
	}
	if valueOf(root, "proton") != nil {
		instances := valueOf(root, "instances")
		if instances == nil || instances.Kind != yaml.SequenceNode {
			return nil, fmt.Errorf("line %d: the ServiceSpec has no instances list", root.Line)
		}
		for _, item := range instances.Content {
			if name := valueOf(item, "name"); name != nil && name.Value == instance {
				return mappingAt(item, "spec")
			}
		}
		return nil, fmt.Errorf("the ServiceSpec has no instance named %q", instance)
	}
	if len(root.Content) == 2 && root.Content[0].Value == "spec" {
		return mappingAt(root, "spec")
	}
	return root, nil
}

// mappingAt returns the mapping under key in m, creating it when the key is missing or null.
func mappingAt(m *yaml.Node, key string) (*yaml.Node, error) {
	v := valueOf(m, key)
	switch {
	case v == nil:
		v = &yaml.Node{Kind: yaml.MappingNode}
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, v)
	case isNull(v):
		*v = yaml.Node{Kind: yaml.MappingNode}
	case v.Kind != yaml.MappingNode:
		return nil, fmt.Errorf("line %d: %s must be a mapping of inputs", v.Line, key)
	}
	v.Style = 0 // block style, even when it was written {}
	return v, nil
}

// valueOf returns the value of key in the mapping m, or nil.
func valueOf(m *yaml.Node, key string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// setKey sets key in the mapping m to v, in place when present, else at the end.
func setKey(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v.LineComment = m.Content[i+1].LineComment
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, v)
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// scalar reads value as a YAML scalar; text that is not one becomes a string.
func scalar(value string) *yaml.Node {
	if value == "" {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "", Style: yaml.DoubleQuotedStyle}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(value), &doc); err == nil && len(doc.Content) == 1 && doc.Content[0].Kind == yaml.ScalarNode {
		n := doc.Content[0]
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: n.ShortTag(), Value: n.Value, Style: n.Style &^ (yaml.LiteralStyle | yaml.FoldedStyle)}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value}
}
