// Package blobdir keeps blobs (template bundles, rendered templates) as files under one
// directory: local mode's stand-in for the S3 bucket.
package blobdir

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Dir is a platform.Blobs on a directory.
type Dir struct{ root string }

var _ platform.Blobs = (*Dir)(nil)

// New returns the blob store rooted at root, creating the directory.
func New(root string) (*Dir, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, err
	}
	return &Dir{root: root}, nil
}

// path maps a key to a file, refusing keys that would leave the root.
func (d *Dir) path(key string) (string, error) {
	clean := filepath.ToSlash(filepath.Clean("/" + key))[1:]
	if key == "" || clean != key || strings.Contains(key, "\\") {
		return "", platform.Errorf(platform.Invalid, "blob key %q is not a clean relative path", key)
	}
	return filepath.Join(d.root, filepath.FromSlash(key)), nil
}

// Put writes the blob atomically (a reader never sees half of it).
func (d *Dir) Put(ctx context.Context, key string, body []byte) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	// The folder is made when it is missing, not checked first: a put into a folder that
	// exists costs no extra call.
	tmp, err := os.CreateTemp(filepath.Dir(p), ".put-*")
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		tmp, err = os.CreateTemp(filepath.Dir(p), ".put-*")
	}
	if err != nil {
		return err
	}
	if _, err := tmp.Write(body); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), p)
}

// Delete removes the blob's file; a missing one is no error. Folders left empty stay.
func (d *Dir) Delete(ctx context.Context, key string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// Get reads the blob; NotFound if there is none.
func (d *Dir) Get(ctx context.Context, key string) ([]byte, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, err
	}
	body, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, platform.Errorf(platform.NotFound, "blob %s not found", key)
	}
	return body, err
}
