package apiclient

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
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
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	epoch := time.Unix(0, 0)
	err = filepath.WalkDir(p, func(file string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(p, file)
		if err != nil || rel == "." {
			return err
		}
		name := filepath.ToSlash(rel)
		if base := path.Base(name); base == ".DS_Store" || strings.HasPrefix(base, "._") {
			return nil
		}
		if d.IsDir() {
			return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: 0o755, ModTime: epoch})
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: not a regular file (links and special files cannot be part of a bundle)", file)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(data)), ModTime: epoch}); err != nil {
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
