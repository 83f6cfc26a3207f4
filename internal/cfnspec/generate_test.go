package cfnspec

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

const (
	repoRoot    = "../.."
	specPackage = repoRoot + "/node_modules/@aws-cdk/aws-service-spec"
)

// TestEmbeddedSpecMatchesPinnedVersion checks that spec.txt.gz was distilled from the
// version of @aws-cdk/aws-service-spec that package.json pins.
func TestEmbeddedSpecMatchesPinnedVersion(t *testing.T) {
	manifest, err := os.ReadFile(filepath.Join(repoRoot, "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	var pkg struct {
		DevDependencies map[string]string `json:"devDependencies"`
	}
	if err := json.Unmarshal(manifest, &pkg); err != nil {
		t.Fatal(err)
	}
	pinned := pkg.DevDependencies["@aws-cdk/aws-service-spec"]
	if got := mustLoad(t).Version(); got != pinned {
		t.Fatalf("spec.txt.gz comes from @aws-cdk/aws-service-spec %s, package.json pins %s: run go generate ./internal/cfnspec", got, pinned)
	}
}

// TestEmbeddedSpecIsFresh regenerates the distilled specification from node_modules into
// a temporary directory, through the same command go generate runs, and compares it with
// the committed file. make test installs node_modules (npm ci) first, so a missing package
// is a failure.
func TestEmbeddedSpecIsFresh(t *testing.T) {
	if _, err := os.Stat(filepath.Join(specPackage, "db.json.gz")); err != nil {
		t.Fatalf("%v (run npm ci at the repository root first; make test does)", err)
	}
	out := filepath.Join(t.TempDir(), "spec.txt.gz")
	cmd := exec.Command("go", "run", "./gen", "-pkg", specPackage, "-out", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./gen: %v\n%s", err, msg)
	}
	fresh, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gunzip(t, fresh), gunzip(t, embedded)) {
		t.Fatal("spec.txt.gz is stale: run go generate ./internal/cfnspec and commit the result")
	}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := parse(embedded); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckConformanceSuite(b *testing.B) {
	spec, err := Load()
	if err != nil {
		b.Fatal(err)
	}
	templates := conformanceTemplates(b)
	for b.Loop() {
		for _, body := range templates {
			if _, err := spec.Check(body); err != nil {
				b.Fatal(err)
			}
		}
	}
}
