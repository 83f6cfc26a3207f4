package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/local"
)

var connectionID = regexp.MustCompile(`(?m)^id:\s+([0-9a-f-]{36})$`)

// TestAccountConnectionCommands requests a connection with gantry account-connection
// create as an admin of a workload account (a token with its account claim), accepts it
// as an admin of the management account, lists it from both sides, and shows the
// refusals of the wrong side.
func TestAccountConnectionCommands(t *testing.T) {
	ap := startAPIPlatform(t)
	token, err := ap.platform.Issuer.IssueIn("erin", []string{"gantry-admins"}, "222222222222", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	workload := filepath.Join(t.TempDir(), "workload.token")
	if err := os.WriteFile(workload, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := ap.must(t, workload, "account-connection", "create", "--management-account", local.AccountID, "--environment", "prod",
		"--role-arn", "arn:aws:iam::222222222222:role/gantry", "--tag", "team=ops")
	m := connectionID.FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "PENDING") {
		t.Fatalf("create printed %q", out)
	}
	id := m[1]
	if code, _, errOut := ap.as(t, workload, "account-connection", "accept", id); code != exitProblems || !strings.Contains(errOut, "management account") {
		t.Fatalf("the workload account accepting: exit %d, %s", code, errOut)
	}
	if code, _, errOut := ap.as(t, ap.adminFile, "account-connection", "create", "--management-account", local.AccountID, "--environment", "beta",
		"--role-arn", "arn:aws:iam::"+local.AccountID+":role/gantry"); code != exitProblems || !strings.Contains(errOut, "environment account") {
		t.Fatalf("the management account requesting: exit %d, %s", code, errOut)
	}
	if out := ap.must(t, ap.adminFile, "account-connection", "accept", id); !strings.Contains(out, "CONNECTED") {
		t.Fatalf("accept printed %q", out)
	}
	if out := ap.must(t, ap.adminFile, "account-connection", "list", "--requested-by", "MANAGEMENT_ACCOUNT"); !strings.Contains(out, id) || !strings.Contains(out, "222222222222") {
		t.Fatalf("the management account's list = %q", out)
	}
	if out := ap.must(t, workload, "account-connection", "list", "--status", "CONNECTED"); !strings.Contains(out, id) {
		t.Fatalf("the workload account's list = %q", out)
	}
	if out := ap.must(t, ap.adminFile, "account-connection", "list"); strings.Contains(out, id) {
		t.Fatalf("the management account requested nothing, yet lists %q", out)
	}
	if out := ap.must(t, workload, "account-connection", "update", "--component-role-arn", "arn:aws:iam::222222222222:role/components", id); !strings.Contains(out, "role/components") || !strings.Contains(out, "role/gantry") {
		t.Fatalf("update printed %q", out)
	}
	ap.must(t, workload, "account-connection", "delete", id)
	if code, _, errOut := ap.as(t, workload, "account-connection", "get", id); code != exitProblems || !strings.Contains(errOut, "not found") {
		t.Fatalf("get after delete: exit %d, %s", code, errOut)
	}
}
