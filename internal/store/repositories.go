package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Linked repositories: one item each under REPO#<provider>#<owner/repo>, listed through
// gsi1 (partition REPOSITORIES, sorted by provider then name). The account settings are one
// item, ACCOUNT / SETTINGS; the name of its pipeline provisioning repository is an
// attribute (pipelineRepository, "<provider>#<owner/repo>") that deleting that repository
// checks.
const (
	skRepository         = "REPOSITORY"
	gsi1RepositoriesPK   = "REPOSITORIES"
	repositoryPKPrefix   = "REPO#"
	accountSettingsPK    = "ACCOUNT"
	skAccountSettings    = "SETTINGS"
	attrPipelineRepoKey  = "pipelineRepository"
	repositoryKeyDivider = "#"
)

var _ platform.RepositoryStore = (*Store)(nil)

func repositoryKey(id platform.RepositoryID) string {
	return string(id.Provider) + repositoryKeyDivider + id.Name
}

func repositoryPK(id platform.RepositoryID) string { return repositoryPKPrefix + repositoryKey(id) }

func repositoryWhat(id platform.RepositoryID) string { return fmt.Sprintf("repository %s", id) }

type repositoryItem struct {
	itemKeys
	Provider      string `dynamodbav:"provider"`
	Name          string `dynamodbav:"name"`
	ConnectionARN string `dynamodbav:"connectionArn"`
	EncryptionKey string `dynamodbav:"encryptionKey,omitempty"`
	CreatedAt     string `dynamodbav:"createdAt"`
	Revision      int64  `dynamodbav:"revision"`
}

func newRepositoryItem(r platform.Repository) repositoryItem {
	id := r.ID()
	return repositoryItem{
		itemKeys: itemKeys{PK: repositoryPK(id), SK: skRepository, GSI1PK: gsi1RepositoriesPK, GSI1SK: repositoryKey(id)},
		Provider: string(r.Provider), Name: r.Name, ConnectionARN: r.ConnectionARN, EncryptionKey: r.EncryptionKey,
		CreatedAt: formatTime(r.CreatedAt), Revision: r.Revision,
	}
}

func (it repositoryItem) domain() (platform.Repository, error) {
	var p times
	r := platform.Repository{Provider: platform.RepositoryProvider(it.Provider), Name: it.Name, ConnectionARN: it.ConnectionARN,
		EncryptionKey: it.EncryptionKey, CreatedAt: p.parse(it.CreatedAt), Revision: it.Revision}
	return r, p.err
}

type accountSettingsItem struct {
	itemKeys
	PipelineRepository string `dynamodbav:"pipelineRepository,omitempty"`
	PipelineProvider   string `dynamodbav:"pipelineRepositoryProvider,omitempty"`
	PipelineName       string `dynamodbav:"pipelineRepositoryName,omitempty"`
	PipelineBranch     string `dynamodbav:"pipelineRepositoryBranch,omitempty"`
	ServiceRoleARN     string `dynamodbav:"pipelineServiceRoleArn,omitempty"`
	CodebuildRoleARN   string `dynamodbav:"pipelineCodebuildRoleArn,omitempty"`
	UpdatedAt          string `dynamodbav:"updatedAt,omitempty"`
	Revision           int64  `dynamodbav:"revision"`
}

func newAccountSettingsItem(s platform.AccountSettings) accountSettingsItem {
	it := accountSettingsItem{itemKeys: itemKeys{PK: accountSettingsPK, SK: skAccountSettings},
		ServiceRoleARN: s.PipelineServiceRoleARN, CodebuildRoleARN: s.PipelineCodebuildRoleARN,
		UpdatedAt: formatTime(s.UpdatedAt), Revision: s.Revision}
	if b := s.PipelineProvisioningRepository; b != nil {
		it.PipelineRepository = repositoryKey(b.Repository())
		it.PipelineProvider, it.PipelineName, it.PipelineBranch = string(b.Provider), b.Name, b.Branch
	}
	return it
}

func (it accountSettingsItem) domain() (platform.AccountSettings, error) {
	var p times
	s := platform.AccountSettings{PipelineServiceRoleARN: it.ServiceRoleARN, PipelineCodebuildRoleARN: it.CodebuildRoleARN,
		Revision: it.Revision}
	if it.UpdatedAt != "" {
		s.UpdatedAt = p.parse(it.UpdatedAt)
	}
	if it.PipelineRepository != "" {
		s.PipelineProvisioningRepository = &platform.RepositoryBranch{Provider: platform.RepositoryProvider(it.PipelineProvider),
			Name: it.PipelineName, Branch: it.PipelineBranch}
	}
	return s, p.err
}

// CreateRepository stores a new repository with Revision 1, and its tags when any, in
// one write; Conflict if provider and name are taken.
func (s *Store) CreateRepository(ctx context.Context, r platform.Repository, tags map[string]string) error {
	r.Revision = 1
	what := repositoryWhat(r.ID())
	op, err := s.putNew(newRepositoryItem(r), what)
	if err != nil {
		return err
	}
	ops := []writeOp{op}
	if len(tags) > 0 {
		res := r.ID().Resource()
		tagOp, err := s.putNew(tagsItem{itemKeys: itemKeys{PK: tagsPK(res), SK: skTags}, Tags: tags, Revision: 1}, "tags of "+res.String())
		if err != nil {
			return err
		}
		// Tags left by a repository of the same name are replaced.
		tagOp.put.ConditionExpression = nil
		tagOp.put.ExpressionAttributeNames = nil
		ops = append(ops, tagOp)
	}
	return s.write(ctx, "create "+what, ops...)
}

// GetRepository returns a repository; NotFound when there is none.
func (s *Store) GetRepository(ctx context.Context, id platform.RepositoryID) (platform.Repository, error) {
	var it repositoryItem
	if err := s.get(ctx, repositoryPK(id), skRepository, &it, repositoryWhat(id)); err != nil {
		return platform.Repository{}, err
	}
	return it.domain()
}

// ListRepositories lists repositories by provider, then name; Invalid for a bad page token.
func (s *Store) ListRepositories(ctx context.Context, page platform.PageRequest) (platform.Page[platform.Repository], error) {
	return list(ctx, s, listQuery{index: "gsi1", partition: gsi1RepositoriesPK, what: "repositories"}, page, repositoryItem.domain)
}

// DeleteRepository removes a repository (checked on revision) and its tags. NotFound when
// it is gone; Conflict when its revision moved on or the account settings name it as the
// pipeline provisioning repository.
func (s *Store) DeleteRepository(ctx context.Context, id platform.RepositoryID, revision int64) error {
	what := repositoryWhat(id)
	inUse := writeOp{
		check: &types.ConditionCheck{
			TableName:                           &s.table,
			Key:                                 key(accountSettingsPK, skAccountSettings),
			ConditionExpression:                 aws.String("attribute_not_exists(#repo) OR #repo <> :repo"),
			ExpressionAttributeNames:            map[string]string{"#repo": attrPipelineRepoKey},
			ExpressionAttributeValues:           map[string]types.AttributeValue{":repo": &types.AttributeValueMemberS{Value: repositoryKey(id)}},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureNone,
		},
		what: "account settings",
		failed: func(map[string]types.AttributeValue) error {
			return platform.Errorf(platform.Conflict, "%s is the account settings' pipeline provisioning repository; remove it there first", what)
		},
	}
	return s.write(ctx, "delete "+what, s.deleteRevised(repositoryPK(id), skRepository, revision, what), inUse, s.dropTags(id.Resource()))
}

// GetAccountSettings returns the account settings; the zero settings (Revision 0) when
// they were never saved.
func (s *Store) GetAccountSettings(ctx context.Context) (platform.AccountSettings, error) {
	var it accountSettingsItem
	err := s.get(ctx, accountSettingsPK, skAccountSettings, &it, "account settings")
	if platform.KindOf(err) == platform.NotFound {
		return platform.AccountSettings{}, nil
	}
	if err != nil {
		return platform.AccountSettings{}, err
	}
	return it.domain()
}

// PutAccountSettings saves the account settings, checked on Revision (0: never saved).
// Conflict when they changed meanwhile; NotFound when the pipeline provisioning
// repository they name does not exist.
func (s *Store) PutAccountSettings(ctx context.Context, settings platform.AccountSettings) error {
	const what = "account settings"
	next := settings
	next.Revision++
	var op writeOp
	var err error
	if settings.Revision == 0 {
		op, err = s.putNew(newAccountSettingsItem(next), what)
		op.failed = func(map[string]types.AttributeValue) error { return changed(what) }
	} else {
		op, err = s.putRevised(newAccountSettingsItem(next), settings.Revision, what)
	}
	if err != nil {
		return err
	}
	ops := []writeOp{op}
	if b := settings.PipelineProvisioningRepository; b != nil {
		repo := repositoryWhat(b.Repository())
		ops = append(ops, writeOp{
			check: &types.ConditionCheck{
				TableName:                &s.table,
				Key:                      key(repositoryPK(b.Repository()), skRepository),
				ConditionExpression:      aws.String("attribute_exists(#pk)"),
				ExpressionAttributeNames: map[string]string{"#pk": attrPK},
			},
			what:   repo,
			failed: func(map[string]types.AttributeValue) error { return notFound(repo) },
		})
	}
	return s.write(ctx, "update "+what, ops...)
}
