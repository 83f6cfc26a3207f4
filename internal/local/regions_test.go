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
	"github.com/gantry-platform/gantry/internal/cfnsim"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

const westRegion = "us-west-2"

// TestEnvironmentInAnotherRegion runs an environment created with a region other than the
// platform's: its stack lands in that region's CloudFormation (the platform's account), a
// service instance in it deploys there too while the service's pipeline stays home, and
// deleting them removes their stacks there. The region's stack events reach the workflow
// only through that region's bus, whose forwarding rule targets the platform's bus: every
// deployment there ends within seconds only because those events came back (the
// reconciler never sweeps here, and the workflow's own check comes after an hour). A
// malformed region is refused naming region, and so is a change of region.
func TestEnvironmentInAnotherRegion(t *testing.T) {
	ctx := context.Background()
	p, ts := startPlatform(t, Config{Regions: []string{westRegion}, ReconcileInterval: -1})
	admin, dev := newClient(t, p, ts, platform.AdminRole), newClient(t, p, ts, platform.DeveloperRole)
	admin.register("environment-templates", platformtest.EnvTemplate, platformtest.TarGz(t, platformtest.SamplePath(t, platformtest.EnvBundle), nil))
	admin.register("service-templates", platformtest.SvcTemplate, platformtest.TarGz(t, platformtest.SamplePath(t, platformtest.SvcBundle), nil))
	west := p.Estate.At("", westRegion)

	create := map[string]any{"name": "Beta", "templateName": platformtest.EnvTemplate, "templateMajorVersion": 1,
		"spec": platformtest.ReadFile(t, platformtest.SamplePath(t, platformtest.EnvSpec)), "region": "US-WEST-2"}
	if status, body := admin.json("POST", "/v1/environments", create, nil); status != 400 || !strings.Contains(body, `"region: `) {
		t.Fatalf("an environment in region US-WEST-2: %d %s", status, body)
	}
	create["region"] = westRegion
	admin.must(202, "POST", "/v1/environments", create, nil)
	env := admin.waitFor("/v1/environments/Beta")
	if env["deploymentStatus"] != "SUCCEEDED" || env["region"] != westRegion || env["arn"] != "arn:aws:proton:us-east-1:"+AccountID+":environment/Beta" {
		t.Fatalf("environment Beta = %v", env)
	}
	var d map[string]any
	admin.must(200, "GET", "/v1/deployments/"+env["lastDeploymentId"].(string), nil, &d)
	if d["region"] != westRegion || d["account"] != nil || !strings.HasPrefix(d["stackId"].(string), "arn:aws:cloudformation:us-west-2:"+AccountID+":stack/gantry-env-Beta/") {
		t.Fatalf("Beta's deployment = %v, want it in %s", d, westRegion)
	}
	if _, err := p.Sim.Describe(ctx, "gantry-env-Beta"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("Beta's stack in the platform's region: %v, want NotFound", err)
	}
	wantStackResourcesIn(t, west, "gantry-env-Beta", admin.provisionedResources("/v1/environments/Beta"))
	var list struct{ Items []map[string]any }
	admin.must(200, "GET", "/v1/environments", nil, &list)
	if len(list.Items) != 1 || list.Items[0]["region"] != westRegion {
		t.Fatalf("listed environments = %v", list.Items)
	}
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		update := map[string]any{"deploymentType": "CURRENT_VERSION", "region": region}
		if status, body := admin.json("PATCH", "/v1/environments/Beta", update, nil); status != 400 || !strings.Contains(body, `"region: `) || !strings.Contains(body, "fixed at creation") {
			t.Fatalf("moving Beta to %s: %d %s", region, status, body)
		}
	}

	// A service instance in Beta deploys in us-west-2; its pipeline stays home.
	dev.must(202, "POST", "/v1/services", map[string]any{"name": "web", "templateName": platformtest.SvcTemplate, "templateMajorVersion": 1,
		"spec": instanceSpec("web-a"), "repositoryConnectionArn": "arn:aws:codestar-connections:us-east-1:000000000000:connection/example",
		"repositoryId": "example-org/web", "branchName": "main"}, nil)
	if s := dev.waitService("web"); s["status"] != "ACTIVE" {
		t.Fatalf("service web = %v", s)
	}
	instance := platform.StackName(platform.Target{Kind: platform.ServiceInstanceTarget, Service: "web", Instance: "web-a"})
	if _, err := west.Describe(ctx, instance); err != nil {
		t.Fatalf("web-a's stack in %s: %v", westRegion, err)
	}
	if _, err := p.Sim.Describe(ctx, instance); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("web-a's stack in the platform's region: %v, want NotFound", err)
	}
	pipeline := platform.StackName(platform.Target{Kind: platform.ServicePipelineTarget, Service: "web"})
	if _, err := p.Sim.Describe(ctx, pipeline); err != nil {
		t.Fatalf("web's pipeline stack in the platform's region: %v", err)
	}
	wantStackResourcesIn(t, west, instance, dev.provisionedResources("/v1/services/web/instances/web-a"))

	// An update (giving its own region is fine) redeploys there.
	admin.must(202, "PATCH", "/v1/environments/Beta", map[string]any{"deploymentType": "CURRENT_VERSION", "region": westRegion}, nil)
	env = admin.waitFor("/v1/environments/Beta")
	admin.must(200, "GET", "/v1/deployments/"+env["lastDeploymentId"].(string), nil, &d)
	if env["deploymentStatus"] != "SUCCEEDED" || d["region"] != westRegion {
		t.Fatalf("Beta's update = %v, its deployment %v", env, d)
	}

	// Deleting removes the stacks there.
	dev.must(202, "DELETE", "/v1/services/web", nil, nil)
	dev.waitGone("/v1/services/web")
	admin.must(202, "DELETE", "/v1/environments/Beta", nil, nil)
	admin.waitGone("/v1/environments/Beta")
	for _, stack := range []string{instance, "gantry-env-Beta"} {
		if _, err := west.Describe(ctx, stack); platform.KindOf(err) != platform.NotFound {
			t.Errorf("%s after its deletion: %v, want NotFound", stack, err)
		}
	}
	if dead, err := p.Bus.DeadLetters(); err != nil || len(dead) != 0 {
		t.Fatalf("dead letters = %v, %v", dead, err)
	}
}

// TestImportAcrossRegions imports AWS Proton's stacks from two regions of the platform's
// account (seeded as DIR/ACCOUNT/REGION/STACK): the vpc-env sample's environment at home,
// the fargate-env sample's in us-west-2 with the backend-fargate-svc sample's instance in
// it. Each is adopted where it is and deploys there afterwards; a stack in us-west-2 of an
// environment whose name the home region's took is FAILED naming both regions, and so is
// a service pipeline's stack there (pipelines deploy in the platform's region), holding
// its service back. A second
// import changes nothing; without regions only the platform's region is scanned; a region
// that is malformed or not reachable is refused naming regions.
func TestImportAcrossRegions(t *testing.T) {
	sample := readInstanceContext(t, fmt.Sprintf(protonServiceSample, "contexts")+"/v1/instance.cloudformation.yaml.json")
	envName, svc, instance := sample.Environment.Name, sample.Service.Name, sample.ServiceInstance.Name
	seeds, specs := seedProtonStacks(t, []protonEnvironment{{name: "vpc", template: "vpc-env", stack: "AWSProton-vpc-cloudformation-1a2b3c"}})
	envStack, taken, instanceStack := "AWSProton-"+envName+"-cloudformation-4d5e6f", "AWSProton-vpc-cloudformation-7a8b9c", "AWSProton-"+svc+"-"+instance+"-cloudformation-0d1e2f"
	west, westSpecs := seedProtonStacks(t, []protonEnvironment{{name: envName, template: "fargate-env", stack: envStack}, {name: "vpc", template: "vpc-env", stack: taken}})
	specs[envName] = westSpecs[envName]
	// The environment's stack has the outputs its instance was rendered with.
	meta := SeedStackFile{Tags: map[string]string{
		"aws:proton:template":    "arn:aws:proton:us-west-2:000000000000:environment-template/fargate-env",
		"aws:proton:environment": "arn:aws:proton:us-west-2:000000000000:environment/" + envName}}
	for k, v := range sample.Environment.Outputs {
		meta.Outputs = append(meta.Outputs, SeedOutput{Key: k, Value: v})
	}
	writeSeedStack(t, west, envStack, platformtest.ReadFile(t, filepath.Join(west, envStack, "template.yaml")), meta)
	const arn = "arn:aws:proton:us-west-2:000000000000:"
	instanceTemplate := platformtest.ReadFile(t, fmt.Sprintf(protonServiceSample, "expected")+"/v1/instance/cloudformation.yaml")
	// Service west-svc has its instance and its pipeline in us-west-2.
	const westSvc, westPipeline = "west-svc", "AWSProton-west-svc-cloudformation--PIPEWE"
	for service, stack := range map[string]string{svc: instanceStack, westSvc: "AWSProton-west-svc-" + instance + "-cloudformation-1f2e3d"} {
		writeSeedStack(t, west, stack, instanceTemplate, SeedStackFile{
			Tags: map[string]string{"aws:proton:template": arn + "service-template/backend-fargate-svc", "aws:proton:environment": arn + "environment/" + envName,
				"aws:proton:service": arn + "service/" + service, "aws:proton:service-instance": arn + "service/" + service + "/service-instance/" + instance},
			Outputs: []SeedOutput{{Key: "ServiceEndpoint", Value: instance + ".local"}}})
	}
	writeSeedStack(t, west, westPipeline, "Resources: {}\n", SeedStackFile{Tags: map[string]string{
		"aws:proton:template": arn + "service-template/backend-fargate-svc", "aws:proton:service": arn + "service/" + westSvc}})
	if err := os.MkdirAll(filepath.Join(seeds, AccountID), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(west, filepath.Join(seeds, AccountID, westRegion)); err != nil {
		t.Fatal(err)
	}

	p, ts := startPlatform(t, Config{SeedStacks: seeds, Regions: []string{westRegion}})
	admin := newClient(t, p, ts, platform.AdminRole)
	for _, name := range []string{"vpc-env", "fargate-env"} {
		admin.register("environment-templates", name, platformtest.TarGz(t, fmt.Sprintf(protonSamples, "bundles", name)+"/v1", nil))
	}
	admin.register("service-templates", "backend-fargate-svc", platformtest.TarGz(t, fmt.Sprintf(protonServiceSample, "bundles")+"/v1", nil))
	inputs, _ := json.Marshal(sample.ServiceInstance.Inputs)
	svcSpec := fmt.Sprintf("proton: ServiceSpec\ninstances:\n  - name: %s\n    environment: %s\n    spec: %s\n", instance, envName, inputs)
	in := apimodel.ImportProton{EnvironmentSpecs: specs, Regions: []string{Region, westRegion}, ServiceSpecs: map[string]string{svc: svcSpec, westSvc: svcSpec}}
	byStack := func(in apimodel.ImportProton) map[string]apimodel.ImportedStack {
		return importReportBy(t, admin, in, func(s apimodel.ImportedStack) string { return s.StackName })
	}

	got := byStack(in)
	if r := got["AWSProton-vpc-cloudformation-1a2b3c"]; r.Outcome != "ADOPTED" || r.Region != "" {
		t.Fatalf("the home region's stack = %+v", r)
	}
	if r := got[envStack]; r.Outcome != "ADOPTED" || r.Region != westRegion || r.EnvironmentName != envName {
		t.Fatalf("us-west-2's environment stack = %+v", r)
	}
	if r := got[instanceStack]; r.Outcome != "ADOPTED" || r.Region != westRegion || r.ServiceInstanceName != instance {
		t.Fatalf("us-west-2's instance stack = %+v", r)
	}
	if r := got[taken]; r.Outcome != "FAILED" || r.Region != westRegion || !strings.Contains(r.Message, "us-east-1") || !strings.Contains(r.Message, westRegion) {
		t.Fatalf("a us-west-2 stack of an environment named as one at home = %+v", r)
	}
	if r := got[westPipeline]; r.Outcome != "FAILED" || r.TargetResourceType != "SERVICE_PIPELINE" || !strings.Contains(r.Message, "region us-west-2") {
		t.Fatalf("a pipeline stack in us-west-2 = %+v, want FAILED: pipelines deploy in the platform's region", r)
	}
	if status, _ := admin.json("GET", "/v1/services/"+westSvc, nil, nil); status != 404 {
		t.Fatalf("service %s was adopted without its pipeline: %d", westSvc, status)
	}
	var env apimodel.Environment
	admin.must(200, "GET", "/v1/environments/"+envName, nil, &env)
	if env.Region != westRegion || env.DeploymentStatus != platform.Succeeded || env.StackName != envStack {
		t.Fatalf("the adopted environment = %+v", env)
	}
	var vpc apimodel.Environment
	admin.must(200, "GET", "/v1/environments/vpc", nil, &vpc)
	if vpc.Region != Region || vpc.StackName != "AWSProton-vpc-cloudformation-1a2b3c" {
		t.Fatalf("the home region's environment = %+v", vpc)
	}

	again := byStack(in)
	for _, stack := range []string{"AWSProton-vpc-cloudformation-1a2b3c", envStack, instanceStack} {
		if again[stack].Outcome != "ALREADY_ADOPTED" {
			t.Fatalf("a second import of %s = %+v", stack, again[stack])
		}
	}
	var after apimodel.Environment
	admin.must(200, "GET", "/v1/environments/"+envName, nil, &after)
	if after.LastDeploymentID != env.LastDeploymentID || again[taken].Outcome != "FAILED" {
		t.Fatalf("a second import changed the environment (%s then %s) or adopted %+v", env.LastDeploymentID, after.LastDeploymentID, again[taken])
	}
	if home := byStack(apimodel.ImportProton{EnvironmentSpecs: specs}); len(home) != 1 || home["AWSProton-vpc-cloudformation-1a2b3c"].Outcome != "ALREADY_ADOPTED" {
		t.Fatalf("an import without regions = %+v, want the home region's stack alone", home)
	}
	for _, regions := range [][]string{{"mars-1"}, {"eu-west-1"}} {
		if status, body := admin.json("POST", "/v1/imports/proton", apimodel.ImportProton{Regions: regions}, nil); status != 400 || !strings.Contains(body, `"regions: `) {
			t.Fatalf("an import in %v: %d %s", regions, status, body)
		}
	}

	// The adopted environment and instance deploy in us-west-2, to their own stacks.
	ctx := context.Background()
	for _, path := range []string{"/v1/environments/" + envName, "/v1/services/" + svc + "/instances/" + instance} {
		admin.must(202, "PATCH", path, map[string]any{"deploymentType": "CURRENT_VERSION"}, nil)
		if got := admin.waitFor(path); got["deploymentStatus"] != "SUCCEEDED" {
			t.Fatalf("%s after its first deployment = %v", path, got)
		}
	}
	for _, stack := range []string{envStack, instanceStack} {
		if s, err := p.Estate.At("", westRegion).Describe(ctx, stack); err != nil || s.Status != "UPDATE_COMPLETE" {
			t.Fatalf("%s in us-west-2 = %+v, %v; want it updated in place", stack, s, err)
		}
		if _, err := p.Sim.Describe(ctx, stack); platform.KindOf(err) != platform.NotFound {
			t.Fatalf("%s in the platform's region: %v, want NotFound", stack, err)
		}
	}
}

// TestEnvironmentInAnotherAccountAndRegion: an environment created through an account
// connection and with a region deploys in that account in that region (through the
// connection's role), its stack events coming back through that account's bus in that
// region, and deleting it removes its stack there.
func TestEnvironmentInAnotherAccountAndRegion(t *testing.T) {
	ctx := context.Background()
	p, admin, _, workload := newTwoAccountPlatform(t, westRegion)
	id := connectBeta(t, admin, workload)
	admin.must(202, "POST", "/v1/environments", map[string]any{"name": "Beta", "templateName": platformtest.EnvTemplate, "templateMajorVersion": 1,
		"spec": platformtest.ReadFile(t, platformtest.SamplePath(t, platformtest.EnvSpec)), "environmentAccountConnectionId": id, "region": westRegion}, nil)
	env := admin.waitFor("/v1/environments/Beta")
	var d map[string]any
	admin.must(200, "GET", "/v1/deployments/"+env["lastDeploymentId"].(string), nil, &d)
	if env["deploymentStatus"] != "SUCCEEDED" || env["region"] != westRegion || env["environmentAccountId"] != workloadID ||
		d["account"] != workloadID || d["region"] != westRegion || !strings.HasPrefix(d["stackId"].(string), "arn:aws:cloudformation:us-west-2:"+workloadID+":stack/gantry-env-Beta/") {
		t.Fatalf("environment Beta = %v, its deployment %v", env, d)
	}
	there := p.Estate.At(workloadID, westRegion)
	for where, sim := range map[string]*cfnsim.Simulator{"the workload account in us-east-1": p.Estate.Account(workloadID), "the platform's account in us-west-2": p.Estate.At("", westRegion)} {
		if _, err := sim.Describe(ctx, "gantry-env-Beta"); platform.KindOf(err) != platform.NotFound {
			t.Fatalf("Beta's stack in %s: %v, want NotFound", where, err)
		}
	}
	wantStackResourcesIn(t, there, "gantry-env-Beta", admin.provisionedResources("/v1/environments/Beta"))
	admin.must(202, "DELETE", "/v1/environments/Beta", nil, nil)
	admin.waitGone("/v1/environments/Beta")
	if _, err := there.Describe(ctx, "gantry-env-Beta"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("Beta's stack after its deletion: %v, want NotFound", err)
	}
}
