package store_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/store"
)

func mustSummary(t *testing.T, s *store.Store) platform.ResourcesSummary {
	t.Helper()
	c, err := s.GetEstateCounts(ctx)
	mustOK(t, err)
	return c.Summarize()
}

func wantCounts(t *testing.T, what string, sum platform.ResourcesSummary, kind platform.CountedKind, want platform.ResourceCounts) {
	t.Helper()
	if got := sum[kind]; got != want {
		t.Fatalf("%s: %s counts %+v, want %+v", what, kind, got, want)
	}
}

// mustDeploy starts deployment id on target at version v (or a deletion) and finishes it with status.
func mustDeploy(t *testing.T, s *store.Store, id string, target platform.Target, v platform.Version, op platform.Operation, status platform.DeploymentStatus) {
	t.Helper()
	d := svcDeployment(id, target)
	d.TemplateVersion, d.Operation = v, op
	if op == platform.Delete {
		d.Status = platform.DeleteInProgress
	}
	mustOK(t, s.StartDeployment(ctx, d, mustTargetRevision(t, s, target), nil))
	mustFinish(t, s, id, status)
}

// TestEstateCountsFollowTheEstate checks that the counts stay right through creates, a
// move to a new minor, a failure and its repair, deletions and moves of the recommended
// version (which rewrite no count).
func TestEstateCountsFollowTheEstate(t *testing.T) {
	s := newStore(t)
	sum := mustSummary(t, s)
	for _, k := range []platform.CountedKind{platform.CountedEnvironments, platform.CountedServices, platform.CountedServiceInstances,
		platform.CountedPipelines, platform.CountedComponents, platform.CountedEnvironmentTemplates, platform.CountedServiceTemplates} {
		wantCounts(t, "empty estate", sum, k, platform.ResourceCounts{})
	}

	api := platform.Template{Kind: platform.ServiceTemplate, Name: "api", CreatedAt: t0}
	mustOK(t, s.CreateTemplate(ctx, api, nil))
	mustOK(t, s.CreateTemplate(ctx, platform.Template{Kind: platform.EnvironmentTemplate, Name: "vpc"}, nil))
	mustOK(t, s.CreateTemplate(ctx, platform.Template{Kind: platform.EnvironmentTemplate, Name: "old"}, nil))
	mustCreateEnvironment(t, s, "Beta", "e1")
	mustFinish(t, s, "e1", platform.Succeeded)
	mustCreateService(t, s, "web", "dev", "prod")
	for _, id := range []string{"web/web-dev", "web/web-prod", "web/pipeline"} {
		mustFinish(t, s, id, platform.Succeeded) // runs api 1.0
	}
	setRecommended := func(v platform.Version) {
		t.Helper()
		tmpl, err := s.GetTemplate(ctx, platform.ServiceTemplate, "api")
		mustOK(t, err)
		tmpl.Recommended = v
		mustOK(t, s.UpdateTemplate(ctx, tmpl))
	}
	setRecommended(platform.Version{Major: 1, Minor: 0})
	sum = mustSummary(t, s)
	wantCounts(t, "created", sum, platform.CountedServiceInstances, platform.ResourceCounts{Total: 2, UpToDate: 2})
	wantCounts(t, "created", sum, platform.CountedPipelines, platform.ResourceCounts{Total: 1, UpToDate: 1})
	wantCounts(t, "created", sum, platform.CountedEnvironments, platform.ResourceCounts{Total: 1, UpToDate: 1})
	wantCounts(t, "created", sum, platform.CountedServices, platform.ResourceCounts{Total: 1})
	wantCounts(t, "created", sum, platform.CountedServiceTemplates, platform.ResourceCounts{Total: 1})
	wantCounts(t, "created", sum, platform.CountedEnvironmentTemplates, platform.ResourceCounts{Total: 2})

	// 1.1 is recommended: everything on 1.0 is behind a minor, without a write to any count.
	setRecommended(platform.Version{Major: 1, Minor: 1})
	sum = mustSummary(t, s)
	wantCounts(t, "1.1 recommended", sum, platform.CountedServiceInstances, platform.ResourceCounts{Total: 2, BehindMinor: 2})
	wantCounts(t, "1.1 recommended", sum, platform.CountedPipelines, platform.ResourceCounts{Total: 1, BehindMinor: 1})

	// One instance moves to 1.1.
	v11 := platform.Version{Major: 1, Minor: 1}
	dev, prod := instanceTarget("web", "web-dev"), instanceTarget("web", "web-prod")
	mustDeploy(t, s, "u1", dev, v11, platform.Deploy, platform.Succeeded)
	wantCounts(t, "web-dev on 1.1", mustSummary(t, s), platform.CountedServiceInstances, platform.ResourceCounts{Total: 2, UpToDate: 1, BehindMinor: 1})

	// The other fails to move: failed, still behind; a new attempt is no longer failed, its success moves it.
	mustDeploy(t, s, "u2", prod, v11, platform.Deploy, platform.Failed)
	wantCounts(t, "web-prod failed", mustSummary(t, s), platform.CountedServiceInstances, platform.ResourceCounts{Total: 2, Failed: 1, UpToDate: 1, BehindMinor: 1})
	d := svcDeployment("u3", prod)
	d.TemplateVersion = v11
	mustOK(t, s.StartDeployment(ctx, d, mustTargetRevision(t, s, prod), nil))
	wantCounts(t, "web-prod retried", mustSummary(t, s), platform.CountedServiceInstances, platform.ResourceCounts{Total: 2, UpToDate: 1, BehindMinor: 1})
	mustFinish(t, s, "u3", platform.Succeeded)
	wantCounts(t, "web-prod on 1.1", mustSummary(t, s), platform.CountedServiceInstances, platform.ResourceCounts{Total: 2, UpToDate: 2})

	// A new major is recommended: behind a major.
	setRecommended(platform.Version{Major: 2, Minor: 0})
	sum = mustSummary(t, s)
	wantCounts(t, "2.0 recommended", sum, platform.CountedServiceInstances, platform.ResourceCounts{Total: 2, BehindMajor: 2})
	wantCounts(t, "2.0 recommended", sum, platform.CountedPipelines, platform.ResourceCounts{Total: 1, BehindMajor: 1})

	// Components count total and failed.
	comp := platform.Component{Name: "bucket", Environment: "Beta", Manifest: "m", TemplateFile: "t", Deployable: platform.Deployable{CreatedAt: t0}}
	mustOK(t, s.CreateComponent(ctx, comp, componentDeployment("c1", "bucket", platform.Deploy), nil))
	mustFinish(t, s, "c1", platform.Failed)
	wantCounts(t, "failed component", mustSummary(t, s), platform.CountedComponents, platform.ResourceCounts{Total: 1, Failed: 1})

	// Deletions: an instance whose deletion fails counts as failed until deleted, then not at all.
	mustDeploy(t, s, "x1", dev, v11, platform.Delete, platform.DeleteFailed)
	wantCounts(t, "web-dev deletion failed", mustSummary(t, s), platform.CountedServiceInstances, platform.ResourceCounts{Total: 2, Failed: 1, BehindMajor: 2})
	mustDeploy(t, s, "x2", dev, v11, platform.Delete, platform.DeleteComplete)
	mustDeploy(t, s, "x3", prod, v11, platform.Delete, platform.DeleteComplete)
	mustDeploy(t, s, "x4", pipelineTarget("web"), v11, platform.Delete, platform.DeleteComplete)
	mustOK(t, s.DeleteService(ctx, "web"))
	c, err := s.GetComponent(ctx, "bucket")
	mustOK(t, err)
	cd := componentDeployment("c2", "bucket", platform.Delete)
	mustOK(t, s.StartDeployment(ctx, cd, c.Revision, nil))
	mustFinish(t, s, "c2", platform.DeleteComplete)
	old, err := s.GetTemplate(ctx, platform.EnvironmentTemplate, "old")
	mustOK(t, err)
	mustOK(t, s.DeleteTemplate(ctx, platform.EnvironmentTemplate, "old", old.Revision))
	sum = mustSummary(t, s)
	for k, want := range map[platform.CountedKind]platform.ResourceCounts{
		platform.CountedServiceInstances: {}, platform.CountedPipelines: {}, platform.CountedServices: {}, platform.CountedComponents: {},
		platform.CountedEnvironments: {Total: 1, UpToDate: 1}, platform.CountedEnvironmentTemplates: {Total: 1}, platform.CountedServiceTemplates: {Total: 1},
	} {
		wantCounts(t, "after deletions", sum, k, want)
	}
}

// TestEstateCountsUnderConcurrentWrites creates environments at once: the writes share
// count items, and none may be lost or refused.
func TestEstateCountsUnderConcurrentWrites(t *testing.T) {
	s := newStore(t)
	const n = 24
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("env%d", i)
			e := platform.Environment{Name: name, Deployable: platform.Deployable{TemplateName: "vpc", TemplateVersion: platform.Version{Major: 1}, CreatedAt: t0}}
			errs <- s.CreateEnvironment(ctx, e, envDeployment("d"+name, name, t0), nil)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		mustOK(t, err)
	}
	wantCounts(t, "after concurrent creates", mustSummary(t, s), platform.CountedEnvironments, platform.ResourceCounts{Total: n, UpToDate: n})
}
