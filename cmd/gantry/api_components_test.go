package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestComponentAndTagCommands drives components and tags through the CLI: the
// environment's CodeBuild role set with --codebuild-role (the component role kept); a
// detached component created and waited for, shown, listed, its outputs; the environment tagged
// and untagged by ARN; the component deleted and its history listed.
func TestComponentAndTagCommands(t *testing.T) {
	ap := startAPIPlatform(t)
	admin, dev := ap.adminFile, ap.devFile
	ap.must(t, admin, "templates", "create", "--kind", "environment", "--name", "vpc-ecs")
	ap.must(t, admin, "templates", "register", "--kind", "environment", "--name", "vpc-ecs", "--bundle", library+"/environments/vpc-ecs/v1", "--publish")
	ap.must(t, admin, "environments", "create", "--name", "beta", "--template", "vpc-ecs", "--major", "1",
		"--spec", library+"/environments/vpc-ecs/tests/defaults/spec.yaml", "--component-role", "arn:aws:iam::000000000000:role/gantry-components",
		"--wait", "--interval", "10ms")
	ap.must(t, admin, "environments", "update", "--name", "beta", "--deployment-type", "NONE", "--codebuild-role", "arn:aws:iam::000000000000:role/gantry-builds")
	if out := ap.must(t, admin, "environments", "get", "beta"); !regexp.MustCompile(`(?m)^codebuild role: +arn:aws:iam::000000000000:role/gantry-builds$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^component role: +arn:aws:iam::000000000000:role/gantry-components$`).MatchString(out) {
		t.Fatalf("environments get after --codebuild-role:\n%s", out)
	}

	dir := t.TempDir()
	manifest, template := filepath.Join(dir, "manifest.yaml"), filepath.Join(dir, "cloudformation.yaml")
	for file, text := range map[string]string{
		manifest: "infrastructure:\n  templates:\n    - file: cloudformation.yaml\n      rendering_engine: jinja\n      template_language: cloudformation\n",
		template: "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\nOutputs:\n  BucketName:\n    Value: !Ref Bucket\n  Owner:\n    Value: \"{{ component.name }} in {{ environment.name }}\"\n",
	} {
		if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out := ap.must(t, dev, "components", "create", "--name", "logs", "--environment", "beta", "--manifest", manifest,
		"--template-file", template, "--tag", "team=ops", "--wait", "--interval", "10ms")
	if !strings.Contains(out, "component logs: IN_PROGRESS") || !strings.Contains(out, "component logs: SUCCEEDED") {
		t.Fatalf("create --wait printed:\n%s", out)
	}
	out = ap.must(t, dev, "components", "get", "logs")
	if !regexp.MustCompile(`(?m)^arn: +arn:aws:proton:us-east-1:000000000000:component/logs$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^attached to: +-$`).MatchString(out) {
		t.Fatalf("get printed:\n%s", out)
	}
	out = ap.must(t, dev, "components", "list", "--environment", "beta")
	if !regexp.MustCompile(`(?m)^logs +beta +- +SUCCEEDED `).MatchString(out) {
		t.Fatalf("list printed:\n%s", out)
	}
	out = ap.must(t, dev, "summary")
	if !regexp.MustCompile(`(?m)^environments +1 +0 +1 +0 +0$`).MatchString(out) || !regexp.MustCompile(`(?m)^components +1 +0 +- +- +-$`).MatchString(out) {
		t.Fatalf("summary printed:\n%s", out)
	}
	out = ap.must(t, dev, "components", "outputs", "logs")
	if !regexp.MustCompile(`(?m)^Owner +logs in beta$`).MatchString(out) {
		t.Fatalf("outputs printed:\n%s", out)
	}
	out = ap.must(t, dev, "components", "resources", "logs")
	if !regexp.MustCompile(`(?m)^Bucket +\S+ +CLOUDFORMATION$`).MatchString(out) {
		t.Fatalf("resources printed:\n%s", out)
	}
	out = ap.must(t, dev, "environments", "resources", "--output", "json", "beta")
	if !strings.Contains(out, `"provisioningEngine":"CLOUDFORMATION"`) {
		t.Fatalf("environments resources --output json printed:\n%s", out)
	}
	out = ap.must(t, dev, "environments", "get", "beta")
	if !regexp.MustCompile(`(?m)^component role: +arn:aws:iam::000000000000:role/gantry-components$`).MatchString(out) {
		t.Fatalf("get printed:\n%s", out)
	}
	out = ap.must(t, dev, "tags", "arn:aws:proton:us-east-1:000000000000:component/logs")
	if !regexp.MustCompile(`(?m)^team +ops$`).MatchString(out) {
		t.Fatalf("tags printed:\n%s", out)
	}

	envARN := "arn:aws:proton:us-east-1:000000000000:environment/beta"
	if code, _, errOut := ap.as(t, dev, "tag", envARN, "cost=1"); code != exitProblems || !strings.Contains(errOut, "admin role") {
		t.Fatalf("a developer tagging an environment: exit %d, %s", code, errOut)
	}
	out = ap.must(t, admin, "tag", envARN, "cost=1", "owner=platform")
	if !regexp.MustCompile(`(?m)^cost +1\nowner +platform$`).MatchString(out) {
		t.Fatalf("tag printed:\n%s", out)
	}
	out = ap.must(t, admin, "untag", envARN, "cost")
	if strings.Contains(out, "cost") || !strings.Contains(out, "owner") {
		t.Fatalf("untag printed:\n%s", out)
	}
	if code, _, errOut := ap.as(t, admin, "tag", envARN, "no-value"); code != exitUsage || !strings.Contains(errOut, "KEY=VALUE") {
		t.Fatalf("tag without KEY=VALUE: exit %d, %s", code, errOut)
	}

	out = ap.must(t, dev, "components", "delete", "logs", "--wait", "--interval", "10ms")
	if !strings.Contains(out, "component logs: DELETE_COMPLETE") {
		t.Fatalf("delete --wait printed:\n%s", out)
	}
	out = ap.must(t, dev, "deployments", "list", "--component", "logs")
	if !regexp.MustCompile(`(?m)^[0-9a-f-]+ +component logs +DELETE +.*DELETE_COMPLETE`).MatchString(out) {
		t.Fatalf("deployments list --component printed:\n%s", out)
	}
}
