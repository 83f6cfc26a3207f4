package render

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// FuzzRender renders arbitrary template sources against a small context: a render may
// fail, but only with an *Error, never a panic or a hang; a render stopped by a limit
// says which.
func FuzzRender(f *testing.F) {
	seeds := []string{
		`{{ x }}`, `{% set a, b = s.split('=') %}{{ a }}`, `{{ '%s' % x }}`, `{{ d|tojson }}`,
		`{% for k, v in d.items() %}{{ k }}{% endfor %}`, `{{ 2 ** 10 }}`, `{{ (m | default({})).items() }}`,
		`{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}`, `{{ x.y.z }}`, `{% if %}`, `{{ '%(a)s' % d }}`,
		`{{ '{:>{w}}'.format(1, w=3) }}`, `{% for i in range(9) recursive %}{{ loop(i) }}{% endfor %}`,
		`{{ l[::-1] }}{{ s[1:] }}`, `{% raw %}{{{% endraw %}`, `{{ d|dictsort|list }}`, "{{-\n1\n-}}",
		`{% include 'inc' %}`, `{% extends 'inc' %}{% block b %}{{ super() }}{% endblock %}`,
		`{{ x | default('a' if l else 'b') }}{{ ('a' if x else 'b')|upper }}{{ [1 if x, {'k': 2,},] }}`,
		`{% macro m(a) %}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(*l, **d) }}{{ m(1, 2, k=3) }}`,
		`{% block b %}x{% endblock %}{{ self.b() }}{{ d|pprint }}{{ s|wordwrap(3) }}`,
		`{% set g = l|select('odd') %}{{ g|first }}{{ g|list }}{{ l|reverse|list }}{{ 1 < x < 3 }}`,
		// hostile: each is stopped by a limit
		`{{ '%*d' % (2**40, 1) }}`, `{{ 'x' * 2**40 }}`, `{{ [s] * 2**30 }}`, `{{ s|replace('', s * 9999) }}`,
		`{{ s|center(2**40) }}`, `{{ '{:>{}}'.format(s, 2**40) }}`, `{{ 2 ** (2 ** 40) }}`, `{{ range(2**62)|list }}`,
		`{% for i in range(2**62) %}{% endfor %}`, `{{ ((((((((((1)))))))))) }}`, `{{ s|indent(10**12) }}`,
		`{% set ns = namespace(s=s) %}{% for i in range(99) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}`,
	}
	for _, s := range seeds {
		f.Add(s)
	}
	ctxJSON := `{"x": 1, "s": "a=b", "d": {"b": [1, 2.5, null], "a": "<&>"}, "l": [3, 2, 1], "m": null}`
	v, err := DecodeJSON([]byte(ctxJSON))
	if err != nil {
		f.Fatal(err)
	}
	data := v.(*Map)
	eng := New(Options{Limits: Limits{Timeout: 200 * time.Millisecond, MaxOutput: 64 << 10}})
	f.Fuzz(func(t *testing.T, src string) {
		files := fstest.MapFS{
			"t":   {Data: []byte(src)},
			"inc": {Data: []byte("{% block b %}i{{ x }}{% endblock %}")},
		}
		// A hang (the 200ms deadline not enforced) crashes the worker with every stack.
		watchdog := time.AfterFunc(10*time.Second, func() {
			buf := make([]byte, 1<<20)
			panic("render hung:\n" + string(buf[:runtime.Stack(buf, true)]))
		})
		out, err := eng.Render(context.Background(), files, "t", data)
		watchdog.Stop()
		if err != nil {
			var re *Error
			if !errors.As(err, &re) {
				t.Fatalf("error %v (%T) is not a *render.Error", err, err)
			}
			var le *LimitError
			if errors.As(err, &le) && !strings.Contains(err.Error(), "(render.Limits."+le.Limit+")") {
				t.Fatalf("limit error %q does not name its limit %s", err, le.Limit)
			}
			return
		}
		if len(out) > 64<<10 {
			t.Fatalf("output of %d bytes passed the 64 KiB cap", len(out))
		}
	})
}
