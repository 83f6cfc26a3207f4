// Package gitcredentials reads the tokens with which Gantry on AWS clones the linked
// repositories of hosted providers (GitHub, GitHub Enterprise, Bitbucket) from one AWS
// Secrets Manager secret. The tokens stay in memory: never in DynamoDB, never in a log or
// an error.
package gitcredentials

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Client is the part of the Secrets Manager client the Secret uses.
type Client interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

var _ Client = (*secretsmanager.Client)(nil)

// DefaultTTL is how long a Secret keeps what it read before reading it again (a rotated
// token is picked up within that time).
const DefaultTTL = 5 * time.Minute

// Secret is a secret whose string is a JSON object of tokens by provider:
//
//	{"GITHUB": "ghp_…", "BITBUCKET": "user:app-password", "GITHUB_ENTERPRISE": "…"}
//
// A value "user:token" names the user; a bare token goes with the provider's token user
// (x-access-token for GitHub, x-token-auth for Bitbucket).
type Secret struct {
	Client Client
	// ARN is the secret's ARN.
	ARN string
	// TTL is how long a read is kept (DefaultTTL when 0); Now is the clock (time.Now).
	TTL time.Duration
	Now func() time.Time

	mu     sync.Mutex
	tokens map[platform.RepositoryProvider]string
	readAt time.Time
}

// tokenUsers are the user names that go with a bare token.
var tokenUsers = map[platform.RepositoryProvider]string{
	platform.GitHub:           "x-access-token",
	platform.GitHubEnterprise: "x-access-token",
	platform.Bitbucket:        "x-token-auth",
}

// Credentials returns the user name and token of provider's repositories (a
// gitsync.Credentials); "", "" when the secret has none for it. Errors: Internal when
// the secret cannot be read or is not a JSON object of strings — the message names the
// secret, never its content.
func (s *Secret) Credentials(ctx context.Context, provider platform.RepositoryProvider) (string, string, error) {
	tokens, err := s.read(ctx)
	if err != nil {
		return "", "", err
	}
	value := tokens[provider]
	if value == "" {
		return "", "", nil
	}
	if user, token, ok := strings.Cut(value, ":"); ok && user != "" && token != "" {
		return user, token, nil
	}
	return tokenUsers[provider], value, nil
}

func (s *Secret) read(ctx context.Context) (map[platform.RepositoryProvider]string, error) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	ttl := s.TTL
	if ttl == 0 {
		ttl = DefaultTTL
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tokens != nil && now().Sub(s.readAt) < ttl {
		return s.tokens, nil
	}
	out, err := s.Client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &s.ARN})
	if err != nil {
		return nil, fmt.Errorf("gitcredentials: read the secret %s: %w", s.ARN, err)
	}
	var raw map[string]string
	if out.SecretString == nil || json.Unmarshal([]byte(*out.SecretString), &raw) != nil {
		return nil, platform.Errorf(platform.Internal, "gitcredentials: the secret %s is not a JSON object of tokens by provider (GITHUB, GITHUB_ENTERPRISE, BITBUCKET)", s.ARN)
	}
	tokens := make(map[platform.RepositoryProvider]string, len(raw))
	for p, v := range raw {
		tokens[platform.RepositoryProvider(strings.ToUpper(strings.TrimSpace(p)))] = strings.TrimSpace(v)
	}
	s.tokens, s.readAt = tokens, now()
	return tokens, nil
}
