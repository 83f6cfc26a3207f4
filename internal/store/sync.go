package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Sync: a template sync configuration is one item under TSYNC#<kind>#<name> / CONFIG, on
// gsi1 under the repository it follows (REPOSYNC#<provider>#<owner/repo>#TEMPLATE_SYNC,
// sorted by kind and name) and on gsi2 among all of them (TEMPLATE_SYNCS). A processed commit is a claim item
// SYNCCLAIM#<config key> / <commit>, written only if absent. A resource's sync status is
// one item SYNCSTATUS#<status key> / STATUS holding its latest attempt, latest successful
// attempt and desired state (JSON); a branch's latest repository attempt per sync type is
// one item REPOSYNC#<provider>#<owner/repo>#<type> / BRANCH#<branch>.
const (
	templateSyncPKPrefix = "TSYNC#"
	skSyncConfig         = "CONFIG"
	syncClaimPKPrefix    = "SYNCCLAIM#"
	syncStatusPKPrefix   = "SYNCSTATUS#"
	skSyncStatus         = "STATUS"
	repoSyncPKPrefix     = "REPOSYNC#"
	repoSyncBranchPrefix = "BRANCH#"
	gsi2TemplateSyncsPK  = "TEMPLATE_SYNCS"
)

var _ platform.SyncStore = (*Store)(nil)

func templateSyncPK(kind platform.TemplateKind, name string) string {
	return templateSyncPKPrefix + string(kind) + "#" + name
}

func repoSyncPK(repo platform.RepositoryID, t platform.SyncType) string {
	return repoSyncPKPrefix + repositoryKey(repo) + "#" + string(t)
}

func templateSyncWhat(kind platform.TemplateKind, name string) string {
	return fmt.Sprintf("template sync configuration of %s", templateWhat(kind, name))
}

type templateSyncItem struct {
	itemKeys
	Kind         string `dynamodbav:"templateType"`
	TemplateName string `dynamodbav:"templateName"`
	Provider     string `dynamodbav:"repositoryProvider"`
	Repository   string `dynamodbav:"repositoryName"`
	Branch       string `dynamodbav:"branch"`
	Subdirectory string `dynamodbav:"subdirectory,omitempty"`
	LastCommit   string `dynamodbav:"lastCommit,omitempty"`
	CreatedAt    string `dynamodbav:"createdAt"`
	UpdatedAt    string `dynamodbav:"updatedAt"`
	Revision     int64  `dynamodbav:"revision"`
}

func newTemplateSyncItem(c platform.TemplateSyncConfig) templateSyncItem {
	return templateSyncItem{
		itemKeys: itemKeys{PK: templateSyncPK(c.Kind, c.TemplateName), SK: skSyncConfig,
			GSI1PK: repoSyncPK(c.Repository, platform.TemplateSync), GSI1SK: string(c.Kind) + "#" + c.TemplateName,
			GSI2PK: gsi2TemplateSyncsPK, GSI2SK: string(c.Kind) + "#" + c.TemplateName},
		Kind: string(c.Kind), TemplateName: c.TemplateName, Provider: string(c.Repository.Provider), Repository: c.Repository.Name,
		Branch: c.Branch, Subdirectory: c.Subdirectory, LastCommit: c.LastCommit,
		CreatedAt: formatTime(c.CreatedAt), UpdatedAt: formatTime(c.UpdatedAt), Revision: c.Revision,
	}
}

func (it templateSyncItem) domain() (platform.TemplateSyncConfig, error) {
	var p times
	c := platform.TemplateSyncConfig{Kind: platform.TemplateKind(it.Kind), TemplateName: it.TemplateName,
		Repository: platform.RepositoryID{Provider: platform.RepositoryProvider(it.Provider), Name: it.Repository},
		Branch:     it.Branch, Subdirectory: it.Subdirectory, LastCommit: it.LastCommit,
		CreatedAt: p.parse(it.CreatedAt), UpdatedAt: p.parse(it.UpdatedAt), Revision: it.Revision}
	return c, p.err
}

// CreateTemplateSyncConfig stores a new configuration with Revision 1; Conflict if the
// template has one.
func (s *Store) CreateTemplateSyncConfig(ctx context.Context, c platform.TemplateSyncConfig) error {
	c.Revision = 1
	what := templateSyncWhat(c.Kind, c.TemplateName)
	op, err := s.putNew(newTemplateSyncItem(c), what)
	if err != nil {
		return err
	}
	return s.write(ctx, "create "+what, op)
}

// GetTemplateSyncConfig returns a template's sync configuration; NotFound when it has none.
func (s *Store) GetTemplateSyncConfig(ctx context.Context, kind platform.TemplateKind, name string) (platform.TemplateSyncConfig, error) {
	var it templateSyncItem
	if err := s.get(ctx, templateSyncPK(kind, name), skSyncConfig, &it, templateSyncWhat(kind, name)); err != nil {
		return platform.TemplateSyncConfig{}, err
	}
	return it.domain()
}

// UpdateTemplateSyncConfig saves c (checked on Revision): NotFound when it is gone,
// Conflict when its stored Revision is not c.Revision.
func (s *Store) UpdateTemplateSyncConfig(ctx context.Context, c platform.TemplateSyncConfig) error {
	next := c
	next.Revision++
	what := templateSyncWhat(c.Kind, c.TemplateName)
	op, err := s.putRevised(newTemplateSyncItem(next), c.Revision, what)
	if err != nil {
		return err
	}
	return s.write(ctx, "update "+what, op)
}

// DeleteTemplateSyncConfig removes a configuration (checked on revision); NotFound when
// it is gone.
func (s *Store) DeleteTemplateSyncConfig(ctx context.Context, kind platform.TemplateKind, name string, revision int64) error {
	what := templateSyncWhat(kind, name)
	return s.write(ctx, "delete "+what, s.deleteRevised(templateSyncPK(kind, name), skSyncConfig, revision, what))
}

// ListTemplateSyncConfigs lists the template sync configurations following repo, by
// template kind and name (one Query of gsi1); Invalid for a bad page token.
func (s *Store) ListTemplateSyncConfigs(ctx context.Context, repo platform.RepositoryID, page platform.PageRequest) (platform.Page[platform.TemplateSyncConfig], error) {
	q := listQuery{index: "gsi1", partition: repoSyncPK(repo, platform.TemplateSync), what: "template sync configurations"}
	return list(ctx, s, q, page, templateSyncItem.domain)
}

// ListAllTemplateSyncConfigs lists every template sync configuration, by template kind
// and name (one Query of gsi2); Invalid for a bad page token.
func (s *Store) ListAllTemplateSyncConfigs(ctx context.Context, page platform.PageRequest) (platform.Page[platform.TemplateSyncConfig], error) {
	q := listQuery{index: "gsi2", partition: gsi2TemplateSyncsPK, what: "template sync configurations"}
	return list(ctx, s, q, page, templateSyncItem.domain)
}

type syncClaimItem struct {
	itemKeys
	ClaimedBy string `dynamodbav:"claimedBy"`
	ClaimedAt string `dynamodbav:"claimedAt"`
}

// ClaimSyncCommit writes the claim of key on commit unless another claimant holds it:
// Conflict then. The same claimant's claim succeeds again (a retried task), unchanged.
func (s *Store) ClaimSyncCommit(ctx context.Context, key, commit, by string, at time.Time) error {
	what := fmt.Sprintf("commit %s of sync %s", commit, key)
	av, err := attributevalue.MarshalMap(syncClaimItem{itemKeys: itemKeys{PK: syncClaimPKPrefix + key, SK: commit}, ClaimedBy: by, ClaimedAt: formatTime(at)})
	if err != nil {
		return fmt.Errorf("store: encode the claim of %s: %w", what, err)
	}
	_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av,
		ConditionExpression:       aws.String("attribute_not_exists(#pk) OR #by = :by"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#by": "claimedBy"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":by": &types.AttributeValueMemberS{Value: by}}})
	var failed *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &failed):
		return platform.Errorf(platform.Conflict, "%s was processed already", what)
	case err != nil:
		return fmt.Errorf("store: claim %s: %w", what, err)
	}
	return nil
}

// The sync status and repository attempt items hold their attempts as JSON: they are read
// and written whole, never queried inside.
type syncStatusItem struct {
	itemKeys
	Latest           string `dynamodbav:"latest,omitempty"`
	LatestSuccessful string `dynamodbav:"latestSuccessful,omitempty"`
	Desired          string `dynamodbav:"desired,omitempty"`
}

type syncEventJSON struct {
	Type       string `json:"type"`
	Event      string `json:"event"`
	ExternalID string `json:"externalId,omitempty"`
	Time       string `json:"time"`
}

type syncRevisionJSON struct {
	Provider   string `json:"provider"`
	Repository string `json:"repository"`
	Branch     string `json:"branch"`
	Directory  string `json:"directory"`
	Commit     string `json:"commit"`
}

type resourceAttemptJSON struct {
	Target          string           `json:"target"`
	InitialRevision syncRevisionJSON `json:"initialRevision"`
	TargetRevision  syncRevisionJSON `json:"targetRevision"`
	Status          string           `json:"status"`
	StartedAt       string           `json:"startedAt"`
	Events          []syncEventJSON  `json:"events"`
}

func syncEventsJSON(events []platform.SyncEvent) []syncEventJSON {
	out := make([]syncEventJSON, len(events))
	for i, e := range events {
		out[i] = syncEventJSON{Type: e.Type, Event: e.Event, ExternalID: e.ExternalID, Time: formatTime(e.Time)}
	}
	return out
}

func (p *times) syncEvents(events []syncEventJSON) []platform.SyncEvent {
	out := make([]platform.SyncEvent, len(events))
	for i, e := range events {
		out[i] = platform.SyncEvent{Type: e.Type, Event: e.Event, ExternalID: e.ExternalID, Time: p.parse(e.Time)}
	}
	return out
}

func newSyncRevisionJSON(r platform.SyncRevision) syncRevisionJSON {
	return syncRevisionJSON{Provider: string(r.Repository.Provider), Repository: r.Repository.Name, Branch: r.Branch, Directory: r.Directory, Commit: r.Commit}
}

func (r syncRevisionJSON) domain() platform.SyncRevision {
	return platform.SyncRevision{Repository: platform.RepositoryID{Provider: platform.RepositoryProvider(r.Provider), Name: r.Repository},
		Branch: r.Branch, Directory: r.Directory, Commit: r.Commit}
}

func encodeJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// PutResourceSyncAttempt keeps a as the resource's latest attempt (and latest successful
// one when it succeeded), and desired when not nil, in one write.
func (s *Store) PutResourceSyncAttempt(ctx context.Context, statusKey string, a platform.ResourceSyncAttempt, desired *platform.SyncRevision) error {
	attempt, err := encodeJSON(resourceAttemptJSON{Target: a.Target, InitialRevision: newSyncRevisionJSON(a.InitialRevision),
		TargetRevision: newSyncRevisionJSON(a.TargetRevision), Status: string(a.Status), StartedAt: formatTime(a.StartedAt), Events: syncEventsJSON(a.Events)})
	if err != nil {
		return err
	}
	expr := "SET #latest = :a"
	names := map[string]string{"#latest": "latest"}
	values := map[string]types.AttributeValue{":a": &types.AttributeValueMemberS{Value: attempt}}
	if a.Status == platform.SyncSucceeded {
		expr += ", #ok = :a"
		names["#ok"] = "latestSuccessful"
	}
	if desired != nil {
		d, err := encodeJSON(newSyncRevisionJSON(*desired))
		if err != nil {
			return err
		}
		expr += ", #desired = :d"
		names["#desired"] = "desired"
		values[":d"] = &types.AttributeValueMemberS{Value: d}
	}
	_, err = s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: key(syncStatusPKPrefix+statusKey, skSyncStatus),
		UpdateExpression: aws.String(expr), ExpressionAttributeNames: names, ExpressionAttributeValues: values})
	if err != nil {
		return fmt.Errorf("store: keep the sync attempt of %s: %w", statusKey, err)
	}
	return nil
}

// GetResourceSyncStatus returns what is kept of a resource's syncs; NotFound when it was
// never synced.
func (s *Store) GetResourceSyncStatus(ctx context.Context, statusKey string) (platform.ResourceSyncStatus, error) {
	var it syncStatusItem
	if err := s.get(ctx, syncStatusPKPrefix+statusKey, skSyncStatus, &it, "sync status of "+statusKey); err != nil {
		return platform.ResourceSyncStatus{}, err
	}
	var out platform.ResourceSyncStatus
	var p times
	attempt := func(text string) (*platform.ResourceSyncAttempt, error) {
		if text == "" {
			return nil, nil
		}
		var j resourceAttemptJSON
		if err := json.Unmarshal([]byte(text), &j); err != nil {
			return nil, fmt.Errorf("store: decode the sync status of %s: %w", statusKey, err)
		}
		return &platform.ResourceSyncAttempt{Target: j.Target, InitialRevision: j.InitialRevision.domain(), TargetRevision: j.TargetRevision.domain(),
			Status: platform.SyncStatus(j.Status), StartedAt: p.parse(j.StartedAt), Events: p.syncEvents(j.Events)}, nil
	}
	var err error
	if out.Latest, err = attempt(it.Latest); err != nil {
		return out, err
	}
	if out.LatestSuccessful, err = attempt(it.LatestSuccessful); err != nil {
		return out, err
	}
	if it.Desired != "" {
		var d syncRevisionJSON
		if err := json.Unmarshal([]byte(it.Desired), &d); err != nil {
			return out, fmt.Errorf("store: decode the desired state of %s: %w", statusKey, err)
		}
		rev := d.domain()
		out.DesiredState = &rev
	}
	return out, p.err
}

type repositoryAttemptItem struct {
	itemKeys
	Commit    string `dynamodbav:"commit"`
	Status    string `dynamodbav:"status"`
	StartedAt string `dynamodbav:"startedAt"`
	Events    string `dynamodbav:"events"`
}

// PutRepositorySyncAttempt keeps a as the branch's latest attempt for t.
func (s *Store) PutRepositorySyncAttempt(ctx context.Context, repo platform.RepositoryID, branch string, t platform.SyncType, a platform.RepositorySyncAttempt) error {
	events, err := encodeJSON(syncEventsJSON(a.Events))
	if err != nil {
		return err
	}
	av, err := attributevalue.MarshalMap(repositoryAttemptItem{itemKeys: itemKeys{PK: repoSyncPK(repo, t), SK: repoSyncBranchPrefix + branch},
		Commit: a.Commit, Status: string(a.Status), StartedAt: formatTime(a.StartedAt), Events: events})
	if err != nil {
		return err
	}
	if _, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av}); err != nil {
		return fmt.Errorf("store: keep the %s attempt of %s branch %s: %w", t, repo, branch, err)
	}
	return nil
}

// GetRepositorySyncAttempt returns the branch's latest attempt for t; NotFound when none.
func (s *Store) GetRepositorySyncAttempt(ctx context.Context, repo platform.RepositoryID, branch string, t platform.SyncType) (platform.RepositorySyncAttempt, error) {
	var it repositoryAttemptItem
	what := fmt.Sprintf("%s attempt of %s branch %q", t, repo, branch)
	if err := s.get(ctx, repoSyncPK(repo, t), repoSyncBranchPrefix+branch, &it, what); err != nil {
		return platform.RepositorySyncAttempt{}, err
	}
	var events []syncEventJSON
	if err := json.Unmarshal([]byte(it.Events), &events); err != nil {
		return platform.RepositorySyncAttempt{}, fmt.Errorf("store: decode the %s: %w", what, err)
	}
	var p times
	a := platform.RepositorySyncAttempt{Commit: it.Commit, Status: platform.SyncStatus(it.Status), StartedAt: p.parse(it.StartedAt), Events: p.syncEvents(events)}
	return a, p.err
}

// A repository's sealed webhook secret is one item WEBHOOK#<provider>#<owner/repo> / SECRET.
type webhookSecretItem struct {
	itemKeys
	Sealed []byte `dynamodbav:"sealedSecret"`
}

// PutWebhookSecret keeps repo's sealed webhook secret, replacing any.
func (s *Store) PutWebhookSecret(ctx context.Context, repo platform.RepositoryID, sealed []byte) error {
	av, err := attributevalue.MarshalMap(webhookSecretItem{itemKeys: itemKeys{PK: "WEBHOOK#" + repositoryKey(repo), SK: "SECRET"}, Sealed: sealed})
	if err != nil {
		return err
	}
	if _, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av}); err != nil {
		return fmt.Errorf("store: keep the webhook secret of %s: %w", repo, err)
	}
	return nil
}

// GetWebhookSecret returns repo's sealed webhook secret; NotFound when none.
func (s *Store) GetWebhookSecret(ctx context.Context, repo platform.RepositoryID) ([]byte, error) {
	var it webhookSecretItem
	if err := s.get(ctx, "WEBHOOK#"+repositoryKey(repo), "SECRET", &it, "webhook secret of "+repo.String()); err != nil {
		return nil, err
	}
	return it.Sealed, nil
}
