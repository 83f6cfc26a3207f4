package cfnspec

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/gantry-platform/gantry/internal/cfnspec/cfntemplate"
)

// Problem is one thing CloudFormation would reject in a template: LogicalID names the
// resource (or output) it is about, "" for the template as a whole; Line is the line of
// the offending node (1-based); Message uses CloudFormation's wording.
//
// Messages that start with "Template" are rejected up front, when the change set is
// created (RejectedUpFront); the others fail the resource while the stack is provisioned.
type Problem struct {
	LogicalID string
	Line      int
	Message   string
}

// RejectedUpFront reports whether CloudFormation rejects the template before
// provisioning anything (a template format error) rather than failing the resource
// during the operation.
func (p Problem) RejectedUpFront() bool {
	return strings.HasPrefix(p.Message, "Template")
}

// String formats the problem as CloudFormation's resource status reason would:
// "LogicalID: message".
func (p Problem) String() string {
	if p.LogicalID == "" {
		return p.Message
	}
	return p.LogicalID + ": " + p.Message
}

// Check parses template (YAML, short-form tags included, or JSON) and returns what
// CloudFormation would reject, in document order; nil when it finds nothing. The error is
// only for a template that is neither YAML nor JSON, and names the line.
//
// It skips the properties of Custom::* and AWS::CloudFormation::CustomResource resources,
// of AWS::Serverless::* resources when the template declares the SAM transform, and
// property values that are intrinsic functions.
func (s *Spec) Check(template []byte) ([]Problem, error) {
	root, err := cfntemplate.Parse(template)
	if err != nil {
		return nil, err
	}
	return s.CheckNode(root), nil
}

// CheckNode is Check on a template already parsed with cfntemplate.Parse.
func (s *Spec) CheckNode(root *yaml.Node) []Problem {
	c := &checker{spec: s, sam: cfntemplate.HasSAM(root)}
	return c.run(root)
}

// resourceKeys are the members a resource declaration may have.
var resourceKeys = map[string]bool{
	"Type": true, "Properties": true, "DependsOn": true, "Condition": true, "Metadata": true,
	"DeletionPolicy": true, "UpdateReplacePolicy": true, "UpdatePolicy": true,
	"CreationPolicy": true, "Version": true,
}

type checker struct {
	spec     *Spec
	sam      bool
	problems []Problem

	params     map[string]bool
	conditions map[string]bool
	resources  map[string]*yaml.Node // logical id -> Type value ("" type when missing)
	types      map[string]string
	serverless []string // logical ids of AWS::Serverless::* resources
}

func (c *checker) add(id string, line int, format string, args ...any) {
	c.problems = append(c.problems, Problem{LogicalID: id, Line: line, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) run(root *yaml.Node) []Problem {
	root = cfntemplate.Resolve(root)
	if root.Kind != yaml.MappingNode {
		c.add("", root.Line, "Template format error: the template must be a JSON or YAML object")
		return c.problems
	}
	c.params = keySet(cfntemplate.Lookup(root, "Parameters"))
	c.conditions = keySet(cfntemplate.Lookup(root, "Conditions"))
	c.resources = map[string]*yaml.Node{}
	c.types = map[string]string{}
	resKey, resources := cfntemplate.LookupKey(root, "Resources")
	if resources == nil || resources.Kind != yaml.MappingNode || len(resources.Content) == 0 {
		line := root.Line
		if resKey != nil {
			line = resKey.Line
		}
		c.add("", line, "Template format error: At least one Resources member must be defined.")
		return c.problems
	}
	for i := 0; i+1 < len(resources.Content); i += 2 {
		id := resources.Content[i].Value
		body := cfntemplate.Resolve(resources.Content[i+1])
		c.resources[id] = body
		if t := cfntemplate.Lookup(body, "Type"); t != nil && t.Kind == yaml.ScalarNode {
			c.types[id] = t.Value
			if isServerless(t.Value) {
				c.serverless = append(c.serverless, id)
			}
		}
	}
	for i := 0; i+1 < len(resources.Content); i += 2 {
		c.resource(resources.Content[i], cfntemplate.Resolve(resources.Content[i+1]))
	}
	if outputs := cfntemplate.Lookup(root, "Outputs"); outputs != nil && outputs.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(outputs.Content); i += 2 {
			c.references(outputs.Content[i].Value, "Outputs", outputs.Content[i+1])
		}
	}
	return c.problems
}

func keySet(m *yaml.Node) map[string]bool {
	set := map[string]bool{}
	if m != nil && m.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(m.Content); i += 2 {
			set[m.Content[i].Value] = true
		}
	}
	return set
}

func (c *checker) resource(key, body *yaml.Node) {
	id := key.Value
	if body.Kind != yaml.MappingNode {
		c.add(id, key.Line, "Template format error: Every Resources object must contain a Type member.")
		return
	}
	typeNode := cfntemplate.Lookup(body, "Type")
	if typeNode == nil || typeNode.Kind != yaml.ScalarNode || typeNode.Value == "" {
		c.add(id, key.Line, "Template format error: Every Resources object must contain a Type member.")
		return
	}
	t := typeNode.Value
	serverless := isServerless(t) && c.sam
	if !serverless {
		for i := 0; i+1 < len(body.Content); i += 2 {
			if k := body.Content[i]; !resourceKeys[k.Value] {
				c.add(id, k.Line, "Template format error: Invalid template resource property '%s'", k.Value)
			}
		}
	}
	if cond := cfntemplate.Lookup(body, "Condition"); cond != nil && cond.Kind == yaml.ScalarNode && !c.conditions[cond.Value] {
		c.add(id, cond.Line, "Template format error: Unresolved dependencies [%s]. Cannot reference resources in the Conditions block of the template", cond.Value)
	}
	if deps := cfntemplate.Lookup(body, "DependsOn"); deps != nil {
		names := []*yaml.Node{deps}
		if deps.Kind == yaml.SequenceNode {
			names = deps.Content
		}
		for _, n := range names {
			if n.Kind == yaml.ScalarNode && c.resources[n.Value] == nil && !c.generated(n.Value) {
				c.add(id, n.Line, "Template format error: Unresolved resource dependencies [%s] in the Resources block of the template", n.Value)
			}
		}
	}
	for i := 0; i+1 < len(body.Content); i += 2 {
		switch body.Content[i].Value {
		case "Properties", "Metadata", "UpdatePolicy", "CreationPolicy":
			c.references(id, "Resources", body.Content[i+1])
		}
	}

	custom := strings.HasPrefix(t, "Custom::") || t == "AWS::CloudFormation::CustomResource"
	r, known := c.spec.resources[t]
	switch {
	case custom || serverless:
		return
	case !known || isServerless(t):
		c.add(id, typeNode.Line, "Template format error: Unrecognized resource types: [%s]", t)
		return
	}
	propsKey, props := cfntemplate.LookupKey(body, "Properties")
	if props == nil {
		c.required(id, key.Line, "", &r.props, nil)
		return
	}
	if _, _, ok := cfntemplate.Intrinsic(props); ok {
		return
	}
	if props.Kind != yaml.MappingNode {
		if props.Tag == "!!null" {
			c.required(id, propsKey.Line, "", &r.props, nil)
		}
		return
	}
	c.object(id, "", &r.props, props, propsKey.Line)
}

// object checks a mapping against a property type: every required key present and, for
// the resource's own Properties (path ""), every key known. Unknown keys of nested
// objects are not reported: CloudFormation has provisioned templates with them (the
// conformance suite holds an S3 bucket whose ServerSideEncryptionConfiguration carries a
// misplaced SSEAlgorithm), so reporting them would be a false positive.
func (c *checker) object(id, path string, t *propertyType, m *yaml.Node, line int) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		vt, ok := t.props[k.Value]
		if !ok {
			if path == "" {
				c.add(id, k.Line, "Encountered unsupported property %s", k.Value)
			}
			continue
		}
		c.value(id, join(path, k.Value), vt, m.Content[i+1])
	}
	c.required(id, line, path, t, m)
}

func (c *checker) required(id string, line int, path string, t *propertyType, m *yaml.Node) {
	for _, name := range t.required {
		if cfntemplate.Lookup(m, name) == nil {
			c.add(id, line, "Property %s cannot be empty.", join(path, name))
		}
	}
}

func (c *checker) value(id, path string, vt valueType, n *yaml.Node) {
	n = cfntemplate.Resolve(n)
	if _, _, ok := cfntemplate.Intrinsic(n); ok {
		return
	}
	switch vt.kind {
	case '#':
		if n.Kind == yaml.MappingNode {
			c.object(id, path, &c.spec.types[vt.def], n, n.Line)
		}
	case '[':
		if n.Kind == yaml.SequenceNode {
			for i, e := range n.Content {
				c.value(id, path+"["+strconv.Itoa(i)+"]", *vt.elem, e)
			}
		}
	case '{':
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				c.value(id, join(path, n.Content[i].Value), *vt.elem, n.Content[i+1])
			}
		}
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// generated reports whether name may be a logical id the SAM transform generates from a
// serverless resource (MyFunctionRole, ServerlessRestApi, ...).
func (c *checker) generated(name string) bool {
	if !c.sam {
		return false
	}
	if strings.HasPrefix(name, "Serverless") {
		return true
	}
	for _, id := range c.serverless {
		if strings.HasPrefix(name, id) {
			return true
		}
	}
	return false
}

// references walks n for Ref, Fn::GetAtt, Fn::Sub and Fn::If and reports names that do
// not resolve. block is "Resources" or "Outputs", for the message.
func (c *checker) references(id, block string, n *yaml.Node) {
	n = cfntemplate.Resolve(n)
	if n == nil {
		return
	}
	seen := map[string]bool{}
	unresolved := func(line int, name string) {
		if seen[name] {
			return
		}
		seen[name] = true
		c.add(id, line, "Template format error: Unresolved resource dependencies [%s] in the %s block of the template", name, block)
	}
	var walk func(n *yaml.Node, locals map[string]bool)
	walk = func(n *yaml.Node, locals map[string]bool) {
		n = cfntemplate.Resolve(n)
		if n == nil {
			return
		}
		name, arg, ok := cfntemplate.Intrinsic(n)
		if !ok {
			for _, e := range n.Content {
				walk(e, locals)
			}
			return
		}
		switch name {
		case "Ref":
			if arg.Kind == yaml.ScalarNode {
				if !c.refable(arg.Value) && !locals[arg.Value] {
					unresolved(arg.Line, arg.Value)
				}
				return
			}
		case "Fn::GetAtt":
			c.getAtt(id, arg, unresolved)
			for _, e := range arg.Content {
				walk(e, locals)
			}
			return
		case "Fn::Sub":
			str, vars := arg, (*yaml.Node)(nil)
			if arg.Kind == yaml.SequenceNode && len(arg.Content) > 0 {
				str = cfntemplate.Resolve(arg.Content[0])
				if len(arg.Content) > 1 {
					vars = cfntemplate.Resolve(arg.Content[1])
				}
			}
			inner := keySet(vars)
			if str.Kind == yaml.ScalarNode {
				for _, ref := range cfntemplate.SubReferences(str.Value) {
					switch {
					case inner[ref.Name] || locals[ref.Name]:
					case ref.Attribute == "":
						if !c.refable(ref.Name) {
							unresolved(str.Line, ref.Name)
						}
					default:
						c.getAttName(id, str.Line, ref.Name, ref.Attribute, unresolved)
					}
				}
			} else {
				walk(str, locals)
			}
			if vars != nil {
				walk(vars, locals)
			}
			return
		case "Fn::If":
			if arg.Kind == yaml.SequenceNode && len(arg.Content) > 0 {
				if cond := cfntemplate.Resolve(arg.Content[0]); cond.Kind == yaml.ScalarNode && !c.conditions[cond.Value] {
					c.add(id, cond.Line, "Template error: unresolved condition dependency %s in Fn::If", cond.Value)
				}
				for _, e := range arg.Content[1:] {
					walk(e, locals)
				}
				return
			}
		case "Fn::ForEach":
			// The loop's identifier is a local name inside its body.
			if arg.Kind == yaml.SequenceNode && len(arg.Content) == 3 {
				inner := map[string]bool{}
				for k := range locals {
					inner[k] = true
				}
				if v := cfntemplate.Resolve(arg.Content[0]); v.Kind == yaml.ScalarNode {
					inner[v.Value] = true
				}
				walk(arg.Content[1], locals)
				walk(arg.Content[2], inner)
				return
			}
		}
		walk(arg, locals)
	}
	walk(n, nil)
}

// refable reports whether Ref name resolves: a parameter, a resource, a pseudo parameter.
func (c *checker) refable(name string) bool {
	return c.params[name] || c.resources[name] != nil || cfntemplate.PseudoParameters[name] || c.generated(name)
}

func (c *checker) getAtt(id string, arg *yaml.Node, unresolved func(int, string)) {
	switch arg.Kind {
	case yaml.ScalarNode:
		res, attr, ok := strings.Cut(arg.Value, ".")
		if !ok {
			c.add(id, arg.Line, "Template error: every Fn::GetAtt object requires two non-empty parameters")
			return
		}
		c.getAttName(id, arg.Line, res, attr, unresolved)
	case yaml.SequenceNode:
		if len(arg.Content) != 2 {
			c.add(id, arg.Line, "Template error: every Fn::GetAtt object requires two non-empty parameters")
			return
		}
		res := cfntemplate.Resolve(arg.Content[0])
		attr := cfntemplate.Resolve(arg.Content[1])
		if res.Kind != yaml.ScalarNode {
			return
		}
		if attr.Kind != yaml.ScalarNode || attr.Tag != "!!str" && attr.Tag != "" {
			// An attribute given by an intrinsic: only the resource can be checked.
			c.getAttName(id, res.Line, res.Value, "", unresolved)
			return
		}
		c.getAttName(id, res.Line, res.Value, attr.Value, unresolved)
	}
}

// getAttName checks Fn::GetAtt res.attr; attr "" checks only the resource.
func (c *checker) getAttName(id string, line int, res, attr string, unresolved func(int, string)) {
	if c.resources[res] == nil {
		if !c.generated(res) {
			c.add(id, line, "Template error: instance of Fn::GetAtt references undefined resource %s", res)
		}
		return
	}
	if attr == "" {
		return
	}
	t := c.types[res]
	if strings.HasPrefix(t, "Custom::") || t == "AWS::CloudFormation::CustomResource" || isServerless(t) {
		return
	}
	r, ok := c.spec.resources[t]
	if !ok || r.attrSet[attr] {
		return
	}
	// A.B of an attribute A that is itself an object (AWS::CloudFormation::Stack's
	// Outputs.Name) is accepted.
	for i := strings.LastIndexByte(attr, '.'); i > 0; i = strings.LastIndexByte(attr[:i], '.') {
		if r.attrSet[attr[:i]] {
			return
		}
	}
	c.add(id, line, "Template error: resource %s does not support attribute type %s in Fn::GetAtt", res, attr)
}
