package render

import (
	"fmt"
	"math/big"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// boundMethod is a Python method of a builtin value (s.split, d.items, l.append).
type boundMethod struct {
	recv any
	name string
}

// builtinFunc is a global function or a helper object's method.
type builtinFunc struct {
	name string
	fn   func(r *renderer, a *callArgs) (any, error)
}

// rangeValue is a lazy range(start, stop, step).
type rangeValue struct{ start, stop, step int64 }

func (x *rangeValue) length() int64 {
	if x.step > 0 && x.start < x.stop {
		return (x.stop - x.start + x.step - 1) / x.step
	}
	if x.step < 0 && x.start > x.stop {
		return (x.start - x.stop - x.step - 1) / -x.step
	}
	return 0
}

// namespace is Jinja2's namespace(): attributes assignable with {% set ns.attr = v %}.
type namespace struct{ attrs *Map }

var strMethods = setOf("capitalize", "casefold", "center", "count", "endswith", "find", "format", "index",
	"isalnum", "isalpha", "isdecimal", "isdigit", "islower", "isnumeric", "isspace", "istitle", "isupper",
	"join", "ljust", "lower", "lstrip", "partition", "removeprefix", "removesuffix", "replace", "rfind",
	"rindex", "rjust", "rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith", "strip",
	"swapcase", "title", "upper", "zfill", "format_map", "expandtabs")

var dictMethods = setOf("items", "keys", "values", "get", "copy", "update", "pop", "setdefault", "clear", "popitem")

var listMethods = setOf("append", "extend", "insert", "pop", "remove", "index", "count", "reverse", "sort", "copy", "clear")

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// attribute is Python's getattr for template values (methods and object attributes).
func attribute(obj any, name string) (any, bool) {
	switch x := obj.(type) {
	case string, markup:
		if strMethods[name] {
			return &boundMethod{recv: obj, name: name}, true
		}
	case *Map:
		if dictMethods[name] {
			return &boundMethod{recv: obj, name: name}, true
		}
	case *list:
		if listMethods[name] {
			return &boundMethod{recv: obj, name: name}, true
		}
	case tuple:
		if name == "index" || name == "count" {
			return &boundMethod{recv: obj, name: name}, true
		}
	case *loopContext:
		return x.attr(name)
	case *namespace:
		return x.attrs.get(name)
	case *module:
		return x.attrs.get(name)
	case *rangeValue:
		switch name {
		case "start":
			return x.start, true
		case "stop":
			return x.stop, true
		case "step":
			return x.step, true
		}
	case float64:
		switch name {
		case "real":
			return x, true
		case "imag":
			return 0.0, true
		case "is_integer":
			return &boundMethod{recv: obj, name: name}, true
		}
	case int64, *big.Int, bool:
		switch name {
		case "real", "numerator":
			return obj, true
		case "imag":
			return int64(0), true
		case "denominator":
			return int64(1), true
		}
	case *macro:
		switch name {
		case "name":
			return x.name, true
		case "arguments":
			args := make([]any, len(x.sig.params))
			for i, p := range x.sig.params {
				args[i] = p.name
			}
			return tuple(args), true
		case "catch_kwargs":
			return x.sig.usesKwargs, true
		case "catch_varargs":
			return x.sig.usesVarargs, true
		case "caller":
			return x.sig.usesCaller, true
		}
	case *cycler:
		return x.attr(name)
	case *templateRef:
		return x.attr(name)
	case *groupTuple:
		switch name {
		case "grouper":
			return x.grouper, true
		case "list":
			return x.list, true
		}
	}
	return nil, false
}

// noDefault marks a required parameter in bind.
var noDefault = &struct{ required bool }{true}

// bind maps call arguments onto named parameters with defaults (noDefault = required).
func (a *callArgs) bind(fn string, names []string, defs []any) ([]any, error) {
	out := make([]any, len(names))
	set := make([]bool, len(names))
	if len(a.pos) > len(names) {
		return nil, fmt.Errorf("%s() takes at most %d arguments (%d given)", fn, len(names), len(a.pos))
	}
	for i, v := range a.pos {
		out[i], set[i] = v, true
	}
	for _, kw := range a.kw {
		found := false
		for i, n := range names {
			if n == kw.name {
				if set[i] {
					return nil, fmt.Errorf("%s() got multiple values for argument '%s'", fn, n)
				}
				out[i], set[i], found = kw.val, true, true
			}
		}
		if !found {
			return nil, fmt.Errorf("%s() got an unexpected keyword argument '%s'", fn, kw.name)
		}
	}
	for i := range names {
		if !set[i] {
			if defs[i] == noDefault {
				return nil, fmt.Errorf("%s() missing required argument '%s'", fn, names[i])
			}
			out[i] = defs[i]
		}
	}
	return out, nil
}

func argInt(fn string, v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case bool:
		return boolInt(x), nil
	case *undefined:
		return 0, x.err()
	}
	return 0, fmt.Errorf("%s(): '%s' object cannot be interpreted as an integer", fn, typeName(v))
}

func argStr(fn string, v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case markup:
		return string(x), nil
	case *undefined:
		return "", x.err()
	}
	return "", fmt.Errorf("%s(): argument must be str, not %s", fn, typeName(v))
}

// optChars reads an optional "chars" argument (None means whitespace).
func optChars(fn string, v any) (string, bool, error) {
	if v == nil {
		return "", false, nil
	}
	s, err := argStr(fn, v)
	return s, true, err
}

func (r *renderer) callMethod(m *boundMethod, a *callArgs) (any, error) {
	switch x := m.recv.(type) {
	case string:
		return r.strMethod(x, m.name, a)
	case markup:
		v, err := r.strMethod(string(x), m.name, a)
		if s, ok := v.(string); ok && err == nil {
			return markup(s), nil
		}
		return v, err
	case *Map:
		before := len(x.keys)
		v, err := r.dictMethod(x, m.name, a)
		if grew := len(x.keys) - before; grew > 0 && err == nil && m.name != "update" {
			err = r.growMap(x, 0) // setdefault's one entry
		}
		return v, err
	case *list:
		return r.listMethod(x, m.name, a)
	case tuple:
		return r.listMethod(&list{items: x}, m.name, a)
	case float64:
		return x == float64(int64(x)), nil
	}
	return nil, fmt.Errorf("'%s' object has no method %s", typeName(m.recv), m.name)
}

func (r *renderer) strMethod(s, name string, a *callArgs) (any, error) {
	fn := "str." + name
	switch name {
	case "split", "rsplit":
		p, err := a.bind(fn, []string{"sep", "maxsplit"}, []any{nil, int64(-1)})
		if err != nil {
			return nil, err
		}
		n, err := argInt(fn, p[1])
		if err != nil {
			return nil, err
		}
		var parts []string
		if p[0] == nil {
			parts = splitWhitespace(s, int(n), name == "rsplit")
		} else {
			sep, err := argStr(fn, p[0])
			if err != nil {
				return nil, err
			}
			if sep == "" {
				return nil, fmt.Errorf("empty separator")
			}
			parts = splitSep(s, sep, int(n), name == "rsplit")
		}
		return strList(parts), nil
	case "strip", "lstrip", "rstrip":
		p, err := a.bind(fn, []string{"chars"}, []any{nil})
		if err != nil {
			return nil, err
		}
		chars, has, err := optChars(fn, p[0])
		if err != nil {
			return nil, err
		}
		return pyStrip(s, chars, has, name != "rstrip", name != "lstrip"), nil
	case "lower":
		return strings.ToLower(s), nil
	case "upper":
		return strings.ToUpper(s), nil
	case "casefold":
		return strings.ToLower(s), nil
	case "swapcase":
		return strings.Map(func(c rune) rune {
			if unicode.IsUpper(c) {
				return unicode.ToLower(c)
			}
			return unicode.ToUpper(c)
		}, s), nil
	case "title":
		return pyTitle(s), nil
	case "capitalize":
		return pyCapitalize(s), nil
	case "replace":
		p, err := a.bind(fn, []string{"old", "new", "count"}, []any{noDefault, noDefault, int64(-1)})
		if err != nil {
			return nil, err
		}
		old, err := argStr(fn, p[0])
		if err != nil {
			return nil, err
		}
		nw, err := argStr(fn, p[1])
		if err != nil {
			return nil, err
		}
		n, err := argInt(fn, p[2])
		if err != nil {
			return nil, err
		}
		return r.replace(s, old, nw, n)
	case "startswith", "endswith":
		p, err := a.bind(fn, []string{"prefix", "start", "end"}, []any{noDefault, nil, nil})
		if err != nil {
			return nil, err
		}
		sub, err := sliceValue(s, optInt(p[1]), optInt(p[2]), nil)
		if err != nil {
			return nil, err
		}
		target := sub.(string)
		var cands []any
		if t, ok := p[0].(tuple); ok {
			cands = t
		} else {
			cands = []any{p[0]}
		}
		for _, c := range cands {
			cs, err := argStr(fn, c)
			if err != nil {
				return nil, fmt.Errorf("%s first arg must be str or a tuple of str, not %s", name, typeName(c))
			}
			if (name == "startswith" && strings.HasPrefix(target, cs)) || (name == "endswith" && strings.HasSuffix(target, cs)) {
				return true, nil
			}
		}
		return false, nil
	case "find", "rfind", "index", "rindex", "count":
		p, err := a.bind(fn, []string{"sub", "start", "end"}, []any{noDefault, nil, nil})
		if err != nil {
			return nil, err
		}
		sub, err := argStr(fn, p[0])
		if err != nil {
			return nil, err
		}
		rs := []rune(s)
		lo, hi := sliceBounds(len(rs), optInt(p[1]), optInt(p[2]))
		if lo > hi {
			if name == "count" {
				return int64(0), nil
			}
			lo = hi
		}
		window := string(rs[lo:hi])
		if name == "count" {
			if sub == "" {
				return int64(utf8.RuneCountInString(window) + 1), nil
			}
			return int64(strings.Count(window, sub)), nil
		}
		var i int
		if name == "find" || name == "index" {
			i = strings.Index(window, sub)
		} else {
			i = strings.LastIndex(window, sub)
		}
		if i < 0 {
			if name == "index" || name == "rindex" {
				return nil, fmt.Errorf("substring not found")
			}
			return int64(-1), nil
		}
		return int64(lo + utf8.RuneCountInString(window[:i])), nil
	case "join":
		p, err := a.bind(fn, []string{"iterable"}, []any{noDefault})
		if err != nil {
			return nil, err
		}
		items, err := r.iterate(p[0])
		if err != nil {
			return nil, err
		}
		parts := make([]string, len(items))
		for i, it := range items {
			if !isString(it) {
				return nil, fmt.Errorf("sequence item %d: expected str instance, %s found", i, typeName(it))
			}
			parts[i] = pyStr(it)
		}
		if err := r.checkJoin(parts, s); err != nil {
			return nil, err
		}
		return strings.Join(parts, s), nil
	case "center", "ljust", "rjust":
		p, err := a.bind(fn, []string{"width", "fillchar"}, []any{noDefault, " "})
		if err != nil {
			return nil, err
		}
		w, err := argInt(fn, p[0])
		if err != nil {
			return nil, err
		}
		fill, err := argStr(fn, p[1])
		if err != nil || utf8.RuneCountInString(fill) != 1 {
			return nil, fmt.Errorf("The fill character must be exactly one character long")
		}
		return r.pad(s, w, fill, map[string]byte{"center": '^', "ljust": '<', "rjust": '>'}[name])
	case "zfill":
		p, err := a.bind(fn, []string{"width"}, []any{noDefault})
		if err != nil {
			return nil, err
		}
		w, err := argInt(fn, p[0])
		if err != nil {
			return nil, err
		}
		if err := r.checkString(int64(len(s)) + w); err != nil {
			return nil, err
		}
		n := utf8.RuneCountInString(s)
		if int(w) <= n {
			return s, nil
		}
		zeros := strings.Repeat("0", int(w)-n)
		if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
			return s[:1] + zeros + s[1:], nil
		}
		return zeros + s, nil
	case "isdigit", "isdecimal", "isnumeric":
		return s != "" && strings.IndexFunc(s, func(c rune) bool { return !unicode.IsDigit(c) }) < 0, nil
	case "isalpha":
		return s != "" && strings.IndexFunc(s, func(c rune) bool { return !unicode.IsLetter(c) }) < 0, nil
	case "isalnum":
		return s != "" && strings.IndexFunc(s, func(c rune) bool { return !unicode.IsLetter(c) && !unicode.IsDigit(c) }) < 0, nil
	case "isspace":
		return s != "" && strings.IndexFunc(s, func(c rune) bool { return !isPySpace(c) }) < 0, nil
	case "islower":
		return pyIsLower(s), nil
	case "isupper":
		return pyIsUpper(s), nil
	case "istitle":
		return s == pyTitle(s) && strings.IndexFunc(s, unicode.IsLetter) >= 0, nil
	case "removeprefix":
		p, err := a.bind(fn, []string{"prefix"}, []any{noDefault})
		if err != nil {
			return nil, err
		}
		x, err := argStr(fn, p[0])
		if err != nil {
			return nil, err
		}
		return strings.TrimPrefix(s, x), nil
	case "removesuffix":
		p, err := a.bind(fn, []string{"suffix"}, []any{noDefault})
		if err != nil {
			return nil, err
		}
		x, err := argStr(fn, p[0])
		if err != nil {
			return nil, err
		}
		return strings.TrimSuffix(s, x), nil
	case "partition", "rpartition":
		p, err := a.bind(fn, []string{"sep"}, []any{noDefault})
		if err != nil {
			return nil, err
		}
		sep, err := argStr(fn, p[0])
		if err != nil {
			return nil, err
		}
		if sep == "" {
			return nil, fmt.Errorf("empty separator")
		}
		var i int
		if name == "partition" {
			i = strings.Index(s, sep)
		} else {
			i = strings.LastIndex(s, sep)
		}
		if i < 0 {
			if name == "partition" {
				return tuple{s, "", ""}, nil
			}
			return tuple{"", "", s}, nil
		}
		return tuple{s[:i], sep, s[i+len(sep):]}, nil
	case "splitlines":
		p, err := a.bind(fn, []string{"keepends"}, []any{false})
		if err != nil {
			return nil, err
		}
		return strList(splitLines(s, truthy(p[0]))), nil
	case "expandtabs":
		return r.replace(s, "\t", "        ", -1)
	case "format":
		return r.strFormat(s, a)
	case "format_map":
		p, err := a.bind(fn, []string{"mapping"}, []any{noDefault})
		if err != nil {
			return nil, err
		}
		m, ok := p[0].(*Map)
		if !ok {
			return nil, fmt.Errorf("format_map() argument must be a mapping")
		}
		ca := &callArgs{}
		for i, k := range m.keys {
			if ks, ok := k.(string); ok {
				ca.kw = append(ca.kw, kwArg{name: ks, val: m.vals[i]})
			}
		}
		return r.strFormat(s, ca)
	}
	return nil, fmt.Errorf("'str' object has no attribute '%s'", name)
}

func optInt(v any) *int64 {
	if i, ok := v.(int64); ok {
		return &i
	}
	return nil
}

// sliceBounds clamps Python slice bounds with step 1.
func sliceBounds(n int, start, stop *int64) (int, int) {
	lo, hi := int64(0), int64(n)
	if start != nil {
		lo = *start
		if lo < 0 {
			lo += int64(n)
		}
		lo = max(0, min(lo, int64(n)))
	}
	if stop != nil {
		hi = *stop
		if hi < 0 {
			hi += int64(n)
		}
		hi = max(0, min(hi, int64(n)))
	}
	return int(lo), int(hi)
}

func strList(parts []string) *list {
	items := make([]any, len(parts))
	for i, p := range parts {
		items[i] = p
	}
	return newList(items)
}

// splitWhitespace is str.split()/rsplit() without a separator.
func splitWhitespace(s string, maxsplit int, fromRight bool) []string {
	fields := strings.FieldsFunc(s, isPySpace)
	if maxsplit < 0 || len(fields) <= maxsplit+1 {
		return fields
	}
	if !fromRight {
		// keep the remainder after maxsplit splits, left-stripped only
		rest := s
		var out []string
		for i := 0; i < maxsplit; i++ {
			rest = strings.TrimLeftFunc(rest, isPySpace)
			j := strings.IndexFunc(rest, isPySpace)
			out = append(out, rest[:j])
			rest = rest[j:]
		}
		rest = strings.TrimLeftFunc(rest, isPySpace)
		return append(out, rest)
	}
	rest := s
	var out []string
	for i := 0; i < maxsplit; i++ {
		rest = strings.TrimRightFunc(rest, isPySpace)
		j := strings.LastIndexFunc(rest, isPySpace)
		out = append([]string{rest[j+1:]}, out...)
		rest = rest[:j+1]
	}
	rest = strings.TrimRightFunc(rest, isPySpace)
	return append([]string{rest}, out...)
}

func splitSep(s, sep string, maxsplit int, fromRight bool) []string {
	if maxsplit < 0 {
		return strings.Split(s, sep)
	}
	if !fromRight {
		return strings.SplitN(s, sep, maxsplit+1)
	}
	var out []string
	rest := s
	for i := 0; i < maxsplit; i++ {
		j := strings.LastIndex(rest, sep)
		if j < 0 {
			break
		}
		out = append([]string{rest[j+len(sep):]}, out...)
		rest = rest[:j]
	}
	return append([]string{rest}, out...)
}

// splitLines is str.splitlines.
func splitLines(s string, keepEnds bool) []string {
	var out []string
	start := 0
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch c {
		case '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
		default:
			continue
		}
		end := i + 1
		if c == '\r' && i+1 < len(rs) && rs[i+1] == '\n' {
			end = i + 2
		}
		if keepEnds {
			out = append(out, string(rs[start:end]))
		} else {
			out = append(out, string(rs[start:i]))
		}
		start = end
		i = end - 1
	}
	if start < len(rs) {
		out = append(out, string(rs[start:]))
	}
	return out
}

// pyStrip is str.strip/lstrip/rstrip.
func pyStrip(s, chars string, has, left, right bool) string {
	cut := isPySpace
	if has {
		cut = func(c rune) bool { return strings.ContainsRune(chars, c) }
	}
	if left {
		s = strings.TrimLeftFunc(s, cut)
	}
	if right {
		s = strings.TrimRightFunc(s, cut)
	}
	return s
}

func isCased(c rune) bool { return unicode.IsUpper(c) || unicode.IsLower(c) || unicode.IsTitle(c) }

// pyTitle is str.title.
func pyTitle(s string) string {
	var b strings.Builder
	prevCased := false
	for _, c := range s {
		if isCased(c) {
			if prevCased {
				b.WriteRune(unicode.ToLower(c))
			} else {
				b.WriteRune(unicode.ToTitle(c))
			}
			prevCased = true
		} else {
			b.WriteRune(c)
			prevCased = false
		}
	}
	return b.String()
}

// pyCapitalize is str.capitalize.
func pyCapitalize(s string) string {
	if s == "" {
		return s
	}
	c, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToTitle(c)) + strings.ToLower(s[n:])
}

// growMap checks that m can take n more entries (MaxItems) and charges them
// (MaxAllocated) before they are added.
func (r *renderer) growMap(m *Map, n int) error {
	if err := r.checkItems(int64(len(m.keys)) + int64(n)); err != nil {
		return err
	}
	return r.charge(entryBytes * int64(max(n, 1)))
}

// pad is pad with the size of the result checked before it is built.
func (r *renderer) pad(s string, width int64, fill string, align byte) (string, error) {
	if n := int64(utf8.RuneCountInString(s)); width > n {
		grow := (width - n) * int64(len(fill))
		if grow/int64(len(fill)) != width-n {
			grow = -1 // overflow
		}
		if err := r.checkString(int64(len(s)) + grow); err != nil {
			return "", err
		}
	}
	return pad(s, int(width), fill, align), nil
}

// replace is strings.Replace (n < 0: every occurrence) with the size of the result
// checked before it is built.
func (r *renderer) replace(s, old, nw string, n int64) (string, error) {
	if len(nw) > len(old) {
		count := int64(strings.Count(s, old))
		if n >= 0 {
			count = min(count, n)
		}
		if err := r.checkString(int64(len(s)) + count*int64(len(nw)-len(old))); err != nil {
			return "", err
		}
	}
	return strings.Replace(s, old, nw, int(max(n, -1))), nil
}

// pad aligns s in width with fill ('<', '>', '^').
func pad(s string, width int, fill string, align byte) string {
	n := utf8.RuneCountInString(s)
	if width <= n {
		return s
	}
	total := width - n
	switch align {
	case '<':
		return s + strings.Repeat(fill, total)
	case '>':
		return strings.Repeat(fill, total) + s
	}
	// Python's str.center puts the extra character on the right unless width is odd... it
	// uses left = total/2 + (total & width & 1).
	left := total/2 + (total & width & 1)
	return strings.Repeat(fill, left) + s + strings.Repeat(fill, total-left)
}

func (r *renderer) dictMethod(m *Map, name string, a *callArgs) (any, error) {
	fn := "dict." + name
	switch name {
	case "items":
		if _, err := a.bind(fn, nil, nil); err != nil {
			return nil, err
		}
		items := make([]any, len(m.keys))
		for i, k := range m.keys {
			items[i] = tuple{k, m.vals[i]}
		}
		return &list{items: items, view: "dict_items"}, nil
	case "keys":
		if _, err := a.bind(fn, nil, nil); err != nil {
			return nil, err
		}
		return &list{items: append([]any(nil), m.keys...), view: "dict_keys"}, nil
	case "values":
		if _, err := a.bind(fn, nil, nil); err != nil {
			return nil, err
		}
		return &list{items: append([]any(nil), m.vals...), view: "dict_values"}, nil
	case "get":
		p, err := a.bind(fn, []string{"key", "default"}, []any{noDefault, nil})
		if err != nil {
			return nil, err
		}
		if err := checkHashable(p[0]); err != nil {
			return nil, err
		}
		if v, ok := m.get(p[0]); ok {
			return v, nil
		}
		return p[1], nil
	case "copy":
		return m.copyMap(), nil
	case "update":
		if len(a.pos) > 1 {
			return nil, fmt.Errorf("update expected at most 1 argument, got %d", len(a.pos))
		}
		if len(a.pos) == 1 {
			switch src := a.pos[0].(type) {
			case *Map:
				if err := r.growMap(m, len(src.keys)); err != nil {
					return nil, err
				}
				for i, k := range src.keys {
					m.set(k, src.vals[i])
				}
			default:
				items, err := r.iterate(src)
				if err != nil {
					return nil, err
				}
				if err := r.growMap(m, len(items)); err != nil {
					return nil, err
				}
				for _, it := range items {
					kv, err := r.iterate(it)
					if err != nil || len(kv) != 2 {
						return nil, fmt.Errorf("dictionary update sequence element has wrong length")
					}
					m.set(kv[0], kv[1])
				}
			}
		}
		for _, kw := range a.kw {
			m.set(kw.name, kw.val)
		}
		return nil, nil
	case "pop":
		p, err := a.bind(fn, []string{"key", "default"}, []any{noDefault, noDefault})
		if err != nil && !strings.Contains(err.Error(), "'default'") {
			return nil, err
		}
		if v, ok := m.delete(p[0]); ok {
			return v, nil
		}
		if len(a.pos) > 1 {
			return a.pos[1], nil
		}
		return nil, fmt.Errorf("KeyError: %s", pyRepr(p[0]))
	case "setdefault":
		p, err := a.bind(fn, []string{"key", "default"}, []any{noDefault, nil})
		if err != nil {
			return nil, err
		}
		if v, ok := m.get(p[0]); ok {
			return v, nil
		}
		m.set(p[0], p[1])
		return p[1], nil
	case "clear":
		*m = *NewMap()
		return nil, nil
	case "popitem":
		if m.Len() == 0 {
			return nil, fmt.Errorf("popitem(): dictionary is empty")
		}
		k := m.keys[len(m.keys)-1]
		v, _ := m.delete(k)
		return tuple{k, v}, nil
	}
	return nil, fmt.Errorf("'dict' object has no attribute '%s'", name)
}

func (r *renderer) listMethod(l *list, name string, a *callArgs) (any, error) {
	fn := "list." + name
	switch name {
	case "append":
		p, err := a.bind(fn, []string{"object"}, []any{noDefault})
		if err != nil {
			return nil, err
		}
		if err := r.checkItems(int64(len(l.items)) + 1); err != nil {
			return nil, err
		}
		if err := r.charge(itemBytes); err != nil {
			return nil, err
		}
		l.items = append(l.items, p[0])
		return nil, nil
	case "extend":
		p, err := a.bind(fn, []string{"iterable"}, []any{noDefault})
		if err != nil {
			return nil, err
		}
		items, err := r.iterate(p[0])
		if err != nil {
			return nil, err
		}
		if err := r.checkItems(int64(len(l.items)) + int64(len(items))); err != nil {
			return nil, err
		}
		if err := r.charge(itemBytes * int64(len(items))); err != nil {
			return nil, err
		}
		l.items = append(l.items, items...)
		return nil, nil
	case "insert":
		p, err := a.bind(fn, []string{"index", "object"}, []any{noDefault, noDefault})
		if err != nil {
			return nil, err
		}
		i, err := argInt(fn, p[0])
		if err != nil {
			return nil, err
		}
		n := int64(len(l.items))
		if i < 0 {
			i = max(0, i+n)
		}
		i = min(i, n)
		l.items = append(l.items[:i], append([]any{p[1]}, l.items[i:]...)...)
		return nil, nil
	case "pop":
		p, err := a.bind(fn, []string{"index"}, []any{int64(-1)})
		if err != nil {
			return nil, err
		}
		i, err := argInt(fn, p[0])
		if err != nil {
			return nil, err
		}
		n := int64(len(l.items))
		if i < 0 {
			i += n
		}
		if i < 0 || i >= n {
			return nil, fmt.Errorf("pop index out of range")
		}
		v := l.items[i]
		l.items = append(l.items[:i], l.items[i+1:]...)
		return v, nil
	case "remove", "index", "count":
		p, err := a.bind(fn, []string{"value"}, []any{noDefault})
		if err != nil {
			return nil, err
		}
		count := int64(0)
		for i, it := range l.items {
			if pyEq(it, p[0]) {
				switch name {
				case "remove":
					l.items = append(l.items[:i], l.items[i+1:]...)
					return nil, nil
				case "index":
					return int64(i), nil
				}
				count++
			}
		}
		if name == "count" {
			return count, nil
		}
		return nil, fmt.Errorf("%s is not in list", pyRepr(p[0]))
	case "reverse":
		for i, j := 0, len(l.items)-1; i < j; i, j = i+1, j-1 {
			l.items[i], l.items[j] = l.items[j], l.items[i]
		}
		return nil, nil
	case "sort":
		p, err := a.bind(fn, []string{"reverse"}, []any{false})
		if err != nil {
			return nil, err
		}
		reverse, err := reverseFlag(p[0])
		if err != nil {
			return nil, err
		}
		return nil, sortValues(l.items, reverse, func(v any) any { return v })
	case "copy":
		return newList(append([]any(nil), l.items...)), nil
	case "clear":
		l.items = nil
		return nil, nil
	}
	return nil, fmt.Errorf("'list' object has no attribute '%s'", name)
}

// pyIsLower is str.islower: some cased character, and no upper or title case one.
func pyIsLower(s string) bool { return casedOnly(s, unicode.IsLower) }

// pyIsUpper is str.isupper: some cased character, and no lower case one.
func pyIsUpper(s string) bool {
	return casedOnly(s, func(c rune) bool { return unicode.IsUpper(c) || unicode.IsTitle(c) })
}

func casedOnly(s string, want func(rune) bool) bool {
	cased := false
	for _, c := range s {
		if isCased(c) {
			if !want(c) {
				return false
			}
			cased = true
		}
	}
	return cased
}

// reverseFlag reads sorted()'s reverse argument, which Python takes as an integer.
func reverseFlag(v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case int64:
		return x != 0, nil
	case *big.Int:
		return x.Sign() != 0, nil
	}
	return false, fmt.Errorf("'%s' object cannot be interpreted as an integer", typeName(v))
}

// sortValues sorts items stably by key with Python ordering.
func sortValues(items []any, reverse bool, key func(any) any) error {
	var err error
	sort.SliceStable(items, func(i, j int) bool {
		a, b := key(items[i]), key(items[j])
		if reverse {
			a, b = b, a
		}
		c, e := pyCompare(a, b, "<")
		if e != nil && err == nil {
			err = e
		}
		return c == -1
	})
	return err
}

// ---- globals ----

// cycler is Jinja2's cycler().
type cycler struct {
	items []any
	pos   int
}

func (c *cycler) attr(name string) (any, bool) {
	switch name {
	case "current":
		return c.items[c.pos], true
	case "next":
		return &builtinFunc{name: "next", fn: func(r *renderer, a *callArgs) (any, error) {
			v := c.items[c.pos]
			c.pos = (c.pos + 1) % len(c.items)
			return v, nil
		}}, true
	case "reset":
		return &builtinFunc{name: "reset", fn: func(r *renderer, a *callArgs) (any, error) {
			c.pos = 0
			return nil, nil
		}}, true
	}
	return nil, false
}

func builtinGlobals() map[string]any {
	return map[string]any{
		"range": &builtinFunc{name: "range", fn: func(r *renderer, a *callArgs) (any, error) {
			if len(a.kw) > 0 {
				return nil, fmt.Errorf("range() takes no keyword arguments")
			}
			nums := make([]int64, len(a.pos))
			for i, v := range a.pos {
				n, err := argInt("range", v)
				if err != nil {
					return nil, err
				}
				nums[i] = n
			}
			switch len(nums) {
			case 1:
				return &rangeValue{start: 0, stop: nums[0], step: 1}, nil
			case 2:
				return &rangeValue{start: nums[0], stop: nums[1], step: 1}, nil
			case 3:
				if nums[2] == 0 {
					return nil, fmt.Errorf("range() arg 3 must not be zero")
				}
				return &rangeValue{start: nums[0], stop: nums[1], step: nums[2]}, nil
			}
			return nil, fmt.Errorf("range expected 1 to 3 arguments, got %d", len(nums))
		}},
		"dict": &builtinFunc{name: "dict", fn: func(r *renderer, a *callArgs) (any, error) {
			m := NewMap()
			if len(a.pos) > 1 {
				return nil, fmt.Errorf("dict expected at most 1 argument, got %d", len(a.pos))
			}
			if len(a.pos) == 1 {
				if _, err := r.dictMethod(m, "update", &callArgs{pos: a.pos}); err != nil {
					return nil, err
				}
			}
			for _, kw := range a.kw {
				m.set(kw.name, kw.val)
			}
			return m, nil
		}},
		"namespace": &builtinFunc{name: "namespace", fn: func(r *renderer, a *callArgs) (any, error) {
			m := NewMap()
			for _, p := range a.pos {
				if src, ok := p.(*Map); ok {
					for i, k := range src.keys {
						m.set(k, src.vals[i])
					}
				}
			}
			for _, kw := range a.kw {
				m.set(kw.name, kw.val)
			}
			return &namespace{attrs: m}, nil
		}},
		"cycler": &builtinFunc{name: "cycler", fn: func(r *renderer, a *callArgs) (any, error) {
			if len(a.pos) == 0 {
				return nil, fmt.Errorf("at least one item has to be provided")
			}
			return &cycler{items: a.pos}, nil
		}},
		"joiner": &builtinFunc{name: "joiner", fn: func(r *renderer, a *callArgs) (any, error) {
			p, err := a.bind("joiner", []string{"sep"}, []any{", "})
			if err != nil {
				return nil, err
			}
			used := false
			return &builtinFunc{name: "joiner", fn: func(r *renderer, _ *callArgs) (any, error) {
				if !used {
					used = true
					return "", nil
				}
				return p[0], nil
			}}, nil
		}},
	}
}
