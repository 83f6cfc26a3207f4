package local

import (
	"context"
	"testing"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/cfnsim"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

// provisionedResources reads every page of path's provisioned resources, by name.
func (c *client) provisionedResources(path string) map[string]apimodel.ProvisionedResource {
	c.t.Helper()
	out := map[string]apimodel.ProvisionedResource{}
	next := ""
	for {
		var page apimodel.List[apimodel.ProvisionedResource]
		url := path + "/provisioned-resources"
		if next != "" {
			url += "?nextToken=" + next
		}
		c.must(200, "GET", url, nil, &page)
		for _, r := range page.Items {
			out[r.Name] = r
		}
		if next = page.NextToken; next == "" {
			return out
		}
	}
}

// wantStackResources checks that listed are exactly the resources of stack in the
// simulator, with their physical ids, provisioned by CloudFormation.
func wantStackResources(t *testing.T, p *Platform, stack string, listed map[string]apimodel.ProvisionedResource) {
	t.Helper()
	wantStackResourcesIn(t, p.Sim, stack, listed)
}

// wantStackResourcesIn is wantStackResources for the stack in sim (an account's
// CloudFormation).
func wantStackResourcesIn(t *testing.T, sim *cfnsim.Simulator, stack string, listed map[string]apimodel.ProvisionedResource) {
	t.Helper()
	page, err := sim.ListResources(context.Background(), stack, "")
	if err != nil {
		t.Fatalf("stack %s: %v", stack, err)
	}
	if len(page.Resources) == 0 || len(listed) != len(page.Resources) {
		t.Fatalf("%s: listed %d resources, its stack has %d (%+v)", stack, len(listed), len(page.Resources), listed)
	}
	for _, r := range page.Resources {
		got, ok := listed[r.LogicalID]
		if !ok || got.Identifier != r.PhysicalID || got.Identifier == "" || got.ProvisioningEngine != platform.CloudFormationEngine {
			t.Errorf("%s: resource %s listed as %+v, want identifier %q by CLOUDFORMATION", stack, r.LogicalID, got, r.PhysicalID)
		}
	}
}

// TestProvisionedResourcesOfAnEstate lists, over REST, the resources of a deployed
// environment, service instance and service pipeline: each is its stack's resources in
// the CloudFormation simulator, with the physical ids the stack's outputs carry; a
// missing target answers 404 and a forged page token 400.
func TestProvisionedResourcesOfAnEstate(t *testing.T) {
	p, admin, dev := newSamplePlatform(t)
	admin.must(202, "POST", "/v1/environments", map[string]any{"name": "Beta", "templateName": platformtest.EnvTemplate,
		"templateMajorVersion": 1, "spec": platformtest.ReadFile(t, platformtest.SamplePath(t, platformtest.EnvSpec))}, nil)
	if env := admin.waitFor("/v1/environments/Beta"); env["deploymentStatus"] != "SUCCEEDED" {
		t.Fatalf("environment Beta = %v", env)
	}
	dev.must(202, "POST", "/v1/services", map[string]any{"name": "frontend", "templateName": platformtest.SvcTemplate,
		"templateMajorVersion": 1, "spec": instanceSpec("one"),
		"repositoryConnectionArn": "arn:aws:codestar-connections:us-east-1:000000000000:connection/example",
		"repositoryId":            "example-org/frontend", "branchName": "main"}, nil)
	if inst := dev.waitFor("/v1/services/frontend/instances/one"); inst["deploymentStatus"] != "SUCCEEDED" {
		t.Fatalf("instance one = %v", inst)
	}
	if pipeline := dev.waitPipeline("frontend"); pipeline["deploymentStatus"] != "SUCCEEDED" {
		t.Fatalf("pipeline = %v", pipeline)
	}

	env := dev.provisionedResources("/v1/environments/Beta")
	wantStackResources(t, p, "gantry-env-Beta", env)
	outputs := dev.outputsOf("/v1/environments/Beta/outputs")
	if env["VPC"].Identifier != outputs["VpcId"] || env["ECSCluster"].Identifier != outputs["ClusterName"] {
		t.Errorf("VPC %q and ECSCluster %q, want the outputs' VpcId %q and ClusterName %q",
			env["VPC"].Identifier, env["ECSCluster"].Identifier, outputs["VpcId"], outputs["ClusterName"])
	}
	wantStackResources(t, p, "gantry-svc-frontend-one", dev.provisionedResources("/v1/services/frontend/instances/one"))
	wantStackResources(t, p, "gantry-pipeline-frontend", dev.provisionedResources("/v1/services/frontend/pipeline"))

	for _, path := range []string{"/v1/environments/Gamma", "/v1/services/frontend/instances/two", "/v1/services/backend/pipeline", "/v1/components/none"} {
		if status, body := dev.json("GET", path+"/provisioned-resources", nil, nil); status != 404 {
			t.Errorf("%s: %d %s, want 404", path, status, body)
		}
	}
	if status, body := dev.json("GET", "/v1/environments/Beta/provisioned-resources?nextToken=forged", nil, nil); status != 400 {
		t.Errorf("a forged nextToken: %d %s, want 400", status, body)
	}
}

// TestProvisionedResourcesInAnotherAccount lists the resources of an environment deployed
// into an environment account through its connection: they are its stack's there, read
// through the connection's role.
func TestProvisionedResourcesInAnotherAccount(t *testing.T) {
	p, admin, _, workload := newTwoAccountPlatform(t)
	id := connectBeta(t, admin, workload)
	admin.must(202, "POST", "/v1/environments", map[string]any{"name": "Beta", "templateName": platformtest.EnvTemplate, "templateMajorVersion": 1,
		"spec": platformtest.ReadFile(t, platformtest.SamplePath(t, platformtest.EnvSpec)), "environmentAccountConnectionId": id}, nil)
	if env := admin.waitFor("/v1/environments/Beta"); env["deploymentStatus"] != "SUCCEEDED" {
		t.Fatalf("environment Beta = %v", env)
	}
	wantStackResourcesIn(t, p.Estate.Account(workloadID), "gantry-env-Beta", admin.provisionedResources("/v1/environments/Beta"))
}
