package control

import (
	"context"
	"regexp"

	"github.com/gantry-platform/gantry/internal/platform"
)

// CreateRepositoryInput is what CreateRepository needs (Proton's CreateRepositoryInput).
type CreateRepositoryInput struct {
	Provider      platform.RepositoryProvider
	Name          string
	ConnectionARN string
	EncryptionKey string
	Tags          map[string]string
}

// UpdateAccountSettingsInput is what UpdateAccountSettings changes (Proton's
// UpdateAccountSettingsInput); a nil field is left as it is, an empty role ARN removes it.
type UpdateAccountSettingsInput struct {
	PipelineProvisioningRepository *platform.RepositoryBranch
	// DeletePipelineProvisioningRepository removes the pipeline provisioning repository;
	// it cannot be given with PipelineProvisioningRepository.
	DeletePipelineProvisioningRepository bool
	PipelineServiceRoleARN               *string
	PipelineCodebuildRoleARN             *string
}

// arnPattern is Proton's Arn rule (connection and KMS key ARNs); roleARNPattern its
// RoleArn rule.
var (
	arnPattern     = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):[a-zA-Z0-9-]+:[a-zA-Z0-9-]*:\d{12}:([\w+=,.@-]+[/:])*[\w+=,.@-]+$`)
	roleARNPattern = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):iam::\d{12}:role/([\w+=,.@-]{1,512}[/:])*([\w+=,.@-]{1,64})$`)
)

func validateARN(field, arn string, required bool) error {
	switch {
	case arn == "" && required:
		return platform.FieldErrorf(field, "is required")
	case arn == "":
		return nil
	case len(arn) > 200 || !arnPattern.MatchString(arn):
		return platform.FieldErrorf(field, "%q is not an ARN (arn:aws:service:region:account:resource, at most 200 characters)", arn)
	}
	return nil
}

func validateRoleARN(field, arn string) error {
	if arn != "" && (len(arn) > 2048 || !roleARNPattern.MatchString(arn)) {
		return platform.FieldErrorf(field, "%q is not an IAM role ARN (arn:aws:iam::account:role/name) or empty", arn)
	}
	return nil
}

func (s *Service) reposConfigured() error {
	if s.repos == nil {
		return platform.Errorf(platform.Internal, "control: repositories are not configured (no Repositories store)")
	}
	return nil
}

// CreateRepository links a repository (Proton's CreateRepository): provider, name
// ("owner/repo"), the connection that reaches it and optionally a KMS key; tags are
// stored with it. Forbidden unless the caller is an admin; Invalid naming the field;
// Conflict when provider and name are linked already.
func (s *Service) CreateRepository(ctx context.Context, in CreateRepositoryInput) (platform.Repository, error) {
	if err := requireAdmin(ctx, "linking a repository"); err != nil {
		return platform.Repository{}, err
	}
	if err := platform.ValidateRepositoryProvider("provider", in.Provider); err != nil {
		return platform.Repository{}, err
	}
	if err := platform.ValidateRepositoryName("name", in.Name); err != nil {
		return platform.Repository{}, err
	}
	if err := validateARN("connectionArn", in.ConnectionARN, true); err != nil {
		return platform.Repository{}, err
	}
	if err := validateARN("encryptionKey", in.EncryptionKey, false); err != nil {
		return platform.Repository{}, err
	}
	if err := platform.ValidateTags("tags", in.Tags); err != nil {
		return platform.Repository{}, err
	}
	if err := s.reposConfigured(); err != nil {
		return platform.Repository{}, err
	}
	r := platform.Repository{Provider: in.Provider, Name: in.Name, ConnectionARN: in.ConnectionARN, EncryptionKey: in.EncryptionKey,
		CreatedAt: s.clock()}
	if err := s.repos.CreateRepository(ctx, r, in.Tags); err != nil {
		return platform.Repository{}, err
	}
	r.Revision = 1
	s.log.InfoContext(ctx, "repository linked", "repository", r.ID().String(), "by", caller(ctx).Subject)
	return r, nil
}

// GetRepository returns a linked repository. Invalid naming provider or name; NotFound.
func (s *Service) GetRepository(ctx context.Context, id platform.RepositoryID) (platform.Repository, error) {
	if err := validateRepositoryID(id); err != nil {
		return platform.Repository{}, err
	}
	if err := s.reposConfigured(); err != nil {
		return platform.Repository{}, err
	}
	return s.repos.GetRepository(ctx, id)
}

func validateRepositoryID(id platform.RepositoryID) error {
	if err := platform.ValidateRepositoryProvider("provider", id.Provider); err != nil {
		return err
	}
	return platform.ValidateRepositoryName("name", id.Name)
}

// ListRepositories lists linked repositories by provider, then name; Invalid for a bad
// page token.
func (s *Service) ListRepositories(ctx context.Context, page platform.PageRequest) (platform.Page[platform.Repository], error) {
	if err := s.reposConfigured(); err != nil {
		return platform.Page[platform.Repository]{}, err
	}
	return s.repos.ListRepositories(ctx, page)
}

// DeleteRepository unlinks a repository (Proton's DeleteRepository) and returns it; its
// tags go with it, the git repository itself is untouched. Forbidden unless the caller is
// an admin; NotFound; Conflict while the account settings name it as the pipeline
// provisioning repository.
func (s *Service) DeleteRepository(ctx context.Context, id platform.RepositoryID) (platform.Repository, error) {
	if err := requireAdmin(ctx, "unlinking a repository"); err != nil {
		return platform.Repository{}, err
	}
	r, err := s.GetRepository(ctx, id)
	if err != nil {
		return platform.Repository{}, err
	}
	if err := s.repos.DeleteRepository(ctx, id, r.Revision); err != nil {
		return platform.Repository{}, err
	}
	s.log.InfoContext(ctx, "repository unlinked", "repository", id.String(), "by", caller(ctx).Subject)
	return r, nil
}

// GetAccountSettings returns the account settings (Proton's GetAccountSettings); settings
// never changed are empty, not NotFound.
func (s *Service) GetAccountSettings(ctx context.Context) (platform.AccountSettings, error) {
	if err := s.reposConfigured(); err != nil {
		return platform.AccountSettings{}, err
	}
	return s.repos.GetAccountSettings(ctx)
}

// UpdateAccountSettings changes the account settings (Proton's UpdateAccountSettings) and
// returns them. Forbidden unless the caller is an admin; Invalid naming the field (a
// repository and deletePipelineProvisioningRepository together, a bad branch or role
// ARN); NotFound when the pipeline provisioning repository is not linked; Conflict when
// the settings changed meanwhile.
func (s *Service) UpdateAccountSettings(ctx context.Context, in UpdateAccountSettingsInput) (platform.AccountSettings, error) {
	if err := requireAdmin(ctx, "changing the account settings"); err != nil {
		return platform.AccountSettings{}, err
	}
	if in.DeletePipelineProvisioningRepository && in.PipelineProvisioningRepository != nil {
		return platform.AccountSettings{}, platform.FieldErrorf("deletePipelineProvisioningRepository",
			"cannot be true while pipelineProvisioningRepository is given: set one or the other")
	}
	if b := in.PipelineProvisioningRepository; b != nil {
		if err := platform.ValidateRepositoryBranch("pipelineProvisioningRepository", *b); err != nil {
			return platform.AccountSettings{}, err
		}
	}
	for _, f := range []struct {
		field string
		arn   *string
	}{{"pipelineServiceRoleArn", in.PipelineServiceRoleARN}, {"pipelineCodebuildRoleArn", in.PipelineCodebuildRoleARN}} {
		if f.arn != nil {
			if err := validateRoleARN(f.field, *f.arn); err != nil {
				return platform.AccountSettings{}, err
			}
		}
	}
	settings, err := s.GetAccountSettings(ctx)
	if err != nil {
		return platform.AccountSettings{}, err
	}
	if b := in.PipelineProvisioningRepository; b != nil {
		copied := *b
		settings.PipelineProvisioningRepository = &copied
	}
	if in.DeletePipelineProvisioningRepository {
		settings.PipelineProvisioningRepository = nil
	}
	if in.PipelineServiceRoleARN != nil {
		settings.PipelineServiceRoleARN = *in.PipelineServiceRoleARN
	}
	if in.PipelineCodebuildRoleARN != nil {
		settings.PipelineCodebuildRoleARN = *in.PipelineCodebuildRoleARN
	}
	settings.UpdatedAt = s.clock()
	if err := s.repos.PutAccountSettings(ctx, settings); err != nil {
		if platform.KindOf(err) == platform.NotFound {
			return platform.AccountSettings{}, platform.FieldErrorf("pipelineProvisioningRepository", "%s: link it with CreateRepository first", platform.MessageOf(err))
		}
		return platform.AccountSettings{}, err
	}
	settings.Revision++
	s.log.InfoContext(ctx, "account settings changed", "by", caller(ctx).Subject)
	return settings, nil
}

// checkCodebuildRole refuses a template version tv provisioned by CodeBuild for
// environment env (or in it) when env has no CodeBuild role, its own or its account
// connection's, as Proton refuses one without codebuildRoleArn: Invalid naming
// codebuildRoleArn.
func (s *Service) checkCodebuildRole(ctx context.Context, tv platform.TemplateVersion, env platform.Environment) error {
	if tv.Engine != platform.EngineCodeBuild {
		return nil
	}
	role, err := platform.CodebuildRoleOf(ctx, s.store, env)
	if err != nil || role != "" {
		return err
	}
	return platform.FieldErrorf("codebuildRoleArn", "is required: %s:%s is provisioned by CodeBuild, which runs under environment %s's codebuildRoleArn "+
		"(or its account connection's); set one with CreateEnvironment or UpdateEnvironment", tv.TemplateName, tv.Version, env.Name)
}

// checkProvisioningRepository checks an environment's provisioning repository against
// the engine of its template version tv: a Terraform (self-managed) version needs one,
// linked; another engine takes none. Invalid naming provisioningRepository.
func (s *Service) checkProvisioningRepository(ctx context.Context, tv platform.TemplateVersion, b *platform.RepositoryBranch) error {
	const field = "provisioningRepository"
	terraform := tv.Engine == platform.EngineTerraform
	switch {
	case terraform && b == nil:
		return platform.FieldErrorf(field, "is required: %s:%s is provisioned by Terraform through pull requests "+
			"(self-managed provisioning); name a linked repository and branch", tv.TemplateName, tv.Version)
	case !terraform && b != nil:
		return platform.FieldErrorf(field, "is only for template versions provisioned by Terraform (self-managed); %s:%s is provisioned by %s",
			tv.TemplateName, tv.Version, tv.Engine.OrDefault())
	case b == nil:
		return nil
	}
	if err := platform.ValidateRepositoryBranch(field, *b); err != nil {
		return err
	}
	if err := s.reposConfigured(); err != nil {
		return err
	}
	if _, err := s.repos.GetRepository(ctx, b.Repository()); platform.KindOf(err) == platform.NotFound {
		return platform.FieldErrorf(field, "repository %s is not linked: link it with CreateRepository first", b.Repository())
	} else if err != nil {
		return err
	}
	return nil
}
