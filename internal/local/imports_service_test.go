package local

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

const protonServiceSample = "../../../shared/conformance/proton-jinja/%s/aws-samples__aws-proton-cloudformation-sample-templates/service-templates/backend-fargate-svc"

// TestImportProtonService imports the service instance stacks AWS Proton left of the public
// backend-fargate-svc sample (rendered by Proton's renderer from the sample's context) into
// an environment registered with the outputs Proton's environment had (customer-managed).
// One instance's stack has drifted: the service is adopted all or none, so neither is
// until --accept-changes; then a second import changes nothing, and the adopted instance
// deploys to its own stack.
func TestImportProtonService(t *testing.T) {
	sample := readInstanceContext(t, fmt.Sprintf(protonServiceSample, "contexts")+"/v1/instance.cloudformation.yaml.json")
	rendered := platformtest.ReadFile(t, fmt.Sprintf(protonServiceSample, "expected")+"/v1/instance/cloudformation.yaml")
	svc, env, prod := sample.Service.Name, sample.Environment.Name, sample.ServiceInstance.Name
	drift := prod + "-b"
	const arn = "arn:aws:proton:us-east-1:000000000000:"
	seeds := t.TempDir()
	stacks := map[string]string{prod: "AWSProton-" + svc + "-" + prod + "-cloudformation-1a2b3c", drift: "AWSProton-" + svc + "-" + drift + "-cloudformation-4d5e6f"}
	for instance, template := range map[string]string{
		prod:  rendered,
		drift: strings.ReplaceAll(strings.Replace(rendered, "DesiredCount: '1'", "DesiredCount: '3'", 1), prod, drift),
	} {
		writeSeedStack(t, seeds, stacks[instance], template, SeedStackFile{Tags: map[string]string{
			"aws:proton:template":         arn + "service-template/backend-fargate-svc",
			"aws:proton:environment":      arn + "environment/" + env,
			"aws:proton:service":          arn + "service/" + svc,
			"aws:proton:service-instance": arn + "service/" + svc + "/service-instance/" + instance,
		}, Outputs: []SeedOutput{{Key: "ServiceEndpoint", Value: instance + ".local"}}})
	}
	p, ts := seededPlatform(t, seeds)
	admin := newClient(t, p, ts, platform.AdminRole)
	admin.register("environment-templates", "fargate-env", platformtest.TarGz(t, fmt.Sprintf(protonSamples, "bundles", "fargate-env")+"/v1", nil))
	admin.register("service-templates", "backend-fargate-svc", platformtest.TarGz(t, fmt.Sprintf(protonServiceSample, "bundles")+"/v1", nil))
	envSpec, _ := json.Marshal(map[string]any{"proton": "EnvironmentSpec", "spec": map[string]any{}})
	admin.must(202, "POST", "/v1/environments", map[string]any{"name": env, "templateName": "fargate-env", "templateMajorVersion": 1,
		"spec": string(envSpec), "provisioning": "CUSTOMER_MANAGED", "outputs": sample.Environment.Outputs}, nil)
	inputs, _ := json.Marshal(sample.ServiceInstance.Inputs)
	spec := fmt.Sprintf("proton: ServiceSpec\ninstances:\n  - name: %s\n    environment: %s\n    spec: %s\n  - name: %s\n    environment: %s\n    spec: %s\n",
		prod, env, inputs, drift, env, inputs)
	in := apimodel.ImportProton{ServiceSpecs: map[string]string{svc: spec}}
	byInstance := func(in apimodel.ImportProton) map[string]apimodel.ImportedStack {
		return importReportBy(t, admin, in, func(s apimodel.ImportedStack) string { return s.ServiceInstanceName })
	}

	got := byInstance(in)
	if got[drift].Outcome != "DRIFTED" || got[drift].Summary == nil || got[drift].Summary.Modify == 0 {
		t.Fatalf("the drifted instance = %+v", got[drift])
	}
	if got[prod].Outcome != "FAILED" || !strings.Contains(got[prod].Message, "another instance") || got[prod].Summary == nil || got[prod].Summary.Modify+got[prod].Summary.Add+got[prod].Summary.Remove != 0 {
		t.Fatalf("the instance whose stack matches, beside a drifted one = %+v", got[prod])
	}
	if status, _ := admin.json("GET", "/v1/services/"+svc, nil, nil); status != 404 {
		t.Fatalf("the service was adopted with a drifted instance: %d", status)
	}

	in.AcceptChanges = true
	got = byInstance(in)
	if got[prod].Outcome != "ADOPTED" || got[drift].Outcome != "ADOPTED_CHANGES" {
		t.Fatalf("import with acceptChanges = %+v", got)
	}
	var before apimodel.ServiceInstance
	admin.must(200, "GET", "/v1/services/"+svc+"/instances/"+prod, nil, &before)
	if before.DeploymentStatus != platform.Succeeded || before.StackName != stacks[prod] || before.EnvironmentName != env {
		t.Fatalf("adopted instance = %+v", before)
	}
	var outs apimodel.Outputs
	admin.must(200, "GET", "/v1/services/"+svc+"/instances/"+prod+"/outputs", nil, &outs)
	if len(outs.Outputs) != 1 || outs.Outputs[0].ValueString != prod+".local" {
		t.Fatalf("adopted instance's outputs = %+v", outs)
	}

	again := byInstance(in)
	var after apimodel.ServiceInstance
	admin.must(200, "GET", "/v1/services/"+svc+"/instances/"+prod, nil, &after)
	if again[prod].Outcome != "ALREADY_ADOPTED" || again[drift].Outcome != "ALREADY_ADOPTED" || after.LastDeploymentID != before.LastDeploymentID {
		t.Fatalf("a second import = %+v; instance %+v then %+v", again, before, after)
	}

	admin.must(202, "PATCH", "/v1/services/"+svc+"/instances/"+drift, map[string]any{"deploymentType": "CURRENT_VERSION"}, nil)
	if inst := admin.waitFor("/v1/services/" + svc + "/instances/" + drift); inst["deploymentStatus"] != "SUCCEEDED" || inst["stackName"] != stacks[drift] {
		t.Fatalf("the adopted instance after its first deployment = %v", inst)
	}
	if stack, err := p.Sim.Describe(context.Background(), stacks[drift]); err != nil || stack.Status != "UPDATE_COMPLETE" {
		t.Fatalf("the adopted stack = %+v, %v; want it updated in place", stack, err)
	}
}
