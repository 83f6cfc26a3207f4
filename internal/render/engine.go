// Package render renders AWS Proton template bundles (CloudFormation + Jinja) to exactly
// the bytes Python Jinja2 3.1 produces with its default Environment: lenient Undefined,
// no autoescape, no trim_blocks/lstrip_blocks, the trailing newline dropped, and Proton's
// four proton_cfn_* filters registered.
//
// Templates are lexed with github.com/nikolalohinski/gonja/v2's lexer and split into
// statements by its parser framework; expressions and Jinja2's statements are parsed by
// this package after jinja2/parser.py (so an inline if, *args or a trailing comma means
// what it means to Jinja2 anywhere), and evaluated with Python's value semantics: None
// prints "None", integers stay integers, dicts keep insertion order, generator filters
// are lazy one-shot iterators, tojson matches Jinja2's htmlsafe_json_dumps, pprint and
// wordwrap match Python's pprint and textwrap, and so on. Every render runs under Limits
// (output and value sizes, loop iterations, recursion, wall time) checked before
// allocating, and a panic never escapes: every failure is an *Error naming the file and
// line.
package render

import (
	"bytes"
	clist "container/list"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io/fs"
	"strings"
	"sync"
	"time"
)

// Options configure an Engine.
type Options struct {
	// Limits bound every render; zero fields take their defaults.
	Limits Limits
	// CacheEntries bounds the parsed-template cache (default 512 templates).
	CacheEntries int
}

// Error is a render failure: a syntax error, an undefined value used, a filter's failure,
// a missing template, a broken limit (it then wraps a *LimitError). Line is 0 when
// unknown.
type Error struct {
	File    string
	Line    int
	Message string
	cause   error
}

// Unwrap returns the *LimitError that stopped the render, if one did.
func (e *Error) Unwrap() error { return e.cause }

// Error returns "file:line: message" (the line is omitted when unknown).
func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Message)
}

// Engine renders templates. It is safe for concurrent use; its filters (Jinja2's builtins
// and Proton's four) belong to this engine alone.
type Engine struct {
	opts       Options
	filters    map[string]filterFunc
	tests      map[string]testFunc
	globals    map[string]any
	statements statementSet

	mu    sync.Mutex
	seed  maphash.Seed
	cache map[uint64]*clist.Element
	lru   *clist.List
}

// cacheEntry is a parsed template keyed by a hash of its source; the source itself is
// kept so a hit is confirmed byte for byte.
type cacheEntry struct {
	key  uint64
	src  []byte
	tmpl *template
	err  error
}

// New returns an Engine with Jinja2's builtin filters, tests and globals and Proton's
// filters. Zero options take their defaults.
func New(opts Options) *Engine {
	opts.Limits = opts.Limits.withDefaults()
	if opts.CacheEntries <= 0 {
		opts.CacheEntries = 512
	}
	e := &Engine{
		opts:       opts,
		statements: newStatementSet(),
		seed:       maphash.MakeSeed(),
		cache:      map[uint64]*clist.Element{},
		lru:        clist.New(),
	}
	e.filters = builtinFilters()
	for name, fn := range protonFilters() {
		e.filters[name] = fn
	}
	e.tests = builtinTests()
	e.globals = builtinGlobals()
	return e
}

// parseCached parses source, reusing a previous parse of the same content.
func (e *Engine) parseCached(name string, source []byte) (*template, error) {
	key := maphash.Bytes(e.seed, source)
	e.mu.Lock()
	if el, ok := e.cache[key]; ok && bytes.Equal(el.Value.(*cacheEntry).src, source) {
		e.lru.MoveToFront(el)
		ent := el.Value.(*cacheEntry)
		e.mu.Unlock()
		return ent.tmpl, ent.err
	}
	e.mu.Unlock()
	t, err := e.parseTemplate(name, string(source))
	e.mu.Lock()
	defer e.mu.Unlock()
	if old, ok := e.cache[key]; ok {
		e.lru.Remove(old) // a hash collision or a concurrent parse: keep the newest
		delete(e.cache, key)
	}
	{
		e.cache[key] = e.lru.PushFront(&cacheEntry{key: key, src: bytes.Clone(source), tmpl: t, err: err})
		for e.lru.Len() > e.opts.CacheEntries {
			old := e.lru.Back()
			e.lru.Remove(old)
			delete(e.cache, old.Value.(*cacheEntry).key)
		}
	}
	return t, err
}

// Render renders the template file name found in files (includes, imports and extends
// resolve inside files too) with data as the context's top-level variables. Parsed
// templates are cached by content. Every failure is an *Error naming the file and line.
func (e *Engine) Render(ctx context.Context, files fs.FS, name string, data *Map) (out string, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = "", &Error{File: name, Message: fmt.Sprintf("internal error while rendering: %v", p)}
		}
	}()
	if ctx == nil {
		ctx = context.Background()
	}
	deadline := time.Now().Add(e.opts.Limits.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	r := &renderer{eng: e, ctx: ctx, files: files, deadline: deadline, lim: &e.opts.Limits, out: &outBuf{}}
	r.run = &templateRun{name: name}
	t, err := r.load(name)
	if err != nil {
		return "", toError(name, err)
	}
	base := newFrame(nil)
	if data != nil {
		for i, k := range data.keys {
			v, err := normalize(data.vals[i])
			if err != nil {
				return "", &Error{File: name, Message: fmt.Sprintf("context variable %s: %v", pyStr(k), err)}
			}
			if ks, ok := k.(string); ok {
				base.vars[ks] = v
			}
		}
	}
	p, _ := templatePath(name)
	if err := r.renderTemplate(p, t, newFrame(base)); err != nil {
		return "", toError(p, err)
	}
	if r.stopped != nil {
		return "", toError(p, r.stopped)
	}
	return r.out.b.String(), nil
}

// toError converts an internal error into an *Error.
func toError(file string, err error) *Error {
	var le *locatedError
	if errors.As(err, &le) {
		return &Error{File: le.file, Line: le.line, Message: message(le.err), cause: limitCause(le.err)}
	}
	var se *syntaxError
	if errors.As(err, &se) {
		return &Error{File: file, Line: se.line, Message: message(se)}
	}
	var ee *exprError
	if errors.As(err, &ee) {
		return &Error{File: file, Line: ee.line, Message: message(ee.err), cause: limitCause(ee.err)}
	}
	return &Error{File: file, Message: message(err), cause: limitCause(err)}
}

// limitCause returns the *LimitError in err's chain, or nil.
func limitCause(err error) error {
	var le *LimitError
	if errors.As(err, &le) {
		return le
	}
	return nil
}

func message(err error) string {
	var se *syntaxError
	if errors.As(err, &se) {
		return "syntax error: " + se.msg
	}
	var ue *undefinedError
	if errors.As(err, &ue) {
		return "undefined: " + ue.msg
	}
	return strings.TrimSpace(err.Error())
}
