package apimodel

import (
	"encoding/json"
	"fmt"

	"github.com/gantry-platform/gantry/internal/platform"
)

// OutputValues are the outputs of a customer-managed environment as given: output name to
// value, each value a string. Decoding anything else is an Invalid error naming
// outputs.NAME.
type OutputValues map[string]string

// UnmarshalJSON decodes a JSON object of strings; null leaves the outputs out.
func (o *OutputValues) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return platform.FieldErrorf("outputs", "must be an object of output names to string values")
	}
	if raw == nil {
		*o = nil
		return nil
	}
	out := make(OutputValues, len(raw))
	for name, value := range raw {
		var s string
		if err := json.Unmarshal(value, &s); err != nil {
			return platform.FieldErrorf("outputs."+name, "must be a string, not %s", jsonKind(value))
		}
		out[name] = s
	}
	*o = out
	return nil
}

// jsonKind names the kind of a JSON value for error messages.
func jsonKind(v json.RawMessage) string {
	var x any
	_ = json.Unmarshal(v, &x)
	switch x.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", x)
}
