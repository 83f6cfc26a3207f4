package store_test

import (
	"testing"

	"github.com/gantry-platform/gantry/internal/platform"
)

// componentDeployment deploys component name; attached to web/web-dev unless it is "bucket".
func componentDeployment(id, name string, op platform.Operation) platform.Deployment {
	status := platform.InProgress
	if op == platform.Delete {
		status = platform.DeleteInProgress
	}
	target := platform.Target{Kind: platform.ComponentTarget, Component: name, Service: "web", Instance: "web-dev"}
	if name == "bucket" {
		target.Service, target.Instance = "", ""
	}
	return platform.Deployment{ID: id, Target: target, Operation: op,
		Spec: "spec", Status: status, CreatedAt: t0, UpdatedAt: t0}
}

func TestComponents(t *testing.T) {
	s := newStore(t)
	mustCreateService(t, s, "web", "dev", "prod")
	attached := platform.Component{Name: "cache", Description: "a cache", Environment: "dev", Service: "web", Instance: "web-dev",
		ServiceSpec: "proton: ServiceSpec", Manifest: "m", TemplateFile: "t", LastClientRequestToken: "tok", UpdatedAt: t0,
		Deployable: platform.Deployable{CreatedAt: t0}}
	token := &platform.ClientToken{Scope: "CreateComponent:alice", Token: "tok", Result: "cache"}
	mustOK(t, s.CreateComponent(ctx, attached, componentDeployment("c1", "cache", platform.Deploy), token))

	got, err := s.GetComponent(ctx, "cache")
	mustOK(t, err)
	want := attached
	want.Revision, want.DeploymentStatus, want.LastDeploymentID, want.LastAttemptedAt = 1, platform.InProgress, "c1", t0
	mustEqual(t, "GetComponent", got, want)
	byInstance, err := s.GetInstanceComponent(ctx, "web", "web-dev")
	mustOK(t, err)
	mustEqual(t, "GetInstanceComponent", byInstance, want)
	if _, err := s.GetInstanceComponent(ctx, "web", "web-prod"); platform.KindOf(err) != platform.NotFound {
		t.Errorf("GetInstanceComponent of an instance without one: %v, want NotFound", err)
	}
	links, err := s.ListInstanceComponentLinks(ctx, "web")
	mustOK(t, err)
	mustEqual(t, "ListInstanceComponentLinks", links, map[string]string{"web-dev": "cache"})
	links, err = s.ListInstanceComponentLinks(ctx, "nowhere")
	mustOK(t, err)
	mustEqual(t, "ListInstanceComponentLinks of a missing service", links, map[string]string{})

	// One component per instance; the instance must exist; names are unique.
	second := attached
	second.Name = "queue"
	if err := s.CreateComponent(ctx, second, componentDeployment("c2", "queue", platform.Deploy), nil); platform.KindOf(err) != platform.Conflict {
		t.Errorf("a second component on web-dev: %v, want Conflict", err)
	}
	second.Instance = "web-nowhere"
	if err := s.CreateComponent(ctx, second, platform.Deployment{ID: "c2", Target: second.Target(), Operation: platform.Deploy, Status: platform.InProgress}, nil); platform.KindOf(err) != platform.NotFound {
		t.Errorf("a component on a missing instance: %v, want NotFound", err)
	}
	again := attached
	again.Instance = "web-prod"
	if err := s.CreateComponent(ctx, again, platform.Deployment{ID: "c3", Target: again.Target(), Operation: platform.Deploy, Status: platform.InProgress}, nil); platform.KindOf(err) != platform.Conflict {
		t.Errorf("a component name taken: %v, want Conflict", err)
	}
	detached := platform.Component{Name: "bucket", Environment: "prod", Manifest: "m", TemplateFile: "t", Deployable: platform.Deployable{CreatedAt: t0}}
	mustOK(t, s.CreateComponent(ctx, detached, componentDeployment("c4", "bucket", platform.Deploy), nil))
	if _, err := s.GetComponent(ctx, "queue"); platform.KindOf(err) != platform.NotFound {
		t.Errorf("a refused component was stored: %v", err)
	}

	names := func(f platform.ComponentFilter) []string {
		t.Helper()
		page, err := s.ListComponents(ctx, f, platform.PageRequest{})
		mustOK(t, err)
		out := []string{}
		for _, c := range page.Items {
			out = append(out, c.Name)
		}
		return out
	}
	mustEqual(t, "all", names(platform.ComponentFilter{}), []string{"bucket", "cache"})
	mustEqual(t, "in dev", names(platform.ComponentFilter{Environment: "dev"}), []string{"cache"})
	mustEqual(t, "in prod", names(platform.ComponentFilter{Environment: "prod"}), []string{"bucket"})
	mustEqual(t, "of web", names(platform.ComponentFilter{Service: "web"}), []string{"cache"})
	mustEqual(t, "of web in prod", names(platform.ComponentFilter{Service: "web", Environment: "prod"}), []string{})
	mustEqual(t, "of web-dev", names(platform.ComponentFilter{Service: "web", Instance: "web-dev"}), []string{"cache"})
	mustEqual(t, "of web-prod", names(platform.ComponentFilter{Service: "web", Instance: "web-prod"}), []string{})
	if _, err := s.ListComponents(ctx, platform.ComponentFilter{Instance: "web-dev"}, platform.PageRequest{}); platform.KindOf(err) != platform.Invalid {
		t.Errorf("an instance filter without its service: %v, want Invalid", err)
	}

	// No update while the first deployment runs; the metadata-only update (no deployment)
	// is checked on the revision only.
	got.TemplateFile = "t2"
	d2 := componentDeployment("c5", "cache", platform.Deploy)
	if err := s.UpdateComponent(ctx, got, &d2, nil); platform.KindOf(err) != platform.Conflict {
		t.Errorf("update while deploying: %v, want Conflict", err)
	}
	first, err := s.GetDeployment(ctx, "c1")
	mustOK(t, err)
	first.Status, first.Outputs, first.CompletedAt = platform.Succeeded, []platform.Output{{Key: "Endpoint", Value: "redis://x"}}, t0
	mustOK(t, s.FinishDeployment(ctx, first))
	got, err = s.GetComponent(ctx, "cache")
	mustOK(t, err)
	if got.DeploymentStatus != platform.Succeeded || len(got.Outputs) != 1 || got.LastSucceededDeploymentID != "c1" {
		t.Fatalf("component after its deployment: %+v", got)
	}
	stale := got
	got.TemplateFile = "t2"
	mustOK(t, s.UpdateComponent(ctx, got, &d2, nil))
	if err := s.UpdateComponent(ctx, stale, nil, nil); platform.KindOf(err) != platform.Conflict {
		t.Errorf("update of a stale revision: %v, want Conflict", err)
	}
	got, err = s.GetComponent(ctx, "cache")
	mustOK(t, err)
	if got.TemplateFile != "t2" || got.LastDeploymentID != "c5" || got.DeploymentStatus != platform.InProgress {
		t.Errorf("component after its update: %+v", got)
	}
	history, err := s.ListDeployments(ctx, got.Target(), platform.PageRequest{})
	mustOK(t, err)
	if len(history.Items) != 2 {
		t.Errorf("component history: %d deployments, want 2", len(history.Items))
	}

	// Deleting: the record and the link go; the instance may have a component again.
	d5, err := s.GetDeployment(ctx, "c5")
	mustOK(t, err)
	d5.Status = platform.Succeeded
	mustOK(t, s.FinishDeployment(ctx, d5))
	got, err = s.GetComponent(ctx, "cache")
	mustOK(t, err)
	del := componentDeployment("c6", "cache", platform.Delete)
	mustOK(t, s.StartDeployment(ctx, del, got.Revision, nil))
	del.Revision, del.Status = 1, platform.DeleteComplete
	mustOK(t, s.FinishDeployment(ctx, del))
	if _, err := s.GetComponent(ctx, "cache"); platform.KindOf(err) != platform.NotFound {
		t.Errorf("deleted component: %v, want NotFound", err)
	}
	mustEqual(t, "of web after the deletion", names(platform.ComponentFilter{Service: "web"}), []string{})
	mustOK(t, s.CreateComponent(ctx, withName(attached, "queue"), componentDeployment("c7", "queue", platform.Deploy), nil))
}

func withName(c platform.Component, name string) platform.Component {
	c.Name = name
	return c
}
