package auth

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
)

// AccessKeyPrefix starts every access key id Gantry issues (AWS's own start with AKIA/ASIA).
const AccessKeyPrefix = "GKIA"

// NewAccessKeyID returns a new random access key id.
func NewAccessKeyID() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return AccessKeyPrefix + base32.StdEncoding.EncodeToString(b[:])
}

// NewAccessKeySecret returns a new random secret access key.
func NewAccessKeySecret() string {
	var b [30]byte
	_, _ = rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

// ReporterKeys issues the short-lived keys that the commands an engine runs (CodeBuild
// provisioning) sign NotifyResourceDeploymentStatusChange with: role
// platform.ReporterRole, scoped to one resource's deployment, sealed as every key's secret
// and forgotten by the store once expired (its TTL).
type ReporterKeys struct {
	Keys   platform.AccessKeyStore
	Sealer platform.Sealer
	Now    func() time.Time
}

// Mint issues a reporter's key for deployment deploymentID of resourceARN, valid until
// expiresAt, and returns it with its secret. Errors: the sealer's and the store's
// (Internal).
func (r ReporterKeys) Mint(ctx context.Context, deploymentID, resourceARN string, expiresAt time.Time) (platform.ScopedCredentials, error) {
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	k := platform.AccessKey{ID: NewAccessKeyID(), Role: platform.ReporterRole, Status: platform.AccessKeyActive,
		Description: "reports deployment " + deploymentID, CreatedBy: "gantry", CreatedAt: now().UTC().Truncate(time.Millisecond),
		ResourceARN: resourceARN, DeploymentID: deploymentID, ExpiresAt: expiresAt.UTC().Truncate(time.Second)}
	secret := NewAccessKeySecret()
	sealed, err := r.Sealer.Seal(ctx, []byte(secret), k.ID)
	if err != nil {
		return platform.ScopedCredentials{}, err
	}
	k.SealedSecret = sealed
	if err := r.Keys.CreateAccessKey(ctx, k); err != nil {
		return platform.ScopedCredentials{}, err
	}
	return platform.ScopedCredentials{AccessKeyID: k.ID, SecretAccessKey: secret, ResourceARN: resourceARN, ExpiresAt: k.ExpiresAt}, nil
}
