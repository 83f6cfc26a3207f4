package render

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// jinja2Case is one entry of testdata/jinja2_cases.json. "want" and "error" were written
// by Python Jinja2 itself (testdata/jinja2_oracle.py): the output, or the exception it
// raised for a template it fails on.
type jinja2Case struct {
	Name     string            `json:"name"`
	Template string            `json:"template"`
	Context  json.RawMessage   `json:"context"`
	Files    map[string]string `json:"files"`
	Want     *string           `json:"want"`
	Error    string            `json:"error"`
	// ErrorContains, set by hand, replaces the gist of Jinja2's message when this
	// package words the error differently (syntax errors).
	ErrorContains string `json:"error_contains"`
}

// TestJinja2Cases renders each case and compares byte for byte with Jinja2's output; for
// a case Jinja2 fails on, the render must fail too, naming the same problem.
func TestJinja2Cases(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "jinja2_cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []jinja2Case
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatalf("jinja2_cases.json: %v", err)
	}
	if len(cases) == 0 {
		t.Fatal("jinja2_cases.json holds no cases")
	}
	eng := New(Options{})
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.Name] {
			t.Fatalf("duplicate case name %q", c.Name)
		}
		seen[c.Name] = true
		t.Run(c.Name, func(t *testing.T) {
			ctx := string(c.Context)
			if ctx == "" || ctx == "null" {
				ctx = "{}"
			}
			got, err := mustRender(t, eng, c.Template, ctx, c.Files)
			if c.Want == nil {
				if c.Error == "" {
					t.Fatal("case has neither want nor error: run testdata/jinja2_oracle.py")
				}
				if err == nil {
					t.Fatalf("rendered %q; Jinja2 fails with %s", got, c.Error)
				}
				want := c.ErrorContains
				if want == "" {
					want = jinja2ErrorGist(c.Error)
				}
				if !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(want)) {
					t.Fatalf("error %q does not say %q (Jinja2: %s)", err, want, c.Error)
				}
				return
			}
			if err != nil {
				t.Fatalf("render %q: %v", c.Template, err)
			}
			if got != *c.Want {
				t.Fatalf("render %q:\n got %q\nwant %q", c.Template, got, *c.Want)
			}
		})
	}
}

// jinja2ErrorGist is the part of a Jinja2 exception message a render error must contain:
// the message without the exception type and Jinja2's trailing period.
func jinja2ErrorGist(e string) string {
	_, msg, ok := strings.Cut(e, ": ")
	if !ok {
		msg = e
	}
	return strings.TrimSuffix(msg, ".")
}
