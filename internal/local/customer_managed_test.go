package local

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

// templateLib is the template library the golden path uses.
const templateLib = "../../templates"

// webServicePlatform starts a platform where an admin has registered and published the
// library's vpc-ecs environment template and public-web-service service template.
func webServicePlatform(t *testing.T) (*Platform, *httptest.Server, *client) {
	t.Helper()
	p, ts := newPlatform(t)
	admin := newClient(t, p, ts, platform.AdminRole)
	admin.register("environment-templates", "vpc-ecs", platformtest.TarGz(t, templateLib+"/environments/vpc-ecs/v1", nil))
	admin.register("service-templates", "public-web-service", platformtest.TarGz(t, templateLib+"/services/public-web-service/v1", nil))
	return p, ts, admin
}

// TestCustomerManagedEnvironmentHostsServices registers an environment made outside
// Gantry (provisioning CUSTOMER_MANAGED) with the outputs the golden path's vpc-ecs would
// have, deploys the public-web-service into it, and checks that the instance's template
// reads those outputs — and the new ones after the environment's outputs are replaced.
func TestCustomerManagedEnvironmentHostsServices(t *testing.T) {
	p, ts, admin := webServicePlatform(t)
	dev := newClient(t, p, ts, platform.DeveloperRole)
	outputs := map[string]any{"VpcId": "vpc-0cust", "VpcCidr": "10.42.0.0/16", "PublicSubnetIds": "subnet-pub1,subnet-pub2",
		"PrivateSubnetIds": "subnet-priv1,subnet-priv2", "ClusterName": "shared-cluster"}
	create := map[string]any{"name": "shared", "templateName": "vpc-ecs", "templateMajorVersion": 1,
		"spec": platformtest.ReadFile(t, templateLib+"/environments/vpc-ecs/tests/defaults/spec.yaml"), "provisioning": "CUSTOMER_MANAGED", "outputs": outputs}

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
		"spec":                    strings.ReplaceAll(platformtest.ReadFile(t, templateLib+"/services/public-web-service/tests/defaults/spec.yaml"), "environment: beta", "environment: shared"),
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

// TestCustomerManagedMissingOutput: an environment registered by hand without an output
// its services' template reads (public-web-service reads PrivateSubnetIds) refuses the
// service before anything is stored, naming the output, the template file and line; an
// output the template only tests for (AlarmTopicArn, under an if) is not required. Once
// the service runs there, replacing the environment's outputs with fewer makes the
// instance's update and its preview fail the same way, with no deployment started. A
// directly defined component there is checked the same way when created and updated.
func TestCustomerManagedMissingOutput(t *testing.T) {
	_, _, admin := webServicePlatform(t)
	full := map[string]any{"VpcId": "vpc-0cust", "VpcCidr": "10.42.0.0/16", "PublicSubnetIds": "subnet-pub1,subnet-pub2",
		"PrivateSubnetIds": "subnet-priv1,subnet-priv2", "ClusterName": "shared-cluster"}
	partial := map[string]any{}
	for k, v := range full {
		if k != "PrivateSubnetIds" {
			partial[k] = v
		}
	}
	envSpec := platformtest.ReadFile(t, templateLib+"/environments/vpc-ecs/tests/defaults/spec.yaml")
	for name, outputs := range map[string]map[string]any{"partial": partial, "full": full} {
		admin.must(202, "POST", "/v1/environments", map[string]any{"name": name, "templateName": "vpc-ecs", "templateMajorVersion": 1,
			"spec": envSpec, "provisioning": "CUSTOMER_MANAGED", "outputs": outputs, "componentRoleArn": "arn:aws:iam::000000000000:role/gantry-components"}, nil)
	}
	component := func(name, output string) map[string]any {
		return map[string]any{"name": name, "environmentName": "partial", "manifest": queueManifest,
			"templateFile": "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      DisplayName: \"{{ environment.outputs." + output + " }}\"\n"}
	}
	const componentMissing = "templateFile (cloudformation.yaml):5: undefined: 'PrivateSubnetIds' is not an output of customer-managed environment partial"
	if status, body := admin.json("POST", "/v1/components", component("alarms", "PrivateSubnetIds"), nil); status != 400 || !strings.Contains(body, componentMissing) || !strings.Contains(body, "templateFile") {
		t.Fatalf("a component reading an output its environment was not given: %d %s, want 400 naming %q", status, body, componentMissing)
	}
	admin.must(202, "POST", "/v1/components", component("alarms", "VpcId"), nil)
	if c := admin.waitFor("/v1/components/alarms"); c["deploymentStatus"] != "SUCCEEDED" {
		t.Fatalf("a component reading the outputs it was given = %v", c)
	}
	if status, body := admin.json("PATCH", "/v1/components/alarms", map[string]any{"deploymentType": "CURRENT_VERSION",
		"templateFile": component("alarms", "PrivateSubnetIds")["templateFile"]}, nil); status != 400 || !strings.Contains(body, componentMissing) {
		t.Fatalf("updating the component to read a missing output: %d %s, want 400 naming %q", status, body, componentMissing)
	}
	service := func(env string) map[string]any {
		return map[string]any{"name": "frontend", "templateName": "public-web-service", "templateMajorVersion": 1,
			"spec":                    strings.ReplaceAll(platformtest.ReadFile(t, templateLib+"/services/public-web-service/tests/defaults/spec.yaml"), "environment: beta", "environment: "+env),
			"repositoryConnectionArn": "arn:aws:codestar-connections:us-east-1:000000000000:connection/example",
			"repositoryId":            "example-org/frontend", "branchName": "main"}
	}
	const missing = "instance_infrastructure/cloudformation.yaml:234: undefined: 'PrivateSubnetIds' is not an output of customer-managed environment partial"
	if status, body := admin.json("POST", "/v1/services", service("partial"), nil); status != 400 || !strings.Contains(body, missing) || !strings.Contains(body, "spec.instances[0].environment") {
		t.Fatalf("a service reading an output its environment was not given: %d %s, want 400 naming %q", status, body, missing)
	}
	if status, _ := admin.json("GET", "/v1/services/frontend", nil, nil); status != 404 {
		t.Fatalf("the refused service was stored: %d", status)
	}

	admin.must(202, "POST", "/v1/services", service("full"), nil)
	inst := admin.waitFor("/v1/services/frontend/instances/frontend-beta")
	if inst["deploymentStatus"] != "SUCCEEDED" {
		t.Fatalf("frontend-beta with every output it reads = %v", inst)
	}
	admin.must(202, "PATCH", "/v1/environments/full", map[string]any{"deploymentType": "CURRENT_VERSION", "outputs": partial}, nil)
	update := map[string]any{"deploymentType": "CURRENT_VERSION"}
	want := strings.Replace(missing, "environment partial", "environment full", 1)
	for _, path := range []string{"/v1/services/frontend/instances/frontend-beta", "/v1/services/frontend/instances/frontend-beta/preview"} {
		method := "PATCH"
		if strings.HasSuffix(path, "/preview") {
			method = "POST"
		}
		if status, body := admin.json(method, path, update, nil); status != 400 || !strings.Contains(body, want) {
			t.Fatalf("%s %s once the environment lost an output: %d %s, want 400 naming %q", method, path, status, body, want)
		}
	}
	if after := admin.waitFor("/v1/services/frontend/instances/frontend-beta"); after["lastDeploymentId"] != inst["lastDeploymentId"] {
		t.Fatalf("a refused update started deployment %v", after["lastDeploymentId"])
	}
}
