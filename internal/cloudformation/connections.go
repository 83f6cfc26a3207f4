package cloudformation

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/gantry-platform/gantry/internal/awsclients"
	"github.com/gantry-platform/gantry/internal/platform"
)

// ConnectedAccounts reaches the stacks of environments in environment accounts, through
// their environment account connections, and in other regions: for a stack location in
// another account it assumes the location's role with its external id (STS AssumeRole,
// ExternalId = the connection id, as Proton does), keeps the credentials until
// ExpiryWindow before they expire, and keeps one Provisioner per role, external id and
// region, whose home is the environment account in that region; a location in the
// platform's own account (Account "") in another region is reached with Config's own
// credentials, one Provisioner per region.
type ConnectedAccounts struct {
	// STS assumes the roles (an *sts.Client).
	STS stscreds.AssumeRoleAPIClient
	// Config is the configuration the per-account clients start from (region, retryer,
	// HTTP client); its credentials are replaced by the assumed role's.
	Config aws.Config
	// ClientOptions adjust each per-account client (e.g. a BaseEndpoint).
	ClientOptions []func(*cfn.Options)
	// Options are each per-account provisioner's (its Accounts are ignored).
	Options Options
	// ExpiryWindow is how long before they expire credentials are assumed again
	// (awsclients.DefaultExpiryWindow when 0).
	ExpiryWindow time.Duration

	mu           sync.Mutex
	provisioners map[connectedKey]*Provisioner
}

var _ platform.StackProvisioners = (*ConnectedAccounts)(nil)

type connectedKey struct{ role, externalID, region string }

// SessionName is the role session name of Gantry's assumed roles (CloudTrail shows it).
const SessionName = "gantry"

// StackProvisioner returns the provisioner of the stacks at at, built on first use.
// Invalid when at is in another account and has no role, its role is not in its account,
// or it has no external id.
func (c *ConnectedAccounts) StackProvisioner(ctx context.Context, at platform.StackLocation) (platform.StackProvisioner, error) {
	parts := strings.SplitN(at.RoleARN, ":", 6)
	switch {
	case at.Account == "":
		// The platform's own account in another region: no role to assume.
	case len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || !strings.HasPrefix(parts[5], "role/"):
		return nil, platform.Errorf(platform.Invalid, "account %s: %q is not an IAM role ARN", at.Account, at.RoleARN)
	case parts[4] != at.Account:
		return nil, platform.Errorf(platform.Invalid, "role %s is not in account %s", at.RoleARN, at.Account)
	case at.ExternalID == "":
		return nil, platform.Errorf(platform.Invalid, "role %s: an environment account's role is assumed with an external id (the connection id)", at.RoleARN)
	}
	key := connectedKey{role: at.RoleARN, externalID: at.ExternalID, region: at.Region}
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.provisioners[key]; ok {
		return p, nil
	}
	cfg := c.Config.Copy()
	if at.Account != "" {
		cfg = awsclients.AssumedRole(c.Config, c.STS, at.RoleARN, at.ExternalID, SessionName, c.ExpiryWindow)
	}
	if at.Region != "" {
		cfg.Region = at.Region
	}
	opts := c.Options
	opts.Accounts = nil
	p := New(cfn.NewFromConfig(cfg, c.ClientOptions...), opts)
	if c.provisioners == nil {
		c.provisioners = map[connectedKey]*Provisioner{}
	}
	c.provisioners[key] = p
	return p, nil
}
