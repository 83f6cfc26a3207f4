package render

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// mustRender renders src (as "t.j2", with extra files) against the JSON context.
func mustRender(t *testing.T, eng *Engine, src, ctxJSON string, extra map[string]string) (string, error) {
	t.Helper()
	files := fstest.MapFS{"t.j2": {Data: []byte(src)}}
	for name, body := range extra {
		files[name] = &fstest.MapFile{Data: []byte(body)}
	}
	var data *Map
	if ctxJSON != "" {
		v, err := DecodeJSON([]byte(ctxJSON))
		if err != nil {
			t.Fatalf("context: %v", err)
		}
		data = v.(*Map)
	}
	return eng.Render(context.Background(), files, "t.j2", data)
}

// TestJinja2Semantics compares with what Python Jinja2 3.1 (default Environment) renders.
func TestJinja2Semantics(t *testing.T) {
	ctx := `{"s": "a=b", "n": 6, "f": 2.5, "none": null, "t": true, "list": [3, 1, 2],
		"d": {"z": 1, "a": 2, "m": 3}, "nested": {"inner": {"k": "v"}}, "empty": {},
		"words": "hello world", "html": "<a href='x'>&</a>", "uni": "héllo ☃ 😀"}`
	cases := []struct{ name, src, want string }{
		// printing Python values
		{"none prints None", `{{ none }}`, "None"},
		{"bools", `{{ t }} {{ false }}`, "True False"},
		{"integer stays integer", `{{ n }}`, "6"},
		{"float repr", `{{ f }} {{ 1.0 }} {{ 1e20 }} {{ 0.1 + 0.2 }} {{ 1/3 }} {{ 1e-5 }}`, "2.5 1.0 1e+20 0.30000000000000004 0.3333333333333333 1e-05"},
		{"list repr", `{{ list }} {{ ['a', none, 1.5, "it's"] }}`, `[3, 1, 2] ['a', None, 1.5, "it's"]`},
		{"dict repr in insertion order", `{{ d }}`, "{'z': 1, 'a': 2, 'm': 3}"},
		{"tuple repr", `{{ (1,) }} {{ (1, 'x') }} {{ 1, 2 }}`, "(1,) (1, 'x') (1, 2)"},
		{"missing renders empty", `[{{ missing }}]`, "[]"},
		{"missing attribute of dict renders empty", `[{{ d.nope }}][{{ d['nope'] }}][{{ list[10] }}]`, "[][][]"},
		// arithmetic
		{"power is integer", `{{ 2 ** 10 }} {{ 2 ** -1 }} {{ 2.0 ** 2 }} {{ 2 ** 100 }}`, "1024 0.5 4.0 1267650600228229401496703205376"},
		{"division", `{{ 7 / 2 }} {{ 6 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7.5 // 2 }}`, "3.5 3.0 3 -4 2 3.0"},
		{"int plus float", `{{ n + 1 }} {{ n + 0.5 }} {{ n * 2 }} {{ 'ab' * 3 }}`, "7 6.5 12 ababab"},
		{"tilde concatenation", `{{ n ~ '-' ~ none ~ '-' ~ missing }}`, "6-None-"},
		{"comparisons and chains", `{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 1 == 1.0 }} {{ 'a' != 'b' }}`, "True False True True"},
		{"and/or return operands", `{{ '' or 'x' }} {{ 'a' and 'b' }} {{ 0 and 1 }} {{ none or 0 }}`, "x b 0 0"},
		{"in operator", `{{ 'a' in 'cat' }} {{ 2 in list }} {{ 'z' in d }} {{ 5 not in list }}`, "True True True True"},
		// round, int, float
		{"round half to even", `{{ 2.5|round }} {{ 3.5|round }} {{ 2.675|round(2) }} {{ 1.5|round(0, 'floor') }} {{ 7|round }} {{ 0.125|round(2) }}`, "2.0 4.0 2.67 1.0 7 0.12"},
		{"int and float filters", `{{ '42'|int }} {{ '4.7'|int }} {{ 'x'|int }} {{ 'x'|int(7) }} {{ 3.9|int }} {{ '3'|float }} {{ '0x1A'|int(0, 16) }}`, "42 4 0 7 3 3.0 26"},
		// default
		{"default keeps None", `{{ none|default('d') }} {{ missing|default('d') }} {{ none|default('d', true) }} {{ ''|d('e', true) }}`, "None d d e"},
		{"default of empty dict then items", `{% for k, v in (missing | default({})).items() %}{{ k }}{% endfor %}|{% for k, v in (d | default({})).items() %}{{ k }}={{ v }},{% endfor %}`, "|z=1,a=2,m=3,"},
		// dict order
		{"dict iteration in insertion order", `{% for k in d %}{{ k }}{% endfor %} {% for k, v in d.items() %}{{ k }}{{ v }}{% endfor %} {{ d.keys()|list }} {{ d.values()|list }}`, "zam z1a2m3 ['z', 'a', 'm'] [1, 2, 3]"},
		{"dict views print like Python", `{{ d.keys() }} {{ d.values() }} {{ empty.items() }}`, "dict_keys(['z', 'a', 'm']) dict_values([1, 2, 3]) dict_items([])"},
		{"dict literal keeps order", `{{ {'b': 1, 'a': 2} }} {{ dict(y=1, x=2) }}`, "{'b': 1, 'a': 2} {'y': 1, 'x': 2}"},
		{"dictsort", `{{ d|dictsort }} {{ d|dictsort(by='value', reverse=true) }}`, "[('a', 2), ('m', 3), ('z', 1)] [('m', 3), ('a', 2), ('z', 1)]"},
		// tojson
		{"tojson spacing and sorted keys", `{{ d|tojson }} {{ [1, 'a', none, true]|tojson }}`, `{"a": 2, "m": 3, "z": 1} [1, "a", null, true]`},
		{"tojson html-safe escapes", `{{ html|tojson }}`, `"\u003ca href=\u0027x\u0027\u003e\u0026\u003c/a\u003e"`},
		{"tojson non-ascii", `{{ uni|tojson }}`, `"h\u00e9llo \u2603 \ud83d\ude00"`},
		{"tojson indent", `{{ {'a': [1, 2], 'b': {}}|tojson(indent=2) }}`, "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}"},
		{"tojson floats", `{{ [1.0, 2.5, 1e20]|tojson }}`, "[1.0, 2.5, 1e+20]"},
		// tuple-unpacking set and for
		{"set tuple from split", `{% set a, b = s.split('=') %}{{ b }}{{ a }}`, "ba"},
		{"set parenthesised tuple", `{% set (a, b) = [1, 2] %}{{ a + b }}`, "3"},
		{"for with tuple target", `{% for a, (b, c) in [(1, (2, 3))] %}{{ a }}{{ b }}{{ c }}{% endfor %}`, "123"},
		{"set does not leak out of for", `{% set x = 1 %}{% for i in list %}{% set x = i %}{% endfor %}{{ x }}`, "1"},
		{"namespace carries out of loops", `{% set ns = namespace(total=0) %}{% for i in list %}{% set ns.total = ns.total + i %}{% endfor %}{{ ns.total }}`, "6"},
		{"set block", `{% set x %}a{{ n }}b{% endset %}[{{ x }}]`, "[a6b]"},
		// percent formatting
		{"percent s", `{{ '%s' % n }} {{ '%s-%s' % (1, 'a') }} {{ '%s' % none }} {{ '%s' % list }}`, "6 1-a None [3, 1, 2]"},
		{"percent numbers", `{{ '%05d|%-4d|%x|%.2f|%5.1f|%e|%g|%%' % (42, 7, 255, 3.14159, 2.25, 1234.5, 0.0001) }}`, "00042|7   |ff|3.14|  2.2|1.234500e+03|0.0001|%"},
		{"percent mapping", `{{ '%(a)s and %(b)r' % {'a': 1, 'b': 'x'} }}`, "1 and 'x'"},
		{"format filter", `{{ '%s=%d'|format('k', 3) }}`, "k=3"},
		{"str.format", `{{ '{}-{}'.format('a', 1) }} {{ '{0}{0}'.format('x') }} {{ '{:>5}|{:<3}|{:^5}|{:05.1f}|{:,}'.format('r', 'l', 'c', 3.14159, 1234567) }}`, "a-1 xx     r|l  |  c  |003.1|1,234,567"},
		// strings
		{"string methods", `{{ words.upper() }} {{ words.title() }} {{ '  x '.strip() }}|{{ 'a,b,,c'.split(',') }} {{ 'a  b'.split() }} {{ words.replace('l', 'L', 2) }} {{ words.startswith('he') }} {{ words[1:4] }} {{ words[::-1] }}`, "HELLO WORLD Hello World x|['a', 'b', '', 'c'] ['a', 'b'] heLLo world True ell dlrow olleh"},
		{"string filters", `{{ words|capitalize }} {{ words|title }} {{ 'x'|center(5) }}| {{ words|length }} {{ words|wordcount }} {{ ' a '|trim }} {{ words|replace('o', '0') }} {{ words|reverse }}`, "Hello world Hello World   x  | 11 2 a hell0 w0rld dlrow olleh"},
		{"truncate", `{{ 'abcdefghijklmnopqrstuvwxyz0123456789'|truncate(29, true, 'zzz', 0) }} {{ 'foo bar baz qux'|truncate(9) }} {{ 'short'|truncate(3, leeway=5) }}`, "abcdefghijklmnopqrstuvwxyzzzz foo... short"},
		{"indent", "{{ 'a\\nb\\n\\nc'|indent(2) }}|{{ 'a\\nb'|indent(2, true) }}|{{ 'a\\n\\nb'|indent(2, blank=true) }}", "a\n  b\n\n  c|  a\n  b|a\n  \n  b"},
		{"escape and safe", `{{ html|e }} {{ html|safe }}`, "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt; <a href='x'>&</a>"},
		{"lower upper", `{{ 'AbC'|lower }}{{ 'AbC'|upper }}{{ none|lower }}`, "abcABCnone"},
		// lists and filters
		{"list filters", `{{ list|sort }} {{ list|sort(reverse=true) }} {{ list|first }} {{ list|last }} {{ list|min }} {{ list|max }} {{ list|sum }} {{ list|join(',') }} {{ list|length }} {{ [1, 1, 2]|unique|list }}`, "[1, 2, 3] [3, 2, 1] 3 2 1 3 6 3,1,2 3 [1, 2]"},
		{"map select reject", `{{ ['a', 'B']|map('upper')|join }} {{ list|select('odd')|list }} {{ list|reject('odd')|list }} {{ [{'x': 1}, {'x': 2}]|map(attribute='x')|list }} {{ [{'x': 1}, {'x': 0}]|selectattr('x')|list }}`, "AB [3, 1] [2] [1, 2] [{'x': 1}]"},
		{"batch slice groupby", `{{ [1,2,3,4,5]|batch(2)|list }} {{ [1,2,3,4,5]|slice(2)|list }} {% for g in [{'k': 'b', 'v': 1}, {'k': 'a', 'v': 2}, {'k': 'b', 'v': 3}]|groupby('k') %}{{ g.grouper }}:{{ g.list|map(attribute='v')|join }};{% endfor %}`, "[[1, 2], [3, 4], [5]] [[1, 2, 3], [4, 5]] a:2;b:13;"},
		{"range", `{{ range(3)|list }} {{ range(1, 10, 3)|list }} {% for i in range(3) %}{{ i }}{% endfor %}`, "[0, 1, 2] [1, 4, 7] 012"},
		{"list methods", `{% set l = [1] %}{{ l.append(2) }}{{ l }} {{ l.index(2) }}`, "None[1, 2] 1"},
		// loop variable
		{"loop variable", `{% for x in 'abc' %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.first }}{{ loop.last }}{{ loop.length }}|{% endfor %}`, "103TrueFalse3|212FalseFalse3|321FalseTrue3|"},
		{"loop cycle and prev/next", `{% for x in [1,2,3] %}{{ loop.cycle('a','b') }}{{ loop.previtem }}{{ loop.nextitem }} {% endfor %}`, "a2 b13 a2 "},
		{"for else and filter", `{% for x in [] %}x{% else %}empty{% endfor %} {% for x in list if x > 1 %}{{ x }}{{ loop.length }}{% endfor %}`, "empty 3222"},
		{"recursive loop", `{% for n in [{'v': 1, 'c': [{'v': 2, 'c': []}]}] recursive %}{{ n.v }}({{ loop(n.c) }}){% endfor %}`, "1(2())"},
		{"loop changed", `{% for x in [1,1,2] %}{% if loop.changed(x) %}{{ x }}{% endif %}{% endfor %}`, "12"},
		// tests
		{"tests", `{{ missing is defined }} {{ n is defined }} {{ none is none }} {{ n is number }} {{ n is integer }} {{ f is float }} {{ s is string }} {{ d is mapping }} {{ list is sequence }} {{ n is divisibleby 3 }} {{ n is even }} {{ n is odd }} {{ 'a' is lower }} {{ n is eq 6 }} {{ n is not none }}`, "False True True True True True True True True True True False True True True"},
		// conditionals
		{"inline if", `{{ 'y' if t else 'n' }} {{ 'y' if none else 'n' }} [{{ 'y' if none }}] {{ 'a' if false else 'b' if t else 'c' }}`, "y n [] b"},
		{"if elif else", `{% if n > 10 %}big{% elif n > 5 %}mid{% else %}small{% endif %}`, "mid"},
		// whitespace control and data
		{"trim markers", "a  {%- if true -%}  b  {%- endif -%}  c\n{{- ' d ' -}}\n", "abc d "},
		{"trailing newline dropped once", "x\n\n", "x\n"},
		{"crlf normalised", "a\r\nb", "a\nb"},
		{"comments", "a{# comment #}b{#- x -#} c", "abc"},
		{"raw", `{% raw %}{{ not rendered }}{% endraw %}`, "{{ not rendered }}"},
		{"string escapes", `{{ 'a\nb' }}|{{ "tab\there" }}|{{ '\d' }}|{{ 'it\'s' }}|{{ '\u00e9' }}`, "a\nb|tab\there|\\d|it's|é"},
		{"expression spanning lines", "{{\n  {'a': 1}['a']\n  + 1 }}{% if n\nand t %}ok{% endif %}", "2ok"},
		// macros, call, with, filter blocks
		{"macro with defaults", `{% macro greet(name, greeting='Hello') %}{{ greeting }}, {{ name }}!{% endmacro %}{{ greet('Ann') }} {{ greet('Bob', greeting='Hi') }}`, "Hello, Ann! Hi, Bob!"},
		{"macro varargs kwargs", `{% macro m(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, x=4) }}`, "1(2, 3){'x': 4}"},
		{"call block", `{% macro wrap() %}<{{ caller() }}>{% endmacro %}{% call wrap() %}inner{% endcall %}`, "<inner>"},
		{"call block with args", `{% macro each(items) %}{% for i in items %}{{ caller(i) }}{% endfor %}{% endmacro %}{% call(x) each([1, 2]) %}[{{ x }}]{% endcall %}`, "[1][2]"},
		{"with", `{% with a = 1, b = n %}{{ a + b }}{% endwith %}{{ a }}`, "7"},
		{"filter block", `{% filter upper %}abc{{ n }}{% endfilter %}`, "ABC6"},
		{"attr access fallbacks", `{{ nested.inner.k }} {{ nested['inner']['k'] }} {{ list.0 }} {{ d.items|string|truncate(20, true, '') }}`, "v v 3 <built-in method ite"},
	}
	eng := New(Options{})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := mustRender(t, eng, c.src, ctx, nil)
			if err != nil {
				t.Fatalf("render %q: %v", c.src, err)
			}
			if got != c.want {
				t.Fatalf("render %q:\n got %q\nwant %q", c.src, got, c.want)
			}
		})
	}
}

// TestJinja2Errors checks templates on which Jinja2 itself fails.
func TestJinja2Errors(t *testing.T) {
	cases := []struct{ name, src, wantMsg string }{
		{"attribute of undefined", "line1\n{{ missing.attr }}", "'missing' is undefined"},
		{"attribute of missing attribute", "{{ d.nope.deeper }}", "'dict object' has no attribute 'nope'"},
		{"undefined in arithmetic", "{{ missing + 1 }}", "'missing' is undefined"},
		{"unknown filter", "{{ 1|nosuchfilter }}", "no filter named 'nosuchfilter'"},
		{"unknown test", "{{ 1 is nosuchtest }}", "no test named 'nosuchtest'"},
		{"unknown tag", "{% do x %}", "'do'"},
		{"unclosed if", "{% if true %}x", "expected 'elif' or 'else' or 'endif'"},
		{"unclosed string", "{{ 'abc }}", "syntax error"},
		{"type error", "{{ 'a' + 1 }}", `can only concatenate str (not "int") to str`},
		{"division by zero", "{{ 1 / 0 }}", "division by zero"},
		{"percent too few args", "{{ '%s %s' % 1 }}", "not enough arguments for format string"},
		{"percent too many args", "{{ '%s' % (1, 2) }}", "not all arguments converted during string formatting"},
		{"unpack mismatch", "{% set a, b = 'x=y=z'.split('=') %}", "too many values to unpack (expected 2)"},
		{"tojson undefined", "{{ missing|tojson }}", "Undefined is not JSON serializable"},
		{"missing include", "{% include 'nope.j2' %}", `template "nope.j2" not found`},
		{"calling a non-callable", "{{ d() }}", "'dict' object is not callable"},
		{"sanitize", "{{ 'a b'|proton_cfn_sanitize }}", `Illegal character(s) detected in "a b"`},
	}
	eng := New(Options{})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := mustRender(t, eng, c.src, `{"d": {"k": 1}}`, nil)
			if err == nil {
				t.Fatalf("render %q succeeded; Jinja2 fails", c.src)
			}
			var re *Error
			if !errors.As(err, &re) || re.File != "t.j2" {
				t.Fatalf("error %v is not a *render.Error for t.j2", err)
			}
			if !strings.Contains(re.Message, c.wantMsg) {
				t.Fatalf("message %q does not contain %q", re.Message, c.wantMsg)
			}
		})
	}
}

func TestErrorNamesFileAndLine(t *testing.T) {
	eng := New(Options{})
	_, err := mustRender(t, eng, "a\nb\n{% include 'inc.j2' %}", "", map[string]string{"inc.j2": "x\ny\n{{ missing.attr }}"})
	var re *Error
	if !errors.As(err, &re) {
		t.Fatalf("error %v is not a *render.Error", err)
	}
	if re.File != "inc.j2" || re.Line != 3 {
		t.Fatalf("error at %s:%d, want inc.j2:3 (%v)", re.File, re.Line, err)
	}
	if got := re.Error(); got != "inc.j2:3: undefined: 'missing' is undefined" {
		t.Fatalf("Error() = %q", got)
	}
	if got := (&Error{File: "f", Message: "m"}).Error(); got != "f: m" {
		t.Fatalf("Error() without line = %q", got)
	}
}

func TestIncludeImportExtends(t *testing.T) {
	eng := New(Options{})
	files := map[string]string{
		"inc.j2":    "[{{ x }}{{ n }}]",
		"macros.j2": "{% macro up(s) %}{{ s|upper }}{% endmacro %}{% set greeting = 'hi' %}",
		"base.j2":   "<{% block head %}H{% endblock %}|{% block body %}B{% endblock %}>",
		"sub/a.j2":  "A",
	}
	cases := []struct{ name, src, want string }{
		{"include sees context and locals", `{% for x in [1] %}{% include 'inc.j2' %}{% endfor %}`, "[16]"},
		{"include list and ignore missing", `{% include ['nope.j2', 'sub/a.j2'] %}{% include 'nope.j2' ignore missing %}`, "A"},
		{"import as", `{% import 'macros.j2' as m %}{{ m.up('a') }}{{ m.greeting }}`, "Ahi"},
		{"from import", `{% from 'macros.j2' import up as u, greeting %}{{ u('b') }}{{ greeting }}`, "Bhi"},
		{"extends with super", `{% extends 'base.j2' %}ignored{% block body %}b{{ super() }}{{ n }}{% endblock %}`, "<H|bB6>"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := mustRender(t, eng, c.src, `{"n": 6}`, files)
			if err != nil {
				t.Fatalf("render: %v", err)
			}
			if got != c.want {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
}

// TestProtonFilters checks the four Proton filters against the conformance README.
func TestProtonFilters(t *testing.T) {
	ctx := `{"o": {"B": "b-1", "Policy": "arn:aws:iam::123456789012:policy/p", "Count": 6, "Other": "arn:aws:s3:::bucket"}}`
	cases := []struct{ name, src, want string }{
		{"ecs env vars", `{{ o|proton_cfn_ecs_task_definition_formatted_env_vars }}`,
			"- {Name: B, Value: b-1}\n- {Name: Policy, Value: arn:aws:iam::123456789012:policy/p}\n- {Name: Count, Value: 6}\n- {Name: Other, Value: arn:aws:s3:::bucket}"},
		{"lambda env vars", `{{ o|proton_cfn_lambda_function_formatted_env_vars(raw=True) }}`,
			"B: b-1\nPolicy: arn:aws:iam::123456789012:policy/p\nCount: 6\nOther: arn:aws:s3:::bucket"},
		{"iam policy arns", `{{ o|proton_cfn_iam_policy_arns }}`, "- arn:aws:iam::123456789012:policy/p"},
		{"sanitize passes names and arns", `{{ 'ab_C-1'|proton_cfn_sanitize }} {{ o.Policy|proton_cfn_sanitize }}`, "ab_C-1 arn:aws:iam::123456789012:policy/p"},
		{"raw=False sanitizes values", `{{ {'A': 'x-1'}|proton_cfn_lambda_function_formatted_env_vars(raw=False) }}`, "A: x-1"},
	}
	eng := New(Options{})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := mustRender(t, eng, c.src, ctx, nil)
			if err != nil {
				t.Fatalf("render: %v", err)
			}
			if got != c.want {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
	if _, err := mustRender(t, eng, `{{ {'A': 'x y'}|proton_cfn_ecs_task_definition_formatted_env_vars(raw=False) }}`, "", nil); err == nil || !strings.Contains(err.Error(), "Illegal character(s) detected") {
		t.Fatalf("raw=False with an illegal value: err = %v", err)
	}
}

func TestFiltersArePerEngine(t *testing.T) {
	a := New(Options{})
	delete(a.filters, "proton_cfn_sanitize")
	b := New(Options{})
	if _, err := mustRender(t, b, `{{ 'x'|proton_cfn_sanitize }}`, "", nil); err != nil {
		t.Fatalf("another engine's filter set leaked: %v", err)
	}
}

func TestSandbox(t *testing.T) {
	t.Run("huge loop hits the deadline", func(t *testing.T) {
		eng := New(Options{Limits: Limits{Timeout: 50 * time.Millisecond, MaxIterations: 1 << 62}})
		_, err := mustRender(t, eng, `{% for i in range(10 ** 12) %}{% endfor %}`, "", nil)
		if err == nil || !strings.Contains(err.Error(), "render.Limits.Timeout") {
			t.Fatalf("err = %v, want the time limit", err)
		}
	})
	t.Run("context cancellation stops a render", func(t *testing.T) {
		eng := New(Options{})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		files := fstest.MapFS{"t.j2": {Data: []byte(`{% for i in range(10 ** 12) %}{% endfor %}`)}}
		_, err := eng.Render(ctx, files, "t.j2", nil)
		if err == nil || !strings.Contains(err.Error(), "cancel") {
			t.Fatalf("err = %v, want cancellation", err)
		}
	})
	t.Run("recursive macro stops", func(t *testing.T) {
		eng := New(Options{})
		_, err := mustRender(t, eng, `{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}`, "", nil)
		if err == nil || !strings.Contains(err.Error(), "recursion") {
			t.Fatalf("err = %v, want a recursion error", err)
		}
	})
	t.Run("output cap", func(t *testing.T) {
		eng := New(Options{Limits: Limits{MaxOutput: 100}})
		_, err := mustRender(t, eng, `{% for i in range(1000) %}xxxxxxxxxx{% endfor %}`, "", nil)
		if err == nil || !strings.Contains(err.Error(), "over the 100 bytes limit (render.Limits.MaxOutput)") {
			t.Fatalf("err = %v, want the output cap", err)
		}
		if _, err := mustRender(t, eng, `{{ 'x' * (10 ** 9) }}`, "", nil); err == nil {
			t.Fatal("a gigabyte string was built")
		}
	})
	t.Run("self include stops", func(t *testing.T) {
		eng := New(Options{})
		_, err := mustRender(t, eng, `{% include 't.j2' %}`, "", nil)
		if err == nil || !strings.Contains(err.Error(), "recursion") {
			t.Fatalf("err = %v, want a recursion error", err)
		}
	})
}

func TestCacheIsBounded(t *testing.T) {
	eng := New(Options{CacheEntries: 3})
	for i := 0; i < 10; i++ {
		if _, err := mustRender(t, eng, "v"+strings.Repeat("x", i), "", nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := eng.lru.Len(); n != 3 || len(eng.cache) != 3 {
		t.Fatalf("cache holds %d/%d entries, want 3", n, len(eng.cache))
	}
}

func TestMapAndDecodeJSON(t *testing.T) {
	v, err := DecodeJSON([]byte(`{"b": 1, "a": {"y": 2.50, "x": [1, 10000000000000000000000]}, "b": 3}`))
	if err != nil {
		t.Fatal(err)
	}
	m := v.(*Map)
	if got := strings.Join(m.Keys(), ","); got != "b,a" || m.Len() != 2 {
		t.Fatalf("keys %q, len %d", got, m.Len())
	}
	if b, _ := m.Get("b"); b.(interface{ String() string }).String() != "3" {
		t.Fatalf("b = %v, want the later 3", b)
	}
	out, err := m.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != `{"b":3,"a":{"y":2.50,"x":[1,10000000000000000000000]}}` {
		t.Fatalf("MarshalJSON = %s", out)
	}
	if _, err := DecodeJSON([]byte(`{"a": 1} x`)); err == nil {
		t.Fatal("trailing data accepted")
	}
	got, err := mustRender(t, New(Options{}), `{{ a.x[1] }} {{ a.y }}`, string(`{"a": {"y": 2.50, "x": [1, 10000000000000000000000]}}`), nil)
	if err != nil || got != "10000000000000000000000 2.5" {
		t.Fatalf("got %q, %v", got, err)
	}
	plain := NewMap()
	plain.Set("m", map[string]any{"b": 1, "a": 2})
	plain.Set("i", 3)
	r, err := New(Options{}).Render(context.Background(), fstest.MapFS{"t": {Data: []byte("{{ m }} {{ i }}")}}, "t", plain)
	if err != nil || r != "{'a': 2, 'b': 1} 3" {
		t.Fatalf("got %q, %v", r, err)
	}
}

// TestStrictMap: a key missing from a strict map fails the render where it would print,
// become a string, go through a filter other than default, or be iterated, naming the
// key, the file and the line; tests, default and if treat it as Jinja2's Undefined; a
// lenient map beside it still renders "" for a missing key.
func TestStrictMap(t *testing.T) {
	eng := New(Options{})
	render := func(src string) (string, error) {
		outputs := NewMap()
		outputs.Set("VpcId", "vpc-1")
		data := NewMap()
		data.Set("outputs", outputs.Strict("an output of customer-managed environment beta"))
		data.Set("lenient", NewMap())
		return eng.Render(context.Background(), fstest.MapFS{"t.j2": {Data: []byte(src)}}, "t.j2", data)
	}
	for _, c := range []struct{ name, src, want string }{
		{"present key", `{{ outputs.VpcId }} {{ outputs['VpcId'] }}`, "vpc-1 vpc-1"},
		{"default", `{{ outputs.Subnet | default('none') }} {{ outputs.Subnet | d('x') }}`, "none x"},
		{"tests", `{{ outputs.Subnet is defined }} {{ outputs.Subnet is undefined }}`, "False True"},
		{"if", `{% if outputs.Subnet %}yes{% else %}no{% endif %}`, "no"},
		{"lenient map", `[{{ lenient.Subnet }}]`, "[]"},
	} {
		if got, err := render(c.src); err != nil || got != c.want {
			t.Errorf("%s: %q, %v; want %q", c.name, got, err, c.want)
		}
	}
	for _, c := range []struct {
		name, src string
		line      int
	}{
		{"printed", "a\nSubnet: '{{ outputs.Subnet }}'", 2},
		{"printed by item", "{{ outputs['Subnet'] }}", 1},
		{"concatenated", "x\ny\n{{ 'subnet-' ~ outputs.Subnet }}", 3},
		{"filtered", "\n{{ outputs.Subnet | upper }}", 2},
		{"iterated", "{% for s in outputs.Subnet %}{{ s }}{% endfor %}", 1},
	} {
		_, err := render(c.src)
		var re *Error
		if !errors.As(err, &re) || re.File != "t.j2" || re.Line != c.line ||
			re.Message != "undefined: 'Subnet' is not an output of customer-managed environment beta" {
			t.Errorf("%s: %#v, want t.j2:%d naming the missing output", c.name, err, c.line)
		}
	}
}
