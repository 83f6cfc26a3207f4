package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// TestTemplatesUpdate pins a template's recommended version with gantry templates update,
// publishes past it, and unpins.
func TestTemplatesUpdate(t *testing.T) {
	ap := startAPIPlatform(t)
	admin, dev := ap.adminFile, ap.devFile
	bundle := library + "/environments/vpc-ecs/v1"
	ap.must(t, admin, "templates", "create", "--kind", "environment", "--name", "vpc-ecs", "--description", "a network")
	ap.must(t, admin, "templates", "register", "--kind", "environment", "--name", "vpc-ecs", "--bundle", bundle, "--publish")
	ap.must(t, admin, "templates", "register", "--kind", "environment", "--name", "vpc-ecs", "--bundle", revisedBundle(t, bundle), "--major", "1", "--publish")
	line := func(field, value string) *regexp.Regexp {
		return regexp.MustCompile(`(?m)^` + field + `: +` + regexp.QuoteMeta(value) + `$`)
	}

	out := ap.must(t, admin, "templates", "update", "--kind", "environment", "--name", "vpc-ecs", "--recommended-version", "1.0", "--display-name", "VPC")
	if !line("recommended version", "1.0 (pinned)").MatchString(out) || !line("display name", "VPC").MatchString(out) || !line("description", "a network").MatchString(out) {
		t.Fatalf("update printed:\n%s", out)
	}
	// Publishing 2.0 leaves the pinned 1.0 recommended.
	ap.must(t, admin, "templates", "register", "--kind", "environment", "--name", "vpc-ecs", "--bundle", bundle, "--publish")
	if out := ap.must(t, dev, "templates", "get", "--kind", "environment", "vpc-ecs"); !line("recommended version", "1.0 (pinned)").MatchString(out) {
		t.Fatalf("get after publishing 2.0 printed:\n%s", out)
	}
	if out := ap.must(t, dev, "templates", "list", "--kind", "environment"); !regexp.MustCompile(`(?m)^vpc-ecs +VPC +1\.0 `).MatchString(out) {
		t.Fatalf("list printed:\n%s", out)
	}

	// The API refuses a developer and a version that does not exist.
	code, _, errOut := ap.as(t, dev, "templates", "update", "--kind", "environment", "--name", "vpc-ecs", "--recommended-version", "2.0")
	if code != exitProblems || !strings.Contains(errOut, "AccessDeniedException: UpdateEnvironmentTemplate needs the admin role") || !requestID.MatchString(errOut) {
		t.Fatalf("as a developer: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = ap.as(t, admin, "templates", "update", "--kind", "environment", "--name", "vpc-ecs", "--recommended-version", "1.9")
	if code != exitProblems || !strings.Contains(errOut, "ValidationException: recommendedVersion") || !strings.Contains(errOut, "no version 1.9") {
		t.Fatalf("an unknown version: exit %d, stderr %q", code, errOut)
	}

	// Unpinning recommends the highest published version; "" clears the description.
	var tmpl map[string]any
	out = ap.must(t, admin, "templates", "update", "--kind", "environment", "--name", "vpc-ecs", "--recommended-version", "latest", "--description", "", "--output", "json")
	if err := json.Unmarshal([]byte(out), &tmpl); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if tmpl["recommendedVersion"] != "2.0" || tmpl["recommendedVersionPinned"] != nil || tmpl["description"] != nil || tmpl["displayName"] != "VPC" {
		t.Fatalf("after unpinning: %s", out)
	}
}

func TestTemplatesUpdateUsageErrors(t *testing.T) {
	t.Setenv(tokenEnv, "a-token")
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"templates", "update", "--kind", "environment", "--name", "vpc"}, "nothing to change"},
		{[]string{"templates", "update", "--kind", "environment", "--name", "vpc", "--recommended-version", "newest"}, `not "newest"`},
		{[]string{"templates", "update", "--kind", "environment", "--name", "vpc", "--recommended-version", "1"}, "MAJOR.MINOR or latest"},
		{[]string{"templates", "update", "--name", "vpc", "--recommended-version", "1.0"}, "--kind is required"},
		{[]string{"templates", "update", "--kind", "environment", "--display-name", "VPC"}, "name the template"},
	} {
		code, out, errOut := gantry(t, c.args...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, "usage:") || !strings.Contains(errOut, c.says) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want usage saying %q and exit 2", c.args, code, out, errOut, c.says)
		}
	}
}

// TestTemplateVersionVerbs deprecates, restores, updates and deletes versions with gantry
// templates version …, then deletes the emptied template with gantry templates delete.
func TestTemplateVersionVerbs(t *testing.T) {
	ap := startAPIPlatform(t)
	admin, dev := ap.adminFile, ap.devFile
	bundle := library + "/environments/vpc-ecs/v1"
	tmpl := []string{"--kind", "environment", "--name", "vpc-ecs"}
	with := func(verb []string, more ...string) []string {
		return append(append(append([]string{}, verb...), tmpl...), more...)
	}
	ap.must(t, admin, with([]string{"templates", "create"})...)
	ap.must(t, admin, with([]string{"templates", "register"}, "--bundle", bundle, "--publish")...)
	ap.must(t, admin, with([]string{"templates", "register"}, "--bundle", revisedBundle(t, bundle), "--major", "1", "--publish")...)

	out := ap.must(t, admin, with([]string{"templates", "version", "deprecate"}, "--version", "1.1")...)
	if !strings.Contains(out, "DEPRECATED") {
		t.Fatalf("deprecate printed:\n%s", out)
	}
	var tv map[string]any
	out = ap.must(t, admin, with([]string{"--output", "json", "templates", "version", "update"}, "--version", "1.1", "--status", "published", "--description", "back")...)
	if err := json.Unmarshal([]byte(out), &tv); err != nil || tv["status"] != "PUBLISHED" || tv["description"] != "back" {
		t.Fatalf("update printed %s (%v)", out, err)
	}
	code, _, errOut := ap.as(t, dev, with([]string{"templates", "version", "delete"}, "--version", "1.0")...)
	if code != exitProblems || !strings.Contains(errOut, "AccessDeniedException") {
		t.Fatalf("delete as a developer: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = ap.as(t, admin, with([]string{"templates", "version", "delete"}, "--version", "1.1")...)
	if code != exitProblems || !strings.Contains(errOut, "ConflictException") || !strings.Contains(errOut, "recommended version") {
		t.Fatalf("delete the recommended 1.1: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = ap.as(t, admin, with([]string{"templates", "delete"})...)
	if code != exitProblems || !strings.Contains(errOut, "still has versions") {
		t.Fatalf("delete the template with versions: exit %d, stderr %q", code, errOut)
	}
	ap.must(t, admin, with([]string{"templates", "version", "delete"}, "--version", "1.0")...)
	ap.must(t, admin, with([]string{"templates", "version", "delete"}, "--version", "1.1")...)
	if out := ap.must(t, admin, with([]string{"templates", "delete"})...); !strings.Contains(out, "vpc-ecs") {
		t.Fatalf("templates delete printed:\n%s", out)
	}
	code, _, errOut = ap.as(t, admin, "templates", "version", "update", "--kind", "environment", "--name", "x", "--version", "1.0")
	if code != exitUsage || !strings.Contains(errOut, "nothing to change") {
		t.Fatalf("update with nothing to change: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = ap.as(t, admin, "templates", "version", "delete", "--kind", "environment", "--name", "x")
	if code != exitUsage || !strings.Contains(errOut, "--version is required") {
		t.Fatalf("delete without --version: exit %d, stderr %q", code, errOut)
	}
}
