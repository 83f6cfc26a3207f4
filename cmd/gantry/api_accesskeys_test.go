package main

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/proton"
	"github.com/aws/smithy-go"
)

var exportLine = regexp.MustCompile(`^export AWS_ACCESS_KEY_ID=(GKIA[A-Z2-7]{16}) AWS_SECRET_ACCESS_KEY=(\S{40})\n$`)

// TestAccessKeyCommands issues a developer's access key with gantry access-keys create,
// signs Proton requests with it through the official SDK, and disables, enables and
// deletes it; a developer may not manage keys.
func TestAccessKeyCommands(t *testing.T) {
	ap := startAPIPlatform(t)
	if code, _, errOut := ap.as(t, ap.devFile, "access-keys", "create", "--role", "developer"); code != exitProblems || !strings.Contains(errOut, "AccessDeniedException") {
		t.Fatalf("developer creating a key: exit %d, %s", code, errOut)
	}
	if code, _, errOut := ap.as(t, ap.adminFile, "access-keys", "create", "--role", "root"); code != exitProblems || !strings.Contains(errOut, "role") {
		t.Fatalf("unknown role: exit %d, %s", code, errOut)
	}
	out := ap.must(t, ap.adminFile, "access-keys", "create", "--role", "developer", "--team", "payments")
	m := exportLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("access-keys create printed %q, want the two exports", out)
	}
	id, secret := m[1], m[2]
	listed := ap.must(t, ap.adminFile, "access-keys", "list")
	if !strings.Contains(listed, id) || !strings.Contains(listed, "payments") || strings.Contains(listed, secret) {
		t.Fatalf("access-keys list = %q, want the key, its team and no secret", listed)
	}
	client := proton.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(id, secret, ""), RetryMaxAttempts: 1},
		func(o *proton.Options) { o.BaseEndpoint = aws.String(ap.url) })
	call := func() error {
		_, err := client.ListEnvironments(t.Context(), &proton.ListEnvironmentsInput{})
		return err
	}
	wantCode := func(what, code string) {
		t.Helper()
		var apiErr smithy.APIError
		if err := call(); !errors.As(err, &apiErr) || apiErr.ErrorCode() != code {
			t.Fatalf("%s: %v, want %s", what, err, code)
		}
	}
	if err := call(); err != nil {
		t.Fatalf("a request signed by the new key: %v", err)
	}
	if out := ap.must(t, ap.adminFile, "access-keys", "disable", id); !strings.Contains(out, "Inactive") {
		t.Fatalf("access-keys disable printed %q", out)
	}
	wantCode("a disabled key", "UnrecognizedClientException")
	ap.must(t, ap.adminFile, "access-keys", "enable", id)
	if err := call(); err != nil {
		t.Fatalf("a re-enabled key: %v", err)
	}
	ap.must(t, ap.adminFile, "access-keys", "delete", "--id", id)
	wantCode("a deleted key", "UnrecognizedClientException")
	if code, _, errOut := ap.as(t, ap.adminFile, "access-keys", "delete", id); code != exitProblems || !strings.Contains(errOut, "ResourceNotFoundException") {
		t.Fatalf("deleting a deleted key: exit %d, %s", code, errOut)
	}
}
