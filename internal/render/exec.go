package render

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/nikolalohinski/gonja/v2/nodes"
)

// locatedError is an error with the template file and line it happened at.
type locatedError struct {
	file string
	line int
	err  error
}

func (e *locatedError) Error() string { return e.err.Error() }
func (e *locatedError) Unwrap() error { return e.err }

// controlError marks errors that must pass through unchanged (cancellation).
type controlError struct{ msg string }

func (e *controlError) Error() string { return e.msg }

// outBuf is the current output; discard drops writes (child template content after extends).
type outBuf struct {
	b       strings.Builder
	discard bool
}

// templateRun is the state of one template being rendered (including its parents).
type templateRun struct {
	name   string
	tmpl   *template
	root   *frame
	blocks map[string][]*blockRef // block chains, most derived first
	parent *template
	pname  string
}

type blockRef struct {
	block *blockStmt
	name  string
}

// renderer renders one Render call.
type renderer struct {
	eng        *Engine
	ctx        context.Context
	files      fs.FS
	deadline   time.Time
	lim        *Limits
	stopped    *LimitError // the first limit broken; the render stops at its next statement
	ticks      int
	depth      int
	nesting    int   // statements and expressions being evaluated one inside another
	iterations int64 // for-loop iterations so far (MaxIterations)
	allocated  int64 // bytes of values built so far (MaxAllocated)
	live       int   // bytes in the output and the buffers being captured (MaxOutput)
	out        *outBuf
	autoescape bool
	run        *templateRun
}

// tick enforces the deadline and a limit broken earlier; call it in every loop
// iteration and call. It reads the clock every 64 ticks only.
func (r *renderer) tick() error {
	if r.stopped != nil {
		return r.stopped
	}
	r.ticks++
	if r.ticks&63 != 0 {
		return nil
	}
	if err := r.ctx.Err(); err != nil {
		return &controlError{msg: "render cancelled: " + err.Error()}
	}
	if time.Now().After(r.deadline) {
		return r.stop("Timeout", "the render ran longer than %s", r.lim.Timeout)
	}
	return nil
}

// iterate counts one for-loop iteration against MaxIterations (and ticks).
func (r *renderer) iteration() error {
	r.iterations++
	if r.iterations > r.lim.MaxIterations {
		return r.stop("MaxIterations", "the loops would run more than %d iterations in total", r.lim.MaxIterations)
	}
	return r.tick()
}

// enter counts one level of recursion against MaxDepth; leave undoes it.
func (r *renderer) enter() error {
	if r.depth >= r.lim.MaxDepth {
		return r.stop("MaxDepth", "recursion (macro calls, includes, imports, extends, recursive loops) would be deeper than %d levels", r.lim.MaxDepth)
	}
	r.depth++
	return nil
}

func (r *renderer) leave() { r.depth-- }

// nestingPerDepth is how many statements and expressions may be evaluated one inside
// another per level of MaxDepth: the Go stack a render uses stays bounded whatever
// nests in what (macros in expressions in statements in macros...).
const nestingPerDepth = 8

// nest counts one more statement or expression being evaluated inside the current ones;
// the caller undoes it (r.nesting--) when done.
func (r *renderer) nest() error {
	r.nesting++
	if r.nesting > nestingPerDepth*r.lim.MaxDepth {
		r.nesting--
		return r.stop("MaxDepth", "statements, expressions and calls would nest more than %d levels deep (%d per level of the limit)", nestingPerDepth*r.lim.MaxDepth, nestingPerDepth)
	}
	return nil
}

func (r *renderer) write(s string) error {
	if r.out.discard {
		return nil
	}
	if r.live+len(s) > r.lim.MaxOutput {
		return r.stop("MaxOutput", "the output would be %d bytes, over the %s limit", r.live+len(s), sizeString(int64(r.lim.MaxOutput)))
	}
	r.live += len(s)
	r.out.b.WriteString(s)
	return nil
}

// pushOut starts rendering into a fresh buffer; popOut returns to saved and gives what was
// written meanwhile (no longer counted against MaxOutput until written again).
func (r *renderer) pushOut() (saved *outBuf) {
	saved = r.out
	r.out = &outBuf{}
	return saved
}

func (r *renderer) popOut(saved *outBuf) string {
	s := r.out.b.String()
	r.live -= len(s)
	r.out = saved
	return s
}

// filteredBody renders body in a frame of its own and passes the text through filters in
// turn: the value of a {% set x | f %} block and of a {% filter f %} block.
func (r *renderer) filteredBody(body *nodes.Wrapper, filters []*filterExpr, f *frame) (any, error) {
	s, err := r.capture(func() error { return r.execBody(body, newFrame(f)) })
	if err != nil {
		return nil, err
	}
	var v any = s
	for _, fc := range filters {
		if v, err = r.applyFilter(fc, v, f); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// capture renders fn into a fresh buffer and returns what it wrote.
func (r *renderer) capture(fn func() error) (string, error) {
	saved := r.pushOut()
	err := fn()
	return r.popOut(saved), err
}

// locate attaches the current file and a line to err.
func (r *renderer) locate(line int, err error) error {
	if err == nil {
		return nil
	}
	var le *locatedError
	if errors.As(err, &le) {
		return err
	}
	var ce *controlError
	if errors.As(err, &ce) {
		return &locatedError{file: r.run.name, line: line, err: err}
	}
	var ee *exprError
	if errors.As(err, &ee) && ee.line > 0 {
		line = ee.line
	}
	return &locatedError{file: r.run.name, line: line, err: err}
}

func (r *renderer) execBody(w *nodes.Wrapper, f *frame) error {
	if w == nil {
		return nil
	}
	return r.execNodes(w.Nodes, f)
}

func (r *renderer) execNodes(ns []nodes.Node, f *frame) error {
	for _, n := range ns {
		if err := r.execNode(n, f); err != nil {
			return err
		}
	}
	return nil
}

func (r *renderer) execNode(n nodes.Node, f *frame) error {
	switch x := n.(type) {
	case *nodes.Data:
		s := x.Data.Val
		if x.Trim.Left {
			s = strings.TrimLeftFunc(s, isPySpace)
		}
		if x.Trim.Right {
			s = strings.TrimRightFunc(s, isPySpace)
		}
		return r.locate(x.Data.Line, r.write(s))
	case *nodes.Comment, nil:
		return nil
	case *nodes.ControlStructureBlock:
		line := 0
		if x.Location != nil {
			line = x.Location.Line
		}
		err := r.nest()
		if err == nil {
			err = r.execStmtGuarded(x.ControlStructure, f)
			r.nesting--
		}
		if r.stopped != nil && !isLimit(err) {
			err = r.stopped // a limit error lost on the way (replaced or ignored)
		}
		return r.locate(line, err)
	}
	return fmt.Errorf("unexpected template node %s", n)
}

// execStmtGuarded is execStmt with a comparison nested too deep to finish (a list that
// holds itself) turned into the render's MaxDepth error, at this statement.
func (r *renderer) execStmtGuarded(s nodes.ControlStructure, f *frame) (err error) {
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(deepValues); !ok {
				panic(p)
			}
			err = r.stop("MaxDepth", "values nested more than %d levels deep were compared (a list or dict that holds itself?)", valueDepthCap)
		}
	}()
	return r.execStmt(s, f)
}

// isLimit reports whether err is or wraps a *LimitError.
func isLimit(err error) bool {
	var le *LimitError
	return errors.As(err, &le)
}

func isPySpace(c rune) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x1f, 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return c >= 0x2000 && c <= 0x200a
}

func (r *renderer) execStmt(s nodes.ControlStructure, f *frame) error {
	switch x := s.(type) {
	case *printStmt:
		if x.expr != nil {
			return r.print(x.expr, f)
		}
		for _, e := range x.items {
			if err := r.print(e, f); err != nil {
				return err
			}
		}
		return nil
	case *ifStmt:
		for i, c := range x.conds {
			v, err := r.eval(c, f)
			if err != nil {
				return err
			}
			if truthy(v) {
				return r.execBody(x.bodies[i], f)
			}
		}
		if len(x.bodies) > len(x.conds) {
			return r.execBody(x.bodies[len(x.conds)], f)
		}
		return nil
	case *forStmt:
		return r.execFor(x, f)
	case *setStmt:
		v, err := r.eval(x.expr, f)
		if err != nil {
			return err
		}
		return r.assign(x.target, v, f)
	case *setBlockStmt:
		v, err := r.filteredBody(x.body, x.filters, f)
		if err != nil {
			return err
		}
		return r.assign(x.target, v, f)
	case *macroStmt:
		f.vars[x.name] = &macro{name: x.name, sig: &x.sig, body: x.body, def: f, run: r.run}
		return nil
	case *callBlockStmt:
		// Jinja2 passes the block as the keyword argument caller.
		caller := &macro{name: "caller", sig: &x.sig, body: x.body, def: f, run: r.run}
		fn, err := r.eval(x.call.fn, f)
		if err != nil {
			return err
		}
		args, err := r.evalArgs(&x.call.args, f)
		if err != nil {
			return err
		}
		args.kw = append(args.kw, kwArg{name: "caller", val: caller})
		v, err := r.call(fn, args)
		if err != nil {
			return at(x.call, err)
		}
		return r.write(pyStr(v))
	case *includeStmt:
		return r.execInclude(x, f)
	case *importStmt:
		return r.execImport(x, f)
	case *withStmt:
		inner := newFrame(f)
		for i, t := range x.targets {
			v, err := r.eval(x.exprs[i], f)
			if err != nil {
				return err
			}
			if err := r.assign(t, v, inner); err != nil {
				return err
			}
		}
		return r.execBody(x.body, inner)
	case *filterBlockStmt:
		v, err := r.filteredBody(x.body, x.filters, f)
		if err != nil {
			return err
		}
		return r.write(pyStr(v))
	case *rawStmt:
		return r.execBody(x.body, f)
	case *autoescapeStmt:
		v, err := r.eval(x.expr, f)
		if err != nil {
			return err
		}
		saved := r.autoescape
		r.autoescape = truthy(v)
		err = r.execBody(x.body, f)
		r.autoescape = saved
		return err
	case *blockStmt:
		return r.execBlock(x, f)
	case *extendsStmt:
		if r.run.parent != nil {
			return fmt.Errorf("extended multiple times")
		}
		v, err := r.eval(x.template, f)
		if err != nil {
			return err
		}
		name, t, err := r.loadAny(v)
		if err != nil {
			return err
		}
		r.run.parent, r.run.pname = t, name
		r.out.discard = true
		return nil
	}
	return fmt.Errorf("unsupported statement %s", s)
}

// print writes the value of an expression.
func (r *renderer) print(e nodes.Expression, f *frame) error {
	v, err := r.eval(e, f)
	if err != nil {
		return err
	}
	if r.autoescape {
		return r.write(escapeValue(v))
	}
	s, err := r.str(v)
	if err != nil {
		return err
	}
	return r.write(s)
}

// assign binds v to a target in frame f.
func (r *renderer) assign(t *target, v any, f *frame) error {
	switch {
	case t.items != nil:
		items, err := r.iterate(v)
		if err != nil {
			return err
		}
		if len(items) != len(t.items) {
			if len(items) > len(t.items) {
				return fmt.Errorf("too many values to unpack (expected %d)", len(t.items))
			}
			return fmt.Errorf("not enough values to unpack (expected %d, got %d)", len(t.items), len(items))
		}
		for i, sub := range t.items {
			if err := r.assign(sub, items[i], f); err != nil {
				return err
			}
		}
		return nil
	case t.attr != "":
		obj := r.lookupName(t.name, f)
		ns, ok := obj.(*namespace)
		if !ok {
			return fmt.Errorf("cannot assign attribute on non-namespace object")
		}
		ns.attrs.set(t.attr, v)
		return nil
	}
	f.vars[t.name] = v
	return nil
}

// iterate lists the items Python's iter() yields; it materialises ranges.
func (r *renderer) iterate(v any) ([]any, error) {
	switch x := v.(type) {
	case *list:
		return x.items, nil
	case tuple:
		return x, nil
	case *groupTuple:
		return x.tuple(), nil
	case *iterator:
		return x.rest()
	case *Map:
		return append([]any(nil), x.keys...), nil
	case string:
		out := make([]any, 0, len(x))
		for _, c := range x {
			out = append(out, string(c))
		}
		return out, nil
	case markup:
		out := make([]any, 0, len(x))
		for _, c := range x {
			out = append(out, string(c)) // iterating a Markup yields plain str
		}
		return out, nil
	case *undefined:
		return nil, strictErr(x)
	case *rangeValue:
		if err := r.checkItems(x.length()); err != nil {
			return nil, err
		}
		if err := r.charge(itemBytes * x.length()); err != nil {
			return nil, err
		}
		return materialize(x)
	case *namespace:
		return nil, fmt.Errorf("'Namespace' object is not iterable")
	}
	return nil, fmt.Errorf("'%s' object is not iterable", typeName(v))
}

func materialize(x *rangeValue) ([]any, error) {
	n := x.length()
	out := make([]any, n)
	for i := int64(0); i < n; i++ {
		out[i] = x.start + i*x.step
	}
	return out, nil
}

// loopContext is the "loop" variable of a for loop.
type loopContext struct {
	index0   int64
	length   int64
	depth0   int
	at       func(int64) any
	recurse  func(items any, depth0 int) (any, error)
	changed  bool
	lastSeen any
}

func (r *renderer) execFor(x *forStmt, f *frame) error {
	iter, err := r.eval(x.iter, f)
	if err != nil {
		return err
	}
	return r.loop(x, iter, f, 0)
}

// loop renders a for loop over iter at a recursion depth.
func (r *renderer) loop(x *forStmt, iter any, f *frame, depth0 int) error {
	inner := newFrame(f)
	var (
		length int64
		at     func(int64) any
	)
	if rv, ok := iter.(*rangeValue); ok && x.cond == nil {
		length = rv.length()
		at = func(i int64) any { return rv.start + i*rv.step }
	} else {
		items, err := r.iterate(iter)
		if err != nil {
			return err
		}
		if x.cond != nil {
			kept := make([]any, 0, len(items))
			for _, it := range items {
				if err := r.iteration(); err != nil {
					return err
				}
				if err := r.assign(x.target, it, inner); err != nil {
					return err
				}
				ok, err := r.eval(x.cond, inner)
				if err != nil {
					return err
				}
				if truthy(ok) {
					kept = append(kept, it)
				}
			}
			items = kept
		}
		length = int64(len(items))
		at = func(i int64) any { return items[i] }
	}
	if length == 0 {
		if x.elseBody != nil {
			return r.execBody(x.elseBody, f)
		}
		return nil
	}
	lc := &loopContext{length: length, depth0: depth0, at: at}
	if x.recursive {
		lc.recurse = func(items any, d int) (any, error) {
			if err := r.enter(); err != nil {
				return nil, err
			}
			defer r.leave()
			s, err := r.capture(func() error { return r.loop(x, items, f, d) })
			if err != nil {
				return nil, err
			}
			return s, nil
		}
	}
	inner.vars["loop"] = lc
	for i := int64(0); i < length; i++ {
		if err := r.iteration(); err != nil {
			return err
		}
		lc.index0 = i
		if err := r.assign(x.target, at(i), inner); err != nil {
			return err
		}
		if err := r.execBody(x.body, inner); err != nil {
			return err
		}
	}
	return nil
}

func (lc *loopContext) attr(name string) (any, bool) {
	switch name {
	case "index":
		return lc.index0 + 1, true
	case "index0":
		return lc.index0, true
	case "revindex":
		return lc.length - lc.index0, true
	case "revindex0":
		return lc.length - lc.index0 - 1, true
	case "first":
		return lc.index0 == 0, true
	case "last":
		return lc.index0 == lc.length-1, true
	case "length":
		return lc.length, true
	case "depth":
		return int64(lc.depth0 + 1), true
	case "depth0":
		return int64(lc.depth0), true
	case "previtem":
		if lc.index0 == 0 {
			return &undefined{hint: "there is no previous item"}, true
		}
		return lc.at(lc.index0 - 1), true
	case "nextitem":
		if lc.index0 >= lc.length-1 {
			return &undefined{hint: "there is no next item"}, true
		}
		return lc.at(lc.index0 + 1), true
	case "cycle":
		return &builtinFunc{name: "cycle", fn: func(r *renderer, a *callArgs) (any, error) {
			if len(a.pos) == 0 {
				return nil, fmt.Errorf("no items for cycling given")
			}
			return a.pos[lc.index0%int64(len(a.pos))], nil
		}}, true
	case "changed":
		return &builtinFunc{name: "changed", fn: func(r *renderer, a *callArgs) (any, error) {
			v := any(tuple(a.pos))
			if lc.changed && pyEq(lc.lastSeen, v) {
				return false, nil
			}
			lc.changed, lc.lastSeen = true, v
			return true, nil
		}}, true
	}
	return nil, false
}

// macro is a {% macro %} (or the caller of a {% call %} block).
type macro struct {
	name string
	sig  *signature
	body *nodes.Wrapper
	def  *frame
	run  *templateRun
}

// callMacro calls a macro the way Jinja2's Macro.__call__ does: positional arguments
// fill the parameters in order, keyword arguments the parameters left; extra positional
// arguments go to varargs and extra keyword arguments to kwargs when the body uses those
// names, and are an error otherwise.
func (r *renderer) callMacro(m *macro, args *callArgs) (any, error) {
	if err := r.enter(); err != nil {
		return nil, err
	}
	defer r.leave()
	f := newFrame(m.def)
	params := m.sig.params
	n := min(len(args.pos), len(params))
	set := make([]bool, len(params))
	for i := 0; i < n; i++ {
		f.vars[params[i].name] = args.pos[i]
		set[i] = true
	}
	kwargs := NewMap()
	for _, kw := range args.kw {
		kwargs.set(kw.name, kw.val)
	}
	foundCaller := m.sig.explicitCaller
	if n < len(params) {
		foundCaller = false
		for i := n; i < len(params); i++ {
			if v, ok := kwargs.delete(params[i].name); ok {
				f.vars[params[i].name] = v
				set[i] = true
			}
			if params[i].name == "caller" {
				foundCaller = true
			}
		}
	}
	if m.sig.usesCaller && !foundCaller {
		c, _ := kwargs.delete("caller")
		if c == nil {
			c = &undefined{hint: "No caller defined", name: "caller"}
		}
		f.vars["caller"] = c
	}
	if m.sig.usesKwargs {
		f.vars["kwargs"] = kwargs
	} else if kwargs.Len() > 0 {
		if _, ok := kwargs.get("caller"); ok {
			return nil, fmt.Errorf("macro %s was invoked with two values for the special caller argument. This is most likely a bug.", pyRepr(m.name))
		}
		return nil, fmt.Errorf("macro %s takes no keyword argument %s", pyRepr(m.name), pyRepr(kwargs.keys[0]))
	}
	if m.sig.usesVarargs {
		var extra []any
		if len(args.pos) > len(params) {
			extra = args.pos[len(params):]
		}
		f.vars["varargs"] = tuple(extra)
	} else if len(args.pos) > len(params) {
		return nil, fmt.Errorf("macro %s takes not more than %d argument(s)", pyRepr(m.name), len(params))
	}
	savedRun := r.run
	r.run = m.run
	defer func() { r.run = savedRun }()
	for i, p := range params {
		if set[i] {
			continue
		}
		if p.def == nil {
			f.vars[p.name] = &undefined{hint: fmt.Sprintf("parameter %s was not provided", pyRepr(p.name)), name: p.name}
			continue
		}
		v, err := r.eval(p.def, f)
		if err != nil {
			return nil, err
		}
		f.vars[p.name] = v
	}
	s, err := r.capture(func() error { return r.execBody(m.body, f) })
	if err != nil {
		return nil, err
	}
	if r.autoescape {
		return markup(s), nil
	}
	return s, nil
}

// ---- templates: loading, include, import, extends, blocks ----

// templatePath validates and normalises a template name the way Jinja2's loaders do.
func templatePath(name string) (string, bool) {
	var parts []string
	for _, p := range strings.Split(name, "/") {
		switch p {
		case "", ".":
			continue
		case "..":
			return "", false
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		return "", false
	}
	p := path.Join(parts...)
	return p, fs.ValidPath(p)
}

// notFoundError is Jinja2's TemplateNotFound.
type notFoundError struct{ name string }

func (e *notFoundError) Error() string { return fmt.Sprintf("template %q not found", e.name) }

func (r *renderer) load(name string) (*template, error) {
	p, ok := templatePath(name)
	if !ok {
		return nil, &notFoundError{name: name}
	}
	src, err := fs.ReadFile(r.files, p)
	if err != nil {
		return nil, &notFoundError{name: name}
	}
	t, err := r.eng.parseCached(p, src)
	if err != nil {
		var se *syntaxError
		if errors.As(err, &se) {
			return nil, &locatedError{file: p, line: se.line, err: se}
		}
		return nil, err
	}
	return t, nil
}

// loadAny loads a template named by a string or the first existing of a list of names.
func (r *renderer) loadAny(v any) (string, *template, error) {
	switch x := v.(type) {
	case string:
		t, err := r.load(x)
		return x, t, err
	case markup:
		t, err := r.load(string(x))
		return string(x), t, err
	case *list, tuple:
		names, _ := r.iterate(x)
		for _, n := range names {
			s, ok := n.(string)
			if !ok {
				continue
			}
			t, err := r.load(s)
			var nf *notFoundError
			if errors.As(err, &nf) {
				continue
			}
			return s, t, err
		}
		return "", nil, fmt.Errorf("none of the templates given were found: %s", pyRepr(v))
	case *undefined:
		return "", nil, x.err()
	}
	return "", nil, fmt.Errorf("template name must be a string, not '%s'", typeName(v))
}

// renderTemplate runs template t (following extends) with a root frame over parent.
func (r *renderer) renderTemplate(name string, t *template, root *frame) error {
	if err := r.enter(); err != nil {
		return err
	}
	defer r.leave()
	run := &templateRun{name: name, tmpl: t, root: root, blocks: map[string][]*blockRef{}}
	savedRun, savedOut := r.run, r.out
	r.run = run
	defer func() { r.run = savedRun }()
	addBlocks(run, name, t)
	if !t.extends {
		if r.out.b.Len() == 0 {
			r.out.b.Grow(t.size + t.size/8)
		}
		return r.execNodes(t.nodes, root)
	}
	// A template that extends renders into its own buffer so "extends" can discard its top level.
	r.pushOut()
	err := r.execNodes(t.nodes, root)
	body := r.popOut(savedOut)
	if err != nil {
		return err
	}
	if err := r.write(body); err != nil {
		return r.locate(0, err)
	}
	for run.parent != nil {
		if err := r.tick(); err != nil {
			return r.locate(0, err)
		}
		parent, pname := run.parent, run.pname
		run.parent = nil
		run.name, run.tmpl = pname, parent
		addBlocks(run, pname, parent)
		if err := r.enter(); err != nil {
			return r.locate(0, err)
		}
		defer r.leave()
		saved := r.pushOut()
		err := r.execNodes(parent.nodes, root)
		body := r.popOut(saved)
		if err != nil {
			return err
		}
		if err := r.write(body); err != nil {
			return r.locate(0, err)
		}
	}
	return nil
}

func addBlocks(run *templateRun, name string, t *template) {
	for bn, b := range t.blocks {
		run.blocks[bn] = append(run.blocks[bn], &blockRef{block: b, name: name})
	}
}

func (r *renderer) execBlock(b *blockStmt, f *frame) error {
	if r.run.parent != nil {
		return nil // a child template's blocks render through its parent's
	}
	chain := r.run.blocks[b.name]
	if len(chain) == 0 {
		chain = []*blockRef{{block: b, name: r.run.name}}
	}
	return r.renderBlockChain(chain, 0, f)
}

func (r *renderer) renderBlockChain(chain []*blockRef, i int, f *frame) error {
	ref := chain[i]
	base := r.run.root
	if ref.block.scoped {
		base = f
	}
	bf := newFrame(base)
	bf.vars["super"] = &builtinFunc{name: "super", fn: func(r *renderer, a *callArgs) (any, error) {
		if i+1 >= len(chain) {
			return nil, fmt.Errorf("there is no parent block called %q", ref.block.name)
		}
		return r.capture(func() error { return r.renderBlockChain(chain, i+1, f) })
	}}
	savedName := r.run.name
	r.run.name = ref.name
	defer func() { r.run.name = savedName }()
	return r.execBody(ref.block.body, bf)
}

// templateRef is Jinja2's "self" in a template: self.name() renders the template's block
// name (its most derived version) with the template's context.
type templateRef struct{ run *templateRun }

func (t *templateRef) attr(name string) (any, bool) {
	chain := t.run.blocks[name]
	if len(chain) == 0 {
		return nil, false
	}
	return &builtinFunc{name: name, fn: func(r *renderer, a *callArgs) (any, error) {
		if len(a.pos) > 0 || len(a.kw) > 0 {
			return nil, fmt.Errorf("block %s takes no arguments", pyRepr(name))
		}
		if err := r.enter(); err != nil {
			return nil, err
		}
		saved := r.run
		r.run = t.run
		defer func() { r.leave(); r.run = saved }()
		s, err := r.capture(func() error { return r.renderBlockChain(chain, 0, t.run.root) })
		if err != nil {
			return nil, err
		}
		if r.autoescape {
			return markup(s), nil
		}
		return s, nil
	}}, true
}

func (r *renderer) execInclude(x *includeStmt, f *frame) error {
	v, err := r.eval(x.template, f)
	if err != nil {
		return err
	}
	name, t, err := r.loadAny(v)
	if err != nil {
		var nf *notFoundError
		if x.ignoreMissing && (errors.As(err, &nf) || strings.HasPrefix(err.Error(), "none of the templates")) {
			return nil
		}
		return err
	}
	parent := newFrame(nil)
	if x.withContext {
		parent = f
	}
	return r.renderTemplate(name, t, newFrame(parent))
}

// module is an imported template's exported names.
type module struct {
	name  string
	attrs *Map
}

func (r *renderer) execImport(x *importStmt, f *frame) error {
	v, err := r.eval(x.template, f)
	if err != nil {
		return err
	}
	name, t, err := r.loadAny(v)
	if err != nil {
		return err
	}
	parent := newFrame(nil)
	if x.withContext {
		parent = f
	}
	root := newFrame(parent)
	if _, err := r.capture(func() error { return r.renderTemplate(name, t, root) }); err != nil {
		return err
	}
	mod := &module{name: name, attrs: NewMap()}
	for _, k := range sortedKeys(root.vars) {
		if !strings.HasPrefix(k, "_") {
			mod.attrs.set(k, root.vars[k])
		}
	}
	if x.names == nil {
		f.vars[x.alias] = mod
		return nil
	}
	for _, pair := range x.names {
		if v, ok := mod.attrs.get(pair[0]); ok {
			f.vars[pair[1]] = v
		} else {
			f.vars[pair[1]] = &undefined{hint: fmt.Sprintf("the template %s (imported on line %d) does not export the requested name %s", pyRepr(name), x.line(), pyRepr(pair[0]))}
		}
	}
	return nil
}
