package gitsync

import (
	"context"
	"path/filepath"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Locate returns the remote of a linked repository: its url and how to authenticate
// (nil for none). NotFound when the repository cannot be reached from here.
type Locate func(ctx context.Context, repo platform.RepositoryID) (url string, auth transport.AuthMethod, err error)

// LocalRepositories locates each linked repository in a directory of bare repositories,
// as local mode keeps them: <root>/<provider, lower case>/<owner>/<repo>. It does not
// check that the repository is there: fetching from one that is not fails NotFound.
func LocalRepositories(root string) Locate {
	return func(_ context.Context, repo platform.RepositoryID) (string, transport.AuthMethod, error) {
		return LocalRepositoryPath(root, repo), nil, nil
	}
}

// LocalRepositoryPath is where LocalRepositories finds repo under root.
func LocalRepositoryPath(root string, repo platform.RepositoryID) string {
	return filepath.Join(root, strings.ToLower(string(repo.Provider)), filepath.FromSlash(repo.Name))
}

// Credentials returns the HTTPS credentials of a provider's repositories: a user name and
// a token, sent as HTTP basic auth; an empty token sends none (a public repository).
type Credentials func(ctx context.Context, provider platform.RepositoryProvider) (username, token string, err error)

// DefaultHosts are the base URLs of the hosted providers: GitHub and Bitbucket. GitHub
// Enterprise has none: its host is the installation's.
var DefaultHosts = map[platform.RepositoryProvider]string{
	platform.GitHub:    "https://github.com",
	platform.Bitbucket: "https://bitbucket.org",
}

// HostedRepositories locates each linked repository on its provider over HTTPS, at
// <host>/<owner>/<repo>.git, hosts giving each provider's base URL (DefaultHosts, plus a
// GitHub Enterprise installation's), authenticated with credentials (nil: none). Errors:
// NotFound for a provider without a host; the credentials' errors.
func HostedRepositories(hosts map[platform.RepositoryProvider]string, credentials Credentials) Locate {
	return func(ctx context.Context, repo platform.RepositoryID) (string, transport.AuthMethod, error) {
		host := strings.TrimSuffix(hosts[repo.Provider], "/")
		if host == "" {
			return "", nil, platform.Errorf(platform.NotFound, "no host is configured for %s repositories (%s)", repo.Provider, repo.Name)
		}
		url := host + "/" + repo.Name + ".git"
		if credentials == nil {
			return url, nil, nil
		}
		user, token, err := credentials(ctx, repo.Provider)
		if err != nil || token == "" {
			return url, nil, err
		}
		return url, &githttp.BasicAuth{Username: user, Password: token}, nil
	}
}

// Sources reads linked repositories through one local copy (Clone) each, kept under Dir
// and reused across calls; safe for concurrent use.
type Sources struct {
	Dir    string
	Locate Locate

	mu     sync.Mutex
	clones map[platform.RepositoryID]*Clone
}

func (s *Sources) clone(ctx context.Context, repo platform.RepositoryID) (*Clone, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.clones[repo]; ok {
		return c, nil
	}
	url, auth, err := s.Locate(ctx, repo)
	if err != nil {
		return nil, err
	}
	c, err := OpenClone(s.Dir, url, auth)
	if err != nil {
		return nil, err
	}
	if s.clones == nil {
		s.clones = map[platform.RepositoryID]*Clone{}
	}
	s.clones[repo] = c
	return c, nil
}

// Clone returns the local copy of repo.
func (s *Sources) Clone(ctx context.Context, repo platform.RepositoryID) (*Clone, error) {
	return s.clone(ctx, repo)
}

// Fetch brings branch of repo in and returns its head commit (Clone.Fetch).
func (s *Sources) Fetch(ctx context.Context, repo platform.RepositoryID, branch string) (string, error) {
	c, err := s.clone(ctx, repo)
	if err != nil {
		return "", err
	}
	return c.Fetch(ctx, branch)
}

// Changed lists the paths that differ between two commits of repo (Clone.Changed).
func (s *Sources) Changed(ctx context.Context, repo platform.RepositoryID, from, to string) ([]string, error) {
	c, err := s.clone(ctx, repo)
	if err != nil {
		return nil, err
	}
	return c.Changed(from, to)
}

// Files reads the files under dir at commit of repo (Clone.Files).
func (s *Sources) Files(ctx context.Context, repo platform.RepositoryID, commit, dir string) (map[string][]byte, error) {
	c, err := s.clone(ctx, repo)
	if err != nil {
		return nil, err
	}
	return c.Files(commit, dir)
}

// ReadFile reads one file at commit of repo (Clone.ReadFile).
func (s *Sources) ReadFile(ctx context.Context, repo platform.RepositoryID, commit, name string) ([]byte, error) {
	c, err := s.clone(ctx, repo)
	if err != nil {
		return nil, err
	}
	return c.ReadFile(commit, name)
}
