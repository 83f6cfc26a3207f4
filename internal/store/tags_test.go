package store_test

import (
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
