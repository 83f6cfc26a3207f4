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

// TestImportProtonCommand registers a kept Proton bundle and adopts the stacks AWS Proton
// deployed from it (the sample's rendering, seeded into the local platform): one in the
// platform's region, one in us-west-2 (--regions); a second run changes nothing.
func TestImportProtonCommand(t *testing.T) {
	seeds := t.TempDir()
	rendered, err := os.ReadFile(strings.Replace(vpcSample, "%s", "expected", 1) + "/v1/environment/cloudformation.yaml")
	if err != nil {
		t.Fatal(err)
	}
	spec := "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.0.0.0/16\n  public_subnet_one_cidr: 10.0.0.0/18\n  public_subnet_two_cidr: 10.0.64.0/18\n" +
		"  private_subnet_one_cidr: 10.0.128.0/18\n  private_subnet_two_cidr: 10.0.192.0/18\n"
	args := []string{"import", "proton", "--bundle", "environment:vpc-env=" + strings.Replace(vpcSample, "%s", "bundles", 1) + "/v1", "--regions", "us-east-1,us-west-2"}
	for env, stack := range map[string]string{"sample-env": "AWSProton-sample-env-cloudformation-5f6a7b",
		"west-env": filepath.Join(local.AccountID, "us-west-2", "AWSProton-west-env-cloudformation-8c9d0e")} {
		stack = filepath.Join(seeds, stack)
		if err := os.MkdirAll(stack, 0o755); err != nil {
			t.Fatal(err)
		}
		meta, _ := json.Marshal(local.SeedStackFile{Tags: map[string]string{
			"aws:proton:template":    "arn:aws:proton:us-east-1:000000000000:environment-template/vpc-env",
			"aws:proton:environment": "arn:aws:proton:us-east-1:000000000000:environment/" + env}})
		specFile := filepath.Join(t.TempDir(), env+".yaml")
		for path, body := range map[string]string{filepath.Join(stack, "template.yaml"): strings.ReplaceAll(string(rendered), "sample-env", env),
			filepath.Join(stack, "stack.json"): string(meta), specFile: spec} {
			if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		args = append(args, "--environment-spec", env+"="+specFile)
	}
	ap := startAPIPlatform(t, func(c *local.Config) { c.SeedStacks, c.Regions = seeds, []string{"us-west-2"} })
	out := ap.must(t, ap.adminFile, args...)
	if !regexp.MustCompile(`(?m)^adopted: +2$`).MatchString(out) || !regexp.MustCompile(`(?m)^AWSProton-sample-env-cloudformation-5f6a7b +sample-env +ADOPTED +0 to add`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^AWSProton-west-env-cloudformation-8c9d0e +us-west-2/west-env +ADOPTED +0 to add`).MatchString(out) {
		t.Fatalf("import printed:\n%s", out)
	}
	out = ap.must(t, ap.adminFile, args...)
	if !regexp.MustCompile(`(?m)^already adopted: +2$`).MatchString(out) {
		t.Fatalf("second import printed:\n%s", out)
	}
	if out = ap.must(t, ap.adminFile, "templates", "versions", "--kind", "environment", "vpc-env"); strings.Count(out, "PUBLISHED") != 1 {
		t.Fatalf("the second import registered another version:\n%s", out)
	}
	if out = ap.must(t, ap.adminFile, "environments", "get", "sample-env"); !regexp.MustCompile(`(?m)^stack: +AWSProton-sample-env-cloudformation-5f6a7b$`).MatchString(out) {
		t.Fatalf("adopted environment:\n%s", out)
	}
	if out = ap.must(t, ap.adminFile, "environments", "get", "west-env"); !regexp.MustCompile(`(?m)^region: +us-west-2$`).MatchString(out) {
		t.Fatalf("adopted environment in us-west-2:\n%s", out)
	}
}

const pipelineSample = "../../../shared/conformance/proton-jinja/%s/aws-samples__aws-proton-cloudformation-sample-templates/loadbalanced-fargate-svc"

// TestImportProtonPipelineCommand adopts a service with its pipeline from the command
// line: the instance's and the pipeline's stacks as AWS Proton rendered them from the
// public loadbalanced-fargate-svc sample, the service's repository given with
// --service-repository; the report names the pipeline's stack and a malformed
// --service-repository is a usage error.
func TestImportProtonPipelineCommand(t *testing.T) {
	sample := func(part string) string { return strings.Replace(pipelineSample, "%s", part, 1) }
	var ctx struct {
		Environment struct {
			Outputs map[string]string `json:"outputs"`
		} `json:"environment"`
		Service struct {
			Branch     string `json:"branch_name"`
			Connection string `json:"repository_connection_arn"`
			Repository string `json:"repository_id"`
		} `json:"service"`
	}
	raw, err := os.ReadFile(sample("contexts") + "/loadbalanced-fargate-svc/v1/instance.cloudformation.yaml.json")
	if err == nil {
		err = json.Unmarshal(raw, &ctx)
	}
	if err != nil {
		t.Fatal(err)
	}
	const arn = "arn:aws:proton:us-east-1:000000000000:"
	const instanceStack, pipelineStack = "AWSProton-sample-svc-frontend-dev-cloudformation--INST", "AWSProton-sample-svc-cloudformation--PIPE"
	seeds := t.TempDir()
	for stack, seed := range map[string]struct {
		template string
		tags     map[string]string
	}{
		instanceStack: {"instance", map[string]string{"aws:proton:template": arn + "service-template/loadbalanced-fargate-svc", "aws:proton:environment": arn + "environment/Beta",
			"aws:proton:service": arn + "service/sample-svc", "aws:proton:service-instance": arn + "service/sample-svc/service-instance/frontend-dev"}},
		pipelineStack: {"pipeline", map[string]string{"aws:proton:template": arn + "service-template/loadbalanced-fargate-svc", "aws:proton:service": arn + "service/sample-svc"}},
	} {
		rendered, err := os.ReadFile(sample("expected") + "/loadbalanced-fargate-svc/v1/" + seed.template + "/cloudformation.yaml")
		if err != nil {
			t.Fatal(err)
		}
		meta, _ := json.Marshal(local.SeedStackFile{Tags: seed.tags})
		body := strings.ReplaceAll(string(rendered), "arn:aws:iam::123456789012:root", "arn:aws:iam::000000000000:root") // the local account's environment
		if err := os.MkdirAll(filepath.Join(seeds, stack), 0o755); err != nil {
			t.Fatal(err)
		}
		for file, content := range map[string]string{"template.yaml": body, "stack.json": string(meta)} {
			if err := os.WriteFile(filepath.Join(seeds, stack, file), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	outputs := filepath.Join(t.TempDir(), "outputs.json")
	if raw, _ := json.Marshal(ctx.Environment.Outputs); os.WriteFile(outputs, raw, 0o644) != nil {
		t.Fatal("cannot write the outputs")
	}
	ap := startAPIPlatform(t, func(c *local.Config) { c.SeedStacks = seeds })
	ap.must(t, ap.adminFile, "templates", "create", "--kind", "environment", "--name", "loadbalanced-fargate-env")
	ap.must(t, ap.adminFile, "templates", "register", "--kind", "environment", "--name", "loadbalanced-fargate-env", "--bundle", sample("bundles")+"/loadbalanced-fargate-env/v1", "--publish")
	ap.must(t, ap.adminFile, "environments", "create", "--name", "Beta", "--template", "loadbalanced-fargate-env", "--major", "1",
		"--spec", sample("bundles")+"/specs/env-spec.yaml", "--outputs", outputs)

	args := []string{"import", "proton", "--bundle", "service:loadbalanced-fargate-svc=" + sample("bundles") + "/loadbalanced-fargate-svc/v1",
		"--service-spec", "sample-svc=" + sample("bundles") + "/specs/svc-spec.yaml"}
	if code, _, errOut := ap.as(t, ap.adminFile, append(args, "--service-repository", "sample-svc="+ctx.Service.Connection)...); code != exitUsage || !strings.Contains(errOut, "NAME=CONNECTION_ARN,REPOSITORY_ID,BRANCH") {
		t.Fatalf("a --service-repository without its repository and branch: exit %d, stderr %q", code, errOut)
	}
	out := ap.must(t, ap.adminFile, append(args, "--service-repository", "sample-svc="+ctx.Service.Connection+","+ctx.Service.Repository+","+ctx.Service.Branch)...)
	if !regexp.MustCompile(`(?m)^adopted: +2$`).MatchString(out) || !regexp.MustCompile(`(?m)^`+pipelineStack+` +sample-svc \(pipeline\) +ADOPTED +0 to add`).MatchString(out) {
		t.Fatalf("import printed:\n%s", out)
	}
	if out = ap.must(t, ap.adminFile, "services", "get", "sample-svc"); !strings.Contains(out, pipelineStack) || !strings.Contains(out, ctx.Service.Repository) {
		t.Fatalf("the adopted service:\n%s", out)
	}
}
