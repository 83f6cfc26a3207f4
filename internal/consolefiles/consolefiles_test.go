package consolefiles

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestAssetExtensionsAreSorted(t *testing.T) {
	if !slices.IsSorted(AssetExtensions) {
		t.Fatalf("AssetExtensions %v must be sorted: IsFile searches them", AssetExtensions)
	}
}

var cases = map[string]bool{
	"/":                                  false,
	"/environments/dev":                  false,
	"/templates/service/s3/versions/1.0": false,
	"/callback":                          false,
	"/index.html":                        true,
	"/assets/index-ab12.js":              true,
	"/assets/font":                       true,
	"/favicon.svg":                       true,
	"/console-config.json":               true,
	"/a/b.woff2":                         true,
	"/a/b.woff2x":                        false,
}

func TestIsFile(t *testing.T) {
	for p, want := range cases {
		if got := IsFile(p); got != want {
			t.Errorf("IsFile(%q) = %v, want %v", p, got, want)
		}
	}
}

// TestViewerRequestFunctionAppliesTheSameRule runs the CloudFront function's code under
// Node (CloudFront's runtime is a JavaScript subset Node runs unchanged) on every case.
func TestViewerRequestFunctionAppliesTheSameRule(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is required (make deps installs the Node tools): ", err)
	}
	var script strings.Builder
	script.WriteString(ViewerRequestFunction())
	script.WriteString("const cases = process.argv.slice(2);\nfor (const uri of cases) console.log(handler({request: {uri}}).uri);\n")
	file := filepath.Join(t.TempDir(), "fn.js")
	if err := os.WriteFile(file, []byte(script.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for p := range cases {
		paths = append(paths, p)
	}
	cmd := exec.Command(node, append([]string{file}, paths...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	got := strings.Split(strings.TrimSpace(string(out)), "\n")
	for i, p := range paths {
		want := "/index.html"
		if cases[p] {
			want = p
		}
		if got[i] != want {
			t.Errorf("the CloudFront function rewrites %q to %q, want %q", p, got[i], want)
		}
	}
}
