package awsclients

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
)

// DefaultExpiryWindow is how long before assumed credentials expire AssumedRole assumes
// the role again.
const DefaultExpiryWindow = 5 * time.Minute

// AssumedRole returns a copy of cfg whose credentials are those of roleARN, assumed
// through client (STS AssumeRole) with externalID and sessionName: assumed on first use,
// cached, and assumed again window (DefaultExpiryWindow when 0) before they expire. It
// makes no call itself; a refused AssumeRole is the error of the first request signed
// with them.
func AssumedRole(cfg aws.Config, client stscreds.AssumeRoleAPIClient, roleARN, externalID, sessionName string, window time.Duration) aws.Config {
	if window <= 0 {
		window = DefaultExpiryWindow
	}
	provider := stscreds.NewAssumeRoleProvider(client, roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = sessionName
		if externalID != "" {
			o.ExternalID = aws.String(externalID)
		}
	})
	out := cfg.Copy()
	out.Credentials = aws.NewCredentialsCache(provider, func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = window })
	return out
}
