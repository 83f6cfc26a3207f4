package statemachines

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"testing"

	"github.com/gantry-platform/gantry/internal/statemachine"
)

// TestDefinitionsParse checks every definition with the local runner's parser.
func TestDefinitionsParse(t *testing.T) {
	if _, err := statemachine.Parse(Deployment()); err != nil {
		t.Fatalf("deployment.asl.json: %v", err)
	}
	if _, err := statemachine.Parse(Sync()); err != nil {
		t.Fatalf("sync.asl.json: %v", err)
	}
}

// TestSubstitutionsCoverTheDefinition checks that DeploymentSubstitutions and
// SyncSubstitutions name exactly the ${...} placeholders of their definitions.
func TestSubstitutionsCoverTheDefinition(t *testing.T) {
	substitutionsCover(t, Deployment(), DeploymentSubstitutions())
	substitutionsCover(t, Sync(), SyncSubstitutions())
}

func substitutionsCover(t *testing.T, definition []byte, substitutions map[string]string) {
	t.Helper()
	var used []string
	seen := map[string]bool{}
	for _, m := range regexp.MustCompile(`\$\{([A-Za-z]+)\}`).FindAllSubmatch(definition, -1) {
		if name := string(m[1]); !seen[name] {
			seen[name] = true
			used = append(used, name)
		}
	}
	var declared []string
	for name := range substitutions {
		declared = append(declared, name)
	}
	sort.Strings(used)
	sort.Strings(declared)
	if len(used) != len(declared) {
		t.Fatalf("definition uses %v, substitutions declare %v", used, declared)
	}
	for i := range used {
		if used[i] != declared[i] {
			t.Fatalf("definition uses %v, substitutions declare %v", used, declared)
		}
	}
}

// TestASLValidator runs AWS's definition rules (npm asl-validator, installed by `npm ci`)
// over every definition, with the substitutions filled in as CDK would.
func TestASLValidator(t *testing.T) {
	bin, err := filepath.Abs("../node_modules/.bin/asl-validator")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("asl-validator is not installed (run `npm ci` at the repository root): %v", err)
	}
	files, err := filepath.Glob("*.asl.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no definitions found: %v", err)
	}
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		filled := regexp.MustCompile(`\$\{([A-Za-z]+)\}`).ReplaceAll(text, []byte("arn:aws:lambda:us-east-1:111122223333:function:gantry-$1"))
		if !json.Valid(filled) {
			t.Fatalf("%s is not JSON", f)
		}
		path := filepath.Join(t.TempDir(), f)
		if err := os.WriteFile(path, filled, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(bin, "--json-path", path).CombinedOutput()
		if err != nil {
			t.Errorf("asl-validator rejects %s: %v\n%s", f, err, out)
		}
	}
}
