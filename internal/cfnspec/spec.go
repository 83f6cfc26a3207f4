// Package cfnspec checks rendered CloudFormation templates against the CloudFormation
// resource specification, the way CloudFormation itself rejects them: unknown resource
// types, unknown or missing properties, Fn::GetAtt of attributes a type does not have, and
// references to logical ids that do not exist.
//
// The specification is distilled from the npm package @aws-cdk/aws-service-spec (the
// version pinned in the repository's package.json) into spec.txt.gz, embedded in the
// binary: nothing is read from disk or the network at run time. Regenerate it with
// go generate after changing that version.
package cfnspec

//go:generate go run ./gen -out spec.txt.gz

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/gantry-platform/gantry/internal/cfnspec/internal/distil"
)

//go:embed spec.txt.gz
var embedded []byte

// load parses the embedded specification once; it is the package's only cache.
var load = sync.OnceValues(func() (*Spec, error) { return parse(embedded) })

// Load returns the specification embedded in the binary, parsed on the first call and
// shared afterwards (a *Spec is read-only and safe for concurrent use). Its error, an
// internal one, means the embedded file is corrupt.
func Load() (*Spec, error) {
	return load()
}

// Spec is the CloudFormation resource specification: resource types, their properties
// and attributes.
type Spec struct {
	version   string
	resources map[string]*resourceType
	types     []propertyType
}

type resourceType struct {
	name       string
	refAttr    string
	arn        string
	attributes []string
	attrSet    map[string]bool
	props      propertyType
}

// propertyType is the set of properties of a resource or of a nested property type.
type propertyType struct {
	props    map[string]valueType
	required []string // in name order
	// replaces holds the properties whose change replaces the resource ("Always") or may
	// ("Conditionally").
	replaces map[string]string
}

// valueType is a property's type: anything (a scalar or free-form JSON), a property type,
// or a list or map of a value type.
type valueType struct {
	kind byte // '*', '#', '[', '{'
	def  int  // for '#'
	elem *valueType
}

// Version returns the version of @aws-cdk/aws-service-spec the data was distilled from.
func (s *Spec) Version() string { return s.version }

// HasResourceType reports whether t is a resource type CloudFormation provisions without
// a transform. AWS::Serverless::* types exist only through the SAM transform and are not
// reported; Custom::* types are not in the specification either.
func (s *Spec) HasResourceType(t string) bool {
	_, ok := s.resources[t]
	return ok && !isServerless(t)
}

// ResourceType describes what a resource type exposes to other resources, for code that
// simulates it.
type ResourceType struct {
	Name string
	// RefAttribute is the attribute whose value Ref returns (e.g. VpcId for
	// AWS::EC2::VPC, RoleName for AWS::IAM::Role); "" when unknown.
	RefAttribute string
	// ARNTemplate is the ARN pattern, e.g. arn:${Partition}:iam::${Account}:role/${RoleName};
	// "" when unknown.
	ARNTemplate string
	// Attributes are the names Fn::GetAtt accepts, sorted.
	Attributes []string
}

// Resource returns the description of resource type t, and whether the specification
// has it (AWS::Serverless::* included).
func (s *Spec) Resource(t string) (ResourceType, bool) {
	r, ok := s.resources[t]
	if !ok {
		return ResourceType{}, false
	}
	return ResourceType{Name: r.name, RefAttribute: r.refAttr, ARNTemplate: r.arn, Attributes: append([]string(nil), r.attributes...)}, true
}

// The values of RequiresRecreation, CloudFormation's word for what a property's change
// does to its resource (the resource specification's UpdateType Mutable, Immutable and
// Conditional).
const (
	Never         = "Never"
	Always        = "Always"
	Conditionally = "Conditionally"
)

// RequiresRecreation says whether changing property of resource type t replaces the
// resource: Always (UpdateType Immutable), Conditionally (Conditional) or Never (Mutable,
// and for a type or property the specification does not have). The data is the
// specification's causesReplacement ("yes", "maybe") on the type's own properties.
func (s *Spec) RequiresRecreation(t, property string) string {
	r, ok := s.resources[t]
	if !ok {
		return Never
	}
	if v, ok := r.props.replaces[property]; ok {
		return v
	}
	return Never
}

// HasProperty reports whether resource type t has property name.
func (s *Spec) HasProperty(t, name string) bool {
	r, ok := s.resources[t]
	if !ok {
		return false
	}
	_, ok = r.props.props[name]
	return ok
}

func (p *propertyType) setReplaces(name, value string) {
	if p.replaces == nil {
		p.replaces = map[string]string{}
	}
	p.replaces[name] = value
}

func isServerless(t string) bool { return strings.HasPrefix(t, "AWS::Serverless::") }

// parse reads the distilled format (see package distil).
func parse(gz []byte) (*Spec, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("cfnspec: embedded specification: %w", err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	s := &Spec{resources: make(map[string]*resourceType, 2048)}
	lineNo := 0
	bad := func(format string, args ...any) error {
		return fmt.Errorf("cfnspec: embedded specification line %d: %s", lineNo, fmt.Sprintf(format, args...))
	}
	var current *propertyType
	// wantAttributes is the resource whose attribute line (always the one after its R
	// line) comes next.
	var wantAttributes *resourceType
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		if wantAttributes != nil && (line == "T" || strings.HasPrefix(line, "R ")) {
			return nil, bad("want the attributes of %s", wantAttributes.name)
		}
		if lineNo == 1 {
			f := strings.Fields(line)
			if len(f) != 3 || f[0] != distil.Header || f[1] != strconv.Itoa(distil.FormatVersion) {
				return nil, bad("unexpected header %q", line)
			}
			s.version = f[2]
			continue
		}
		switch {
		case line == "T":
			s.types = append(s.types, propertyType{props: map[string]valueType{}})
			current = &s.types[len(s.types)-1]
		case strings.HasPrefix(line, "R "):
			f := strings.Fields(line)
			if len(f) != 4 {
				return nil, bad("resource line %q", line)
			}
			r := &resourceType{name: f[1], props: propertyType{props: map[string]valueType{}}, attrSet: map[string]bool{}}
			if f[2] != "-" {
				r.refAttr = f[2]
			}
			if f[3] != "-" {
				r.arn = f[3]
			}
			s.resources[r.name] = r
			current, wantAttributes = &r.props, r
			continue
		case wantAttributes != nil:
			if line != "A" && !strings.HasPrefix(line, "A ") {
				return nil, bad("want the attributes of %s", wantAttributes.name)
			}
			wantAttributes.attributes = strings.Fields(line[1:])
			for _, a := range wantAttributes.attributes {
				wantAttributes.attrSet[a] = true
			}
			wantAttributes = nil
		default:
			if current == nil {
				return nil, bad("property outside a type")
			}
			name, enc, ok := strings.Cut(line, " ")
			if !ok {
				return nil, bad("property line %q", line)
			}
			vt, rest, err := decodeType(enc)
			if err != nil || rest != "" {
				return nil, bad("property type %q", enc)
			}
			switch {
			case strings.HasSuffix(name, "^"):
				name = strings.TrimSuffix(name, "^")
				current.setReplaces(name, Always)
			case strings.HasSuffix(name, "~"):
				name = strings.TrimSuffix(name, "~")
				current.setReplaces(name, Conditionally)
			}
			if strings.HasSuffix(name, "!") {
				name = strings.TrimSuffix(name, "!")
				current.required = append(current.required, name)
			}
			current.props[name] = vt
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("cfnspec: embedded specification: %w", err)
	}
	// Every #n must name a type.
	var checkRefs func(v valueType) error
	checkRefs = func(v valueType) error {
		switch v.kind {
		case '#':
			if v.def < 0 || v.def >= len(s.types) {
				return fmt.Errorf("cfnspec: embedded specification: property type #%d does not exist", v.def)
			}
		case '[', '{':
			return checkRefs(*v.elem)
		}
		return nil
	}
	for _, t := range s.types {
		for _, v := range t.props {
			if err := checkRefs(v); err != nil {
				return nil, err
			}
		}
	}
	for _, r := range s.resources {
		for _, v := range r.props.props {
			if err := checkRefs(v); err != nil {
				return nil, err
			}
		}
	}
	return s, nil
}

func decodeType(enc string) (valueType, string, error) {
	if enc == "" {
		return valueType{}, "", fmt.Errorf("empty type")
	}
	switch enc[0] {
	case '*':
		return valueType{kind: '*'}, enc[1:], nil
	case '#':
		i := 1
		for i < len(enc) && enc[i] >= '0' && enc[i] <= '9' {
			i++
		}
		n, err := strconv.Atoi(enc[1:i])
		if err != nil {
			return valueType{}, "", err
		}
		return valueType{kind: '#', def: n}, enc[i:], nil
	case '[', '{':
		elem, rest, err := decodeType(enc[1:])
		if err != nil {
			return valueType{}, "", err
		}
		return valueType{kind: enc[0], elem: &elem}, rest, nil
	}
	return valueType{}, "", fmt.Errorf("unknown type %q", enc)
}
