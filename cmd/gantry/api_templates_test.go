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
	ap.must(t, admin, "templates", "register", "--kind", "environment", "--name", "vpc-ecs", "--bundle", bundle, "--major", "1", "--publish")
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
