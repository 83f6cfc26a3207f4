package cfnspec

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// conformanceDir holds real public Proton templates, rendered; every one deployed.
const conformanceDir = "../../../shared/conformance/proton-jinja/expected"

func conformanceTemplates(t testing.TB) map[string][]byte {
	t.Helper()
	dir := conformanceDir
	if env := os.Getenv("GANTRY_CONFORMANCE_DIR"); env != "" {
		dir = filepath.Join(env, "expected")
	}
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if !isCloudFormation(body) {
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		out[rel] = body
		return nil
	})
	if err != nil {
		t.Fatalf("conformance suite: %v", err)
	}
	if len(out) == 0 {
		t.Fatalf("conformance suite: no templates under %s", dir)
	}
	return out
}

// isCloudFormation tells CloudFormation templates from other rendered files (build specs,
// manifests): a template has a Resources section.
func isCloudFormation(body []byte) bool {
	s := string(body)
	return strings.Contains(s, "\nResources:") || strings.HasPrefix(s, "Resources:") || strings.Contains(s, `"Resources"`)
}

func TestConformanceTemplatesHaveNoProblems(t *testing.T) {
	spec := mustLoad(t)
	templates := conformanceTemplates(t)
	for name, body := range templates {
		problems, err := spec.Check(body)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		for _, p := range problems {
			t.Errorf("%s:%d: %s", name, p.Line, p)
		}
	}
	t.Logf("checked %d templates", len(templates))
}

func mustLoad(t testing.TB) *Spec {
	t.Helper()
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return s
}
