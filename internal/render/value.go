package render

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Template values mirror Python's: nil is None, bool, int64 (*big.Int past 64 bits),
// float64, string, markup (a "safe" string), *list, tuple, *Map (dict), *undefined, plus
// callables. Contexts are normalised into these types before rendering.

// markup is a string marked safe (Jinja2's Markup).
type markup string

// list is a mutable Python list; view names a dict view (dict_keys, dict_values,
// dict_items) that prints like Python's.
type list struct {
	items []any
	view  string
}

// tuple is an immutable Python tuple.
type tuple []any

// undefined is Jinja2's lenient Undefined: it prints as empty, iterates as empty and is
// falsy; any other use fails with the message Jinja2 gives.
type undefined struct {
	name   string
	obj    any
	hasObj bool
	key    any // the missing item when it is not a string attribute name
	hint   string
	// strict is what the strict map it is missing from holds (Map.Strict); "" when lenient.
	strict string
}

func newList(items []any) *list { return &list{items: items} }

func undefinedName(name string) *undefined { return &undefined{name: name} }

func undefinedAttr(obj any, name string) *undefined {
	return &undefined{name: name, obj: obj, hasObj: true, strict: strictOf(obj)}
}

func undefinedItem(obj any, key any) *undefined {
	if s, ok := key.(string); ok {
		return undefinedAttr(obj, s)
	}
	return &undefined{obj: obj, hasObj: true, key: key, strict: strictOf(obj)}
}

// strictOf is what obj holds when it is a strict Map, else "".
func strictOf(obj any) string {
	if m, ok := obj.(*Map); ok && m != nil {
		return m.strict
	}
	return ""
}

// strictErr is the error of using v when it is a strict undefined value (see Map.Strict),
// else nil.
func strictErr(v any) error {
	if u, ok := v.(*undefined); ok && u.strict != "" {
		return u.err()
	}
	return nil
}

// message is the text of the UndefinedError raised when this undefined value is used.
func (u *undefined) message() string {
	if u.hint != "" {
		return u.hint
	}
	if u.strict != "" {
		if u.key != nil {
			return pyRepr(u.key) + " is not " + u.strict
		}
		return pyRepr(u.name) + " is not " + u.strict
	}
	if !u.hasObj {
		return pyRepr(u.name) + " is undefined"
	}
	if u.key != nil {
		return objectTypeRepr(u.obj) + " has no element " + pyRepr(u.key)
	}
	return pyRepr(objectTypeRepr(u.obj)) + " has no attribute " + pyRepr(u.name)
}

func (u *undefined) err() error { return &undefinedError{msg: u.message()} }

// undefinedError is Jinja2's UndefinedError.
type undefinedError struct{ msg string }

func (e *undefinedError) Error() string { return e.msg }

// objectTypeRepr is Jinja2's object_type_repr.
func objectTypeRepr(v any) string {
	if v == nil {
		return "None"
	}
	return typeName(v) + " object"
}

// typeName is the Python type name of a value.
func typeName(v any) string {
	switch x := v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case int64, *big.Int:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case markup:
		return "Markup"
	case *list:
		if x.view != "" {
			return x.view // dict_keys, dict_values, dict_items
		}
		return "list"
	case tuple:
		return "tuple"
	case *Map:
		return "dict"
	case *undefined:
		return "Undefined"
	case *rangeValue:
		return "range"
	case *groupTuple:
		return "_GroupTuple"
	case *macro:
		return "Macro"
	case *loopContext:
		return "LoopContext"
	case *namespace:
		return "Namespace"
	case *boundMethod:
		return "builtin_function_or_method"
	case *builtinFunc:
		return "function"
	case *templateRef:
		return "jinja2.runtime.TemplateReference"
	case *iterator:
		return x.typ
	}
	return fmt.Sprintf("%T", v)
}

// normalize converts a context value into the template value model, copying containers
// so templates cannot mutate the caller's data.
func normalize(v any) (any, error) {
	switch x := v.(type) {
	case nil, bool, string, int64, float64:
		return x, nil
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case uint:
		return normInt(new(big.Int).SetUint64(uint64(x))), nil
	case uint64:
		return normInt(new(big.Int).SetUint64(x)), nil
	case uint32:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint8:
		return int64(x), nil
	case float32:
		return float64(x), nil
	case *big.Int:
		return normInt(new(big.Int).Set(x)), nil
	case json.Number:
		s := string(x)
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i, nil
		}
		if !strings.ContainsAny(s, ".eE") {
			if b, ok := new(big.Int).SetString(s, 10); ok {
				return b, nil
			}
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("invalid number %q", s)
		}
		return f, nil
	case []any:
		items := make([]any, len(x))
		for i, e := range x {
			n, err := normalize(e)
			if err != nil {
				return nil, err
			}
			items[i] = n
		}
		return newList(items), nil
	case []string:
		items := make([]any, len(x))
		for i, e := range x {
			items[i] = e
		}
		return newList(items), nil
	case []map[string]any:
		items := make([]any, len(x))
		for i, e := range x {
			n, err := normalize(e)
			if err != nil {
				return nil, err
			}
			items[i] = n
		}
		return newList(items), nil
	case *Map:
		if x == nil {
			return nil, nil
		}
		m := &Map{index: make(map[any]int, len(x.keys)), keys: make([]any, 0, len(x.keys)), vals: make([]any, 0, len(x.keys)), strict: x.strict}
		for i, k := range x.keys {
			n, err := normalize(x.vals[i])
			if err != nil {
				return nil, err
			}
			m.set(k, n)
		}
		return m, nil
	case map[string]any:
		m := NewMap()
		for _, k := range sortedKeys(x) {
			n, err := normalize(x[k])
			if err != nil {
				return nil, err
			}
			m.set(k, n)
		}
		return m, nil
	case map[string]string:
		m := NewMap()
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			m.set(k, x[k])
		}
		return m, nil
	}
	return nil, fmt.Errorf("unsupported context value of type %T", v)
}

// normInt returns b as int64 when it fits.
func normInt(b *big.Int) any {
	if b.IsInt64() {
		return b.Int64()
	}
	return b
}

// truthy is Python's bool().
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case int64:
		return x != 0
	case *big.Int:
		return x.Sign() != 0
	case float64:
		return x != 0
	case string:
		return x != ""
	case markup:
		return x != ""
	case *list:
		return len(x.items) > 0
	case tuple:
		return len(x) > 0
	case *Map:
		return x.Len() > 0
	case *undefined:
		return false
	case *rangeValue:
		return x.length() > 0
	}
	return true // iterators included, however many items they hold
}

// pyStr is Python's str() as Jinja2 prints values.
func pyStr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case string:
		return x
	case markup:
		return string(x)
	case *undefined:
		return ""
	case bool:
		if x {
			return "True"
		}
		return "False"
	case int64:
		return strconv.FormatInt(x, 10)
	case *big.Int:
		return x.String()
	case float64:
		return formatFloat(x)
	}
	return pyRepr(v)
}

// pyRepr is Python's repr(); past reprCeiling bytes it is cut short (a render bounds
// what it builds with renderer.repr).
func pyRepr(v any) string { return reprBounded(v, reprCeiling) }

// reprBounded is repr(v), built only until it is longer than max bytes: a result longer
// than max is cut short.
func reprBounded(v any, max int) string {
	b := &reprBuilder{max: max}
	writeRepr(b, v, 0)
	return b.String()
}

// reprBuilder is a strings.Builder that writeRepr stops filling once it holds more than
// max bytes.
type reprBuilder struct {
	strings.Builder
	max int
}

func (b *reprBuilder) full() bool { return b.Len() > b.max }

func writeRepr(b *reprBuilder, v any, depth int) {
	if depth > 100 {
		b.WriteString("...")
		return
	}
	if b.full() {
		return
	}
	switch x := v.(type) {
	case string:
		b.WriteString(quotePy(x))
	case markup:
		b.WriteString("Markup(" + quotePy(string(x)) + ")")
	case *undefined:
		b.WriteString("Undefined")
	case *list:
		if x.view != "" {
			b.WriteString(x.view + "(")
		}
		b.WriteByte('[')
		for i, e := range x.items {
			if i > 0 {
				b.WriteString(", ")
			}
			if writeRepr(b, e, depth+1); b.full() {
				return
			}
		}
		b.WriteByte(']')
		if x.view != "" {
			b.WriteByte(')')
		}
	case tuple:
		b.WriteByte('(')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			if writeRepr(b, e, depth+1); b.full() {
				return
			}
		}
		if len(x) == 1 {
			b.WriteByte(',')
		}
		b.WriteByte(')')
	case *Map:
		b.WriteByte('{')
		for i, k := range x.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, k, depth+1)
			b.WriteString(": ")
			if writeRepr(b, x.vals[i], depth+1); b.full() {
				return
			}
		}
		b.WriteByte('}')
	case *groupTuple:
		b.WriteString("_GroupTuple(grouper=")
		writeRepr(b, x.grouper, depth+1)
		b.WriteString(", list=")
		writeRepr(b, x.list, depth+1)
		b.WriteString(")")
	case *rangeValue:
		if x.step == 1 {
			fmt.Fprintf(b, "range(%d, %d)", x.start, x.stop)
		} else {
			fmt.Fprintf(b, "range(%d, %d, %d)", x.start, x.stop, x.step)
		}
	case *macro:
		b.WriteString("<Macro " + quotePy(x.name) + ">")
	case *namespace:
		b.WriteString("<Namespace ")
		writeRepr(b, x.attrs, depth+1)
		b.WriteString(">")
	case *loopContext:
		fmt.Fprintf(b, "<LoopContext %d/%d>", x.index0+1, x.length)
	case *boundMethod:
		b.WriteString("<built-in method " + x.name + " of " + typeName(x.recv) + " object>")
	case *builtinFunc:
		b.WriteString("<function " + x.name + ">")
	case *templateRef:
		b.WriteString("<TemplateReference " + quotePy(x.run.name) + ">")
	case *iterator:
		b.WriteString(x.repr())
	case nil, bool, int64, *big.Int, float64:
		b.WriteString(pyStr(x))
	default:
		fmt.Fprintf(b, "<%s object>", typeName(v))
	}
}

// quotePy quotes a string the way Python's repr does.
func quotePy(s string) string {
	q := byte('\'')
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == utf8.RuneError:
			b.WriteString(`\ufffd`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x7f || (r > 0xa0 && unicode.IsPrint(r)):
			b.WriteRune(r)
		case r <= 0xff:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

// formatFloat is Python's repr(float).
func formatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX
	mant, expStr, _ := strings.Cut(s, "e")
	exp, _ := strconv.Atoi(expStr)
	neg := strings.HasPrefix(mant, "-")
	mant = strings.TrimPrefix(mant, "-")
	digits := strings.Replace(mant, ".", "", 1)
	sign := ""
	if neg {
		sign = "-"
	}
	if exp < -4 || exp >= 16 {
		m := digits[:1]
		if len(digits) > 1 {
			m += "." + digits[1:]
		}
		es := "+"
		if exp < 0 {
			es = "-"
			exp = -exp
		}
		return fmt.Sprintf("%s%se%s%02d", sign, m, es, exp)
	}
	if exp < 0 {
		return sign + "0." + strings.Repeat("0", -exp-1) + digits
	}
	if len(digits) <= exp+1 {
		return sign + digits + strings.Repeat("0", exp+1-len(digits)) + ".0"
	}
	return sign + digits[:exp+1] + "." + digits[exp+1:]
}

// isNumber reports whether v is an int, float or bool (Python numbers).
func isNumber(v any) bool {
	switch v.(type) {
	case bool, int64, *big.Int, float64:
		return true
	}
	return false
}

func isString(v any) bool {
	switch v.(type) {
	case string, markup:
		return true
	}
	return false
}

// toFloat converts a Python number to float64.
func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case int64:
		return float64(x), true
	case *big.Int:
		f, _ := new(big.Float).SetInt(x).Float64()
		return f, true
	case float64:
		return x, true
	}
	return 0, false
}

// toBig converts an integer (or bool) to *big.Int.
func toBig(v any) (*big.Int, bool) {
	switch x := v.(type) {
	case bool:
		if x {
			return big.NewInt(1), true
		}
		return big.NewInt(0), true
	case int64:
		return big.NewInt(x), true
	case *big.Int:
		return x, true
	}
	return nil, false
}

func isInt(v any) bool {
	switch v.(type) {
	case bool, int64, *big.Int:
		return true
	}
	return false
}

// valueDepthCap bounds how deep == and < recurse into nested lists, tuples and dicts
// (values can nest without end: a list can hold itself). Deeper, they panic with
// deepValues, which the statement being rendered turns into its MaxDepth error.
const valueDepthCap = 1000

// deepValues is the panic of a comparison nested deeper than valueDepthCap.
type deepValues struct{}

// pyEq is Python's ==: containers compare their items, a container is equal to itself
// (Python's identity shortcut), recursion past valueDepthCap panics with deepValues.
func pyEq(a, b any) bool { return eqAt(a, b, 0) }

func eqAt(a, b any, depth int) bool {
	if depth > valueDepthCap {
		panic(deepValues{})
	}
	if isNumber(a) && isNumber(b) {
		if isInt(a) && isInt(b) {
			x, _ := toBig(a)
			y, _ := toBig(b)
			if ai, ok := a.(int64); ok {
				if bi, ok := b.(int64); ok {
					return ai == bi
				}
			}
			return x.Cmp(y) == 0
		}
		x, _ := toFloat(a)
		y, _ := toFloat(b)
		return x == y
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		switch y := b.(type) {
		case string:
			return x == y
		case markup:
			return x == string(y)
		}
		return false
	case markup:
		switch y := b.(type) {
		case string:
			return string(x) == y
		case markup:
			return x == y
		}
		return false
	case *list:
		y, ok := b.(*list)
		if !ok {
			return false
		}
		return x == y || seqEq(x.items, y.items, depth)
	case tuple:
		y, ok := b.(tuple)
		if !ok {
			return false
		}
		return seqEq(x, y, depth)
	case *Map:
		y, ok := b.(*Map)
		if !ok || x.Len() != y.Len() {
			return false
		}
		if x == y {
			return true
		}
		for i, k := range x.keys {
			yv, ok := y.get(k)
			if !ok || !eqAt(x.vals[i], yv, depth+1) {
				return false
			}
		}
		return true
	case *undefined:
		_, ok := b.(*undefined)
		return ok
	case *rangeValue:
		y, ok := b.(*rangeValue)
		if !ok {
			return false
		}
		return x.length() == y.length() && (x.length() == 0 || x.start == y.start && (x.length() == 1 || x.step == y.step))
	}
	return a == b
}

func seqEq(x, y []any, depth int) bool {
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if !eqAt(x[i], y[i], depth+1) {
			return false
		}
	}
	return true
}

// pyCompare orders a and b as Python's < does; op names the operator for the error.
// Recursion past valueDepthCap panics with deepValues.
func pyCompare(a, b any, op string) (int, error) { return compareAt(a, b, op, 0) }

func compareAt(a, b any, op string, depth int) (int, error) {
	if depth > valueDepthCap {
		panic(deepValues{})
	}
	if isNumber(a) && isNumber(b) {
		if isInt(a) && isInt(b) {
			if ai, ok := a.(int64); ok {
				if bi, ok := b.(int64); ok {
					switch {
					case ai < bi:
						return -1, nil
					case ai > bi:
						return 1, nil
					}
					return 0, nil
				}
			}
			x, _ := toBig(a)
			y, _ := toBig(b)
			return x.Cmp(y), nil
		}
		x, _ := toFloat(a)
		y, _ := toFloat(b)
		switch {
		case x < y:
			return -1, nil
		case x > y:
			return 1, nil
		case x == y:
			return 0, nil
		}
		return 2, nil // NaN: every comparison is false
	}
	if isString(a) && isString(b) {
		return strings.Compare(pyStr(a), pyStr(b)), nil
	}
	if u, ok := a.(*undefined); ok {
		return 0, u.err()
	}
	if u, ok := b.(*undefined); ok {
		return 0, u.err()
	}
	var xs, ys []any
	switch x := a.(type) {
	case *list:
		if y, ok := b.(*list); ok {
			xs, ys = x.items, y.items
		}
	case tuple:
		if y, ok := b.(tuple); ok {
			xs, ys = x, y
		}
	}
	if xs != nil || ys != nil {
		for i := 0; i < len(xs) && i < len(ys); i++ {
			if eqAt(xs[i], ys[i], depth+1) {
				continue
			}
			return compareAt(xs[i], ys[i], op, depth+1)
		}
		switch {
		case len(xs) < len(ys):
			return -1, nil
		case len(xs) > len(ys):
			return 1, nil
		}
		return 0, nil
	}
	return 0, fmt.Errorf("'%s' not supported between instances of '%s' and '%s'", op, typeName(a), typeName(b))
}

// pyLen is Python's len().
func pyLen(v any) (int, error) {
	switch x := v.(type) {
	case string:
		return utf8.RuneCountInString(x), nil
	case markup:
		return utf8.RuneCountInString(string(x)), nil
	case *list:
		return len(x.items), nil
	case tuple:
		return len(x), nil
	case *Map:
		return x.Len(), nil
	case *undefined:
		return 0, nil
	case *rangeValue:
		return int(x.length()), nil
	case *groupTuple:
		return 2, nil
	case *namespace:
		return 0, fmt.Errorf("object of type 'Namespace' has no len()")
	}
	return 0, fmt.Errorf("object of type '%s' has no len()", typeName(v))
}
