package store_test

import (
	"testing"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/store"
	"github.com/gantry-platform/gantry/internal/store/storetest"
)

// TestEstateReadsAreQueries checks the DynamoDB requests of the estate's list reads: one
// Query each, of the index that answers it.
func TestEstateReadsAreQueries(t *testing.T) {
	client, table := storetest.NewTable(t)
	rec := &storetest.Recorder{Client: client}
	s := store.New(rec, table)
	mustCreateService(t, s, "frontend", "dev", "prod")
	mustFinish(t, s, "frontend/frontend-dev", platform.Succeeded)
	rec.Take()
	v := platform.Version{Major: 1}
	page := platform.PageRequest{}
	for _, c := range []struct {
		what string
		read func() error
		want []string
	}{
		{"instances of a template version", func() error {
			_, err := s.ListTemplateVersionInstances(ctx, "api", v, page)
			return err
		}, []string{"Query(gsi3)"}},
		{"targets of a template version", func() error {
			_, err := s.ListTemplateVersionTargets(ctx, platform.ServiceTemplate, "api", v, page)
			return err
		}, []string{"Query(gsi3)"}},
		{"a service's deployments", func() error {
			_, err := s.ListServiceDeployments(ctx, "frontend", page)
			return err
		}, []string{"Query(gsi3)"}},
		{"an environment's instances", func() error {
			_, err := s.ListEnvironmentInstances(ctx, "dev", page)
			return err
		}, []string{"Query(gsi2)"}},
		{"a service's instances", func() error {
			_, err := s.ListServiceInstances(ctx, "frontend", page)
			return err
		}, []string{"Query"}},
		{"every instance (ListServiceInstances without an index filter)", func() error {
			_, err := s.ListInstances(ctx, platform.InstanceScope{}, true, page)
			return err
		}, []string{"Query(gsi1)"}},
		{"the estate's counts (GetResourcesSummary)", func() error {
			_, err := s.GetEstateCounts(ctx)
			return err
		}, []string{"Query"}},
		{"one instance", func() error {
			_, err := s.GetServiceInstance(ctx, "frontend", "frontend-dev")
			return err
		}, []string{"GetItem"}},
	} {
		mustOK(t, c.read())
		mustEqual(t, c.what, rec.Take(), c.want)
	}
}
