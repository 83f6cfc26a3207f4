package store

import (
	"context"
	"fmt"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Access keys: one item each under ACCESSKEY#<id>, listed through gsi1 (partition
// ACCESSKEYS, sorted by id). The item holds the sealed secret only.
const (
	skAccessKey       = "ACCESSKEY"
	gsi1AccessKeysPK  = "ACCESSKEYS"
	accessKeyPKPrefix = "ACCESSKEY#"
)

var _ platform.AccessKeyStore = (*Store)(nil)

type accessKeyItem struct {
	itemKeys
	ID           string `dynamodbav:"accessKeyId"`
	Role         string `dynamodbav:"role"`
	Team         string `dynamodbav:"team,omitempty"`
	Account      string `dynamodbav:"account,omitempty"`
	Description  string `dynamodbav:"description,omitempty"`
	Status       string `dynamodbav:"status"`
	CreatedBy    string `dynamodbav:"createdBy,omitempty"`
	CreatedAt    string `dynamodbav:"createdAt"`
	SealedSecret []byte `dynamodbav:"sealedSecret"`
	ResourceARN  string `dynamodbav:"resourceArn,omitempty"`
	DeploymentID string `dynamodbav:"deploymentId,omitempty"`
	// ExpiresAt is epoch seconds, the table's TTL attribute: DynamoDB deletes an expired
	// reporter's key by itself.
	ExpiresAt int64 `dynamodbav:"expiresAt,omitempty"`
	Revision  int64 `dynamodbav:"revision"`
}

func accessKeyWhat(id string) string { return fmt.Sprintf("access key %q", id) }

// newAccessKeyItem is k's item; a key scoped to one resource (a reporter's) is not listed.
func newAccessKeyItem(k platform.AccessKey) accessKeyItem {
	it := accessKeyItem{
		itemKeys: itemKeys{PK: accessKeyPKPrefix + k.ID, SK: skAccessKey, GSI1PK: gsi1AccessKeysPK, GSI1SK: k.ID},
		ID:       k.ID, Role: string(k.Role), Team: k.Team, Account: k.Account, Description: k.Description, Status: string(k.Status),
		CreatedBy: k.CreatedBy, CreatedAt: formatTime(k.CreatedAt), SealedSecret: k.SealedSecret, Revision: k.Revision,
		ResourceARN: k.ResourceARN, DeploymentID: k.DeploymentID,
	}
	if k.ResourceARN != "" {
		it.GSI1PK, it.GSI1SK = "", ""
	}
	if !k.ExpiresAt.IsZero() {
		it.ExpiresAt = k.ExpiresAt.Unix()
	}
	return it
}

func (it accessKeyItem) domain() (platform.AccessKey, error) {
	var p times
	k := platform.AccessKey{ID: it.ID, Role: platform.Role(it.Role), Team: it.Team, Account: it.Account, Description: it.Description,
		Status: platform.AccessKeyStatus(it.Status), CreatedBy: it.CreatedBy, CreatedAt: p.parse(it.CreatedAt),
		SealedSecret: it.SealedSecret, Revision: it.Revision, ResourceARN: it.ResourceARN, DeploymentID: it.DeploymentID}
	if it.ExpiresAt != 0 {
		k.ExpiresAt = time.Unix(it.ExpiresAt, 0).UTC()
	}
	return k, p.err
}

// CreateAccessKey stores a new access key with Revision 1; Conflict if the id is taken.
func (s *Store) CreateAccessKey(ctx context.Context, k platform.AccessKey) error {
	k.Revision = 1
	op, err := s.putNew(newAccessKeyItem(k), accessKeyWhat(k.ID))
	if err != nil {
		return err
	}
	return s.write(ctx, "create "+accessKeyWhat(k.ID), op)
}

// GetAccessKey returns an access key; NotFound when there is none.
func (s *Store) GetAccessKey(ctx context.Context, id string) (platform.AccessKey, error) {
	var it accessKeyItem
	if err := s.get(ctx, accessKeyPKPrefix+id, skAccessKey, &it, accessKeyWhat(id)); err != nil {
		return platform.AccessKey{}, err
	}
	return it.domain()
}

// ListAccessKeys lists access keys by id; Invalid for a bad page token.
func (s *Store) ListAccessKeys(ctx context.Context, page platform.PageRequest) (platform.Page[platform.AccessKey], error) {
	return list(ctx, s, listQuery{index: "gsi1", partition: gsi1AccessKeysPK, what: "access keys"}, page, accessKeyItem.domain)
}

// UpdateAccessKey saves k (checked on Revision): NotFound when the key is gone, Conflict
// when its stored Revision is not k.Revision.
func (s *Store) UpdateAccessKey(ctx context.Context, k platform.AccessKey) error {
	next := k
	next.Revision++
	op, err := s.putRevised(newAccessKeyItem(next), k.Revision, accessKeyWhat(k.ID))
	if err != nil {
		return err
	}
	return s.write(ctx, "update "+accessKeyWhat(k.ID), op)
}

// DeleteAccessKey removes an access key (checked on revision): NotFound when it is gone.
func (s *Store) DeleteAccessKey(ctx context.Context, id string, revision int64) error {
	return s.write(ctx, "delete "+accessKeyWhat(id), s.deleteRevised(accessKeyPKPrefix+id, skAccessKey, revision, accessKeyWhat(id)))
}
