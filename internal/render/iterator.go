package render

import "fmt"

// iterator is a Python iterator that a filter returns instead of a list, as Jinja2's
// generator filters do (map, select, reject, selectattr, rejectattr, unique, batch, slice,
// items) and reverse of a sequence: it is true whatever it holds, has no len(), prints as
// "<generator object ...>", and is used up by the first iteration ({{ x|list }} twice gives
// the items, then []). Its items are computed when first needed, so a filter that fails on
// them fails there, and not at all if nothing reads them.
type iterator struct {
	typ     string // Python type: generator, list_reverseiterator, ...
	fn      string // the generator function, for the repr
	produce func() ([]any, error)
	items   []any
	pos     int
	started bool
}

// newGenerator returns a generator of the Jinja2 function fn whose items produce computes.
func newGenerator(fn string, produce func() ([]any, error)) *iterator {
	return &iterator{typ: "generator", fn: fn, produce: produce}
}

func (it *iterator) start() error {
	if it.started {
		return nil
	}
	it.started = true
	items, err := it.produce()
	it.produce = nil
	if err != nil {
		return err
	}
	it.items = items
	return nil
}

// rest returns the items not yet consumed and consumes them.
func (it *iterator) rest() ([]any, error) {
	if err := it.start(); err != nil {
		return nil, err
	}
	out := it.items[it.pos:]
	it.pos = len(it.items)
	return out, nil
}

// next consumes one item; ok is false when the iterator is exhausted.
func (it *iterator) next() (v any, ok bool, err error) {
	if err := it.start(); err != nil {
		return nil, false, err
	}
	if it.pos >= len(it.items) {
		return nil, false, nil
	}
	it.pos++
	return it.items[it.pos-1], true, nil
}

// repr is Python's repr of the iterator; the address is a stand-in.
func (it *iterator) repr() string {
	if it.fn != "" {
		return fmt.Sprintf("<%s object %s at 0x7f0000000000>", it.typ, it.fn)
	}
	return fmt.Sprintf("<%s object at 0x7f0000000000>", it.typ)
}

// reversedIterator is Python's reversed(v) for a sequence, a dict or a range; ok is false
// for values reversed() refuses (which Jinja2's reverse filter turns into a list).
func reversedIterator(v any) (*iterator, bool) {
	var items []any
	typ := ""
	switch x := v.(type) {
	case *list:
		if x.view != "" {
			return nil, false
		}
		items, typ = x.items, "list_reverseiterator"
	case tuple:
		items, typ = x, "reversed"
	case *Map:
		items, typ = x.keys, "dict_reversekeyiterator"
	case *rangeValue:
		all, _ := materialize(x)
		items, typ = all, "range_iterator"
	case *undefined:
		typ = "reversed" // Undefined has __len__ (0) and __getitem__
	default:
		return nil, false
	}
	src := items
	return &iterator{typ: typ, produce: func() ([]any, error) {
		out := make([]any, len(src))
		for i, e := range src {
			out[len(src)-1-i] = e
		}
		return out, nil
	}}, true
}
