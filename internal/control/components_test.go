package control_test

import (
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

const componentManifest = `infrastructure:
  templates:
    - file: "cloudformation.yaml"
      rendering_engine: jinja
      template_language: cloudformation
`

const componentTemplate = `Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: "{{ component.name }}-{{ service_instance.name }}"
Outputs:
  QueueUrl:
    Value: !Ref Queue
`

// mustComponentService deploys environment Beta and service frontend (instance
// frontend-beta) from a version of the sample service template; withComponents makes
// that version list DIRECTLY_DEFINED among its supported component sources.
func (h *harness) mustComponentService(withComponents bool) {
	h.t.Helper()
	h.mustEnvTemplate()
	h.mustDeployedEnvironment("Beta")
	h.mustCreateTemplate(platform.ServiceTemplate, platformtest.SvcTemplate)
	in := control.CreateVersionInput{Bundle: h.bundle(platformtest.SvcBundle), SupportedComponentSources: []string{}}
	if withComponents {
		in.SupportedComponentSources = []string{platform.DirectlyDefinedComponents}
	}
	tv, err := h.svc.CreateTemplateVersion(h.ctx, platform.ServiceTemplate, platformtest.SvcTemplate, in)
	if err != nil {
		h.t.Fatal(err)
	}
	h.mustPublish(platform.ServiceTemplate, platformtest.SvcTemplate, tv.Version)
	if _, err := h.svc.CreateService(h.ctx, serviceInput("Beta")); err != nil {
		h.t.Fatal(err)
	}
	inst, err := h.store.GetServiceInstance(h.ctx, "frontend", "frontend-beta")
	if err != nil {
		h.t.Fatal(err)
	}
	h.mustFinish(inst.LastDeploymentID)
}

func attachedInput(name string) control.CreateComponentInput {
	return control.CreateComponentInput{Name: name, ServiceName: "frontend", ServiceInstanceName: "frontend-beta",
		Manifest: componentManifest, TemplateFile: componentTemplate}
}

func TestCreateComponent(t *testing.T) {
	h := newHarness(t)
	h.mustComponentService(true)
	dev := developerContext()
	starts := h.startCount()

	in := attachedInput("queue")
	in.ClientToken, in.Tags = "create-queue", map[string]string{"team": "web"}
	c, err := h.svc.CreateComponent(dev, in)
	if err != nil {
		t.Fatal(err)
	}
	if c.Environment != "Beta" || c.Service != "frontend" || c.Instance != "frontend-beta" || c.DeploymentStatus != platform.InProgress {
		t.Fatalf("component = %+v", c)
	}
	if h.startCount()-starts != 1 {
		t.Fatalf("creating a component started %d workflows, want 1", h.startCount()-starts)
	}
	d := h.mustDeployment(c.LastDeploymentID)
	inst, err := h.store.GetServiceInstance(h.ctx, "frontend", "frontend-beta")
	if err != nil {
		t.Fatal(err)
	}
	if instInputs := h.mustDeployment(inst.LastSucceededDeploymentID).Inputs; d.Target != c.Target() || d.StackName != "gantry-component-queue" || string(d.Inputs) != string(instInputs) {
		t.Fatalf("component deployment = %+v (inputs %s), want the instance's inputs", d, d.Inputs)
	}
	tags, err := h.svc.ListTagsForResource(dev, h.svc.ARNScope().ARN(platform.Resource{Type: platform.ComponentResource, Name: "queue"}))
	if err != nil || tags["team"] != "web" {
		t.Fatalf("component tags = %v, %v", tags, err)
	}
	// The same client token and request answer the same component; nothing new starts.
	again, err := h.svc.CreateComponent(dev, in)
	if err != nil || again.LastDeploymentID != c.LastDeploymentID || h.startCount()-starts != 1 {
		t.Fatalf("repeated create = %+v, %v", again, err)
	}

	withSpec := attachedInput("other")
	withSpec.ServiceSpec = "proton: ServiceSpec\ninstances:\n  - name: frontend-beta\n    environment: Beta\n    spec:\n      port: 8080\n"
	if _, err := h.svc.CreateComponent(dev, withSpec); platform.KindOf(err) != platform.Conflict {
		t.Errorf("a second component on frontend-beta: %v, want Conflict", err)
	}

	for _, c := range []struct {
		name  string
		edit  func(*control.CreateComponentInput)
		kind  platform.ErrorKind
		field string
	}{
		{"a bad name", func(in *control.CreateComponentInput) { in.Name = "no spaces" }, platform.Invalid, "name"},
		{"no template file", func(in *control.CreateComponentInput) { in.TemplateFile = "" }, platform.Invalid, "templateFile"},
		{"a manifest of two templates", func(in *control.CreateComponentInput) {
			in.Manifest += "    - file: b.yaml\n      rendering_engine: jinja\n"
		}, platform.Invalid, "manifest"},
		{"a codebuild manifest", func(in *control.CreateComponentInput) {
			in.Manifest = "infrastructure:\n  templates:\n    - rendering_engine: codebuild\n      settings:\n        provision: [make]\n"
		}, platform.Invalid, "manifest"},
		{"a Terraform template in an environment CloudFormation provisions", func(in *control.CreateComponentInput) {
			in.Manifest = "infrastructure:\n  templates:\n    - file: component.tf\n      rendering_engine: hcl\n      template_language: terraform\n"
			in.TemplateFile = "resource \"aws_sqs_queue\" \"q\" {}\n"
		}, platform.Invalid, "manifest"},
		{"hcl in another language than terraform", func(in *control.CreateComponentInput) {
			in.Manifest = "infrastructure:\n  templates:\n    - file: component.tf\n      rendering_engine: hcl\n      template_language: pulumi\n"
		}, platform.Invalid, "manifest"},
		{"a Terraform template declaring Proton's own variable", func(in *control.CreateComponentInput) {
			in.Manifest = "infrastructure:\n  templates:\n    - file: component.tf\n      rendering_engine: hcl\n      template_language: terraform\n"
			in.TemplateFile = "variable \"component\" {\n  type = string\n}\n"
		}, platform.Invalid, "templateFile"},
		{"a service without its instance", func(in *control.CreateComponentInput) { in.ServiceInstanceName = "" }, platform.Invalid, "serviceInstanceName"},
		{"nothing to attach to", func(in *control.CreateComponentInput) { in.ServiceName, in.ServiceInstanceName = "", "" }, platform.Invalid, "environmentName"},
		{"another environment than the instance's", func(in *control.CreateComponentInput) { in.EnvironmentName = "Gamma" }, platform.Invalid, "environmentName"},
		{"a missing instance", func(in *control.CreateComponentInput) { in.ServiceInstanceName = "frontend-nowhere" }, platform.NotFound, ""},
		{"a service spec for a detached component", func(in *control.CreateComponentInput) {
			in.ServiceName, in.ServiceInstanceName, in.EnvironmentName, in.ServiceSpec = "", "", "Beta", "proton: ServiceSpec\n"
		}, platform.Invalid, "serviceSpec"},
		{"a reserved tag", func(in *control.CreateComponentInput) { in.Tags = map[string]string{"aws:x": "y"} }, platform.Invalid, `tags["aws:x"]`},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := attachedInput("bad")
			c.edit(&in)
			_, err := h.svc.CreateComponent(dev, in)
			if kind, field := fieldOf(err); kind != c.kind || field != c.field {
				t.Errorf("error %v (kind %s, field %q), want kind %s naming %q", err, kind, field, c.kind, c.field)
			}
			if _, err := h.store.GetComponent(h.ctx, "bad"); platform.KindOf(err) != platform.NotFound {
				t.Errorf("a refused component was stored: %v", err)
			}
		})
	}
	noRole := platform.WithCaller(h.ctx, platform.Caller{Subject: "nobody"})
	if _, err := h.svc.CreateComponent(noRole, attachedInput("x")); platform.KindOf(err) != platform.Forbidden {
		t.Errorf("create without the developer role: %v, want Forbidden", err)
	}

	detached, err := h.svc.CreateComponent(dev, control.CreateComponentInput{Name: "bucket", EnvironmentName: "Beta",
		Manifest: componentManifest, TemplateFile: componentTemplate})
	if err != nil || detached.Attached() || detached.Environment != "Beta" {
		t.Fatalf("detached component = %+v, %v", detached, err)
	}
	page, err := h.svc.ListComponents(dev, platform.ComponentFilter{Service: "frontend"}, platform.PageRequest{})
	if err != nil || len(page.Items) != 1 || page.Items[0].Name != "queue" {
		t.Fatalf("components of frontend = %+v, %v", page.Items, err)
	}
	page, err = h.svc.ListComponents(dev, platform.ComponentFilter{Environment: "Beta"}, platform.PageRequest{})
	if err != nil || len(page.Items) != 2 {
		t.Fatalf("components in Beta = %+v, %v", page.Items, err)
	}
}

func TestComponentNeedsDirectlyDefinedSource(t *testing.T) {
	h := newHarness(t)
	h.mustComponentService(false)
	_, err := h.svc.CreateComponent(developerContext(), attachedInput("queue"))
	if kind, field := fieldOf(err); kind != platform.Invalid || field != "serviceInstanceName" {
		t.Fatalf("a component on an instance whose template lists no component source: %v, want Invalid naming serviceInstanceName", err)
	}
}

func TestUpdateCancelDeleteComponent(t *testing.T) {
	h := newHarness(t)
	h.mustComponentService(true)
	dev := developerContext()
	c, err := h.svc.CreateComponent(dev, attachedInput("queue"))
	if err != nil {
		t.Fatal(err)
	}
	newTemplate := componentTemplate + "  Name:\n    Value: \"{{ component.name }}\"\n"
	update := control.UpdateComponentInput{DeploymentType: platform.DeployCurrentVersion, TemplateFile: &newTemplate}
	if _, err := h.svc.UpdateComponent(dev, "queue", update); platform.KindOf(err) != platform.Conflict {
		t.Fatalf("update while deploying: %v, want Conflict", err)
	}
	if _, err := h.svc.DeleteComponent(dev, "queue"); platform.KindOf(err) != platform.Conflict {
		t.Fatalf("delete while deploying: %v, want Conflict", err)
	}
	h.mustFinish(c.LastDeploymentID)
	outputs, err := h.svc.ListComponentOutputs(dev, "queue", "")
	if err != nil || len(outputs) != 1 {
		t.Fatalf("component outputs = %v, %v", outputs, err)
	}
	if _, err := h.svc.CancelComponentDeployment(dev, "queue"); platform.KindOf(err) != platform.Conflict {
		t.Fatalf("cancel with nothing in progress: %v, want Conflict", err)
	}

	description := "the work queue"
	starts := h.startCount()
	if _, err := h.svc.UpdateComponent(dev, "queue", control.UpdateComponentInput{DeploymentType: platform.DeployNone, TemplateFile: &newTemplate}); platform.KindOf(err) != platform.Invalid {
		t.Fatalf("NONE with a template file: %v, want Invalid", err)
	}
	got, err := h.svc.UpdateComponent(dev, "queue", control.UpdateComponentInput{DeploymentType: platform.DeployNone, Description: &description})
	if err != nil || got.Description != description || got.LastDeploymentID != c.LastDeploymentID || h.startCount() != starts {
		t.Fatalf("NONE update = %+v, %v; want the description only, no deployment", got, err)
	}
	other := "frontend-gamma"
	if _, err := h.svc.UpdateComponent(dev, "queue", control.UpdateComponentInput{DeploymentType: platform.DeployCurrentVersion, ServiceInstanceName: &other}); platform.KindOf(err) != platform.Invalid {
		t.Fatalf("moving the component: %v, want Invalid", err)
	}

	got, err = h.svc.UpdateComponent(dev, "queue", update)
	if err != nil || got.TemplateFile != newTemplate || got.DeploymentStatus != platform.InProgress || got.LastDeploymentID == c.LastDeploymentID {
		t.Fatalf("CURRENT_VERSION update = %+v, %v", got, err)
	}
	if d := h.mustDeployment(got.LastDeploymentID); d.PreviousDeploymentID != c.LastDeploymentID {
		t.Errorf("update's previous deployment = %s, want %s", d.PreviousDeploymentID, c.LastDeploymentID)
	}
	if _, err := h.svc.ListComponentOutputs(dev, "queue", c.LastDeploymentID); err != nil {
		t.Errorf("outputs of the first deployment: %v", err)
	}
	cancelled, err := h.svc.CancelComponentDeployment(dev, "queue")
	if err != nil || cancelled.DeploymentStatus != platform.Cancelling {
		t.Fatalf("cancel = %+v, %v; want CANCELLING", cancelled, err)
	}

	// Once its deployment is over, the component is deleted through the workflow: the
	// stack first (DELETE_IN_PROGRESS), then the record; the instance may then have
	// another one.
	d := h.mustDeployment(got.LastDeploymentID)
	d.Status, d.CompletedAt = platform.Cancelled, h.clock.Tick()
	if err := h.store.FinishDeployment(h.ctx, d); err != nil {
		t.Fatal(err)
	}
	deleting, err := h.svc.DeleteComponent(dev, "queue")
	if err != nil || deleting.DeploymentStatus != platform.DeleteInProgress {
		t.Fatalf("delete = %+v, %v", deleting, err)
	}
	h.mustFinish(deleting.LastDeploymentID)
	if _, err := h.svc.GetComponent(dev, "queue"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("deleted component: %v, want NotFound", err)
	}
	if _, err := h.svc.CreateComponent(dev, attachedInput("queue2")); err != nil {
		t.Fatalf("a new component after the deletion: %v", err)
	}
}

// TestDeleteServiceDeletesComponentsFirst checks the order of a service's deletion: the
// component attached to its instance is deleted at once, the instance's deletion waits
// for it (stored, not started).
func TestDeleteServiceDeletesComponentsFirst(t *testing.T) {
	h := newHarness(t)
	h.mustComponentService(true)
	dev := developerContext()
	pipeline, err := h.store.GetServicePipeline(h.ctx, "frontend")
	if err != nil {
		t.Fatal(err)
	}
	h.mustFinish(pipeline.LastDeploymentID)
	c, err := h.svc.CreateComponent(dev, attachedInput("queue"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.DeleteService(dev, "frontend"); platform.KindOf(err) != platform.Conflict {
		t.Fatalf("deleting the service while its component deploys: %v, want Conflict", err)
	}
	h.mustFinish(c.LastDeploymentID)
	starts := h.startCount()
	if _, err := h.svc.DeleteService(dev, "frontend"); err != nil {
		t.Fatal(err)
	}
	c, err = h.store.GetComponent(h.ctx, "queue")
	if err != nil || c.DeploymentStatus != platform.DeleteInProgress {
		t.Fatalf("component after DeleteService = %+v, %v; want DELETE_IN_PROGRESS", c, err)
	}
	d := h.mustDeployment(c.LastDeploymentID)
	if d.Target != c.Target() || d.Operation != platform.Delete {
		t.Fatalf("component deletion = %+v", d)
	}
	inst, err := h.store.GetServiceInstance(h.ctx, "frontend", "frontend-beta")
	if err != nil {
		t.Fatal(err)
	}
	id := h.mustDeployment(inst.LastDeploymentID)
	if id.Operation != platform.Delete || id.StatusMessage == "" {
		t.Fatalf("instance deletion = %+v; want one that waits", id)
	}
	h.mu.Lock()
	started := append([]string(nil), h.starts[starts:]...)
	h.mu.Unlock()
	for _, name := range started {
		if name == id.ID {
			t.Errorf("the instance's deletion started with its component's")
		}
	}
	if len(started) == 0 || started[0] != d.ID && (len(started) < 2 || started[1] != d.ID) {
		t.Errorf("started %v; want the component's deletion %s among them", started, d.ID)
	}
}

// TestEnvironmentWithComponentsIsNotDeleted: a detached component keeps its environment.
func TestEnvironmentWithComponentsIsNotDeleted(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate()
	h.mustDeployedEnvironment("Beta")
	c, err := h.svc.CreateComponent(developerContext(), control.CreateComponentInput{Name: "bucket", EnvironmentName: "Beta",
		Manifest: componentManifest, TemplateFile: componentTemplate})
	if err != nil {
		t.Fatal(err)
	}
	h.mustFinish(c.LastDeploymentID)
	if _, err := h.svc.DeleteEnvironment(h.ctx, "Beta"); platform.KindOf(err) != platform.Conflict || !strings.Contains(err.Error(), "bucket") {
		t.Fatalf("deleting an environment holding a component: %v, want Conflict naming it", err)
	}
}
