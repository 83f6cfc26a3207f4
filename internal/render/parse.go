package render

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/nikolalohinski/gonja/v2/config"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/parser"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// The parser reuses gonja's lexer and statement framework, with these changes so the
// result follows Jinja2's grammar:
//   - tokens are cleaned after lexing: whitespace (newlines included) absorbed into a
//     token is dropped, keywords glued to "(" or a newline get their keyword type, and
//     string literals are re-read from the source with Python's escape rules;
//   - every {{ expr }} becomes a print statement, parsed like Jinja2's (a tuple of
//     expressions);
//   - expressions are parsed by expr.go, a port of Jinja2's expression grammar;
//   - Jinja2's statements are parsed by the parsers in this file into the node types
//     below (tuple-unpacking set and for targets, macros with defaults, call blocks,
//     include/import options, blocks and extends); gonja's own statements are not used.

// printTag is the internal statement name {{ }} is rewritten to; no template can spell it.
const printTag = "\x00print"

// template is a parsed template.
type template struct {
	name    string
	nodes   []nodes.Node
	blocks  map[string]*blockStmt
	extends bool // holds an {% extends %} statement
	size    int  // source length, a hint for the output buffer
}

// syntaxError is a template syntax error with its line.
type syntaxError struct {
	line int
	msg  string
}

func (e *syntaxError) Error() string { return e.msg }

var parserConfig = config.New() // Jinja2 defaults: no trim/lstrip, trailing newline dropped

// parseTemplate parses source into a template.
func (e *Engine) parseTemplate(name, source string) (t *template, err error) {
	defer func() {
		if p := recover(); p != nil {
			t, err = nil, &syntaxError{msg: fmt.Sprintf("template syntax error: %v", p)}
		}
	}()
	toks, err := lexTemplate(source)
	if err != nil {
		return nil, err
	}
	if err := checkNesting(toks, e.opts.Limits.MaxDepth); err != nil {
		err.file = name
		return nil, err
	}
	p := parser.NewParser(name, tokens.NewStream(toks), parserConfig, nil, e.statements)
	root, err := p.Parse()
	if err != nil {
		return nil, toSyntaxError(err)
	}
	t = &template{name: name, nodes: root.Nodes, blocks: map[string]*blockStmt{}, size: len(source)}
	t.extends = hasExtends(t.nodes)
	if err := collectBlocks(t.nodes, t.blocks); err != nil {
		return nil, err
	}
	if err := e.checkNames(t.nodes, false); err != nil {
		if le, ok := err.(*locatedError); ok {
			le.file = name
		}
		return nil, err
	}
	return t, nil
}

func toSyntaxError(err error) error {
	var se *syntaxError
	if errors.As(err, &se) {
		return se
	}
	var pe *parser.SyntaxError
	if errors.As(err, &pe) {
		msg := pe.Message
		if pe.Raw != "" {
			msg += fmt.Sprintf(" (near %q)", strings.TrimSpace(pe.Raw))
		}
		return &syntaxError{line: pe.Line, msg: msg}
	}
	return &syntaxError{msg: err.Error()}
}

// blockOpeners are the statements with an end tag ({% set %} only without "=").
var blockOpeners = map[string]bool{"for": true, "if": true, "macro": true, "call": true, "filter": true,
	"block": true, "with": true, "autoescape": true, "raw": true, "set": true}

// checkNesting refuses a template whose statements, brackets and prefix operators nest
// deeper than max levels, before it is parsed (the parser recurses on each of them).
func checkNesting(toks []*tokens.Token, max int) *locatedError {
	depth, blocks, unary := 0, 0, 0
	operand := false // the previous token ends an operand: a + or - after it is binary
	for i, tok := range toks {
		switch tok.Type {
		case tokens.LeftParenthesis, tokens.LeftBracket, tokens.LeftBrace:
			depth++
		case tokens.RightParenthesis, tokens.RightBracket, tokens.RightBrace:
			depth--
		case tokens.BlockBegin:
			if i+1 < len(toks) && toks[i+1].Type == tokens.Name {
				switch name := toks[i+1].Val; {
				case strings.HasPrefix(name, "end"):
					blocks--
				case blockOpeners[name] && (name != "set" || !assigns(toks[i+2:])):
					blocks++
				}
			}
		}
		switch tok.Type {
		case tokens.Not:
			unary++
		case tokens.Subtraction, tokens.Addition:
			if !operand {
				unary++
			}
		default:
			unary = 0
		}
		switch tok.Type {
		case tokens.Name, tokens.Integer, tokens.Float, tokens.String, tokens.RightParenthesis, tokens.RightBracket, tokens.RightBrace:
			operand = true
		default:
			operand = false
		}
		if depth+blocks+unary > max {
			return &locatedError{line: tok.Line, err: &LimitError{Limit: "MaxDepth",
				Detail: fmt.Sprintf("the template nests statements, brackets or operators more than %d levels deep", max)}}
		}
	}
	return nil
}

// assigns reports whether the tag starting at toks holds an "=" (a {% set x = ... %}).
func assigns(toks []*tokens.Token) bool {
	for _, t := range toks {
		switch t.Type {
		case tokens.Assign:
			return true
		case tokens.BlockEnd, tokens.EOF:
			return false
		}
	}
	return false
}

var keywordTypes = map[string]tokens.Type{
	"in": tokens.In, "is": tokens.Is, "and": tokens.And, "or": tokens.Or, "not": tokens.Not,
}

// lexTemplate lexes source with gonja's lexer and cleans the tokens (see the top of file).
func lexTemplate(source string) ([]*tokens.Token, error) {
	l := tokens.NewLexer(source, parserConfig)
	lexPanic := make(chan any, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				lexPanic <- p
				close(l.Tokens)
			}
		}()
		l.Run()
	}()
	var raw []*tokens.Token
	for tok := range l.Tokens {
		raw = append(raw, tok)
	}
	select {
	case p := <-lexPanic:
		return nil, &syntaxError{msg: fmt.Sprintf("template could not be lexed: %v", p)}
	default:
	}
	input := l.Input
	out := make([]*tokens.Token, 0, len(raw)+len(raw)/8)
	for i, tok := range raw {
		switch tok.Type {
		case tokens.Whitespace:
			continue
		case tokens.Error:
			line, _ := tokens.ReadablePosition(min(tok.Pos, len(input)), input)
			msg := tok.Val
			if strings.HasPrefix(msg, "Unbalanced") || strings.HasPrefix(msg, "Unexpected") || strings.HasPrefix(msg, "unclosed") || strings.HasPrefix(msg, "Unable") || strings.Contains(msg, "numeric") || strings.Contains(msg, "dots") {
				return nil, &syntaxError{line: line, msg: msg}
			}
			return nil, &syntaxError{line: line, msg: "unexpected end of string literal"}
		case tokens.Data, tokens.EOF:
			out = append(out, tok)
			continue
		case tokens.String:
			end := len(input)
			if i+1 < len(raw) && raw[i+1].Pos <= end {
				end = raw[i+1].Pos
			}
			lit := strings.TrimLeft(input[tok.Pos:end], " \t\r\n")
			if len(lit) >= 2 {
				tok.Val = pyUnescape(lit[1 : len(lit)-1])
			}
			out = append(out, tok)
			continue
		}
		tok.Val = strings.TrimLeft(tok.Val, " \t\r\n")
		afterDot := len(out) > 0 && out[len(out)-1].Type == tokens.Dot
		if tok.Type == tokens.Name && !afterDot {
			if kt, ok := keywordTypes[tok.Val]; ok {
				tok.Type = kt
			}
		}
		if afterDot {
			if _, ok := keywordTypes[tok.Val]; ok {
				tok.Type = tokens.Name // x.not is an attribute, as in Jinja2
			}
		}
		switch tok.Type {
		case tokens.VariableBegin:
			// {{ expr }}  ->  {% <print> expr %}
			begin := *tok
			begin.Type = tokens.BlockBegin
			out = append(out, &begin, &tokens.Token{Type: tokens.Name, Val: printTag, Pos: tok.Pos, Line: tok.Line, Col: tok.Col})
			continue
		case tokens.VariableEnd:
			end := *tok
			end.Type = tokens.BlockEnd
			out = append(out, &end)
			continue
		}
		out = append(out, tok)
	}
	if len(out) == 0 || out[len(out)-1].Type != tokens.EOF {
		out = append(out, &tokens.Token{Type: tokens.EOF, Pos: len(input)})
	}
	return out, nil
}

// pyUnescape applies Python's string-literal escapes; unknown escapes stay as written.
func pyUnescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		n := s[i+1]
		simple := map[byte]string{'\\': `\`, '\'': "'", '"': `"`, 'a': "\a", 'b': "\b", 'f': "\f", 'n': "\n", 'r': "\r", 't': "\t", 'v': "\v", '\n': ""}
		if r, ok := simple[n]; ok {
			b.WriteString(r)
			i++
			continue
		}
		hexLen := map[byte]int{'x': 2, 'u': 4, 'U': 8}[n]
		if hexLen > 0 && i+2+hexLen <= len(s) {
			if v, err := strconv.ParseUint(s[i+2:i+2+hexLen], 16, 32); err == nil && utf8.ValidRune(rune(v)) {
				b.WriteRune(rune(v))
				i += 1 + hexLen
				continue
			}
		}
		if n >= '0' && n <= '7' {
			j := i + 1
			for j < len(s) && j < i+4 && s[j] >= '0' && s[j] <= '7' {
				j++
			}
			v, _ := strconv.ParseUint(s[i+1:j], 8, 32)
			b.WriteRune(rune(v))
			i = j - 1
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// ---- statement nodes ----

// stmt is embedded by every statement node for its position.
type stmt struct{ loc *tokens.Token }

func (s *stmt) Position() *tokens.Token { return s.loc }
func (s *stmt) String() string          { return fmt.Sprintf("statement(line %d)", s.line()) }
func (s *stmt) line() int {
	if s.loc == nil {
		return 0
	}
	return s.loc.Line
}

// target is an assignment target: a name, an attribute of a name (ns.attr), or a tuple.
type target struct {
	name  string
	attr  string
	items []*target
}

type (
	printStmt struct {
		stmt
		expr  nodes.Expression
		items []nodes.Expression // {% print a, b %}: written one after the other
	}
	ifStmt struct {
		stmt
		conds  []nodes.Expression
		bodies []*nodes.Wrapper // len(conds) or len(conds)+1 (else)
	}
	forStmt struct {
		stmt
		target    *target
		iter      nodes.Expression
		cond      nodes.Expression
		recursive bool
		body      *nodes.Wrapper
		elseBody  *nodes.Wrapper
	}
	setStmt struct {
		stmt
		target *target
		expr   nodes.Expression
	}
	setBlockStmt struct {
		stmt
		target  *target
		filters []*filterExpr
		body    *nodes.Wrapper
	}
	macroParam struct {
		name string
		def  nodes.Expression
	}
	macroStmt struct {
		stmt
		name string
		sig  signature
		body *nodes.Wrapper
	}
	callBlockStmt struct {
		stmt
		sig  signature
		call *callExpr
		body *nodes.Wrapper
	}
	includeStmt struct {
		stmt
		template      nodes.Expression
		ignoreMissing bool
		withContext   bool
	}
	importStmt struct {
		stmt
		template    nodes.Expression
		alias       string
		names       [][2]string // from-import: name, alias
		withContext bool
	}
	withStmt struct {
		stmt
		targets []*target
		exprs   []nodes.Expression
		body    *nodes.Wrapper
	}
	filterBlockStmt struct {
		stmt
		filters []*filterExpr
		body    *nodes.Wrapper
	}
	rawStmt struct {
		stmt
		body *nodes.Wrapper
	}
	autoescapeStmt struct {
		stmt
		expr nodes.Expression
		body *nodes.Wrapper
	}
	blockStmt struct {
		stmt
		name   string
		scoped bool
		body   *nodes.Wrapper
	}
	extendsStmt struct {
		stmt
		template nodes.Expression
	}
)

// statementSet is the per-engine statement table handed to gonja's parser.
type statementSet map[string]parser.ControlStructureParser

func (s statementSet) Get(name string) (parser.ControlStructureParser, bool) {
	p, ok := s[name]
	return p, ok
}

func newStatementSet() statementSet {
	return statementSet{
		printTag:     parsePrint,
		"print":      parsePrintStatement,
		"if":         parseIf,
		"for":        parseFor,
		"set":        parseSet,
		"macro":      parseMacro,
		"call":       parseCallBlock,
		"include":    parseInclude,
		"import":     parseImport,
		"from":       parseFromImport,
		"with":       parseWith,
		"filter":     parseFilterBlock,
		"raw":        parseRaw,
		"autoescape": parseAutoescape,
		"block":      parseBlock,
		"extends":    parseExtends,
	}
}

func errAt(tok *tokens.Token, format string, args ...any) error {
	line := 0
	if tok != nil {
		line = tok.Line
	}
	return &syntaxError{line: line, msg: fmt.Sprintf(format, args...)}
}

// expectEnd fails unless the statement's arguments are fully consumed.
func expectEnd(args *parser.Parser, what string) error {
	if !args.End() {
		tok := args.Current()
		return errAt(tok, "expected end of statement block in %s, got %q", what, tok.Val)
	}
	return nil
}

// parseExpr parses one expression, inline if/else included (Jinja2's parse_expression).
func parseExpr(args *parser.Parser) (nodes.Expression, error) {
	return newExprParser(args).parseExpression(true)
}

// parseCondition parses the test of if/elif: a tuple of "or" expressions (Jinja2 takes
// no inline if there).
func parseCondition(args *parser.Parser) (nodes.Expression, error) {
	return newExprParser(args).parseTuple(tupleOpts{noCond: true})
}

// parsePrint parses {{ expr }}: an expression or a bare tuple.
func parsePrint(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
	s := &printStmt{stmt: stmt{loc: p.Current()}}
	e, err := newExprParser(args).parseTuple(tupleOpts{})
	if err != nil {
		return nil, err
	}
	s.expr = e
	return s, expectEnd(args, "print")
}

// parsePrintStatement parses {% print a, b %}, which writes each expression in turn.
func parsePrintStatement(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
	s := &printStmt{stmt: stmt{loc: p.Current()}}
	ep := newExprParser(args)
	var items []nodes.Expression
	for !args.End() {
		if len(items) > 0 {
			if _, err := ep.expect(tokens.Comma, "','"); err != nil {
				return nil, err
			}
		}
		e, err := ep.parseExpression(true)
		if err != nil {
			return nil, err
		}
		items = append(items, e)
	}
	s.items = items
	return s, nil
}

// wrap parses a body up to one of the end tags.
func wrap(p *parser.Parser, names ...string) (*nodes.Wrapper, *parser.Parser, error) {
	w, endArgs, err := p.WrapUntil(names...)
	if err != nil {
		var pe *parser.SyntaxError
		if errors.As(err, &pe) && strings.HasPrefix(pe.Message, "Unexpected EOF") {
			return nil, nil, &syntaxError{line: pe.Line, msg: fmt.Sprintf("unexpected end of template, expected '%s'", strings.Join(names, "' or '"))}
		}
		return nil, nil, toSyntaxError(err)
	}
	return w, endArgs, nil
}

func parseIf(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
	s := &ifStmt{stmt: stmt{loc: p.Current()}}
	cond, err := parseCondition(args)
	if err != nil {
		return nil, err
	}
	if err := expectEnd(args, "if"); err != nil {
		return nil, err
	}
	s.conds = append(s.conds, cond)
	for {
		w, endArgs, err := wrap(p, "elif", "else", "endif")
		if err != nil {
			return nil, err
		}
		s.bodies = append(s.bodies, w)
		switch w.EndTag {
		case "elif":
			if len(s.bodies) > len(s.conds) {
				return nil, errAt(w.Location, "'elif' after 'else'")
			}
			cond, err := parseCondition(endArgs)
			if err != nil {
				return nil, err
			}
			if err := expectEnd(endArgs, "elif"); err != nil {
				return nil, err
			}
			s.conds = append(s.conds, cond)
		case "else":
			if len(s.bodies) > len(s.conds) {
				return nil, errAt(w.Location, "duplicate 'else' in 'if'")
			}
			if err := expectEnd(endArgs, "else"); err != nil {
				return nil, err
			}
		default:
			return s, expectEnd(endArgs, "endif")
		}
	}
}

// parseTarget parses assignment targets: names, (nested) tuples, and with allowAttr ns.attr.
func parseTarget(args *parser.Parser, allowAttr bool) (*target, error) {
	first, err := parsePrimaryTarget(args, allowAttr)
	if err != nil {
		return nil, err
	}
	if args.Current(tokens.Comma) == nil {
		return first, nil
	}
	t := &target{items: []*target{first}}
	for args.Match(tokens.Comma) != nil {
		if args.Current(tokens.In, tokens.Assign, tokens.RightParenthesis) != nil {
			break
		}
		item, err := parsePrimaryTarget(args, allowAttr)
		if err != nil {
			return nil, err
		}
		t.items = append(t.items, item)
	}
	return t, nil
}

func parsePrimaryTarget(args *parser.Parser, allowAttr bool) (*target, error) {
	if args.Match(tokens.LeftParenthesis) != nil {
		t, err := parseTarget(args, allowAttr)
		if err != nil {
			return nil, err
		}
		if args.Match(tokens.RightParenthesis) == nil {
			return nil, errAt(args.Current(), "expected ')' in assignment target")
		}
		if t.items == nil {
			t = &target{items: []*target{t}}
		}
		return t, nil
	}
	name := args.Match(tokens.Name)
	if name == nil {
		return nil, errAt(args.Current(), "can't assign to %q", args.Current().Val)
	}
	switch name.Val {
	case "true", "false", "none", "True", "False", "None":
		return nil, errAt(name, "can't assign to %q", name.Val)
	}
	t := &target{name: name.Val}
	if allowAttr && args.Match(tokens.Dot) != nil {
		attr := args.Match(tokens.Name)
		if attr == nil {
			return nil, errAt(args.Current(), "expected an attribute name")
		}
		t.attr = attr.Val
	}
	return t, nil
}

func parseFor(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
	s := &forStmt{stmt: stmt{loc: p.Current()}}
	t, err := parseTarget(args, false)
	if err != nil {
		return nil, err
	}
	s.target = t
	if args.Match(tokens.In) == nil {
		return nil, errAt(args.Current(), "expected 'in' in for loop, got %q", args.Current().Val)
	}
	ep := newExprParser(args)
	iter, err := ep.parseTuple(tupleOpts{noCond: true, extraEnd: func() bool { return ep.isName("recursive") }})
	if err != nil {
		return nil, err
	}
	s.iter = iter
	if ep.skipName("if") {
		if s.cond, err = ep.parseExpression(true); err != nil {
			return nil, err
		}
	}
	if args.MatchName("recursive") != nil {
		s.recursive = true
	}
	if err := expectEnd(args, "for"); err != nil {
		return nil, err
	}
	w, endArgs, err := wrap(p, "else", "endfor")
	if err != nil {
		return nil, err
	}
	s.body = w
	if w.EndTag == "else" {
		if err := expectEnd(endArgs, "else"); err != nil {
			return nil, err
		}
		w, endArgs, err = wrap(p, "endfor")
		if err != nil {
			return nil, err
		}
		s.elseBody = w
	}
	return s, expectEnd(endArgs, "endfor")
}

func parseSet(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
	loc := p.Current()
	t, err := parseTarget(args, true)
	if err != nil {
		return nil, err
	}
	if args.Match(tokens.Assign) != nil {
		e, err := newExprParser(args).parseTuple(tupleOpts{})
		if err != nil {
			return nil, err
		}
		return &setStmt{stmt: stmt{loc: loc}, target: t, expr: e}, expectEnd(args, "set")
	}
	if t.items != nil || t.attr != "" {
		return nil, errAt(args.Current(), "expected '=' in set")
	}
	s := &setBlockStmt{stmt: stmt{loc: loc}, target: t}
	if s.filters, err = newExprParser(args).parseFilterChain(false); err != nil {
		return nil, err
	}
	if err := expectEnd(args, "set"); err != nil {
		return nil, err
	}
	w, endArgs, err := wrap(p, "endset")
	if err != nil {
		return nil, err
	}
	s.body = w
	return s, expectEnd(endArgs, "endset")
}

// parseParams parses "(a, b=default, ...)" of a macro or call block.
func parseParams(args *parser.Parser) ([]macroParam, error) {
	if args.Match(tokens.LeftParenthesis) == nil {
		return nil, errAt(args.Current(), "expected '('")
	}
	var params []macroParam
	seenDefault := false
	for args.Match(tokens.RightParenthesis) == nil {
		if len(params) > 0 && args.Match(tokens.Comma) == nil {
			return nil, errAt(args.Current(), "expected ',' or ')'")
		}
		if args.Match(tokens.RightParenthesis) != nil {
			break
		}
		name := args.Match(tokens.Name)
		if name == nil {
			return nil, errAt(args.Current(), "expected a parameter name, got %q", args.Current().Val)
		}
		prm := macroParam{name: name.Val}
		if args.Match(tokens.Assign) != nil {
			def, err := parseExpr(args)
			if err != nil {
				return nil, err
			}
			prm.def = def
			seenDefault = true
		} else if seenDefault {
			return nil, errAt(name, "non-default argument follows default argument")
		}
		params = append(params, prm)
	}
	return params, nil
}

// signature is the parameter list of a macro or call block and which of Jinja2's
// special names its body uses: those decide where extra arguments go.
type signature struct {
	params         []macroParam
	explicitCaller bool // a parameter is named caller
	usesCaller     bool // the body reads caller: the caller keyword argument is taken
	usesVarargs    bool // the body reads varargs: extra positional arguments are kept
	usesKwargs     bool // the body reads kwargs: extra keyword arguments are kept
}

// newSignature records params and scans body for caller, varargs and kwargs as Jinja2's
// compiler does (a parameter of the same name turns varargs and kwargs off).
func newSignature(loc *tokens.Token, params []macroParam, body *nodes.Wrapper) (signature, error) {
	sig := signature{params: params}
	found := findUndeclared(body.Nodes, "caller", "varargs", "kwargs")
	callerDefault := false
	named := map[string]bool{}
	for _, p := range params {
		named[p.name] = true
		if p.name == "caller" {
			sig.explicitCaller = true
			callerDefault = p.def != nil
		}
	}
	if found["caller"] {
		if sig.explicitCaller && !callerDefault {
			return sig, errAt(loc, "When defining macros or call blocks the special 'caller' argument must be omitted or be given a default.")
		}
		sig.usesCaller = !sig.explicitCaller
	}
	sig.usesVarargs = found["varargs"] && !named["varargs"]
	sig.usesKwargs = found["kwargs"] && !named["kwargs"]
	return sig, nil
}

// findUndeclared reports which of names the statements read before any assignment to
// them, descending into nested macros and call blocks but not into blocks (Jinja2's
// find_undeclared).
func findUndeclared(ns []nodes.Node, names ...string) map[string]bool {
	open := map[string]bool{}
	for _, n := range names {
		open[n] = true
	}
	found := map[string]bool{}
	load := func(x nodes.Node) {
		walkExpr(x, false, func(n nodes.Node, _ bool, _ int) {
			if name, ok := n.(*nodes.Name); ok && open[name.Name.Val] {
				found[name.Name.Val] = true
			}
		})
	}
	var store func(t *target)
	store = func(t *target) {
		if t == nil {
			return
		}
		if t.items == nil && t.attr == "" && !found[t.name] {
			delete(open, t.name)
		}
		for _, it := range t.items {
			store(it)
		}
	}
	params := func(sig signature) {
		for _, p := range sig.params {
			if !found[p.name] {
				delete(open, p.name)
			}
		}
		for _, p := range sig.params {
			load(p.def)
		}
	}
	var visit func(ns []nodes.Node)
	body := func(w *nodes.Wrapper) {
		if w != nil {
			visit(w.Nodes)
		}
	}
	visit = func(ns []nodes.Node) {
		for _, n := range ns {
			switch s := statementOf(n).(type) {
			case *printStmt:
				load(s.expr)
				for _, x := range s.items {
					load(x)
				}
			case *ifStmt:
				for i, b := range s.bodies {
					if i < len(s.conds) {
						load(s.conds[i])
					}
					body(b)
				}
			case *forStmt:
				store(s.target)
				load(s.iter)
				body(s.body)
				body(s.elseBody)
				load(s.cond)
			case *setStmt:
				store(s.target)
				load(s.expr)
			case *setBlockStmt:
				store(s.target)
				for _, f := range s.filters {
					load(f)
				}
				body(s.body)
			case *macroStmt:
				params(s.sig)
				body(s.body)
			case *callBlockStmt:
				load(s.call)
				params(s.sig)
				body(s.body)
			case *filterBlockStmt:
				body(s.body)
				for _, f := range s.filters {
					load(f)
				}
			case *withStmt:
				for _, t := range s.targets {
					store(t)
				}
				for _, x := range s.exprs {
					load(x)
				}
				body(s.body)
			case *includeStmt:
				load(s.template)
			case *importStmt:
				load(s.template)
			case *extendsStmt:
				load(s.template)
			case *autoescapeStmt:
				load(s.expr)
				body(s.body)
			}
		}
	}
	visit(ns)
	return found
}

func parseMacro(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
	s := &macroStmt{stmt: stmt{loc: p.Current()}}
	name := args.Match(tokens.Name)
	if name == nil {
		return nil, errAt(args.Current(), "expected a macro name")
	}
	s.name = name.Val
	params, err := parseParams(args)
	if err != nil {
		return nil, err
	}
	if err := expectEnd(args, "macro"); err != nil {
		return nil, err
	}
	w, endArgs, err := wrap(p, "endmacro")
	if err != nil {
		return nil, err
	}
	s.body = w
	if s.sig, err = newSignature(s.loc, params, w); err != nil {
		return nil, err
	}
	endArgs.MatchName(s.name)
	return s, expectEnd(endArgs, "endmacro")
}

func parseCallBlock(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
	s := &callBlockStmt{stmt: stmt{loc: p.Current()}}
	var params []macroParam
	if args.Current(tokens.LeftParenthesis) != nil {
		var err error
		if params, err = parseParams(args); err != nil {
			return nil, err
		}
	}
	start := args.Current()
	e, err := parseExpr(args)
	if err != nil {
		return nil, err
	}
	call, ok := e.(*callExpr)
	if !ok {
		return nil, errAt(start, "expected a call in the call block")
	}
	s.call = call
	if err := expectEnd(args, "call"); err != nil {
		return nil, err
	}
	w, endArgs, err := wrap(p, "endcall")
	if err != nil {
		return nil, err
	}
	s.body = w
	if s.sig, err = newSignature(s.loc, params, w); err != nil {
		return nil, err
	}
	return s, expectEnd(endArgs, "endcall")
}

// parseContextModifier parses an optional "with context" / "without context".
func parseContextModifier(args *parser.Parser, def bool) (bool, error) {
	if args.CurrentName("with", "without") != nil && args.Peek() != nil && args.Peek().Val == "context" {
		with := args.Next().Val == "with"
		args.Consume()
		return with, nil
	}
	return def, nil
}

func parseInclude(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
	s := &includeStmt{stmt: stmt{loc: p.Current()}}
	e, err := parseExpr(args)
	if err != nil {
		return nil, err
	}
	s.template = e
	if args.CurrentName("ignore") != nil && args.Peek() != nil && args.Peek().Val == "missing" {
		args.Consume()
		args.Consume()
		s.ignoreMissing = true
	}
	if s.withContext, err = parseContextModifier(args, true); err != nil {
		return nil, err
	}
	return s, expectEnd(args, "include")
}

func parseImport(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
	s := &importStmt{stmt: stmt{loc: p.Current()}}
	e, err := parseExpr(args)
	if err != nil {
		return nil, err
	}
	s.template = e
	if args.MatchName("as") == nil {
		return nil, errAt(args.Current(), "expected 'as' in import")
	}
	alias := args.Match(tokens.Name)
	if alias == nil {
		return nil, errAt(args.Current(), "expected a name after 'as'")
	}
	s.alias = alias.Val
	if s.withContext, err = parseContextModifier(args, false); err != nil {
		return nil, err
	}
	return s, expectEnd(args, "import")
}

func parseFromImport(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
	s := &importStmt{stmt: stmt{loc: p.Current()}}
	e, err := parseExpr(args)
	if err != nil {
		return nil, err
	}
	s.template = e
	if args.MatchName("import") == nil {
		return nil, errAt(args.Current(), "expected 'import' in from-import")
	}
	for {
		if args.CurrentName("with", "without") != nil && args.Peek() != nil && args.Peek().Val == "context" {
			break
		}
		name := args.Match(tokens.Name)
		if name == nil {
			return nil, errAt(args.Current(), "expected a name to import")
		}
		pair := [2]string{name.Val, name.Val}
		if args.MatchName("as") != nil {
			alias := args.Match(tokens.Name)
			if alias == nil {
				return nil, errAt(args.Current(), "expected a name after 'as'")
			}
			pair[1] = alias.Val
		}
		s.names = append(s.names, pair)
		if args.Match(tokens.Comma) == nil {
			break
		}
	}
	if s.withContext, err = parseContextModifier(args, false); err != nil {
		return nil, err
	}
	return s, expectEnd(args, "from")
}

func parseWith(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
	s := &withStmt{stmt: stmt{loc: p.Current()}}
	for !args.End() {
		if len(s.targets) > 0 && args.Match(tokens.Comma) == nil {
			return nil, errAt(args.Current(), "expected ',' in with")
		}
		t, err := parsePrimaryTarget(args, false)
		if err != nil {
			return nil, err
		}
		if args.Match(tokens.Assign) == nil {
			return nil, errAt(args.Current(), "expected '=' in with")
		}
		e, err := parseExpr(args)
		if err != nil {
			return nil, err
		}
		s.targets = append(s.targets, t)
		s.exprs = append(s.exprs, e)
	}
	w, endArgs, err := wrap(p, "endwith")
	if err != nil {
		return nil, err
	}
	s.body = w
	return s, expectEnd(endArgs, "endwith")
}

func parseFilterBlock(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
	s := &filterBlockStmt{stmt: stmt{loc: p.Current()}}
	var err error
	if s.filters, err = newExprParser(args).parseFilterChain(true); err != nil {
		return nil, err
	}
	if err := expectEnd(args, "filter"); err != nil {
		return nil, err
	}
	w, endArgs, err := wrap(p, "endfilter")
	if err != nil {
		return nil, err
	}
	s.body = w
	return s, expectEnd(endArgs, "endfilter")
}

func parseRaw(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
	s := &rawStmt{stmt: stmt{loc: p.Current()}}
	if err := expectEnd(args, "raw"); err != nil {
		return nil, err
	}
	w, endArgs, err := wrap(p, "endraw")
	if err != nil {
		return nil, err
	}
	for _, n := range w.Nodes {
		if _, ok := n.(*nodes.Data); !ok {
			return nil, errAt(n.Position(), "unexpected content in raw block")
		}
	}
	s.body = w
	return s, expectEnd(endArgs, "endraw")
}

func parseAutoescape(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
	s := &autoescapeStmt{stmt: stmt{loc: p.Current()}}
	e, err := parseExpr(args)
	if err != nil {
		return nil, err
	}
	s.expr = e
	if err := expectEnd(args, "autoescape"); err != nil {
		return nil, err
	}
	w, endArgs, err := wrap(p, "endautoescape")
	if err != nil {
		return nil, err
	}
	s.body = w
	return s, expectEnd(endArgs, "endautoescape")
}

func parseBlock(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
	s := &blockStmt{stmt: stmt{loc: p.Current()}}
	name := args.Match(tokens.Name)
	if name == nil {
		return nil, errAt(args.Current(), "expected a block name")
	}
	s.name = name.Val
	for !args.End() {
		switch {
		case args.MatchName("scoped") != nil:
			s.scoped = true
		case args.MatchName("required") != nil:
		default:
			return nil, expectEnd(args, "block")
		}
	}
	w, endArgs, err := wrap(p, "endblock")
	if err != nil {
		return nil, err
	}
	s.body = w
	if endName := endArgs.Match(tokens.Name); endName != nil && endName.Val != s.name {
		return nil, errAt(endName, "mismatched endblock: expected %q, got %q", s.name, endName.Val)
	}
	return s, expectEnd(endArgs, "endblock")
}

func parseExtends(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
	s := &extendsStmt{stmt: stmt{loc: p.Current()}}
	e, err := parseExpr(args)
	if err != nil {
		return nil, err
	}
	s.template = e
	return s, expectEnd(args, "extends")
}

// collectBlocks records every {% block %} of a template; a name may appear once.
func collectBlocks(ns []nodes.Node, blocks map[string]*blockStmt) error {
	for _, n := range ns {
		for _, child := range childBodies(n) {
			if b, ok := statementOf(n).(*blockStmt); ok && child == b.body {
				if _, dup := blocks[b.name]; dup {
					return errAt(b.loc, "block %q defined twice", b.name)
				}
				blocks[b.name] = b
			}
			if err := collectBlocks(child.Nodes, blocks); err != nil {
				return err
			}
		}
	}
	return nil
}

func hasExtends(ns []nodes.Node) bool {
	for _, n := range ns {
		if _, ok := statementOf(n).(*extendsStmt); ok {
			return true
		}
		for _, b := range childBodies(n) {
			if hasExtends(b.Nodes) {
				return true
			}
		}
	}
	return false
}

// statementOf returns the statement inside a ControlStructureBlock node.
func statementOf(n nodes.Node) nodes.ControlStructure {
	if b, ok := n.(*nodes.ControlStructureBlock); ok {
		return b.ControlStructure
	}
	return nil
}

// childBodies lists the bodies nested in a statement node.
func childBodies(n nodes.Node) []*nodes.Wrapper {
	var out []*nodes.Wrapper
	add := func(ws ...*nodes.Wrapper) {
		for _, w := range ws {
			if w != nil {
				out = append(out, w)
			}
		}
	}
	switch s := statementOf(n).(type) {
	case *ifStmt:
		add(s.bodies...)
	case *forStmt:
		add(s.body, s.elseBody)
	case *setBlockStmt:
		add(s.body)
	case *macroStmt:
		add(s.body)
	case *callBlockStmt:
		add(s.body)
	case *withStmt:
		add(s.body)
	case *filterBlockStmt:
		add(s.body)
	case *autoescapeStmt:
		add(s.body)
	case *blockStmt:
		add(s.body)
	}
	return out
}
