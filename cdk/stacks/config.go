// Package stacks is the CDK definition of Gantry's AWS deployment: a data stack (the table
// and the bucket) and a service stack (functions, HTTP API, workflow, event routing,
// notifications, provisioning role, alarms and dashboard), checked by cdk-nag at synth.
// It declares resources only; the facts it deploys (table design, workflow, rule
// patterns, function names and their variables) are read from the packages that own them.
package stacks

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"

	"github.com/gantry-platform/gantry/internal/auth"
	"github.com/gantry-platform/gantry/internal/platform"
)

// The cdk.json context keys the app reads; docs/deploy.md documents each.
const (
	ContextAssetsDir             = "gantry:assetsDir"
	ContextJWTIssuer             = "gantry:jwtIssuer"
	ContextJWTAudience           = "gantry:jwtAudience"
	ContextAdminGroups           = "gantry:adminGroups"
	ContextDeveloperGroups       = "gantry:developerGroups"
	ContextGroupsClaim           = "gantry:groupsClaim"
	ContextAccountRoleName       = "gantry:accountRoleName"
	ContextAlarmEmail            = "gantry:alarmEmail"
	ContextProvisioningPolicyARN = "gantry:provisioningPolicyArns"
	ContextConsoleDir            = "gantry:consoleDir"
	// Sync: how often the poller runs (minutes; 0: webhooks only), the secret of the
	// tokens that clone hosted repositories, a GitHub Enterprise installation's URL.
	ContextSyncPollMinutes         = "gantry:syncPollMinutes"
	ContextGitCredentialsSecretARN = "gantry:gitCredentialsSecretArn"
	ContextGitHubEnterpriseURL     = "gantry:githubEnterpriseUrl"
	// Regions: the region Gantry is deployed in, and the other regions environments
	// deploy in (each gets a forwarding stack, GantryForwarding-REGION).
	ContextPlatformRegion = "gantry:platformRegion"
	ContextRegions        = "gantry:regions"
)

// Defaults of the context keys.
const (
	DefaultAssetsDir       = "dist/lambda"
	DefaultAdminGroup      = "gantry-admins"
	DefaultDeveloperGroup  = "gantry-developers"
	DefaultAccountRoleName = "GantryProvisioning"
	// DefaultConsoleDir is where make web builds the console.
	DefaultConsoleDir = "web/dist"
	// DefaultSyncPollMinutes is how often the sync poller asks the followed branches for
	// their heads when gantry:syncPollMinutes is not set.
	DefaultSyncPollMinutes = 5
	// PlaceholderJWTIssuer stands in for an unset gantry:jwtIssuer so that synth works on a
	// fresh machine. The .invalid domain never resolves (RFC 2606): an API deployed with it
	// rejects every token. The app warns at synth when it is used.
	PlaceholderJWTIssuer = "https://issuer.invalid"
	// PlaceholderJWTAudience stands in for an unset gantry:jwtAudience.
	PlaceholderJWTAudience = "gantry"
)

// Config is the deployment's configuration, read from the CDK context.
type Config struct {
	// AssetsDir holds one directory per function, <AssetsDir>/<name>/bootstrap.
	AssetsDir string
	// JWTIssuer is the OIDC issuer URL whose tokens the API accepts.
	JWTIssuer string
	// JWTAudience lists the accepted "aud" (or Cognito "client_id") values.
	JWTAudience []string
	// AdminGroups and DeveloperGroups are the identity-provider groups of the two roles.
	AdminGroups     []string
	DeveloperGroups []string
	// GroupsClaim is the token claim holding the groups ("groups"; "cognito:groups" for Cognito).
	GroupsClaim string
	// AccountRoleName is the role Gantry assumes in connected accounts.
	AccountRoleName string
	// AlarmEmail, when set, subscribes an address to the notification topic.
	AlarmEmail string
	// ProvisioningPolicyARNs are the managed policies of the role CloudFormation uses to
	// create users' stacks in this account.
	ProvisioningPolicyARNs []string
	// BundleBuckets are the S3 buckets Proton's Create*TemplateVersion may read bundles
	// from (source.s3); none: only bundles uploaded through the REST API.
	BundleBuckets []string
	// EnvironmentAccounts may put events on this account's default bus: their connection
	// stacks forward their stack events there.
	EnvironmentAccounts []string
	// ConsoleDir is the built web console (make web); the service stack deploys it behind
	// CloudFront when it holds an index.html, and warns at synth when not.
	ConsoleDir string
	// SyncPollMinutes is the sync poller's schedule (rate, in minutes; 0: no poller).
	SyncPollMinutes int
	// GitCredentialsSecretARN is the Secrets Manager secret of the tokens that clone
	// hosted repositories ({"GITHUB": "…", "BITBUCKET": "user:…"}); "": public ones only.
	GitCredentialsSecretARN string
	// GitHubEnterpriseURL is the base URL of the GitHub Enterprise installation whose
	// repositories are linked as GITHUB_ENTERPRISE.
	GitHubEnterpriseURL string
	// PlatformRegion is the region Gantry is deployed in: the forwarding rules target its
	// bus there. Required with Regions.
	PlatformRegion string
	// Regions are the other regions environments deploy in: each has a forwarding stack,
	// and connection stacks let Gantry's role deploy there.
	Regions []string
}

// ConfigFromContext reads the Config from the context of node (cdk.json and -c flags),
// applying the defaults. List values may be JSON arrays or comma-separated strings. It
// returns an error naming the context key whose value has the wrong type or is malformed.
func ConfigFromContext(node constructs.Node) (Config, error) {
	get := func(key string) any { return node.TryGetContext(&key) }
	cfg := Config{}
	var err error
	str := func(key, def string) string {
		if err != nil {
			return ""
		}
		var s string
		s, err = contextString(key, get(key))
		if s == "" {
			return def
		}
		return s
	}
	list := func(key string, def ...string) []string {
		if err != nil {
			return nil
		}
		var l []string
		l, err = contextList(key, get(key))
		if len(l) == 0 {
			return def
		}
		return l
	}
	cfg.AssetsDir = str(ContextAssetsDir, DefaultAssetsDir)
	cfg.JWTIssuer = str(ContextJWTIssuer, "")
	cfg.JWTAudience = list(ContextJWTAudience)
	cfg.AdminGroups = list(ContextAdminGroups, DefaultAdminGroup)
	cfg.DeveloperGroups = list(ContextDeveloperGroups, DefaultDeveloperGroup)
	cfg.GroupsClaim = str(ContextGroupsClaim, auth.DefaultGroupsClaim)
	cfg.AccountRoleName = str(ContextAccountRoleName, DefaultAccountRoleName)
	cfg.AlarmEmail = str(ContextAlarmEmail, "")
	cfg.ProvisioningPolicyARNs = list(ContextProvisioningPolicyARN)
	cfg.BundleBuckets = list(ContextBundleBuckets)
	cfg.EnvironmentAccounts = list(ContextEnvironmentAccounts)
	cfg.ConsoleDir = str(ContextConsoleDir, DefaultConsoleDir)
	cfg.GitCredentialsSecretARN = str(ContextGitCredentialsSecretARN, "")
	cfg.GitHubEnterpriseURL = str(ContextGitHubEnterpriseURL, "")
	cfg.PlatformRegion = str(ContextPlatformRegion, "")
	cfg.Regions = list(ContextRegions)
	if err == nil {
		cfg.SyncPollMinutes, err = contextMinutes(ContextSyncPollMinutes, get(ContextSyncPollMinutes), DefaultSyncPollMinutes)
	}
	if err != nil {
		return Config{}, err
	}
	return cfg, cfg.Validate()
}

// Validate reports the first malformed field: an issuer that is not an https URL, an
// account role name that is not a valid IAM role name, a policy that is not an IAM
// policy ARN, an alarm address without "@".
func (c Config) Validate() error {
	if c.JWTIssuer != "" && !strings.HasPrefix(c.JWTIssuer, "https://") {
		return fmt.Errorf("%s: %q is not an https URL", ContextJWTIssuer, c.JWTIssuer)
	}
	if c.AccountRoleName == "" || len(c.AccountRoleName) > 64 ||
		strings.Trim(c.AccountRoleName, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+=,.@_-") != "" {
		return fmt.Errorf("%s: %q is not an IAM role name", ContextAccountRoleName, c.AccountRoleName)
	}
	for _, arn := range c.ProvisioningPolicyARNs {
		if !strings.HasPrefix(arn, "arn:") || !strings.Contains(arn, ":iam::") || !strings.Contains(arn, ":policy/") {
			return fmt.Errorf("%s: %q is not an IAM managed policy ARN", ContextProvisioningPolicyARN, arn)
		}
	}
	for _, a := range c.EnvironmentAccounts {
		if len(a) != 12 || strings.Trim(a, "0123456789") != "" {
			return fmt.Errorf("%s: %q is not an AWS account id (12 digits)", ContextEnvironmentAccounts, a)
		}
	}
	if c.PlatformRegion != "" && platform.ValidateRegion(ContextPlatformRegion, c.PlatformRegion) != nil {
		return fmt.Errorf("%s: %q is not an AWS region name (like us-west-2)", ContextPlatformRegion, c.PlatformRegion)
	}
	for _, r := range c.Regions {
		if platform.ValidateRegion(ContextRegions, r) != nil {
			return fmt.Errorf("%s: %q is not an AWS region name (like us-west-2)", ContextRegions, r)
		}
	}
	switch {
	case len(c.Regions) > 0 && c.PlatformRegion == "":
		return fmt.Errorf("%s needs %s: the region Gantry runs in, whose bus the forwarding stacks target", ContextRegions, ContextPlatformRegion)
	case slices.Contains(c.Regions, c.PlatformRegion) && c.PlatformRegion != "":
		return fmt.Errorf("%s: %s is %s; list the other regions", ContextRegions, c.PlatformRegion, ContextPlatformRegion)
	}
	if c.SyncPollMinutes < 0 || c.SyncPollMinutes > 1440 {
		return fmt.Errorf("%s: %d is not from 0 (no poller) to 1440 minutes", ContextSyncPollMinutes, c.SyncPollMinutes)
	}
	if c.GitCredentialsSecretARN != "" && (!strings.HasPrefix(c.GitCredentialsSecretARN, "arn:") || !strings.Contains(c.GitCredentialsSecretARN, ":secretsmanager:")) {
		return fmt.Errorf("%s: %q is not a Secrets Manager secret ARN", ContextGitCredentialsSecretARN, c.GitCredentialsSecretARN)
	}
	if c.GitHubEnterpriseURL != "" && !strings.HasPrefix(c.GitHubEnterpriseURL, "https://") {
		return fmt.Errorf("%s: %q is not an https URL", ContextGitHubEnterpriseURL, c.GitHubEnterpriseURL)
	}
	if c.AlarmEmail != "" && !strings.Contains(c.AlarmEmail, "@") {
		return fmt.Errorf("%s: %q is not an email address", ContextAlarmEmail, c.AlarmEmail)
	}
	return nil
}

// issuer returns the configured issuer or the placeholder.
func (c Config) issuer() string {
	if c.JWTIssuer == "" {
		return PlaceholderJWTIssuer
	}
	return c.JWTIssuer
}

// audience returns the configured audience or the placeholder.
func (c Config) audience() []string {
	if len(c.JWTAudience) == 0 {
		return []string{PlaceholderJWTAudience}
	}
	return c.JWTAudience
}

// contextMinutes accepts a whole number of minutes as a JSON number (cdk.json) or a string
// (-c key=10); def when unset.
func contextMinutes(key string, v any, def int) (int, error) {
	switch v := v.(type) {
	case nil:
		return def, nil
	case float64:
		if v != float64(int(v)) {
			return 0, fmt.Errorf("%s: %v is not a whole number of minutes", key, v)
		}
		return int(v), nil
	case string:
		if strings.TrimSpace(v) == "" {
			return def, nil
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return 0, fmt.Errorf("%s: %q is not a whole number of minutes", key, v)
		}
		return n, nil
	default:
		return 0, fmt.Errorf("%s: want a number of minutes, got %T", key, v)
	}
}

func contextString(key string, v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return strings.TrimSpace(v), nil
	default:
		return "", fmt.Errorf("%s: want a string, got %T", key, v)
	}
}

// contextList accepts a JSON array of strings (cdk.json), a JSON array in a string, or a
// comma-separated string (-c key=a,b).
func contextList(key string, v any) ([]string, error) {
	var items []string
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		s := strings.TrimSpace(v)
		if strings.HasPrefix(s, "[") {
			if err := json.Unmarshal([]byte(s), &items); err != nil {
				return nil, fmt.Errorf("%s: %q is not a JSON array of strings: %w", key, s, err)
			}
		} else {
			items = strings.Split(s, ",")
		}
	case []any:
		for i, item := range v {
			s, ok := item.(string)
			if !ok {
				return nil, fmt.Errorf("%s[%d]: want a string, got %T", key, i, item)
			}
			items = append(items, s)
		}
	default:
		return nil, fmt.Errorf("%s: want a list of strings, got %T", key, v)
	}
	out := items[:0]
	for _, s := range items {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}
