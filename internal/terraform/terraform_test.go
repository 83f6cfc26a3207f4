package terraform_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/terraform"
)

const samples = "../../../shared/samples/proton-bundles/terraform"

func read(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(samples, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// folder reads a bundle folder's files as bundle paths under dir.
func folder(t *testing.T, rel, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(samples, rel))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		files[dir+"/"+e.Name()] = read(t, rel+"/"+e.Name())
	}
	return files
}

// The environment's proton.auto.tfvars.json and proton.variables.tf are byte for byte
// what Proton wrote (dev-resources/), from the sample spec's inputs in schema order.
func TestEnvironmentFilesAreProtons(t *testing.T) {
	inputs := json.RawMessage(`{"vpc_cidr":"10.0.0.0/16","public_subnet_one_cidr":"10.0.0.0/18","public_subnet_two_cidr":"10.0.64.0/18",` +
		`"private_subnet_one_cidr":"10.0.128.0/18","private_subnet_two_cidr":"10.0.192.0/18"}`)
	got, err := terraform.EnvironmentTFVars("vpc-env", inputs)
	if err != nil {
		t.Fatal(err)
	}
	if want := read(t, "environment-templates/vpc-env/dev-resources/proton.auto.tfvars.json"); !bytes.Equal(got, want) {
		t.Errorf("proton.auto.tfvars.json =\n%s\nwant\n%s", got, want)
	}
	if want := read(t, "environment-templates/vpc-env/dev-resources/proton.variables.tf"); !bytes.Equal(terraform.EnvironmentVariables(), want) {
		t.Errorf("environment proton.variables.tf differs from Proton's")
	}
	if want := read(t, "service-templates/apigw-lambda-svc/dev-resources/proton.variables.tf"); !bytes.Equal(terraform.ServiceVariables(), want) {
		t.Errorf("service proton.variables.tf differs from Proton's")
	}
}

// The service's files hold what Proton's dev-resources hold (a hand-edited sample with
// REPLACE_ME placeholders, so compared member by member rather than byte for byte): every
// value the sample states is the value rendered, under the same path.
func TestServiceFilesHoldProtonsValues(t *testing.T) {
	svc := terraform.Service{Name: "apigw-lambda-svc", RepositoryConnectionARN: "arn:aws:codestar-connections:us-east-1:111122223333:connection/c",
		RepositoryID: "acme/app", BranchName: "main"}
	inst := terraform.Instance{Name: "instance1",
		Inputs:  json.RawMessage(`{"lambda_runtime":"nodejs12.x","lambda_handler":"app.handler","lambda_bucket":"b","lambda_key":"k"}`),
		Outputs: []terraform.Output{{Key: "LambdaRuntime", Value: "nodejs12.x"}}, EnvironmentName: "vpc-env-prod", EnvironmentAccount: "111122223333",
		EnvironmentOutputs: []terraform.Output{{Key: "SnsTopicArn", Value: "arn:t"}, {Key: "SnsTopicName", Value: "t"}}}
	instanceVars, err := terraform.ServiceInstanceTFVars(svc, inst)
	if err != nil {
		t.Fatal(err)
	}
	pipelineVars, err := terraform.PipelineTFVars(svc, []terraform.Instance{inst}, json.RawMessage(`{"environment_account_ids":"",`+
		`"code_dir":"lambda-ping-sns","unit_test_command":"echo 'add your unit test command here'","packaging_command":"zip function.zip app.js"}`))
	if err != nil {
		t.Fatal(err)
	}
	var sample, rendered map[string]any
	if err := json.Unmarshal(read(t, "service-templates/apigw-lambda-svc/dev-resources/proton.auto.tfvars.json"), &sample); err != nil {
		t.Fatal(err)
	}
	rendered = map[string]any{}
	for _, doc := range [][]byte{instanceVars, pipelineVars} {
		var m map[string]any
		if err := json.Unmarshal(doc, &m); err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		for k, v := range m {
			rendered[k] = v
		}
	}
	var compare func(path string, want, got any)
	compare = func(path string, want, got any) {
		switch w := want.(type) {
		case map[string]any:
			g, ok := got.(map[string]any)
			if !ok {
				t.Errorf("%s: rendered %v, want an object", path, got)
				return
			}
			for k, v := range w {
				compare(path+"."+k, v, g[k])
			}
		case []any:
			g, ok := got.([]any)
			if !ok || len(g) != len(w) {
				t.Errorf("%s: rendered %v, want %d items", path, got, len(w))
				return
			}
			for i := range w {
				compare(path+"[]", w[i], g[i])
			}
		case string:
			if w == "REPLACE_ME" || w == "" {
				if _, ok := got.(string); !ok {
					t.Errorf("%s: rendered %v, want a string", path, got)
				}
				return
			}
			if got != w {
				t.Errorf("%s = %v, want %q", path, got, w)
			}
		}
	}
	compare("", sample, rendered)
	if !strings.Contains(string(pipelineVars), `"service_instances" : [ {`) {
		t.Errorf("pipeline tfvars not in Jackson's layout:\n%s", pipelineVars)
	}
}

// The real bundles' variables and input references parse; every input they read is in
// their schemas; the environment's config.tf, which Terraform cannot parse either, is a
// warning naming its line.
func TestSampleModules(t *testing.T) {
	env := terraform.Parse("infrastructure", folder(t, "environment-templates/vpc-env/v1/infrastructure", "infrastructure"))
	if len(env.Unparsed) != 1 || env.Unparsed[0].File != "infrastructure/config.tf" || env.Unparsed[0].Line != 17 {
		t.Fatalf("unparsed = %v, want infrastructure/config.tf:17", env.Unparsed)
	}
	var read []string
	for _, r := range env.InputRefs {
		read = append(read, string(r.Namespace)+"."+r.Input)
	}
	want := []string{"environment.vpc_cidr", "environment.private_subnet_one_cidr", "environment.private_subnet_two_cidr",
		"environment.public_subnet_one_cidr", "environment.public_subnet_two_cidr"}
	if !reflect.DeepEqual(read, want) {
		t.Errorf("input references = %v, want %v", read, want)
	}
	declared := map[terraform.Namespace]*terraform.Inputs{terraform.EnvironmentNamespace: {Type: "PublicEnvironmentInput",
		Names: []string{"vpc_cidr", "public_subnet_one_cidr", "public_subnet_two_cidr", "private_subnet_one_cidr", "private_subnet_two_cidr"}}}
	if p := env.Check(declared); len(p) != 0 {
		t.Errorf("problems of the sample environment = %v", p)
	}

	inst := terraform.Parse("instance_infrastructure", folder(t, "service-templates/apigw-lambda-svc/v1/instance_infrastructure", "instance_infrastructure"))
	if len(inst.Unparsed) != 0 || len(inst.InputRefs) == 0 {
		t.Fatalf("instance module = %+v", inst)
	}
	svcDeclared := map[terraform.Namespace]*terraform.Inputs{terraform.ServiceInstanceNamespace: {Type: "HTTPServiceInput",
		Names: []string{"lambda_handler", "lambda_memory", "lambda_timeout", "lambda_runtime", "lambda_bucket", "lambda_key", "subnet_type"}}}
	if p := inst.Check(svcDeclared); len(p) != 0 {
		t.Errorf("problems of the sample instance = %v", p)
	}
	svcDeclared[terraform.ServiceInstanceNamespace].Names = []string{"lambda_handler"}
	p := inst.Check(svcDeclared)
	if len(p) == 0 || !strings.HasPrefix(p[0].String(), "instance_infrastructure/main.tf:46: var.service_instance.inputs.lambda_runtime is not an input of HTTPServiceInput") {
		t.Errorf("problems with a narrower schema = %v", p)
	}
}

// A bundle declaring Proton's own variables, or reading inputs of a namespace its schema
// lacks, or by index, is told where.
func TestModuleProblems(t *testing.T) {
	m := terraform.Parse("infrastructure", map[string][]byte{
		"infrastructure/main.tf": []byte("variable \"environment\" {\n  type = string\n}\n\nlocals {\n  a = var.pipeline.inputs[\"size\"]\n  b = var.environment.inputs[\"cidr\"]\n}\n"),
		"infrastructure/README":  []byte("not terraform"),
	})
	got := m.Check(map[terraform.Namespace]*terraform.Inputs{terraform.EnvironmentNamespace: {Type: "Env", Names: []string{"cidr"}},
		terraform.PipelineNamespace: nil})
	var lines []string
	for _, p := range got {
		lines = append(lines, p.String())
	}
	want := []string{
		`infrastructure/main.tf:1: variable "environment" is Proton's own (proton.variables.tf declares it beside the bundle); rename it`,
		`infrastructure/main.tf:6: var.pipeline.inputs.size: schema/schema.yaml declares no pipeline inputs`,
	}
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("problems =\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}
