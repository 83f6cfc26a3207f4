package render

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/nikolalohinski/gonja/v2/nodes"
)

// filterFunc implements a filter: value | name(args).
type filterFunc func(r *renderer, v any, a *callArgs) (any, error)

// testFunc implements a test: value is name(args).
type testFunc func(r *renderer, v any, a *callArgs) (bool, error)

// applyFilter applies filter call fc to the value v; errors carry the filter's line.
func (r *renderer) applyFilter(fc *filterExpr, v any, f *frame) (any, error) {
	fn, ok := r.eng.filters[fc.name]
	if !ok {
		return nil, at(fc, fmt.Errorf("no filter named %s", pyRepr(fc.name)))
	}
	if err := strictErr(v); err != nil && fc.name != "default" && fc.name != "d" {
		return nil, at(fc, err)
	}
	args, err := r.evalArgs(&fc.args, f)
	if err != nil {
		return nil, err
	}
	if err := r.tick(); err != nil {
		return nil, err
	}
	out, err := fn(r, v, args)
	if err == nil {
		err = r.account(out)
	}
	if err != nil {
		return nil, at(fc, err)
	}
	return out, nil
}

func (r *renderer) evalTest(x *testExpr, f *frame) (any, error) {
	v, err := r.eval(x.node, f)
	if err != nil {
		return nil, err
	}
	fn, ok := r.eng.tests[x.name]
	if !ok {
		return nil, fmt.Errorf("no test named %s", pyRepr(x.name))
	}
	args, err := r.evalArgs(&x.args, f)
	if err != nil {
		return nil, err
	}
	return fn(r, v, args)
}

// checkNames reports unknown filters and tests at parse time, as Jinja2 does, except
// inside if statements and inline if expressions, where Jinja2 defers the error until
// the filter or test runs.
func (e *Engine) checkNames(ns []nodes.Node, deferred bool) error {
	var err error
	var visit func(n nodes.Node, deferred bool)
	visitExpr := func(x nodes.Node, deferred bool) {
		if x != nil && err == nil {
			walkExpr(x, deferred, func(n nodes.Node, deferred bool, depth int) {
				if err != nil {
					return
				}
				if depth > e.opts.Limits.MaxDepth {
					err = &locatedError{line: lineOf(n), err: &LimitError{Limit: "MaxDepth",
						Detail: fmt.Sprintf("an expression nests more than %d levels deep", e.opts.Limits.MaxDepth)}}
					return
				}
				if deferred {
					return
				}
				switch c := n.(type) {
				case *filterExpr:
					if _, ok := e.filters[c.name]; !ok {
						err = errAt(c.tok, "no filter named %s", pyRepr(c.name))
					}
				case *testExpr:
					if _, ok := e.tests[c.name]; !ok {
						err = errAt(c.tok, "no test named %s", pyRepr(c.name))
					}
				}
			})
		}
	}
	visit = func(n nodes.Node, deferred bool) {
		if err != nil {
			return
		}
		st := statementOf(n)
		switch s := st.(type) {
		case *printStmt:
			visitExpr(s.expr, deferred)
			for _, x := range s.items {
				visitExpr(x, deferred)
			}
		case *ifStmt:
			for _, c := range s.conds {
				visitExpr(c, true) // Jinja2 compiles an if (test included) in a soft frame
			}
			for _, b := range s.bodies {
				for _, c := range b.Nodes {
					visit(c, true)
				}
			}
			return
		case *forStmt:
			visitExpr(s.iter, deferred)
			visitExpr(s.cond, deferred)
		case *setStmt:
			visitExpr(s.expr, deferred)
		case *setBlockStmt:
			for _, fc := range s.filters {
				visitExpr(fc, deferred)
			}
		case *filterBlockStmt:
			for _, fc := range s.filters {
				visitExpr(fc, deferred)
			}
		case *withStmt:
			for _, x := range s.exprs {
				visitExpr(x, deferred)
			}
		case *callBlockStmt:
			visitExpr(s.call, deferred)
		case *macroStmt:
			for _, p := range s.sig.params {
				visitExpr(p.def, deferred)
			}
		}
		for _, b := range childBodies(n) {
			for _, c := range b.Nodes {
				visit(c, deferred)
			}
		}
	}
	for _, n := range ns {
		visit(n, deferred)
	}
	return err
}

// walkExpr calls fn for each node of an expression tree, with whether it sits in a
// branch Jinja2 compiles lazily (an inline if's branches) and its depth (the root is at
// depth 1). It does not descend past depth maxWalkDepth.
func walkExpr(n nodes.Node, deferred bool, fn func(n nodes.Node, deferred bool, depth int)) {
	walkExprAt(n, deferred, 1, fn)
}

// maxWalkDepth bounds walkExpr's recursion; Limits.MaxDepth rejects trees deeper than
// it allows long before.
const maxWalkDepth = 1 << 16

func walkExprAt(n nodes.Node, deferred bool, depth int, fn func(n nodes.Node, deferred bool, depth int)) {
	if n == nil || depth > maxWalkDepth {
		return
	}
	fn(n, deferred, depth)
	rec := func(c nodes.Node) {
		if c != nil {
			walkExprAt(c, deferred, depth+1, fn)
		}
	}
	args := func(a *argList) {
		for _, x := range a.pos {
			rec(x)
		}
		for _, kw := range a.kw {
			rec(kw.val)
		}
		rec(a.star)
		rec(a.starstar)
	}
	switch x := n.(type) {
	case *filterExpr:
		rec(x.node)
		args(&x.args)
	case *testExpr:
		rec(x.node)
		args(&x.args)
	case *callExpr:
		rec(x.fn)
		args(&x.args)
	case *condExpr:
		walkExprAt(x.expr, true, depth+1, fn)
		walkExprAt(x.cond, true, depth+1, fn)
		if x.alt != nil {
			walkExprAt(x.alt, true, depth+1, fn)
		}
	case *compareExpr:
		rec(x.first)
		for _, op := range x.ops {
			rec(op.expr)
		}
	case *nodes.BinaryExpression:
		rec(x.Left)
		rec(x.Right)
	case *nodes.Negation:
		rec(x.Term)
	case *nodes.UnaryExpression:
		rec(x.Term)
	case *nodes.GetAttribute:
		rec(x.Node)
	case *nodes.GetItem:
		rec(x.Node)
		rec(x.Arg)
	case *nodes.GetSlice:
		rec(x.Node)
		rec(x.Start)
		rec(x.End)
		rec(x.Step)
	case *nodes.List:
		for _, a := range x.Val {
			rec(a)
		}
	case *nodes.Tuple:
		for _, a := range x.Val {
			rec(a)
		}
	case *tupleExpr:
		for _, a := range x.items {
			rec(a)
		}
	case *nodes.Dict:
		for _, p := range x.Pairs {
			rec(p.Key)
			rec(p.Value)
		}
	}
}

func builtinFilters() map[string]filterFunc {
	m := map[string]filterFunc{
		"abs":            filterAbs,
		"attr":           filterAttr,
		"batch":          filterBatch,
		"capitalize":     strFilter(pyCapitalize),
		"center":         filterCenter,
		"count":          filterLength,
		"default":        filterDefault,
		"dictsort":       filterDictsort,
		"escape":         filterEscape,
		"filesizeformat": filterFilesizeformat,
		"first":          filterFirst,
		"float":          filterFloat,
		"forceescape":    func(r *renderer, v any, a *callArgs) (any, error) { return markup(escapeHTML(pyStr(v))), nil },
		"format":         filterFormat,
		"groupby":        filterGroupby,
		"indent":         filterIndent,
		"int":            filterInt,
		"items":          filterItems,
		"join":           filterJoin,
		"last":           filterLast,
		"length":         filterLength,
		"list":           filterList,
		"lower":          strFilter(strings.ToLower),
		"map":            filterMap,
		"max":            func(r *renderer, v any, a *callArgs) (any, error) { return filterMinMax(r, v, a, "max") },
		"min":            func(r *renderer, v any, a *callArgs) (any, error) { return filterMinMax(r, v, a, "min") },
		"pprint": func(r *renderer, v any, a *callArgs) (any, error) {
			if _, err := a.bind("pprint", nil, nil); err != nil {
				return nil, err
			}
			if _, err := r.repr(v); err != nil {
				return nil, err // pformat is as long as repr, plus line breaks and indents
			}
			return pformat(v), nil
		},
		"random":     filterRandom,
		"reject":     func(r *renderer, v any, a *callArgs) (any, error) { return selectOrReject(r, v, a, false, false) },
		"rejectattr": func(r *renderer, v any, a *callArgs) (any, error) { return selectOrReject(r, v, a, false, true) },
		"replace":    filterReplace,
		"reverse":    filterReverse,
		"round":      filterRound,
		"safe":       func(r *renderer, v any, a *callArgs) (any, error) { return markup(pyStr(v)), nil },
		"select":     func(r *renderer, v any, a *callArgs) (any, error) { return selectOrReject(r, v, a, true, false) },
		"selectattr": func(r *renderer, v any, a *callArgs) (any, error) { return selectOrReject(r, v, a, true, true) },
		"slice":      filterSlice,
		"sort":       filterSort,
		"string":     filterString,
		"striptags":  filterStriptags,
		"sum":        filterSum,
		"title":      strFilter(jinjaTitle),
		"tojson":     filterToJSON,
		"trim":       filterTrim,
		"truncate":   filterTruncate,
		"unique":     filterUnique,
		"upper":      strFilter(strings.ToUpper),
		"urlencode":  filterURLEncode,
		"wordcount": func(r *renderer, v any, a *callArgs) (any, error) {
			return int64(len(wordRe.FindAllString(pyStr(v), -1))), nil
		},
		"wordwrap": filterWordwrap,
		"xmlattr":  filterXMLAttr,
	}
	m["d"] = m["default"]
	m["e"] = m["escape"]
	return m
}

// strFilter lifts a string function to a filter on soft_str(value).
func strFilter(fn func(string) string) filterFunc {
	return func(r *renderer, v any, a *callArgs) (any, error) {
		if _, err := a.bind("filter", nil, nil); err != nil {
			return nil, err
		}
		out := fn(pyStr(v))
		if _, ok := v.(markup); ok {
			return markup(out), nil
		}
		return out, nil
	}
}

func filterAbs(r *renderer, v any, a *callArgs) (any, error) {
	switch x := v.(type) {
	case bool:
		return boolInt(x), nil
	case int64:
		if x < 0 {
			return negate(x)
		}
		return x, nil
	case *big.Int:
		return normInt(new(big.Int).Abs(x)), nil
	case float64:
		return math.Abs(x), nil
	}
	return nil, unaryTypeError("abs()", v)
}

func filterAttr(r *renderer, v any, a *callArgs) (any, error) {
	p, err := a.bind("attr", []string{"name"}, []any{noDefault})
	if err != nil {
		return nil, err
	}
	if !isString(p[0]) {
		return nil, fmt.Errorf("attribute name must be string, not '%s'", typeName(p[0]))
	}
	name := pyStr(p[0])
	if u, ok := v.(*undefined); ok {
		return nil, u.err()
	}
	if x, ok := attribute(v, name); ok {
		return x, nil
	}
	return undefinedAttr(v, name), nil
}

func filterBatch(r *renderer, v any, a *callArgs) (any, error) {
	p, err := a.bind("batch", []string{"linecount", "fill_with"}, []any{noDefault, nil})
	if err != nil {
		return nil, err
	}
	return newGenerator("do_batch", func() ([]any, error) {
		items, err := r.iterate(v)
		if err != nil {
			return nil, err
		}
		if err := r.charge(int64(len(items)) * itemBytes); err != nil {
			return nil, err // the batches' lists, beyond the list of batches account counts
		}
		var out []any
		var tmp []any
		for _, it := range items {
			if pyEq(int64(len(tmp)), p[0]) {
				out = append(out, newList(tmp))
				tmp = nil
			}
			tmp = append(tmp, it)
		}
		if len(tmp) > 0 {
			if p[1] != nil {
				n, err := argInt("batch", p[0])
				if err != nil {
					return nil, err
				}
				if err := r.checkItems(n); err != nil {
					return nil, err
				}
				if err := r.charge(n * itemBytes); err != nil {
					return nil, err
				}
				for int64(len(tmp)) < n {
					tmp = append(tmp, p[1])
				}
			}
			out = append(out, newList(tmp))
		}
		return out, nil
	}), nil
}

func filterCenter(r *renderer, v any, a *callArgs) (any, error) {
	p, err := a.bind("center", []string{"width"}, []any{int64(80)})
	if err != nil {
		return nil, err
	}
	w, err := argInt("center", p[0])
	if err != nil {
		return nil, err
	}
	s, err := r.str(v)
	if err != nil {
		return nil, err
	}
	return r.pad(s, w, " ", '^')
}

func filterLength(r *renderer, v any, a *callArgs) (any, error) {
	n, err := pyLen(v)
	return int64(n), err
}

func filterDefault(r *renderer, v any, a *callArgs) (any, error) {
	p, err := a.bind("default", []string{"default_value", "boolean"}, []any{"", false})
	if err != nil {
		return nil, err
	}
	if _, ok := v.(*undefined); ok || (truthy(p[1]) && !truthy(v)) {
		return p[0], nil
	}
	return v, nil
}

func filterDictsort(r *renderer, v any, a *callArgs) (any, error) {
	p, err := a.bind("dictsort", []string{"case_sensitive", "by", "reverse"}, []any{false, "key", false})
	if err != nil {
		return nil, err
	}
	m, ok := v.(*Map)
	if !ok {
		if u, isU := v.(*undefined); isU {
			return nil, u.err()
		}
		return nil, fmt.Errorf("dictsort(): '%s' object has no attribute 'items'", typeName(v))
	}
	pos := 0
	switch pyStr(p[1]) {
	case "key":
	case "value":
		pos = 1
	default:
		return nil, fmt.Errorf("You can only sort by either \"key\" or \"value\"")
	}
	items := make([]any, len(m.keys))
	for i, k := range m.keys {
		items[i] = tuple{k, m.vals[i]}
	}
	caseSensitive := truthy(p[0])
	reverse, err := reverseFlag(p[2])
	if err != nil {
		return nil, err
	}
	err = sortValues(items, reverse, func(it any) any {
		return foldCase(it.(tuple)[pos], caseSensitive)
	})
	return newList(items), err
}

func foldCase(v any, caseSensitive bool) any {
	if !caseSensitive {
		if s, ok := v.(string); ok {
			return strings.ToLower(s)
		}
	}
	return v
}

func filterEscape(r *renderer, v any, a *callArgs) (any, error) {
	return markup(escapeValue(v)), nil
}

// escapeValue is markupsafe.escape as a string: Markup passes through.
func escapeValue(v any) string {
	if m, ok := v.(markup); ok {
		return string(m)
	}
	return escapeHTML(pyStr(v))
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")

func escapeHTML(s string) string { return htmlEscaper.Replace(s) }

func filterFilesizeformat(r *renderer, v any, a *callArgs) (any, error) {
	p, err := a.bind("filesizeformat", []string{"binary"}, []any{false})
	if err != nil {
		return nil, err
	}
	f, ok := toFloat(v)
	if !ok {
		if s, isStr := v.(string); isStr {
			if f, err = parsePyFloat(s); err != nil {
				return nil, err
			}
		} else {
			return nil, fmt.Errorf("filesizeformat(): a number is required, not %s", typeName(v))
		}
	}
	base := 1000.0
	prefixes := []string{"kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"}
	if truthy(p[0]) {
		base = 1024
		prefixes = []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"}
	}
	if f == 1 {
		return "1 Byte", nil
	}
	if f < base {
		return fmt.Sprintf("%d Bytes", int64(f)), nil
	}
	unit := base
	for i, pre := range prefixes {
		unit = math.Pow(base, float64(i+2))
		if f < unit {
			return formatFixed(base*f/unit, 1) + " " + pre, nil
		}
	}
	return formatFixed(base*f/unit, 1) + " " + prefixes[len(prefixes)-1], nil
}

func formatFixed(f float64, prec int) string { return strconv.FormatFloat(f, 'f', prec, 64) }

func filterFirst(r *renderer, v any, a *callArgs) (any, error) {
	if it, ok := v.(*iterator); ok {
		x, ok, err := it.next()
		if err != nil || ok {
			return x, err
		}
		return &undefined{hint: "No first item, sequence was empty."}, nil
	}
	items, err := r.iterate(v)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return &undefined{hint: "No first item, sequence was empty."}, nil
	}
	return items[0], nil
}

func filterLast(r *renderer, v any, a *callArgs) (any, error) {
	if it, ok := v.(*iterator); ok {
		return nil, fmt.Errorf("'%s' object is not reversible", it.typ)
	}
	items, err := r.iterate(v)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return &undefined{hint: "No last item, sequence was empty."}, nil
	}
	return items[len(items)-1], nil
}

// parsePyFloat is Python's float(str).
func parsePyFloat(s string) (float64, error) {
	t := strings.ReplaceAll(strings.TrimFunc(s, isPySpace), "_", "")
	switch strings.ToLower(strings.TrimLeft(t, "+-")) {
	case "inf", "infinity", "nan":
		f, err := strconv.ParseFloat(t, 64)
		if err == nil {
			return f, nil
		}
	}
	if t == "" || strings.ContainsAny(t, "xXpP") {
		return 0, fmt.Errorf("could not convert string to float: %s", pyRepr(s))
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, nil
		}
		return 0, fmt.Errorf("could not convert string to float: %s", pyRepr(s))
	}
	return f, nil
}

func filterFloat(r *renderer, v any, a *callArgs) (any, error) {
	p, err := a.bind("float", []string{"default"}, []any{0.0})
	if err != nil {
		return nil, err
	}
	if f, ok := toFloat(v); ok {
		return f, nil
	}
	if isString(v) {
		if f, err := parsePyFloat(pyStr(v)); err == nil {
			return f, nil
		}
	}
	if u, ok := v.(*undefined); ok {
		return nil, u.err()
	}
	return p[0], nil
}

func filterInt(r *renderer, v any, a *callArgs) (any, error) {
	p, err := a.bind("int", []string{"default", "base"}, []any{int64(0), int64(10)})
	if err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case bool:
		return boolInt(x), nil
	case int64, *big.Int:
		return x, nil
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return p[0], nil
		}
		bf, _ := new(big.Float).SetFloat64(math.Trunc(x)).Int(nil)
		return normInt(bf), nil
	case string, markup:
		s := pyStr(x)
		if len(s) > r.lim.MaxIntDigits+64 { // digits, with room for a sign, spaces, a prefix and underscores
			return nil, r.stop("MaxIntDigits", "a string of %d characters would be read as an integer, over the limit of %d digits", len(s), r.lim.MaxIntDigits)
		}
		base, err := argInt("int", p[1])
		if err != nil {
			return nil, err
		}
		if i, ok := parsePyInt(s, int(base)); ok {
			return i, nil
		}
		if f, err := parsePyFloat(s); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			bf, _ := new(big.Float).SetFloat64(math.Trunc(f)).Int(nil)
			return normInt(bf), nil
		}
		return p[0], nil
	case *undefined:
		return nil, x.err()
	}
	return p[0], nil
}

// parsePyInt is Python's int(str, base).
func parsePyInt(s string, base int) (any, bool) {
	t := strings.TrimFunc(s, isPySpace)
	sign := ""
	if strings.HasPrefix(t, "-") || strings.HasPrefix(t, "+") {
		sign, t = t[:1], t[1:]
	}
	lower := strings.ToLower(t)
	prefixes := map[int]string{16: "0x", 8: "0o", 2: "0b"}
	if base == 0 {
		base = 10
		for b, pre := range prefixes {
			if strings.HasPrefix(lower, pre) {
				base = b
			}
		}
		if base == 10 && len(t) > 1 && t[0] == '0' && strings.Trim(t, "0_") != "" {
			return nil, false
		}
	}
	if pre, ok := prefixes[base]; ok && strings.HasPrefix(lower, pre) {
		t = strings.TrimPrefix(t[2:], "_")
	}
	if t == "" || strings.HasPrefix(t, "_") || strings.HasSuffix(t, "_") || strings.Contains(t, "__") {
		return nil, false
	}
	b, ok := new(big.Int).SetString(sign+strings.ReplaceAll(t, "_", ""), base)
	if !ok {
		return nil, false
	}
	return normInt(b), true
}

func filterFormat(r *renderer, v any, a *callArgs) (any, error) {
	if len(a.pos) > 0 && len(a.kw) > 0 {
		return nil, fmt.Errorf("can't handle positional and keyword arguments at the same time")
	}
	var arg any
	if len(a.kw) > 0 {
		m := NewMap()
		for _, kw := range a.kw {
			m.set(kw.name, kw.val)
		}
		arg = m
	} else {
		arg = tuple(a.pos)
	}
	return r.percentFormat(pyStr(v), arg)
}

func filterGroupby(r *renderer, v any, a *callArgs) (any, error) {
	p, err := a.bind("groupby", []string{"attribute", "default", "case_sensitive"}, []any{noDefault, nil, false})
	if err != nil {
		return nil, err
	}
	items, err := r.iterate(v)
	if err != nil {
		return nil, err
	}
	// Before sorting: the keys, the order being sorted and the groups' items.
	if err := r.charge(int64(len(items)) * 3 * itemBytes); err != nil {
		return nil, err
	}
	keys := make([]any, len(items))
	for i, it := range items {
		k, err := attrPath(it, p[0], p[1])
		if err != nil {
			return nil, err
		}
		keys[i] = k
	}
	idx := make([]any, len(items))
	for i := range items {
		idx[i] = int64(i)
	}
	cs := truthy(p[2])
	if err := sortValues(idx, false, func(i any) any { return foldCase(keys[i.(int64)], cs) }); err != nil {
		return nil, err
	}
	var out []any
	for _, iv := range idx {
		i := iv.(int64)
		k := foldCase(keys[i], cs)
		if n := len(out); n > 0 && pyEq(foldCase(out[n-1].(*groupTuple).grouper, cs), k) {
			g := out[n-1].(*groupTuple).list
			g.items = append(g.items, items[i])
			continue
		}
		out = append(out, &groupTuple{grouper: keys[i], list: newList([]any{items[i]})})
	}
	if err := r.charge(int64(len(out)) * listBytes); err != nil {
		return nil, err // the groups' lists
	}
	return newList(out), nil
}

// groupTuple is one group of the groupby filter: (grouper, list) with named fields.
type groupTuple struct {
	grouper any
	list    *list
}

func (g *groupTuple) tuple() tuple { return tuple{g.grouper, g.list} }

// attrPath resolves "a.b.0" on v the way Jinja2's make_attrgetter does.
func attrPath(v any, attribute any, def any) (any, error) {
	var parts []any
	if s, ok := attribute.(string); ok {
		for _, p := range strings.Split(s, ".") {
			if i, err := strconv.ParseInt(p, 10, 64); err == nil {
				parts = append(parts, i)
			} else {
				parts = append(parts, p)
			}
		}
	} else {
		parts = []any{attribute}
	}
	cur := v
	for _, p := range parts {
		var err error
		cur, err = getItem(cur, p)
		if err != nil {
			return nil, err
		}
		if _, ok := cur.(*undefined); ok && def != nil {
			return def, nil
		}
	}
	return cur, nil
}

func filterIndent(r *renderer, v any, a *callArgs) (any, error) {
	p, err := a.bind("indent", []string{"width", "first", "blank"}, []any{int64(4), false, false})
	if err != nil {
		return nil, err
	}
	var ind string
	switch w := p[0].(type) {
	case string:
		ind = w
	case markup:
		ind = string(w)
	default:
		n, err := argInt("indent", w)
		if err != nil {
			return nil, err
		}
		if err := r.checkString(n); err != nil {
			return nil, err
		}
		ind = strings.Repeat(" ", int(max(n, 0)))
	}
	// Jinja2 does s += "\n", which only a string survives.
	switch x := v.(type) {
	case string, markup:
	case *undefined:
		return nil, x.err()
	case *list:
		return nil, fmt.Errorf("'list' object has no attribute 'splitlines'")
	case tuple:
		return nil, fmt.Errorf("can only concatenate tuple (not \"str\") to tuple")
	default:
		return nil, fmt.Errorf("unsupported operand type(s) for +=: '%s' and 'str'", typeName(v))
	}
	s := pyStr(v) + "\n"
	lines := splitLines(s, false)
	// Each line but the first may get the indent, the first too with first=True.
	if err := r.checkString(int64(len(s)) + int64(len(lines))*int64(len(ind))); err != nil {
		return nil, err
	}
	var out string
	if truthy(p[2]) {
		out = strings.Join(lines, "\n"+ind)
	} else {
		var b strings.Builder
		b.WriteString(lines[0])
		for _, l := range lines[1:] {
			b.WriteString("\n")
			if l != "" {
				b.WriteString(ind)
			}
			b.WriteString(l)
		}
		out = b.String()
	}
	if truthy(p[1]) {
		out = ind + out
	}
	if _, ok := v.(markup); ok {
		return markup(out), nil
	}
	return out, nil
}

func filterItems(r *renderer, v any, a *callArgs) (any, error) {
	if _, err := a.bind("items", nil, nil); err != nil {
		return nil, err
	}
	return newGenerator("do_items", func() ([]any, error) {
		switch x := v.(type) {
		case *undefined:
			return nil, nil
		case *Map:
			items := make([]any, len(x.keys))
			for i, k := range x.keys {
				items[i] = tuple{k, x.vals[i]}
			}
			return items, nil
		}
		return nil, fmt.Errorf("Can only get item pairs from a mapping.")
	}), nil
}

func filterJoin(r *renderer, v any, a *callArgs) (any, error) {
	p, err := a.bind("join", []string{"d", "attribute"}, []any{"", nil})
	if err != nil {
		return nil, err
	}
	items, err := r.iterate(v)
	if err != nil {
		return nil, err
	}
	parts := make([]string, len(items))
	anyMarkup := false
	for i, it := range items {
		if p[1] != nil {
			if it, err = attrPath(it, p[1], nil); err != nil {
				return nil, err
			}
		}
		if _, ok := it.(markup); ok {
			anyMarkup = true
		}
		if parts[i], err = r.str(it); err != nil {
			return nil, err
		}
	}
	sep, err := r.str(p[0])
	if err != nil {
		return nil, err
	}
	if anyMarkup && r.autoescape {
		for i, it := range items {
			parts[i] = escapeValue(it)
		}
		sep = escapeValue(p[0])
		if err := r.checkJoin(parts, sep); err != nil {
			return nil, err
		}
		return markup(strings.Join(parts, sep)), nil
	}
	if err := r.checkJoin(parts, sep); err != nil {
		return nil, err
	}
	return strings.Join(parts, sep), nil
}

// checkJoin checks the size of strings.Join(parts, sep) before it is built.
func (r *renderer) checkJoin(parts []string, sep string) error {
	if len(parts) == 0 {
		return nil
	}
	total := int64(len(parts)-1) * int64(len(sep))
	for _, p := range parts {
		total += int64(len(p))
		if total > int64(r.lim.MaxString) {
			break
		}
	}
	return r.checkString(total)
}

func filterList(r *renderer, v any, a *callArgs) (any, error) {
	items, err := r.iterate(v)
	if err != nil {
		return nil, err
	}
	return newList(append([]any(nil), items...)), nil
}

func filterMap(r *renderer, v any, a *callArgs) (any, error) {
	return newGenerator("sync_do_map", func() ([]any, error) {
		if !truthy(v) {
			return nil, nil
		}
		return mapItems(r, v, a)
	}), nil
}

func mapItems(r *renderer, v any, a *callArgs) ([]any, error) {
	items, err := r.iterate(v)
	if err != nil {
		return nil, err
	}
	var attr, def any
	hasAttr := false
	for _, kw := range a.kw {
		switch kw.name {
		case "attribute":
			attr, hasAttr = kw.val, true
		case "default":
			def = kw.val
		}
	}
	out := make([]any, len(items))
	if hasAttr || len(a.pos) == 0 {
		if !hasAttr {
			return nil, fmt.Errorf("map requires a filter argument")
		}
		for i, it := range items {
			if out[i], err = attrPath(it, attr, def); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	name := pyStr(a.pos[0])
	fn, ok := r.eng.filters[name]
	if !ok {
		return nil, fmt.Errorf("no filter named %s", pyRepr(name))
	}
	rest := &callArgs{pos: a.pos[1:], kw: a.kw}
	for i, it := range items {
		if err := r.tick(); err != nil {
			return nil, err
		}
		if out[i], err = fn(r, it, rest); err != nil {
			return nil, err
		}
		if err := r.account(out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func filterMinMax(r *renderer, v any, a *callArgs, which string) (any, error) {
	p, err := a.bind(which, []string{"case_sensitive", "attribute"}, []any{false, nil})
	if err != nil {
		return nil, err
	}
	items, err := r.iterate(v)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return &undefined{hint: "No aggregated item, sequence was empty."}, nil
	}
	key := func(it any) (any, error) {
		if p[1] != nil {
			var err error
			if it, err = attrPath(it, p[1], nil); err != nil {
				return nil, err
			}
		}
		return foldCase(it, truthy(p[0])), nil
	}
	best := items[0]
	bk, err := key(best)
	if err != nil {
		return nil, err
	}
	for _, it := range items[1:] {
		k, err := key(it)
		if err != nil {
			return nil, err
		}
		c, err := pyCompare(k, bk, "<")
		if err != nil {
			return nil, err
		}
		if (which == "min" && c == -1) || (which == "max" && c == 1) {
			best, bk = it, k
		}
	}
	return best, nil
}

func filterRandom(r *renderer, v any, a *callArgs) (any, error) {
	if _, err := pyLen(v); err != nil {
		return nil, err
	}
	items, err := r.iterate(v)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("Cannot choose from an empty sequence")
	}
	return items[rand.IntN(len(items))], nil
}

func selectOrReject(r *renderer, v any, a *callArgs, keep, byAttr bool) (any, error) {
	return newGenerator("select_or_reject", func() ([]any, error) {
		if !truthy(v) {
			return nil, nil
		}
		return selectItems(r, v, a, keep, byAttr)
	}), nil
}

func selectItems(r *renderer, v any, a *callArgs, keep, byAttr bool) ([]any, error) {
	items, err := r.iterate(v)
	if err != nil {
		return nil, err
	}
	pos := a.pos
	var attr any
	if byAttr {
		if len(pos) == 0 {
			return nil, fmt.Errorf("Missing parameter for attribute name")
		}
		attr, pos = pos[0], pos[1:]
	}
	var test testFunc
	rest := &callArgs{kw: a.kw}
	if len(pos) > 0 {
		name := pyStr(pos[0])
		var ok bool
		if test, ok = r.eng.tests[name]; !ok {
			return nil, fmt.Errorf("no test named %s", pyRepr(name))
		}
		rest.pos = pos[1:]
	}
	var out []any
	for _, it := range items {
		if err := r.tick(); err != nil {
			return nil, err
		}
		val := it
		if byAttr {
			if val, err = attrPath(it, attr, nil); err != nil {
				return nil, err
			}
		}
		var ok bool
		if test == nil {
			ok = truthy(val)
		} else if ok, err = test(r, val, rest); err != nil {
			return nil, err
		}
		if ok == keep {
			out = append(out, it)
		}
	}
	return out, nil
}

func filterReplace(r *renderer, v any, a *callArgs) (any, error) {
	p, err := a.bind("replace", []string{"old", "new", "count"}, []any{noDefault, noDefault, nil})
	if err != nil {
		return nil, err
	}
	n := int64(-1)
	if p[2] != nil {
		if n, err = argInt("replace", p[2]); err != nil {
			return nil, err
		}
	}
	out, err := r.replace(pyStr(v), pyStr(p[0]), pyStr(p[1]), n)
	if err != nil {
		return nil, err
	}
	if _, ok := v.(markup); ok {
		return markup(out), nil
	}
	return out, nil
}

func filterReverse(r *renderer, v any, a *callArgs) (any, error) {
	if isString(v) {
		rs := []rune(pyStr(v))
		for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
			rs[i], rs[j] = rs[j], rs[i]
		}
		if _, ok := v.(markup); ok {
			return markup(rs), nil
		}
		return string(rs), nil
	}
	if it, ok := reversedIterator(v); ok {
		return it, nil
	}
	items, err := r.iterate(v)
	if err != nil {
		return nil, fmt.Errorf("argument must be iterable")
	}
	out := make([]any, len(items))
	for i, it := range items {
		out[len(items)-1-i] = it
	}
	return newList(out), nil
}

func filterRound(r *renderer, v any, a *callArgs) (any, error) {
	p, err := a.bind("round", []string{"precision", "method"}, []any{int64(0), "common"})
	if err != nil {
		return nil, err
	}
	method, _ := p[1].(string)
	if method != "common" && method != "ceil" && method != "floor" {
		return nil, fmt.Errorf("method must be common, ceil or floor")
	}
	if p[0] == nil && method == "common" && isNumber(v) {
		// round(x, None) is round(x): an integer.
		f, _ := toFloat(v)
		if isInt(v) {
			return r.intArith(plusToken, v, int64(0))
		}
		return floatToInt(roundHalfEven(f))
	}
	prec, err := argInt("round", p[0])
	if err != nil {
		return nil, err
	}
	if !isNumber(v) {
		if u, ok := v.(*undefined); ok {
			return nil, u.err()
		}
		return nil, fmt.Errorf("type %s doesn't define __round__ method", typeName(v))
	}
	if method == "common" {
		if isInt(v) {
			if b, ok := v.(bool); ok {
				v = boolInt(b)
			}
			if prec >= 0 {
				return v, nil
			}
			f, _ := toFloat(v)
			pw := math.Pow(10, float64(-prec))
			return int64(roundHalfEven(f/pw) * pw), nil
		}
		f, _ := toFloat(v)
		return pyRound(f, int(prec)), nil
	}
	f, _ := toFloat(v)
	pw := math.Pow(10, float64(prec))
	if method == "ceil" {
		return math.Ceil(f*pw) / pw, nil
	}
	return math.Floor(f*pw) / pw, nil
}

func roundHalfEven(f float64) float64 { return math.RoundToEven(f) }

// floatToInt is Python's int() of an integral float.
func floatToInt(f float64) (any, error) {
	if math.IsInf(f, 0) {
		return nil, fmt.Errorf("cannot convert float infinity to integer")
	}
	if math.IsNaN(f) {
		return nil, fmt.Errorf("cannot convert float NaN to integer")
	}
	b, _ := new(big.Float).SetFloat64(math.Trunc(f)).Int(nil)
	return normInt(b), nil
}

// pyRound is Python's round(float, ndigits): correctly rounded, ties to even.
func pyRound(f float64, ndigits int) float64 {
	if math.IsInf(f, 0) || math.IsNaN(f) || ndigits > 308 {
		return f
	}
	if ndigits < -308 {
		return math.Copysign(0, f)
	}
	if ndigits >= 0 {
		s := strconv.FormatFloat(f, 'f', ndigits, 64)
		out, _ := strconv.ParseFloat(s, 64)
		return out
	}
	pw := math.Pow(10, float64(-ndigits))
	return roundHalfEven(f/pw) * pw
}

func filterSlice(r *renderer, v any, a *callArgs) (any, error) {
	p, err := a.bind("slice", []string{"slices", "fill_with"}, []any{noDefault, nil})
	if err != nil {
		return nil, err
	}
	return newGenerator("sync_do_slice", func() ([]any, error) {
		items, err := r.iterate(v)
		if err != nil {
			return nil, err
		}
		n, err := argInt("slice", p[0])
		if err != nil {
			return nil, err
		}
		if err := r.checkItems(n); err != nil {
			return nil, err
		}
		if err := r.charge(n * listBytes); err != nil {
			return nil, err // n lists
		}
		if n == 0 {
			return nil, fmt.Errorf("integer division or modulo by zero")
		}
		if err := r.charge(int64(len(items)) * itemBytes); err != nil {
			return nil, err // the slices' items
		}
		length := len(items)
		per, extra := length/int(n), length%int(n)
		offset := 0
		var out []any
		for i := 0; i < int(n); i++ {
			start := offset + i*per
			if i < extra {
				offset++
			}
			end := offset + (i+1)*per
			chunk := append([]any(nil), items[start:end]...)
			if p[1] != nil && i >= extra {
				chunk = append(chunk, p[1])
			}
			out = append(out, newList(chunk))
		}
		return out, nil
	}), nil
}

func filterSort(r *renderer, v any, a *callArgs) (any, error) {
	p, err := a.bind("sort", []string{"reverse", "case_sensitive", "attribute"}, []any{false, false, nil})
	if err != nil {
		return nil, err
	}
	reverse, err := reverseFlag(p[0])
	if err != nil {
		return nil, err
	}
	items, err := r.iterate(v)
	if err != nil {
		return nil, err
	}
	out := append([]any(nil), items...)
	var keyErr error
	err = sortValues(out, reverse, func(it any) any {
		if p[2] != nil {
			k, e := attrPath(it, p[2], nil)
			if e != nil {
				keyErr = e
			}
			it = k
		}
		return foldCase(it, truthy(p[1]))
	})
	if keyErr != nil {
		return nil, keyErr
	}
	return newList(out), err
}

func filterString(r *renderer, v any, a *callArgs) (any, error) {
	if m, ok := v.(markup); ok {
		return m, nil
	}
	return r.str(v)
}

var (
	tagRe  = regexp.MustCompile(`(?s)<!--.*?-->|<[^>]*>`)
	wordRe = regexp.MustCompile(`\w+`)
)

func filterStriptags(r *renderer, v any, a *callArgs) (any, error) {
	s := tagRe.ReplaceAllString(pyStr(v), "")
	s = strings.Join(strings.FieldsFunc(s, isPySpace), " ")
	return unescapeHTML(s), nil
}

var htmlUnescaper = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", "&quot;", `"`)

func unescapeHTML(s string) string { return htmlUnescaper.Replace(s) }

func filterSum(r *renderer, v any, a *callArgs) (any, error) {
	p, err := a.bind("sum", []string{"attribute", "start"}, []any{nil, int64(0)})
	if err != nil {
		return nil, err
	}
	items, err := r.iterate(v)
	if err != nil {
		return nil, err
	}
	total := p[1]
	for _, it := range items {
		if p[0] != nil {
			if it, err = attrPath(it, p[0], nil); err != nil {
				return nil, err
			}
		}
		if total, err = r.binaryOp(plusToken, total, it); err != nil {
			return nil, err
		}
	}
	return total, nil
}

// jinjaTitle is Jinja2's title filter.
func jinjaTitle(s string) string {
	var b strings.Builder
	start := true
	for _, c := range s {
		if c == '-' || c == '(' || c == '{' || c == '[' || c == '<' || isPySpace(c) {
			b.WriteRune(c)
			start = true
			continue
		}
		if start {
			b.WriteString(strings.ToUpper(string(c)))
		} else {
			b.WriteString(strings.ToLower(string(c)))
		}
		start = false
	}
	return b.String()
}

func filterTrim(r *renderer, v any, a *callArgs) (any, error) {
	p, err := a.bind("trim", []string{"chars"}, []any{nil})
	if err != nil {
		return nil, err
	}
	chars, has, err := optChars("trim", p[0])
	if err != nil {
		return nil, err
	}
	out := pyStrip(pyStr(v), chars, has, true, true)
	if _, ok := v.(markup); ok {
		return markup(out), nil
	}
	return out, nil
}

func filterTruncate(r *renderer, v any, a *callArgs) (any, error) {
	p, err := a.bind("truncate", []string{"length", "killwords", "end", "leeway"}, []any{int64(255), false, "...", nil})
	if err != nil {
		return nil, err
	}
	s := pyStr(v)
	length, err := argInt("truncate", p[0])
	if err != nil {
		return nil, err
	}
	end := pyStr(p[2])
	leeway := int64(5)
	if p[3] != nil {
		if leeway, err = argInt("truncate", p[3]); err != nil {
			return nil, err
		}
	}
	endLen := int64(utf8.RuneCountInString(end))
	if length < endLen {
		return nil, fmt.Errorf("expected length >= %d, got %d", endLen, length)
	}
	if leeway < 0 {
		return nil, fmt.Errorf("expected leeway >= 0, got %d", leeway)
	}
	n, err := pyLen(v)
	if err != nil {
		return nil, err
	}
	if int64(n) <= length+leeway {
		return v, nil // Jinja2 returns the value itself, a string or not
	}
	if !isString(v) {
		return nil, fmt.Errorf("can only concatenate %s (not \"str\") to %s", typeName(v), typeName(v))
	}
	rs := []rune(s)
	cut := string(rs[:length-endLen])
	if truthy(p[1]) {
		return cut + end, nil
	}
	if i := strings.LastIndex(cut, " "); i >= 0 {
		cut = cut[:i]
	}
	return cut + end, nil
}

func filterUnique(r *renderer, v any, a *callArgs) (any, error) {
	p, err := a.bind("unique", []string{"case_sensitive", "attribute"}, []any{false, nil})
	if err != nil {
		return nil, err
	}
	return newGenerator("do_unique", func() ([]any, error) {
		items, err := r.iterate(v)
		if err != nil {
			return nil, err
		}
		var out, seen []any
		for _, it := range items {
			k := it
			if p[1] != nil {
				if k, err = attrPath(it, p[1], nil); err != nil {
					return nil, err
				}
			}
			k = foldCase(k, truthy(p[0]))
			dup := false
			for _, s := range seen {
				if pyEq(s, k) {
					dup = true
					break
				}
			}
			if !dup {
				seen = append(seen, k)
				out = append(out, it)
			}
		}
		return out, nil
	}), nil
}

// filterURLEncode is Jinja2's urlencode: a string (or a non-iterable) is quoted keeping
// "/"; a dict or an iterable of pairs becomes a query string, spaces as "+".
func filterURLEncode(r *renderer, v any, a *callArgs) (any, error) {
	var items []any
	switch x := v.(type) {
	case string, markup, nil, bool, int64, *big.Int, float64:
		return pyQuote(pyStr(x), "/"), nil
	case *Map:
		for i, k := range x.keys {
			items = append(items, tuple{k, x.vals[i]})
		}
	default:
		var err error
		if items, err = r.iterate(v); err != nil {
			return pyQuote(pyStr(v), "/"), nil
		}
	}
	parts := make([]string, 0, len(items))
	for _, it := range items {
		kv, err := r.iterate(it)
		if err != nil {
			return nil, fmt.Errorf("cannot unpack non-iterable %s object", typeName(it))
		}
		if len(kv) != 2 {
			return nil, fmt.Errorf("urlencode(): expected pairs, got %d values", len(kv))
		}
		q := func(x any) string { return strings.ReplaceAll(pyQuote(pyStr(x), ""), "%20", "+") }
		parts = append(parts, q(kv[0])+"="+q(kv[1]))
	}
	return strings.Join(parts, "&"), nil
}

// pyQuote is urllib.parse.quote of the UTF-8 bytes of s: letters, digits, "_.-~" and
// the safe characters stay, the rest become %XX.
func pyQuote(s, safe string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("_.-~", c) >= 0 || strings.IndexByte(safe, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

func filterXMLAttr(r *renderer, v any, a *callArgs) (any, error) {
	p, err := a.bind("xmlattr", []string{"autospace"}, []any{true})
	if err != nil {
		return nil, err
	}
	m, ok := v.(*Map)
	if !ok {
		return nil, fmt.Errorf("xmlattr(): a mapping is required")
	}
	var parts []string
	for i, k := range m.keys {
		val := m.vals[i]
		if _, isU := val.(*undefined); isU || val == nil {
			continue
		}
		ks := pyStr(k)
		if strings.ContainsAny(ks, " />=\t\n\f") {
			return nil, fmt.Errorf("Invalid character in attribute name: %s", pyRepr(ks))
		}
		parts = append(parts, escapeHTML(ks)+`="`+escapeValue(val)+`"`)
	}
	out := strings.Join(parts, " ")
	if out != "" && truthy(p[0]) {
		out = " " + out
	}
	return markup(out), nil
}

func builtinTests() map[string]testFunc {
	cmp := func(op string) testFunc {
		return func(r *renderer, v any, a *callArgs) (bool, error) {
			p, err := a.bind(op, []string{"other"}, []any{noDefault})
			if err != nil {
				return false, err
			}
			switch op {
			case "eq":
				return pyEq(v, p[0]), nil
			case "ne":
				return !pyEq(v, p[0]), nil
			}
			c, err := pyCompare(v, p[0], map[string]string{"lt": "<", "le": "<=", "gt": ">", "ge": ">="}[op])
			if err != nil || c == 2 {
				return false, err
			}
			switch op {
			case "lt":
				return c < 0, nil
			case "le":
				return c <= 0, nil
			case "gt":
				return c > 0, nil
			}
			return c >= 0, nil
		}
	}
	t := map[string]testFunc{
		"defined":   func(r *renderer, v any, a *callArgs) (bool, error) { _, u := v.(*undefined); return !u, nil },
		"undefined": func(r *renderer, v any, a *callArgs) (bool, error) { _, u := v.(*undefined); return u, nil },
		"none":      func(r *renderer, v any, a *callArgs) (bool, error) { return v == nil, nil },
		"boolean":   func(r *renderer, v any, a *callArgs) (bool, error) { _, ok := v.(bool); return ok, nil },
		"false":     func(r *renderer, v any, a *callArgs) (bool, error) { b, ok := v.(bool); return ok && !b, nil },
		"true":      func(r *renderer, v any, a *callArgs) (bool, error) { b, ok := v.(bool); return ok && b, nil },
		"integer": func(r *renderer, v any, a *callArgs) (bool, error) {
			switch v.(type) {
			case int64, *big.Int:
				return true, nil
			}
			return false, nil
		},
		"float":   func(r *renderer, v any, a *callArgs) (bool, error) { _, ok := v.(float64); return ok, nil },
		"number":  func(r *renderer, v any, a *callArgs) (bool, error) { return isNumber(v), nil },
		"string":  func(r *renderer, v any, a *callArgs) (bool, error) { return isString(v), nil },
		"mapping": func(r *renderer, v any, a *callArgs) (bool, error) { _, ok := v.(*Map); return ok, nil },
		"sequence": func(r *renderer, v any, a *callArgs) (bool, error) {
			switch v.(type) {
			case string, markup, *list, tuple, *Map, *rangeValue, *groupTuple, *undefined:
				return true, nil
			}
			return false, nil
		},
		"iterable": func(r *renderer, v any, a *callArgs) (bool, error) {
			switch v.(type) {
			case string, markup, *list, tuple, *Map, *rangeValue, *undefined, *groupTuple, *iterator:
				return true, nil
			}
			return false, nil
		},
		"callable": func(r *renderer, v any, a *callArgs) (bool, error) {
			switch v.(type) {
			case *macro, *boundMethod, *builtinFunc, *loopContext, *undefined: // Undefined has __call__
				return true, nil
			}
			return false, nil
		},
		"sameas": func(r *renderer, v any, a *callArgs) (bool, error) {
			p, err := a.bind("sameas", []string{"other"}, []any{noDefault})
			if err != nil {
				return false, err
			}
			switch x := v.(type) {
			case nil, bool:
				return v == p[0], nil
			case int64:
				y, ok := p[0].(int64)
				return ok && x == y && x >= -5 && x <= 256, nil
			case *list, *Map, *namespace, *macro:
				return v == p[0], nil
			}
			return false, nil
		},
		"escaped": func(r *renderer, v any, a *callArgs) (bool, error) { _, ok := v.(markup); return ok, nil },
		"in": func(r *renderer, v any, a *callArgs) (bool, error) {
			p, err := a.bind("in", []string{"seq"}, []any{noDefault})
			if err != nil {
				return false, err
			}
			return r.contains(p[0], v)
		},
		// odd and even are value % 2 == 1 and value % 2 == 0, as in Jinja2.
		"odd": func(r *renderer, v any, a *callArgs) (bool, error) {
			m, err := r.binaryOp(modToken, v, int64(2))
			return err == nil && pyEq(m, int64(1)), err
		},
		"even": func(r *renderer, v any, a *callArgs) (bool, error) {
			m, err := r.binaryOp(modToken, v, int64(2))
			return err == nil && pyEq(m, int64(0)), err
		},
		"divisibleby": func(r *renderer, v any, a *callArgs) (bool, error) {
			p, err := a.bind("divisibleby", []string{"num"}, []any{noDefault})
			if err != nil {
				return false, err
			}
			m, err := r.binaryOp(modToken, v, p[0]) // value % num == 0
			if err != nil {
				return false, err
			}
			return pyEq(m, int64(0)), nil
		},
		"lower": func(r *renderer, v any, a *callArgs) (bool, error) { return pyIsLower(pyStr(v)), nil },
		"upper": func(r *renderer, v any, a *callArgs) (bool, error) { return pyIsUpper(pyStr(v)), nil },
		"eq":    cmp("eq"), "ne": cmp("ne"), "lt": cmp("lt"), "le": cmp("le"), "gt": cmp("gt"), "ge": cmp("ge"),
	}
	// Tests that take no argument but the value fail, as Python does, when given more.
	for _, name := range []string{"defined", "undefined", "none", "boolean", "false", "true", "integer", "float",
		"number", "string", "mapping", "sequence", "iterable", "callable", "escaped", "odd", "even", "lower", "upper"} {
		if fn := t[name]; fn != nil {
			t[name] = unaryTest(name, fn)
		}
	}
	t["filter"] = nil
	t["test"] = nil
	delete(t, "filter")
	delete(t, "test")
	t["=="], t["equalto"] = t["eq"], t["eq"]
	t["!="] = t["ne"]
	t["<"], t["lessthan"] = t["lt"], t["lt"]
	t["<="] = t["le"]
	t[">"], t["greaterthan"] = t["gt"], t["gt"]
	t[">="] = t["ge"]
	return t
}

// unaryTest makes a one-argument test refuse further arguments.
func unaryTest(name string, fn testFunc) testFunc {
	return func(r *renderer, v any, a *callArgs) (bool, error) {
		if n := len(a.pos) + len(a.kw); n > 0 {
			if len(a.kw) > 0 {
				return false, fmt.Errorf("test_%s() got an unexpected keyword argument '%s'", name, a.kw[0].name)
			}
			return false, fmt.Errorf("test_%s() takes 1 positional argument but %d were given", name, n+1)
		}
		return fn(r, v, a)
	}
}

// contains is Python's "item in container".
func (r *renderer) contains(container, item any) (bool, error) {
	switch c := container.(type) {
	case string, markup:
		if !isString(item) {
			if u, ok := item.(*undefined); ok {
				return false, u.err()
			}
			return false, fmt.Errorf("'in <string>' requires string as left operand, not %s", typeName(item))
		}
		return strings.Contains(pyStr(c), pyStr(item)), nil
	case *Map:
		if !isHashableKey(item) {
			if u, ok := item.(*undefined); ok {
				return false, u.err()
			}
			return false, fmt.Errorf("unhashable type: '%s'", typeName(item))
		}
		_, ok := c.get(item)
		return ok, nil
	case *rangeValue:
		if i, ok := item.(int64); ok {
			n := c.length()
			if n == 0 {
				return false, nil
			}
			if (i-c.start)%c.step != 0 {
				return false, nil
			}
			k := (i - c.start) / c.step
			return k >= 0 && k < n, nil
		}
	}
	items, err := r.iterate(container)
	if err != nil {
		return false, fmt.Errorf("argument of type '%s' is not iterable", typeName(container))
	}
	for _, it := range items {
		if pyEq(it, item) {
			return true, nil
		}
	}
	return false, nil
}
