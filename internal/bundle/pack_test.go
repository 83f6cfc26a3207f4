package bundle_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/bundle"
)

// The same files packed from disk or from memory (as a git tree gives them) make the
// same bytes, whatever order they are listed in; a change of one byte makes others.
func TestPackFilesIsPackOfTheSameDirectory(t *testing.T) {
	dir := filepath.Join("..", "..", "templates", "services", "lambda-function", "v1")
	fromDisk, err := bundle.Pack(os.DirFS(dir), func(p string) string { return p })
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	err = fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(os.DirFS(dir), p)
		files[p] = b
		return err
	})
	if err != nil || len(files) < 2 {
		t.Fatalf("reading %s: %d files, %v", dir, len(files), err)
	}
	fromMemory, err := bundle.PackFiles(files)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fromDisk, fromMemory) {
		t.Fatal("packing the same files from memory made other bytes than from disk")
	}
	if _, err := bundle.LoadTarGz(bytes.NewReader(fromMemory), bundle.ProtonLimits); err != nil {
		t.Fatalf("the packed bundle does not load: %v", err)
	}
	for name := range files {
		if strings.HasSuffix(name, ".yaml") {
			files[name] = append(bytes.Clone(files[name]), '\n')
			break
		}
	}
	changed, err := bundle.PackFiles(files)
	if err != nil || bytes.Equal(changed, fromMemory) {
		t.Fatalf("a changed file packs to the same bytes (%v)", err)
	}
}
