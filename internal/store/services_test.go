package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/store"
	"github.com/gantry-platform/gantry/internal/store/storetest"
)

func instanceTarget(service, name string) platform.Target {
	return platform.Target{Kind: platform.ServiceInstanceTarget, Service: service, Instance: name}
}

func pipelineTarget(service string) platform.Target {
	return platform.Target{Kind: platform.ServicePipelineTarget, Service: service}
}

func svcDeployment(id string, target platform.Target) platform.Deployment {
	return platform.Deployment{
		ID: id, Target: target, Operation: platform.Deploy, TemplateName: "api",
		TemplateVersion: platform.Version{Major: 1}, Spec: "spec", Status: platform.InProgress,
		CreatedAt: t0, UpdatedAt: t0,
	}
}

// mustCreateService creates a service with instances <service>-<env> in envs, a pipeline,
// and a first deployment of each (ids <service>/<instance> and <service>/pipeline).
func mustCreateService(t *testing.T, s *store.Store, service string, envs ...string) {
	t.Helper()
	svc := platform.Service{Name: service, TemplateName: "api", TemplateVersion: platform.Version{Major: 1}, Spec: "spec", HasPipeline: true, Status: platform.ServiceActive, CreatedAt: t0, UpdatedAt: t0}
	var instances []platform.ServiceInstance
	var deployments []platform.Deployment
	for _, env := range envs {
		name := service + "-" + env
		instances = append(instances, platform.ServiceInstance{Service: service, Name: name, Environment: env, Deployable: platform.Deployable{CreatedAt: t0}})
		deployments = append(deployments, svcDeployment(service+"/"+name, instanceTarget(service, name)))
	}
	pipeline := &platform.ServicePipeline{Service: service, Deployable: platform.Deployable{CreatedAt: t0}}
	deployments = append(deployments, svcDeployment(service+"/pipeline", pipelineTarget(service)))
	mustOK(t, s.CreateService(ctx, svc, instances, pipeline, deployments, nil))
}

func newStore(t *testing.T) *store.Store { return storetest.NewStore(t) }

func TestServices(t *testing.T) {
	s := newStore(t)
	svc := platform.Service{
		Name: "frontend", Description: "web", TemplateName: "api", TemplateVersion: platform.Version{Major: 1, Minor: 2},
		Spec: "spec", RepositoryID: "org/repo", RepositoryConnectionARN: "arn:conn", BranchName: "main",
		HasPipeline: true, Status: platform.ServiceActive, CreatedAt: t0, UpdatedAt: t0,
	}
	instances := []platform.ServiceInstance{
		{Service: "frontend", Name: "frontend-dev", Environment: "dev", Deployable: platform.Deployable{CreatedAt: t0}},
		{Service: "frontend", Name: "frontend-prod", Environment: "prod", Deployable: platform.Deployable{CreatedAt: t0}},
	}
	pipeline := &platform.ServicePipeline{Service: "frontend", Deployable: platform.Deployable{CreatedAt: t0}}
	deployments := []platform.Deployment{
		svcDeployment("i1", instanceTarget("frontend", "frontend-dev")),
		svcDeployment("i2", instanceTarget("frontend", "frontend-prod")),
		svcDeployment("p1", pipelineTarget("frontend")),
	}
	token := &platform.ClientToken{Scope: "CreateService:alice", Token: "t", Result: "frontend"}
	mustOK(t, s.CreateService(ctx, svc, instances, pipeline, deployments, token))

	got, err := s.GetService(ctx, "frontend")
	mustOK(t, err)
	want := svc
	want.Revision = 1
	mustEqual(t, "GetService", got, want)
	in, err := s.GetServiceInstance(ctx, "frontend", "frontend-prod")
	mustOK(t, err)
	wantIn := instances[1]
	wantIn.Revision, wantIn.DeploymentStatus, wantIn.LastDeploymentID, wantIn.LastAttemptedAt = 1, platform.InProgress, "i2", t0
	mustEqual(t, "GetServiceInstance", in, wantIn)
	p, err := s.GetServicePipeline(ctx, "frontend")
	mustOK(t, err)
	if p.LastDeploymentID != "p1" || p.DeploymentStatus != platform.InProgress || p.Revision != 1 {
		t.Fatalf("pipeline = %+v, want marked with p1", p)
	}
	if _, err := s.GetClientToken(ctx, "CreateService:alice", "t"); err != nil {
		t.Fatalf("client token not recorded: %v", err)
	}
	for _, id := range []string{"i1", "i2", "p1"} {
		if _, err := s.GetDeployment(ctx, id); err != nil {
			t.Fatalf("deployment %s: %v", id, err)
		}
	}

	_, err = s.GetServiceInstance(ctx, "frontend", "frontend-qa")
	wantKind(t, err, platform.NotFound, `service instance "frontend/frontend-qa" not found`)
	_, err = s.GetService(ctx, "backend")
	wantKind(t, err, platform.NotFound, `service "backend" not found`)
	_, err = s.GetServicePipeline(ctx, "backend")
	wantKind(t, err, platform.NotFound, `service pipeline "backend" not found`)
	wantKind(t, s.CreateService(ctx, svc, nil, nil, nil, nil), platform.Conflict, `service "frontend" already exists`)

	// Atomic: a taken deployment id leaves nothing of the new service.
	err = s.CreateService(ctx, platform.Service{Name: "backend"},
		[]platform.ServiceInstance{{Service: "backend", Name: "backend-dev", Environment: "dev"}}, nil,
		[]platform.Deployment{svcDeployment("i1", instanceTarget("backend", "backend-dev"))}, nil)
	wantKind(t, err, platform.Conflict, `deployment "i1" already exists`)
	_, err = s.GetService(ctx, "backend")
	wantKind(t, err, platform.NotFound, "not found")
	_, err = s.GetServiceInstance(ctx, "backend", "backend-dev")
	wantKind(t, err, platform.NotFound, "not found")

	// Lists.
	mustCreateService(t, s, "backend", "dev", "qa")
	services, err := s.ListServices(ctx, platform.PageRequest{})
	mustOK(t, err)
	if len(services.Items) != 2 || services.Items[0].Name != "backend" || services.Items[1].Name != "frontend" {
		t.Fatalf("ListServices = %+v", services.Items)
	}
	list, err := s.ListServiceInstances(ctx, "frontend", platform.PageRequest{Limit: 1})
	mustOK(t, err)
	list2, err := s.ListServiceInstances(ctx, "frontend", platform.PageRequest{Limit: 1, NextToken: list.NextToken})
	mustOK(t, err)
	if len(list.Items) != 1 || list.Items[0].Name != "frontend-dev" || len(list2.Items) != 1 || list2.Items[0].Name != "frontend-prod" || list2.NextToken != "" {
		t.Fatalf("ListServiceInstances pages %+v, %+v", list, list2)
	}
	dev, err := s.ListEnvironmentInstances(ctx, "dev", platform.PageRequest{})
	mustOK(t, err)
	var names []string
	for _, in := range dev.Items {
		names = append(names, in.Service+"/"+in.Name)
	}
	mustEqual(t, "instances in dev", names, []string{"backend/backend-dev", "frontend/frontend-dev"})
	none, err := s.ListEnvironmentInstances(ctx, "staging", platform.PageRequest{})
	mustOK(t, err)
	if len(none.Items) != 0 || none.NextToken != "" {
		t.Fatalf("instances in staging = %+v", none)
	}
}

func TestCreateServiceRules(t *testing.T) {
	s := newStore(t)
	var twenty []platform.ServiceInstance
	var deployments []platform.Deployment
	for i := range 21 {
		name := fmt.Sprintf("i%02d", i)
		twenty = append(twenty, platform.ServiceInstance{Service: "big", Name: name, Environment: "dev"})
		deployments = append(deployments, svcDeployment("big/"+name, instanceTarget("big", name)))
	}
	svc := platform.Service{Name: "big"}
	wantKind(t, s.CreateService(ctx, svc, twenty, nil, deployments, nil), platform.Invalid, "at most 20 instances, got 21")
	// Twenty instances, their deployments, a pipeline and a token: one transaction.
	pipeline := &platform.ServicePipeline{Service: "big"}
	deployments = append(deployments[:20], svcDeployment("big/pipeline", pipelineTarget("big")))
	mustOK(t, s.CreateService(ctx, svc, twenty[:20], pipeline, deployments, &platform.ClientToken{Scope: "s", Token: "t"}))
	all, err := s.ListServiceInstances(ctx, "big", platform.PageRequest{})
	mustOK(t, err)
	if len(all.Items) != 20 {
		t.Fatalf("%d instances stored, want 20", len(all.Items))
	}

	other := []platform.ServiceInstance{{Service: "elsewhere", Name: "x"}}
	wantKind(t, s.CreateService(ctx, platform.Service{Name: "s2"}, other, nil, nil, nil), platform.Invalid, "instances[0].service")
	twice := []platform.ServiceInstance{{Service: "s2", Name: "x"}, {Service: "s2", Name: "x"}}
	wantKind(t, s.CreateService(ctx, platform.Service{Name: "s2"}, twice, nil, nil, nil), platform.Invalid, `instance "x" appears twice`)
	stray := []platform.Deployment{svcDeployment("d", instanceTarget("s2", "nope"))}
	wantKind(t, s.CreateService(ctx, platform.Service{Name: "s2"}, nil, nil, stray, nil), platform.Invalid, "deployments[0].target")
	wantKind(t, s.CreateService(ctx, platform.Service{Name: "s2"}, nil, &platform.ServicePipeline{Service: "s3"}, nil, nil), platform.Invalid, "pipeline.service")
}

func TestUpdateAndDeleteService(t *testing.T) {
	s := newStore(t)
	mustCreateService(t, s, "frontend", "dev")
	svc, err := s.GetService(ctx, "frontend")
	mustOK(t, err)

	svc.Description = "" // an emptied attribute must be cleared
	svc.BranchName = "release"
	svc.UpdatedAt = t0.Add(1)
	mustOK(t, s.UpdateService(ctx, svc))
	got, err := s.GetService(ctx, "frontend")
	mustOK(t, err)
	want := svc
	want.Revision = 2
	mustEqual(t, "after UpdateService", got, want)
	wantKind(t, s.UpdateService(ctx, svc), platform.Conflict, `service "frontend" was changed by another request; retry`)
	gone := got
	gone.Name = "nothing"
	wantKind(t, s.UpdateService(ctx, gone), platform.NotFound, `service "nothing" not found`)

	// The update kept the count of instances and pipeline.
	wantKind(t, s.DeleteService(ctx, "frontend"), platform.Conflict, `service "frontend" still has instances or a pipeline`)
	wantKind(t, s.DeleteService(ctx, "nothing"), platform.NotFound, `service "nothing" not found`)

	// Delete the instance, then the pipeline; then the service may go.
	for _, target := range []platform.Target{instanceTarget("frontend", "frontend-dev"), pipelineTarget("frontend")} {
		first := "frontend/" + target.Instance
		if target.Instance == "" {
			first = "frontend/pipeline"
		}
		mustFinish(t, s, first, platform.Succeeded)
		wantKind(t, s.DeleteService(ctx, "frontend"), platform.Conflict, "still has instances or a pipeline")
		del := svcDeployment("delete-"+first, target)
		del.Operation, del.Status, del.CreatedAt = platform.Delete, platform.DeleteInProgress, t0.Add(time.Minute)
		mustOK(t, s.StartDeployment(ctx, del, mustTargetRevision(t, s, target), nil))
		mustFinish(t, s, del.ID, platform.DeleteComplete)
	}
	_, err = s.GetServiceInstance(ctx, "frontend", "frontend-dev")
	wantKind(t, err, platform.NotFound, "not found")
	_, err = s.GetServicePipeline(ctx, "frontend")
	wantKind(t, err, platform.NotFound, "not found")
	mustOK(t, s.DeleteService(ctx, "frontend"))
	_, err = s.GetService(ctx, "frontend")
	wantKind(t, err, platform.NotFound, "not found")
	// The history outlives the instance and the service.
	history, err := s.ListDeployments(ctx, instanceTarget("frontend", "frontend-dev"), platform.PageRequest{})
	mustOK(t, err)
	if len(history.Items) != 2 || history.Items[0].ID != "delete-frontend/frontend-dev" || history.Items[1].ID != "frontend/frontend-dev" {
		t.Fatalf("history of the deleted instance = %+v", history.Items)
	}
}

func TestChangeService(t *testing.T) {
	s := newStore(t)
	mustCreateService(t, s, "frontend", "dev")
	mustFinish(t, s, "frontend/frontend-dev", platform.Succeeded)
	mustFinish(t, s, "frontend/pipeline", platform.Succeeded)
	svc, err := s.GetService(ctx, "frontend")
	mustOK(t, err)
	dev, err := s.GetServiceInstance(ctx, "frontend", "frontend-dev")
	mustOK(t, err)

	// Add instance frontend-prod and start deleting frontend-dev, in one write.
	svc.Status, svc.Description = platform.ServiceUpdateInProgress, "changed"
	prod := platform.ServiceInstance{Service: "frontend", Name: "frontend-prod", Environment: "prod", Deployable: platform.Deployable{
		TemplateName: "api", TemplateVersion: platform.Version{Major: 1}, CreatedAt: t0}}
	create := svcDeployment("add-prod", instanceTarget("frontend", "frontend-prod"))
	remove := svcDeployment("remove-dev", dev.Target())
	remove.Operation, remove.Status = platform.Delete, platform.DeleteInProgress
	revisions := map[platform.Target]int64{dev.Target(): dev.Revision}

	// A stale revision of a target refuses the whole change: nothing is written.
	stale := map[platform.Target]int64{dev.Target(): dev.Revision - 1}
	wantKind(t, s.ChangeService(ctx, svc, []platform.ServiceInstance{prod}, []platform.Deployment{create, remove}, stale, nil),
		platform.Conflict, `service instance "frontend/frontend-dev"`)
	_, err = s.GetServiceInstance(ctx, "frontend", "frontend-prod")
	wantKind(t, err, platform.NotFound, "frontend-prod")
	unchanged, err := s.GetService(ctx, "frontend")
	mustOK(t, err)
	mustEqual(t, "service after a refused change", unchanged, svc2(svc))

	mustOK(t, s.ChangeService(ctx, svc, []platform.ServiceInstance{prod}, []platform.Deployment{create, remove}, revisions, nil))
	got, err := s.GetService(ctx, "frontend")
	mustOK(t, err)
	if got.Description != "changed" || got.Status != platform.ServiceUpdateInProgress || got.Revision != svc.Revision+1 {
		t.Fatalf("changed service = %+v", got)
	}
	added, err := s.GetServiceInstance(ctx, "frontend", "frontend-prod")
	mustOK(t, err)
	if added.DeploymentStatus != platform.InProgress || added.LastDeploymentID != "add-prod" || added.Revision != 1 {
		t.Fatalf("added instance = %+v", added)
	}
	deleting, err := s.GetServiceInstance(ctx, "frontend", "frontend-dev")
	mustOK(t, err)
	if deleting.DeploymentStatus != platform.DeleteInProgress || deleting.LastDeploymentID != "remove-dev" {
		t.Fatalf("instance being deleted = %+v", deleting)
	}
	// A target with a deployment in progress refuses another change.
	again := svcDeployment("again", dev.Target())
	wantKind(t, s.ChangeService(ctx, got, nil, []platform.Deployment{again}, map[platform.Target]int64{dev.Target(): deleting.Revision}, nil),
		platform.Conflict, "in progress")
	// The service counts the added instance: once frontend-dev is deleted, the pipeline
	// and frontend-prod remain, so it cannot go yet.
	mustFinish(t, s, "remove-dev", platform.DeleteComplete)
	mustFinish(t, s, "add-prod", platform.Succeeded)
	wantKind(t, s.DeleteService(ctx, "frontend"), platform.Conflict, "still has instances")
	// Deployments must target the service.
	other := svcDeployment("other", instanceTarget("backend", "x"))
	wantKind(t, s.ChangeService(ctx, got, nil, []platform.Deployment{other}, nil, nil), platform.Invalid, "deployments[0].target")
}

// svc2 is svc as stored before a change: the original status and description.
func svc2(svc platform.Service) platform.Service {
	svc.Status, svc.Description = platform.ServiceActive, ""
	return svc
}
