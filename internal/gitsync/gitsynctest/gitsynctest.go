// Package gitsynctest makes real git repositories for tests: a bare repository on disk
// (the "remote" Gantry follows) and a working copy that commits and pushes to it, all
// with go-git.
package gitsynctest

import (
	"io/fs"
	"os"
	"path"
	"testing"
	"time"

	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"
)

// Remote is a bare repository in a test's temporary directory and a working copy that
// pushes to it.
type Remote struct {
	// Dir is the bare repository's path: the URL Gantry is given.
	Dir  string
	work *git.Repository
	when time.Time
}

// NewRemote makes an empty bare repository and a working copy of it.
func NewRemote(t testing.TB) *Remote {
	t.Helper()
	return NewRemoteAt(t, t.TempDir())
}

// NewRemoteAt makes an empty bare repository at dir (created when missing) and a working
// copy of it.
func NewRemoteAt(t testing.TB, dir string) *Remote {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := git.PlainInit(dir, true); err != nil {
		t.Fatal(err)
	}
	work, err := git.Init(memory.NewStorage(), memfs.New())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := work.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{dir}}); err != nil {
		t.Fatal(err)
	}
	return &Remote{Dir: dir, work: work, when: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

// Commit writes files (path → content; a nil content removes the file) on branch (made
// from the current head when new), commits them with message and pushes the branch. It
// returns the commit id.
func (r *Remote) Commit(t testing.TB, branch, message string, files map[string][]byte) string {
	t.Helper()
	wt, err := r.work.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	ref := plumbing.NewBranchReferenceName(branch)
	if head, err := r.work.Head(); err == nil {
		opts := &git.CheckoutOptions{Branch: ref, Force: true}
		if _, err := r.work.Reference(ref, false); err != nil {
			opts.Create, opts.Hash = true, head.Hash()
		}
		if err := wt.Checkout(opts); err != nil {
			t.Fatalf("checkout %s: %v", branch, err)
		}
	} else if err := r.work.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, ref)); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if content == nil {
			if _, err := wt.Remove(name); err != nil {
				t.Fatalf("remove %s: %v", name, err)
			}
			continue
		}
		if err := wt.Filesystem.MkdirAll(path.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		f, err := wt.Filesystem.OpenFile(name, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(content); err != nil {
			t.Fatal(err)
		}
		f.Close()
		if _, err := wt.Add(name); err != nil {
			t.Fatal(err)
		}
	}
	r.when = r.when.Add(time.Minute)
	sig := &object.Signature{Name: "Test", Email: "test@example.com", When: r.when}
	h, err := wt.Commit(message, &git.CommitOptions{Author: sig, Committer: sig, AllowEmptyCommits: true})
	if err != nil {
		t.Fatal(err)
	}
	spec := config.RefSpec("+" + ref.String() + ":" + ref.String())
	if err := r.work.Push(&git.PushOptions{RemoteName: "origin", RefSpecs: []config.RefSpec{spec}}); err != nil && err != git.NoErrAlreadyUpToDate {
		t.Fatalf("push %s: %v", branch, err)
	}
	return h.String()
}

// Files reads a directory of the host file system into a map for Commit, under prefix.
func Files(t testing.TB, dir, prefix string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	fsys := os.DirFS(dir)
	err := walk(fsys, ".", func(name string, b []byte) { out[path.Join(prefix, name)] = b })
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func walk(fsys fs.FS, root string, visit func(name string, b []byte)) error {
	return fs.WalkDir(fsys, root, func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, name)
		if err == nil {
			visit(name, b)
		}
		return err
	})
}
