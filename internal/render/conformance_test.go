package render

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// conformanceCase is one entry of the Proton Jinja conformance suite's cases.json.
type conformanceCase struct {
	ID            string `json:"id"`
	TemplateDir   string `json:"template_dir"`
	Template      string `json:"template"`
	Context       string `json:"context"`
	Expected      string `json:"expected"`
	ExpectedError bool   `json:"expected_error"`
}

// conformanceDir locates ../shared/conformance/proton-jinja next to the repository root.
func conformanceDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("repository root (go.mod) not found")
		}
		dir = parent
	}
	suite := filepath.Join(dir, "..", "shared", "conformance", "proton-jinja")
	if _, err := os.Stat(filepath.Join(suite, "cases.json")); err != nil {
		t.Fatalf("conformance suite missing: %v", err)
	}
	return suite
}

type loadedCase struct {
	conformanceCase
	files    fs.FS
	data     *Map
	expected string
}

func loadConformance(t testing.TB) []loadedCase {
	t.Helper()
	suite := conformanceDir(t)
	raw, err := os.ReadFile(filepath.Join(suite, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []conformanceCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatalf("cases.json: %v", err)
	}
	if len(cases) == 0 {
		t.Fatal("cases.json holds no cases")
	}
	out := make([]loadedCase, 0, len(cases))
	for _, c := range cases {
		ctxJSON, err := os.ReadFile(filepath.Join(suite, c.Context))
		if err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		v, err := DecodeJSON(ctxJSON)
		if err != nil {
			t.Fatalf("%s: context: %v", c.ID, err)
		}
		data, ok := v.(*Map)
		if !ok {
			t.Fatalf("%s: context is not a JSON object", c.ID)
		}
		lc := loadedCase{conformanceCase: c, data: data}
		lc.files = os.DirFS(filepath.Join(suite, c.TemplateDir))
		if !c.ExpectedError {
			exp, err := os.ReadFile(filepath.Join(suite, c.Expected))
			if err != nil {
				t.Fatalf("%s: %v", c.ID, err)
			}
			lc.expected = string(exp)
		}
		out = append(out, lc)
	}
	return out
}

func TestConformance(t *testing.T) {
	eng := New(Options{})
	for _, c := range loadConformance(t) {
		t.Run(c.ID, func(t *testing.T) {
			got, err := eng.Render(context.Background(), c.files, c.Template, c.data)
			if c.ExpectedError {
				if err == nil {
					t.Fatalf("rendered without error; Jinja2 fails on this template")
				}
				var re *Error
				if !asError(err, &re) || re.File == "" || re.Message == "" {
					t.Fatalf("error %v (%T) is not a *render.Error naming the file", err, err)
				}
				t.Logf("error (as expected): %v", err)
				return
			}
			if err != nil {
				t.Fatalf("render: %v", err)
			}
			if got != c.expected {
				t.Fatalf("output differs from Jinja2's:\n%s", firstDiff(c.expected, got))
			}
		})
	}
}

func asError(err error, target **Error) bool {
	e, ok := err.(*Error)
	if ok {
		*target = e
	}
	return ok
}

// firstDiff describes where two outputs first differ.
func firstDiff(want, got string) string {
	wl := strings.Split(want, "\n")
	gl := strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g || i >= len(wl) || i >= len(gl) {
			return "line " + itoa(i+1) + ":\n  want " + quoteLine(w, i < len(wl)) + "\n  got  " + quoteLine(g, i < len(gl))
		}
	}
	return "(equal)"
}

func quoteLine(s string, present bool) string {
	if !present {
		return "<missing>"
	}
	return quotePy(s)
}

func itoa(i int) string { return pyStr(int64(i)) }

// TestConcurrentRenders shares one Engine (and its cache) between goroutines; run with
// -race to check the engine's synchronisation.
func TestConcurrentRenders(t *testing.T) {
	eng := New(Options{CacheEntries: 8})
	cases := loadConformance(t)
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func(g int) {
			for i := range cases {
				c := cases[(i+g*7)%len(cases)]
				got, err := eng.Render(context.Background(), c.files, c.Template, c.data)
				if c.ExpectedError != (err != nil) || (!c.ExpectedError && got != c.expected) {
					errs <- fmt.Errorf("%s: concurrent render differs (err %v)", c.ID, err)
					return
				}
			}
			errs <- nil
		}(g)
	}
	for g := 0; g < 4; g++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
