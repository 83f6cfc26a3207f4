package schema

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/render"
)

const conformance = "../../../shared/conformance/proton-jinja/bundles"

const testSchema = `schema:
  format:
    openapi: "3.0.0"
  service_input_type: "ServiceInput"
  pipeline_input_type: "PipelineInput"
  types:
    ServiceInput:
      type: object
      properties:
        port:
          type: number
          default: 80
          minimum: 1
          maximum: 65535
        size:
          type: string
          enum: [small, large]
          default: small
        name:
          type: string
          pattern: "^[a-z]+$"
          minLength: 2
          maxLength: 5
        public:
          type: boolean
          default: false
        ratio:
          type: number
          default: 0.5
        count:
          type: integer
          default: 3
        tags:
          type: array
          items:
            type: object
            properties:
              key:
                type: string
              value:
                type: string
                default: "none"
        db:
          type: object
          properties:
            engine:
              type: string
              default: postgres
            storage:
              type: integer
              default: 20
              minimum: 20
      required:
        - name
    PipelineInput:
      type: object
      properties:
        dockerfile:
          type: string
          default: Dockerfile
`

func mustParse(t *testing.T, src string) *Schema {
	t.Helper()
	s, err := Parse([]byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return s
}

func mustInputs(t *testing.T, src string) *render.Map {
	t.Helper()
	m, err := ParseInstanceSpec([]byte(src), "")
	if err != nil {
		t.Fatalf("ParseInstanceSpec: %v", err)
	}
	return m
}

func toJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestValidateAppliesDefaultsInSchemaOrder(t *testing.T) {
	s := mustParse(t, testSchema)
	in := mustInputs(t, "db: {storage: 40}\nname: abc\ntags: [{key: a}, {key: b, value: c}]\n")
	out, err := s.Validate(ServiceInputs, in, "")
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	want := `{"port":80,"size":"small","name":"abc","public":false,"ratio":0.5,"count":3,` +
		`"tags":[{"key":"a","value":"none"},{"key":"b","value":"c"}],"db":{"engine":"postgres","storage":40}}`
	if got := toJSON(t, out); got != want {
		t.Errorf("inputs\n got %s\nwant %s", got, want)
	}
}

func TestValidateKeepsIntegers(t *testing.T) {
	s := mustParse(t, testSchema)
	out, err := s.Validate(ServiceInputs, mustInputs(t, "name: ab\nport: 8080\nratio: 2.0\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	port, _ := out.Get("port")
	if port != json.Number("8080") {
		t.Errorf("port = %#v, want json.Number 8080", port)
	}
	ratio, _ := out.Get("ratio")
	if ratio != json.Number("2.0") {
		t.Errorf("ratio = %#v, want json.Number 2.0", ratio)
	}
}

func TestValidateReportsEveryProblemWithItsField(t *testing.T) {
	s := mustParse(t, testSchema)
	cases := []struct {
		name, inputs, field, message string
	}{
		{"minimum", "name: ab\nport: 0", "instances[0].spec.port", "must be >= 1"},
		{"maximum", "name: ab\nport: 70000", "instances[0].spec.port", "must be <= 65535"},
		{"enum", "name: ab\nsize: huge", "instances[0].spec.size", `must be one of "small", "large"`},
		{"pattern", "name: AB", "instances[0].spec.name", `must match pattern "^[a-z]+$"`},
		{"minLength", "name: a", "instances[0].spec.name", "must be at least 2 characters long"},
		{"maxLength", "name: abcdef", "instances[0].spec.name", "must be at most 5 characters long"},
		{"required", "port: 8", "instances[0].spec.name", "is required"},
		{"unknown input", "name: ab\nprot: 8", "instances[0].spec.prot", "is not an input of the schema"},
		{"boolean", "name: ab\npublic: 'yes'", "instances[0].spec.public", "must be a boolean, got string"},
		{"integer", "name: ab\ncount: 1.5", "instances[0].spec.count", "must be an integer, got number"},
		{"number type", "name: ab\nport: '80'", "instances[0].spec.port", "must be a number, got string"},
		{"array item", "name: ab\ntags: [{key: 1}]", "instances[0].spec.tags[0].key", "must be a string, got number"},
		{"nested", "name: ab\ndb: {storage: 10}", "instances[0].spec.db.storage", "must be >= 20"},
		{"nested unknown", "name: ab\ndb: {engin: x}", "instances[0].spec.db.engin", "is not an input of the schema"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.Validate(ServiceInputs, mustInputs(t, c.inputs), "instances[0].spec")
			var pe *platform.Error
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *platform.Error", err)
			}
			if pe.Kind != platform.Invalid || pe.Field != c.field || pe.Message != c.message {
				t.Errorf("got kind %s field %q message %q\nwant field %q message %q", pe.Kind, pe.Field, pe.Message, c.field, c.message)
			}
		})
	}
	_, err := s.Validate(ServiceInputs, mustInputs(t, "port: 0\nsize: huge"), "spec")
	want := `spec.name: is required; spec.port: must be >= 1; spec.size: must be one of "small", "large"`
	if err == nil || err.Error() != want {
		t.Errorf("all problems:\n got %v\nwant %s", err, want)
	}
}

func TestValidateWithoutDeclaredType(t *testing.T) {
	s := mustParse(t, testSchema)
	if out, err := s.Validate(EnvironmentInputs, nil, "spec"); err != nil || out.Len() != 0 {
		t.Errorf("empty inputs: %v %v", out, err)
	}
	_, err := s.Validate(EnvironmentInputs, mustInputs(t, "a: 1"), "spec")
	if err == nil || !strings.Contains(err.Error(), "spec.a: is not an input of the schema") {
		t.Errorf("err = %v", err)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"syntax", "schema:\n  format:\n    openapi: \"3.0.0\"\n  types: [\n", "line 4"},
		{"no schema key", "types: {}\n", `missing top-level key "schema"`},
		{"no openapi", "schema:\n  types: {}\n", "missing schema.format.openapi"},
		{"unknown type name", "schema:\n  format: {openapi: 3.0.0}\n  service_input_type: X\n  types: {}\n", `names type "X"`},
		{"bad type", "schema:\n  format: {openapi: 3.0.0}\n  types:\n    X:\n      type: strin\n", "line 5: types.X.type must be one of"},
		{"bad pattern", "schema:\n  format: {openapi: 3.0.0}\n  types:\n    X:\n      type: string\n      pattern: '('\n", "line 6: types.X.pattern"},
		{"unsupported keyword", "schema:\n  format: {openapi: 3.0.0}\n  types:\n    X:\n      oneOf: []\n", `line 5: types.X: unsupported keyword "oneOf"`},
		{"required not a property", "schema:\n  format: {openapi: 3.0.0}\n  types:\n    X:\n      type: object\n      required: [a]\n", `required names "a"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.src))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to contain %q", err, c.want)
			}
			if platform.KindOf(err) != platform.Invalid {
				t.Errorf("kind = %s, want invalid", platform.KindOf(err))
			}
		})
	}
}

// TestParseConformanceSchemas parses every schema of the public Proton bundles.
func TestParseConformanceSchemas(t *testing.T) {
	var n int
	err := filepath.WalkDir(conformance, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Name() != "schema.yaml" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		if _, err := Parse(data); err != nil {
			t.Errorf("%s: %v", path, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 40 {
		t.Fatalf("found %d schemas under %s, want the conformance bundles", n, conformance)
	}
}

func TestSampleInputs(t *testing.T) {
	s := mustParse(t, testSchema)
	in, filled := s.SampleInputs(ServiceInputs)
	if strings.Join(filled, ",") != "name" {
		t.Errorf("filled = %v, want [name]", filled)
	}
	if _, err := s.Validate(ServiceInputs, in, ""); err != nil {
		t.Errorf("placeholders do not validate: %v", err)
	}
}

func TestBadDefaultIsLintedAndLeftAlone(t *testing.T) {
	s := mustParse(t, "schema:\n  format: {openapi: 3.0.0}\n  service_input_type: X\n  types:\n    X:\n      type: object\n      properties:\n        m:\n          type: string\n          enum: [GET, POST]\n          default: get\n")
	lint := s.Lint()
	if len(lint) != 1 || !strings.Contains(lint[0], `line 11: types.X.properties.m.default does not satisfy its type: must be one of "GET", "POST"`) {
		t.Errorf("Lint = %q", lint)
	}
	out, err := s.Validate(ServiceInputs, nil, "")
	if err != nil {
		t.Fatalf("a bad default must not fail the caller: %v", err)
	}
	if got := toJSON(t, out); got != `{"m":"get"}` {
		t.Errorf("inputs = %s", got)
	}
	if _, err := s.Validate(ServiceInputs, mustInputs(t, "m: put"), "spec"); err == nil || err.Error() != `spec.m: must be one of "GET", "POST"` {
		t.Errorf("err = %v", err)
	}
}
