package local

import (
	"context"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

func changeOf(p apimodel.Preview, logicalID string) (apimodel.ResourceChange, bool) {
	for _, c := range p.Changes {
		if c.LogicalResourceID == logicalID {
			return c, true
		}
	}
	return apimodel.ResourceChange{}, false
}

// TestPreviewThenDeployThatChangeSet previews environment and instance updates (POST
// …/preview and dryRun), checks that nothing was deployed, then deploys the previewed
// change set by its previewId; the roles are those of updates.
func TestPreviewThenDeployThatChangeSet(t *testing.T) {
	p, admin, dev := newSamplePlatform(t)
	envSpec := platformtest.ReadFile(t, platformtest.SamplePath(t, platformtest.EnvSpec))
	admin.must(202, "POST", "/v1/environments", map[string]any{"name": "Beta", "templateName": platformtest.EnvTemplate,
		"templateMajorVersion": 1, "spec": envSpec}, nil)
	before := admin.waitFor("/v1/environments/Beta")
	if before["deploymentStatus"] != "SUCCEEDED" {
		t.Fatalf("environment Beta = %v", before)
	}

	// The same spec again: CloudFormation's empty change set.
	var same apimodel.Preview
	admin.must(200, "POST", "/v1/environments/Beta/preview", map[string]any{"deploymentType": "CURRENT_VERSION"}, &same)
	if !same.Empty || same.Status != "FAILED" || same.StatusReason != "The submitted information didn't contain changes. Submit different information to create a change set." || len(same.Changes) != 0 {
		t.Fatalf("preview of the same spec = %+v", same)
	}

	// Another VPC range: the VPC and both subnets are replaced (CidrBlock is immutable).
	wider := "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.1.0.0/16\n  subnet_one_cidr: 10.1.0.0/24\n  subnet_two_cidr: 10.1.1.0/24\n"
	var pv apimodel.Preview
	admin.must(200, "POST", "/v1/environments/Beta/preview", map[string]any{"deploymentType": "CURRENT_VERSION", "spec": wider}, &pv)
	vpc, ok := changeOf(pv, "VPC")
	if !ok || vpc.Action != "Modify" || vpc.Replacement != "True" || len(vpc.Details) == 0 || vpc.Details[0].Name != "CidrBlock" || vpc.Details[0].RequiresRecreation != "Always" {
		t.Fatalf("VPC change = %+v (preview %+v)", vpc, pv)
	}
	if pv.Summary.Replace < 3 || pv.Summary.Add != 0 || pv.Summary.Remove != 0 || pv.Empty || pv.ChangeSetType != "UPDATE" || pv.StackName != "gantry-env-Beta" {
		t.Fatalf("preview = %+v", pv)
	}
	// Nothing was deployed: the environment and its stack are as they were.
	var env map[string]any
	admin.must(200, "GET", "/v1/environments/Beta", nil, &env)
	if env["lastDeploymentId"] != before["lastDeploymentId"] || env["spec"] != envSpec {
		t.Fatalf("the preview deployed: %v", env)
	}
	var again apimodel.Preview
	admin.must(200, "GET", "/v1/previews/"+pv.ID, nil, &again)
	if again.ID != pv.ID || again.Summary != pv.Summary {
		t.Fatalf("GET preview = %+v", again)
	}

	if status, body := dev.json("POST", "/v1/environments/Beta/preview", map[string]any{"deploymentType": "CURRENT_VERSION"}, nil); status != 403 || !strings.Contains(body, "self-service") {
		t.Fatalf("developer preview of an environment whose template is not self-service: %d %s", status, body)
	}
	// Whoever may update an environment may preview it: a developer, once its template is self-service.
	admin.must(200, "PATCH", "/v1/environment-templates/"+platformtest.EnvTemplate, map[string]any{"selfService": true}, nil)
	var devPreview apimodel.Preview
	dev.must(200, "POST", "/v1/environments/Beta/preview", map[string]any{"deploymentType": "CURRENT_VERSION", "spec": wider}, &devPreview)
	if devPreview.Summary != pv.Summary {
		t.Fatalf("a developer's preview = %+v, want the admin's summary %+v", devPreview.Summary, pv.Summary)
	}
	admin.must(200, "PATCH", "/v1/environment-templates/"+platformtest.EnvTemplate, map[string]any{"selfService": false}, nil)
	// dryRun on the update answers the same preview.
	var dry apimodel.Preview
	admin.must(200, "PATCH", "/v1/environments/Beta", map[string]any{"deploymentType": "CURRENT_VERSION", "spec": wider, "dryRun": true}, &dry)
	if dry.Summary != pv.Summary || dry.ID == pv.ID {
		t.Fatalf("dryRun = %+v", dry)
	}
	if status, body := admin.json("PATCH", "/v1/environments/Beta", map[string]any{"deploymentType": "CURRENT_VERSION", "previewId": pv.ID, "spec": wider}, nil); status != 400 {
		t.Fatalf("previewId with a spec: %d %s", status, body)
	}

	// The dryRun's preview superseded the first one (a target keeps one preview).
	if status, body := admin.json("GET", "/v1/previews/"+pv.ID, nil, nil); status != 404 {
		t.Fatalf("GET a superseded preview: %d %s", status, body)
	}
	// Deploy exactly that change set.
	admin.must(202, "PATCH", "/v1/environments/Beta", map[string]any{"deploymentType": "CURRENT_VERSION", "previewId": dry.ID}, nil)
	after := admin.waitFor("/v1/environments/Beta")
	if after["deploymentStatus"] != "SUCCEEDED" || after["spec"] != wider {
		t.Fatalf("environment after the previewed deployment = %v", after)
	}
	stack, err := p.Sim.Describe(t.Context(), "gantry-env-Beta")
	if err != nil || stack.LastClientRequestToken != after["lastDeploymentId"] {
		t.Fatalf("stack = %+v, %v; want the deployment's token", stack, err)
	}
	var rendered apimodel.RenderedTemplate
	admin.must(200, "GET", "/v1/deployments/"+after["lastDeploymentId"].(string)+"/rendered", nil, &rendered)
	// The preview was made before this deployment: it no longer holds.
	if status, body := admin.json("PATCH", "/v1/environments/Beta", map[string]any{"deploymentType": "CURRENT_VERSION", "previewId": dry.ID}, nil); status != 409 {
		t.Fatalf("a stale preview: %d %s", status, body)
	}

	// A service instance: a developer previews a new desired count (no replacement) and deploys it.
	createWebService(t, dev)
	var ipv apimodel.Preview
	dev.must(200, "POST", "/v1/services/web/instances/web-a/preview", map[string]any{"deploymentType": "CURRENT_VERSION",
		"spec": "desired_count: 3\nport: 80\ntask_size: medium\n"}, &ipv)
	if ipv.Summary.Modify == 0 || ipv.Summary.Replace != 0 || ipv.ServiceInstanceName != "web-a" {
		t.Fatalf("instance preview = %+v", ipv)
	}
	dev.must(202, "PATCH", "/v1/services/web/instances/web-a", map[string]any{"deploymentType": "CURRENT_VERSION", "previewId": ipv.ID}, nil)
	if got := dev.waitFor("/v1/services/web/instances/web-a"); got["deploymentStatus"] != "SUCCEEDED" {
		t.Fatalf("instance after the previewed deployment = %v", got)
	}
	if status, body := dev.json("PATCH", "/v1/services/web/instances/web-a", map[string]any{"deploymentType": "CURRENT_VERSION", "previewId": dry.ID}, nil); status != 400 {
		t.Fatalf("another target's preview: %d %s", status, body)
	}
}

// TestFleetPreview previews moving every instance of a service template to a new minor
// version, with a summary, and deploys one of them by its preview.
func TestFleetPreview(t *testing.T) {
	_, admin, dev := newSamplePlatform(t)
	admin.must(202, "POST", "/v1/environments", map[string]any{"name": "Beta", "templateName": platformtest.EnvTemplate,
		"templateMajorVersion": 1, "spec": platformtest.ReadFile(t, platformtest.SamplePath(t, platformtest.EnvSpec))}, nil)
	admin.waitFor("/v1/environments/Beta")
	dev.must(202, "POST", "/v1/services", map[string]any{"name": "web", "templateName": platformtest.SvcTemplate, "templateMajorVersion": 1,
		"spec": instanceSpec("web-a", "web-b", "web-c"), "repositoryConnectionArn": "arn:aws:codestar-connections:us-east-1:000000000000:connection/example",
		"repositoryId": "example-org/web", "branchName": "main"}, nil)
	if s := dev.waitService("web"); s["status"] != "ACTIVE" {
		t.Fatalf("service web = %v", s)
	}
	bundle := platformtest.TarGz(t, platformtest.SamplePath(t, platformtest.SvcBundle), map[string]string{"CHANGES.md": "1.1: notes\n"})
	if status, body := admin.call("POST", "/v1/service-templates/"+platformtest.SvcTemplate+"/versions?majorVersion=1", "application/gzip", bundle, nil); status != 201 {
		t.Fatalf("register 1.1: %d %s", status, body)
	}
	admin.must(200, "POST", "/v1/service-templates/"+platformtest.SvcTemplate+"/versions/1.1/publish", nil, nil)

	// web-b runs a spec of its own: its preview keeps it (each target is rendered from its own).
	own := "desired_count: 3\nport: 80\ntask_size: medium\n"
	dev.must(202, "PATCH", "/v1/services/web/instances/web-b", map[string]any{"deploymentType": "CURRENT_VERSION", "spec": own}, nil)
	if got := dev.waitFor("/v1/services/web/instances/web-b"); got["deploymentStatus"] != "SUCCEEDED" {
		t.Fatalf("web-b = %v", got)
	}

	var fleet apimodel.FleetPreview
	dev.must(200, "POST", "/v1/service-templates/"+platformtest.SvcTemplate+"/versions/1.1/preview", nil, &fleet)
	if len(fleet.Targets) != 3 || fleet.Previewed != 3 || fleet.Failed != 0 {
		t.Fatalf("fleet preview = %+v", fleet)
	}
	for _, target := range fleet.Targets {
		var pv apimodel.Preview
		dev.must(200, "GET", "/v1/previews/"+target.PreviewID, nil, &pv)
		var inst map[string]any
		dev.must(200, "GET", "/v1/services/web/instances/"+target.ServiceInstanceName, nil, &inst)
		if pv.ServiceInstanceName != target.ServiceInstanceName || pv.Spec != inst["spec"] || pv.StackName != "gantry-svc-web-"+target.ServiceInstanceName ||
			(target.ServiceInstanceName == "web-b") != (pv.Spec == own) {
			t.Fatalf("preview of %s = %+v; instance %v", target.ServiceInstanceName, pv, inst)
		}
	}
	// Only the template-version tag changes: resources that take tags are modified in
	// place (Scope Tags), none replaced.
	if fleet.Changed != 3 || fleet.Summary.Modify == 0 || fleet.Summary.Replace != 0 || fleet.Summary.Add != 0 {
		t.Fatalf("fleet summary = %+v (changed %d)", fleet.Summary, fleet.Changed)
	}
	var one apimodel.Preview
	dev.must(200, "GET", "/v1/previews/"+fleet.Targets[0].PreviewID, nil, &one)
	for _, c := range one.Changes {
		if len(c.Scope) != 1 || c.Scope[0] != "Tags" {
			t.Fatalf("change %+v, want Tags only", c)
		}
	}
	inst := fleet.Targets[0].ServiceInstanceName
	dev.must(202, "PATCH", "/v1/services/web/instances/"+inst, map[string]any{"deploymentType": "MINOR_VERSION", "previewId": fleet.Targets[0].PreviewID}, nil)
	if got := dev.waitFor("/v1/services/web/instances/" + inst); got["deploymentStatus"] != "SUCCEEDED" || got["templateMinorVersion"] != 1.0 {
		t.Fatalf("instance after the previewed deployment = %v", got)
	}
	if status, _ := admin.json("POST", "/v1/environment-templates/"+platformtest.EnvTemplate+"/versions/1.0/preview", nil, nil); status != 200 {
		t.Fatalf("environment template fleet preview: %d", status)
	}
	if status, _ := dev.json("POST", "/v1/environment-templates/"+platformtest.EnvTemplate+"/versions/1.0/preview", nil, nil); status != 403 {
		t.Fatalf("developer fleet preview of an environment template: %d, want 403", status)
	}
}

// TestFleetPreviewReadsEachTargetsOwn checks what a fleet preview reads in batches (the
// instances' component links, the tags of the instances and their service) against what
// deploying its previews gives: an instance with a component renders its outputs, one
// without renders none, and each stack gets its own instance's and its service's tags.
func TestFleetPreviewReadsEachTargetsOwn(t *testing.T) {
	p, admin, dev := newQueueReaderPlatform(t)
	admin.must(202, "PATCH", "/v1/environments/Beta", map[string]any{"deploymentType": "NONE", "componentRoleArn": "arn:aws:iam::000000000000:role/gantry-components"}, nil)
	dev.must(202, "POST", "/v1/services", map[string]any{"name": "web", "templateName": "queue-reader", "templateMajorVersion": 1,
		"spec": "proton: ServiceSpec\ninstances:\n  - name: web-a\n    environment: Beta\n    spec:\n      greeting: hi\n" +
			"  - name: web-b\n    environment: Beta\n    spec:\n      greeting: ho\n"}, nil)
	if s := dev.waitService("web"); s["status"] != "ACTIVE" {
		t.Fatalf("service web = %v", s)
	}
	dev.must(202, "POST", "/v1/components", map[string]any{"name": "queue", "serviceName": "web", "serviceInstanceName": "web-a",
		"manifest": queueManifest, "templateFile": queueTemplate}, nil)
	if got := dev.waitFor("/v1/components/queue"); got["deploymentStatus"] != "SUCCEEDED" {
		t.Fatalf("component queue = %v", got)
	}
	queueURL := dev.outputsOf("/v1/components/queue/outputs")["QueueUrl"]
	arn := "arn:aws:proton:us-east-1:000000000000:service/web"
	dev.must(200, "POST", "/v1/tags", map[string]any{"resourceArn": arn, "tags": []map[string]string{{"key": "team", "value": "web"}, {"key": "tier", "value": "1"}}}, nil)
	dev.must(200, "POST", "/v1/tags", map[string]any{"resourceArn": arn + "/service-instance/web-b", "tags": []map[string]string{{"key": "team", "value": "web-b"}}}, nil)

	bundle := platformtest.TarGz(t, "testdata/component-svc/v1", map[string]string{"CHANGES.md": "1.1\n"})
	if status, body := admin.call("POST", "/v1/service-templates/queue-reader/versions?majorVersion=1", "application/gzip", bundle, nil); status != 201 {
		t.Fatalf("register 1.1: %d %s", status, body)
	}
	admin.must(200, "POST", "/v1/service-templates/queue-reader/versions/1.1/publish", nil, nil)
	var fleet apimodel.FleetPreview
	dev.must(200, "POST", "/v1/service-templates/queue-reader/versions/1.1/preview", nil, &fleet)
	if len(fleet.Targets) != 2 || fleet.Previewed != 2 || fleet.Failed != 0 {
		t.Fatalf("fleet preview = %+v", fleet)
	}
	want := map[string]struct {
		queue string
		tags  map[string]string
	}{
		"web-a": {queueURL, map[string]string{"team": "web", "tier": "1", "gantry:template-version": "1.1"}},
		"web-b": {"none", map[string]string{"team": "web-b", "tier": "1", "gantry:template-version": "1.1"}},
	}
	for _, target := range fleet.Targets {
		path := "/v1/services/web/instances/" + target.ServiceInstanceName
		dev.must(202, "PATCH", path, map[string]any{"deploymentType": "MINOR_VERSION", "previewId": target.PreviewID}, nil)
		if got := dev.waitFor(path); got["deploymentStatus"] != "SUCCEEDED" || got["templateMinorVersion"] != 1.0 {
			t.Fatalf("%s after its previewed deployment = %v", target.ServiceInstanceName, got)
		}
		w := want[target.ServiceInstanceName]
		if out := dev.outputsOf(path + "/outputs"); out["ComponentQueue"] != w.queue {
			t.Errorf("%s outputs = %v, want ComponentQueue %q", target.ServiceInstanceName, out, w.queue)
		}
		stack, err := p.Sim.Describe(context.Background(), "gantry-svc-web-"+target.ServiceInstanceName)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range w.tags {
			if stack.Tags[k] != v {
				t.Errorf("%s stack tag %s = %q, want %q (tags %v)", target.ServiceInstanceName, k, stack.Tags[k], v, stack.Tags)
			}
		}
	}
}
