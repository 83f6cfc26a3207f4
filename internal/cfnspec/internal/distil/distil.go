// Package distil turns the CloudFormation resource specification database of the npm
// package @aws-cdk/aws-service-spec (db.json.gz) into the compact text that package cfnspec
// embeds: resource types, their properties (required flag, nested property types),
// attributes, the identifier Ref returns and the ARN template.
//
// The format, one record per line:
//
//	gantry-cfnspec 1 <source version>    header
//	T                                     starts property type n (n counts T lines from 0)
//	R <type> <ref attribute> <arn tmpl>   starts a resource type ("-" for none)
//	A <attr> <attr> ...                   the resource's attributes (Fn::GetAtt names)
//	<name>[!][^|~] <type>                 a property of the current type; ! marks required,
//	                                      ^ a property whose change replaces the resource
//	                                      (CloudFormation's UpdateType Immutable), ~ one whose
//	                                      change may (Conditional)
//
// A property's type is "*" (a scalar or free-form JSON: not checked further), "#n"
// (property type n), "[" followed by a type (a list of it) or "{" followed by a type (a
// map of it).
package distil

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Header is the first word of the distilled format.
const Header = "gantry-cfnspec"

// FormatVersion is the version of the distilled format.
const FormatVersion = 2

type db struct {
	Schema struct {
		Resource struct {
			Entities []resource `json:"entities"`
		} `json:"resource"`
		TypeDefinition struct {
			Entities []typeDefinition `json:"entities"`
		} `json:"typeDefinition"`
	} `json:"schema"`
}

type resource struct {
	ID                 string              `json:"$id"`
	CloudFormationType string              `json:"cloudFormationType"`
	PrimaryIdentifier  []string            `json:"primaryIdentifier"`
	CfnRefIdentifier   []string            `json:"cfnRefIdentifier"`
	ArnTemplate        string              `json:"arnTemplate"`
	Attributes         map[string]property `json:"attributes"`
	Properties         map[string]property `json:"properties"`
}

type typeDefinition struct {
	ID         string              `json:"$id"`
	Properties map[string]property `json:"properties"`
}

type property struct {
	Type     typeExpr `json:"type"`
	Required bool     `json:"required"`
	// CausesReplacement is "yes" (UpdateType Immutable), "maybe" (Conditional) or ""
	// (Mutable).
	CausesReplacement string `json:"causesReplacement"`
}

type typeExpr struct {
	Type      string     `json:"type"`
	Element   *typeExpr  `json:"element"`
	Types     []typeExpr `json:"types"`
	Reference *struct {
		Ref string `json:"$ref"`
	} `json:"reference"`
}

// Distil reads the gzip'd database from dbGz and returns the distilled text (not
// compressed). version names the source package version and goes in the header.
func Distil(dbGz io.Reader, version string) ([]byte, error) {
	zr, err := gzip.NewReader(dbGz)
	if err != nil {
		return nil, fmt.Errorf("distil: db.json.gz: %w", err)
	}
	var d db
	if err := json.NewDecoder(zr).Decode(&d); err != nil {
		return nil, fmt.Errorf("distil: db.json.gz: %w", err)
	}
	w := &writer{defs: map[string]typeDefinition{}, index: map[string]int{}}
	for _, t := range d.Schema.TypeDefinition.Entities {
		w.defs[t.ID] = t
	}
	resources := d.Schema.Resource.Entities
	sort.Slice(resources, func(i, j int) bool {
		return resources[i].CloudFormationType < resources[j].CloudFormationType
	})
	// Property types first, in the order resources first reach them, so that indexes
	// are stable for a given database.
	for _, r := range resources {
		for _, name := range sortedKeys(r.Properties) {
			if err := w.reach(r.Properties[name].Type); err != nil {
				return nil, fmt.Errorf("distil: %s.%s: %w", r.CloudFormationType, name, err)
			}
		}
	}
	w.merge()
	var b strings.Builder
	fmt.Fprintf(&b, "%s %d %s\n", Header, FormatVersion, version)
	for _, body := range w.bodies {
		b.WriteString("T\n" + body)
	}
	for _, r := range resources {
		if strings.ContainsAny(r.CloudFormationType, " \n") {
			return nil, fmt.Errorf("distil: resource type %q has white space", r.CloudFormationType)
		}
		refAttr := "-"
		switch {
		case len(r.CfnRefIdentifier) > 0:
			refAttr = r.CfnRefIdentifier[0]
		case len(r.PrimaryIdentifier) > 0:
			refAttr = r.PrimaryIdentifier[0]
		}
		arn := r.ArnTemplate
		if arn == "" || strings.ContainsAny(arn, " \n") {
			arn = "-"
		}
		fmt.Fprintf(&b, "R %s %s %s\n", r.CloudFormationType, refAttr, arn)
		b.WriteString("A")
		for _, a := range sortedKeys(r.Attributes) {
			b.WriteString(" " + a)
		}
		b.WriteString("\n")
		w.writeProperties(&b, r.Properties)
	}
	return []byte(b.String()), nil
}

// tagID stands for the spec's built-in "tag" type (Key and Value, both required).
const tagID = "tag"

type writer struct {
	defs  map[string]typeDefinition
	index map[string]int // reached definition -> position in order
	order []string
	// After merge: class maps a definition to its output index; bodies are the classes'
	// property lines.
	class  map[string]int
	bodies []string
}

// merge gives structurally identical property types (same property names, flags and
// types, recursively) one output index: the resource specification repeats the same
// shapes (Tag, Filter, ...) under every service. It refines a partition until stable.
func (w *writer) merge() {
	w.class = map[string]int{}
	for _, id := range w.order {
		w.class[id] = 0
	}
	count := 1
	for {
		seen := map[string]int{}
		next := map[string]int{}
		var bodies []string
		for _, id := range w.order {
			body := w.body(id)
			c, ok := seen[body]
			if !ok {
				c = len(bodies)
				seen[body] = c
				bodies = append(bodies, body)
			}
			next[id] = c
		}
		w.class = next
		if len(bodies) == count {
			// Stable: bodies were written with the previous numbering, which has the
			// same classes in the same order.
			w.bodies = bodies
			return
		}
		count = len(bodies)
	}
}

func (w *writer) body(id string) string {
	if id == tagID {
		return "Key! *\nValue! *\n"
	}
	var b strings.Builder
	w.writeProperties(&b, w.defs[id].Properties)
	return b.String()
}

// reach gives every property type reachable from t an index.
func (w *writer) reach(t typeExpr) error {
	switch t.Type {
	case "ref":
		if t.Reference == nil {
			return fmt.Errorf("ref without reference")
		}
		return w.reachDef(t.Reference.Ref)
	case "tag":
		return w.reachDef(tagID)
	case "array", "map":
		if t.Element == nil {
			return fmt.Errorf("%s without element", t.Type)
		}
		return w.reach(*t.Element)
	case "union":
		for _, u := range t.Types {
			if err := w.reach(u); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *writer) reachDef(id string) error {
	if _, ok := w.index[id]; ok {
		return nil
	}
	def, ok := w.defs[id]
	if !ok && id != tagID {
		return fmt.Errorf("unknown type definition %s", id)
	}
	w.index[id] = len(w.order)
	w.order = append(w.order, id)
	for _, name := range sortedKeys(def.Properties) {
		if err := w.reach(def.Properties[name].Type); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

func (w *writer) writeProperties(b *strings.Builder, props map[string]property) {
	for _, name := range sortedKeys(props) {
		p := props[name]
		b.WriteString(name)
		if p.Required {
			b.WriteString("!")
		}
		switch p.CausesReplacement {
		case "yes":
			b.WriteString("^")
		case "maybe":
			b.WriteString("~")
		}
		b.WriteString(" " + w.encode(p.Type) + "\n")
	}
}

// encode writes a type in the distilled grammar. A union is checked only when all its
// members agree; otherwise it accepts anything.
func (w *writer) encode(t typeExpr) string {
	switch t.Type {
	case "ref":
		return "#" + strconv.Itoa(w.class[t.Reference.Ref])
	case "tag":
		return "#" + strconv.Itoa(w.class[tagID])
	case "array":
		return "[" + w.encode(*t.Element)
	case "map":
		return "{" + w.encode(*t.Element)
	case "union":
		first := ""
		for i, u := range t.Types {
			e := w.encode(u)
			if i == 0 {
				first = e
			} else if e != first {
				return "*"
			}
		}
		if first == "" {
			return "*"
		}
		return first
	}
	return "*"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
