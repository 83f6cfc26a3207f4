package gitprovider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/gantry-platform/gantry/internal/gitsync"
	"github.com/gantry-platform/gantry/internal/platform"
)

// LocalRemotes resolves linked repositories to bare repositories under Root, as local
// mode does: <Root>/<provider in lower case>/<owner>/<repo> (gitsync.LocalRepositoryPath,
// the same place sync reads them from).
type LocalRemotes struct {
	Root string
}

// Path is the bare repository of id.
func (l LocalRemotes) Path(id platform.RepositoryID) string {
	return gitsync.LocalRepositoryPath(l.Root, id)
}

// Ensure makes the bare repository of id if it does not exist, with branch holding one
// empty commit (a repository to open pull requests against), and returns its path.
// Errors are Internal.
func (l LocalRemotes) Ensure(ctx context.Context, id platform.RepositoryID, branch string) (string, error) {
	dir := l.Path(id)
	bare, err := git.PlainOpen(dir)
	if err == git.ErrRepositoryNotExists {
		if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
			return "", err
		}
		if bare, err = git.PlainInit(dir, true); err != nil {
			return "", fmt.Errorf("gitprovider: init %s: %w", dir, err)
		}
	} else if err != nil {
		return "", fmt.Errorf("gitprovider: open %s: %w", dir, err)
	}
	if _, err := bare.Reference(plumbing.NewBranchReferenceName(branch), true); err == nil {
		return dir, nil
	}
	work, err := git.Init(memory.NewStorage(), memfs.New())
	if err != nil {
		return "", err
	}
	wt, _ := work.Worktree()
	sig := &object.Signature{Name: "Gantry", Email: "gantry@localhost", When: time.Unix(0, 0).UTC()}
	if _, err := wt.Commit("Initialize "+id.Name, &git.CommitOptions{AllowEmptyCommits: true, Author: sig, Committer: sig}); err != nil {
		return "", err
	}
	if _, err := work.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{dir}}); err != nil {
		return "", err
	}
	head, err := work.Head()
	if err != nil {
		return "", err
	}
	spec := config.RefSpec(head.Name().String() + ":refs/heads/" + branch)
	if err := work.PushContext(ctx, &git.PushOptions{RemoteName: "origin", RefSpecs: []config.RefSpec{spec}}); err != nil && err != git.NoErrAlreadyUpToDate {
		return "", fmt.Errorf("gitprovider: initialize %s of %s: %w", branch, dir, err)
	}
	return dir, nil
}

// LocalPullRequests records pull requests beside local bare repositories (LocalRemotes),
// one JSON file each under <bare repository>/gantry-pull-requests/<number>.json; a
// repository's CI in tests reads them with List.
type LocalPullRequests struct {
	Remotes  LocalRemotes
	Provider platform.RepositoryProvider
	mu       sync.Mutex
}

// LocalPullRequest is one recorded pull request.
type LocalPullRequest struct {
	Number int    `json:"number"`
	Title  string `json:"title"`
	Body   string `json:"body"`
	Head   string `json:"head"`
	Base   string `json:"base"`
}

func (l *LocalPullRequests) folder(repo string) string {
	return filepath.Join(l.Remotes.Path(platform.RepositoryID{Provider: l.Provider, Name: repo}), "gantry-pull-requests")
}

// Open records a pull request; one already recorded for the same head is returned again.
// Its number is one past the highest recorded, claimed by creating its file exclusively
// (a hard link of the whole file, which fails when the name is taken): openers in other
// processes, or other LocalPullRequests on the same folder, never take the same number —
// the one that finds its number taken reads the folder again and takes the next.
// NotFound when the bare repository does not exist.
func (l *LocalPullRequests) Open(ctx context.Context, repo string, in PullRequestInput) (PullRequest, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := os.Stat(l.Remotes.Path(platform.RepositoryID{Provider: l.Provider, Name: repo})); err != nil {
		return PullRequest{}, platform.Errorf(platform.NotFound, "no local repository %s:%s", l.Provider, repo)
	}
	if err := os.MkdirAll(l.folder(repo), 0o755); err != nil {
		return PullRequest{}, err
	}
	for {
		if err := ctx.Err(); err != nil {
			return PullRequest{}, err
		}
		existing, err := l.List(repo)
		if err != nil {
			return PullRequest{}, err
		}
		next := 1
		for _, pr := range existing {
			if pr.Head == in.Head {
				return l.view(repo, pr), nil
			}
			next = max(next, pr.Number+1)
		}
		pr := LocalPullRequest{Number: next, Title: in.Title, Body: in.Body, Head: in.Head, Base: in.Base}
		data, _ := json.MarshalIndent(pr, "", "  ")
		err = writeExclusive(filepath.Join(l.folder(repo), fmt.Sprintf("%d.json", pr.Number)), data)
		if errors.Is(err, fs.ErrExist) {
			continue // another opener took the number first
		}
		if err != nil {
			return PullRequest{}, err
		}
		return l.view(repo, pr), nil
	}
}

func (l *LocalPullRequests) view(repo string, pr LocalPullRequest) PullRequest {
	return PullRequest{Number: pr.Number, URL: "file://" + filepath.Join(l.folder(repo), fmt.Sprintf("%d.json", pr.Number)), Head: pr.Head, Base: pr.Base}
}

// List returns the pull requests recorded on repo, by number.
func (l *LocalPullRequests) List(repo string) ([]LocalPullRequest, error) {
	entries, err := os.ReadDir(l.folder(repo))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []LocalPullRequest
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") { // a pull request being written
			continue
		}
		data, err := os.ReadFile(filepath.Join(l.folder(repo), e.Name()))
		if err != nil {
			return nil, err
		}
		var pr LocalPullRequest
		if err := json.Unmarshal(data, &pr); err != nil {
			return nil, fmt.Errorf("gitprovider: %s: %w", e.Name(), err)
		}
		out = append(out, pr)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out, nil
}

// writeExclusive writes data to path unless path exists (an error wrapping fs.ErrExist
// then): through a temporary file linked into place, so that a reader (List, from another
// goroutine or process) sees the whole file or none of it, and of two writers of the same
// path exactly one succeeds.
func writeExclusive(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".writing-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // the linked file stays; removes what a failure left
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Link(tmp.Name(), path)
}
