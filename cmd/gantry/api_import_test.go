package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/local"
)

const vpcSample = "../../../shared/conformance/proton-jinja/%s/aws-samples__aws-proton-cloudformation-sample-templates/environment-templates/vpc-env"

// TestImportProtonCommand registers a kept Proton bundle and adopts the stack AWS Proton
// deployed from it (the sample's rendering, seeded into the local platform); a second run
// changes nothing.
func TestImportProtonCommand(t *testing.T) {
	seeds := t.TempDir()
	stack := filepath.Join(seeds, "AWSProton-sample-env-cloudformation-5f6a7b")
	if err := os.MkdirAll(stack, 0o755); err != nil {
		t.Fatal(err)
	}
	rendered, err := os.ReadFile(strings.Replace(vpcSample, "%s", "expected", 1) + "/v1/environment/cloudformation.yaml")
	if err != nil {
		t.Fatal(err)
	}
	meta, _ := json.Marshal(local.SeedStackFile{Tags: map[string]string{
		"aws:proton:template":    "arn:aws:proton:us-east-1:000000000000:environment-template/vpc-env",
		"aws:proton:environment": "arn:aws:proton:us-east-1:000000000000:environment/sample-env"}})
	spec := filepath.Join(seeds, "sample-env.yaml")
	for path, body := range map[string]string{filepath.Join(stack, "template.yaml"): string(rendered), filepath.Join(stack, "stack.json"): string(meta),
		spec: "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.0.0.0/16\n  public_subnet_one_cidr: 10.0.0.0/18\n  public_subnet_two_cidr: 10.0.64.0/18\n" +
			"  private_subnet_one_cidr: 10.0.128.0/18\n  private_subnet_two_cidr: 10.0.192.0/18\n"} {
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ap := startAPIPlatform(t, func(c *local.Config) { c.SeedStacks = seeds })
	args := []string{"import", "proton", "--bundle", "environment:vpc-env=" + strings.Replace(vpcSample, "%s", "bundles", 1) + "/v1",
		"--environment-spec", "sample-env=" + spec}
	out := ap.must(t, ap.adminFile, args...)
	if !regexp.MustCompile(`(?m)^adopted: +1$`).MatchString(out) || !regexp.MustCompile(`(?m)^AWSProton-sample-env-cloudformation-5f6a7b +sample-env +ADOPTED +0 to add`).MatchString(out) {
		t.Fatalf("import printed:\n%s", out)
	}
	out = ap.must(t, ap.adminFile, args...)
	if !regexp.MustCompile(`(?m)^already adopted: +1$`).MatchString(out) {
		t.Fatalf("second import printed:\n%s", out)
	}
	if out = ap.must(t, ap.adminFile, "templates", "versions", "--kind", "environment", "vpc-env"); strings.Count(out, "PUBLISHED") != 1 {
		t.Fatalf("the second import registered another version:\n%s", out)
	}
	if out = ap.must(t, ap.adminFile, "environments", "get", "sample-env"); !regexp.MustCompile(`(?m)^stack: +AWSProton-sample-env-cloudformation-5f6a7b$`).MatchString(out) {
		t.Fatalf("adopted environment:\n%s", out)
	}
}
