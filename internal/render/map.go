package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"sort"
)

// Map is an ordered mapping that keeps keys in first-insertion order, like a Python dict.
// It is the object type of render contexts and of dicts built by templates. The zero value
// is not ready for use: call NewMap. A Map is not safe for concurrent mutation.
type Map struct {
	keys  []any
	index map[any]int
	vals  []any
	// strict names what the map holds when it is strict (see Strict); "" when lenient.
	strict string
}

// NewMap returns an empty Map.
func NewMap() *Map {
	return &Map{index: map[any]int{}}
}

// Strict makes m strict and returns it. A key missing from a strict map (m.KEY, m['KEY'])
// is an undefined value, as in any map, that is "defined" for the tests (is defined, is
// undefined), default and if; but printing it, making a string of it, passing it to
// another filter or iterating it fails the render (an *Error naming the file and line,
// with the message "undefined: 'KEY' is not " + what), where Jinja2's lenient Undefined
// would give "" or nothing. what names what the map holds, e.g. "an output of environment
// beta". Copies a template makes of m (dict(m), filters) are lenient.
func (m *Map) Strict(what string) *Map {
	m.strict = what
	return m
}

// Set sets key to value. A new key goes last; an existing key keeps its position.
func (m *Map) Set(key string, value any) { m.set(key, value) }

// Get returns the value of key and whether the key is present.
func (m *Map) Get(key string) (any, bool) { return m.get(key) }

// Keys returns the keys in insertion order (non-string keys a template built, such as
// integers, are given in their Python str() form).
func (m *Map) Keys() []string {
	out := make([]string, len(m.keys))
	for i, k := range m.keys {
		if s, ok := k.(string); ok {
			out[i] = s
		} else {
			out[i] = pyStr(k)
		}
	}
	return out
}

// Len returns the number of keys.
func (m *Map) Len() int { return len(m.keys) }

// MarshalJSON encodes the Map as a JSON object with its keys in insertion order.
func (m *Map) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range m.keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		ks, ok := k.(string)
		if !ok {
			ks = pyStr(k)
		}
		kb, err := json.Marshal(ks)
		if err != nil {
			return nil, err
		}
		buf.Write(kb)
		buf.WriteByte(':')
		vb, err := json.Marshal(jsonExport(m.vals[i]))
		if err != nil {
			return nil, err
		}
		buf.Write(vb)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// jsonExport turns internal values into something encoding/json encodes faithfully.
func jsonExport(v any) any {
	switch x := v.(type) {
	case *list:
		return x.items
	case tuple:
		return []any(x)
	case markup:
		return string(x)
	case *undefined:
		return nil
	}
	return v
}

// set sets key to value; an equal key already present (1 for True or 1.0) keeps its
// original form, as in Python.
func (m *Map) set(key, value any) {
	h := hashKey(key)
	if i, ok := m.index[h]; ok {
		m.vals[i] = value
		return
	}
	m.index[h] = len(m.keys)
	m.keys = append(m.keys, key)
	m.vals = append(m.vals, value)
}

func (m *Map) get(key any) (any, bool) {
	i, ok := m.index[hashKey(key)]
	if !ok {
		return nil, false
	}
	return m.vals[i], true
}

func (m *Map) delete(key any) (any, bool) {
	h := hashKey(key)
	i, ok := m.index[h]
	if !ok {
		return nil, false
	}
	v := m.vals[i]
	m.keys = append(m.keys[:i], m.keys[i+1:]...)
	m.vals = append(m.vals[:i], m.vals[i+1:]...)
	delete(m.index, h)
	for j := i; j < len(m.keys); j++ {
		m.index[hashKey(m.keys[j])] = j
	}
	return v, true
}

func (m *Map) copyMap() *Map {
	c := &Map{index: make(map[any]int, len(m.keys)), keys: append([]any(nil), m.keys...), vals: append([]any(nil), m.vals...)}
	for i, k := range c.keys {
		c.index[hashKey(k)] = i
	}
	return c
}

// compositeKey is the index key of a tuple or a big integer (by repr), kept apart from
// strings with the same text.
type compositeKey struct{ repr string }

// hashKey normalises a key the way Python hashing equates them: 1, 1.0 and True are one key.
func hashKey(k any) any {
	switch x := k.(type) {
	case bool:
		if x {
			return int64(1)
		}
		return int64(0)
	case int:
		return int64(x)
	case float64:
		if x == float64(int64(x)) {
			return int64(x)
		}
	case markup:
		return string(x)
	case tuple:
		return compositeKey{repr: pyRepr(x)}
	case *big.Int:
		return compositeKey{repr: x.String()}
	}
	return k
}

// DecodeJSON decodes JSON keeping object key order (objects become *Map) and numbers exact
// (json.Number). It fails on malformed JSON or trailing data.
func DecodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeJSONValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("decode JSON: unexpected data after the top-level value")
	}
	return v, nil
}

func decodeJSONValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("decode JSON: %w", err)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			m := NewMap()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, fmt.Errorf("decode JSON: %w", err)
				}
				key, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("decode JSON: object key is not a string")
				}
				v, err := decodeJSONValue(dec)
				if err != nil {
					return nil, err
				}
				m.Set(key, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, fmt.Errorf("decode JSON: %w", err)
			}
			return m, nil
		case '[':
			items := []any{}
			for dec.More() {
				v, err := decodeJSONValue(dec)
				if err != nil {
					return nil, err
				}
				items = append(items, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, fmt.Errorf("decode JSON: %w", err)
			}
			return items, nil
		}
		return nil, fmt.Errorf("decode JSON: unexpected %v", t)
	default:
		return tok, nil
	}
}

// sortedKeys returns the keys of a Go map in sorted order (contexts may hold map[string]any).
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
