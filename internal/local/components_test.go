package local

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

const queueManifest = `infrastructure:
  templates:
    - file: "cloudformation.yaml"
      rendering_engine: jinja
      template_language: cloudformation
`

// queueTemplate is a component's template: it reads Proton's component, service_instance
// and environment namespaces.
const queueTemplate = `Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: "{{ component.name }}-{{ service_instance.name }}-{{ service_instance.inputs.greeting }}"
Outputs:
  QueueUrl:
    Value: !Ref Queue
  Environment:
    Value: "{{ environment.name }}"
`

// outputsOf reads the outputs at path as a map.
func (c *client) outputsOf(path string) map[string]string {
	c.t.Helper()
	var outputs struct {
		Outputs []apimodel.Output `json:"outputs"`
	}
	c.must(200, "GET", path, nil, &outputs)
	out := map[string]string{}
	for _, o := range outputs.Outputs {
		out[o.Key] = o.ValueString
	}
	return out
}

// newQueueReaderPlatform is a platform with environment Beta deployed and the service
// template queue-reader (testdata/component-svc/v1, reading its instance's component)
// registered and published.
func newQueueReaderPlatform(t *testing.T) (p *Platform, admin, dev *client) {
	t.Helper()
	p, ts := newPlatform(t)
	admin = newClient(t, p, ts, platform.AdminRole)
	dev = newClient(t, p, ts, platform.DeveloperRole)
	admin.createSampleEnvironment()
	if env := admin.waitFor("/v1/environments/Beta"); env["deploymentStatus"] != "SUCCEEDED" {
		t.Fatalf("environment Beta = %v", env)
	}
	admin.register("service-templates", "queue-reader", platformtest.TarGz(t, "testdata/component-svc/v1", nil))
	return p, admin, dev
}

// TestComponentLifecycle is the life of a directly defined component as a developer lives
// it: a service from a template that accepts DIRECTLY_DEFINED components, a component on
// its instance (its own stack, tagged), the instance redeployed reading the component's
// output as service_instance.components.default.outputs, then the component deleted —
// stack first, then the record — and the instance redeployed without it; last, a second
// component deleted with its service, before the instance.
func TestComponentLifecycle(t *testing.T) {
	p, admin, dev := newQueueReaderPlatform(t)
	var version map[string]any
	admin.must(200, "GET", "/v1/service-templates/queue-reader/versions/1.0", nil, &version)
	if sources, _ := version["supportedComponentSources"].([]any); len(sources) != 1 || sources[0] != "DIRECTLY_DEFINED" {
		t.Fatalf("version 1.0 = %v, want supportedComponentSources [DIRECTLY_DEFINED]", version)
	}

	dev.must(202, "POST", "/v1/services", map[string]any{"name": "web", "templateName": "queue-reader", "templateMajorVersion": 1,
		"spec": "proton: ServiceSpec\ninstances:\n  - name: web-beta\n    environment: Beta\n    spec:\n      greeting: hi\n"}, nil)
	const instPath = "/v1/services/web/instances/web-beta"
	if inst := dev.waitFor(instPath); inst["deploymentStatus"] != "SUCCEEDED" {
		t.Fatalf("instance web-beta = %v", inst)
	}
	if out := dev.outputsOf(instPath + "/outputs"); out["ComponentQueue"] != "none" || out["ComponentOutputCount"] != "0" || out["Greeting"] != "hi" {
		t.Fatalf("instance outputs without a component = %v", out)
	}

	// Environment Beta was created without a component role: it takes no component until
	// it has one (a metadata update, nothing deployed).
	queue := map[string]any{"name": "queue", "serviceName": "web", "serviceInstanceName": "web-beta", "manifest": queueManifest, "templateFile": queueTemplate}
	if status, body := dev.json("POST", "/v1/components", queue, nil); status != 400 || !strings.Contains(body, "componentRoleArn") {
		t.Fatalf("a component in an environment without a component role: %d %s", status, body)
	}
	admin.must(202, "PATCH", "/v1/environments/Beta", map[string]any{"deploymentType": "NONE", "componentRoleArn": "arn:aws:iam::000000000000:role/gantry-components"}, nil)
	if env := admin.waitFor("/v1/environments/Beta"); env["componentRoleArn"] != "arn:aws:iam::000000000000:role/gantry-components" {
		t.Fatalf("environment Beta after setting its component role = %v", env)
	}

	var c apimodel.Component
	dev.must(202, "POST", "/v1/components", map[string]any{"name": "queue", "serviceName": "web", "serviceInstanceName": "web-beta",
		"manifest": queueManifest, "templateFile": queueTemplate, "clientToken": "queue-1",
		"tags": []map[string]string{{"key": "team", "value": "payments"}}}, &c)
	if c.DeploymentStatus != platform.InProgress || c.EnvironmentName != "Beta" || c.ARN != "arn:aws:proton:us-east-1:000000000000:component/queue" {
		t.Fatalf("created component = %+v", c)
	}
	if got := dev.waitFor("/v1/components/queue"); got["deploymentStatus"] != "SUCCEEDED" {
		t.Fatalf("component queue = %v", got)
	}
	componentOut := dev.outputsOf("/v1/components/queue/outputs")
	if componentOut["QueueUrl"] == "" || componentOut["Environment"] != "Beta" {
		t.Fatalf("component outputs = %v", componentOut)
	}
	// Its provisioned resources are its stack's: the queue, whose identifier is its URL.
	if rs := dev.provisionedResources("/v1/components/queue"); len(rs) != 1 || rs["Queue"].Identifier != componentOut["QueueUrl"] {
		t.Fatalf("component resources = %+v, want Queue %s", rs, componentOut["QueueUrl"])
	}
	ctx := context.Background()
	stack, err := p.Sim.Describe(ctx, "gantry-component-queue")
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"team": "payments", "gantry:component": "queue", "gantry:service": "web",
		"gantry:service-instance": "web-beta", "gantry:environment": "Beta", "gantry:target": "component queue"} {
		if stack.Tags[k] != v {
			t.Errorf("component stack tag %s = %q, want %q (tags %v)", k, stack.Tags[k], v, stack.Tags)
		}
	}

	// The instance sees the component's outputs on its next deployment; the tags given to
	// the service and the instance meanwhile reach its stack with Gantry's own.
	instARN := "arn:aws:proton:us-east-1:000000000000:service/web/service-instance/web-beta"
	dev.must(200, "POST", "/v1/tags", map[string]any{"resourceArn": "arn:aws:proton:us-east-1:000000000000:service/web",
		"tags": []map[string]string{{"key": "team", "value": "web"}, {"key": "tier", "value": "1"}}}, nil)
	dev.must(200, "POST", "/v1/tags", map[string]any{"resourceArn": instARN, "tags": []map[string]string{{"key": "team", "value": "web-beta"}}}, nil)
	dev.must(202, "PATCH", instPath, map[string]any{"deploymentType": "CURRENT_VERSION"}, nil)
	if inst := dev.waitFor(instPath); inst["deploymentStatus"] != "SUCCEEDED" {
		t.Fatalf("instance web-beta after its redeployment = %v", inst)
	}
	if out := dev.outputsOf(instPath + "/outputs"); out["ComponentQueue"] != componentOut["QueueUrl"] || out["ComponentOutputCount"] != "2" {
		t.Fatalf("instance outputs with the component = %v, want ComponentQueue %q", out, componentOut["QueueUrl"])
	}
	stack, err = p.Sim.Describe(ctx, "gantry-svc-web-web-beta")
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"team": "web-beta", "tier": "1", "gantry:service": "web", "gantry:service-instance": "web-beta",
		"gantry:environment": "Beta", "gantry:template": "queue-reader", "gantry:template-version": "1.0"} {
		if stack.Tags[k] != v {
			t.Errorf("instance stack tag %s = %q, want %q (tags %v)", k, stack.Tags[k], v, stack.Tags)
		}
	}

	// Deleting: the stack goes first (DELETE_IN_PROGRESS), then the record.
	var deleting apimodel.Component
	dev.must(202, "DELETE", "/v1/components/queue", nil, &deleting)
	if deleting.DeploymentStatus != platform.DeleteInProgress {
		t.Fatalf("deleting component = %+v", deleting)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		status, body := dev.json("GET", "/v1/components/queue", nil, nil)
		if status == 404 {
			break
		}
		if status != 200 || time.Now().After(deadline) {
			t.Fatalf("component during deletion: %d %s", status, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := p.Sim.Describe(ctx, "gantry-component-queue"); platform.KindOf(err) != platform.NotFound {
		t.Errorf("the component's stack after the deletion: %v, want NotFound", err)
	}
	var history struct {
		Items []apimodel.Deployment `json:"items"`
	}
	dev.must(200, "GET", "/v1/deployments?componentName=queue", nil, &history)
	if len(history.Items) != 2 || history.Items[0].Operation != platform.Delete || history.Items[0].DeploymentStatus != platform.DeleteComplete {
		t.Fatalf("component history = %+v, want its deletion then its creation", history.Items)
	}
	dev.must(202, "PATCH", instPath, map[string]any{"deploymentType": "CURRENT_VERSION"}, nil)
	if inst := dev.waitFor(instPath); inst["deploymentStatus"] != "SUCCEEDED" {
		t.Fatalf("instance web-beta after the component's deletion = %v", inst)
	}
	if out := dev.outputsOf(instPath + "/outputs"); out["ComponentQueue"] != "none" {
		t.Fatalf("instance outputs after the component's deletion = %v", out)
	}

	// Deleting the service deletes the instance's component first, then the instance.
	dev.must(202, "POST", "/v1/components", map[string]any{"name": "cache", "serviceName": "web", "serviceInstanceName": "web-beta",
		"manifest": queueManifest, "templateFile": queueTemplate}, nil)
	if got := dev.waitFor("/v1/components/cache"); got["deploymentStatus"] != "SUCCEEDED" {
		t.Fatalf("component cache = %v", got)
	}
	dev.must(202, "DELETE", "/v1/services/web", nil, nil)
	deadline = time.Now().Add(60 * time.Second)
	for {
		status, body := dev.json("GET", "/v1/services/web", nil, nil)
		if status == 404 {
			break
		}
		if status != 200 || time.Now().After(deadline) {
			t.Fatalf("service during deletion: %d %s", status, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if status, body := dev.json("GET", "/v1/components/cache", nil, nil); status != 404 {
		t.Fatalf("the component after its service's deletion: %d %s", status, body)
	}
	for _, stack := range []string{"gantry-component-cache", "gantry-svc-web-web-beta"} {
		if _, err := p.Sim.Describe(ctx, stack); platform.KindOf(err) != platform.NotFound {
			t.Errorf("stack %s after the service's deletion: %v, want NotFound", stack, err)
		}
	}
	var componentHistory, instanceHistory struct {
		Items []apimodel.Deployment `json:"items"`
	}
	dev.must(200, "GET", "/v1/deployments?componentName=cache", nil, &componentHistory)
	dev.must(200, "GET", "/v1/deployments?serviceName=web&serviceInstanceName=web-beta", nil, &instanceHistory)
	componentDeletion, instanceDeletion := componentHistory.Items[0], instanceHistory.Items[0]
	if componentDeletion.Operation != platform.Delete || instanceDeletion.Operation != platform.Delete ||
		componentDeletion.CompletedAt == nil || instanceDeletion.CompletedAt == nil ||
		instanceDeletion.CompletedAt.Before(*componentDeletion.CompletedAt) {
		t.Fatalf("component deletion %+v, instance deletion %+v: want the component's to end first", componentDeletion, instanceDeletion)
	}
	if componentDeletion.ServiceName != "web" || componentDeletion.ServiceInstanceName != "web-beta" {
		t.Errorf("the component's deployment names %q/%q, want the instance it was attached to", componentDeletion.ServiceName, componentDeletion.ServiceInstanceName)
	}
}
