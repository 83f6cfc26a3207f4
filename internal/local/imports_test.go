package local

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/dynamolocal"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

const protonSamples = "../../../shared/conformance/proton-jinja/%s/aws-samples__aws-proton-cloudformation-sample-templates/environment-templates/%s"

// protonEnvironment is an environment AWS Proton deployed from one of the public sample
// bundles: its stack is the template Proton's renderer (Jinja2) produced for the sample's
// context, under the environment's own name.
type protonEnvironment struct {
	name, template, stack string
	drift                 func(string) string // changes the live stack's template (nil: none)
}

// seedProtonStacks writes the environments' stacks as AWS Proton left them: AWSProton-*
// names, its aws:proton:* tags and outputs.
func seedProtonStacks(t *testing.T, envs []protonEnvironment) (dir string, specs map[string]string) {
	t.Helper()
	dir, specs = t.TempDir(), map[string]string{}
	for _, e := range envs {
		rendered := platformtest.ReadFile(t, fmt.Sprintf(protonSamples, "expected", e.template)+"/v1/environment/cloudformation.yaml")
		rendered = strings.ReplaceAll(rendered, "sample-env", e.name) // the context's environment name
		if e.drift != nil {
			rendered = e.drift(rendered)
		}
		var context struct {
			Environment struct {
				Inputs map[string]any `json:"inputs"`
			} `json:"environment"`
		}
		raw := platformtest.ReadFile(t, fmt.Sprintf(protonSamples, "contexts", e.template)+"/v1/environment.cloudformation.yaml.json")
		if err := json.Unmarshal([]byte(raw), &context); err != nil {
			t.Fatal(err)
		}
		inputs, _ := json.Marshal(context.Environment.Inputs)
		specs[e.name] = "proton: EnvironmentSpec\nspec: " + string(inputs) + "\n"
		writeSeedStack(t, dir, e.stack, rendered, SeedStackFile{
			Tags: map[string]string{
				"aws:proton:account":     "arn:aws:iam::000000000000:root",
				"aws:proton:template":    "arn:aws:proton:us-east-1:000000000000:environment-template/" + e.template,
				"aws:proton:environment": "arn:aws:proton:us-east-1:000000000000:environment/" + e.name,
			},
			Outputs: []SeedOutput{{Key: "ProtonImported", Value: e.name + "-output"}},
		})
	}
	return dir, specs
}

// writeSeedStack writes stack name into the seed directory dir: its template and its
// stack.json.
func writeSeedStack(t *testing.T, dir, name, template string, meta SeedStackFile) {
	t.Helper()
	raw, _ := json.Marshal(meta)
	stackDir := filepath.Join(dir, name)
	if err := os.MkdirAll(stackDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for file, body := range map[string]string{"template.yaml": template, "stack.json": string(raw)} {
		if err := os.WriteFile(filepath.Join(stackDir, file), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// seededPlatform starts a local platform, with the other local accounts given, whose
// CloudFormation starts with the stacks of the seed directory seeds, on the test binary's
// DynamoDB Local, and serves its API.
func seededPlatform(t *testing.T, seeds string, accounts ...string) (*Platform, *httptest.Server) {
	t.Helper()
	p, err := Start(context.Background(), Config{DataDir: t.TempDir(), DynamoEndpoint: dynamolocal.Shared(t).Endpoint(), Log: quietLog(),
		Table: fmt.Sprintf("gantry-import-%d", time.Now().UnixNano()), SeedStacks: seeds, Accounts: accounts})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	ts := httptest.NewServer(p.Handler)
	t.Cleanup(ts.Close)
	return p, ts
}

// importReport imports and returns the report's stacks by environment name.
func importReport(t *testing.T, c *client, in apimodel.ImportProton) map[string]apimodel.ImportedStack {
	t.Helper()
	return importReportBy(t, c, in, func(s apimodel.ImportedStack) string { return s.EnvironmentName })
}

// importReportBy imports and returns the report's stacks by key.
func importReportBy(t *testing.T, c *client, in apimodel.ImportProton, key func(apimodel.ImportedStack) string) map[string]apimodel.ImportedStack {
	t.Helper()
	var report apimodel.ImportReport
	c.must(200, "POST", "/v1/imports/proton", in, &report)
	out := map[string]apimodel.ImportedStack{}
	for _, s := range report.Stacks {
		out[key(s)] = s
	}
	return out
}

// TestImportProtonStacks imports the stacks of three public AWS Proton sample bundles,
// rendered by Proton from their specs: each change set is empty and each stack is adopted
// under its own name; a fourth, drifted since, is reported with its change set and left
// alone until --accept-changes. A second import changes nothing, and an adopted
// environment then deploys to its own stack.
func TestImportProtonStacks(t *testing.T) {
	envs := []protonEnvironment{
		{name: "vpc", template: "vpc-env", stack: "AWSProton-vpc-cloudformation-1a2b3c"},
		{name: "fargate", template: "fargate-env", stack: "AWSProton-fargate-cloudformation-4d5e6f"},
		{name: "ecsec2", template: "ecs-ec2-env", stack: "AWSProton-ecsec2-cloudformation-7a8b9c"},
		{name: "drifted", template: "vpc-env", stack: "AWSProton-drifted-cloudformation-0d1e2f",
			drift: func(s string) string { return strings.Replace(s, "CIDR: '10.0.0.0/16'", "CIDR: '10.9.0.0/16'", 1) }},
	}
	seeds, specs := seedProtonStacks(t, envs)
	p, ts := seededPlatform(t, seeds)
	admin, dev := newClient(t, p, ts, platform.AdminRole), newClient(t, p, ts, platform.DeveloperRole)
	for _, name := range []string{"vpc-env", "fargate-env", "ecs-ec2-env"} {
		admin.register("environment-templates", name, platformtest.TarGz(t, fmt.Sprintf(protonSamples, "bundles", name)+"/v1", nil))
	}

	if status, body := dev.json("POST", "/v1/imports/proton", apimodel.ImportProton{EnvironmentSpecs: specs}, nil); status != 403 {
		t.Fatalf("a developer's import: %d %s", status, body)
	}
	got := importReport(t, admin, apimodel.ImportProton{EnvironmentSpecs: specs})
	for _, e := range envs[:3] {
		r := got[e.name]
		if r.Outcome != "ADOPTED" || r.StackName != e.stack || r.TemplateName != e.template || r.Summary == nil || r.Summary.Add+r.Summary.Modify+r.Summary.Remove != 0 {
			t.Fatalf("import of %s = %+v", e.name, r)
		}
		var env apimodel.Environment
		admin.must(200, "GET", "/v1/environments/"+e.name, nil, &env)
		if env.DeploymentStatus != platform.Succeeded || env.StackName != e.stack || env.TemplateMajorVersion != 1 {
			t.Fatalf("environment %s = %+v", e.name, env)
		}
		var outs apimodel.Outputs
		admin.must(200, "GET", "/v1/environments/"+e.name+"/outputs", nil, &outs)
		if len(outs.Outputs) != 1 || outs.Outputs[0].ValueString != e.name+"-output" {
			t.Fatalf("outputs of %s = %+v", e.name, outs)
		}
	}
	drifted := got["drifted"]
	if drifted.Outcome != "DRIFTED" || drifted.Summary == nil || drifted.Summary.Replace == 0 || !strings.Contains(drifted.Message, "--accept-changes") {
		t.Fatalf("drifted stack = %+v", drifted)
	}
	if status, _ := admin.json("GET", "/v1/environments/drifted", nil, nil); status != 404 {
		t.Fatalf("the drifted stack was adopted: %d", status)
	}

	// Again: nothing changes.
	var before apimodel.Environment
	admin.must(200, "GET", "/v1/environments/vpc", nil, &before)
	again := importReport(t, admin, apimodel.ImportProton{EnvironmentSpecs: specs})
	for _, e := range envs[:3] {
		if again[e.name].Outcome != "ALREADY_ADOPTED" {
			t.Fatalf("second import of %s = %+v", e.name, again[e.name])
		}
	}
	var after apimodel.Environment
	admin.must(200, "GET", "/v1/environments/vpc", nil, &after)
	if after.LastDeploymentID != before.LastDeploymentID || again["drifted"].Outcome != "DRIFTED" {
		t.Fatalf("the second import changed something: %+v then %+v; drifted %+v", before, after, again["drifted"])
	}

	// With --accept-changes the drifted stack is adopted; its next deployment makes the changes.
	accepted := importReport(t, admin, apimodel.ImportProton{EnvironmentSpecs: specs, AcceptChanges: true})
	if accepted["drifted"].Outcome != "ADOPTED_CHANGES" {
		t.Fatalf("import with acceptChanges = %+v", accepted["drifted"])
	}
	admin.must(202, "PATCH", "/v1/environments/drifted", map[string]any{"deploymentType": "CURRENT_VERSION"}, nil)
	if env := admin.waitFor("/v1/environments/drifted"); env["deploymentStatus"] != "SUCCEEDED" || env["stackName"] != envs[3].stack {
		t.Fatalf("adopted environment after its first deployment = %v", env)
	}
	stack, err := p.Sim.Describe(context.Background(), envs[3].stack)
	if err != nil || stack.Status != "UPDATE_COMPLETE" {
		t.Fatalf("the adopted stack = %+v, %v; want it updated in place", stack, err)
	}
	if _, err := p.Sim.Describe(context.Background(), "gantry-env-drifted"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("a gantry-env-drifted stack was made: %v", err)
	}
}
