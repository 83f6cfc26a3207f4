package platform

import (
	"context"
	"regexp"
	"strings"
	"time"
)

// RepositoryProvider is where a linked repository is hosted (Proton's RepositoryProvider).
type RepositoryProvider string

// The repository providers Proton knows.
const (
	GitHub           RepositoryProvider = "GITHUB"
	GitHubEnterprise RepositoryProvider = "GITHUB_ENTERPRISE"
	Bitbucket        RepositoryProvider = "BITBUCKET"
)

// RepositoryProviders lists the providers, in Proton's order.
var RepositoryProviders = []RepositoryProvider{GitHub, GitHubEnterprise, Bitbucket}

// RepositoryResource is the ARN type of a linked repository.
const RepositoryResource ResourceType = "repository"

// Repository is a linked repository (Proton's Repository): a git repository Gantry pushes
// to (self-managed provisioning: pull requests of rendered Terraform) or pulls from
// (template and service sync). Name is "owner/repo"; ConnectionARN is the CodeStar
// connection that reaches the provider; EncryptionKey an optional customer KMS key ARN.
type Repository struct {
	Provider      RepositoryProvider
	Name          string
	ConnectionARN string
	EncryptionKey string
	CreatedAt     time.Time
	Revision      int64
}

// RepositoryID identifies a linked repository.
type RepositoryID struct {
	Provider RepositoryProvider
	Name     string
}

// ID is the repository's identity.
func (r Repository) ID() RepositoryID { return RepositoryID{Provider: r.Provider, Name: r.Name} }

// String names the repository for people: "GITHUB:owner/repo".
func (id RepositoryID) String() string { return string(id.Provider) + ":" + id.Name }

// Resource is the repository as a resource (for its ARN and tags): Name "<PROVIDER>:owner/repo".
func (id RepositoryID) Resource() Resource {
	return Resource{Type: RepositoryResource, Name: id.String()}
}

// Owner and Repo split Name ("owner/repo"); Owner is everything before the last slash.
func (id RepositoryID) Owner() string {
	owner, _, _ := cutLast(id.Name, "/")
	return owner
}

// Repo is the repository part of Name (after the last slash).
func (id RepositoryID) Repo() string {
	_, repo, _ := cutLast(id.Name, "/")
	return repo
}

func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return "", s, false
	}
	return s[:i], s[i+len(sep):], true
}

// RepositoryBranch is a branch of a linked repository (Proton's RepositoryBranch), e.g.
// where self-managed provisioning opens its pull requests.
type RepositoryBranch struct {
	Provider RepositoryProvider
	Name     string
	Branch   string
}

// Repository is the linked repository of the branch.
func (b RepositoryBranch) Repository() RepositoryID {
	return RepositoryID{Provider: b.Provider, Name: b.Name}
}

// AccountSettings are Proton's account-wide settings: the repository where self-managed
// service pipelines are provisioned, and the roles pipelines are provisioned with.
type AccountSettings struct {
	// PipelineProvisioningRepository is nil when none is set.
	PipelineProvisioningRepository *RepositoryBranch
	PipelineServiceRoleARN         string
	PipelineCodebuildRoleARN       string
	UpdatedAt                      time.Time
	// Revision is 0 while the settings were never saved.
	Revision int64
}

// repositoryNamePattern is Proton's RepositoryName rule, anchored: owner and repository
// made of letters, digits, '_', '.', '-', separated by a slash.
// Neither half may start with '-' (it would read as an option to git).
var repositoryNamePattern = regexp.MustCompile(`^[A-Za-z0-9_.][A-Za-z0-9_.-]*/[A-Za-z0-9_.][A-Za-z0-9_.-]*$`)

// ValidateRepositoryName checks a repository name ("owner/repo", at most 100 characters);
// the Invalid error names field.
func ValidateRepositoryName(field, name string) error {
	switch {
	case name == "":
		return FieldErrorf(field, "is required")
	case len(name) > 100:
		return FieldErrorf(field, "must be at most 100 characters, is %d", len(name))
	case !repositoryNamePattern.MatchString(name) || strings.Contains(name, ".."):
		return FieldErrorf(field, "%q must be owner/repository (letters, digits, '_', '.', '-' on each side of one '/', not starting with '-')", name)
	}
	return nil
}

// ValidateRepositoryProvider checks a provider; the Invalid error names field.
func ValidateRepositoryProvider(field string, p RepositoryProvider) error {
	for _, known := range RepositoryProviders {
		if p == known {
			return nil
		}
	}
	if p == "" {
		return FieldErrorf(field, "is required (GITHUB, GITHUB_ENTERPRISE or BITBUCKET)")
	}
	if len(p) > 40 {
		return FieldErrorf(field, "is not a repository provider (GITHUB, GITHUB_ENTERPRISE or BITBUCKET; %d characters given)", len(p))
	}
	return FieldErrorf(field, "%q is not a repository provider (GITHUB, GITHUB_ENTERPRISE or BITBUCKET)", p)
}

// ValidateRepositoryBranch checks a repository branch input: provider, name and a branch
// name git accepts; Invalid errors name field.provider, field.name or field.branch.
func ValidateRepositoryBranch(field string, b RepositoryBranch) error {
	if err := ValidateRepositoryProvider(field+".provider", b.Provider); err != nil {
		return err
	}
	if err := ValidateRepositoryName(field+".name", b.Name); err != nil {
		return err
	}
	return ValidateBranchName(field+".branch", b.Branch)
}

// ValidateBranchName checks a git branch name (Proton's GitBranchName, 1 to 200
// characters, and git's ref rules); the Invalid error names field.
func ValidateBranchName(field, branch string) error {
	switch {
	case branch == "":
		return FieldErrorf(field, "is required")
	case len(branch) > 200:
		return FieldErrorf(field, "must be at most 200 characters, is %d", len(branch))
	case strings.HasPrefix(branch, "/") || strings.HasSuffix(branch, "/") || strings.HasSuffix(branch, ".") ||
		strings.HasPrefix(branch, "-") || strings.Contains(branch, "..") || strings.Contains(branch, "//") ||
		strings.Contains(branch, "@{") || strings.HasSuffix(branch, ".lock") ||
		strings.ContainsAny(branch, " ~^:?*[\\\x7f") || strings.IndexFunc(branch, func(r rune) bool { return r < 0x20 }) >= 0:
		return FieldErrorf(field, "%q is not a valid git branch name", branch)
	}
	return nil
}

// RepositoryStore keeps linked repositories and the account settings. Errors as Store's:
// NotFound, Conflict (name taken, stale Revision), Invalid for a bad page token, Internal
// otherwise.
type RepositoryStore interface {
	// CreateRepository stores a new repository (Revision 1) and its tags (when any)
	// atomically; Conflict if provider and name are taken.
	CreateRepository(ctx context.Context, r Repository, tags map[string]string) error
	GetRepository(ctx context.Context, id RepositoryID) (Repository, error)
	// ListRepositories lists repositories by provider, then name.
	ListRepositories(ctx context.Context, page PageRequest) (Page[Repository], error)
	// DeleteRepository removes the repository whose stored Revision is revision, with its tags.
	DeleteRepository(ctx context.Context, id RepositoryID, revision int64) error
	// GetAccountSettings returns the account settings; never saved is the zero settings
	// (Revision 0), not NotFound.
	GetAccountSettings(ctx context.Context) (AccountSettings, error)
	// PutAccountSettings saves s, checked on Revision (0: never saved before); when s names
	// a pipeline provisioning repository, the write fails with NotFound unless that
	// repository exists at that moment.
	PutAccountSettings(ctx context.Context, s AccountSettings) error
}

// RepositoryIDOf returns the repository a RepositoryResource names; ok is false for
// another resource.
func RepositoryIDOf(r Resource) (id RepositoryID, ok bool) {
	if r.Type != RepositoryResource {
		return RepositoryID{}, false
	}
	provider, name, ok := strings.Cut(r.Name, ":")
	return RepositoryID{Provider: RepositoryProvider(provider), Name: name}, ok
}

var repositoryPartPattern = regexp.MustCompile(`^[A-Za-z0-9_.][A-Za-z0-9_.-]*$`)

// ValidateRepositoryPart checks one half of a repository name (the owner or the
// repository, as a REST path carries them); the Invalid error names field.
func ValidateRepositoryPart(field, part string) error {
	switch {
	case part == "":
		return FieldErrorf(field, "is required")
	case len(part) > 99:
		return FieldErrorf(field, "must be at most 99 characters, is %d", len(part))
	case !repositoryPartPattern.MatchString(part) || part == "." || part == "..":
		return FieldErrorf(field, "%q must be letters, digits, '_', '.' and '-', not starting with '-'", part)
	}
	return nil
}
