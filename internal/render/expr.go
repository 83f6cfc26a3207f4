package render

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/parser"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// This file is the expression parser: a recursive-descent parser over gonja's tokens that
// follows jinja2/parser.py rule for rule, so an expression means what it means to Jinja2
// at any depth (inline if/else inside calls, parentheses, literals and operands; tests at
// filter precedence; comparison chains; *args/**kwargs; trailing commas):
//
//	condexpr := or ('if' or ('else' condexpr)?)*
//	or       := and ('or' and)*          and := not ('and' not)*
//	not      := 'not' not | compare      compare := math1 (cmpop math1 | ['not'] 'in' math1)*
//	math1    := concat (('+'|'-') concat)*   concat := math2 ('~' math2)*
//	math2    := pow (('*'|'/'|'//'|'%') pow)*  pow := unary ('**' unary)*   (left-associative)
//	unary    := ('-'|'+') unary-without-filters | primary postfix [filter-or-test-or-call]*
//
// It builds gonja's nodes where they fit (names, list/dict/tuple displays, attribute and
// item access, slices, not, unary and binary operators) and this file's nodes otherwise.

// expression nodes the gonja parser does not have.
type (
	// constExpr is a literal: string, int64, *big.Int, float64, bool or nil.
	constExpr struct {
		loc *tokens.Token
		val any
	}
	// condExpr is "expr if cond else alt"; alt may be nil (undefined).
	condExpr struct {
		expr, cond, alt nodes.Expression
	}
	// tupleExpr is an unparenthesised tuple "a, b".
	tupleExpr struct {
		loc   *tokens.Token
		items []nodes.Expression
	}
	// compareExpr is a comparison chain "a < b <= c"; each operand is evaluated once.
	compareExpr struct {
		first nodes.Expression
		ops   []compareOperand
	}
	compareOperand struct {
		op   *tokens.Token
		kind string // "==", "!=", "<", "<=", ">", ">=", "in", "not in"
		expr nodes.Expression
	}
	// argList is the argument list of a call, filter or test.
	argList struct {
		pos      []nodes.Expression
		kw       []kwExpr // in source order
		star     nodes.Expression
		starstar nodes.Expression
	}
	kwExpr struct {
		name string
		val  nodes.Expression
	}
	// callExpr is fn(args).
	callExpr struct {
		loc  *tokens.Token
		fn   nodes.Expression
		args argList
	}
	// filterExpr is node|name(args); node is nil in filter blocks and set blocks, whose
	// body is the filtered value.
	filterExpr struct {
		tok  *tokens.Token
		node nodes.Expression
		name string
		args argList
	}
	// testExpr is node is name(args).
	testExpr struct {
		tok  *tokens.Token
		node nodes.Expression
		name string
		args argList
	}
)

func (c *constExpr) Position() *tokens.Token   { return c.loc }
func (c *constExpr) String() string            { return pyRepr(c.val) }
func (c *condExpr) Position() *tokens.Token    { return c.expr.Position() }
func (c *condExpr) String() string             { return fmt.Sprintf("%s if %s else %s", c.expr, c.cond, c.alt) }
func (t *tupleExpr) Position() *tokens.Token   { return t.loc }
func (t *tupleExpr) String() string            { return "tuple" }
func (c *compareExpr) Position() *tokens.Token { return c.ops[0].op }
func (c *compareExpr) String() string          { return "comparison" }
func (c *callExpr) Position() *tokens.Token    { return c.loc }
func (c *callExpr) String() string             { return fmt.Sprintf("%s(...)", c.fn) }
func (f *filterExpr) Position() *tokens.Token  { return f.tok }
func (f *filterExpr) String() string           { return "filter " + f.name }
func (t *testExpr) Position() *tokens.Token    { return t.tok }
func (t *testExpr) String() string             { return "test " + t.name }

// exprParser reads expressions from a statement's tokens.
type exprParser struct {
	args *parser.Parser
	prev *tokens.Token // last token consumed, to place errors at the end of a statement
}

func newExprParser(args *parser.Parser) *exprParser { return &exprParser{args: args} }

var endToken = &tokens.Token{Type: tokens.EOF}

func (e *exprParser) cur() *tokens.Token {
	if t := e.args.Current(); t != nil {
		return t
	}
	return endToken
}

func (e *exprParser) peek() *tokens.Token {
	if e.atEnd() {
		return endToken
	}
	if t := e.args.Peek(); t != nil {
		return t
	}
	return endToken
}

func (e *exprParser) atEnd() bool { return e.args.Current() == nil || e.args.End() }

// next consumes the current token; it never moves past the end.
func (e *exprParser) next() *tokens.Token {
	if e.atEnd() {
		return e.cur()
	}
	e.prev = e.args.Next()
	return e.prev
}

func (e *exprParser) is(types ...tokens.Type) bool {
	if e.atEnd() {
		return false
	}
	t := e.cur().Type
	for _, x := range types {
		if t == x {
			return true
		}
	}
	return false
}

func (e *exprParser) isName(names ...string) bool {
	if !e.is(tokens.Name) {
		return false
	}
	v := e.cur().Val
	for _, n := range names {
		if v == n {
			return true
		}
	}
	return false
}

func (e *exprParser) skip(t tokens.Type) *tokens.Token {
	if e.is(t) {
		return e.next()
	}
	return nil
}

func (e *exprParser) skipName(name string) bool {
	if e.isName(name) {
		e.next()
		return true
	}
	return false
}

func (e *exprParser) expect(t tokens.Type, what string) (*tokens.Token, error) {
	if e.is(t) {
		return e.next(), nil
	}
	return nil, e.fail("expected %s, got %s", what, e.describe(e.cur()))
}

// describe names a token in an error message.
func (e *exprParser) describe(t *tokens.Token) string {
	if t == nil || t.Type == tokens.EOF || e.atEnd() {
		return "end of statement"
	}
	return strconv.Quote(t.Val)
}

// fail is a syntax error at the current token (or the last one, at the end).
func (e *exprParser) fail(format string, args ...any) error {
	tok := e.cur()
	if tok.Line == 0 && e.prev != nil {
		tok = e.prev
	}
	return errAt(tok, format, args...)
}

// tupleOpts are parse_tuple's options.
type tupleOpts struct {
	noCond         bool        // elements are "or" expressions, without inline if
	explicitParens bool        // inside "( )": an empty tuple is allowed
	extraEnd       func() bool // further tokens that end the tuple
}

// parseTuple is Jinja2's parse_tuple: an expression, or a tuple when commas follow.
func (e *exprParser) parseTuple(o tupleOpts) (nodes.Expression, error) {
	start := e.cur()
	var items []nodes.Expression
	isTuple := false
	for {
		if len(items) > 0 {
			if _, err := e.expect(tokens.Comma, "','"); err != nil {
				return nil, err
			}
		}
		if e.atEnd() || e.is(tokens.RightParenthesis) || (o.extraEnd != nil && o.extraEnd()) {
			break
		}
		var item nodes.Expression
		var err error
		item, err = e.parseExpression(!o.noCond)
		if err != nil {
			return nil, err
		}
		items = append(items, item)
		if e.is(tokens.Comma) {
			isTuple = true
		} else {
			break
		}
	}
	if !isTuple {
		if len(items) > 0 {
			return items[0], nil
		}
		if !o.explicitParens {
			return nil, e.fail("expected an expression, got %s", e.describe(e.cur()))
		}
	}
	if o.explicitParens {
		return &nodes.Tuple{Location: start, Val: items}, nil
	}
	return &tupleExpr{loc: start, items: items}, nil
}

// parseExpression parses an expression, with the inline if/else when withCond.
func (e *exprParser) parseExpression(withCond bool) (nodes.Expression, error) {
	if withCond {
		return e.parseCondExpr()
	}
	return e.parseOr()
}

func (e *exprParser) parseCondExpr() (nodes.Expression, error) {
	expr, err := e.parseOr()
	if err != nil {
		return nil, err
	}
	for e.skipName("if") {
		cond, err := e.parseOr()
		if err != nil {
			return nil, err
		}
		c := &condExpr{expr: expr, cond: cond}
		if e.skipName("else") {
			if c.alt, err = e.parseCondExpr(); err != nil {
				return nil, err
			}
		}
		expr = c
	}
	return expr, nil
}

func (e *exprParser) parseOr() (nodes.Expression, error) {
	return e.parseBinary(e.parseAnd, tokens.Or)
}

func (e *exprParser) parseAnd() (nodes.Expression, error) {
	return e.parseBinary(e.parseNot, tokens.And)
}

// parseBinary parses a left-associative chain of the given operators.
func (e *exprParser) parseBinary(operand func() (nodes.Expression, error), ops ...tokens.Type) (nodes.Expression, error) {
	left, err := operand()
	if err != nil {
		return nil, err
	}
	for e.is(ops...) {
		op := e.next()
		right, err := operand()
		if err != nil {
			return nil, err
		}
		left = &nodes.BinaryExpression{Left: left, Right: right, Operator: &nodes.BinOperator{Token: op}}
	}
	return left, nil
}

func (e *exprParser) parseNot() (nodes.Expression, error) {
	if e.is(tokens.Not) {
		op := e.next()
		term, err := e.parseNot()
		if err != nil {
			return nil, err
		}
		return &nodes.Negation{Operator: op, Term: term}, nil
	}
	return e.parseCompare()
}

var compareKinds = map[tokens.Type]string{
	tokens.Equals: "==", tokens.Ne: "!=", tokens.LowerThan: "<", tokens.LowerThanOrEqual: "<=",
	tokens.GreaterThan: ">", tokens.GreaterThanOrEqual: ">=",
}

func (e *exprParser) parseCompare() (nodes.Expression, error) {
	first, err := e.parseMath1()
	if err != nil {
		return nil, err
	}
	var ops []compareOperand
	for {
		var op compareOperand
		switch {
		case e.is(tokens.Equals, tokens.Ne, tokens.LowerThan, tokens.LowerThanOrEqual, tokens.GreaterThan, tokens.GreaterThanOrEqual):
			op.op = e.next()
			op.kind = compareKinds[op.op.Type]
		case e.is(tokens.In):
			op.op, op.kind = e.next(), "in"
		case e.is(tokens.Not) && e.peek().Type == tokens.In:
			op.op, op.kind = e.next(), "not in"
			e.next()
		default:
			if len(ops) == 0 {
				return first, nil
			}
			return &compareExpr{first: first, ops: ops}, nil
		}
		if op.expr, err = e.parseMath1(); err != nil {
			return nil, err
		}
		ops = append(ops, op)
	}
}

func (e *exprParser) parseMath1() (nodes.Expression, error) {
	return e.parseBinary(e.parseConcat, tokens.Addition, tokens.Subtraction)
}

func (e *exprParser) parseConcat() (nodes.Expression, error) {
	return e.parseBinary(e.parseMath2, tokens.Tilde)
}

func (e *exprParser) parseMath2() (nodes.Expression, error) {
	return e.parseBinary(e.parsePow, tokens.Multiply, tokens.Division, tokens.FloorDivision, tokens.Modulo)
}

func (e *exprParser) parsePow() (nodes.Expression, error) {
	return e.parseBinary(func() (nodes.Expression, error) { return e.parseUnary(true) }, tokens.Power)
}

func (e *exprParser) parseUnary(withFilter bool) (nodes.Expression, error) {
	var node nodes.Expression
	if e.is(tokens.Subtraction, tokens.Addition) {
		op := e.next()
		term, err := e.parseUnary(false)
		if err != nil {
			return nil, err
		}
		node = &nodes.UnaryExpression{Operator: op, Negative: op.Type == tokens.Subtraction, Term: term}
	} else {
		var err error
		if node, err = e.parsePrimary(); err != nil {
			return nil, err
		}
	}
	node, err := e.parsePostfix(node)
	if err != nil {
		return nil, err
	}
	if withFilter {
		return e.parseFilterExpr(node)
	}
	return node, nil
}

// parsePrimary parses a literal, a name, or a parenthesised, list or dict display.
func (e *exprParser) parsePrimary() (nodes.Expression, error) {
	tok := e.cur()
	if e.atEnd() {
		return nil, e.fail("unexpected end of statement, expected an expression")
	}
	switch tok.Type {
	case tokens.Name, tokens.In, tokens.Is, tokens.And, tokens.Or, tokens.Not:
		e.next()
		switch tok.Val {
		case "true", "True":
			return &constExpr{loc: tok, val: true}, nil
		case "false", "False":
			return &constExpr{loc: tok, val: false}, nil
		case "none", "None":
			return &constExpr{loc: tok, val: nil}, nil
		}
		return &nodes.Name{Name: tok}, nil
	case tokens.String:
		// Adjacent string literals concatenate, as in Python.
		var b strings.Builder
		for e.is(tokens.String) {
			b.WriteString(e.next().Val)
		}
		return &constExpr{loc: tok, val: b.String()}, nil
	case tokens.Integer, tokens.Float:
		e.next()
		v, err := numberLiteral(tok)
		if err != nil {
			return nil, err
		}
		return &constExpr{loc: tok, val: v}, nil
	case tokens.LeftParenthesis:
		e.next()
		node, err := e.parseTuple(tupleOpts{explicitParens: true})
		if err != nil {
			return nil, err
		}
		if _, err := e.expect(tokens.RightParenthesis, "')'"); err != nil {
			return nil, err
		}
		return node, nil
	case tokens.LeftBracket:
		return e.parseList()
	case tokens.LeftBrace:
		return e.parseDict()
	}
	return nil, e.fail("unexpected %s", e.describe(tok))
}

// numberLiteral reads an integer (any size; 0b/0o/0x prefixes; underscores) or a float.
func numberLiteral(tok *tokens.Token) (any, error) {
	s := strings.ReplaceAll(tok.Val, "_", "")
	if tok.Type == tokens.Float {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil && !strings.Contains(err.Error(), "range") {
			return nil, errAt(tok, "invalid number %q", tok.Val)
		}
		return f, nil
	}
	if len(s) > 1 && s[0] == '0' && s[1] >= '0' && s[1] <= '9' && strings.Trim(s, "0") != "" {
		return nil, errAt(tok, "invalid number %q (leading zeros)", tok.Val)
	}
	if n, err := strconv.ParseInt(s, 0, 64); err == nil {
		return n, nil
	}
	if len(s) > 5000 {
		return nil, errAt(tok, "integer literal too long")
	}
	b, ok := new(big.Int).SetString(s, 0)
	if !ok {
		return nil, errAt(tok, "invalid number %q", tok.Val)
	}
	return normInt(b), nil
}

func (e *exprParser) parseList() (nodes.Expression, error) {
	start := e.next()
	items := []nodes.Expression{}
	for !e.is(tokens.RightBracket) {
		if len(items) > 0 {
			if _, err := e.expect(tokens.Comma, "',' or ']'"); err != nil {
				return nil, err
			}
			if e.is(tokens.RightBracket) {
				break
			}
		}
		item, err := e.parseExpression(true)
		if err != nil {
			return nil, err
		}
		items = append(items, item)
	}
	e.next()
	return &nodes.List{Location: start, Val: items}, nil
}

func (e *exprParser) parseDict() (nodes.Expression, error) {
	start := e.next()
	d := &nodes.Dict{Token: start, Pairs: []*nodes.Pair{}}
	for !e.is(tokens.RightBrace) {
		if len(d.Pairs) > 0 {
			if _, err := e.expect(tokens.Comma, "',' or '}'"); err != nil {
				return nil, err
			}
			if e.is(tokens.RightBrace) {
				break
			}
		}
		key, err := e.parseExpression(true)
		if err != nil {
			return nil, err
		}
		if _, err := e.expect(tokens.Colon, "':'"); err != nil {
			return nil, err
		}
		val, err := e.parseExpression(true)
		if err != nil {
			return nil, err
		}
		d.Pairs = append(d.Pairs, &nodes.Pair{Key: key, Value: val})
	}
	e.next()
	return d, nil
}

// parsePostfix parses attribute access, subscripts and calls after a primary.
func (e *exprParser) parsePostfix(node nodes.Expression) (nodes.Expression, error) {
	for {
		var err error
		switch {
		case e.is(tokens.Dot, tokens.LeftBracket):
			node, err = e.parseSubscript(node)
		case e.is(tokens.LeftParenthesis):
			node, err = e.parseCall(node)
		default:
			return node, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// parseFilterExpr parses filters, tests and calls after a unary expression.
func (e *exprParser) parseFilterExpr(node nodes.Expression) (nodes.Expression, error) {
	for {
		var err error
		switch {
		case e.is(tokens.Pipe):
			node, err = e.parseFilter(node, false)
		case e.is(tokens.Is):
			node, err = e.parseTest(node)
		case e.is(tokens.LeftParenthesis):
			node, err = e.parseCall(node)
		default:
			return node, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func (e *exprParser) parseSubscript(node nodes.Expression) (nodes.Expression, error) {
	tok := e.next()
	if tok.Type == tokens.Dot {
		attr := e.cur()
		switch {
		case e.is(tokens.Name, tokens.In, tokens.Is, tokens.And, tokens.Or, tokens.Not):
			e.next()
			return &nodes.GetAttribute{Location: tok, Node: node, Attribute: attr.Val}, nil
		case e.is(tokens.Integer):
			e.next()
			v, err := numberLiteral(attr)
			if err != nil {
				return nil, err
			}
			return &nodes.GetItem{Location: tok, Node: node, Arg: &constExpr{loc: attr, val: v}}, nil
		case e.is(tokens.Float) && isDigitsDotDigits(attr.Val):
			// x.0.1: gonja lexes "0.1" as a float; Jinja2 reads two integer subscripts.
			e.next()
			a, b, _ := strings.Cut(attr.Val, ".")
			first, _ := numberLiteral(&tokens.Token{Type: tokens.Integer, Val: a, Line: attr.Line})
			second, _ := numberLiteral(&tokens.Token{Type: tokens.Integer, Val: b, Line: attr.Line})
			inner := &nodes.GetItem{Location: tok, Node: node, Arg: &constExpr{loc: attr, val: first}}
			return &nodes.GetItem{Location: tok, Node: inner, Arg: &constExpr{loc: attr, val: second}}, nil
		}
		return nil, e.fail("expected name or number after '.', got %s", e.describe(attr))
	}
	// "[": an index, a slice, or a tuple of indexes.
	var args []nodes.Expression
	var slice *nodes.GetSlice
	for !e.is(tokens.RightBracket) {
		if len(args) > 0 || slice != nil {
			if _, err := e.expect(tokens.Comma, "',' or ']'"); err != nil {
				return nil, err
			}
		}
		arg, sl, err := e.parseSubscribed(tok, node)
		if err != nil {
			return nil, err
		}
		if sl != nil {
			if slice != nil || len(args) > 0 {
				return nil, e.fail("a slice cannot be part of a tuple subscript")
			}
			slice = sl
			continue
		}
		if slice != nil {
			return nil, e.fail("a slice cannot be part of a tuple subscript")
		}
		args = append(args, arg)
	}
	e.next()
	switch {
	case slice != nil:
		return slice, nil
	case len(args) == 1:
		return &nodes.GetItem{Location: tok, Node: node, Arg: args[0]}, nil
	}
	return &nodes.GetItem{Location: tok, Node: node, Arg: &nodes.Tuple{Location: tok, Val: args}}, nil
}

func isDigitsDotDigits(s string) bool {
	a, b, ok := strings.Cut(s, ".")
	digits := func(x string) bool {
		if x == "" {
			return false
		}
		for _, c := range x {
			if (c < '0' || c > '9') && c != '_' {
				return false
			}
		}
		return true
	}
	return ok && digits(a) && digits(b)
}

// parseSubscribed parses one subscript: an expression or a slice start:stop:step.
func (e *exprParser) parseSubscribed(tok *tokens.Token, node nodes.Expression) (nodes.Expression, *nodes.GetSlice, error) {
	var start nodes.Expression
	if !e.is(tokens.Colon) {
		x, err := e.parseExpression(true)
		if err != nil {
			return nil, nil, err
		}
		if !e.is(tokens.Colon) {
			return x, nil, nil
		}
		start = x
	}
	e.next() // ':'
	sl := &nodes.GetSlice{Location: tok, Node: node, Start: start}
	var err error
	if !e.is(tokens.Colon, tokens.RightBracket, tokens.Comma) {
		if sl.End, err = e.parseExpression(true); err != nil {
			return nil, nil, err
		}
	}
	if e.skip(tokens.Colon) != nil && !e.is(tokens.RightBracket, tokens.Comma) {
		if sl.Step, err = e.parseExpression(true); err != nil {
			return nil, nil, err
		}
	}
	return nil, sl, nil
}

func (e *exprParser) parseCall(node nodes.Expression) (nodes.Expression, error) {
	tok := e.cur()
	args, err := e.parseCallArgs()
	if err != nil {
		return nil, err
	}
	return &callExpr{loc: tok, fn: node, args: args}, nil
}

// parseCallArgs parses "(a, b, k=v, *args, **kwargs)" like Jinja2's parse_call_args.
func (e *exprParser) parseCallArgs() (argList, error) {
	var a argList
	open, err := e.expect(tokens.LeftParenthesis, "'('")
	if err != nil {
		return a, err
	}
	invalid := func() error {
		return errAt(open, "invalid syntax for function call expression")
	}
	requireComma := false
	for !e.is(tokens.RightParenthesis) {
		if e.atEnd() {
			return a, e.fail("expected ')', got end of statement")
		}
		if requireComma {
			if _, err := e.expect(tokens.Comma, "',' or ')'"); err != nil {
				return a, err
			}
			if e.is(tokens.RightParenthesis) {
				break // trailing comma
			}
		}
		switch {
		case e.is(tokens.Multiply):
			if a.star != nil || a.starstar != nil {
				return a, invalid()
			}
			e.next()
			if a.star, err = e.parseExpression(true); err != nil {
				return a, err
			}
		case e.is(tokens.Power):
			if a.starstar != nil {
				return a, invalid()
			}
			e.next()
			if a.starstar, err = e.parseExpression(true); err != nil {
				return a, err
			}
		case e.is(tokens.Name, tokens.In, tokens.Is, tokens.And, tokens.Or, tokens.Not) && e.peek().Type == tokens.Assign:
			if a.starstar != nil {
				return a, invalid()
			}
			name := e.next().Val
			e.next()
			for _, kw := range a.kw {
				if kw.name == name {
					return a, e.fail("keyword argument repeated: %s", name)
				}
			}
			val, err := e.parseExpression(true)
			if err != nil {
				return a, err
			}
			a.kw = append(a.kw, kwExpr{name: name, val: val})
		default:
			if a.star != nil || a.starstar != nil || len(a.kw) > 0 {
				return a, invalid()
			}
			x, err := e.parseExpression(true)
			if err != nil {
				return a, err
			}
			a.pos = append(a.pos, x)
		}
		requireComma = true
	}
	e.next()
	return a, nil
}

// dottedName reads name(.name)* as filter and test names allow.
func (e *exprParser) dottedName(what string, extra ...tokens.Type) (*tokens.Token, string, error) {
	types := append([]tokens.Type{tokens.Name}, extra...)
	if !e.is(types...) {
		return nil, "", e.fail("expected a %s name, got %s", what, e.describe(e.cur()))
	}
	tok := e.next()
	name := tok.Val
	for e.is(tokens.Dot) {
		e.next()
		part, err := e.expect(tokens.Name, "a name after '.'")
		if err != nil {
			return nil, "", err
		}
		name += "." + part.Val
	}
	return tok, name, nil
}

// parseFilter parses "|name(args)" links; inline starts without a pipe (filter blocks).
func (e *exprParser) parseFilter(node nodes.Expression, inline bool) (nodes.Expression, error) {
	for e.is(tokens.Pipe) || inline {
		if !inline {
			e.next()
		}
		inline = false
		tok, name, err := e.dottedName("filter")
		if err != nil {
			return nil, err
		}
		f := &filterExpr{tok: tok, node: node, name: name}
		if e.is(tokens.LeftParenthesis) {
			if f.args, err = e.parseCallArgs(); err != nil {
				return nil, err
			}
		}
		node = f
	}
	return node, nil
}

// parseFilterChain parses the filters of a filter block or set block, innermost first.
func (e *exprParser) parseFilterChain(inline bool) ([]*filterExpr, error) {
	x, err := e.parseFilter(nil, inline)
	if err != nil {
		return nil, err
	}
	var chain []*filterExpr
	for x != nil {
		f := x.(*filterExpr)
		chain = append([]*filterExpr{f}, chain...)
		x = f.node
	}
	for _, f := range chain {
		f.node = nil
	}
	return chain, nil
}

func (e *exprParser) parseTest(node nodes.Expression) (nodes.Expression, error) {
	isTok := e.next()
	negated := e.skip(tokens.Not)
	tok, name, err := e.dottedName("test", tokens.In)
	if err != nil {
		return nil, err
	}
	t := &testExpr{tok: tok, node: node, name: name}
	switch {
	case e.is(tokens.Is):
		return nil, e.fail("You cannot chain multiple tests with is")
	case e.is(tokens.LeftParenthesis):
		if t.args, err = e.parseCallArgs(); err != nil {
			return nil, err
		}
	case e.is(tokens.Name, tokens.In, tokens.Not, tokens.String, tokens.Integer, tokens.Float, tokens.LeftBracket, tokens.LeftBrace) && !e.isName("else"):
		// As in Jinja2, any name but else (if, in and not included) is the argument.
		arg, err := e.parsePrimary()
		if err != nil {
			return nil, err
		}
		if arg, err = e.parsePostfix(arg); err != nil {
			return nil, err
		}
		t.args.pos = []nodes.Expression{arg}
	}
	if negated != nil {
		return &nodes.Negation{Operator: isTok, Term: t}, nil
	}
	return t, nil
}
