package apiclient

import (
	"os"
	"path/filepath"

	"github.com/gantry-platform/gantry/internal/bundle"
)

// BundleArchive returns the bundle at p as the .tar.gz the API registers: the file's bytes
// when p is a file (a .tar.gz made elsewhere), or, when p is a directory, its files packed
// in memory with the directory as the archive's root. Packing is deterministic (files in
// lexical order, fixed modes and times), skips the files archivers add (.DS_Store, ._*)
// and fails on a link or special file, naming it.
func BundleArchive(p string) ([]byte, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return os.ReadFile(p)
	}
	return bundle.Pack(os.DirFS(p), func(rel string) string { return filepath.Join(p, filepath.FromSlash(rel)) })
}
