package gitcredentials_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/gantry-platform/gantry/internal/awsclients/awstest"
	"github.com/gantry-platform/gantry/internal/gitcredentials"
	"github.com/gantry-platform/gantry/internal/platform"
)

const secretARN = "arn:aws:secretsmanager:us-east-1:111122223333:secret:gantry-git-AbCdEf"

// newSecret is a Secret read through the SDK's client from a local endpoint answering
// GetSecretValue with value (or with answer, when set).
func newSecret(t *testing.T, value string, answer awstest.Handler) (*gitcredentials.Secret, *awstest.Server, *time.Time) {
	t.Helper()
	srv := awstest.NewServer(t)
	if answer == nil {
		answer = func(c awstest.Call) awstest.Response {
			if id := c.JSON(t)["SecretId"]; id != secretARN {
				t.Errorf("SecretId = %v", id)
			}
			return awstest.JSONResult(map[string]any{"ARN": secretARN, "Name": "gantry-git", "SecretString": value})
		}
	}
	srv.Handle("GetSecretValue", answer)
	client := secretsmanager.NewFromConfig(awstest.Config(), func(o *secretsmanager.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return &gitcredentials.Secret{Client: client, ARN: secretARN, Now: func() time.Time { return now }}, srv, &now
}

func TestCredentialsByProvider(t *testing.T) {
	ctx := context.Background()
	s, srv, now := newSecret(t, `{"GITHUB": "ghp_one", "bitbucket": "ann:app-password"}`, nil)
	for _, tc := range []struct {
		provider    platform.RepositoryProvider
		user, token string
	}{
		{platform.GitHub, "x-access-token", "ghp_one"},
		{platform.Bitbucket, "ann", "app-password"},
		{platform.GitHubEnterprise, "", ""},
	} {
		user, token, err := s.Credentials(ctx, tc.provider)
		if err != nil || user != tc.user || token != tc.token {
			t.Errorf("Credentials(%s) = %q, %q, %v; want %q, %q", tc.provider, user, token, err, tc.user, tc.token)
		}
	}
	if n := len(srv.CallsOf("GetSecretValue")); n != 1 {
		t.Fatalf("%d reads of the secret for three answers within the TTL, want 1", n)
	}
	*now = now.Add(gitcredentials.DefaultTTL)
	if _, _, err := s.Credentials(ctx, platform.GitHub); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.CallsOf("GetSecretValue")); n != 2 {
		t.Fatalf("%d reads after the TTL, want 2 (a rotated token is read again)", n)
	}
}

func TestUnreadableSecretsNameNoToken(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newSecret(t, `ghp_not-json`, nil)
	if _, _, err := s.Credentials(ctx, platform.GitHub); err == nil || !strings.Contains(err.Error(), secretARN) || strings.Contains(err.Error(), "ghp_") {
		t.Fatalf("a secret that is not JSON: %v, want an error naming the secret, not its content", err)
	}
	denied := func(awstest.Call) awstest.Response {
		return awstest.JSONError(400, "AccessDeniedException", "not authorized to perform secretsmanager:GetSecretValue")
	}
	s, _, _ = newSecret(t, "", denied)
	if _, _, err := s.Credentials(ctx, platform.GitHub); err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Fatalf("a secret the role may not read: %v", err)
	}
}
