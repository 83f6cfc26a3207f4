package terraform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// The files Proton writes beside a Terraform bundle's own.
const (
	TFVarsFile    = "proton.auto.tfvars.json"
	VariablesFile = "proton.variables.tf"
)

// Field is one member of a JSON object, in order.
type Field struct {
	Key   string
	Value any // string, json.RawMessage, []Field (an object), []any (an array), nil
}

// Object builds an ordered JSON object.
func Object(fields ...Field) []Field { return fields }

// EnvironmentTFVars is proton.auto.tfvars.json of an environment: its name and inputs
// (a JSON object, in the order given).
func EnvironmentTFVars(name string, inputs json.RawMessage) ([]byte, error) {
	in, err := orderedObject(inputs)
	if err != nil {
		return nil, err
	}
	return TFVars(Object(Field{"environment", Object(Field{"name", name}, Field{"inputs", in})})), nil
}

// TFVars writes doc as Proton did: Jackson's default pretty printer (two-space indent,
// `"key" : value`, empty objects `{ }`, arrays on one line `[ a, b ]`), then a newline.
func TFVars(doc []Field) []byte {
	var b bytes.Buffer
	writeValue(&b, doc, 0)
	b.WriteByte('\n')
	return b.Bytes()
}

func writeValue(w *bytes.Buffer, v any, depth int) {
	switch v := v.(type) {
	case []Field:
		if len(v) == 0 {
			w.WriteString("{ }")
			return
		}
		w.WriteByte('{')
		for i, f := range v {
			if i > 0 {
				w.WriteByte(',')
			}
			w.WriteByte('\n')
			w.WriteString(strings.Repeat("  ", depth+1))
			writeString(w, f.Key)
			w.WriteString(" : ")
			writeValue(w, f.Value, depth+1)
		}
		w.WriteByte('\n')
		w.WriteString(strings.Repeat("  ", depth))
		w.WriteByte('}')
	case []any:
		if len(v) == 0 {
			w.WriteString("[ ]")
			return
		}
		w.WriteString("[ ")
		for i, item := range v {
			if i > 0 {
				w.WriteString(", ")
			}
			writeValue(w, item, depth)
		}
		w.WriteString(" ]")
	case string:
		writeString(w, v)
	case json.RawMessage:
		w.Write(v)
	case nil:
		w.WriteString("null")
	default:
		panic(fmt.Sprintf("terraform: cannot write %T", v))
	}
}

func writeString(w *bytes.Buffer, s string) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	w.Truncate(w.Len() - 1) // Encode's newline
}

// orderedObject decodes a JSON object keeping its members' order; nested objects and
// arrays keep theirs, scalars stay as written.
func orderedObject(raw json.RawMessage) ([]Field, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return []Field{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	v, err := decodeOrdered(dec)
	if err != nil {
		return nil, fmt.Errorf("terraform: inputs: %w", err)
	}
	obj, ok := v.([]Field)
	if !ok {
		return nil, fmt.Errorf("terraform: inputs must be a JSON object")
	}
	return obj, nil
}

func decodeOrdered(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			fields := []Field{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeOrdered(dec)
				if err != nil {
					return nil, err
				}
				fields = append(fields, Field{Key: k.(string), Value: v})
			}
			_, err := dec.Token()
			return fields, err
		case '[':
			items := []any{}
			for dec.More() {
				v, err := decodeOrdered(dec)
				if err != nil {
					return nil, err
				}
				items = append(items, v)
			}
			_, err := dec.Token()
			return items, err
		}
	case string:
		return t, nil
	case json.Number:
		return json.RawMessage(t.String()), nil
	case bool:
		return json.RawMessage(fmt.Sprint(t)), nil
	case nil:
		return nil, nil
	}
	return nil, io.ErrUnexpectedEOF
}
