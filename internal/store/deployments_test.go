package store_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/store"
)

// mustTargetRevision returns the stored revision of a deployment target.
func mustTargetRevision(t *testing.T, s *store.Store, target platform.Target) int64 {
	t.Helper()
	var d platform.Deployable
	var err error
	switch target.Kind {
	case platform.EnvironmentTarget:
		var e platform.Environment
		e, err = s.GetEnvironment(ctx, target.Environment)
		d = e.Deployable
	case platform.ServiceInstanceTarget:
		var in platform.ServiceInstance
		in, err = s.GetServiceInstance(ctx, target.Service, target.Instance)
		d = in.Deployable
	default:
		var p platform.ServicePipeline
		p, err = s.GetServicePipeline(ctx, target.Service)
		d = p.Deployable
	}
	mustOK(t, err)
	return d.Revision
}

// mustFinish finishes the stored deployment id with status and returns it as stored.
func mustFinish(t *testing.T, s *store.Store, id string, status platform.DeploymentStatus) platform.Deployment {
	t.Helper()
	d, err := s.GetDeployment(ctx, id)
	mustOK(t, err)
	d.Status = status
	mustOK(t, s.FinishDeployment(ctx, d))
	d, err = s.GetDeployment(ctx, id)
	mustOK(t, err)
	return d
}

func TestDeploymentLifecycle(t *testing.T) {
	s := newStore(t)
	target := platform.Target{Kind: platform.EnvironmentTarget, Environment: "Beta"}
	env := mustCreateEnvironment(t, s, "Beta", "d1")

	// One deployment at a time.
	d2 := envDeployment("d2", "Beta", t0.Add(time.Hour))
	wantKind(t, s.StartDeployment(ctx, d2, env.Revision, nil), platform.Conflict, "environment Beta has a deployment in progress")

	// Progress that keeps the status leaves the target alone.
	d1, err := s.GetDeployment(ctx, "d1")
	mustOK(t, err)
	d1.TaskToken, d1.ExecutionID, d1.StackName = "token", "exec-1", "gantry-beta"
	mustOK(t, s.UpdateDeployment(ctx, d1))
	if rev := mustTargetRevision(t, s, target); rev != 1 {
		t.Fatalf("target revision %d after progress, want 1", rev)
	}
	wantKind(t, s.UpdateDeployment(ctx, d1), platform.Conflict, `deployment "d1" was changed by another request; retry`)
	d1.Revision = 2
	// A status change reaches the target.
	d1.Status = platform.Cancelling
	mustOK(t, s.UpdateDeployment(ctx, d1))
	env, err = s.GetEnvironment(ctx, "Beta")
	mustOK(t, err)
	if env.DeploymentStatus != platform.Cancelling || env.Revision != 2 {
		t.Fatalf("environment after CANCELLING: %+v", env)
	}
	d1.Revision = 3
	d1.Status = platform.InProgress
	mustOK(t, s.UpdateDeployment(ctx, d1))
	d1.Revision = 4

	// Success moves the target to the deployment's template version, spec and outputs.
	d1.Status = platform.Succeeded
	d1.StatusMessage = "done"
	d1.Outputs = []platform.Output{{Key: "VpcId", Value: "vpc-1"}}
	d1.TemplateVersion = platform.Version{Major: 1, Minor: 3}
	d1.CompletedAt = t0.Add(time.Minute)
	mustOK(t, s.FinishDeployment(ctx, d1))
	env, err = s.GetEnvironment(ctx, "Beta")
	mustOK(t, err)
	wantEnv := platform.Environment{Name: "Beta", Description: "env Beta", Deployable: platform.Deployable{
		TemplateName: "vpc", TemplateVersion: platform.Version{Major: 1, Minor: 3}, Spec: d1.Spec,
		DeploymentStatus: platform.Succeeded, DeploymentStatusMessage: "done", LastDeploymentID: "d1",
		LastSucceededDeploymentID: "d1", StackName: "gantry-beta", Outputs: d1.Outputs,
		LastAttemptedAt: t0, LastSucceededAt: t0.Add(time.Minute), CreatedAt: t0, Revision: 4,
	}}
	mustEqual(t, "environment after success", env, wantEnv)
	wantKind(t, s.FinishDeployment(ctx, d1), platform.Conflict, `deployment "d1" is already finished`)
	d1.Revision = 5
	d1.Status = platform.Failed
	wantKind(t, s.FinishDeployment(ctx, d1), platform.Conflict, `deployment "d1" is already finished`)
	d1.Status = platform.InProgress
	wantKind(t, s.UpdateDeployment(ctx, d1), platform.Conflict, `deployment "d1" is already finished`)

	// A stale target revision, then the right one.
	wantKind(t, s.StartDeployment(ctx, d2, 3, nil), platform.Conflict, `environment "Beta" was changed by another request; retry`)
	tok := &platform.ClientToken{Scope: "UpdateEnvironment:alice", Token: "u1", Result: "d2"}
	mustOK(t, s.StartDeployment(ctx, d2, env.Revision, tok))
	if _, err := s.GetClientToken(ctx, tok.Scope, tok.Token); err != nil {
		t.Fatalf("token of StartDeployment: %v", err)
	}
	env, err = s.GetEnvironment(ctx, "Beta")
	mustOK(t, err)
	if env.DeploymentStatus != platform.InProgress || env.LastDeploymentID != "d2" || !env.LastAttemptedAt.Equal(d2.CreatedAt) || env.Revision != 5 {
		t.Fatalf("environment after StartDeployment: %+v", env)
	}
	// Replaying the token fails the whole start.
	d3 := envDeployment("d3", "Beta", t0.Add(2*time.Hour))
	mustFinish(t, s, "d2", platform.Failed)
	env, _ = s.GetEnvironment(ctx, "Beta")
	wantKind(t, s.StartDeployment(ctx, d3, env.Revision, tok), platform.Conflict, `client token "u1" was already used`)
	_, err = s.GetDeployment(ctx, "d3")
	wantKind(t, err, platform.NotFound, `deployment "d3" not found`)
	if after, _ := s.GetEnvironment(ctx, "Beta"); after.Revision != env.Revision || after.LastDeploymentID != "d2" {
		t.Fatalf("failed start changed the target: %+v", after)
	}

	// A failure changes only the status; the last success stays.
	if env.DeploymentStatus != platform.Failed || env.TemplateVersion != (platform.Version{Major: 1, Minor: 3}) || env.LastSucceededDeploymentID != "d1" {
		t.Fatalf("environment after a failed deployment: %+v", env)
	}

	history, err := s.ListDeployments(ctx, target, platform.PageRequest{Limit: 1})
	mustOK(t, err)
	more, err := s.ListDeployments(ctx, target, platform.PageRequest{Limit: 1, NextToken: history.NextToken})
	mustOK(t, err)
	if len(history.Items) != 1 || history.Items[0].ID != "d2" || len(more.Items) != 1 || more.Items[0].ID != "d1" || more.NextToken != "" {
		t.Fatalf("history pages: %+v then %+v; want d2 then d1", history, more)
	}
}

func TestDeploymentErrors(t *testing.T) {
	s := newStore(t)
	missing := envDeployment("d1", "Nowhere", t0)
	wantKind(t, s.StartDeployment(ctx, missing, 1, nil), platform.NotFound, `environment "Nowhere" not found`)
	_, err := s.GetDeployment(ctx, "d1")
	wantKind(t, err, platform.NotFound, `deployment "d1" not found`)
	missing.Revision = 1
	wantKind(t, s.UpdateDeployment(ctx, missing), platform.NotFound, `deployment "d1" not found`)
	missing.Status = platform.Succeeded
	wantKind(t, s.FinishDeployment(ctx, missing), platform.NotFound, `deployment "d1" not found`)

	mustCreateEnvironment(t, s, "Beta", "b1")
	d := envDeployment("b1", "Beta", t0)
	d.Revision = 1
	d.Status = platform.Succeeded
	wantKind(t, s.UpdateDeployment(ctx, d), platform.Invalid, "status")
	d.Status = platform.InProgress
	wantKind(t, s.FinishDeployment(ctx, d), platform.Invalid, "status")
	d.Target.Environment = "Other"
	d.Status = platform.Failed
	wantKind(t, s.FinishDeployment(ctx, d), platform.Invalid, "target")
	d2 := envDeployment("b2", "Beta", t0)
	d2.Status = platform.Succeeded
	wantKind(t, s.StartDeployment(ctx, d2, 1, nil), platform.Invalid, "status")
	d2.Status = platform.InProgress
	d2.Target = platform.Target{Kind: platform.ServiceInstanceTarget, Service: "x"}
	wantKind(t, s.StartDeployment(ctx, d2, 1, nil), platform.Invalid, "target")
}

func TestDeletedEnvironmentKeepsHistory(t *testing.T) {
	s := newStore(t)
	target := platform.Target{Kind: platform.EnvironmentTarget, Environment: "Beta"}
	mustCreateEnvironment(t, s, "Beta", "d1")
	mustFinish(t, s, "d1", platform.Succeeded)
	del := envDeployment("d2", "Beta", t0.Add(time.Hour))
	del.Operation, del.Status = platform.Delete, platform.DeleteInProgress
	mustOK(t, s.StartDeployment(ctx, del, mustTargetRevision(t, s, target), nil))
	env, err := s.GetEnvironment(ctx, "Beta")
	mustOK(t, err)
	if env.DeploymentStatus != platform.DeleteInProgress {
		t.Fatalf("status %s, want DELETE_IN_PROGRESS", env.DeploymentStatus)
	}
	mustFinish(t, s, "d2", platform.DeleteComplete)
	_, err = s.GetEnvironment(ctx, "Beta")
	wantKind(t, err, platform.NotFound, `environment "Beta" not found`)
	history, err := s.ListDeployments(ctx, target, platform.PageRequest{})
	mustOK(t, err)
	if len(history.Items) != 2 || history.Items[0].ID != "d2" || history.Items[0].Status != platform.DeleteComplete || history.Items[0].CompletedAt.IsZero() {
		t.Fatalf("history after delete: %+v", history.Items)
	}
	// The name is free again, and the new environment's history holds the old one's.
	mustCreateEnvironment(t, s, "Beta", "d3")
	history, err = s.ListDeployments(ctx, target, platform.PageRequest{})
	mustOK(t, err)
	if len(history.Items) != 3 {
		t.Fatalf("history of the recreated environment: %d deployments, want 3", len(history.Items))
	}
}

func TestFinishOnlyReachesItsOwnTarget(t *testing.T) {
	s := newStore(t)
	// Two deployments of one instance stored by CreateService: the instance is marked by
	// the later one, so finishing the earlier one leaves it alone.
	target := instanceTarget("api", "api-dev")
	early := svcDeployment("early", target)
	late := svcDeployment("late", target)
	late.CreatedAt = t0.Add(time.Second)
	mustOK(t, s.CreateService(ctx, platform.Service{Name: "api"},
		[]platform.ServiceInstance{{Service: "api", Name: "api-dev", Environment: "dev"}}, nil,
		[]platform.Deployment{early, late}, nil))
	before, err := s.GetServiceInstance(ctx, "api", "api-dev")
	mustOK(t, err)
	if before.LastDeploymentID != "late" {
		t.Fatalf("instance marked by %q, want late", before.LastDeploymentID)
	}
	mustFinish(t, s, "early", platform.Succeeded)
	after, err := s.GetServiceInstance(ctx, "api", "api-dev")
	mustOK(t, err)
	mustEqual(t, "instance after another deployment finished", after, before)
	mustFinish(t, s, "late", platform.Succeeded)
	after, err = s.GetServiceInstance(ctx, "api", "api-dev")
	mustOK(t, err)
	if after.LastSucceededDeploymentID != "late" || after.TemplateName != "api" || after.Revision != 2 {
		t.Fatalf("instance after its deployment succeeded: %+v", after)
	}
}

func TestConcurrentStartDeployment(t *testing.T) {
	s := newStore(t)
	mustCreateService(t, s, "frontend", "dev")
	target := instanceTarget("frontend", "frontend-dev")
	mustFinish(t, s, "frontend/frontend-dev", platform.Succeeded)
	for round := range 3 {
		revision := mustTargetRevision(t, s, target)
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Go(func() {
				d := svcDeployment(fmt.Sprintf("r%d-%d", round, i), target)
				errs[i] = s.StartDeployment(ctx, d, revision, nil)
			})
		}
		wg.Wait()
		winners := 0
		for _, err := range errs {
			switch platform.KindOf(err) {
			case "":
				winners++
			case platform.Conflict:
			default:
				t.Fatalf("round %d: unexpected error %v", round, err)
			}
		}
		if winners != 1 {
			t.Fatalf("round %d: %d StartDeployment calls won (errors %v), want exactly 1", round, winners, errs)
		}
		in, err := s.GetServiceInstance(ctx, "frontend", "frontend-dev")
		mustOK(t, err)
		if in.Revision != revision+1 {
			t.Fatalf("round %d: revision %d, want %d", round, in.Revision, revision+1)
		}
		mustFinish(t, s, in.LastDeploymentID, platform.Failed)
	}
}

func TestListTemplateVersionTargets(t *testing.T) {
	s := newStore(t)
	mustCreateService(t, s, "frontend", "dev", "prod") // instances and pipeline, no version yet
	mustCreateEnvironment(t, s, "dev", "env-dev")
	v10 := platform.Version{Major: 1}
	major1 := platform.Version{Major: 1, Minor: platform.AllMinors}
	none, err := s.ListTemplateVersionTargets(ctx, platform.ServiceTemplate, "api", major1, platform.PageRequest{})
	mustOK(t, err)
	if len(none.Items) != 0 {
		t.Fatalf("targets before any version: %+v", none.Items)
	}
	for _, id := range []string{"frontend/frontend-dev", "frontend/frontend-prod", "frontend/pipeline", "env-dev"} {
		mustFinish(t, s, id, platform.Succeeded)
	}
	// gsi3 is eventually consistent in AWS; DynamoDB Local applies index writes at once.
	listAll := func(kind platform.TemplateKind, name string, v platform.Version) []platform.VersionTarget {
		t.Helper()
		var got []platform.VersionTarget
		page := platform.PageRequest{Limit: 2}
		for {
			p, err := s.ListTemplateVersionTargets(ctx, kind, name, v, page)
			mustOK(t, err)
			got = append(got, p.Items...)
			if p.NextToken == "" {
				return got
			}
			page.NextToken = p.NextToken
		}
	}
	on := func(target platform.Target, v platform.Version) platform.VersionTarget {
		return platform.VersionTarget{Target: target, TemplateVersion: v}
	}
	mustEqual(t, "service targets on api 1.0", listAll(platform.ServiceTemplate, "api", v10), []platform.VersionTarget{
		on(instanceTarget("frontend", "frontend-dev"), v10), on(instanceTarget("frontend", "frontend-prod"), v10), on(pipelineTarget("frontend"), v10),
	})
	mustEqual(t, "environment targets on vpc 1.0", listAll(platform.EnvironmentTemplate, "vpc", v10),
		[]platform.VersionTarget{on(platform.Target{Kind: platform.EnvironmentTarget, Environment: "dev"}, v10)})

	// A success on another version moves the target; the whole major lists both minors, by minor.
	target := instanceTarget("frontend", "frontend-prod")
	d := svcDeployment("to-1.1", target)
	d.TemplateVersion = platform.Version{Major: 1, Minor: 1}
	d.CreatedAt = t0.Add(time.Hour)
	mustOK(t, s.StartDeployment(ctx, d, mustTargetRevision(t, s, target), nil))
	mustFinish(t, s, "to-1.1", platform.Succeeded)
	mustEqual(t, "on 1.0 after the move", listAll(platform.ServiceTemplate, "api", v10), []platform.VersionTarget{
		on(instanceTarget("frontend", "frontend-dev"), v10), on(pipelineTarget("frontend"), v10),
	})
	mustEqual(t, "on 1.1 after the move", listAll(platform.ServiceTemplate, "api", d.TemplateVersion),
		[]platform.VersionTarget{on(target, d.TemplateVersion)})
	mustEqual(t, "on major 1 after the move", listAll(platform.ServiceTemplate, "api", major1), []platform.VersionTarget{
		on(instanceTarget("frontend", "frontend-dev"), v10), on(pipelineTarget("frontend"), v10), on(target, d.TemplateVersion),
	})
	other, err := s.ListTemplateVersionTargets(ctx, platform.ServiceTemplate, "api", platform.Version{Major: 2, Minor: platform.AllMinors}, platform.PageRequest{})
	mustOK(t, err)
	if len(other.Items) != 0 {
		t.Fatalf("targets on api major 2: %+v", other.Items)
	}
	// The instances themselves, across services, by version: pipelines are left out.
	inst, err := s.ListTemplateVersionInstances(ctx, "api", v10, platform.PageRequest{})
	mustOK(t, err)
	if len(inst.Items) != 1 || inst.Items[0].Name != "frontend-dev" || inst.Items[0].Environment != "dev" {
		t.Fatalf("instances on api 1.0: %+v", inst.Items)
	}
	inst, err = s.ListTemplateVersionInstances(ctx, "api", d.TemplateVersion, platform.PageRequest{})
	mustOK(t, err)
	if len(inst.Items) != 1 || inst.Items[0].Name != "frontend-prod" {
		t.Fatalf("instances on api 1.1: %+v", inst.Items)
	}
	_, err = s.ListTemplateVersionInstances(ctx, "api", major1, platform.PageRequest{})
	wantKind(t, err, platform.Invalid, "templateMinorVersion")
	// A token of one minor's list is refused by another's.
	first, err := s.ListTemplateVersionTargets(ctx, platform.ServiceTemplate, "api", v10, platform.PageRequest{Limit: 1})
	mustOK(t, err)
	_, err = s.ListTemplateVersionTargets(ctx, platform.ServiceTemplate, "api", major1, platform.PageRequest{Limit: 1, NextToken: first.NextToken})
	wantKind(t, err, platform.Invalid, "nextToken")
}

// TestListExpiredDeployments: unfinished deployments with a lease are found by the expiry
// of their lease, the longest expired first, in pages; a renewed lease moves the
// deployment out of the expired range, a finished deployment leaves the index, and one
// without a lease (a pipeline waiting for its instances) is never listed.
func TestListExpiredDeployments(t *testing.T) {
	s := newStore(t)
	ids := func(p platform.Page[platform.Deployment]) []string {
		var out []string
		for _, d := range p.Items {
			out = append(out, d.ID)
		}
		return out
	}
	lease := func(id string, expires time.Time) {
		t.Helper()
		d, err := s.GetDeployment(ctx, id)
		mustOK(t, err)
		d.LeaseOwner, d.LeaseExpiresAt = "exec-"+id, expires
		mustOK(t, s.UpdateDeployment(ctx, d))
	}
	for _, env := range []string{"A", "B", "C", "D"} {
		mustCreateEnvironment(t, s, env, "d"+env)
	}
	lease("dA", t0.Add(3*time.Minute))
	lease("dB", t0.Add(1*time.Minute))
	lease("dC", t0.Add(10*time.Minute))
	// dD has no lease.
	got, err := s.ListExpiredDeployments(ctx, t0.Add(5*time.Minute), platform.PageRequest{})
	mustOK(t, err)
	mustEqual(t, "expired at t0+5m", ids(got), []string{"dB", "dA"})
	if got.Items[0].LeaseOwner != "exec-dB" || !got.Items[0].LeaseExpiresAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("listed deployment %+v, want its lease", got.Items[0])
	}
	first, err := s.ListExpiredDeployments(ctx, t0.Add(time.Hour), platform.PageRequest{Limit: 2})
	mustOK(t, err)
	rest, err := s.ListExpiredDeployments(ctx, t0.Add(time.Hour), platform.PageRequest{Limit: 2, NextToken: first.NextToken})
	mustOK(t, err)
	mustEqual(t, "pages at t0+1h", append(ids(first), ids(rest)...), []string{"dB", "dA", "dC"})

	lease("dB", t0.Add(20*time.Minute)) // renewed
	mustFinish(t, s, "dA", platform.Failed)
	got, err = s.ListExpiredDeployments(ctx, t0.Add(15*time.Minute), platform.PageRequest{})
	mustOK(t, err)
	mustEqual(t, "expired at t0+15m after a renewal and a finish", ids(got), []string{"dC"})
	_, err = s.ListExpiredDeployments(ctx, t0, platform.PageRequest{NextToken: "bogus"})
	wantKind(t, err, platform.Invalid, "")
}

func TestServiceDeploymentsAndDeleteDeployment(t *testing.T) {
	s := newStore(t)
	mustCreateService(t, s, "frontend", "dev", "prod")
	mustCreateService(t, s, "backend", "dev")
	mustCreateEnvironment(t, s, "dev", "env-dev")
	mustFinish(t, s, "frontend/frontend-dev", platform.Succeeded)
	mustFinish(t, s, "frontend/pipeline", platform.Failed)
	// A second deployment of frontend-dev, later: the first becomes older history.
	target := instanceTarget("frontend", "frontend-dev")
	d := svcDeployment("again", target)
	d.CreatedAt = t0.Add(time.Hour)
	mustOK(t, s.StartDeployment(ctx, d, mustTargetRevision(t, s, target), nil))

	got, err := s.ListServiceDeployments(ctx, "frontend", platform.PageRequest{})
	mustOK(t, err)
	var ids []string
	for _, d := range got.Items {
		ids = append(ids, d.ID)
	}
	if len(ids) != 4 || ids[0] != "again" {
		t.Fatalf("frontend's deployments = %v, want 4, newest (again) first", ids)
	}

	wantKind(t, s.DeleteDeployment(ctx, "again"), platform.Conflict, "only a finished deployment")
	wantKind(t, s.DeleteDeployment(ctx, "frontend/pipeline"), platform.Conflict, "last")
	wantKind(t, s.DeleteDeployment(ctx, "frontend/frontend-dev"), platform.Conflict, "last or last successful") // still the last success
	mustFinish(t, s, "again", platform.Succeeded)
	mustOK(t, s.DeleteDeployment(ctx, "frontend/frontend-dev"))
	_, err = s.GetDeployment(ctx, "frontend/frontend-dev")
	wantKind(t, err, platform.NotFound, "frontend/frontend-dev")
	wantKind(t, s.DeleteDeployment(ctx, "frontend/frontend-dev"), platform.NotFound, "frontend/frontend-dev")
	got, err = s.ListServiceDeployments(ctx, "frontend", platform.PageRequest{})
	mustOK(t, err)
	if len(got.Items) != 3 {
		t.Fatalf("after the delete: %d deployments, want 3", len(got.Items))
	}
}
