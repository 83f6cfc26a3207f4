package statemachine

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
)

type choiceRule struct {
	cond *condition
	next string
}

// condition is one Boolean expression of a Choice rule: And, Or, Not, or a comparison
// of Variable with a literal value or with the value of another path.
type condition struct {
	and, or   []*condition
	not       *condition
	variable  path
	op        string // e.g. "StringEquals", without the "Path" suffix
	value     any    // the literal to compare with
	valuePath *path  // for the ...Path operators
}

// comparison operators by the JSON type of their operand; the Is* tests take a boolean.
var comparisonOperand = map[string]string{
	"StringEquals": "string", "StringLessThan": "string", "StringGreaterThan": "string",
	"StringLessThanEquals": "string", "StringGreaterThanEquals": "string", "StringMatches": "string",
	"NumericEquals": "number", "NumericLessThan": "number", "NumericGreaterThan": "number",
	"NumericLessThanEquals": "number", "NumericGreaterThanEquals": "number",
	"BooleanEquals":   "boolean",
	"TimestampEquals": "timestamp", "TimestampLessThan": "timestamp", "TimestampGreaterThan": "timestamp",
	"TimestampLessThanEquals": "timestamp", "TimestampGreaterThanEquals": "timestamp",
	"IsNull": "boolean", "IsPresent": "boolean", "IsNumeric": "boolean", "IsString": "boolean",
	"IsBoolean": "boolean", "IsTimestamp": "boolean",
}

func (p *parser) choice(st *state, obj map[string]json.RawMessage, prefix string) error {
	var rules []map[string]json.RawMessage
	if err := unmarshalField(obj, "Choices", prefix, &rules); err != nil {
		return err
	}
	if len(rules) == 0 {
		return platform.FieldErrorf(prefix+"Choices", "a Choice state needs at least one rule")
	}
	if err := unmarshalField(obj, "Default", prefix, &st.defaultNext); err != nil {
		return err
	}
	for i, r := range rules {
		at := fmt.Sprintf("%sChoices[%d].", prefix, i)
		var rule choiceRule
		if err := unmarshalField(r, "Next", at, &rule.next); err != nil {
			return err
		}
		if rule.next == "" {
			return platform.FieldErrorf(at+"Next", "a top-level Choice rule needs Next")
		}
		delete(r, "Next")
		cond, err := parseCondition(r, at)
		if err != nil {
			return err
		}
		rule.cond = cond
		st.choices = append(st.choices, rule)
	}
	return nil
}

func parseCondition(r map[string]json.RawMessage, at string) (*condition, error) {
	delete(r, "Comment")
	if _, ok := r["Next"]; ok {
		return nil, platform.FieldErrorf(at+"Next", "only top-level Choice rules may have Next")
	}
	c := &condition{}
	for _, op := range []string{"And", "Or"} {
		raw, ok := r[op]
		if !ok {
			continue
		}
		if len(r) != 1 {
			return nil, platform.FieldErrorf(at+op, "%s must be the only field of its rule", op)
		}
		var subs []map[string]json.RawMessage
		if err := json.Unmarshal(raw, &subs); err != nil || len(subs) == 0 {
			return nil, platform.FieldErrorf(at+op, "must be a non-empty list of rules")
		}
		for i, s := range subs {
			sub, err := parseCondition(s, fmt.Sprintf("%s%s[%d].", at, op, i))
			if err != nil {
				return nil, err
			}
			if op == "And" {
				c.and = append(c.and, sub)
			} else {
				c.or = append(c.or, sub)
			}
		}
		return c, nil
	}
	if raw, ok := r["Not"]; ok {
		if len(r) != 1 {
			return nil, platform.FieldErrorf(at+"Not", "Not must be the only field of its rule")
		}
		var sub map[string]json.RawMessage
		if err := json.Unmarshal(raw, &sub); err != nil || sub == nil {
			return nil, platform.FieldErrorf(at+"Not", "must be a rule")
		}
		inner, err := parseCondition(sub, at+"Not.")
		if err != nil {
			return nil, err
		}
		c.not = inner
		return c, nil
	}
	var variable string
	if err := unmarshalField(r, "Variable", at, &variable); err != nil {
		return nil, err
	}
	if variable == "" {
		return nil, platform.FieldErrorf(at+"Variable", "a comparison needs a Variable path")
	}
	v, err := parsePath(variable)
	if err != nil {
		return nil, platform.FieldErrorf(at+"Variable", "%v", err)
	}
	c.variable = v
	var ops []string
	for k := range r {
		if k != "Variable" {
			ops = append(ops, k)
		}
	}
	sort.Strings(ops)
	if len(ops) != 1 {
		return nil, platform.FieldErrorf(strings.TrimSuffix(at, "."), "a comparison needs exactly one operator, found %v", ops)
	}
	op := ops[0]
	base := strings.TrimSuffix(op, "Path")
	operand, known := comparisonOperand[op]
	if !known {
		if _, ok := comparisonOperand[base]; !ok || strings.HasPrefix(base, "Is") || base == "StringMatches" {
			return nil, platform.FieldErrorf(at+op, "unknown comparison operator")
		}
		var text string
		if err := json.Unmarshal(r[op], &text); err != nil {
			return nil, platform.FieldErrorf(at+op, "must be a path string")
		}
		vp, err := parsePath(text)
		if err != nil {
			return nil, platform.FieldErrorf(at+op, "%v", err)
		}
		c.op, c.valuePath = base, &vp
		return c, nil
	}
	value, err := decodeJSON(r[op])
	if err != nil {
		return nil, platform.FieldErrorf(at+op, "%v", err)
	}
	switch operand {
	case "string":
		_, ok := value.(string)
		if !ok {
			return nil, platform.FieldErrorf(at+op, "must be a string")
		}
	case "number":
		if _, ok := numberOf(value); !ok {
			return nil, platform.FieldErrorf(at+op, "must be a number")
		}
	case "boolean":
		if _, ok := value.(bool); !ok {
			return nil, platform.FieldErrorf(at+op, "must be true or false")
		}
	case "timestamp":
		s, _ := value.(string)
		t, err := parseTimestamp(s)
		if err != nil {
			return nil, platform.FieldErrorf(at+op, "%v", err)
		}
		value = t
	}
	c.op, c.value = op, value
	return c, nil
}

// evaluate returns whether the condition holds for the input. A Variable (or a ...Path
// operand) that selects nothing is a States.Runtime error, except for IsPresent.
func (c *condition) evaluate(env *evalEnv) (bool, error) {
	switch {
	case c.and != nil:
		for _, sub := range c.and {
			ok, err := sub.evaluate(env)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case c.or != nil:
		for _, sub := range c.or {
			ok, err := sub.evaluate(env)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case c.not != nil:
		ok, err := c.not.evaluate(env)
		return !ok, err
	}
	v, present := lookupIn(env, c.variable)
	if c.op == "IsPresent" {
		return present == c.value.(bool), nil
	}
	if !present {
		return false, runtimeErrorf("Invalid path '%s': The choice state's condition path references an invalid value.", c.variable.text)
	}
	want := c.value
	if c.valuePath != nil {
		var ok bool
		if want, ok = lookupIn(env, *c.valuePath); !ok {
			return false, runtimeErrorf("Invalid path '%s': The choice state's condition path references an invalid value.", c.valuePath.text)
		}
		if strings.HasPrefix(c.op, "Timestamp") {
			s, _ := want.(string)
			t, err := parseTimestamp(s)
			if err != nil {
				return false, nil
			}
			want = t
		}
	}
	return compare(c.op, v, want), nil
}

func lookupIn(env *evalEnv, p path) (any, bool) {
	if p.context {
		return p.lookup(env.context)
	}
	return p.lookup(env.input)
}

// compare applies op to the variable's value v and the operand want. A value of another
// type than the operator compares as false, as in Step Functions.
func compare(op string, v, want any) bool {
	switch op {
	case "IsNull":
		return (v == nil) == want.(bool)
	case "IsNumeric":
		_, ok := numberOf(v)
		return ok == want.(bool)
	case "IsString":
		_, ok := v.(string)
		return ok == want.(bool)
	case "IsBoolean":
		_, ok := v.(bool)
		return ok == want.(bool)
	case "IsTimestamp":
		s, ok := v.(string)
		if ok {
			_, err := parseTimestamp(s)
			ok = err == nil
		}
		return ok == want.(bool)
	case "BooleanEquals":
		b, ok := v.(bool)
		w, ok2 := want.(bool)
		return ok && ok2 && b == w
	case "StringMatches":
		s, ok := v.(string)
		return ok && wildcardMatch(want.(string), s)
	}
	var cmp int
	switch {
	case strings.HasPrefix(op, "String"):
		s, ok := v.(string)
		w, ok2 := want.(string)
		if !ok || !ok2 {
			return false
		}
		cmp = strings.Compare(s, w)
	case strings.HasPrefix(op, "Numeric"):
		n, ok := numberOf(v)
		w, ok2 := numberOf(want)
		if !ok || !ok2 {
			return false
		}
		cmp = compareFloat(n, w)
	case strings.HasPrefix(op, "Timestamp"):
		s, ok := v.(string)
		if !ok {
			return false
		}
		t, err := parseTimestamp(s)
		if err != nil {
			return false
		}
		cmp = t.Compare(want.(time.Time))
	default:
		return false
	}
	switch {
	case strings.HasSuffix(op, "LessThanEquals"):
		return cmp <= 0
	case strings.HasSuffix(op, "GreaterThanEquals"):
		return cmp >= 0
	case strings.HasSuffix(op, "LessThan"):
		return cmp < 0
	case strings.HasSuffix(op, "GreaterThan"):
		return cmp > 0
	}
	return cmp == 0
}

func compareFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// wildcardMatch matches s against a StringMatches pattern: * matches any run of
// characters, \* a literal star and \\ a backslash.
func wildcardMatch(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	switch {
	case pattern[0] == '*':
		for i := 0; i <= len(s); i++ {
			if wildcardMatch(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	case pattern[0] == '\\' && len(pattern) > 1:
		return s != "" && s[0] == pattern[1] && wildcardMatch(pattern[2:], s[1:])
	}
	return s != "" && s[0] == pattern[0] && wildcardMatch(pattern[1:], s[1:])
}
