package render

import (
	"fmt"
	"math"
	"math/big"
	"sort"
	"strings"
	"unicode/utf16"
)

// filterToJSON is Jinja2's tojson: json.dumps(value, sort_keys=True[, indent]) with
// ensure_ascii, then <, >, & and ' escaped as \u003c, \u003e, \u0026, \u0027; the
// result is safe markup.
func filterToJSON(r *renderer, v any, a *callArgs) (any, error) {
	p, err := a.bind("tojson", []string{"indent"}, []any{nil})
	if err != nil {
		return nil, err
	}
	indent := ""
	hasIndent := false
	switch x := p[0].(type) {
	case nil:
	case string:
		indent, hasIndent = x, true
	default:
		n, err := argInt("tojson", x)
		if err != nil {
			return nil, err
		}
		if n > 64 {
			n = 64
		}
		indent, hasIndent = strings.Repeat(" ", int(max(n, 0))), true
	}
	var b strings.Builder
	if err := writeJSON(&b, v, hasIndent, indent, 0, r.lim.MaxString); err != nil {
		if le, ok := err.(*LimitError); ok {
			return nil, r.stop(le.Limit, "%s", le.Detail)
		}
		return nil, err
	}
	return markup(htmlSafeJSON.Replace(b.String())), nil
}

var htmlSafeJSON = strings.NewReplacer("<", `\u003c`, ">", `\u003e`, "&", `\u0026`, "'", `\u0027`)

func writeJSON(b *strings.Builder, v any, hasIndent bool, indent string, level, limit int) error {
	if level > 200 {
		return fmt.Errorf("maximum recursion depth exceeded while encoding a JSON object")
	}
	if b.Len() > limit {
		return &LimitError{Limit: "MaxString", Detail: fmt.Sprintf("the JSON text would be over %s, the limit", sizeString(int64(limit)))}
	}
	newline := func(l int) {
		if hasIndent {
			b.WriteString("\n")
			b.WriteString(strings.Repeat(indent, l))
		}
	}
	itemSep := ", "
	if hasIndent {
		itemSep = ","
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case int64, *big.Int:
		b.WriteString(pyStr(x))
	case float64:
		switch {
		case math.IsNaN(x):
			b.WriteString("NaN")
		case math.IsInf(x, 1):
			b.WriteString("Infinity")
		case math.IsInf(x, -1):
			b.WriteString("-Infinity")
		default:
			b.WriteString(formatFloat(x))
		}
	case string:
		writeJSONString(b, x)
	case markup:
		writeJSONString(b, string(x))
	case *list, tuple:
		var items []any
		if l, ok := x.(*list); ok {
			items = l.items
		} else {
			items = x.(tuple)
		}
		if len(items) == 0 {
			b.WriteString("[]")
			return nil
		}
		b.WriteString("[")
		for i, it := range items {
			if i > 0 {
				b.WriteString(itemSep)
			}
			newline(level + 1)
			if err := writeJSON(b, it, hasIndent, indent, level+1, limit); err != nil {
				return err
			}
		}
		newline(level)
		b.WriteString("]")
	case *Map:
		if x.Len() == 0 {
			b.WriteString("{}")
			return nil
		}
		idx := make([]int, x.Len())
		for i := range idx {
			idx[i] = i
		}
		var sortErr error
		sort.SliceStable(idx, func(i, j int) bool {
			c, err := pyCompare(x.keys[idx[i]], x.keys[idx[j]], "<")
			if err != nil && sortErr == nil {
				sortErr = err
			}
			return c == -1
		})
		if sortErr != nil {
			return sortErr
		}
		b.WriteString("{")
		for n, i := range idx {
			if n > 0 {
				b.WriteString(itemSep)
			}
			newline(level + 1)
			var key string
			switch k := x.keys[i].(type) {
			case string:
				key = k
			case nil:
				key = "null"
			case bool:
				key = map[bool]string{true: "true", false: "false"}[k]
			case int64, *big.Int:
				key = pyStr(k)
			case float64:
				var kb strings.Builder
				_ = writeJSON(&kb, k, false, "", 0, limit)
				key = kb.String()
			default:
				return fmt.Errorf("keys must be str, int, float, bool or None, not %s", typeName(k))
			}
			writeJSONString(b, key)
			b.WriteString(": ")
			if err := writeJSON(b, x.vals[i], hasIndent, indent, level+1, limit); err != nil {
				return err
			}
		}
		newline(level)
		b.WriteString("}")
	case *undefined:
		return fmt.Errorf("Object of type Undefined is not JSON serializable")
	default:
		return fmt.Errorf("Object of type %s is not JSON serializable", typeName(v))
	}
	return nil
}

// writeJSONString writes s as Python's json.dumps does with ensure_ascii=True.
func writeJSONString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(b, `\u%04x\u%04x`, r1, r2)
		default:
			fmt.Fprintf(b, `\u%04x`, r)
		}
	}
	b.WriteByte('"')
}
