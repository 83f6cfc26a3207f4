package render

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/nikolalohinski/gonja/v2/tokens"
)

const (
	plusToken = tokens.Addition
	modToken  = tokens.Modulo
)

// percentFormat is Python's "format % args" (printf-style formatting). Widths,
// precisions and the result are checked against MaxString before they are built.
func (r *renderer) percentFormat(format string, arg any) (string, error) {
	var args []any
	mapping, isMap := arg.(*Map)
	if t, ok := arg.(tuple); ok {
		args = t
	} else {
		args = []any{arg}
	}
	next := 0
	usedMap := false
	take := func() (any, error) {
		if next >= len(args) {
			return nil, fmt.Errorf("not enough arguments for format string")
		}
		v := args[next]
		next++
		return v, nil
	}
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(format) {
			return "", fmt.Errorf("incomplete format")
		}
		var val any
		hasVal := false
		if format[i] == '(' {
			if !isMap {
				return "", fmt.Errorf("format requires a mapping")
			}
			depth, j := 1, i+1
			for ; j < len(format) && depth > 0; j++ {
				switch format[j] {
				case '(':
					depth++
				case ')':
					depth--
				}
			}
			if depth > 0 {
				return "", fmt.Errorf("incomplete format key")
			}
			key := format[i+1 : j-1]
			v, ok := mapping.get(key)
			if !ok {
				return "", fmt.Errorf("KeyError: %s", pyRepr(key))
			}
			val, hasVal, usedMap = v, true, true
			i = j
		}
		spec := fmtSpec{precision: -1}
	flags:
		for ; i < len(format); i++ {
			switch format[i] {
			case '-':
				spec.align = '<'
			case '+':
				spec.sign = '+'
			case ' ':
				if spec.sign != '+' {
					spec.sign = ' '
				}
			case '#':
				spec.alt = true
			case '0':
				spec.zero = true
			default:
				break flags
			}
		}
		if i < len(format) && format[i] == '*' {
			w, err := take()
			if err != nil {
				return "", err
			}
			n, ok := w.(int64)
			if !ok {
				return "", fmt.Errorf("* wants int")
			}
			if n < 0 {
				spec.align, n = '<', -n
			}
			if err := r.checkString(n); err != nil {
				return "", err
			}
			spec.width = int(n)
			i++
		} else {
			for ; i < len(format) && format[i] >= '0' && format[i] <= '9'; i++ {
				spec.width = spec.width*10 + int(format[i]-'0')
				if err := r.checkString(int64(spec.width)); err != nil {
					return "", err
				}
			}
		}
		if i < len(format) && format[i] == '.' {
			i++
			spec.precision = 0
			if i < len(format) && format[i] == '*' {
				p, err := take()
				if err != nil {
					return "", err
				}
				n, ok := p.(int64)
				if !ok {
					return "", fmt.Errorf("* wants int")
				}
				if n > int64(r.lim.MaxString) {
					n = int64(r.lim.MaxString) + 1 // over any size checked later; a string conversion only truncates
				}
				spec.precision = int(max(n, 0))
				i++
			} else {
				for ; i < len(format) && format[i] >= '0' && format[i] <= '9'; i++ {
					spec.precision = spec.precision*10 + int(format[i]-'0')
					if spec.precision > r.lim.MaxString {
						spec.precision = r.lim.MaxString + 1
					}
				}
			}
		}
		for i < len(format) && (format[i] == 'h' || format[i] == 'l' || format[i] == 'L') {
			i++
		}
		if i >= len(format) {
			return "", fmt.Errorf("incomplete format")
		}
		conv := format[i]
		if conv == '%' {
			b.WriteByte('%')
			continue
		}
		if !hasVal {
			v, err := take()
			if err != nil {
				return "", err
			}
			val = v
		}
		if spec.align == 0 {
			spec.align = '>'
		}
		s, err := r.formatOne(val, conv, spec)
		if err != nil {
			return "", err
		}
		if err := r.checkString(int64(b.Len()) + int64(len(s))); err != nil {
			return "", err
		}
		b.WriteString(s)
	}
	// Python skips this check when the argument supports item access (a dict, a list,
	// Undefined...), whether or not the format used it.
	if next < len(args) && !subscriptable(arg) {
		return "", fmt.Errorf("not all arguments converted during string formatting")
	}
	_ = usedMap
	return b.String(), nil
}

// subscriptable reports whether Python's % formatting treats arg as a mapping (it has
// __getitem__ and is neither a tuple nor a string).
func subscriptable(arg any) bool {
	switch arg.(type) {
	case *Map, *list, *rangeValue, *undefined:
		return true
	}
	return false
}

// fmtSpec is a parsed conversion: fill/align, sign, #, 0, width, grouping, precision.
type fmtSpec struct {
	fill      rune
	align     byte
	sign      byte
	alt       bool
	zero      bool
	width     int
	grouping  byte
	precision int
}

// formatOne formats one value for a %-conversion.
func (r *renderer) formatOne(v any, conv byte, spec fmtSpec) (string, error) {
	var body string
	numeric := false
	switch conv {
	case 'd', 'i', 'u', 'o', 'x', 'X', 'e', 'E', 'f', 'F', 'g', 'G':
		// A precision adds digits: refuse one past MaxString before formatting.
		if err := r.checkString(int64(max(spec.precision, 0))); err != nil {
			return "", err
		}
	}
	switch conv {
	case 's':
		s, err := r.str(v)
		if err != nil {
			return "", err
		}
		body = s
		if spec.precision >= 0 {
			body = truncRunes(body, spec.precision)
		}
	case 'r', 'a':
		s, err := r.repr(v)
		if err != nil {
			return "", err
		}
		body = s
		if spec.precision >= 0 {
			body = truncRunes(body, spec.precision)
		}
	case 'c':
		switch x := v.(type) {
		case int64:
			body = string(rune(x))
		case string:
			if utf8.RuneCountInString(x) != 1 {
				return "", fmt.Errorf("%%c requires int or char")
			}
			body = x
		default:
			return "", fmt.Errorf("%%c requires int or char")
		}
	case 'd', 'i', 'u', 'o', 'x', 'X':
		n, err := toIntForFormat(v, conv)
		if err != nil {
			return "", err
		}
		numeric = true
		body = formatInt(n, conv, spec)
	case 'e', 'E', 'f', 'F', 'g', 'G':
		f, ok := toFloat(v)
		if !ok {
			if u, isU := v.(*undefined); isU {
				return "", u.err()
			}
			return "", fmt.Errorf("must be real number, not %s", typeName(v))
		}
		numeric = true
		p := spec.precision
		if p < 0 {
			p = 6
		}
		body = formatFloatConv(f, conv, p, spec.alt, 0)
		body = applySign(body, spec.sign)
	default:
		return "", fmt.Errorf("unsupported format character '%c' (0x%x)", conv, conv)
	}
	if numeric && spec.zero && spec.align == '>' {
		return zeroPad(body, spec.width), nil
	}
	return pad(body, spec.width, " ", spec.align), nil
}

func truncRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

func toIntForFormat(v any, conv byte) (*big.Int, error) {
	switch x := v.(type) {
	case float64:
		if conv != 'd' && conv != 'i' && conv != 'u' {
			return nil, fmt.Errorf("%%%c format: an integer is required, not float", conv)
		}
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return nil, fmt.Errorf("cannot convert float %s to integer", formatFloat(x))
		}
		b, _ := new(big.Float).SetFloat64(math.Trunc(x)).Int(nil)
		return b, nil
	case *undefined:
		return nil, x.err()
	}
	if b, ok := toBig(v); ok {
		return b, nil
	}
	if conv == 'd' || conv == 'i' || conv == 'u' {
		return nil, fmt.Errorf("%%%c format: a real number is required, not %s", conv, typeName(v))
	}
	return nil, fmt.Errorf("%%%c format: an integer is required, not %s", conv, typeName(v))
}

func formatInt(n *big.Int, conv byte, spec fmtSpec) string {
	neg := n.Sign() < 0
	a := new(big.Int).Abs(n)
	var digits string
	switch conv {
	case 'o':
		digits = a.Text(8)
		if spec.alt {
			digits = "0o" + digits
		}
	case 'x':
		digits = a.Text(16)
		if spec.alt {
			digits = "0x" + digits
		}
	case 'X':
		digits = strings.ToUpper(a.Text(16))
		if spec.alt {
			digits = "0X" + digits
		}
	case 'b':
		digits = a.Text(2)
		if spec.alt {
			digits = "0b" + digits
		}
	default:
		digits = a.Text(10)
		if spec.grouping != 0 {
			digits = group(digits, spec.grouping)
		}
	}
	if spec.precision > 0 && len(digits) < spec.precision && conv != 'x' && conv != 'X' && conv != 'o' {
		digits = strings.Repeat("0", spec.precision-len(digits)) + digits
	}
	if neg {
		return "-" + digits
	}
	return applySign(digits, spec.sign)
}

func applySign(s string, sign byte) string {
	if strings.HasPrefix(s, "-") || sign == 0 || sign == '-' {
		return s
	}
	return string(sign) + s
}

// zeroPad pads a number with zeros after its sign (and 0x-style prefix) to width.
func zeroPad(s string, width int) string {
	n := utf8.RuneCountInString(s)
	if n >= width {
		return s
	}
	prefix := ""
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") || strings.HasPrefix(s, " ") {
		prefix, s = s[:1], s[1:]
	}
	if len(s) > 1 && s[0] == '0' && strings.ContainsRune("xXoObB", rune(s[1])) {
		prefix, s = prefix+s[:2], s[2:]
	}
	return prefix + strings.Repeat("0", width-n) + s
}

func group(digits string, sep byte) string {
	intPart, frac, hasFrac := strings.Cut(digits, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(sep)
		}
		b.WriteRune(c)
	}
	if hasFrac {
		return b.String() + "." + frac
	}
	return b.String()
}

// formatFloatConv formats f for e/f/g (and %) conversions like Python.
func formatFloatConv(f float64, conv byte, prec int, alt bool, grouping byte) string {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		s := "inf"
		if math.IsNaN(f) {
			s = "nan"
		} else if f < 0 {
			s = "-inf"
		}
		if conv >= 'A' && conv <= 'Z' {
			s = strings.ToUpper(s)
		}
		return s
	}
	var s string
	switch conv {
	case 'f', 'F', '%':
		s = strconv.FormatFloat(f, 'f', prec, 64)
		if alt && prec == 0 {
			s += "."
		}
	case 'e', 'E':
		s = strconv.FormatFloat(f, 'e', prec, 64)
		if alt && prec == 0 {
			m, e, _ := strings.Cut(s, "e")
			s = m + ".e" + e
		}
	case 'g', 'G':
		if prec == 0 {
			prec = 1
		}
		exp := 0
		if f != 0 {
			es := strconv.FormatFloat(f, 'e', prec-1, 64)
			_, e, _ := strings.Cut(es, "e")
			exp, _ = strconv.Atoi(e)
		}
		if exp < -4 || exp >= prec {
			s = strconv.FormatFloat(f, 'e', prec-1, 64)
			if !alt {
				m, e, _ := strings.Cut(s, "e")
				if strings.Contains(m, ".") {
					m = strings.TrimRight(strings.TrimRight(m, "0"), ".")
				}
				s = m + "e" + e
			}
		} else {
			s = strconv.FormatFloat(f, 'f', max(prec-1-exp, 0), 64)
			if !alt && strings.Contains(s, ".") {
				s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
			}
		}
	}
	if grouping != 0 {
		neg := strings.HasPrefix(s, "-")
		s = group(strings.TrimPrefix(s, "-"), grouping)
		if neg {
			s = "-" + s
		}
	}
	if conv >= 'A' && conv <= 'Z' {
		s = strings.ToUpper(s)
	}
	return s
}

// strFormat is Python's str.format for the common cases: {} {0} {name} {0.attr} {0[key]},
// !r/!s conversions and the format-spec mini-language. Widths, precisions and the
// result are checked against MaxString before they are built.
func (r *renderer) strFormat(format string, a *callArgs) (string, error) {
	auto := 0
	return r.strFormatNumbered(format, a, &auto)
}

// strFormatNumbered is strFormat with the automatic field number shared with the
// format it is nested in ('{:>{}}' numbers the value 0 and the width 1).
func (r *renderer) strFormatNumbered(format string, a *callArgs, autoNext *int) (string, error) {
	var b strings.Builder
	auto := *autoNext
	defer func() { *autoNext = auto }()
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c == '}' {
			if i+1 < len(format) && format[i+1] == '}' {
				b.WriteByte('}')
				i++
				continue
			}
			return "", fmt.Errorf("Single '}' encountered in format string")
		}
		if c != '{' {
			b.WriteByte(c)
			continue
		}
		if i+1 < len(format) && format[i+1] == '{' {
			b.WriteByte('{')
			i++
			continue
		}
		depth, j := 1, i+1
		for ; j < len(format) && depth > 0; j++ {
			switch format[j] {
			case '{':
				depth++
			case '}':
				depth--
			}
		}
		if depth > 0 {
			return "", fmt.Errorf("Single '{' encountered in format string")
		}
		field := format[i+1 : j-1]
		i = j - 1
		spec := ""
		if k := strings.IndexByte(field, ':'); k >= 0 {
			field, spec = field[:k], field[k+1:]
		}
		conv := byte(0)
		if k := strings.IndexByte(field, '!'); k >= 0 {
			if k+2 != len(field) {
				return "", fmt.Errorf("expected ':' after conversion specifier")
			}
			conv = field[k+1]
			field = field[:k]
		}
		name := field
		rest := ""
		if k := strings.IndexAny(field, ".["); k >= 0 {
			name, rest = field[:k], field[k:]
		}
		var v any
		if name == "" {
			if auto < 0 {
				return "", fmt.Errorf("cannot switch from manual field specification to automatic field numbering")
			}
			if auto >= len(a.pos) {
				return "", fmt.Errorf("Replacement index %d out of range for positional args tuple", auto)
			}
			v = a.pos[auto]
			auto++
		} else if n, err := strconv.Atoi(name); err == nil {
			if auto > 0 {
				return "", fmt.Errorf("cannot switch from automatic field numbering to manual field specification")
			}
			auto = -1
			if n >= len(a.pos) {
				return "", fmt.Errorf("Replacement index %d out of range for positional args tuple", n)
			}
			v = a.pos[n]
		} else {
			found := false
			for _, kw := range a.kw {
				if kw.name == name {
					v, found = kw.val, true
				}
			}
			if !found {
				return "", fmt.Errorf("KeyError: %s", pyRepr(name))
			}
		}
		for rest != "" {
			var err error
			if rest[0] == '.' {
				k := strings.IndexAny(rest[1:], ".[")
				attr := rest[1:]
				if k >= 0 {
					attr, rest = rest[1:k+1], rest[k+1:]
				} else {
					rest = ""
				}
				x, ok := attribute(v, attr)
				if !ok {
					return "", fmt.Errorf("'%s' object has no attribute '%s'", typeName(v), attr)
				}
				v = x
			} else {
				k := strings.IndexByte(rest, ']')
				if k < 0 {
					return "", fmt.Errorf("Missing ']' in format string")
				}
				key := rest[1:k]
				rest = rest[k+1:]
				var kv any = key
				if n, e := strconv.ParseInt(key, 10, 64); e == nil {
					kv = n
				}
				x, ok := lookupItem(v, kv)
				if !ok {
					return "", fmt.Errorf("KeyError: %s", pyRepr(kv))
				}
				v = x
			}
			if err != nil {
				return "", err
			}
		}
		var err error
		switch conv {
		case 'r', 'a':
			if v, err = r.repr(v); err != nil {
				return "", err
			}
		case 's':
			if v, err = r.str(v); err != nil {
				return "", err
			}
		case 0:
		default:
			return "", fmt.Errorf("Unknown conversion specifier %c", conv)
		}
		if strings.Contains(spec, "{") {
			nested, err := r.strFormatNumbered(spec, a, &auto)
			if err != nil {
				return "", err
			}
			spec = nested
		}
		s, err := r.formatSpec(v, spec)
		if err != nil {
			return "", err
		}
		if err := r.checkString(int64(b.Len()) + int64(len(s))); err != nil {
			return "", err
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

// formatSpec is Python's format(v, spec).
func (r *renderer) formatSpec(v any, spec string) (string, error) {
	fs := fmtSpec{precision: -1}
	rs := []rune(spec)
	i := 0
	isAlign := func(r rune) bool { return r == '<' || r == '>' || r == '^' || r == '=' }
	if len(rs) >= 2 && isAlign(rs[1]) {
		fs.fill, fs.align, i = rs[0], byte(rs[1]), 2
	} else if len(rs) >= 1 && isAlign(rs[0]) {
		fs.align, i = byte(rs[0]), 1
	}
	if i < len(rs) && (rs[i] == '+' || rs[i] == '-' || rs[i] == ' ') {
		fs.sign = byte(rs[i])
		i++
	}
	if i < len(rs) && rs[i] == '#' {
		fs.alt = true
		i++
	}
	if i < len(rs) && rs[i] == '0' {
		fs.zero = true
		i++
	}
	for ; i < len(rs) && rs[i] >= '0' && rs[i] <= '9'; i++ {
		fs.width = fs.width*10 + int(rs[i]-'0')
		if err := r.checkString(int64(fs.width)); err != nil {
			return "", err
		}
	}
	if i < len(rs) && (rs[i] == ',' || rs[i] == '_') {
		fs.grouping = byte(rs[i])
		i++
	}
	if i < len(rs) && rs[i] == '.' {
		i++
		fs.precision = 0
		start := i
		for ; i < len(rs) && rs[i] >= '0' && rs[i] <= '9'; i++ {
			fs.precision = fs.precision*10 + int(rs[i]-'0')
			if fs.precision > r.lim.MaxString {
				fs.precision = r.lim.MaxString + 1 // over any size checked below
			}
		}
		if i == start {
			return "", fmt.Errorf("Format specifier missing precision")
		}
	}
	typ := byte(0)
	if i < len(rs) {
		typ = byte(rs[i])
		i++
	}
	if i != len(rs) {
		return "", fmt.Errorf("Invalid format specifier '%s' for object of type '%s'", spec, typeName(v))
	}
	if fs.fill == 0 {
		fs.fill = ' '
		if fs.zero && fs.align == 0 {
			fs.fill, fs.align = '0', '='
		}
	}
	var body string
	numeric := isNumber(v)
	if b, ok := v.(bool); ok && typ == 0 {
		v = pyStr(b)
		numeric = false
	}
	switch {
	case !numeric:
		if typ != 0 && typ != 's' {
			return "", fmt.Errorf("Unknown format code '%c' for object of type '%s'", typ, typeName(v))
		}
		if fs.sign != 0 || fs.align == '=' {
			return "", fmt.Errorf("Sign not allowed in string format specifier")
		}
		s, err := r.str(v)
		if err != nil {
			return "", err
		}
		body = s
		if fs.precision >= 0 {
			body = truncRunes(body, fs.precision)
		}
		if fs.align == 0 {
			fs.align = '<'
		}
	case isInt(v) && (typ == 0 || strings.IndexByte("dxXobcn", typ) >= 0):
		n, _ := toBig(v)
		if typ == 'c' {
			body = string(rune(n.Int64()))
		} else {
			conv := typ
			if conv == 0 || conv == 'n' {
				conv = 'd'
			}
			body = formatInt(n, conv, fmtSpec{alt: fs.alt, sign: fs.sign, grouping: fs.grouping})
		}
	default:
		if err := r.checkString(int64(max(fs.precision, 0))); err != nil {
			return "", err // a precision adds digits
		}
		f, _ := toFloat(v)
		switch typ {
		case 0:
			if fs.precision < 0 {
				body = formatFloat(f)
				if fs.grouping != 0 {
					body = group(body, fs.grouping)
				}
			} else {
				body = formatFloatConv(f, 'g', fs.precision, fs.alt, fs.grouping)
				if !strings.ContainsAny(body, ".einf") {
					body += ".0"
				}
			}
		case 'e', 'E', 'f', 'F', 'g', 'G', '%', 'n':
			p := fs.precision
			if p < 0 {
				p = 6
			}
			conv := typ
			if conv == 'n' {
				conv = 'g'
			}
			if typ == '%' {
				f *= 100
			}
			body = formatFloatConv(f, conv, p, fs.alt, fs.grouping)
			if typ == '%' {
				body += "%"
			}
		default:
			return "", fmt.Errorf("Unknown format code '%c' for object of type 'float'", typ)
		}
		body = applySign(body, fs.sign)
	}
	if n := utf8.RuneCountInString(body); fs.width > n {
		if err := r.checkString(int64(len(body)) + int64(fs.width-n)*int64(len(string(fs.fill)))); err != nil {
			return "", err
		}
	}
	if fs.align == 0 {
		fs.align = '>'
	}
	if fs.align == '=' {
		n := utf8.RuneCountInString(body)
		if n >= fs.width {
			return body, nil
		}
		sign := ""
		if strings.HasPrefix(body, "-") || strings.HasPrefix(body, "+") || strings.HasPrefix(body, " ") {
			sign, body = body[:1], body[1:]
		}
		return sign + strings.Repeat(string(fs.fill), fs.width-n) + body, nil
	}
	return padCentered(body, fs.width, string(fs.fill), fs.align), nil
}

// padCentered is pad with format()'s centering (extra character on the right).
func padCentered(s string, width int, fill string, align byte) string {
	if align != '^' {
		return pad(s, width, fill, align)
	}
	n := utf8.RuneCountInString(s)
	if width <= n {
		return s
	}
	left := (width - n) / 2
	return strings.Repeat(fill, left) + s + strings.Repeat(fill, width-n-left)
}
