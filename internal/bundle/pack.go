package bundle

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"
)

// Pack packs the files of fsys into the .tar.gz a registration takes, with fsys's root as
// the archive's root. Packing is deterministic — entries in fs.WalkDir's lexical order,
// directories before their contents, fixed modes and times — so the same files always
// make the same bytes, and the same digest (what registration's dedupe compares). It skips
// the files archivers add (.DS_Store, ._*) and fails on a link or special file, naming it
// as name(path) shows it.
func Pack(fsys fs.FS, name func(string) string) ([]byte, error) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	epoch := time.Unix(0, 0)
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == "." {
			return err
		}
		if base := path.Base(p); base == ".DS_Store" || strings.HasPrefix(base, "._") {
			return nil
		}
		if d.IsDir() {
			return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: p + "/", Mode: 0o755, ModTime: epoch})
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: not a regular file (links and special files cannot be part of a bundle)", name(p))
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: p, Mode: 0o644, Size: int64(len(data)), ModTime: epoch}); err != nil {
			return err
		}
		_, err = tw.Write(data)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// PackFiles packs files (slash-separated path → content) as Pack packs a directory
// holding them: the same files packed from disk or from a git tree make the same bytes.
func PackFiles(files map[string][]byte) ([]byte, error) {
	return Pack(memFS{files: files}, func(p string) string { return p })
}
