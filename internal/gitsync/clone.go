// Package gitsync is Gantry's git plumbing for template and service sync: a local copy of
// a remote repository that fetches one branch, reads a tree at a commit and diffs two
// commits to the paths they changed (Clone); a poller that asks a remote for a branch's
// head — one request — and fetches only when it moved (Poller); and the receivers of
// GitHub, GitLab and Bitbucket push webhooks, each verified against the repository's
// secret in constant time (ParsePush). It knows nothing of templates or services.
package gitsync

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"

	"github.com/gantry-platform/gantry/internal/platform"
)

// maxFileBytes bounds a file read from a tree: Proton's limit on a bundle, which no file
// sync reads may exceed.
const maxFileBytes = 5 << 20

// Clone is a local, bare copy of one remote repository's objects, kept in a directory of
// its own and safe for concurrent use. Fetch brings a branch's commits in; Files, ReadFile
// and Changed read them without touching the remote.
type Clone struct {
	url  string
	auth transport.AuthMethod
	mu   sync.Mutex
	repo *git.Repository
}

// OpenClone opens the copy of the remote at url kept under dir (one subdirectory per
// remote, named by a digest of url), creating it on first use. auth may be nil (a local
// path, file:// or a public remote). Errors: Invalid for an empty url, Internal otherwise.
func OpenClone(dir, url string, auth transport.AuthMethod) (*Clone, error) {
	if strings.TrimSpace(url) == "" {
		return nil, platform.Errorf(platform.Invalid, "the repository has no url")
	}
	sum := sha256.Sum256([]byte(url))
	at := filepath.Join(dir, hex.EncodeToString(sum[:8]))
	repo, err := git.PlainOpen(at)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		if err := os.MkdirAll(at, 0o700); err != nil {
			return nil, err
		}
		repo, err = git.PlainInit(at, true)
		if err == nil {
			_, err = repo.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{url}})
		}
	}
	if err != nil {
		return nil, fmt.Errorf("gitsync: opening the copy of %s: %w", url, err)
	}
	return &Clone{url: url, auth: auth, repo: repo}, nil
}

// URL is the remote this copy follows.
func (c *Clone) URL() string { return c.url }

// RemoteHead asks the remote for the commit at the head of branch: one request (the
// advertised references), no objects. NotFound when the remote has no such branch;
// Internal when the remote cannot be reached.
func (c *Clone) RemoteHead(ctx context.Context, branch string) (string, error) {
	remote, err := c.repo.Remote("origin")
	if err != nil {
		return "", err
	}
	refs, err := remote.ListContext(ctx, &git.ListOptions{Auth: c.auth})
	if errors.Is(err, transport.ErrEmptyRemoteRepository) {
		return "", platform.Errorf(platform.NotFound, "the repository %s has no branch %q (it is empty)", c.url, branch)
	}
	if errors.Is(err, transport.ErrRepositoryNotFound) {
		return "", platform.Errorf(platform.NotFound, "the repository %s does not exist", c.url)
	}
	if err != nil {
		return "", fmt.Errorf("gitsync: listing %s: %w", c.url, err)
	}
	want := plumbing.NewBranchReferenceName(branch)
	for _, r := range refs {
		if r.Name() == want {
			return r.Hash().String(), nil
		}
	}
	return "", platform.Errorf(platform.NotFound, "the repository %s has no branch %q", c.url, branch)
}

// Fetch brings branch's commits into the copy and returns the commit at its head.
// NotFound when the remote has no such branch; Internal when it cannot be reached.
func (c *Clone) Fetch(ctx context.Context, branch string) (string, error) {
	if err := checkBranch(branch); err != nil {
		return "", err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	local := plumbing.NewRemoteReferenceName("origin", branch)
	spec := config.RefSpec(fmt.Sprintf("+%s:%s", plumbing.NewBranchReferenceName(branch), local))
	err := c.repo.FetchContext(ctx, &git.FetchOptions{RemoteName: "origin", RefSpecs: []config.RefSpec{spec}, Auth: c.auth, Tags: git.NoTags})
	switch {
	case err == nil, errors.Is(err, git.NoErrAlreadyUpToDate):
	case errors.Is(err, transport.ErrEmptyRemoteRepository), isNoMatchingRef(err):
		return "", platform.Errorf(platform.NotFound, "the repository %s has no branch %q", c.url, branch)
	case errors.Is(err, transport.ErrRepositoryNotFound):
		return "", platform.Errorf(platform.NotFound, "the repository %s does not exist", c.url)
	default:
		return "", fmt.Errorf("gitsync: fetching %s of %s: %w", branch, c.url, err)
	}
	ref, err := c.repo.Reference(local, true)
	if err != nil {
		return "", fmt.Errorf("gitsync: %s of %s after fetching: %w", branch, c.url, err)
	}
	return ref.Hash().String(), nil
}

func isNoMatchingRef(err error) bool {
	var nm git.NoMatchingRefSpecError
	return errors.As(err, &nm)
}

// checkBranch refuses a branch name git would not take.
func checkBranch(branch string) error {
	if branch == "" || strings.ContainsAny(branch, " ~^:?*[\\") || strings.Contains(branch, "..") ||
		strings.HasPrefix(branch, "/") || strings.HasSuffix(branch, "/") || strings.HasPrefix(branch, "-") {
		return platform.FieldErrorf("branch", "%q is not a branch name", branch)
	}
	return nil
}

// tree returns the tree of commit (a full hex hash); NotFound when the copy lacks it.
func (c *Clone) tree(commit string) (*object.Tree, error) {
	if !plumbing.IsHash(commit) {
		return nil, platform.Errorf(platform.Invalid, "%q is not a commit id", commit)
	}
	co, err := c.repo.CommitObject(plumbing.NewHash(commit))
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return nil, platform.Errorf(platform.NotFound, "commit %s is not in the copy of %s (fetch its branch first)", commit, c.url)
	}
	if err != nil {
		return nil, err
	}
	return co.Tree()
}

// Files returns the files under dir ("" for the whole tree) at commit, by path relative
// to dir (slash-separated). NotFound when the commit is unknown; Invalid when a file is
// larger than 5 MB.
func (c *Clone) Files(commit, dir string) (map[string][]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, err := c.tree(commit)
	if err != nil {
		return nil, err
	}
	dir = strings.Trim(path.Clean("/"+dir), "/")
	if dir != "" {
		sub, err := t.Tree(dir)
		if errors.Is(err, object.ErrDirectoryNotFound) {
			return map[string][]byte{}, nil
		}
		if err != nil {
			return nil, err
		}
		t = sub
	}
	out := map[string][]byte{}
	err = t.Files().ForEach(func(f *object.File) error {
		if !f.Mode.IsFile() {
			return nil
		}
		b, err := readBlob(f)
		if err != nil {
			return err
		}
		out[f.Name] = b
		return nil
	})
	return out, err
}

// ReadFile returns the file at name at commit; NotFound when there is none.
func (c *Clone) ReadFile(commit, name string) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, err := c.tree(commit)
	if err != nil {
		return nil, err
	}
	f, err := t.File(strings.TrimPrefix(path.Clean("/"+name), "/"))
	if errors.Is(err, object.ErrFileNotFound) {
		return nil, platform.Errorf(platform.NotFound, "%s: no such file at commit %s", name, short(commit))
	}
	if err != nil {
		return nil, err
	}
	return readBlob(f)
}

func readBlob(f *object.File) ([]byte, error) {
	if f.Size > maxFileBytes {
		return nil, platform.Errorf(platform.Invalid, "%s: %d bytes, more than the 5 MB a synced file may have", f.Name, f.Size)
	}
	r, err := f.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// Changed returns the paths (sorted, each once) that differ between commits from and to:
// added, modified, deleted or renamed (both names). from "" means every file of to.
// NotFound when either commit is unknown to the copy.
func (c *Clone) Changed(from, to string) ([]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, err := c.tree(to)
	if err != nil {
		return nil, err
	}
	var a *object.Tree
	if from != "" {
		if a, err = c.tree(from); err != nil {
			return nil, err
		}
	}
	changes, err := object.DiffTree(a, b)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, ch := range changes {
		for _, name := range []string{ch.From.Name, ch.To.Name} {
			if name != "" {
				seen[name] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for name := range seen {
		out = append(out, name)
	}
	sort.Strings(out)
	return out, nil
}

// IsAncestor reports whether commit a is an ancestor of (or equal to) commit b.
func (c *Clone) IsAncestor(a, b string) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if a == b {
		return true, nil
	}
	ca, err := c.repo.CommitObject(plumbing.NewHash(a))
	if err != nil {
		return false, platform.Errorf(platform.NotFound, "commit %s is not in the copy of %s", short(a), c.url)
	}
	cb, err := c.repo.CommitObject(plumbing.NewHash(b))
	if err != nil {
		return false, platform.Errorf(platform.NotFound, "commit %s is not in the copy of %s", short(b), c.url)
	}
	return ca.IsAncestor(cb)
}

// CommitMessage returns the first line of commit's message.
func (c *Clone) CommitMessage(commit string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	co, err := c.repo.CommitObject(plumbing.NewHash(commit))
	if err != nil {
		return "", platform.Errorf(platform.NotFound, "commit %s is not in the copy of %s", short(commit), c.url)
	}
	msg, _, _ := strings.Cut(co.Message, "\n")
	return msg, nil
}

func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}
