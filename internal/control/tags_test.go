package control_test

import (
	"testing"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

func TestTagResource(t *testing.T) {
	h := newHarness(t)
	h.mustComponentService(true)
	dev := developerContext()
	arns := h.svc.ARNScope()
	envARN := arns.ARN(platform.Resource{Type: platform.EnvironmentResource, Name: "Beta"})
	svcARN := arns.ARN(platform.Resource{Type: platform.ServiceResource, Name: "frontend"})
	instARN := arns.ARN(platform.Resource{Type: platform.ServiceInstanceResource, Service: "frontend", Name: "frontend-beta"})
	tmplARN := arns.ARN(platform.TemplateResource(platform.ServiceTemplate, platformtest.SvcTemplate))
	versionARN := arns.ARN(platform.TemplateVersionResource(platform.EnvironmentTemplate, platformtest.EnvTemplate, platform.Version{Major: 1}))

	// Who may tag a resource is who may update it.
	if err := h.svc.TagResource(h.ctx, envARN, map[string]string{"team": "platform"}); err != nil {
		t.Fatal(err)
	}
	if err := h.svc.TagResource(dev, envARN, map[string]string{"team": "web"}); platform.KindOf(err) != platform.Forbidden {
		t.Errorf("a developer tagging an environment: %v, want Forbidden", err)
	}
	if err := h.svc.TagResource(dev, tmplARN, map[string]string{"team": "web"}); platform.KindOf(err) != platform.Forbidden {
		t.Errorf("a developer tagging a template: %v, want Forbidden", err)
	}
	for _, arn := range []string{svcARN, instARN} {
		if err := h.svc.TagResource(dev, arn, map[string]string{"team": "web", "cost-center": "42"}); err != nil {
			t.Errorf("a developer tagging %s: %v", arn, err)
		}
	}
	if err := h.svc.TagResource(h.ctx, versionARN, map[string]string{"stage": "prod"}); err != nil {
		t.Errorf("tagging a template version: %v", err)
	}
	tags, err := h.svc.ListTagsForResource(dev, envARN)
	if err != nil || len(tags) != 1 || tags["team"] != "platform" {
		t.Fatalf("environment tags = %v, %v", tags, err)
	}
	if err := h.svc.UntagResource(dev, instARN, []string{"cost-center", "absent"}); err != nil {
		t.Fatal(err)
	}
	tags, err = h.svc.ListTagsForResource(dev, instARN)
	if err != nil || len(tags) != 1 || tags["team"] != "web" {
		t.Fatalf("instance tags after untag = %v, %v", tags, err)
	}

	for _, c := range []struct {
		name  string
		arn   string
		tags  map[string]string
		kind  platform.ErrorKind
		field string
	}{
		{"not an ARN", "Beta", map[string]string{"a": "b"}, platform.Invalid, "resourceArn"},
		{"another account", "arn:aws:proton:us-east-1:111122223333:environment/Beta", map[string]string{"a": "b"}, platform.Invalid, "resourceArn"},
		{"a deployment", arns.ARN(platform.Resource{Type: platform.DeploymentResource, Name: "x"}), map[string]string{"a": "b"}, platform.Invalid, "resourceArn"},
		{"a missing environment", arns.ARN(platform.Resource{Type: platform.EnvironmentResource, Name: "Nowhere"}), map[string]string{"a": "b"}, platform.NotFound, ""},
		{"no tags", envARN, nil, platform.Invalid, "tags"},
		{"an aws: key", envARN, map[string]string{"aws:owner": "x"}, platform.Invalid, `tags["aws:owner"]`},
		{"a gantry: key", envARN, map[string]string{"gantry:service": "x"}, platform.Invalid, `tags["gantry:service"]`},
		{"a long key", envARN, map[string]string{string(make([]byte, 129)): "x"}, platform.Invalid, ""},
		{"a long value", envARN, map[string]string{"k": string(make([]byte, 257))}, platform.Invalid, `tags["k"]`},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := h.svc.TagResource(h.ctx, c.arn, c.tags)
			kind, field := fieldOf(err)
			if kind != c.kind || (c.field != "" && field != c.field) {
				t.Errorf("error %v (kind %s, field %q), want kind %s naming %q", err, kind, field, c.kind, c.field)
			}
		})
	}
	many := map[string]string{}
	for i := 0; i < platform.MaxTags; i++ {
		many[string(rune('a'+i%26))+string(rune('a'+i/26))] = "v"
	}
	if err := h.svc.TagResource(h.ctx, envARN, many); platform.KindOf(err) != platform.Invalid {
		t.Errorf("tagging past 50 tags: %v, want Invalid", err)
	}
}
