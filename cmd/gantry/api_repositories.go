package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/gantry-platform/gantry/internal/apiclient"
	"github.com/gantry-platform/gantry/internal/apimodel"
)

const repositoriesCreateUsage = `usage: gantry repositories create --provider GITHUB|GITHUB_ENTERPRISE|BITBUCKET --name OWNER/REPO
       --connection-arn ARN [--encryption-key ARN] [--tag KEY=VALUE]...

Links a git repository: where self-managed (Terraform) provisioning opens its pull
requests and sync reads templates. Locally its remote is the bare repository
.gantry/dev/repositories/<provider>/<owner>/<repo> (see README).
`

const repositoryIDUsage = "PROVIDER:OWNER/REPO (e.g. GITHUB:acme/infra), or --provider P --name OWNER/REPO"

func repositoriesCommand() func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return resource("repositories", []verb{
		{"create", "link a repository (admin)", repositoriesCreateUsage, repositoriesCreate},
		{"list", "list linked repositories", "usage: gantry repositories list\n", repositoriesList},
		{"get", "show a linked repository", "usage: gantry repositories get " + repositoryIDUsage + "\n", repositoriesGet},
		{"delete", "unlink a repository (admin)", "usage: gantry repositories delete " + repositoryIDUsage + "\n", repositoriesDelete},
	})
}

func repositoriesCreate(a *apiCommand) action {
	var in apimodel.CreateRepository
	var tags tagFlags
	a.fs.StringVar(&in.Provider, "provider", "", "GITHUB, GITHUB_ENTERPRISE or BITBUCKET (required)")
	a.fs.StringVar(&in.Name, "name", "", "owner/repo (required)")
	a.fs.StringVar(&in.ConnectionARN, "connection-arn", "", "the CodeStar connection that reaches the provider (required)")
	a.fs.StringVar(&in.EncryptionKey, "encryption-key", "", "a customer KMS key ARN")
	a.fs.Var(&tags, "tag", "a tag KEY=VALUE (repeatable)")
	a.required(&in.Provider, "provider")
	a.required(&in.Name, "name")
	a.required(&in.ConnectionARN, "connection-arn")
	return func(ctx context.Context) int {
		in.Tags = tags
		r, err := a.client.CreateRepository(ctx, in)
		return a.answer(err, r.Raw, func(w io.Writer) { writeRepository(w, r) })
	}
}

func repositoriesList(a *apiCommand) action {
	a.pageFlags()
	return func(ctx context.Context) int {
		return list(ctx, a, a.client.ListRepositories, func(r apiclient.Repository) json.RawMessage { return r.Raw },
			[]string{"PROVIDER", "NAME", "CONNECTION", "CREATED"},
			func(r apiclient.Repository) []string {
				return []string{r.Provider, r.Name, r.ConnectionARN, timeText(r.CreatedAt)}
			})
	}
}

// repositoryArgument takes a repository as PROVIDER:OWNER/REPO (argument or --id), or
// as --provider and --name.
func repositoryArgument(a *apiCommand) (provider, name *string) {
	provider, name = a.fs.String("provider", "", "the provider (with --name)"), a.fs.String("name", "", "owner/repo (with --provider)")
	id := a.fs.String("id", "", "PROVIDER:OWNER/REPO")
	a.takesArgument = true
	a.check(func() (int, bool) {
		switch {
		case *provider != "" && *name != "" && *id == "" && len(a.positional) == 0:
			return exitOK, true
		case *provider == "" && *name == "" && (*id != "") != (len(a.positional) == 1) && len(a.positional) <= 1:
			s := *id
			if s == "" {
				s = a.positional[0]
			}
			p, n, ok := strings.Cut(s, ":")
			if !ok || p == "" || n == "" {
				return a.usageError("%q is not PROVIDER:OWNER/REPO", s), false
			}
			*provider, *name = p, n
			return exitOK, true
		}
		return a.usageError("name the repository: %s", repositoryIDUsage), false
	})
	return provider, name
}

func repositoriesGet(a *apiCommand) action {
	provider, name := repositoryArgument(a)
	return func(ctx context.Context) int {
		r, err := a.client.GetRepository(ctx, *provider, *name)
		return a.answer(err, r.Raw, func(w io.Writer) { writeRepository(w, r) })
	}
}

func repositoriesDelete(a *apiCommand) action {
	provider, name := repositoryArgument(a)
	return func(ctx context.Context) int {
		r, err := a.client.DeleteRepository(ctx, *provider, *name)
		return a.answer(err, r.Raw, func(w io.Writer) { writeRepository(w, r) })
	}
}

func writeRepository(w io.Writer, r apiclient.Repository) {
	writeFields(w, []field{{"arn", r.ARN}, {"provider", r.Provider}, {"name", r.Name}, {"connection", r.ConnectionARN},
		{"encryption key", r.EncryptionKey}, {"created", timeText(r.CreatedAt)}})
}

const accountSettingsUpdateUsage = `usage: gantry account-settings update [--pipeline-repository PROVIDER:OWNER/REPO --pipeline-branch BRANCH]
       [--delete-pipeline-repository] [--pipeline-service-role-arn ARN] [--pipeline-codebuild-role-arn ARN]

Changes the account settings (admin). A flag left out keeps its setting; a role ARN given
as "" removes it.
`

func accountSettingsCommand() func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return resource("account-settings", []verb{
		{"get", "show the account settings", "usage: gantry account-settings get\n", accountSettingsGet},
		{"update", "change the account settings (admin)", accountSettingsUpdateUsage, accountSettingsUpdate},
	})
}

func accountSettingsGet(a *apiCommand) action {
	return func(ctx context.Context) int {
		s, err := a.client.GetAccountSettings(ctx)
		return a.answer(err, s.Raw, func(w io.Writer) { writeAccountSettings(w, s) })
	}
}

// optionalFlag is a string flag that knows whether it was given.
type optionalFlag struct {
	value string
	set   bool
}

func (f *optionalFlag) String() string { return f.value }

func (f *optionalFlag) Set(s string) error {
	f.value, f.set = s, true
	return nil
}

func (f *optionalFlag) pointer() *string {
	if !f.set {
		return nil
	}
	return &f.value
}

func accountSettingsUpdate(a *apiCommand) action {
	var in apimodel.UpdateAccountSettings
	var serviceRole, codebuildRole optionalFlag
	repo := a.fs.String("pipeline-repository", "", "PROVIDER:OWNER/REPO where self-managed pipelines are provisioned")
	branch := a.fs.String("pipeline-branch", "", "the branch of --pipeline-repository")
	a.fs.BoolVar(&in.DeletePipelineProvisioningRepository, "delete-pipeline-repository", false, "remove the pipeline provisioning repository")
	a.fs.Var(&serviceRole, "pipeline-service-role-arn", "the role pipelines are provisioned with (\"\" removes it)")
	a.fs.Var(&codebuildRole, "pipeline-codebuild-role-arn", "the role of CodeBuild-provisioned pipelines (\"\" removes it)")
	a.check(func() (int, bool) {
		if (*repo == "") != (*branch == "") {
			return a.usageError("--pipeline-repository and --pipeline-branch go together"), false
		}
		if *repo != "" {
			p, n, ok := strings.Cut(*repo, ":")
			if !ok {
				return a.usageError("--pipeline-repository %q is not PROVIDER:OWNER/REPO", *repo), false
			}
			in.PipelineProvisioningRepository = &apimodel.RepositoryBranch{Provider: p, Name: n, Branch: *branch}
		}
		return exitOK, true
	})
	return func(ctx context.Context) int {
		in.PipelineServiceRoleARN, in.PipelineCodebuildRoleARN = serviceRole.pointer(), codebuildRole.pointer()
		s, err := a.client.UpdateAccountSettings(ctx, in)
		return a.answer(err, s.Raw, func(w io.Writer) { writeAccountSettings(w, s) })
	}
}

func writeAccountSettings(w io.Writer, s apiclient.AccountSettings) {
	repo := "(none)"
	if b := s.PipelineProvisioningRepository; b != nil {
		repo = fmt.Sprintf("%s:%s (branch %s)", b.Provider, b.Name, b.Branch)
	}
	writeFields(w, []field{{"pipeline provisioning repository", repo}, {"pipeline service role", s.PipelineServiceRoleARN},
		{"pipeline codebuild role", s.PipelineCodebuildRoleARN}})
}
