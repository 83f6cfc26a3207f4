package local

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

const protonPipelineSample = "../../../shared/conformance/proton-jinja/%s/aws-samples__aws-proton-cloudformation-sample-templates/loadbalanced-fargate-svc"

// TestImportProtonPipeline imports services of the public loadbalanced-fargate-svc sample
// with their pipelines, their stacks as AWS Proton's renderer made them (the sample's
// contexts): AWSProton-SERVICE-cloudformation--ID tagged with only the service and the
// template. Without the service's repository the pipeline is FAILED naming the field and
// the service is held back. With it, sample-svc is adopted with its instance and pipeline;
// drift-svc's pipeline has drifted (reported with its change set, its service not
// adopted); nopipe-svc's template has no pipeline (its pipeline stack FAILED naming why).
// A second import changes nothing, and the adopted pipeline's next deployment updates its
// own stack.
func TestImportProtonPipeline(t *testing.T) {
	sample := func(part string) string { return fmt.Sprintf(protonPipelineSample, part) }
	ctx := readInstanceContext(t, sample("contexts")+"/loadbalanced-fargate-svc/v1/instance.cloudformation.yaml.json")
	svc, env, instance := ctx.Service.Name, ctx.Environment.Name, ctx.ServiceInstance.Name
	instanceTemplate := platformtest.ReadFile(t, sample("expected")+"/loadbalanced-fargate-svc/v1/instance/cloudformation.yaml")
	// Proton rendered the pipeline with the context's environment account; the local
	// environment is in the platform's own account.
	pipelineTemplate := strings.ReplaceAll(platformtest.ReadFile(t, sample("expected")+"/loadbalanced-fargate-svc/v1/pipeline/cloudformation.yaml"),
		"arn:aws:iam::123456789012:root", "arn:aws:iam::000000000000:root")
	const arn = "arn:aws:proton:us-east-1:000000000000:"
	const drifted, nopipe = "drift-svc", "nopipe-svc"
	seeds := t.TempDir()
	pipelineStack := func(service string) string {
		return "AWSProton-" + service + "-cloudformation--PIPE" + strings.ToUpper(service[:2])
	}
	instanceStack := func(service string) string { return "AWSProton-" + service + "-" + instance + "-cloudformation--INST" }
	for _, service := range []string{svc, drifted, nopipe} {
		template := "loadbalanced-fargate-svc"
		if service == nopipe {
			template = nopipe
		}
		writeSeedStack(t, seeds, instanceStack(service), strings.ReplaceAll(instanceTemplate, svc, service), SeedStackFile{Tags: map[string]string{
			"aws:proton:template":         arn + "service-template/" + template,
			"aws:proton:environment":      arn + "environment/" + env,
			"aws:proton:service":          arn + "service/" + service,
			"aws:proton:service-instance": arn + "service/" + service + "/service-instance/" + instance,
		}, Outputs: []SeedOutput{{Key: "ServiceEndpoint", Value: service + ".local"}}})
		pipeline := strings.ReplaceAll(pipelineTemplate, svc, service)
		if service == drifted {
			pipeline = strings.Replace(pipeline, `"ls"`, `"make test"`, 1) // its unit test command was changed in the console
		}
		writeSeedStack(t, seeds, pipelineStack(service), pipeline, SeedStackFile{Tags: map[string]string{
			"aws:proton:template": arn + "service-template/" + template,
			"aws:proton:service":  arn + "service/" + service,
		}, Outputs: []SeedOutput{{Key: "PipelineEndpoint", Value: "https://" + service + ".pipeline"}}})
	}
	p, ts := seededPlatform(t, seeds)
	admin := newClient(t, p, ts, platform.AdminRole)
	admin.register("environment-templates", "loadbalanced-fargate-env", platformtest.TarGz(t, sample("bundles")+"/loadbalanced-fargate-env/v1", nil))
	admin.register("service-templates", "loadbalanced-fargate-svc", platformtest.TarGz(t, sample("bundles")+"/loadbalanced-fargate-svc/v1", nil))
	admin.register("service-templates", nopipe, platformtest.TarGz(t, withoutPipeline(t, sample("bundles")+"/loadbalanced-fargate-svc/v1"), nil))
	admin.must(202, "POST", "/v1/environments", map[string]any{"name": env, "templateName": "loadbalanced-fargate-env", "templateMajorVersion": 1,
		"spec": platformtest.ReadFile(t, sample("bundles")+"/specs/env-spec.yaml"), "provisioning": "CUSTOMER_MANAGED", "outputs": ctx.Environment.Outputs}, nil)
	spec := platformtest.ReadFile(t, sample("bundles")+"/specs/svc-spec.yaml")
	in := apimodel.ImportProton{ServiceSpecs: map[string]string{svc: spec, drifted: spec, nopipe: spec}}
	type key struct{ service, instance string }
	byTarget := func(in apimodel.ImportProton) map[key]apimodel.ImportedStack {
		var report apimodel.ImportReport
		admin.must(200, "POST", "/v1/imports/proton", in, &report)
		out := map[key]apimodel.ImportedStack{}
		for _, s := range report.Stacks {
			if s.ServiceName != "" {
				out[key{s.ServiceName, s.ServiceInstanceName}] = s
			}
		}
		if len(out) != 6 {
			t.Fatalf("import reported %d stacks of services, want 6: %+v", len(out), report.Stacks)
		}
		return out
	}

	got := byTarget(in)
	if p := got[key{svc, ""}]; p.Outcome != "FAILED" || p.TargetResourceType != "SERVICE_PIPELINE" || !strings.Contains(p.Message, "serviceRepositories."+svc) {
		t.Fatalf("a pipeline without its repository = %+v", p)
	}
	if i := got[key{svc, instance}]; i.Outcome != "FAILED" || !strings.Contains(i.Message, "the pipeline of service "+svc) {
		t.Fatalf("the instance of a service whose pipeline is not proven = %+v", i)
	}
	if status, _ := admin.json("GET", "/v1/services/"+svc, nil, nil); status != 404 {
		t.Fatalf("the service was adopted without its pipeline: %d", status)
	}

	repo := apimodel.ServiceRepository{RepositoryConnectionARN: ctx.Service.RepositoryConnectionARN, RepositoryID: ctx.Service.RepositoryID, BranchName: ctx.Service.BranchName}
	in.ServiceRepositories = map[string]apimodel.ServiceRepository{svc: repo, drifted: repo, nopipe: repo}
	got = byTarget(in)
	if p := got[key{svc, ""}]; p.Outcome != "ADOPTED" || p.StackName != pipelineStack(svc) || p.Summary == nil || p.Summary.Add+p.Summary.Modify+p.Summary.Remove != 0 {
		t.Fatalf("the pipeline as Proton left it = %+v", p)
	}
	if i := got[key{svc, instance}]; i.Outcome != "ADOPTED" {
		t.Fatalf("its instance = %+v", i)
	}
	if p := got[key{drifted, ""}]; p.Outcome != "DRIFTED" || p.Summary == nil || p.Summary.Modify == 0 {
		t.Fatalf("the drifted pipeline = %+v", p)
	}
	if i := got[key{drifted, instance}]; i.Outcome != "FAILED" || !strings.Contains(i.Message, "the pipeline of service "+drifted) {
		t.Fatalf("the instance beside a drifted pipeline = %+v", i)
	}
	if p := got[key{nopipe, ""}]; p.Outcome != "FAILED" || !strings.Contains(p.Message, "service template "+nopipe+" 1.0 has no pipeline") {
		t.Fatalf("the pipeline stack of a service whose template has none = %+v", p)
	}
	for _, service := range []string{drifted, nopipe} {
		if status, _ := admin.json("GET", "/v1/services/"+service, nil, nil); status != 404 {
			t.Fatalf("service %s was adopted although its pipeline was not: %d", service, status)
		}
	}
	var before apimodel.Service
	admin.must(200, "GET", "/v1/services/"+svc, nil, &before)
	if before.Pipeline == nil || before.Pipeline.DeploymentStatus != platform.Succeeded || before.Pipeline.StackName != pipelineStack(svc) ||
		before.RepositoryID != repo.RepositoryID || before.BranchName != repo.BranchName {
		t.Fatalf("the adopted service = %+v, pipeline %+v", before, before.Pipeline)
	}
	if outs := admin.outputsOf("/v1/services/" + svc + "/pipeline/outputs"); outs["PipelineEndpoint"] != "https://"+svc+".pipeline" {
		t.Fatalf("the adopted pipeline's outputs = %v", outs)
	}

	again := byTarget(in)
	var after apimodel.Service
	admin.must(200, "GET", "/v1/services/"+svc, nil, &after)
	if again[key{svc, ""}].Outcome != "ALREADY_ADOPTED" || again[key{svc, instance}].Outcome != "ALREADY_ADOPTED" || again[key{drifted, ""}].Outcome != "DRIFTED" ||
		after.Pipeline == nil || after.Pipeline.LastDeploymentID != before.Pipeline.LastDeploymentID {
		t.Fatalf("a second import = %+v; pipeline %+v then %+v", again, before.Pipeline, after.Pipeline)
	}

	update := strings.Replace(spec, `unit_test_command: "ls"`, `unit_test_command: "go test ./..."`, 1)
	admin.must(202, "PATCH", "/v1/services/"+svc+"/pipeline", map[string]any{"deploymentType": "CURRENT_VERSION", "spec": update}, nil)
	if pipeline := admin.waitPipeline(svc); pipeline["deploymentStatus"] != "SUCCEEDED" || pipeline["stackName"] != pipelineStack(svc) {
		t.Fatalf("the adopted pipeline after its first deployment = %v", pipeline)
	}
	stack, err := p.Sim.Describe(context.Background(), pipelineStack(svc))
	if err != nil || stack.Status != "UPDATE_COMPLETE" {
		t.Fatalf("the adopted pipeline's stack = %+v, %v; want it updated in place", stack, err)
	}
	if _, err := p.Sim.Describe(context.Background(), platform.StackName(platform.Target{Kind: platform.ServicePipelineTarget, Service: svc})); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("the pipeline's deployment made a stack of Gantry's name: %v", err)
	}
}

// protonInstanceContext is the render context of a service instance as AWS Proton gave
// it (the conformance suite's contexts/…/instance.*.json).
type protonInstanceContext struct {
	Environment     protonEnvironmentContext `json:"environment"`
	Service         protonServiceContext     `json:"service"`
	ServiceInstance struct {
		Name   string         `json:"name"`
		Inputs map[string]any `json:"inputs"`
	} `json:"service_instance"`
}

// protonEnvironmentContext is Proton's environment namespace as a service reads it.
type protonEnvironmentContext struct {
	Name    string            `json:"name"`
	Outputs map[string]string `json:"outputs"`
}

// protonServiceContext is Proton's service namespace.
type protonServiceContext struct {
	Name                    string `json:"name"`
	BranchName              string `json:"branch_name"`
	RepositoryConnectionARN string `json:"repository_connection_arn"`
	RepositoryID            string `json:"repository_id"`
}

func readInstanceContext(t *testing.T, path string) protonInstanceContext {
	t.Helper()
	var ctx protonInstanceContext
	if err := json.Unmarshal([]byte(platformtest.ReadFile(t, path)), &ctx); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// withoutPipeline copies the service bundle at dir without its pipeline: no
// pipeline_infrastructure, no pipeline_input_type in its schema.
func withoutPipeline(t *testing.T, dir string) string {
	t.Helper()
	out := t.TempDir()
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		switch {
		case d.IsDir() && d.Name() == "pipeline_infrastructure":
			return filepath.SkipDir
		case d.IsDir():
			return os.MkdirAll(filepath.Join(out, rel), 0o755)
		}
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if d.Name() == "schema.yaml" {
			body = []byte(strings.Replace(string(body), `pipeline_input_type: "PipelineInputs"`, "", 1))
		}
		return os.WriteFile(filepath.Join(out, rel), body, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
