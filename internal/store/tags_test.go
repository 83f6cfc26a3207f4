package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gantry-platform/gantry/internal/platform"
)

func TestTags(t *testing.T) {
	s := newStore(t)
	env := platform.Resource{Type: platform.EnvironmentResource, Name: "dev"}
	inst := platform.Resource{Type: platform.ServiceInstanceResource, Service: "web", Name: "dev"}
	tags, err := s.ListTags(ctx, env)
	mustOK(t, err)
	mustEqual(t, "no tags", tags, map[string]string{})

	mustOK(t, s.TagResource(ctx, env, map[string]string{"team": "core", "cost": "1"}))
	mustOK(t, s.TagResource(ctx, env, map[string]string{"cost": "2"}))
	mustOK(t, s.TagResource(ctx, inst, map[string]string{"team": "web"}))
	tags, err = s.ListTags(ctx, env)
	mustOK(t, err)
	mustEqual(t, "tags merged", tags, map[string]string{"team": "core", "cost": "2"})
	tags, err = s.ListTags(ctx, inst)
	mustOK(t, err)
	mustEqual(t, "another resource's tags", tags, map[string]string{"team": "web"})

	mustOK(t, s.UntagResource(ctx, env, []string{"cost", "absent"}))
	tags, err = s.ListTags(ctx, env)
	mustOK(t, err)
	mustEqual(t, "after untag", tags, map[string]string{"team": "core"})
	mustOK(t, s.UntagResource(ctx, env, []string{"team"}))
	tags, err = s.ListTags(ctx, env)
	mustOK(t, err)
	mustEqual(t, "all untagged", tags, map[string]string{})
	mustOK(t, s.TagResource(ctx, env, map[string]string{"again": "yes"}))

	many := map[string]string{}
	for i := 0; i < platform.MaxTags; i++ {
		many[fmt.Sprintf("k%02d", i)] = "v"
	}
	if err := s.TagResource(ctx, env, many); platform.KindOf(err) != platform.Invalid {
		t.Errorf("tagging past %d tags: %v, want Invalid", platform.MaxTags, err)
	}
	tags, err = s.ListTags(ctx, env)
	mustOK(t, err)
	mustEqual(t, "a refused tagging changes nothing", tags, map[string]string{"again": "yes"})
}

// TestTagsGoWithTheirResource deletes a tagged environment, service, service instance,
// component, template and template version, and creates each again under the same name:
// none starts with the old tags.
func TestTagsGoWithTheirResource(t *testing.T) {
	s := newStore(t)
	kind := platform.ServiceTemplate
	v := platform.Version{Major: 1}
	resources := map[string]platform.Resource{
		"environment":      {Type: platform.EnvironmentResource, Name: "Beta"},
		"service":          {Type: platform.ServiceResource, Name: "web"},
		"instance":         {Type: platform.ServiceInstanceResource, Service: "web", Name: "web-dev"},
		"component":        {Type: platform.ComponentResource, Name: "bucket"},
		"template":         {Type: platform.ServiceTemplateResource, Name: "api"},
		"template version": {Type: platform.ServiceTemplateVersionResource, Name: "api", Version: v},
	}
	round := 0
	create := func() {
		t.Helper()
		round++
		mustOK(t, s.CreateTemplate(ctx, platform.Template{Kind: kind, Name: "api"}, nil))
		mustOK(t, s.CreateTemplateVersion(ctx, platform.TemplateVersion{Kind: kind, TemplateName: "api", Version: v, Status: platform.Draft}, nil))
		mustCreateEnvironment(t, s, "Beta", fmt.Sprintf("e-%d", round))
		svc := platform.Service{Name: "web", TemplateName: "api", TemplateVersion: v, HasPipeline: true, Status: platform.ServiceActive}
		in := platform.ServiceInstance{Service: "web", Name: "web-dev", Environment: "Beta"}
		mustOK(t, s.CreateService(ctx, svc, []platform.ServiceInstance{in}, &platform.ServicePipeline{Service: "web"}, []platform.Deployment{
			svcDeployment(fmt.Sprintf("i-%d", round), instanceTarget("web", "web-dev")), svcDeployment(fmt.Sprintf("p-%d", round), pipelineTarget("web"))}, nil))
		mustOK(t, s.CreateComponent(ctx, platform.Component{Name: "bucket", Environment: "Beta", Manifest: "m", TemplateFile: "t"},
			componentDeployment(fmt.Sprintf("c-%d", round), "bucket", platform.Deploy), nil))
	}
	create()
	for what, r := range resources {
		mustOK(t, s.TagResource(ctx, r, map[string]string{"owner": what}))
	}
	// Delete everything, as the control plane does: stacks' deletions first, then the records.
	i := 0
	for _, target := range []platform.Target{
		{Kind: platform.ComponentTarget, Component: "bucket"}, {Kind: platform.ServiceInstanceTarget, Service: "web", Instance: "web-dev"},
		{Kind: platform.ServicePipelineTarget, Service: "web"}, {Kind: platform.EnvironmentTarget, Environment: "Beta"},
	} {
		for _, d := range mustDeploymentsOf(t, s, target) {
			if !d.Finished() {
				mustFinish(t, s, d.ID, platform.Succeeded)
			}
		}
		i++
		d := svcDeployment(fmt.Sprintf("x-%d", i), target)
		d.Operation, d.Status = platform.Delete, platform.DeleteInProgress
		var revision int64
		if target.Kind == platform.ComponentTarget {
			c, err := s.GetComponent(ctx, "bucket")
			mustOK(t, err)
			revision = c.Revision
		} else {
			revision = mustTargetRevision(t, s, target)
		}
		mustOK(t, s.StartDeployment(ctx, d, revision, nil))
		mustFinish(t, s, d.ID, platform.DeleteComplete)
	}
	mustOK(t, s.DeleteService(ctx, "web"))
	tv, err := s.GetTemplateVersion(ctx, kind, "api", v)
	mustOK(t, err)
	tmpl, err := s.GetTemplate(ctx, kind, "api")
	mustOK(t, err)
	mustOK(t, s.DeleteTemplateVersion(ctx, tv, tmpl))
	tmpl, err = s.GetTemplate(ctx, kind, "api")
	mustOK(t, err)
	mustOK(t, s.DeleteTemplate(ctx, kind, "api", tmpl.Revision))

	create()
	for what, r := range resources {
		tags, err := s.ListTags(ctx, r)
		mustOK(t, err)
		mustEqual(t, "tags of the re-created "+what, tags, map[string]string{})
	}
}

func mustDeploymentsOf(t *testing.T, s interface {
	ListDeployments(context.Context, platform.Target, platform.PageRequest) (platform.Page[platform.Deployment], error)
}, target platform.Target) []platform.Deployment {
	t.Helper()
	p, err := s.ListDeployments(ctx, target, platform.PageRequest{Limit: 100})
	mustOK(t, err)
	return p.Items
}

// TestListTagsOf reads the tags of more resources than one request holds: each gets its
// own, and one never tagged (or untagged) gets an empty map.
func TestListTagsOf(t *testing.T) {
	s := newStore(t)
	var rs []platform.Resource
	want := map[platform.Resource]map[string]string{}
	for i := range 230 {
		r := platform.Resource{Type: platform.ServiceInstanceResource, Service: fmt.Sprintf("svc%d", i%7), Name: fmt.Sprintf("i%03d", i)}
		rs = append(rs, r)
		want[r] = map[string]string{}
		if i%3 == 0 {
			tags := map[string]string{"n": fmt.Sprint(i)}
			mustOK(t, s.TagResource(ctx, r, tags))
			want[r] = tags
		}
	}
	untagged := rs[3]
	mustOK(t, s.UntagResource(ctx, untagged, []string{"n"}))
	want[untagged] = map[string]string{}
	got, err := s.ListTagsOf(ctx, rs)
	mustOK(t, err)
	mustEqual(t, "ListTagsOf", got, want)
	none, err := s.ListTagsOf(ctx, nil)
	mustOK(t, err)
	mustEqual(t, "ListTagsOf of nothing", none, map[platform.Resource]map[string]string{})
}
