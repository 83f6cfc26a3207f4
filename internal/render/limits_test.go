package render

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// hostileCase is a template written to exhaust memory or time, and the limit that must
// stop it at the given line.
type hostileCase struct {
	name  string
	src   string
	limit string
	line  int
}

func repeatSrc(s string, n int) string { return strings.Repeat(s, n) }

// hostileCases are the expressions of issue 10 and more: each would allocate gigabytes
// or run for hours without its limit.
var hostileCases = []hostileCase{
	{"percent star width", "a\n{{ '%*d' % (2**40, 1) }}", "MaxString", 2},
	{"percent star width left aligned", "{{ '%-*s' % (2**40, 'x') }}", "MaxString", 1},
	{"percent star precision", "{{ '%.*f' % (2**40, 1.5) }}", "MaxString", 1},
	{"percent literal width", "{{ '%099999999999d' % 1 }}", "MaxString", 1},
	{"percent of a concatenation", "{{ '%s' % ('x' * 600000 ~ 'x' * 600000) }}", "MaxString", 1},
	{"percent result", "{{ '%s%s' % ('x' * 600000, 'y' * 600000) }}", "MaxString", 1},
	{"format filter width", "{{ '%*s'|format(2**40, 'x') }}", "MaxString", 1},
	{"string times n", "{{ 'x' * 2**40 }}", "MaxString", 1},
	{"list times n", "{{ [1] * 2**40 }}", "MaxItems", 1},
	{"tuple times n", "{{ (1, 2) * 10**7 }}", "MaxItems", 1},
	{"string plus string", "{{ 'a' * 600000 + 'b' * 600000 }}", "MaxString", 1},
	{"list plus list", "{{ [0] * 600000 + [0] * 600000 }}", "MaxItems", 1},
	{"replace filter", "{{ ('x' * 2000)|replace('x', 'y' * 2000) }}", "MaxString", 1},
	{"replace empty with big", "{{ 'abc'|replace('', 'z' * 1000000) }}", "MaxString", 1},
	{"str.replace", "{{ 'aa'.replace('a', 'b' * 600000) }}", "MaxString", 1},
	{"str.expandtabs", "{{ ('\\t' * 200000).expandtabs() }}", "MaxString", 1},
	{"center filter", "{{ 'a'|center(2**40) }}", "MaxString", 1},
	{"str.ljust", "{{ 'a'.ljust(2**40) }}", "MaxString", 1},
	{"str.center with a wide fill", "{{ ''.center(1000000, 'é') }}", "MaxString", 1},
	{"str.zfill", "{{ '1'.zfill(2**40) }}", "MaxString", 1},
	{"indent width", "{{ 'a\\nb'|indent(10**12) }}", "MaxString", 1},
	{"indent of many lines", "{{ ('\\n' * 100000)|indent(100, true, true) }}", "MaxString", 1},
	{"wordwrap", "{{ ('a ' * 100000)|wordwrap(1, wrapstring='x' * 1000) }}", "MaxString", 1},
	{"join filter", "{{ (['x' * 100000] * 100)|join }}", "MaxString", 1},
	{"str.join", "{{ '-'.join(['x' * 100000] * 100) }}", "MaxString", 1},
	{"str.format nested width", "{{ '{:>{}}'.format('a', 2**40) }}", "MaxString", 1},
	{"str.format width", "{{ '{:>99999999999}'.format('a') }}", "MaxString", 1},
	{"str.format precision", "{{ '{:.99999999999f}'.format(1.5) }}", "MaxString", 1},
	{"print a huge list", "{% set l = ['x' * 1000000] * 1000000 %}\n{{ l }}", "MaxString", 2},
	{"tojson of a huge list", "{% set l = ['x' * 1000000] * 1000000 %}{{ l|tojson }}", "MaxString", 1},
	{"pprint of a huge list", "{% set l = ['x' * 1000000] * 1000000 %}{{ l|pprint }}", "MaxString", 1},
	{"string of a huge list", "{% set l = ['x' * 1000000] * 1000000 %}{{ l|string|length }}", "MaxString", 1},
	{"concatenating a huge list", "{% set l = ['x' * 1000000] * 1000000 %}{{ (l ~ '')|length }}", "MaxString", 1},
	{"range materialised", "{{ range(2**62)|list }}", "MaxItems", 1},
	{"loop over a huge range", "{% for i in range(2**62) %}{% endfor %}", "MaxIterations", 1},
	{"nested loops 10^4 x 10^4", "{% for i in range(10000) %}\n{% for j in range(10000) %}{% endfor %}{% endfor %}", "MaxIterations", 2},
	{"power tower", "{{ 2 ** (2 ** 40) }}", "MaxIntDigits", 1},
	{"big power", "{{ 10 ** 5000 }}", "MaxIntDigits", 1},
	{"big product", "{% set a = 10 ** 4000 %}{{ a * a }}", "MaxIntDigits", 1},
	{"repeated squaring", "{% set ns = namespace(n=3) %}{% for i in range(100) %}{% set ns.n = ns.n * ns.n %}{% endfor %}", "MaxIntDigits", 1},
	{"int of a long string", "{{ ('9' * 1000000)|int }}", "MaxIntDigits", 1},
	{"recursive macro", "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}\n{{ f(0) }}", "MaxDepth", 1},
	{"exponential macro", "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(40) }}", "MaxIterations", 1},
	{"self include", "x\n{% include 'cloudformation.yaml' %}", "MaxDepth", 2},
	{"deep brackets", "{{ " + repeatSrc("[", 100000) + repeatSrc("]", 100000) + " }}", "MaxDepth", 1},
	{"deep unary minus", "{{ " + repeatSrc("-", 100000) + "1 }}", "MaxDepth", 1},
	{"long operator chain", "\n{{ 1" + repeatSrc(" + 1", 5000) + " }}", "MaxDepth", 2},
	{"long filter chain", "{{ 'a'" + repeatSrc("|upper", 5000) + " }}", "MaxDepth", 1},
	{"recursion through deep nesting", "{% macro f(n) %}" + repeatSrc("{% if true %}", 300) + "{{ f(n - 1) }}" + repeatSrc("{% endif %}", 300) + "{% endmacro %}{{ f(399) }}", "MaxDepth", 1},
	{"deep if nesting", repeatSrc("{% if true %}", 5000) + repeatSrc("{% endif %}", 5000), "MaxDepth", 1},
	{"doubling in a set loop", "{% set ns = namespace(s='x' * 1000) %}{% for i in range(100000) %}\n{% set ns.s = ns.s ~ ns.s %}{% endfor %}", "MaxString", 2},
	{"appending distinct big strings", "{% set l = [] %}{% for i in range(1000) %}{% set _ = l.append('x' * 500000 ~ i) %}{% endfor %}", "MaxAllocated", 1},
	{"growing a dict", "{% set d = {} %}{% for i in range(10) %}{% set _ = d.update(range(i * 400000, (i + 1) * 400000)|batch(2)) %}{% endfor %}", "MaxAllocated", 1},
	{"map of a growing filter", "{% set l = ['x' * 1000000] * 1000000 %}{{ l|map('upper')|list|length }}", "MaxAllocated", 1},
	{"many slices", "{{ range(3)|slice(1000000)|list|length }}", "MaxAllocated", 1},
	{"sum of lists", "{{ ([[0] * 1000] * 100000)|sum(start=[])|length }}", "MaxAllocated", 1},
	{"comparing lists that hold themselves", "{% set l = [] %}{% set m = [] %}{% set _ = l.append(l) %}{% set _ = m.append(m) %}\n{{ l == m }}", "MaxDepth", 2},
	{"sorting lists that hold themselves", "{% set l = [] %}{% set m = [] %}{% set _ = l.append(l) %}{% set _ = m.append(m) %}\n{{ [l, m]|sort }}", "MaxDepth", 2},
	{"comparing deeply nested lists", "{% set ns = namespace(x=[], y=[]) %}{% for i in range(5000) %}{% set ns.x = [ns.x] %}{% set ns.y = [ns.y] %}{% endfor %}{{ ns.x in [ns.y] }}", "MaxDepth", 1},
	{"keeping batches", "{% set keep = [] %}{% for i in range(1000) %}{% set _ = keep.append(range(1)|batch(1000000, 'x')|list) %}{% endfor %}", "MaxAllocated", 1},
	{"keeping groups", "{% set big = range(1000000)|list %}{% set keep = [] %}{% for i in range(1000) %}{% set _ = keep.append(big|groupby('real')|list) %}{% endfor %}", "MaxAllocated", 1},
	{"output", "{% for i in range(100000) %}{{ 'x' * 100 }}{% endfor %}", "MaxOutput", 1},
	{"captured output", "{% macro m() %}{% for i in range(60000) %}{{ 'x' * 100 }}{% endfor %}{% endmacro %}{% set s = m() %}", "MaxOutput", 1},
}

// renderHostile renders src as cloudformation.yaml with the default limits.
func renderHostile(eng *Engine, src string) (string, error) {
	files := fstest.MapFS{"cloudformation.yaml": {Data: []byte(src)}}
	return eng.Render(context.Background(), files, "cloudformation.yaml", nil)
}

func TestHostileTemplatesStopAtTheirLimit(t *testing.T) {
	// The wall-time limit is lifted: each case must be stopped by its own limit however
	// slow a loaded machine is (the Timeout limit has its own test below).
	eng := New(Options{Limits: Limits{Timeout: time.Hour}})
	for _, c := range hostileCases {
		t.Run(c.name, func(t *testing.T) {
			_, err := renderHostile(eng, c.src)
			var le *LimitError
			if !errors.As(err, &le) {
				t.Fatalf("err = %v, want a *LimitError", err)
			}
			if le.Limit != c.limit {
				t.Fatalf("stopped by %s (%v), want %s", le.Limit, err, c.limit)
			}
			var re *Error
			if !errors.As(err, &re) {
				t.Fatalf("err = %T, want a *render.Error", err)
			}
			prefix := fmt.Sprintf("cloudformation.yaml:%d: rendering stopped: ", c.line)
			suffix := fmt.Sprintf(" (render.Limits.%s)", c.limit)
			if msg := err.Error(); !strings.HasPrefix(msg, prefix) || !strings.HasSuffix(msg, suffix) {
				t.Fatalf("message %q, want %q...%q", msg, prefix, suffix)
			}
		})
	}
}

func TestLimitMessage(t *testing.T) {
	_, err := renderHostile(New(Options{}), "Resources:\n  X: {{ '%*d' % (2**40, 1) }}\n")
	want := "cloudformation.yaml:2: rendering stopped: a string would be 1099511627776 bytes, over the 1 MiB limit (render.Limits.MaxString)"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant  %s", err, want)
	}
}

// The memory bounds of a render under the default limits (README, "Rendering limits"):
// the heap it holds at any moment stays under hostileHeapBound — MaxAllocated (64 MiB)
// for the values it keeps, plus what a limit lets through before it trips (the 5 MiB
// output, one value over MaxString, buffers doubling as they grow) and the garbage the
// collector has not reclaimed yet — and all it allocates, reclaimed or not, stays under
// hostileAllocBound (1,000,000 loop iterations and calls, each allocating a little).
const (
	hostileHeapBound  = 256 << 20
	hostileAllocBound = 1 << 30
)

// TestHostileTemplatesMemoryBound renders every hostile case with the default limits and
// asserts the Go heap, stacks included, stayed under hostileHeapBound (sampled with
// runtime/metrics while the render runs) and the bytes allocated under hostileAllocBound (from MemStats).
func TestHostileTemplatesMemoryBound(t *testing.T) {
	eng := New(Options{})
	var before, after runtime.MemStats
	worstHeap, worstAlloc := uint64(0), uint64(0)
	for _, c := range hostileCases {
		runtime.GC()
		runtime.ReadMemStats(&before)
		var err error
		peak := peakHeapDuring(func() { _, err = renderHostile(eng, c.src) })
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Fatalf("%s: rendered without a limit error", c.name)
		}
		allocated := after.TotalAlloc - before.TotalAlloc
		worstHeap, worstAlloc = max(worstHeap, peak), max(worstAlloc, allocated)
		if peak > hostileHeapBound {
			t.Errorf("%s: the heap reached %d MiB, over the %d MiB bound", c.name, peak>>20, hostileHeapBound>>20)
		}
		if allocated > hostileAllocBound {
			t.Errorf("%s: allocated %d MiB, over the %d MiB bound", c.name, allocated>>20, hostileAllocBound>>20)
		}
	}
	t.Logf("%d hostile templates: peak heap %d MiB, most allocated by one %d MiB", len(hostileCases), worstHeap>>20, worstAlloc>>20)
}

// peakHeapDuring runs fn and returns the largest heap (live and not yet collected
// objects, and goroutine stacks) seen while it ran, sampled every 200µs and once at the
// end.
func peakHeapDuring(fn func()) uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/stacks:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() + sample[1].Value.Uint64() }
	stop, done := make(chan struct{}), make(chan uint64)
	go func() {
		peak := read()
		tick := time.NewTicker(200 * time.Microsecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				done <- max(peak, read())
				return
			case <-tick.C:
				peak = max(peak, read())
			}
		}
	}()
	fn()
	close(stop)
	return <-done
}

// TestLimitsAreConfigurable sets each limit low and renders one template just at it
// (which passes) and one just past it (which stops with that limit).
func TestLimitsAreConfigurable(t *testing.T) {
	for _, c := range []struct {
		limits   Limits
		at, past string
		limit    string
	}{
		{Limits{MaxString: 10}, "{{ 'x' * 10 }}", "{{ 'x' * 11 }}", "MaxString"},
		{Limits{MaxItems: 4}, "{{ [1, 2] * 2 }}", "{{ [1, 2] * 3 }}", "MaxItems"},
		{Limits{MaxIterations: 5}, "{% for i in [1, 2, 3, 4, 5] %}{% endfor %}", "{% for i in [1, 2, 3, 4, 5, 6] %}{% endfor %}", "MaxIterations"},
		{Limits{MaxIterations: 2}, "{{ 'a'.upper().lower() }}", "{{ 'a'.upper().lower().upper() }}", "MaxIterations"},
		{Limits{MaxDepth: 3}, "{{ [[1]] }}", "{{ [[[1]]] }}", "MaxDepth"},
		{Limits{MaxDepth: 4}, "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(2) }}", "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(3) }}", "MaxDepth"},
		{Limits{MaxIntDigits: 25}, "{{ 10 ** 24 }}", "{{ 10 ** 25 }}", "MaxIntDigits"},
		{Limits{MaxIntDigits: 25}, "{{ 10 ** 12 * 10 ** 12 }}", "{{ 10 ** 12 * 10 ** 13 }}", "MaxIntDigits"},
		{Limits{MaxOutput: 25}, "{% for i in [1, 2, 3, 4, 5] %}xxxxx{% endfor %}", "{% for i in [1, 2, 3, 4, 5] %}xxxxx{% endfor %}x", "MaxOutput"},
		{Limits{MaxAllocated: 1000}, "{{ ('x' * 1000)|length }}", "{{ ('x' * 1001)|length }}", "MaxAllocated"},
	} {
		eng := New(Options{Limits: c.limits})
		if _, err := renderHostile(eng, c.at); err != nil {
			t.Errorf("%+v %s: %v, want no error at the limit", c.limits, c.at, err)
		}
		var le *LimitError
		if _, err := renderHostile(eng, c.past); !errors.As(err, &le) || le.Limit != c.limit {
			t.Errorf("%+v %s: err = %v, want %s", c.limits, c.past, err, c.limit)
		}
	}
	slow := New(Options{Limits: Limits{Timeout: 20 * time.Millisecond}})
	_, err := renderHostile(slow, "{% for i in range(10**6) %}{{ ('x' * 100000)|replace('x', 'y')|length }}{% endfor %}")
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != "Timeout" {
		t.Fatalf("err = %v, want the Timeout limit", err)
	}
}

func TestLimitsDefaults(t *testing.T) {
	got := Limits{}.withDefaults()
	want := Limits{MaxOutput: 5 << 20, MaxString: 1 << 20, MaxItems: 1_000_000, MaxIntDigits: 4300,
		MaxAllocated: 64 << 20, MaxIterations: 1_000_000, MaxDepth: 400, Timeout: 5 * time.Second}
	if got != want {
		t.Fatalf("defaults %+v, want %+v", got, want)
	}
	if l := (Limits{MaxString: 1 << 30}).withDefaults(); l.MaxString != reprCeiling {
		t.Fatalf("MaxString %d, want it capped at %d", l.MaxString, reprCeiling)
	}
}

// BenchmarkHostileTemplates reports how long each hostile template runs, and how much it
// allocates, before its limit stops it (make bench runs each once).
func BenchmarkHostileTemplates(b *testing.B) {
	eng := New(Options{})
	for _, c := range hostileCases {
		b.Run(strings.ReplaceAll(c.name, " ", "_"), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := renderHostile(eng, c.src); err == nil {
					b.Fatal("rendered without a limit error")
				}
			}
		})
	}
}

// TestValuesThatHoldThemselves renders what Python renders for a list that holds itself,
// without recursing for ever: equal to itself (Python's identity shortcut), printed and
// pretty-printed to a bounded depth.
func TestValuesThatHoldThemselves(t *testing.T) {
	eng := New(Options{})
	cyclic := "{% set l = [] %}{% set _ = l.append(l) %}{% set d = {} %}{% set _ = d.update({'d': d}) %}"
	for src, want := range map[string]string{
		cyclic + "{{ l == l }} {{ d == d }} {{ l in [l] }} {{ [l, l]|sort|length }}":    "True True True 2",
		cyclic + "{{ (l|string).startswith('[[[[') }} {{ (l|pprint|length) < 100000 }}": "True True",
	} {
		got, err := renderHostile(eng, src)
		if err != nil || got != want {
			t.Errorf("%s = %q, %v; want %q", src, got, err, want)
		}
	}
}
