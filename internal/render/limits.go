package render

import (
	"fmt"
	"math/big"
	"time"
)

// Limits bound one render: whatever a template does, it cannot make the process use more
// than a bounded amount of memory and time. Every limit is checked inside the evaluator
// before the value that would break it is allocated, and a violation stops the render
// with a *LimitError naming the file, the line and the limit. A zero field takes its
// default.
type Limits struct {
	// MaxOutput bounds the rendered text, and everything being rendered at once (the
	// output plus macro bodies and blocks being captured), in bytes. Default 5 MiB
	// (CloudFormation itself accepts template bodies of at most 1 MB).
	MaxOutput int
	// MaxString bounds every string an expression builds (an operator, a filter, a
	// method, a format), in bytes. Default 1 MiB; at most 16 MiB.
	MaxString int
	// MaxItems bounds every list, tuple, dict or range an expression builds or
	// materialises. Default 1,000,000 items.
	MaxItems int
	// MaxIntDigits bounds integers, in decimal digits (integers that fit in 64 bits are
	// always allowed). Default 4300 (Python's own limit for converting an int to a
	// string).
	MaxIntDigits int
	// MaxAllocated bounds the bytes of strings and items a render builds in total, so
	// values kept in variables cannot pile up. Default 64 MiB.
	MaxAllocated int64
	// MaxIterations bounds the iterations of all for loops of a render together.
	// Default 1,000,000.
	MaxIterations int64
	// MaxDepth bounds recursion (macro and caller calls, includes, imports, extends,
	// recursive loops, blocks) and the nesting of statements and expressions in a
	// template's source; 8 × MaxDepth bounds the statements, expressions and calls being
	// evaluated one inside another, so the Go stack stays bounded. Default 400.
	MaxDepth int
	// Timeout bounds a render's wall time. Default 5s.
	Timeout time.Duration
}

// Default limits; see Limits.
const (
	DefaultMaxOutput     = 5 << 20
	DefaultMaxString     = 1 << 20
	DefaultMaxItems      = 1_000_000
	DefaultMaxIntDigits  = 4300
	DefaultMaxAllocated  = 64 << 20
	DefaultMaxIterations = 1_000_000
	DefaultMaxDepth      = 400
	DefaultTimeout       = 5 * time.Second
	// reprCeiling bounds repr() and str() of containers where no render's limits are at
	// hand (messages); MaxString may not exceed it.
	reprCeiling = 16 << 20
)

// withDefaults returns l with every zero (or negative) field set to its default.
func (l Limits) withDefaults() Limits {
	orDefault(&l.MaxOutput, DefaultMaxOutput)
	orDefault(&l.MaxString, DefaultMaxString)
	l.MaxString = min(l.MaxString, reprCeiling)
	orDefault(&l.MaxItems, DefaultMaxItems)
	orDefault(&l.MaxIntDigits, DefaultMaxIntDigits)
	orDefault(&l.MaxAllocated, DefaultMaxAllocated)
	orDefault(&l.MaxIterations, DefaultMaxIterations)
	orDefault(&l.MaxDepth, DefaultMaxDepth)
	orDefault(&l.Timeout, DefaultTimeout)
	return l
}

func orDefault[T int | int64 | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// LimitError is a render stopped by one of its Limits. The *Error a render returns wraps
// it (errors.As finds it).
type LimitError struct {
	// Limit is the name of the Limits field that stopped the render, e.g. "MaxString".
	Limit string
	// Detail says what would have happened, e.g. "a string would be 1099511627776
	// bytes, over the 1 MiB limit".
	Detail string
}

// Error returns "rendering stopped: <detail> (render.Limits.<limit>)".
func (e *LimitError) Error() string {
	return "rendering stopped: " + e.Detail + " (render.Limits." + e.Limit + ")"
}

// stop records the first limit a render broke and returns it. The render stops at its
// next statement even if the caller's error is lost on the way (a filter that reports
// its own message, a value used anyway).
func (r *renderer) stop(limit, format string, args ...any) error {
	if r.stopped == nil {
		r.stopped = &LimitError{Limit: limit, Detail: fmt.Sprintf(format, args...)}
	}
	return r.stopped
}

// sizeString writes n bytes the way the messages do: "1 MiB", "1099511627776 bytes".
func sizeString(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// checkString fails if a string of n bytes is over MaxString; call it before building
// the string.
func (r *renderer) checkString(n int64) error {
	if n > int64(r.lim.MaxString) || n < 0 {
		if n < 0 { // an overflowing size computation
			return r.stop("MaxString", "a string would be over %s, the limit", sizeString(int64(r.lim.MaxString)))
		}
		return r.stop("MaxString", "a string would be %d bytes, over the %s limit", n, sizeString(int64(r.lim.MaxString)))
	}
	return nil
}

// checkItems fails if a list, tuple, dict or range of n items is over MaxItems; call it
// before building the sequence.
func (r *renderer) checkItems(n int64) error {
	if n > int64(r.lim.MaxItems) || n < 0 {
		return r.stop("MaxItems", "a sequence would have %d items, over the limit of %d", n, r.lim.MaxItems)
	}
	return nil
}

// checkIntBits fails if an integer of bits bits is over MaxIntDigits.
func (r *renderer) checkIntBits(bits int64) error {
	// digits = ceil(bits * log10(2)); 30103/100000 is log10(2) rounded up enough.
	if digits := bits*30103/100000 + 1; bits > 0 && digits > int64(r.lim.MaxIntDigits) {
		return r.stop("MaxIntDigits", "an integer would have about %d digits, over the limit of %d", digits, r.lim.MaxIntDigits)
	}
	return nil
}

// checkInt fails if v is an integer over MaxIntDigits.
func (r *renderer) checkInt(v any) error {
	if b, ok := v.(*big.Int); ok {
		return r.checkIntBits(int64(b.BitLen()))
	}
	return nil
}

// What MaxAllocated counts for an item of a list or tuple and an entry of a dict: their
// slots and a boxed value (a dict also has its index).
const (
	itemBytes  = 32
	entryBytes = 160
	listBytes  = 128 // a list of its own
)

// charge counts bytes a render built against MaxAllocated.
func (r *renderer) charge(n int64) error {
	r.allocated += n
	if r.allocated > r.lim.MaxAllocated {
		return r.stop("MaxAllocated", "the render built %d bytes of values in total, over the %s limit", r.allocated, sizeString(r.lim.MaxAllocated))
	}
	return nil
}

// account checks and charges a value an operator, filter, method or function returned:
// a string is bounded by MaxString, a sequence by MaxItems, an integer by MaxIntDigits.
// Their sizes were checked before building where they can grow past what their inputs
// hold; this is the net behind those checks and the count for MaxAllocated.
func (r *renderer) account(v any) error {
	switch x := v.(type) {
	case string:
		if len(x) < 64 {
			return nil
		}
		if err := r.checkString(int64(len(x))); err != nil {
			return err
		}
		return r.charge(int64(len(x)))
	case markup:
		if err := r.checkString(int64(len(x))); err != nil {
			return err
		}
		return r.charge(int64(len(x)))
	case *list:
		if err := r.checkItems(int64(len(x.items))); err != nil {
			return err
		}
		return r.charge(itemBytes * int64(len(x.items)))
	case tuple:
		if err := r.checkItems(int64(len(x))); err != nil {
			return err
		}
		return r.charge(itemBytes * int64(len(x)))
	case *Map:
		if err := r.checkItems(int64(len(x.keys))); err != nil {
			return err
		}
		return r.charge(entryBytes * int64(len(x.keys)))
	case *big.Int:
		return r.checkInt(x)
	}
	return nil
}

// str is pyStr bounded by MaxString: the str() of a container is built only up to the
// limit.
func (r *renderer) str(v any) (string, error) {
	if err := strictErr(v); err != nil {
		return "", err
	}
	switch v.(type) {
	case *list, tuple, *Map, *groupTuple, *namespace:
	default:
		return pyStr(v), nil
	}
	return r.repr(v)
}

// repr is pyRepr bounded by MaxString.
func (r *renderer) repr(v any) (string, error) {
	s := reprBounded(v, r.lim.MaxString)
	if len(s) > r.lim.MaxString {
		return "", r.stop("MaxString", "a string would be over %s, the limit", sizeString(int64(r.lim.MaxString)))
	}
	return s, nil
}
