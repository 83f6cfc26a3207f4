package render

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// pformat is Python's pprint.pformat(v) with its defaults (width 80, indent 1, dicts
// sorted by key, not compact), which Jinja2's pprint filter returns: a value whose repr
// fits stays on one line; a dict, list or tuple that does not is broken one item per
// line, and a long string into adjacent literals split at spaces.
func pformat(v any) string {
	var b strings.Builder
	pp := &prettyPrinter{b: &b, width: 80}
	pp.format(v, 0, 0, 0)
	return b.String()
}

type prettyPrinter struct {
	b     *strings.Builder
	width int
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }

// format is PrettyPrinter._format.
func (pp *prettyPrinter) format(v any, indent, allowance, level int) {
	rep := safeRepr(v, 0)
	if runeLen(rep) > pp.width-indent-allowance && level <= 100 { // past 100 levels (a list holding itself), the repr as it is
		switch x := v.(type) {
		case *Map:
			pp.dict(x, indent, allowance, level+1)
			return
		case *list:
			if x.view == "" {
				pp.b.WriteByte('[')
				pp.items(x.items, indent, allowance+1, level+1)
				pp.b.WriteByte(']')
				return
			}
		case tuple:
			end := ")"
			if len(x) == 1 {
				end = ",)"
			}
			pp.b.WriteByte('(')
			pp.items(x, indent, allowance+len(end), level+1)
			pp.b.WriteString(end)
			return
		case string:
			pp.str(x, indent, allowance, level+1)
			return
		}
	}
	pp.b.WriteString(rep)
}

// dict is PrettyPrinter._pprint_dict with _format_dict_items.
func (pp *prettyPrinter) dict(m *Map, indent, allowance, level int) {
	pp.b.WriteByte('{')
	keys := sortedForRepr(m)
	indent++
	allowance++
	for i, k := range keys {
		last := i == len(keys)-1
		rep := safeRepr(k, 0)
		pp.b.WriteString(rep)
		pp.b.WriteString(": ")
		val, _ := m.get(k)
		a := 1
		if last {
			a = allowance
		}
		pp.format(val, indent+runeLen(rep)+2, a, level)
		if !last {
			pp.b.WriteString(",\n")
			pp.b.WriteString(strings.Repeat(" ", indent))
		}
	}
	pp.b.WriteByte('}')
}

// items is PrettyPrinter._format_items (not compact).
func (pp *prettyPrinter) items(items []any, indent, allowance, level int) {
	indent++
	for i, it := range items {
		if i > 0 {
			pp.b.WriteString(",\n")
			pp.b.WriteString(strings.Repeat(" ", indent))
		}
		a := 1
		if i == len(items)-1 {
			a = allowance
		}
		pp.format(it, indent, a, level)
	}
}

// str is PrettyPrinter._pprint_str: lines, then words, as adjacent string literals.
func (pp *prettyPrinter) str(s string, indent, allowance, level int) {
	if s == "" {
		pp.b.WriteString(quotePy(s))
		return
	}
	if level == 1 {
		indent++
		allowance++
	}
	var chunks []string
	lines := splitLines(s, true)
	maxWidth := pp.width - indent
	maxWidth1 := maxWidth
	rep := ""
	for i, line := range lines {
		rep = quotePy(line)
		lastLine := i == len(lines)-1
		if lastLine {
			maxWidth1 -= allowance
		}
		if runeLen(rep) <= maxWidth1 {
			chunks = append(chunks, rep)
			continue
		}
		parts := spaceSeparatedParts(line)
		maxWidth2 := maxWidth
		current := ""
		for j, part := range parts {
			candidate := current + part
			if j == len(parts)-1 && lastLine {
				maxWidth2 -= allowance
			}
			if runeLen(quotePy(candidate)) > maxWidth2 {
				if current != "" {
					chunks = append(chunks, quotePy(current))
				}
				current = part
			} else {
				current = candidate
			}
		}
		if current != "" {
			chunks = append(chunks, quotePy(current))
		}
	}
	if len(chunks) == 1 {
		pp.b.WriteString(rep)
		return
	}
	if level == 1 {
		pp.b.WriteByte('(')
	}
	for i, c := range chunks {
		if i > 0 {
			pp.b.WriteString("\n")
			pp.b.WriteString(strings.Repeat(" ", indent))
		}
		pp.b.WriteString(c)
	}
	if level == 1 {
		pp.b.WriteByte(')')
	}
}

// spaceSeparatedParts is re.findall(r'\S*\s*', s) without the final empty match.
func spaceSeparatedParts(s string) []string {
	var parts []string
	for len(s) > 0 {
		i := strings.IndexFunc(s, isPySpace)
		if i < 0 {
			parts = append(parts, s)
			break
		}
		j := strings.IndexFunc(s[i:], func(r rune) bool { return !isPySpace(r) })
		if j < 0 {
			parts = append(parts, s)
			break
		}
		parts = append(parts, s[:i+j])
		s = s[i+j:]
	}
	return parts
}

// safeRepr is PrettyPrinter._safe_repr: repr with dict keys sorted, at any depth.
func safeRepr(v any, depth int) string {
	if depth > 100 {
		return "..."
	}
	switch x := v.(type) {
	case *Map:
		if x.Len() == 0 {
			return "{}"
		}
		parts := make([]string, 0, x.Len())
		for _, k := range sortedForRepr(x) {
			val, _ := x.get(k)
			parts = append(parts, safeRepr(k, depth+1)+": "+safeRepr(val, depth+1))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case *list:
		if x.view != "" {
			break
		}
		return "[" + joinReprs(x.items, depth) + "]"
	case tuple:
		if len(x) == 1 {
			return "(" + safeRepr(x[0], depth+1) + ",)"
		}
		return "(" + joinReprs(x, depth) + ")"
	}
	return pyRepr(v)
}

func joinReprs(items []any, depth int) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = safeRepr(it, depth+1)
	}
	return strings.Join(parts, ", ")
}

// sortedForRepr orders a dict's keys as pprint does: by value where Python can compare
// them, else by type name.
func sortedForRepr(m *Map) []any {
	keys := append([]any(nil), m.keys...)
	less := func(a, b any) bool {
		if c, err := pyCompare(a, b, "<"); err == nil && c != 2 {
			return c < 0
		}
		return typeName(a) < typeName(b)
	}
	sort.SliceStable(keys, func(i, j int) bool { return less(keys[i], keys[j]) })
	return keys
}
