package local

import (
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

// TestCustomerManagedEnvironmentHostsServices registers an environment made outside
// Gantry (provisioning CUSTOMER_MANAGED) with the outputs the golden path's vpc-ecs would
// have, deploys the public-web-service into it, and checks that the instance's template
// reads those outputs — and the new ones after the environment's outputs are replaced.
func TestCustomerManagedEnvironmentHostsServices(t *testing.T) {
	p, ts := newPlatform(t)
	admin := newClient(t, p, ts, platform.AdminRole)
	dev := newClient(t, p, ts, platform.DeveloperRole)
	lib := "../../templates"
	admin.register("environment-templates", "vpc-ecs", platformtest.TarGz(t, lib+"/environments/vpc-ecs/v1", nil))
	admin.register("service-templates", "public-web-service", platformtest.TarGz(t, lib+"/services/public-web-service/v1", nil))
	outputs := map[string]any{"VpcId": "vpc-0cust", "VpcCidr": "10.42.0.0/16", "PublicSubnetIds": "subnet-pub1,subnet-pub2",
		"PrivateSubnetIds": "subnet-priv1,subnet-priv2", "ClusterName": "shared-cluster"}
	create := map[string]any{"name": "shared", "templateName": "vpc-ecs", "templateMajorVersion": 1,
		"spec": platformtest.ReadFile(t, lib+"/environments/vpc-ecs/tests/defaults/spec.yaml"), "provisioning": "CUSTOMER_MANAGED", "outputs": outputs}

	bad := map[string]any{}
	for k, v := range create {
		bad[k] = v
	}
	bad["outputs"] = map[string]any{"VpcId": 5}
	if status, body := admin.json("POST", "/v1/environments", bad, nil); status != 400 || !strings.Contains(body, "outputs.VpcId") {
		t.Fatalf("an output that is not a string: %d %s, want 400 naming outputs.VpcId", status, body)
	}
	bad["outputs"], bad["provisioning"] = outputs, "SELF"
	if status, body := admin.json("POST", "/v1/environments", bad, nil); status != 400 || !strings.Contains(body, "provisioning") {
		t.Fatalf("provisioning SELF: %d %s, want 400 naming provisioning", status, body)
	}
	if status, body := dev.json("POST", "/v1/environments", create, nil); status != 403 {
		t.Fatalf("a developer registering an environment: %d %s, want 403", status, body)
	}

	var env apimodel.Environment
	admin.must(202, "POST", "/v1/environments", create, &env)
	if env.DeploymentStatus != platform.Succeeded || env.Provisioning != "CUSTOMER_MANAGED" || env.StackName != "" {
		t.Fatalf("customer-managed environment = %+v", env)
	}
	var outs apimodel.Outputs
	admin.must(200, "GET", "/v1/environments/shared/outputs", nil, &outs)
	if len(outs.Outputs) != len(outputs) || outs.Outputs[0].Key != "ClusterName" || outs.Outputs[0].ValueString != "shared-cluster" {
		t.Fatalf("outputs = %+v", outs)
	}

	dev.must(202, "POST", "/v1/services", map[string]any{"name": "frontend", "templateName": "public-web-service", "templateMajorVersion": 1,
		"spec":                    strings.ReplaceAll(platformtest.ReadFile(t, lib+"/services/public-web-service/tests/defaults/spec.yaml"), "environment: beta", "environment: shared"),
		"repositoryConnectionArn": "arn:aws:codestar-connections:us-east-1:000000000000:connection/example",
		"repositoryId":            "example-org/frontend", "branchName": "main"}, nil)
	inst := dev.waitFor("/v1/services/frontend/instances/frontend-beta")
	if inst["deploymentStatus"] != "SUCCEEDED" {
		t.Fatalf("frontend-beta in the customer-managed environment = %v", inst)
	}
	rendered := func(deployment any) string {
		var r apimodel.RenderedTemplate
		dev.must(200, "GET", "/v1/deployments/"+deployment.(string)+"/rendered", nil, &r)
		return r.Template
	}
	if tmpl := rendered(inst["lastDeploymentId"]); !strings.Contains(tmpl, `VpcId: "vpc-0cust"`) || !strings.Contains(tmpl, `Cluster: "shared-cluster"`) ||
		!strings.Contains(tmpl, `"subnet-priv1,subnet-priv2"`) {
		t.Fatalf("the instance's template does not read the environment's outputs:\n%s", tmpl)
	}

	// The environment's outputs change: a deployment of its own; the instance's next
	// deployment reads the new ones.
	outputs["VpcId"] = "vpc-0moved"
	var updated apimodel.Environment
	admin.must(202, "PATCH", "/v1/environments/shared", map[string]any{"deploymentType": "CURRENT_VERSION", "outputs": outputs}, &updated)
	if updated.DeploymentStatus != platform.Succeeded || updated.LastDeploymentID == env.LastDeploymentID {
		t.Fatalf("environment after new outputs = %+v", updated)
	}
	dev.must(202, "PATCH", "/v1/services/frontend/instances/frontend-beta", map[string]any{"deploymentType": "CURRENT_VERSION"}, nil)
	inst = dev.waitFor("/v1/services/frontend/instances/frontend-beta")
	if tmpl := rendered(inst["lastDeploymentId"]); inst["deploymentStatus"] != "SUCCEEDED" || !strings.Contains(tmpl, `VpcId: "vpc-0moved"`) {
		t.Fatalf("after the outputs changed, frontend-beta = %v with template:\n%s", inst, tmpl)
	}
	if status, body := admin.json("DELETE", "/v1/environments/shared", nil, nil); status != 409 || !strings.Contains(body, "service instances") {
		t.Fatalf("deleting the environment with an instance in it: %d %s, want 409", status, body)
	}
}
