package engine

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
	"github.com/gantry-platform/gantry/internal/render"
	"github.com/gantry-platform/gantry/internal/workflow"
)

func mustEngine() *Engine { return New(render.New(render.Options{})) }

func TestInspectBundle(t *testing.T) {
	e, ctx := mustEngine(), context.Background()
	svc := platformtest.TarGz(t, platformtest.SamplePath(t, platformtest.SvcBundle), nil)
	facts, err := e.InspectBundle(ctx, platform.ServiceTemplate, svc)
	if err != nil {
		t.Fatal(err)
	}
	want := []platform.CompatibleEnvironment{{TemplateName: "loadbalanced-fargate-env", MajorVersion: 1}}
	if !facts.HasPipeline || len(facts.Digest) != 64 || !strings.Contains(facts.Schema, "service_input_type") ||
		len(facts.CompatibleEnvironments) != 1 || facts.CompatibleEnvironments[0] != want[0] {
		t.Fatalf("service bundle facts = %+v", facts)
	}
	// A service bundle registered as an environment template says what is wrong.
	_, err = e.InspectBundle(ctx, platform.EnvironmentTemplate, svc)
	if platform.KindOf(err) != platform.Invalid || !strings.Contains(err.Error(), "infrastructure/") {
		t.Fatalf("service bundle as an environment template: %v", err)
	}
	if _, err := e.InspectBundle(ctx, platform.EnvironmentTemplate, []byte("junk")); platform.KindOf(err) != platform.Invalid {
		t.Fatalf("junk bundle: %v, want Invalid", err)
	}
}

func schemaOf(t *testing.T, bundle string, kind platform.TemplateKind) string {
	t.Helper()
	facts, err := mustEngine().InspectBundle(context.Background(), kind, platformtest.TarGz(t, platformtest.SamplePath(t, bundle), nil))
	if err != nil {
		t.Fatal(err)
	}
	return facts.Schema
}

func TestEnvironmentInputs(t *testing.T) {
	schema := schemaOf(t, platformtest.EnvBundle, platform.EnvironmentTemplate)
	inputs, err := mustEngine().EnvironmentInputs(schema, "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.1.0.0/16\n")
	if err != nil || !strings.Contains(string(inputs), `"vpc_cidr":"10.1.0.0/16"`) {
		t.Fatalf("inputs = %s, %v", inputs, err)
	}
	_, err = mustEngine().EnvironmentInputs(schema, "proton: ServiceSpec\ninstances: []\n")
	if pe, ok := err.(*platform.Error); !ok || pe.Kind != platform.Invalid || pe.Field != "spec" {
		t.Fatalf("a ServiceSpec for an environment: %#v, want Invalid on field spec", err)
	}
	_, err = mustEngine().EnvironmentInputs(schema, "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 12\n")
	if platform.KindOf(err) != platform.Invalid || !strings.Contains(err.Error(), "vpc_cidr") {
		t.Fatalf("a bad input: %v, want Invalid naming vpc_cidr", err)
	}
}

func TestServiceAndInstanceInputs(t *testing.T) {
	e := mustEngine()
	schema := schemaOf(t, platformtest.SvcBundle, platform.ServiceTemplate)
	spec := "proton: ServiceSpec\ninstances:\n  - name: web-dev\n    environment: Beta\n    spec:\n      desired_count: 2\n      task_size: medium\n"
	got, err := e.ServiceInputs(schema, spec, true)
	if err != nil {
		t.Fatal(err)
	}
	// The pipeline's inputs get their defaults even when the spec has no pipeline section.
	if !strings.Contains(string(got.Pipeline), `"dockerfile":"Dockerfile"`) {
		t.Fatalf("pipeline inputs = %s", got.Pipeline)
	}
	if len(got.Instances) != 1 || got.Instances[0].Name != "web-dev" || got.Instances[0].Environment != "Beta" {
		t.Fatalf("instances = %+v", got.Instances)
	}
	inst := got.Instances[0]
	var inputs map[string]any
	if err := json.Unmarshal(inst.Inputs, &inputs); err != nil || inputs["desired_count"] != 2.0 || inputs["port"] != 80.0 {
		t.Fatalf("instance inputs = %s, %v (defaults applied, integers kept)", inst.Inputs, err)
	}
	if strings.Contains(string(inst.Inputs), "2.0") {
		t.Fatalf("integer input became a float: %s", inst.Inputs)
	}
	// The instance's own spec, kept for updates, validates to the same inputs.
	again, err := e.InstanceInputs(schema, inst.Spec, "web-dev")
	if err != nil || string(again) != string(inst.Inputs) {
		t.Fatalf("instance spec %q validates to %s, %v; want %s", inst.Spec, again, err, inst.Inputs)
	}
	if _, err := e.InstanceInputs(schema, "spec:\n  task_size: huge\n", "web-dev"); platform.KindOf(err) != platform.Invalid || !strings.Contains(err.Error(), "task_size") {
		t.Fatalf("bad instance input: %v", err)
	}
}

func TestRender(t *testing.T) {
	e, ctx := mustEngine(), context.Background()
	envBundle := platformtest.TarGz(t, platformtest.SamplePath(t, platformtest.EnvBundle), nil)
	body, err := e.Render(ctx, envBundle, platform.EnvironmentTarget, workflow.RenderData{
		Environment: workflow.EnvironmentData{Name: "Beta", Inputs: json.RawMessage(`{"vpc_cidr":"10.9.0.0/16"}`)}})
	if err != nil || !strings.Contains(string(body), "10.9.0.0/16") || !strings.Contains(string(body), "AWS::EC2::VPC") {
		t.Fatalf("environment render: %v\n%.300s", err, body)
	}
	svcBundle := platformtest.TarGz(t, platformtest.SamplePath(t, platformtest.SvcBundle), nil)
	env := workflow.EnvironmentData{Name: "Beta", AccountID: "111122223333", Outputs: []platform.Output{{Key: "ClusterName", Value: "beta-cluster"}}}
	body, err = e.Render(ctx, svcBundle, platform.ServiceInstanceTarget, workflow.RenderData{Environment: env,
		Service:  workflow.ServiceData{Name: "web"},
		Instance: workflow.InstanceData{Name: "web-dev", Inputs: json.RawMessage(`{"port":8080,"desired_count":1,"task_size":"x-small","image":"nginx","health_check_path":"/"}`)}})
	if err != nil || !strings.Contains(string(body), "beta-cluster") || !strings.Contains(string(body), "8080") {
		t.Fatalf("instance render: %v\n%.300s", err, body)
	}
	body, err = e.Render(ctx, svcBundle, platform.ServicePipelineTarget, workflow.RenderData{
		Service: workflow.ServiceData{Name: "web", RepositoryID: "org/web", BranchName: "main", RepositoryConnectionARN: "arn:aws:codestar-connections:us-east-1:111122223333:connection/x"},
		Pipeline: workflow.PipelineData{Inputs: json.RawMessage(`{"dockerfile":"Dockerfile","unit_test_command":"make test"}`),
			Instances: []workflow.PipelineInstance{{Name: "web-dev", Inputs: json.RawMessage(`{}`), Environment: env}}}})
	if err != nil || !strings.Contains(string(body), "org/web") || !strings.Contains(string(body), "make test") {
		t.Fatalf("pipeline render: %v\n%.300s", err, body)
	}
	// A template that fails to render names the file and line.
	broken := platformtest.TarGz(t, platformtest.SamplePath(t, platformtest.EnvBundle), map[string]string{
		"infrastructure/cloudformation.yaml": "Resources:\n  {{ environment.inputs.missing.attr }}\n"})
	_, err = e.Render(ctx, broken, platform.EnvironmentTarget, workflow.RenderData{Environment: workflow.EnvironmentData{Name: "Beta"}})
	if platform.KindOf(err) != platform.Invalid || !strings.Contains(err.Error(), "infrastructure/cloudformation.yaml:2") {
		t.Fatalf("broken template: %v, want Invalid naming infrastructure/cloudformation.yaml:2", err)
	}
	if _, err := e.Render(ctx, envBundle, platform.EnvironmentTarget, workflow.RenderData{Environment: workflow.EnvironmentData{Inputs: json.RawMessage(`[1]`)}}); err == nil {
		t.Fatal("stored inputs that are not an object rendered")
	}
}
