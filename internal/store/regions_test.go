package store_test

import (
	"testing"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/store/storetest"
)

// TestEnvironmentRegion: an environment's region and its deployment's are stored and read
// back, by Get and List; an environment without one reads back without one.
func TestEnvironmentRegion(t *testing.T) {
	s := storetest.NewStore(t)
	e := platform.Environment{Name: "west", Region: "us-west-2", Deployable: platform.Deployable{TemplateName: "vpc", TemplateVersion: platform.Version{Major: 1}, CreatedAt: t0}}
	d := envDeployment("d1", "west", t0)
	d.Region = "us-west-2"
	mustOK(t, s.CreateEnvironment(ctx, e, d, nil))
	mustCreateEnvironment(t, s, "home", "d2")
	got, err := s.GetEnvironment(ctx, "west")
	mustOK(t, err)
	mustEqual(t, "the environment's region", got.Region, "us-west-2")
	gotD, err := s.GetDeployment(ctx, "d1")
	mustOK(t, err)
	mustEqual(t, "its deployment's region", gotD.Region, "us-west-2")
	page, err := s.ListEnvironments(ctx, platform.PageRequest{})
	mustOK(t, err)
	regions := map[string]string{}
	for _, e := range page.Items {
		regions[e.Name] = e.Region
	}
	mustEqual(t, "listed regions", regions, map[string]string{"home": "", "west": "us-west-2"})
}
