package cloudformation

import (
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/gantry-platform/gantry/internal/platform"
)

// AccountRoles reaches stacks in other (connected) accounts: for an account other than
// Home it assumes arn:PARTITION:iam::ACCOUNT:role/RoleName through STS and builds a
// CloudFormation client with those credentials, once per account; the credentials are
// cached and refreshed before they expire.
type AccountRoles struct {
	// Home is the account of the provisioner's own client.
	Home string
	// RoleName is the role's name in every connected account.
	RoleName string
	// Partition is the ARN partition, default "aws".
	Partition string
	// STS assumes the roles (an *sts.Client).
	STS stscreds.AssumeRoleAPIClient
	// Config is the configuration the per-account clients start from (region, retryer,
	// HTTP client); its credentials are replaced.
	Config aws.Config
	// ClientOptions adjust each per-account client (e.g. a BaseEndpoint).
	ClientOptions []func(*cfn.Options)

	mu      sync.Mutex
	clients map[string]API
}

// RoleARN returns the ARN of the role assumed in account.
func (a *AccountRoles) RoleARN(account string) string {
	partition := a.Partition
	if partition == "" {
		partition = "aws"
	}
	return "arn:" + partition + ":iam::" + account + ":role/" + a.RoleName
}

// client returns the CloudFormation client of account, building it on first use.
func (a *AccountRoles) client(account string) API {
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, ok := a.clients[account]; ok {
		return c
	}
	provider := stscreds.NewAssumeRoleProvider(a.STS, a.RoleARN(account), func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "gantry-provisioner"
	})
	opts := append([]func(*cfn.Options){func(o *cfn.Options) { o.Credentials = aws.NewCredentialsCache(provider) }}, a.ClientOptions...)
	c := cfn.NewFromConfig(a.Config, opts...)
	if a.clients == nil {
		a.clients = map[string]API{}
	}
	a.clients[account] = c
	return c
}

// client returns the client for account: the home client for "" or the home account, the
// assumed role's otherwise. Invalid when another account is asked of a provisioner
// without AccountRoles.
func (p *Provisioner) client(account string) (API, error) {
	switch {
	case account == "":
		return p.home, nil
	case p.accounts == nil:
		return nil, platform.Errorf(platform.Invalid, "account %s: Gantry is not configured to deploy to other accounts (no account role name)", account)
	case account == p.accounts.Home:
		return p.home, nil
	}
	return p.accounts.client(account), nil
}

// stackClient returns the client for a stack named by name or ARN: an ARN's account
// chooses it when AccountRoles are configured; otherwise the home client.
func (p *Provisioner) stackClient(stack string) (API, error) {
	if p.accounts == nil {
		return p.home, nil
	}
	return p.client(accountOf(stack))
}

// accountOf returns the account of a stack ARN (arn:PARTITION:cloudformation:REGION:
// ACCOUNT:stack/NAME/ID), "" for a stack name.
func accountOf(stack string) string {
	parts := strings.SplitN(stack, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "cloudformation" {
		return ""
	}
	return parts[4]
}
