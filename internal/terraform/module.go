// Package terraform is what Gantry understands of a self-managed Terraform bundle
// (rendering_engine hcl, template_language terraform): the variables and input
// references of its .tf files, parsed with HCL (github.com/hashicorp/hcl/v2) and checked
// against the bundle's schema, and the files Proton wrote beside them for the
// repository's CI — proton.auto.tfvars.json and proton.variables.tf.
package terraform

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Namespace is a variable Proton declares (proton.variables.tf) and fills
// (proton.auto.tfvars.json): environment, service, service_instance, service_instances,
// pipeline.
type Namespace string

// The namespaces whose inputs a schema declares.
const (
	EnvironmentNamespace     Namespace = "environment"
	ServiceNamespace         Namespace = "service"
	ServiceInstanceNamespace Namespace = "service_instance"
	ServiceInstancesList     Namespace = "service_instances"
	PipelineNamespace        Namespace = "pipeline"
)

// protonVariables are the variables proton.variables.tf declares: a bundle declaring one
// of them again would not plan.
var protonVariables = map[string]bool{"environment": true, "service": true, "service_instance": true,
	"service_instances": true, "pipeline": true}

// Position is a place in a bundle file.
type Position struct {
	File string
	Line int
}

func (p Position) String() string { return fmt.Sprintf("%s:%d", p.File, p.Line) }

// Variable is a variable block of the bundle.
type Variable struct {
	Name       string
	HasDefault bool
	Position
}

// InputRef is a read of one input: var.<namespace>.inputs.<name> (or ["name"]).
type InputRef struct {
	Namespace Namespace
	Input     string
	Position
}

// Problem is something wrong with the module, at a position.
type Problem struct {
	Position
	Message string
}

func (p Problem) String() string { return p.Position.String() + ": " + p.Message }

// Module is one folder's Terraform files as Gantry reads them.
type Module struct {
	Variables []Variable
	InputRefs []InputRef
	// Unparsed are the files HCL cannot parse, with its first diagnostic: Terraform will
	// refuse them too, but Proton registered such bundles, so they are warnings.
	Unparsed []Problem
}

// Parse reads the .tf files among files (bundle paths → contents) whose folder is dir.
func Parse(dir string, files map[string][]byte) Module {
	var m Module
	names := make([]string, 0, len(files))
	for name := range files {
		if path.Dir(name) == dir && strings.HasSuffix(name, ".tf") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		f, diags := hclsyntax.ParseConfig(files[name], name, hcl.Pos{Line: 1, Column: 1})
		if diags.HasErrors() {
			d := diags.Errs()[0].(*hcl.Diagnostic)
			line := 0
			if d.Subject != nil {
				line = d.Subject.Start.Line
			}
			m.Unparsed = append(m.Unparsed, Problem{Position: Position{File: name, Line: line},
				Message: "Terraform cannot parse this file: " + d.Summary + "; " + d.Detail})
			continue
		}
		body := f.Body.(*hclsyntax.Body)
		for _, b := range body.Blocks {
			if b.Type == "variable" && len(b.Labels) == 1 {
				_, hasDefault := b.Body.Attributes["default"]
				m.Variables = append(m.Variables, Variable{Name: b.Labels[0], HasDefault: hasDefault,
					Position: Position{File: name, Line: b.DefRange().Start.Line}})
			}
		}
		var refs []InputRef
		_ = hclsyntax.VisitAll(body, func(n hclsyntax.Node) hcl.Diagnostics {
			if e, ok := n.(*hclsyntax.ScopeTraversalExpr); ok {
				if ref, ok := inputRef(e.Traversal); ok {
					ref.Position = Position{File: name, Line: e.SrcRange.Start.Line}
					refs = append(refs, ref)
				}
			}
			return nil
		})
		sort.SliceStable(refs, func(i, j int) bool { return refs[i].Line < refs[j].Line })
		m.InputRefs = append(m.InputRefs, refs...)
	}
	return m
}

// inputRef recognises var.<namespace>.inputs.<name> and var.<namespace>.inputs["name"].
func inputRef(t hcl.Traversal) (InputRef, bool) {
	if len(t) < 4 || t.RootName() != "var" {
		return InputRef{}, false
	}
	ns, ok1 := t[1].(hcl.TraverseAttr)
	inputs, ok2 := t[2].(hcl.TraverseAttr)
	if !ok1 || !ok2 || inputs.Name != "inputs" {
		return InputRef{}, false
	}
	switch step := t[3].(type) {
	case hcl.TraverseAttr:
		return InputRef{Namespace: Namespace(ns.Name), Input: step.Name}, true
	case hcl.TraverseIndex:
		if step.Key.Type().FriendlyName() == "string" {
			return InputRef{Namespace: Namespace(ns.Name), Input: step.Key.AsString()}, true
		}
	}
	return InputRef{}, false
}

// componentVariables are the variables proton.variables.tf declares beside a directly
// defined component's Terraform.
var componentVariables = map[string]bool{"environment": true, "service": true, "service_instance": true, "component": true}

// CheckComponent returns the problems of a directly defined component's module: it has no
// schema of its own (it reads its instance's inputs), so only a variable that Proton
// declares beside it is one.
func (m Module) CheckComponent() []Problem {
	var problems []Problem
	for _, v := range m.Variables {
		if componentVariables[v.Name] {
			problems = append(problems, Problem{Position: v.Position, Message: fmt.Sprintf(
				"variable %q is Proton's own (proton.variables.tf declares it beside the component); rename it", v.Name)})
		}
	}
	return problems
}

// Check returns the module's problems against what the schema declares: declared maps a
// namespace (environment, service_instance, pipeline) to its input names and the schema
// type that holds them (nil: the schema declares no such inputs). A module must not
// declare Proton's own variables, and every input it reads must be declared.
func (m Module) Check(declared map[Namespace]*Inputs) []Problem {
	var problems []Problem
	for _, v := range m.Variables {
		if protonVariables[v.Name] {
			problems = append(problems, Problem{Position: v.Position, Message: fmt.Sprintf(
				"variable %q is Proton's own (proton.variables.tf declares it beside the bundle); rename it", v.Name)})
		}
	}
	for _, r := range m.InputRefs {
		in, known := declared[r.Namespace]
		switch {
		case !known:
			continue // service_instances[...] and the like: not a schema's inputs
		case in == nil:
			problems = append(problems, Problem{Position: r.Position, Message: fmt.Sprintf(
				"var.%s.inputs.%s: schema/schema.yaml declares no %s inputs", r.Namespace, r.Input, r.Namespace)})
		case !in.has(r.Input):
			problems = append(problems, Problem{Position: r.Position, Message: fmt.Sprintf(
				"var.%s.inputs.%s is not an input of %s in schema/schema.yaml (it declares %s)", r.Namespace, r.Input,
				in.Type, strings.Join(in.Names, ", "))})
		}
	}
	return problems
}

// Inputs are the input names a schema type declares.
type Inputs struct {
	Type  string
	Names []string
}

func (in *Inputs) has(name string) bool {
	for _, n := range in.Names {
		if n == name {
			return true
		}
	}
	return false
}
