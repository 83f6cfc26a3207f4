package api

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/store/storetest"
)

const testManifest = "infrastructure:\n  templates:\n    - file: cloudformation.yaml\n      rendering_engine: jinja\n      template_language: cloudformation\n"

const testComponentTemplate = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"

// TestComponentsAndTagsStatuses pushes the component and tag operations through the
// handler over the real store: success statuses, and 400, 401, 403, 404 and 409.
func TestComponentsAndTagsStatuses(t *testing.T) {
	st := storetest.NewStore(t)
	s := newServer(t, st)
	s.mustEnvTemplate()
	var env apimodel.Environment
	r := s.json("admin", "POST", "/v1/environments", map[string]any{"name": "Beta", "templateName": "env", "templateMajorVersion": 1, "spec": "proton: EnvironmentSpec\nspec: {}\n",
		"componentRoleArn": "arn:aws:iam::000000000000:role/gantry-components"})
	if r.status != 202 || json.Unmarshal([]byte(r.body), &env) != nil || env.ComponentRoleARN != "arn:aws:iam::000000000000:role/gantry-components" {
		t.Fatalf("create environment: %d %s", r.status, r.body)
	}
	ctx := context.Background()
	d, err := st.GetDeployment(ctx, env.LastDeploymentID)
	if err != nil {
		t.Fatal(err)
	}
	d.Status = platform.Succeeded
	if err := st.FinishDeployment(ctx, d); err != nil {
		t.Fatal(err)
	}

	create := map[string]any{"name": "queue", "environmentName": "Beta", "manifest": testManifest, "templateFile": testComponentTemplate,
		"tags": []map[string]string{{"key": "team", "value": "web"}}}
	var c apimodel.Component
	r = s.json("developer", "POST", "/v1/components", create)
	if r.status != 202 || json.Unmarshal([]byte(r.body), &c) != nil {
		t.Fatalf("create component: %d %s", r.status, r.body)
	}
	if c.ARN != "arn:aws:proton:us-east-1:000000000000:component/queue" || c.DeploymentStatus != platform.InProgress || c.EnvironmentName != "Beta" {
		t.Fatalf("created component = %+v", c)
	}

	for _, call := range []struct {
		name         string
		role, method string
		path         string
		body         any
		status       int
		says         string
	}{
		{"get", "developer", "GET", "/v1/components/queue", nil, 200, `"name":"queue"`},
		{"list in Beta", "admin", "GET", "/v1/components?environmentName=Beta", nil, 200, `"items":[{"name":"queue"`},
		{"list of a service", "admin", "GET", "/v1/components?serviceName=web", nil, 200, `"items":[]`},
		{"outputs", "developer", "GET", "/v1/components/queue/outputs", nil, 200, `"outputs":[]`},
		{"history", "developer", "GET", "/v1/deployments?componentName=queue", nil, 200, `"componentName":"queue"`},
		{"history with two targets", "developer", "GET", "/v1/deployments?componentName=queue&environmentName=Beta", nil, 400, "componentName"},
		{"the name taken", "developer", "POST", "/v1/components", create, 409, "already exists"},
		{"a bad manifest", "developer", "POST", "/v1/components", map[string]any{"name": "x", "environmentName": "Beta", "manifest": "infrastructure: {}", "templateFile": "x"}, 400, "manifest"},
		{"a tag twice", "developer", "POST", "/v1/components", map[string]any{"name": "x", "environmentName": "Beta", "manifest": testManifest, "templateFile": "x",
			"tags": []map[string]string{{"key": "a", "value": "1"}, {"key": "a", "value": "2"}}}, 400, "tags[1].key"},
		{"no role", "none", "POST", "/v1/components", create, 403, "developer role"},
		{"no token", "", "GET", "/v1/components", nil, 401, ""},
		{"a missing component", "developer", "GET", "/v1/components/nope", nil, 404, "nope"},
		{"an update while deploying", "developer", "PATCH", "/v1/components/queue", map[string]any{"deploymentType": "CURRENT_VERSION", "templateFile": testComponentTemplate}, 409, "in progress"},
		{"an update of another kind", "developer", "PATCH", "/v1/components/queue", map[string]any{"deploymentType": "MINOR_VERSION"}, 400, "deploymentType"},
		{"a deletion while deploying", "developer", "DELETE", "/v1/components/queue", nil, 409, "in progress"},
		{"cancel", "developer", "POST", "/v1/components/queue/cancel", nil, 200, `"deploymentStatus":"CANCELLING"`},
		{"tag the environment", "admin", "POST", "/v1/tags", map[string]any{"resourceArn": env.ARN, "tags": []map[string]string{{"key": "cost", "value": "1"}}}, 200, `{"tags":[{"key":"cost","value":"1"}]}`},
		{"a developer tags the environment", "developer", "POST", "/v1/tags", map[string]any{"resourceArn": env.ARN, "tags": []map[string]string{{"key": "cost", "value": "2"}}}, 403, "admin role"},
		{"a developer tags the component", "developer", "POST", "/v1/tags", map[string]any{"resourceArn": c.ARN, "tags": []map[string]string{{"key": "cost", "value": "2"}}}, 200, `"key":"team"`},
		{"a reserved key", "admin", "POST", "/v1/tags", map[string]any{"resourceArn": env.ARN, "tags": []map[string]string{{"key": "aws:x", "value": "2"}}}, 400, "reserved"},
		{"a bad ARN", "admin", "POST", "/v1/tags", map[string]any{"resourceArn": "arn:aws:s3:::bucket", "tags": []map[string]string{{"key": "a", "value": "2"}}}, 400, "resourceArn"},
		{"a missing resource", "admin", "GET", "/v1/tags?resourceArn=arn:aws:proton:us-east-1:000000000000:environment/Nowhere", nil, 404, "Nowhere"},
		{"no ARN", "admin", "GET", "/v1/tags", nil, 400, "resourceArn"},
		{"list tags", "developer", "GET", "/v1/tags?resourceArn=" + c.ARN, nil, 200, `{"tags":[{"key":"cost","value":"2"},{"key":"team","value":"web"}]}`},
		{"untag", "developer", "POST", "/v1/tags/remove", map[string]any{"resourceArn": c.ARN, "tagKeys": []string{"cost"}}, 200, `{"tags":[{"key":"team","value":"web"}]}`},
		{"untag nothing", "developer", "POST", "/v1/tags/remove", map[string]any{"resourceArn": c.ARN, "tagKeys": []string{}}, 400, "tagKeys"},
	} {
		r := s.json(call.role, call.method, call.path, call.body)
		if r.status != call.status || !strings.Contains(r.body, call.says) {
			t.Errorf("%s: %d %s, want %d saying %q", call.name, r.status, r.body, call.status, call.says)
		}
	}
}

// mustEnvTemplate creates environment template env from envBundleDir, 1.0 published.
func (s *server) mustEnvTemplate() {
	s.t.Helper()
	if r := s.json("admin", "POST", "/v1/environment-templates", map[string]string{"name": "env"}); r.status != 201 {
		s.t.Fatalf("create template: %d %s", r.status, r.body)
	}
	if r := s.do("admin", "POST", "/v1/environment-templates/env/versions", "application/gzip", tarGz(s.t, envBundleDir)); r.status != 201 {
		s.t.Fatalf("register: %d %s", r.status, r.body)
	}
	if r := s.json("admin", "POST", "/v1/environment-templates/env/versions/1.0/publish", nil); r.status != 200 {
		s.t.Fatalf("publish: %d %s", r.status, r.body)
	}
}
