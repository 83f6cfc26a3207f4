package gitprovider

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Change is one commit Gantry pushes to a new branch of a repository: the files of Dir
// replaced by Files (paths relative to Dir), or Dir removed when Files is nil.
type Change struct {
	// URL is the git remote (a path for a local bare repository) and Auth its
	// credentials (nil for none).
	URL  string
	Auth transport.AuthMethod
	// Base is the branch the change starts from; Branch the new branch pushed.
	Base   string
	Branch string
	Dir    string
	Files  map[string][]byte
	// Message is the commit message; When its time.
	Message string
	When    time.Time
}

// Pushed is what Push did: the commit on Branch, or NoChanges when Base already held
// exactly the change (nothing was pushed).
type Pushed struct {
	Commit    string
	NoChanges bool
}

// Push clones Base, applies the change on a new branch, commits and pushes it (replacing a
// branch of that name: pushing the same change again is harmless). Errors: Invalid when
// Base does not exist or Dir is not a relative path; Internal for git failures.
func Push(ctx context.Context, c Change) (Pushed, error) {
	dir := path.Clean(c.Dir)
	if c.Dir == "" || path.IsAbs(dir) || dir == "." || strings.HasPrefix(dir, "..") {
		return Pushed{}, platform.Errorf(platform.Invalid, "gitprovider: %q is not a folder inside the repository", c.Dir)
	}
	fs := memfs.New()
	repo, err := git.CloneContext(ctx, memory.NewStorage(), fs, &git.CloneOptions{URL: c.URL, Auth: c.Auth,
		ReferenceName: plumbing.NewBranchReferenceName(c.Base), SingleBranch: true, Depth: 1})
	if err != nil {
		if errors.Is(err, transport.ErrEmptyRemoteRepository) || isNoMatchingRef(err) {
			return Pushed{}, platform.Errorf(platform.Invalid, "branch %s of %s does not exist: the provisioning repository needs it to open pull requests against", c.Base, c.URL)
		}
		return Pushed{}, fmt.Errorf("gitprovider: clone %s: %w", c.URL, err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		return Pushed{}, err
	}
	if err := wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName(c.Branch), Create: true}); err != nil {
		return Pushed{}, fmt.Errorf("gitprovider: branch %s: %w", c.Branch, err)
	}
	if err := removeAll(fs, dir); err != nil {
		return Pushed{}, err
	}
	names := make([]string, 0, len(c.Files))
	for name := range c.Files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p := path.Join(dir, name)
		if !strings.HasPrefix(p, dir+"/") {
			return Pushed{}, platform.Errorf(platform.Invalid, "gitprovider: file %q is outside %s", name, dir)
		}
		if err := writeFile(fs, p, c.Files[name]); err != nil {
			return Pushed{}, err
		}
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		return Pushed{}, fmt.Errorf("gitprovider: stage: %w", err)
	}
	status, err := wt.Status()
	if err != nil {
		return Pushed{}, err
	}
	if status.IsClean() {
		return Pushed{NoChanges: true}, nil
	}
	sig := &object.Signature{Name: "Gantry", Email: "gantry@localhost", When: c.When}
	hash, err := wt.Commit(c.Message, &git.CommitOptions{Author: sig, Committer: sig})
	if err != nil {
		return Pushed{}, fmt.Errorf("gitprovider: commit: %w", err)
	}
	spec := config.RefSpec("+refs/heads/" + c.Branch + ":refs/heads/" + c.Branch)
	if err := repo.PushContext(ctx, &git.PushOptions{RemoteName: "origin", RefSpecs: []config.RefSpec{spec}, Auth: c.Auth}); err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return Pushed{}, fmt.Errorf("gitprovider: push %s: %w", c.Branch, err)
	}
	return Pushed{Commit: hash.String()}, nil
}

func isNoMatchingRef(err error) bool {
	var noRef git.NoMatchingRefSpecError
	return errors.As(err, &noRef) || errors.Is(err, plumbing.ErrReferenceNotFound) || strings.Contains(err.Error(), "couldn't find remote ref")
}

func removeAll(fs billy.Filesystem, dir string) error {
	entries, err := fs.ReadDir(dir)
	if err != nil {
		return nil // no such folder yet
	}
	for _, e := range entries {
		p := path.Join(dir, e.Name())
		if e.IsDir() {
			if err := removeAll(fs, p); err != nil {
				return err
			}
		}
		if err := fs.Remove(p); err != nil {
			return fmt.Errorf("gitprovider: remove %s: %w", p, err)
		}
	}
	return nil
}

func writeFile(fs billy.Filesystem, name string, data []byte) error {
	if err := fs.MkdirAll(path.Dir(name), 0o755); err != nil {
		return err
	}
	f, err := fs.Create(name)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, strings.NewReader(string(data))); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
