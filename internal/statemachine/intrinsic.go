package statemachine

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"strconv"
	"strings"
)

// An expr is what a "key.$" field, ErrorPath or CausePath holds: a path or an intrinsic
// function call.
type expr interface {
	eval(env *evalEnv) (any, error)
}

// evalEnv is what paths are evaluated against: the state's effective input ($) and the
// context object ($$).
type evalEnv struct {
	input   any
	context any
}

type pathExpr struct{ p path }

// errPathNotFound is returned by pathExpr.eval; callers name the field in the error.
type errPathNotFound struct{ p path }

func (e *errPathNotFound) Error() string {
	return fmt.Sprintf("the JSONPath %q could not be found", e.p.text)
}

func (x pathExpr) eval(env *evalEnv) (any, error) {
	root := env.input
	if x.p.context {
		root = env.context
	}
	v, ok := x.p.lookup(root)
	if !ok {
		return nil, &errPathNotFound{x.p}
	}
	return v, nil
}

// literalExpr is a literal argument of an intrinsic; raw keeps a string's text with its
// escapes, which States.Format needs to tell {} from \{\}.
type literalExpr struct {
	value any
	raw   string
}

func (x literalExpr) eval(*evalEnv) (any, error) { return x.value, nil }

type callExpr struct {
	name string
	args []expr
}

// intrinsic describes one intrinsic function: its arity (max -1 for any) and body.
type intrinsic struct {
	min, max int
	call     func(args []any, call *callExpr) (any, error)
}

// intrinsics are the intrinsic functions the runner supports, by name.
var intrinsics = map[string]intrinsic{
	"States.Format":         {1, -1, formatIntrinsic},
	"States.StringToJson":   {1, 1, stringToJSON},
	"States.JsonToString":   {1, 1, func(a []any, _ *callExpr) (any, error) { return string(encodeJSON(a[0])), nil }},
	"States.Array":          {0, -1, func(a []any, _ *callExpr) (any, error) { return append([]any{}, a...), nil }},
	"States.ArrayGetItem":   {2, 2, arrayGetItem},
	"States.ArrayLength":    {1, 1, arrayLength},
	"States.ArrayContains":  {2, 2, arrayContains},
	"States.ArrayRange":     {3, 3, arrayRange},
	"States.ArrayPartition": {2, 2, arrayPartition},
	"States.ArrayUnique":    {1, 1, arrayUnique},
	"States.UUID":           {0, 0, func([]any, *callExpr) (any, error) { return newUUID(), nil }},
	"States.MathAdd":        {2, 2, mathAdd},
	"States.StringSplit":    {2, 2, stringSplit},
	"States.Hash":           {2, 2, hashIntrinsic},
	"States.Base64Encode":   {1, 1, base64Encode},
	"States.Base64Decode":   {1, 1, base64Decode},
	"States.JsonMerge":      {3, 3, jsonMerge},
}

func intrinsicErrorf(format string, args ...any) error {
	return &stateError{Name: ErrorIntrinsicFailure, Cause: fmt.Sprintf(format, args...)}
}

func (x *callExpr) eval(env *evalEnv) (any, error) {
	args := make([]any, len(x.args))
	for i, a := range x.args {
		v, err := a.eval(env)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	return intrinsics[x.name].call(args, x)
}

// parseExpr parses the value of a "key.$" field: a path or an intrinsic function call.
func parseExpr(text string) (expr, error) {
	if strings.HasPrefix(text, "$") {
		p, err := parsePath(text)
		if err != nil {
			return nil, err
		}
		return pathExpr{p}, nil
	}
	if strings.HasPrefix(text, "States.") {
		x, rest, err := parseCall(text, 0)
		if err != nil {
			return nil, fmt.Errorf("intrinsic function %q: %w", text, err)
		}
		if strings.TrimSpace(rest) != "" {
			return nil, fmt.Errorf("intrinsic function %q: unexpected %q after the call", text, rest)
		}
		return x, nil
	}
	return nil, fmt.Errorf("%q is neither a path (starting with $) nor an intrinsic function (States.…)", text)
}

// parseCall parses NAME(args) at the start of text and returns what follows it.
func parseCall(text string, depth int) (*callExpr, string, error) {
	if depth >= 10 {
		return nil, "", fmt.Errorf("more than 10 nested intrinsic functions")
	}
	open := strings.IndexByte(text, '(')
	if open < 0 {
		return nil, "", fmt.Errorf("missing (")
	}
	name := strings.TrimSpace(text[:open])
	fn, ok := intrinsics[name]
	if !ok {
		return nil, "", fmt.Errorf("unknown intrinsic function %s", name)
	}
	call := &callExpr{name: name}
	rest := strings.TrimLeft(text[open+1:], " ")
	if strings.HasPrefix(rest, ")") {
		rest = rest[1:]
	} else {
		for {
			arg, after, err := parseArg(rest, depth)
			if err != nil {
				return nil, "", err
			}
			call.args = append(call.args, arg)
			after = strings.TrimLeft(after, " ")
			if strings.HasPrefix(after, ",") {
				rest = strings.TrimLeft(after[1:], " ")
				continue
			}
			if strings.HasPrefix(after, ")") {
				rest = after[1:]
				break
			}
			return nil, "", fmt.Errorf("%s: expected , or ) at %q", name, after)
		}
	}
	if len(call.args) < fn.min || (fn.max >= 0 && len(call.args) > fn.max) {
		return nil, "", fmt.Errorf("%s takes %s, not %d", name, arityText(fn), len(call.args))
	}
	if name == "States.Format" {
		if err := checkFormat(call); err != nil {
			return nil, "", err
		}
	}
	return call, rest, nil
}

func arityText(fn intrinsic) string {
	switch {
	case fn.max < 0:
		return fmt.Sprintf("at least %d arguments", fn.min)
	case fn.min == fn.max:
		return fmt.Sprintf("%d arguments", fn.min)
	}
	return fmt.Sprintf("%d to %d arguments", fn.min, fn.max)
}

func parseArg(text string, depth int) (expr, string, error) {
	switch {
	case strings.HasPrefix(text, "'"):
		var b strings.Builder
		for i := 1; i < len(text); i++ {
			switch text[i] {
			case '\\':
				if i+1 >= len(text) {
					return nil, "", fmt.Errorf("unterminated string")
				}
				i++
				b.WriteByte(text[i])
			case '\'':
				return literalExpr{value: b.String(), raw: text[1:i]}, text[i+1:], nil
			default:
				b.WriteByte(text[i])
			}
		}
		return nil, "", fmt.Errorf("unterminated string")
	case strings.HasPrefix(text, "$"):
		end := argEnd(text)
		p, err := parsePath(text[:end])
		if err != nil {
			return nil, "", err
		}
		return pathExpr{p}, text[end:], nil
	case strings.HasPrefix(text, "States."):
		return parseCall(text, depth+1)
	}
	end := argEnd(text)
	word := text[:end]
	switch word {
	case "null":
		return literalExpr{value: nil}, text[end:], nil
	case "true", "false":
		return literalExpr{value: word == "true"}, text[end:], nil
	}
	if _, err := strconv.ParseFloat(word, 64); err == nil && word != "" {
		return literalExpr{value: json.Number(word)}, text[end:], nil
	}
	return nil, "", fmt.Errorf("unexpected argument %q", word)
}

// argEnd returns where a bare argument (a path, number or keyword) ends.
func argEnd(text string) int {
	inQuote := byte(0)
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case inQuote != 0:
			if c == inQuote {
				inQuote = 0
			}
		case c == '\'' || c == '"':
			inQuote = c
		case c == ',' || c == ')' || c == ' ':
			return i
		}
	}
	return len(text)
}

// formatPieces splits a States.Format template into literal text and the number of {}
// placeholders; \{ and \} are literal braces.
func formatPieces(raw string) (pieces []string, err error) {
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c == '\\' && i+1 < len(raw):
			i++
			b.WriteByte(raw[i])
		case c == '{':
			if i+1 >= len(raw) || raw[i+1] != '}' {
				return nil, fmt.Errorf("States.Format: a { must be followed by } or escaped as \\{")
			}
			i++
			pieces = append(pieces, b.String())
			b.Reset()
		case c == '}':
			return nil, fmt.Errorf("States.Format: an unmatched } must be escaped as \\}")
		default:
			b.WriteByte(c)
		}
	}
	return append(pieces, b.String()), nil
}

func checkFormat(call *callExpr) error {
	lit, ok := call.args[0].(literalExpr)
	if !ok {
		return nil // a template from a path is checked when it is evaluated
	}
	if _, isString := lit.value.(string); !isString {
		return fmt.Errorf("States.Format: the first argument must be a string")
	}
	pieces, err := formatPieces(lit.raw)
	if err != nil {
		return err
	}
	if len(pieces)-1 != len(call.args)-1 {
		return fmt.Errorf("States.Format: the template has %d placeholders but %d values follow", len(pieces)-1, len(call.args)-1)
	}
	return nil
}

func formatIntrinsic(args []any, call *callExpr) (any, error) {
	var raw string
	if lit, ok := call.args[0].(literalExpr); ok {
		raw = lit.raw
	} else if s, ok := args[0].(string); ok {
		raw = s
	} else {
		return nil, intrinsicErrorf("States.Format: the template must be a string, not a %s", jsonTypeName(args[0]))
	}
	pieces, err := formatPieces(raw)
	if err != nil {
		return nil, intrinsicErrorf("%v", err)
	}
	if len(pieces)-1 != len(args)-1 {
		return nil, intrinsicErrorf("States.Format: the template has %d placeholders but %d values follow", len(pieces)-1, len(args)-1)
	}
	var b strings.Builder
	for i, piece := range pieces {
		b.WriteString(piece)
		if i+1 < len(pieces) {
			switch v := args[i+1].(type) {
			case string:
				b.WriteString(v)
			case map[string]any, []any:
				return nil, intrinsicErrorf("States.Format: argument %d is a %s; only strings, numbers, booleans and null can be formatted", i+2, jsonTypeName(v))
			default:
				b.Write(encodeJSON(v))
			}
		}
	}
	return b.String(), nil
}

func stringToJSON(args []any, _ *callExpr) (any, error) {
	s, ok := args[0].(string)
	if !ok {
		return nil, intrinsicErrorf("States.StringToJson: the argument must be a string, not a %s", jsonTypeName(args[0]))
	}
	v, err := decodeJSON([]byte(s))
	if err != nil {
		return nil, intrinsicErrorf("States.StringToJson: the argument is not JSON: %v", err)
	}
	return v, nil
}

func arrayArg(fn string, v any) ([]any, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, intrinsicErrorf("%s: expected an array, not a %s", fn, jsonTypeName(v))
	}
	return arr, nil
}

func intArg(fn string, v any) (int64, error) {
	n, ok := integerOf(v)
	if !ok {
		return 0, intrinsicErrorf("%s: expected an integer, not %s", fn, encodeJSON(v))
	}
	return n, nil
}

func arrayGetItem(args []any, _ *callExpr) (any, error) {
	arr, err := arrayArg("States.ArrayGetItem", args[0])
	if err != nil {
		return nil, err
	}
	i, err := intArg("States.ArrayGetItem", args[1])
	if err != nil {
		return nil, err
	}
	if i < 0 || i >= int64(len(arr)) {
		return nil, intrinsicErrorf("States.ArrayGetItem: index %d is out of bounds for an array of %d items", i, len(arr))
	}
	return arr[i], nil
}

func arrayLength(args []any, _ *callExpr) (any, error) {
	arr, err := arrayArg("States.ArrayLength", args[0])
	if err != nil {
		return nil, err
	}
	return json.Number(strconv.Itoa(len(arr))), nil
}

func arrayContains(args []any, _ *callExpr) (any, error) {
	arr, err := arrayArg("States.ArrayContains", args[0])
	if err != nil {
		return nil, err
	}
	for _, v := range arr {
		if equalJSON(v, args[1]) {
			return true, nil
		}
	}
	return false, nil
}

func arrayRange(args []any, _ *callExpr) (any, error) {
	var n [3]int64
	for i := range n {
		v, err := intArg("States.ArrayRange", args[i])
		if err != nil {
			return nil, err
		}
		n[i] = v
	}
	if n[2] == 0 {
		return nil, intrinsicErrorf("States.ArrayRange: the step must not be 0")
	}
	out := []any{}
	for v := n[0]; (n[2] > 0 && v <= n[1]) || (n[2] < 0 && v >= n[1]); v += n[2] {
		if len(out) == 1000 {
			return nil, intrinsicErrorf("States.ArrayRange: more than 1000 items")
		}
		out = append(out, json.Number(strconv.FormatInt(v, 10)))
	}
	return out, nil
}

func arrayPartition(args []any, _ *callExpr) (any, error) {
	arr, err := arrayArg("States.ArrayPartition", args[0])
	if err != nil {
		return nil, err
	}
	size, err := intArg("States.ArrayPartition", args[1])
	if err != nil {
		return nil, err
	}
	if size <= 0 {
		return nil, intrinsicErrorf("States.ArrayPartition: the chunk size must be positive")
	}
	out := []any{}
	for start := 0; start < len(arr); start += int(size) {
		end := min(start+int(size), len(arr))
		out = append(out, append([]any{}, arr[start:end]...))
	}
	return out, nil
}

func arrayUnique(args []any, _ *callExpr) (any, error) {
	arr, err := arrayArg("States.ArrayUnique", args[0])
	if err != nil {
		return nil, err
	}
	out := []any{}
next:
	for _, v := range arr {
		for _, seen := range out {
			if equalJSON(v, seen) {
				continue next
			}
		}
		out = append(out, v)
	}
	return out, nil
}

func mathAdd(args []any, _ *callExpr) (any, error) {
	a, err := intArg("States.MathAdd", args[0])
	if err != nil {
		return nil, err
	}
	b, err := intArg("States.MathAdd", args[1])
	if err != nil {
		return nil, err
	}
	return json.Number(strconv.FormatInt(a+b, 10)), nil
}

// stringSplit splits its first argument at every character of its second and drops
// empty pieces.
func stringSplit(args []any, _ *callExpr) (any, error) {
	s, ok1 := args[0].(string)
	delims, ok2 := args[1].(string)
	if !ok1 || !ok2 {
		return nil, intrinsicErrorf("States.StringSplit: both arguments must be strings")
	}
	out := []any{}
	for _, piece := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(delims, r) }) {
		out = append(out, piece)
	}
	return out, nil
}

func hashIntrinsic(args []any, _ *callExpr) (any, error) {
	algorithm, ok := args[1].(string)
	if !ok {
		return nil, intrinsicErrorf("States.Hash: the algorithm must be a string")
	}
	var h hash.Hash
	switch algorithm {
	case "MD5":
		h = md5.New()
	case "SHA-1":
		h = sha1.New()
	case "SHA-256":
		h = sha256.New()
	case "SHA-384":
		h = sha512.New384()
	case "SHA-512":
		h = sha512.New()
	default:
		return nil, intrinsicErrorf("States.Hash: unknown algorithm %q (MD5, SHA-1, SHA-256, SHA-384, SHA-512)", algorithm)
	}
	data, ok := args[0].(string)
	if !ok {
		data = string(encodeJSON(args[0]))
	}
	h.Write([]byte(data))
	return hex.EncodeToString(h.Sum(nil)), nil
}

func base64Encode(args []any, _ *callExpr) (any, error) {
	s, ok := args[0].(string)
	if !ok {
		return nil, intrinsicErrorf("States.Base64Encode: the argument must be a string")
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
}

func base64Decode(args []any, _ *callExpr) (any, error) {
	s, ok := args[0].(string)
	if !ok {
		return nil, intrinsicErrorf("States.Base64Decode: the argument must be a string")
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, intrinsicErrorf("States.Base64Decode: %v", err)
	}
	return string(b), nil
}

func jsonMerge(args []any, _ *callExpr) (any, error) {
	a, ok1 := args[0].(map[string]any)
	b, ok2 := args[1].(map[string]any)
	deep, ok3 := args[2].(bool)
	if !ok1 || !ok2 || !ok3 {
		return nil, intrinsicErrorf("States.JsonMerge: expected two objects and a boolean")
	}
	if deep {
		return nil, intrinsicErrorf("States.JsonMerge: deep merging is not supported; pass false")
	}
	out := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out, nil
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("statemachine: reading random bytes: " + err.Error())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
