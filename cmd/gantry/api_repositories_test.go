package main

import (
	"strings"
	"testing"
)

// TestRepositoryCommands links a repository, names it in the account settings, and
// unlinks it once they no longer do; a developer may read but not change either.
func TestRepositoryCommands(t *testing.T) {
	ap := startAPIPlatform(t)
	conn := "arn:aws:codestar-connections:us-east-1:111122223333:connection/0a1b2c"
	create := []string{"repositories", "create", "--provider", "GITHUB", "--name", "acme/infra.live", "--connection-arn", conn, "--tag", "team=platform"}
	if code, _, errOut := ap.as(t, ap.devFile, create...); code != exitProblems || !strings.Contains(errOut, "AccessDeniedException") {
		t.Fatalf("developer linking a repository: exit %d, %s", code, errOut)
	}
	out := ap.must(t, ap.adminFile, create...)
	if !strings.Contains(out, "arn:aws:proton:us-east-1:000000000000:repository/github:acme/infra.live") {
		t.Fatalf("repositories create printed %q, want the repository's ARN", out)
	}
	if code, _, errOut := ap.as(t, ap.adminFile, create...); code != exitProblems || !strings.Contains(errOut, "ConflictException") {
		t.Fatalf("linking it twice: exit %d, %s", code, errOut)
	}
	if listed := ap.must(t, ap.devFile, "repositories", "list"); !strings.Contains(listed, "acme/infra.live") || !strings.Contains(listed, conn) {
		t.Fatalf("repositories list = %q", listed)
	}
	if got := ap.must(t, ap.devFile, "repositories", "get", "GITHUB:acme/infra.live"); !strings.Contains(got, conn) {
		t.Fatalf("repositories get = %q", got)
	}
	if code, _, errOut := ap.as(t, ap.devFile, "repositories", "get", "--provider", "BITBUCKET", "--name", "acme/infra.live"); code != exitProblems || !strings.Contains(errOut, "not found") {
		t.Fatalf("another provider's repository: exit %d, %s", code, errOut)
	}
	if code, _, errOut := ap.as(t, ap.devFile, "repositories", "get", "GITLAB:acme/infra.live"); code != exitProblems || !strings.Contains(errOut, "provider") {
		t.Fatalf("an unknown provider: exit %d, %s", code, errOut)
	}

	role := "arn:aws:iam::111122223333:role/pipelines"
	update := []string{"account-settings", "update", "--pipeline-repository", "GITHUB:acme/infra.live", "--pipeline-branch", "main", "--pipeline-service-role-arn", role}
	if code, _, errOut := ap.as(t, ap.devFile, update...); code != exitProblems || !strings.Contains(errOut, "AccessDeniedException") {
		t.Fatalf("developer changing the account settings: exit %d, %s", code, errOut)
	}
	ap.must(t, ap.adminFile, update...)
	if got := ap.must(t, ap.devFile, "account-settings", "get"); !strings.Contains(got, "GITHUB:acme/infra.live (branch main)") || !strings.Contains(got, role) {
		t.Fatalf("account-settings get = %q", got)
	}
	if code, _, errOut := ap.as(t, ap.adminFile, "repositories", "delete", "GITHUB:acme/infra.live"); code != exitProblems || !strings.Contains(errOut, "pipeline provisioning repository") {
		t.Fatalf("unlinking the pipeline repository: exit %d, %s", code, errOut)
	}
	got := ap.must(t, ap.adminFile, "account-settings", "update", "--delete-pipeline-repository", "--pipeline-service-role-arn", "")
	if strings.Contains(got, "acme/infra.live") || strings.Contains(got, role) {
		t.Fatalf("account settings after removing both = %q", got)
	}
	ap.must(t, ap.adminFile, "repositories", "delete", "GITHUB:acme/infra.live")
	if listed := ap.must(t, ap.devFile, "repositories", "list"); strings.Contains(listed, "acme/infra.live") {
		t.Fatalf("repositories list after unlinking = %q", listed)
	}
}
