package platform

import (
	"context"
	"time"
)

// AccessKeyStatus says whether an access key may sign requests.
type AccessKeyStatus string

// The access key statuses (IAM's vocabulary).
const (
	AccessKeyActive   AccessKeyStatus = "Active"
	AccessKeyInactive AccessKeyStatus = "Inactive"
)

// AccessKey is a credential Gantry issues for AWS Signature Version 4 requests to its
// Proton endpoint: an access key id and a secret, carrying one role (and optionally a
// team). The secret is kept only sealed (SealedSecret, by a Sealer); Gantry shows it once,
// when the key is created.
type AccessKey struct {
	ID   string
	Role Role
	Team string
	// Account is the AWS account requests signed with the key act in; "" is the
	// platform's own account.
	Account     string
	Description string
	Status      AccessKeyStatus
	// CreatedBy is the subject of the admin who created the key.
	CreatedBy string
	CreatedAt time.Time
	// LastUsedAt is not tracked: every verified request would be a write.
	SealedSecret []byte
	// ResourceARN and DeploymentID scope a reporter's key (ReporterRole) to one
	// resource's deployment; ExpiresAt, when set, is when the key stops working (and the
	// store forgets it).
	ResourceARN  string
	DeploymentID string
	ExpiresAt    time.Time
	Revision     int64
}

// Expired reports whether the key has expired at now.
func (k AccessKey) Expired(now time.Time) bool {
	return !k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt)
}

// Subject is the caller subject of requests signed with the key.
func (k AccessKey) Subject() string { return "accesskey:" + k.ID }

// Caller is the caller of requests signed with the key: its role, its account, and its team
// as a group.
func (k AccessKey) Caller() Caller {
	c := Caller{Subject: k.Subject(), Roles: []Role{k.Role}, Account: k.Account, Resource: k.ResourceARN, Deployment: k.DeploymentID}
	if k.Team != "" {
		c.Groups = []string{k.Team}
	}
	return c
}

// Sealer encrypts and decrypts small secrets (access key secrets) at rest: KMS on AWS, a
// local key file in local mode. Context binds a sealed secret to its owner (the access key
// id): opening it under another context fails. Errors are Internal.
type Sealer interface {
	Seal(ctx context.Context, plaintext []byte, context string) ([]byte, error)
	Open(ctx context.Context, sealed []byte, context string) ([]byte, error)
}

// AccessKeyStore keeps access keys. Errors as Store's: NotFound, Conflict (id taken,
// stale Revision), Invalid for a bad page token, Internal otherwise.
type AccessKeyStore interface {
	// CreateAccessKey stores a new key (Revision 1); Conflict if the id is taken.
	CreateAccessKey(ctx context.Context, k AccessKey) error
	GetAccessKey(ctx context.Context, id string) (AccessKey, error)
	// ListAccessKeys lists keys by id.
	ListAccessKeys(ctx context.Context, page PageRequest) (Page[AccessKey], error)
	// UpdateAccessKey saves k, checked on Revision.
	UpdateAccessKey(ctx context.Context, k AccessKey) error
	// DeleteAccessKey removes the key whose stored Revision is revision.
	DeleteAccessKey(ctx context.Context, id string, revision int64) error
}
