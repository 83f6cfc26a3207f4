package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Service sync: a configuration is one item SSYNC#<service> / CONFIG, on gsi1 under its
// repository (REPOSYNC#<provider>#<owner/repo>#SERVICE_SYNC, by service) and on gsi2 among
// all (SERVICE_SYNCS). A sync blocker is one item SYNCBLOCKER#<id> / BLOCKER, on gsi1
// under its service (SYNCBLOCKERS#<service>, by creation time).
const (
	serviceSyncPKPrefix  = "SSYNC#"
	gsi2ServiceSyncsPK   = "SERVICE_SYNCS"
	syncBlockerPKPrefix  = "SYNCBLOCKER#"
	skSyncBlocker        = "BLOCKER"
	blockersGSI1PKPrefix = "SYNCBLOCKERS#"
)

var _ platform.ServiceSyncStore = (*Store)(nil)

func serviceSyncWhat(service string) string {
	return fmt.Sprintf("service sync configuration of service %q", service)
}

type serviceSyncItem struct {
	itemKeys
	ServiceName string `dynamodbav:"serviceName"`
	Provider    string `dynamodbav:"repositoryProvider"`
	Repository  string `dynamodbav:"repositoryName"`
	Branch      string `dynamodbav:"branch"`
	FilePath    string `dynamodbav:"filePath"`
	CreatedAt   string `dynamodbav:"createdAt"`
	UpdatedAt   string `dynamodbav:"updatedAt"`
	Revision    int64  `dynamodbav:"revision"`
}

func newServiceSyncItem(c platform.ServiceSyncConfig) serviceSyncItem {
	return serviceSyncItem{
		itemKeys: itemKeys{PK: serviceSyncPKPrefix + c.ServiceName, SK: skSyncConfig, GSI1PK: repoSyncPK(c.Repository, platform.ServiceSync),
			GSI1SK: c.ServiceName, GSI2PK: gsi2ServiceSyncsPK, GSI2SK: c.ServiceName},
		ServiceName: c.ServiceName, Provider: string(c.Repository.Provider), Repository: c.Repository.Name, Branch: c.Branch, FilePath: c.FilePath,
		CreatedAt: formatTime(c.CreatedAt), UpdatedAt: formatTime(c.UpdatedAt), Revision: c.Revision,
	}
}

func (it serviceSyncItem) domain() (platform.ServiceSyncConfig, error) {
	var p times
	c := platform.ServiceSyncConfig{ServiceName: it.ServiceName, Repository: platform.RepositoryID{Provider: platform.RepositoryProvider(it.Provider), Name: it.Repository},
		Branch: it.Branch, FilePath: it.FilePath, CreatedAt: p.parse(it.CreatedAt), UpdatedAt: p.parse(it.UpdatedAt), Revision: it.Revision}
	return c, p.err
}

// CreateServiceSyncConfig stores a new configuration with Revision 1; Conflict if the
// service has one.
func (s *Store) CreateServiceSyncConfig(ctx context.Context, c platform.ServiceSyncConfig) error {
	c.Revision = 1
	op, err := s.putNew(newServiceSyncItem(c), serviceSyncWhat(c.ServiceName))
	if err != nil {
		return err
	}
	return s.write(ctx, "create "+serviceSyncWhat(c.ServiceName), op)
}

// GetServiceSyncConfig returns a service's sync configuration; NotFound when none.
func (s *Store) GetServiceSyncConfig(ctx context.Context, service string) (platform.ServiceSyncConfig, error) {
	var it serviceSyncItem
	if err := s.get(ctx, serviceSyncPKPrefix+service, skSyncConfig, &it, serviceSyncWhat(service)); err != nil {
		return platform.ServiceSyncConfig{}, err
	}
	return it.domain()
}

// UpdateServiceSyncConfig saves c, checked on Revision.
func (s *Store) UpdateServiceSyncConfig(ctx context.Context, c platform.ServiceSyncConfig) error {
	next := c
	next.Revision++
	op, err := s.putRevised(newServiceSyncItem(next), c.Revision, serviceSyncWhat(c.ServiceName))
	if err != nil {
		return err
	}
	return s.write(ctx, "update "+serviceSyncWhat(c.ServiceName), op)
}

// DeleteServiceSyncConfig removes a configuration, checked on revision.
func (s *Store) DeleteServiceSyncConfig(ctx context.Context, service string, revision int64) error {
	what := serviceSyncWhat(service)
	return s.write(ctx, "delete "+what, s.deleteRevised(serviceSyncPKPrefix+service, skSyncConfig, revision, what))
}

// ListServiceSyncConfigs lists a repository's service sync configurations (gsi1).
func (s *Store) ListServiceSyncConfigs(ctx context.Context, repo platform.RepositoryID, page platform.PageRequest) (platform.Page[platform.ServiceSyncConfig], error) {
	q := listQuery{index: "gsi1", partition: repoSyncPK(repo, platform.ServiceSync), what: "service sync configurations"}
	return list(ctx, s, q, page, serviceSyncItem.domain)
}

// ListAllServiceSyncConfigs lists every service sync configuration (gsi2).
func (s *Store) ListAllServiceSyncConfigs(ctx context.Context, page platform.PageRequest) (platform.Page[platform.ServiceSyncConfig], error) {
	q := listQuery{index: "gsi2", partition: gsi2ServiceSyncsPK, what: "service sync configurations"}
	return list(ctx, s, q, page, serviceSyncItem.domain)
}

type syncBlockerItem struct {
	itemKeys
	ID             string `dynamodbav:"id"`
	Service        string `dynamodbav:"serviceName"`
	Instance       string `dynamodbav:"serviceInstanceName,omitempty"`
	Type           string `dynamodbav:"type"`
	Status         string `dynamodbav:"status"`
	CreatedReason  string `dynamodbav:"createdReason"`
	CreatedAt      string `dynamodbav:"createdAt"`
	ResolvedReason string `dynamodbav:"resolvedReason,omitempty"`
	ResolvedAt     string `dynamodbav:"resolvedAt,omitempty"`
	Contexts       string `dynamodbav:"contexts"`
}

func syncBlockerWhat(id string) string { return fmt.Sprintf("sync blocker %q", id) }

func newSyncBlockerItem(b platform.SyncBlocker) (syncBlockerItem, error) {
	contexts, err := json.Marshal(b.Contexts)
	resolved := ""
	if !b.ResolvedAt.IsZero() {
		resolved = formatTime(b.ResolvedAt)
	}
	return syncBlockerItem{
		itemKeys: itemKeys{PK: syncBlockerPKPrefix + b.ID, SK: skSyncBlocker, GSI1PK: blockersGSI1PKPrefix + b.Service, GSI1SK: formatTime(b.CreatedAt) + "#" + b.ID},
		ID:       b.ID, Service: b.Service, Instance: b.Instance, Type: b.Type, Status: string(b.Status), CreatedReason: b.CreatedReason,
		CreatedAt: formatTime(b.CreatedAt), ResolvedReason: b.ResolvedReason, ResolvedAt: resolved, Contexts: string(contexts),
	}, err
}

func (it syncBlockerItem) domain() (platform.SyncBlocker, error) {
	var p times
	b := platform.SyncBlocker{ID: it.ID, Service: it.Service, Instance: it.Instance, Type: it.Type, Status: platform.SyncBlockerStatus(it.Status),
		CreatedReason: it.CreatedReason, CreatedAt: p.parse(it.CreatedAt), ResolvedReason: it.ResolvedReason}
	if it.ResolvedAt != "" {
		b.ResolvedAt = p.parse(it.ResolvedAt)
	}
	if err := json.Unmarshal([]byte(it.Contexts), &b.Contexts); err != nil {
		return b, fmt.Errorf("store: decode the contexts of %s: %w", syncBlockerWhat(it.ID), err)
	}
	return b, p.err
}

// CreateSyncBlocker stores a new blocker; Conflict if its id is taken.
func (s *Store) CreateSyncBlocker(ctx context.Context, b platform.SyncBlocker) error {
	it, err := newSyncBlockerItem(b)
	if err != nil {
		return err
	}
	op, err := s.putNew(it, syncBlockerWhat(b.ID))
	if err != nil {
		return err
	}
	return s.write(ctx, "raise "+syncBlockerWhat(b.ID), op)
}

// GetSyncBlocker returns a blocker; NotFound when there is none.
func (s *Store) GetSyncBlocker(ctx context.Context, id string) (platform.SyncBlocker, error) {
	var it syncBlockerItem
	if err := s.get(ctx, syncBlockerPKPrefix+id, skSyncBlocker, &it, syncBlockerWhat(id)); err != nil {
		return platform.SyncBlocker{}, err
	}
	return it.domain()
}

// ResolveSyncBlocker saves b if the stored blocker is ACTIVE; Conflict when it is not,
// NotFound when it is gone.
func (s *Store) ResolveSyncBlocker(ctx context.Context, b platform.SyncBlocker) error {
	it, err := newSyncBlockerItem(b)
	if err != nil {
		return err
	}
	av, err := attributevalue.MarshalMap(it)
	if err != nil {
		return err
	}
	what := syncBlockerWhat(b.ID)
	return s.write(ctx, "resolve "+what, writeOp{
		put: &types.Put{TableName: &s.table, Item: av, ConditionExpression: aws.String("#status = :active"),
			ExpressionAttributeNames:            map[string]string{"#status": "status"},
			ExpressionAttributeValues:           map[string]types.AttributeValue{":active": &types.AttributeValueMemberS{Value: string(platform.SyncBlockerActive)}},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld},
		what: what,
		failed: func(old map[string]types.AttributeValue) error {
			if old == nil {
				return notFound(what)
			}
			return platform.Errorf(platform.Conflict, "%s is resolved already", what)
		},
	})
}

// ListSyncBlockers lists a service's blockers, newest first (gsi1).
func (s *Store) ListSyncBlockers(ctx context.Context, service string, page platform.PageRequest) (platform.Page[platform.SyncBlocker], error) {
	q := listQuery{index: "gsi1", partition: blockersGSI1PKPrefix + service, backwards: true, what: "sync blockers"}
	return list(ctx, s, q, page, syncBlockerItem.domain)
}
