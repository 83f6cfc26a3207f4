// Package gitprovider is how Gantry writes to a linked repository for self-managed
// provisioning: it commits files to a new branch and pushes it (go-git), then opens a pull
// request through the repository provider's REST API (GitHub, GitHub Enterprise, GitLab,
// Bitbucket behind one interface), or, locally, records it beside a bare repository.
package gitprovider

import (
	"context"

	"github.com/gantry-platform/gantry/internal/platform"
)

// PullRequestInput asks for a pull request of Head into Base.
type PullRequestInput struct {
	Title string
	Body  string
	Head  string
	Base  string
}

// PullRequest is an opened pull request (a GitLab merge request).
type PullRequest struct {
	Number int
	URL    string
	Head   string
	Base   string
}

// PullRequests opens pull requests on one provider.
type PullRequests interface {
	// Open opens a pull request on repository repo ("owner/repo"). Errors: Invalid when the
	// provider refuses it (naming the provider's reason), Unauthorized or Forbidden when
	// its credentials do, NotFound for an unknown repository, Internal otherwise.
	Open(ctx context.Context, repo string, in PullRequestInput) (PullRequest, error)
}

// Providers chooses the pull-request API of each repository provider.
type Providers map[platform.RepositoryProvider]PullRequests

// For returns the API of provider p; Invalid when none is configured.
func (ps Providers) For(p platform.RepositoryProvider) (PullRequests, error) {
	if api, ok := ps[p]; ok && api != nil {
		return api, nil
	}
	return nil, platform.Errorf(platform.Invalid, "no pull-request API is configured for repository provider %s", p)
}
