package cfnsim

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/netip"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/gantry-platform/gantry/internal/cfnspec/cfntemplate"
	"github.com/gantry-platform/gantry/internal/platform"
)

// evaluation is what a template resolves to: its outputs (in template order), the
// exports it declares and the exports it imports.
type evaluation struct {
	outputs   []platform.Output
	exports   map[string]string
	imports   []string
	resources map[string]bool // logical ids
	// provisioned are the resources whose condition holds, in logical id order.
	provisioned []plannedResource
}

// noValue is what Ref AWS::NoValue evaluates to: the member it is in disappears.
type noValue struct{}

// evaluator resolves intrinsic functions against one stack. Values are string, []any,
// map[string]any or noValue. The simulator's lock is held while it runs (it reads the
// exports of other stacks).
type evaluator struct {
	sim                *Simulator
	stackName, stackID string
	root               *yaml.Node
	// forChangeSet skips planning the resources' physical ids and declaration digests,
	// which only a stack operation records: a change set is compared, not provisioned.
	forChangeSet bool

	params     map[string]any
	conditions *yaml.Node
	condValues map[string]bool
	condBusy   map[string]bool
	resources  map[string]*yaml.Node // logical id -> declaration
	types      map[string]string
	mappings   *yaml.Node
	imports    []string
	attrBusy   map[string]bool
}

// evaluate resolves the outputs, exports and imports. Its error is CloudFormation's
// message for a template it rejects when the change set is created.
func (e *evaluator) evaluate() (*evaluation, error) {
	e.condValues, e.condBusy, e.attrBusy = map[string]bool{}, map[string]bool{}, map[string]bool{}
	e.conditions = cfntemplate.Lookup(e.root, "Conditions")
	e.mappings = cfntemplate.Lookup(e.root, "Mappings")
	if err := e.parameters(); err != nil {
		return nil, err
	}
	e.resources, e.types = map[string]*yaml.Node{}, map[string]string{}
	resources := cfntemplate.Lookup(e.root, "Resources")
	for i := 0; i+1 < len(resources.Content); i += 2 {
		id := resources.Content[i].Value
		body := cfntemplate.Resolve(resources.Content[i+1])
		e.resources[id] = body
		if t := cfntemplate.Lookup(body, "Type"); t != nil {
			e.types[id] = t.Value
		}
	}
	// Imports anywhere in the resources must exist (CloudFormation checks them when it
	// creates the change set).
	for i := 0; i+1 < len(resources.Content); i += 2 {
		body := cfntemplate.Resolve(resources.Content[i+1])
		if ok, err := e.conditionOf(body); err != nil || !ok {
			if err != nil {
				return nil, err
			}
			continue
		}
		if err := e.importsIn(body); err != nil {
			return nil, err
		}
	}
	out := &evaluation{exports: map[string]string{}, resources: map[string]bool{}}
	for id := range e.resources {
		out.resources[id] = true
	}
	if !e.forChangeSet {
		provisioned, err := e.plan()
		if err != nil {
			return nil, err
		}
		out.provisioned = provisioned
	}
	outputs := cfntemplate.Lookup(e.root, "Outputs")
	if outputs != nil && outputs.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(outputs.Content); i += 2 {
			key := outputs.Content[i].Value
			body := cfntemplate.Resolve(outputs.Content[i+1])
			ok, err := e.conditionOf(body)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			value, err := e.evalString(cfntemplate.Lookup(body, "Value"), "Value of output "+key)
			if err != nil {
				return nil, err
			}
			out.outputs = append(out.outputs, platform.Output{Key: key, Value: value})
			if exp := cfntemplate.Lookup(body, "Export"); exp != nil {
				name, err := e.evalString(cfntemplate.Lookup(exp, "Name"), "Export.Name of output "+key)
				if err != nil {
					return nil, err
				}
				if _, dup := out.exports[name]; dup {
					return nil, fmt.Errorf("Template format error: duplicate Export names %s", name)
				}
				out.exports[name] = value
			}
		}
	}
	out.imports = e.imports
	return out, nil
}

// parameters takes each parameter's default (a StackDeployment carries no parameter
// values); lists are split on commas.
func (e *evaluator) parameters() error {
	e.params = map[string]any{}
	params := cfntemplate.Lookup(e.root, "Parameters")
	if params == nil || params.Kind != yaml.MappingNode {
		return nil
	}
	var missing []string
	for i := 0; i+1 < len(params.Content); i += 2 {
		name := params.Content[i].Value
		decl := cfntemplate.Resolve(params.Content[i+1])
		def := cfntemplate.Lookup(decl, "Default")
		if def == nil {
			missing = append(missing, name)
			continue
		}
		value := def.Value
		if def.Kind == yaml.SequenceNode { // a list default written as a YAML list
			var parts []string
			for _, c := range def.Content {
				parts = append(parts, c.Value)
			}
			value = strings.Join(parts, ",")
		}
		typ := ""
		if t := cfntemplate.Lookup(decl, "Type"); t != nil {
			typ = t.Value
		}
		if typ == "CommaDelimitedList" || strings.HasPrefix(typ, "List<") {
			var list []any
			for _, p := range strings.Split(value, ",") {
				list = append(list, strings.TrimSpace(p))
			}
			e.params[name] = list
		} else {
			e.params[name] = value
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("Parameters: [%s] must have values", strings.Join(missing, ", "))
	}
	return nil
}

// conditionOf evaluates the Condition member of a resource or output (true without one).
func (e *evaluator) conditionOf(body *yaml.Node) (bool, error) {
	c := cfntemplate.Lookup(body, "Condition")
	if c == nil {
		return true, nil
	}
	return e.condition(c.Value)
}

func (e *evaluator) condition(name string) (bool, error) {
	if v, ok := e.condValues[name]; ok {
		return v, nil
	}
	def := cfntemplate.Lookup(e.conditions, name)
	if def == nil {
		return false, fmt.Errorf("Template format error: Unresolved condition dependency %s", name)
	}
	if e.condBusy[name] {
		return false, fmt.Errorf("Template format error: Circular dependency between conditions [%s]", name)
	}
	e.condBusy[name] = true
	defer delete(e.condBusy, name)
	v, err := e.conditionValue(def)
	if err != nil {
		return false, err
	}
	e.condValues[name] = v
	return v, nil
}

// conditionValue evaluates a condition function.
func (e *evaluator) conditionValue(n *yaml.Node) (bool, error) {
	if name, ok := cfntemplate.ConditionRef(n); ok {
		return e.condition(name)
	}
	fn, arg, ok := cfntemplate.Intrinsic(n)
	if !ok {
		n = cfntemplate.Resolve(n)
		if n.Kind == yaml.ScalarNode && (n.Value == "true" || n.Value == "false") {
			return n.Value == "true", nil
		}
		return false, fmt.Errorf("Template format error: Conditions can only be boolean operations on parameters and other conditions (line %d)", n.Line)
	}
	args := arg.Content
	switch fn {
	case "Fn::Equals":
		if len(args) != 2 {
			return false, fmt.Errorf("Template error: Fn::Equals requires a list of two values (line %d)", arg.Line)
		}
		a, err := e.eval(args[0])
		if err != nil {
			return false, err
		}
		b, err := e.eval(args[1])
		if err != nil {
			return false, err
		}
		return fmt.Sprint(a) == fmt.Sprint(b), nil
	case "Fn::Not":
		if len(args) != 1 {
			return false, fmt.Errorf("Template error: Fn::Not requires a list of one condition (line %d)", arg.Line)
		}
		v, err := e.conditionValue(args[0])
		return !v, err
	case "Fn::And", "Fn::Or":
		if len(args) < 2 {
			return false, fmt.Errorf("Template error: %s requires a list of 2 to 10 conditions (line %d)", fn, arg.Line)
		}
		and := fn == "Fn::And"
		for _, c := range args {
			v, err := e.conditionValue(c)
			if err != nil {
				return false, err
			}
			if v != and {
				return v, nil
			}
		}
		return and, nil
	}
	return false, fmt.Errorf("Template format error: %s is not a condition function (line %d)", fn, arg.Line)
}

// importsIn checks every Fn::ImportValue under n.
func (e *evaluator) importsIn(n *yaml.Node) error {
	n = cfntemplate.Resolve(n)
	if n == nil {
		return nil
	}
	if fn, arg, ok := cfntemplate.Intrinsic(n); ok && fn == "Fn::ImportValue" {
		_, err := e.importValue(arg)
		return err
	}
	for _, c := range n.Content {
		if err := e.importsIn(c); err != nil {
			return err
		}
	}
	return nil
}

func (e *evaluator) importValue(arg *yaml.Node) (string, error) {
	name, err := e.evalString(arg, "Fn::ImportValue")
	if err != nil {
		return "", err
	}
	exp, ok := e.sim.exports[name]
	if !ok {
		return "", fmt.Errorf("No export named %s found", name)
	}
	for _, imp := range e.imports {
		if imp == name {
			return exp.value, nil
		}
	}
	e.imports = append(e.imports, name)
	return exp.value, nil
}

// evalString evaluates n to a string; what names the member, for the error.
func (e *evaluator) evalString(n *yaml.Node, what string) (string, error) {
	if n == nil {
		return "", fmt.Errorf("Template format error: %s is missing", what)
	}
	v, err := e.eval(n)
	if err != nil {
		return "", err
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("Template error: %s must evaluate to a String (line %d)", what, cfntemplate.Resolve(n).Line)
	}
	return s, nil
}

func (e *evaluator) eval(n *yaml.Node) (any, error) {
	n = cfntemplate.Resolve(n)
	if n == nil {
		return "", nil
	}
	if fn, arg, ok := cfntemplate.Intrinsic(n); ok {
		return e.intrinsic(fn, arg)
	}
	switch n.Kind {
	case yaml.SequenceNode:
		list := []any{}
		for _, c := range n.Content {
			v, err := e.eval(c)
			if err != nil {
				return nil, err
			}
			if _, skip := v.(noValue); !skip {
				list = append(list, v)
			}
		}
		return list, nil
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := e.eval(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			if _, skip := v.(noValue); !skip {
				m[n.Content[i].Value] = v
			}
		}
		return m, nil
	}
	if n.Tag == "!!null" {
		return "", nil
	}
	return n.Value, nil
}

func (e *evaluator) intrinsic(fn string, arg *yaml.Node) (any, error) {
	args := arg.Content
	need := func(count int) error {
		if arg.Kind != yaml.SequenceNode || len(args) != count {
			return fmt.Errorf("Template error: %s requires a list of %d parameters (line %d)", fn, count, arg.Line)
		}
		return nil
	}
	switch fn {
	case "Ref":
		return e.ref(arg.Value, arg.Line)
	case "Fn::GetAtt":
		var res, attr string
		if arg.Kind == yaml.ScalarNode {
			var ok bool
			if res, attr, ok = strings.Cut(arg.Value, "."); !ok {
				return nil, fmt.Errorf("Template error: every Fn::GetAtt object requires two non-empty parameters (line %d)", arg.Line)
			}
		} else {
			if err := need(2); err != nil {
				return nil, err
			}
			res = cfntemplate.Resolve(args[0]).Value
			a, err := e.evalString(args[1], "the attribute of Fn::GetAtt")
			if err != nil {
				return nil, err
			}
			attr = a
		}
		if e.resources[res] == nil {
			return nil, fmt.Errorf("Template error: instance of Fn::GetAtt references undefined resource %s", res)
		}
		return e.attribute(res, attr), nil
	case "Fn::Sub":
		return e.sub(arg)
	case "Fn::Join":
		if err := need(2); err != nil {
			return nil, err
		}
		delim, err := e.evalString(args[0], "the delimiter of Fn::Join")
		if err != nil {
			return nil, err
		}
		list, err := e.evalList(args[1], "Fn::Join")
		if err != nil {
			return nil, err
		}
		parts := make([]string, len(list))
		for i, v := range list {
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("Template error: every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined (line %d)", arg.Line)
			}
			parts[i] = s
		}
		return strings.Join(parts, delim), nil
	case "Fn::Select":
		if err := need(2); err != nil {
			return nil, err
		}
		index, err := e.evalString(args[0], "the index of Fn::Select")
		if err != nil {
			return nil, err
		}
		list, err := e.evalList(args[1], "Fn::Select")
		if err != nil {
			return nil, err
		}
		i, err := strconv.Atoi(index)
		if err != nil || i < 0 || i >= len(list) {
			return nil, fmt.Errorf("Template error: Fn::Select cannot select nonexistent value at index %s", index)
		}
		return list[i], nil
	case "Fn::Split":
		if err := need(2); err != nil {
			return nil, err
		}
		delim, err := e.evalString(args[0], "the delimiter of Fn::Split")
		if err != nil {
			return nil, err
		}
		s, err := e.evalString(args[1], "the source string of Fn::Split")
		if err != nil {
			return nil, err
		}
		var list []any
		for _, p := range strings.Split(s, delim) {
			list = append(list, p)
		}
		return list, nil
	case "Fn::If":
		if err := need(3); err != nil {
			return nil, err
		}
		ok, err := e.condition(cfntemplate.Resolve(args[0]).Value)
		if err != nil {
			return nil, err
		}
		if ok {
			return e.eval(args[1])
		}
		return e.eval(args[2])
	case "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or":
		ok, err := e.conditionValue(&yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: fn}, arg}})
		return strconv.FormatBool(ok), err
	case "Condition":
		ok, err := e.condition(arg.Value)
		return strconv.FormatBool(ok), err
	case "Fn::ImportValue":
		return e.importValue(arg)
	case "Fn::Base64":
		s, err := e.evalString(arg, "Fn::Base64")
		if err != nil {
			return nil, err
		}
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	case "Fn::GetAZs":
		region, err := e.evalString(arg, "Fn::GetAZs")
		if err != nil {
			return nil, err
		}
		if region == "" {
			region = e.sim.opts.Region
		}
		return availabilityZones(region), nil
	case "Fn::FindInMap":
		if arg.Kind != yaml.SequenceNode || len(args) < 3 {
			return nil, fmt.Errorf("Template error: Fn::FindInMap requires a list of 3 parameters (line %d)", arg.Line)
		}
		var keys [3]string
		for i := range keys {
			k, err := e.evalString(args[i], "a key of Fn::FindInMap")
			if err != nil {
				return nil, err
			}
			keys[i] = k
		}
		v := cfntemplate.Lookup(cfntemplate.Lookup(cfntemplate.Lookup(e.mappings, keys[0]), keys[1]), keys[2])
		if v == nil {
			return nil, fmt.Errorf("Template error: Unable to get mapping for %s::%s::%s", keys[0], keys[1], keys[2])
		}
		return e.eval(v)
	case "Fn::Cidr":
		if err := need(3); err != nil {
			return nil, err
		}
		var p [3]string
		for i := range p {
			s, err := e.evalString(args[i], "a parameter of Fn::Cidr")
			if err != nil {
				return nil, err
			}
			p[i] = s
		}
		return cidr(p[0], p[1], p[2])
	case "Fn::Length":
		list, err := e.evalList(arg, "Fn::Length")
		if err != nil {
			return nil, err
		}
		return strconv.Itoa(len(list)), nil
	case "Fn::ToJsonString":
		v, err := e.eval(arg)
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("Template error: Fn::ToJsonString: %v", err)
		}
		return string(b), nil
	}
	return nil, fmt.Errorf("Template format error: Encountered unsupported function: %s (line %d)", fn, arg.Line)
}

func (e *evaluator) evalList(n *yaml.Node, fn string) ([]any, error) {
	v, err := e.eval(n)
	if err != nil {
		return nil, err
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("Template error: %s requires a list (line %d)", fn, cfntemplate.Resolve(n).Line)
	}
	return list, nil
}

func (e *evaluator) ref(name string, line int) (any, error) {
	if v, ok := e.params[name]; ok {
		return v, nil
	}
	switch name {
	case "AWS::AccountId":
		return e.sim.opts.Account, nil
	case "AWS::Region":
		return e.sim.opts.Region, nil
	case "AWS::StackName":
		return e.stackName, nil
	case "AWS::StackId":
		return e.stackID, nil
	case "AWS::Partition":
		return "aws", nil
	case "AWS::URLSuffix":
		return "amazonaws.com", nil
	case "AWS::NotificationARNs":
		return []any{}, nil
	case "AWS::NoValue":
		return noValue{}, nil
	}
	if e.resources[name] != nil {
		return e.physicalID(name), nil
	}
	return nil, fmt.Errorf("Template format error: Unresolved resource dependencies [%s] in the Resources block of the template (line %d)", name, line)
}

func (e *evaluator) sub(arg *yaml.Node) (any, error) {
	str := arg
	vars := map[string]any{}
	if arg.Kind == yaml.SequenceNode {
		if len(arg.Content) != 2 && len(arg.Content) != 1 {
			return nil, fmt.Errorf("Template error: Fn::Sub requires a string or a list of a string and a map (line %d)", arg.Line)
		}
		str = cfntemplate.Resolve(arg.Content[0])
		if len(arg.Content) == 2 {
			m, err := e.eval(arg.Content[1])
			if err != nil {
				return nil, err
			}
			mm, ok := m.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("Template error: the variables of Fn::Sub must be a map (line %d)", arg.Line)
			}
			vars = mm
		}
	}
	if str.Kind != yaml.ScalarNode {
		return nil, fmt.Errorf("Template error: the first parameter of Fn::Sub must be a string (line %d)", str.Line)
	}
	s := str.Value
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		ref := strings.TrimSpace(s[i+2 : i+j])
		s = s[i+j+1:]
		if lit, ok := strings.CutPrefix(ref, "!"); ok {
			b.WriteString("${" + lit + "}")
			continue
		}
		var v any
		if vv, ok := vars[ref]; ok {
			v = vv
		} else if res, attr, ok := strings.Cut(ref, "."); ok && e.resources[res] != nil {
			v = e.attribute(res, attr)
		} else {
			var err error
			if v, err = e.ref(ref, str.Line); err != nil {
				return nil, err
			}
		}
		switch v := v.(type) {
		case string:
			b.WriteString(v)
		case []any:
			// A list parameter substitutes as its comma-joined form.
			parts := make([]string, len(v))
			for i, p := range v {
				parts[i] = fmt.Sprint(p)
			}
			b.WriteString(strings.Join(parts, ","))
		default:
			return nil, fmt.Errorf("Template error: variable %s in Fn::Sub expression does not resolve to a string (line %d)", ref, str.Line)
		}
	}
}

// availabilityZones returns the zones Fn::GetAZs gives for region.
func availabilityZones(region string) []any {
	letters := "abc"
	if region == "us-east-1" {
		letters = "abcdef"
	}
	var out []any
	for _, l := range letters {
		out = append(out, region+string(l))
	}
	return out
}

// cidr implements Fn::Cidr: count blocks of cidrBits host bits, in order, from ipBlock.
func cidr(ipBlock, countS, bitsS string) (any, error) {
	prefix, err := netip.ParsePrefix(ipBlock)
	if err != nil {
		return nil, fmt.Errorf("Template error: Fn::Cidr: invalid ipBlock %q", ipBlock)
	}
	count, err1 := strconv.Atoi(countS)
	bits, err2 := strconv.Atoi(bitsS)
	total := prefix.Addr().BitLen()
	size := total - bits
	if err1 != nil || err2 != nil || count < 1 || count > 256 || bits < 1 || size < prefix.Bits() {
		return nil, fmt.Errorf("Template error: Fn::Cidr: cannot make %s blocks of %s bits from %s", countS, bitsS, ipBlock)
	}
	if size-prefix.Bits() < 63 && count > 1<<(size-prefix.Bits()) {
		return nil, fmt.Errorf("Template error: Fn::Cidr: %s has room for fewer than %d blocks of %d bits", ipBlock, count, bits)
	}
	base := new(big.Int).SetBytes(prefix.Masked().Addr().AsSlice())
	step := new(big.Int).Lsh(big.NewInt(1), uint(bits))
	var out []any
	for i := 0; i < count; i++ {
		n := new(big.Int).Add(base, new(big.Int).Mul(step, big.NewInt(int64(i))))
		raw := n.FillBytes(make([]byte, total/8))
		addr, _ := netip.AddrFromSlice(raw)
		out = append(out, netip.PrefixFrom(addr, size).String())
	}
	return out, nil
}
