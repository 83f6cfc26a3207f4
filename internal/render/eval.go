package render

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"

	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// frame is one variable scope; lookups walk up to the template's root and the context.
type frame struct {
	vars   map[string]any
	parent *frame
}

func newFrame(parent *frame) *frame { return &frame{vars: map[string]any{}, parent: parent} }

func (f *frame) lookup(name string) (any, bool) {
	for s := f; s != nil; s = s.parent {
		if v, ok := s.vars[name]; ok {
			return v, true
		}
	}
	return nil, false
}

// exprError is an error located at an expression's line.
type exprError struct {
	line int
	err  error
}

func (e *exprError) Error() string { return e.err.Error() }
func (e *exprError) Unwrap() error { return e.err }

func lineOf(n nodes.Node) int {
	if n == nil {
		return 0
	}
	defer func() { _ = recover() }()
	if tok := n.Position(); tok != nil {
		return tok.Line
	}
	return 0
}

// at attaches node's line to err unless err already has one.
func at(n nodes.Node, err error) error {
	if err == nil {
		return nil
	}
	var ee *exprError
	if errors.As(err, &ee) {
		return err
	}
	var ce *controlError
	if errors.As(err, &ce) {
		return err
	}
	return &exprError{line: lineOf(n), err: err}
}

// eval evaluates an expression node in frame f.
func (r *renderer) eval(n nodes.Node, f *frame) (any, error) {
	if err := r.nest(); err != nil {
		return nil, at(n, err)
	}
	v, err := r.evalNode(n, f)
	r.nesting--
	if err != nil {
		return nil, at(n, err)
	}
	return v, nil
}

func (r *renderer) evalNode(n nodes.Node, f *frame) (any, error) {
	switch x := n.(type) {
	case *constExpr:
		return x.val, nil
	case *nodes.Name:
		return r.lookupName(x.Name.Val, f), nil
	case *nodes.List:
		items, err := r.evalAll(x.Val, f)
		if err != nil {
			return nil, err
		}
		return newList(items), nil
	case *nodes.Tuple:
		items, err := r.evalAll(x.Val, f)
		if err != nil {
			return nil, err
		}
		return tuple(items), nil
	case *tupleExpr:
		items, err := r.evalAll(x.items, f)
		if err != nil {
			return nil, err
		}
		return tuple(items), nil
	case *nodes.Dict:
		m := NewMap()
		for _, p := range x.Pairs {
			k, err := r.eval(p.Key, f)
			if err != nil {
				return nil, err
			}
			if err := checkHashable(k); err != nil {
				return nil, err
			}
			v, err := r.eval(p.Value, f)
			if err != nil {
				return nil, err
			}
			m.set(k, v)
		}
		return m, nil
	case *nodes.GetAttribute:
		obj, err := r.eval(x.Node, f)
		if err != nil {
			return nil, err
		}
		return getAttr(obj, x.Attribute)
	case *nodes.GetItem:
		obj, err := r.eval(x.Node, f)
		if err != nil {
			return nil, err
		}
		if x.Arg == nil {
			return nil, fmt.Errorf("expected an index")
		}
		key, err := r.eval(x.Arg, f)
		if err != nil {
			return nil, err
		}
		return getItem(obj, key)
	case *nodes.GetSlice:
		return r.evalSlice(x, f)
	case *callExpr:
		fn, err := r.eval(x.fn, f)
		if err != nil {
			return nil, err
		}
		args, err := r.evalArgs(&x.args, f)
		if err != nil {
			return nil, err
		}
		return r.call(fn, args)
	case *compareExpr:
		return r.evalCompare(x, f)
	case *nodes.Negation:
		v, err := r.eval(x.Term, f)
		if err != nil {
			return nil, err
		}
		return !truthy(v), nil
	case *nodes.UnaryExpression:
		v, err := r.eval(x.Term, f)
		if err != nil {
			return nil, err
		}
		if !x.Negative {
			if !isNumber(v) {
				return nil, unaryTypeError("+", v)
			}
			if b, ok := v.(bool); ok {
				return boolInt(b), nil
			}
			return v, nil
		}
		return negate(v)
	case *nodes.BinaryExpression:
		return r.evalBinary(x, f)
	case *condExpr:
		c, err := r.eval(x.cond, f)
		if err != nil {
			return nil, err
		}
		if truthy(c) {
			return r.eval(x.expr, f)
		}
		if x.alt == nil {
			return &undefined{hint: "the inline if-expression on line " + fmt.Sprint(lineOf(x.cond)) + " evaluated to false and no else section was defined."}, nil
		}
		return r.eval(x.alt, f)
	case *filterExpr:
		v, err := r.eval(x.node, f)
		if err != nil {
			return nil, err
		}
		return r.applyFilter(x, v, f)
	case *testExpr:
		return r.evalTest(x, f)
	case nil:
		return nil, fmt.Errorf("expected an expression")
	}
	return nil, fmt.Errorf("unsupported expression %s", n)
}

// tokenNode lets a bare token locate an error.
func tokenNode(tok *tokens.Token) nodes.Node { return &nodes.Name{Name: tok} }

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func unaryTypeError(op string, v any) error {
	if u, ok := v.(*undefined); ok {
		return u.err()
	}
	return fmt.Errorf("bad operand type for unary %s: '%s'", op, typeName(v))
}

func negate(v any) (any, error) {
	switch x := v.(type) {
	case bool:
		return -boolInt(x), nil
	case int64:
		if x == math.MinInt64 {
			return new(big.Int).Neg(big.NewInt(x)), nil
		}
		return -x, nil
	case *big.Int:
		return normInt(new(big.Int).Neg(x)), nil
	case float64:
		return -x, nil
	}
	return nil, unaryTypeError("-", v)
}

func (r *renderer) evalAll(exprs []nodes.Expression, f *frame) ([]any, error) {
	out := make([]any, len(exprs))
	for i, e := range exprs {
		v, err := r.eval(e, f)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// checkHashable fails for values Python cannot use as a dict key (lists, dicts, and
// tuples holding them).
func checkHashable(k any) error {
	switch x := k.(type) {
	case *list, *Map:
		return fmt.Errorf("unhashable type: '%s'", typeName(k))
	case tuple:
		for _, e := range x {
			if err := checkHashable(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// repeatCount reads the integer of sequence * n (a bool counts as 0 or 1).
func repeatCount(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case bool:
		return boolInt(x), true
	}
	return 0, false
}

// lookupName resolves a variable: scopes, then globals, else undefined.
func (r *renderer) lookupName(name string, f *frame) any {
	if v, ok := f.lookup(name); ok {
		return v
	}
	if name == "self" && r.run != nil && r.run.blocks != nil {
		return &templateRef{run: r.run}
	}
	if g, ok := r.eng.globals[name]; ok {
		return g
	}
	return undefinedName(name)
}

// getAttr is Jinja2's environment.getattr: the attribute, else the item, else undefined.
func getAttr(obj any, name string) (any, error) {
	if u, ok := obj.(*undefined); ok {
		return nil, u.err()
	}
	if v, ok := attribute(obj, name); ok {
		return v, nil
	}
	if v, ok := lookupItem(obj, name); ok {
		return v, nil
	}
	return undefinedAttr(obj, name), nil
}

// getItem is Jinja2's environment.getitem: the item, else for a string key the attribute,
// else undefined.
func getItem(obj any, key any) (any, error) {
	if u, ok := obj.(*undefined); ok {
		return nil, u.err()
	}
	if v, ok := lookupItem(obj, key); ok {
		return v, nil
	}
	if s, ok := key.(string); ok {
		if v, ok := attribute(obj, s); ok {
			return v, nil
		}
	}
	return undefinedItem(obj, key), nil
}

// lookupItem is obj[key] without fallbacks.
func lookupItem(obj any, key any) (any, bool) {
	switch x := obj.(type) {
	case *Map:
		if isHashableKey(key) {
			return x.get(key)
		}
	case *namespace:
		return nil, false
	case *module:
		return nil, false
	case *list:
		return index(x.items, key)
	case tuple:
		return index(x, key)
	case *groupTuple:
		return index(x.tuple(), key)
	case string:
		return indexString(x, key)
	case markup:
		v, ok := indexString(string(x), key)
		if ok {
			return markup(v.(string)), true
		}
	case *rangeValue:
		if i, ok := key.(int64); ok {
			n := x.length()
			if i < 0 {
				i += n
			}
			if i >= 0 && i < n {
				return x.start + i*x.step, true
			}
		}
	}
	return nil, false
}

func isHashableKey(k any) bool {
	switch k.(type) {
	case *list, *Map, *undefined:
		return false
	}
	return true
}

func index(items []any, key any) (any, bool) {
	i, ok := intIndex(key)
	if !ok {
		return nil, false
	}
	if i < 0 {
		i += len(items)
	}
	if i < 0 || i >= len(items) {
		return nil, false
	}
	return items[i], true
}

func intIndex(key any) (int, bool) {
	switch k := key.(type) {
	case int64:
		if k > math.MaxInt32 || k < math.MinInt32 {
			return -1 << 40, true
		}
		return int(k), true
	case bool:
		return int(boolInt(k)), true
	}
	return 0, false
}

func indexString(s string, key any) (any, bool) {
	i, ok := intIndex(key)
	if !ok {
		return nil, false
	}
	rs := []rune(s)
	if i < 0 {
		i += len(rs)
	}
	if i < 0 || i >= len(rs) {
		return nil, false
	}
	return string(rs[i]), true
}

func (r *renderer) evalSlice(x *nodes.GetSlice, f *frame) (any, error) {
	obj, err := r.eval(x.Node, f)
	if err != nil {
		return nil, err
	}
	bound := func(n nodes.Node) (*int64, error) {
		if n == nil {
			return nil, nil
		}
		v, err := r.eval(n, f)
		if err != nil {
			return nil, err
		}
		if v == nil {
			return nil, nil
		}
		i, ok := v.(int64)
		if !ok {
			if b, isBool := v.(bool); isBool {
				i = boolInt(b)
			} else {
				return nil, fmt.Errorf("slice indices must be integers or None")
			}
		}
		return &i, nil
	}
	start, err := bound(x.Start)
	if err != nil {
		return nil, err
	}
	stop, err := bound(x.End)
	if err != nil {
		return nil, err
	}
	step, err := bound(x.Step)
	if err != nil {
		return nil, err
	}
	return sliceValue(obj, start, stop, step)
}

// sliceValue is Python's obj[start:stop:step].
func sliceValue(obj any, start, stop, step *int64) (any, error) {
	var items []any
	var str []rune
	n := 0
	switch x := obj.(type) {
	case *list:
		items, n = x.items, len(x.items)
	case tuple:
		items, n = x, len(x)
	case string:
		str = []rune(x)
		n = len(str)
	case markup:
		str = []rune(string(x))
		n = len(str)
	case *undefined:
		return nil, x.err()
	case *rangeValue:
		all, err := materialize(x)
		if err != nil {
			return nil, err
		}
		items, n = all, len(all)
	case *Map:
		return nil, fmt.Errorf("unhashable type: 'slice'")
	default:
		// Jinja2 compiles slices to Python subscripts, bypassing its lenient getitem.
		return nil, fmt.Errorf("'%s' object is not subscriptable", typeName(obj))
	}
	st := int64(1)
	if step != nil {
		st = *step
	}
	if st == 0 {
		return nil, fmt.Errorf("slice step cannot be zero")
	}
	ln := int64(n)
	clamp := func(p *int64, def int64) int64 {
		if p == nil {
			return def
		}
		v := *p
		if v < 0 {
			v += ln
			if v < 0 {
				if st < 0 {
					return -1
				}
				return 0
			}
		}
		if v >= ln {
			if st < 0 {
				return ln - 1
			}
			return ln
		}
		return v
	}
	var lo, hi int64
	if st > 0 {
		lo, hi = clamp(start, 0), clamp(stop, ln)
	} else {
		lo, hi = clamp(start, ln-1), clamp(stop, -1)
	}
	var idx []int64
	if st > 0 {
		for i := lo; i < hi; i += st {
			idx = append(idx, i)
		}
	} else {
		for i := lo; i > hi; i += st {
			idx = append(idx, i)
		}
	}
	if str != nil || isString(obj) {
		out := make([]rune, len(idx))
		for j, i := range idx {
			out[j] = str[i]
		}
		if _, ok := obj.(markup); ok {
			return markup(out), nil
		}
		return string(out), nil
	}
	out := make([]any, len(idx))
	for j, i := range idx {
		out[j] = items[i]
	}
	if _, ok := obj.(tuple); ok {
		return tuple(out), nil
	}
	return newList(out), nil
}

// callArgs are the evaluated arguments of a call.
type callArgs struct {
	pos []any
	kw  []kwArg
}

type kwArg struct {
	name string
	val  any
}

// evalArgs evaluates a call's arguments, spreading *args and **kwargs like Python.
func (r *renderer) evalArgs(a *argList, f *frame) (*callArgs, error) {
	pos, err := r.evalAll(a.pos, f)
	if err != nil {
		return nil, err
	}
	ca := &callArgs{pos: pos}
	for _, kw := range a.kw {
		v, err := r.eval(kw.val, f)
		if err != nil {
			return nil, err
		}
		ca.kw = append(ca.kw, kwArg{name: kw.name, val: v})
	}
	if a.star != nil {
		v, err := r.eval(a.star, f)
		if err != nil {
			return nil, err
		}
		items, err := r.iterate(v)
		if err != nil {
			return nil, fmt.Errorf("Value after * must be an iterable, not %s", typeName(v))
		}
		ca.pos = append(ca.pos, items...)
	}
	if a.starstar != nil {
		v, err := r.eval(a.starstar, f)
		if err != nil {
			return nil, err
		}
		m, ok := v.(*Map)
		if !ok {
			return nil, fmt.Errorf("argument after ** must be a mapping, not %s", typeName(v))
		}
		for i, k := range m.keys {
			name, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("keywords must be strings")
			}
			for _, kw := range ca.kw {
				if kw.name == name {
					return nil, fmt.Errorf("got multiple values for keyword argument %s", pyRepr(name))
				}
			}
			ca.kw = append(ca.kw, kwArg{name: name, val: m.vals[i]})
		}
	}
	return ca, nil
}

// call invokes a callable value.
func (r *renderer) call(fn any, args *callArgs) (any, error) {
	if err := r.iteration(); err != nil {
		return nil, err
	}
	switch c := fn.(type) {
	case *macro:
		return r.callMacro(c, args)
	case *boundMethod:
		v, err := r.callMethod(c, args)
		if err != nil {
			return nil, err
		}
		return v, r.account(v)
	case *builtinFunc:
		v, err := c.fn(r, args)
		if err != nil {
			return nil, err
		}
		return v, r.account(v)
	case *loopContext:
		if c.recurse == nil {
			return nil, fmt.Errorf("the loop must be marked recursive to be called")
		}
		if len(args.pos) != 1 || len(args.kw) != 0 {
			return nil, fmt.Errorf("loop() takes exactly one argument")
		}
		return c.recurse(args.pos[0], c.depth0+1)
	case *undefined:
		return nil, c.err()
	}
	return nil, fmt.Errorf("'%s' object is not callable", typeName(fn))
}

func (r *renderer) evalBinary(x *nodes.BinaryExpression, f *frame) (any, error) {
	op := x.Operator.Token.Type
	switch op {
	case tokens.And, tokens.Or:
		l, err := r.eval(x.Left, f)
		if err != nil {
			return nil, err
		}
		if truthy(l) == (op == tokens.Or) {
			return l, nil
		}
		return r.eval(x.Right, f)
	}
	l, err := r.eval(x.Left, f)
	if err != nil {
		return nil, err
	}
	rv, err := r.eval(x.Right, f)
	if err != nil {
		return nil, err
	}
	return r.binaryOp(op, l, rv)
}

// evalCompare evaluates a comparison chain like Python: a < b < c is a < b and b < c,
// with b evaluated once, and the result is the first false comparison or the last.
func (r *renderer) evalCompare(x *compareExpr, f *frame) (any, error) {
	left, err := r.eval(x.first, f)
	if err != nil {
		return nil, err
	}
	var res any
	for _, op := range x.ops {
		right, err := r.eval(op.expr, f)
		if err != nil {
			return nil, err
		}
		switch op.kind {
		case "in", "not in":
			in, err := r.contains(right, left)
			if err != nil {
				return nil, at(tokenNode(op.op), err)
			}
			res = in == (op.kind == "in")
		default:
			if res, err = compareOp(op.op.Type, left, right); err != nil {
				return nil, at(tokenNode(op.op), err)
			}
		}
		if !truthy(res) {
			return res, nil
		}
		left = right
	}
	return res, nil
}

var opSymbols = map[tokens.Type]string{
	tokens.LowerThan: "<", tokens.LowerThanOrEqual: "<=", tokens.GreaterThan: ">", tokens.GreaterThanOrEqual: ">=",
	tokens.Addition: "+", tokens.Subtraction: "-", tokens.Multiply: "*", tokens.Division: "/",
	tokens.FloorDivision: "//", tokens.Modulo: "%", tokens.Power: "**",
}

func compareOp(op tokens.Type, a, b any) (any, error) {
	switch op {
	case tokens.Equals:
		return pyEq(a, b), nil
	case tokens.Ne:
		return !pyEq(a, b), nil
	}
	c, err := pyCompare(a, b, opSymbols[op])
	if err != nil {
		return nil, err
	}
	if c == 2 {
		return false, nil
	}
	switch op {
	case tokens.LowerThan:
		return c < 0, nil
	case tokens.LowerThanOrEqual:
		return c <= 0, nil
	case tokens.GreaterThan:
		return c > 0, nil
	}
	return c >= 0, nil
}

func operandError(op string, a, b any) error {
	if u, ok := a.(*undefined); ok {
		return u.err()
	}
	if u, ok := b.(*undefined); ok {
		return u.err()
	}
	return fmt.Errorf("unsupported operand type(s) for %s: '%s' and '%s'", op, typeName(a), typeName(b))
}

// binaryOp applies an arithmetic operator with Python semantics.
func (r *renderer) binaryOp(op tokens.Type, a, b any) (any, error) {
	v, err := r.binaryOpUnchecked(op, a, b)
	if err != nil {
		return nil, err
	}
	return v, r.account(v)
}

// binaryOpUnchecked is binaryOp before the result is accounted for; it checks the sizes
// of results that grow past their operands before building them.
func (r *renderer) binaryOpUnchecked(op tokens.Type, a, b any) (any, error) {
	switch op {
	case tokens.Tilde:
		x, err := r.str(a)
		if err != nil {
			return nil, err
		}
		y, err := r.str(b)
		if err != nil {
			return nil, err
		}
		if err := r.checkString(int64(len(x)) + int64(len(y))); err != nil {
			return nil, err
		}
		return x + y, nil
	case tokens.Addition:
		switch x := a.(type) {
		case string:
			switch y := b.(type) {
			case string:
				if err := r.checkString(int64(len(x)) + int64(len(y))); err != nil {
					return nil, err
				}
				return x + y, nil
			case markup:
				if err := r.checkString(int64(len(x))*6 + int64(len(y))); err != nil {
					return nil, err
				}
				return markup(escapeHTML(x)) + y, nil
			}
			return nil, concatError(a, b)
		case markup:
			if isString(b) {
				if err := r.checkString(int64(len(x)) + 6*int64(len(pyStr(b)))); err != nil {
					return nil, err
				}
				return x + markup(escapeValue(b)), nil
			}
			return nil, concatError(a, b)
		case *list:
			if y, ok := b.(*list); ok && x.view == "" && y.view == "" {
				if err := r.checkItems(int64(len(x.items)) + int64(len(y.items))); err != nil {
					return nil, err
				}
				return newList(append(append(make([]any, 0, len(x.items)+len(y.items)), x.items...), y.items...)), nil
			}
			if x.view == "" {
				return nil, fmt.Errorf("can only concatenate list (not \"%s\") to list", typeName(b))
			}
		case tuple:
			if y, ok := b.(tuple); ok {
				if err := r.checkItems(int64(len(x)) + int64(len(y))); err != nil {
					return nil, err
				}
				return tuple(append(append(make([]any, 0, len(x)+len(y)), x...), y...)), nil
			}
			return nil, fmt.Errorf("can only concatenate tuple (not \"%s\") to tuple", typeName(b))
		}
	case tokens.Multiply:
		if n, ok := repeatCount(b); ok && (isString(a) || isList(a)) {
			return r.repeat(a, n)
		}
		if n, ok := repeatCount(a); ok && (isString(b) || isList(b)) {
			return r.repeat(b, n)
		}
	case tokens.Modulo:
		if isString(a) {
			s, err := r.percentFormat(pyStr(a), b)
			if err != nil {
				return nil, err
			}
			if _, ok := a.(markup); ok {
				return markup(s), nil
			}
			return s, nil
		}
	}
	if !isNumber(a) || !isNumber(b) {
		return nil, operandError(opSymbols[op], a, b)
	}
	return r.arith(op, a, b)
}

// isList reports a list or tuple (dict views are not sequences Python can repeat).
func isList(v any) bool {
	switch x := v.(type) {
	case *list:
		return x.view == ""
	case tuple:
		return true
	}
	return false
}

func concatError(a, b any) error {
	if u, ok := b.(*undefined); ok {
		return u.err()
	}
	return fmt.Errorf("can only concatenate str (not \"%s\") to str", typeName(b))
}

// repeat is Python's sequence * n.
func (r *renderer) repeat(v any, n int64) (any, error) {
	if n < 0 {
		n = 0
	}
	size := int64(0)
	switch x := v.(type) {
	case string:
		size = int64(len(x))
	case markup:
		size = int64(len(x))
	case *list:
		size = int64(len(x.items))
	case tuple:
		size = int64(len(x))
	}
	if size > 0 {
		total := size * n
		if total/size != n { // overflow
			total = -1
		}
		if isString(v) {
			if err := r.checkString(total); err != nil {
				return nil, err
			}
		} else if err := r.checkItems(total); err != nil {
			return nil, err
		}
	}
	switch x := v.(type) {
	case string:
		return strings.Repeat(x, int(n)), nil
	case markup:
		return markup(strings.Repeat(string(x), int(n))), nil
	case *list:
		out := make([]any, 0, len(x.items)*int(n))
		for i := int64(0); i < n; i++ {
			out = append(out, x.items...)
		}
		return newList(out), nil
	case tuple:
		out := make([]any, 0, len(x)*int(n))
		for i := int64(0); i < n; i++ {
			out = append(out, x...)
		}
		return tuple(out), nil
	}
	return nil, fmt.Errorf("can't multiply sequence by non-int")
}

// arith applies a numeric operator to two Python numbers.
func (r *renderer) arith(op tokens.Type, a, b any) (any, error) {
	if isInt(a) && isInt(b) {
		return r.intArith(op, a, b)
	}
	x, _ := toFloat(a)
	y, _ := toFloat(b)
	switch op {
	case tokens.Addition:
		return x + y, nil
	case tokens.Subtraction:
		return x - y, nil
	case tokens.Multiply:
		return x * y, nil
	case tokens.Division:
		if y == 0 {
			return nil, fmt.Errorf("float division by zero")
		}
		return x / y, nil
	case tokens.FloorDivision:
		if y == 0 {
			return nil, fmt.Errorf("float floor division by zero")
		}
		return math.Floor(x / y), nil
	case tokens.Modulo:
		if y == 0 {
			return nil, fmt.Errorf("float modulo")
		}
		return pyFmod(x, y), nil
	case tokens.Power:
		if x == 0 && y < 0 {
			return nil, fmt.Errorf("0.0 cannot be raised to a negative power")
		}
		if x < 0 && y != math.Trunc(y) {
			return nil, fmt.Errorf("negative number cannot be raised to a fractional power")
		}
		res := math.Pow(x, y)
		if math.IsInf(res, 0) && !math.IsInf(x, 0) && !math.IsInf(y, 0) {
			return nil, fmt.Errorf("(34, 'Numerical result out of range')")
		}
		return res, nil
	}
	return nil, fmt.Errorf("unsupported operator")
}

func pyFmod(x, y float64) float64 {
	m := math.Mod(x, y)
	if m != 0 && (m < 0) != (y < 0) {
		m += y
	}
	return m
}

// intArith applies an operator to two integers; results past MaxIntDigits are refused
// before they are computed.
func (r *renderer) intArith(op tokens.Type, a, b any) (any, error) {
	ai, aok := a.(int64)
	bi, bok := b.(int64)
	if bb, ok := a.(bool); ok {
		ai, aok = boolInt(bb), true
	}
	if bb, ok := b.(bool); ok {
		bi, bok = boolInt(bb), true
	}
	if aok && bok {
		switch op {
		case tokens.Addition:
			if s := ai + bi; (s > ai) == (bi > 0) {
				return s, nil
			}
		case tokens.Subtraction:
			if s := ai - bi; (s < ai) == (bi > 0) {
				return s, nil
			}
		case tokens.Multiply:
			if ai == 0 || bi == 0 {
				return int64(0), nil
			}
			if s := ai * bi; s/bi == ai && !(ai == -1 && bi == math.MinInt64) && !(bi == -1 && ai == math.MinInt64) {
				return s, nil
			}
		case tokens.Division:
			if bi == 0 {
				return nil, fmt.Errorf("division by zero")
			}
			return float64(ai) / float64(bi), nil
		case tokens.FloorDivision, tokens.Modulo:
			if bi == 0 {
				return nil, fmt.Errorf("integer division or modulo by zero")
			}
			if !(ai == math.MinInt64 && bi == -1) {
				q, m := ai/bi, ai%bi
				if m != 0 && (m < 0) != (bi < 0) {
					q--
					m += bi
				}
				if op == tokens.Modulo {
					return m, nil
				}
				return q, nil
			}
		case tokens.Power:
			if bi < 0 {
				if ai == 0 {
					return nil, fmt.Errorf("0.0 cannot be raised to a negative power")
				}
				return math.Pow(float64(ai), float64(bi)), nil
			}
		}
	}
	x, _ := toBig(a)
	y, _ := toBig(b)
	z := new(big.Int)
	switch op {
	case tokens.Addition:
		z.Add(x, y)
	case tokens.Subtraction:
		z.Sub(x, y)
	case tokens.Multiply:
		if err := r.checkIntBits(int64(x.BitLen()) + int64(y.BitLen())); err != nil {
			return nil, err
		}
		z.Mul(x, y)
	case tokens.Division:
		if y.Sign() == 0 {
			return nil, fmt.Errorf("division by zero")
		}
		q, _ := new(big.Rat).SetFrac(x, y).Float64()
		return q, nil
	case tokens.FloorDivision, tokens.Modulo:
		if y.Sign() == 0 {
			return nil, fmt.Errorf("integer division or modulo by zero")
		}
		q, m := new(big.Int).DivMod(x, y, new(big.Int)) // Euclidean: m >= 0
		if m.Sign() != 0 && y.Sign() < 0 {
			q.Add(q, big.NewInt(1))
			m.Add(m, y)
		}
		if op == tokens.Modulo {
			return normInt(m), nil
		}
		return normInt(q), nil
	case tokens.Power:
		if y.Sign() < 0 {
			fx, _ := toFloat(a)
			fy, _ := toFloat(b)
			return math.Pow(fx, fy), nil
		}
		if x.BitLen() > 1 { // |x| >= 2: refuse a result past MaxIntDigits before computing it
			bits := float64(math.MaxInt64 / 4)
			if y.IsInt64() {
				bits = min(bits, log2Abs(x)*float64(y.Int64()))
			}
			if err := r.checkIntBits(int64(bits)); err != nil {
				return nil, err
			}
		}
		z.Exp(x, y, nil)
	default:
		return nil, fmt.Errorf("unsupported operator")
	}
	return normInt(z), nil
}

// log2Abs is log2(|x|) for x != 0.
func log2Abs(x *big.Int) float64 {
	if n := x.BitLen(); n > 1000 {
		return float64(n)
	}
	f, _ := new(big.Float).SetInt(x).Float64()
	return math.Log2(math.Abs(f))
}
