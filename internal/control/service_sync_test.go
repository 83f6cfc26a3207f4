package control_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/gitsync/gitsynctest"
	"github.com/gantry-platform/gantry/internal/platform"
)

const opsFile = `sync:
  services:
    frontend:
      frontend-beta:
        branch: main
        spec: ./specs/beta.yaml
      frontend-gamma:
        branch: prod
        spec: specs/gamma.yaml
`

func (h *syncHarness) instance(name string) platform.ServiceInstance {
	h.t.Helper()
	inst, err := h.store.GetServiceInstance(h.ctx, "frontend", name)
	if err != nil {
		h.t.Fatal(err)
	}
	return inst
}

func (h *syncHarness) syncService(branch, commit, by string) control.SyncOutcome {
	h.t.Helper()
	out, err := h.svc.SyncServiceCommit(h.ctx, "frontend", branch, commit, by)
	if err != nil {
		h.t.Fatalf("SyncServiceCommit(%s): %v", commit[:8], err)
	}
	return out
}

// mustSyncedFrontend makes the service frontend with its instances frontend-beta and
// frontend-gamma deployed, and the repository its proton-ops file will live in.
func mustSyncedFrontend(t *testing.T) (*syncHarness, *gitsynctest.Remote) {
	t.Helper()
	h := newSyncHarness(t)
	h.mustEnvTemplate()
	h.mustDeployedEnvironment("Beta")
	h.mustDeployedEnvironment("Gamma")
	h.mustServiceTemplate()
	if _, err := h.svc.CreateService(h.ctx, serviceInput("Beta", "Gamma")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"frontend-beta", "frontend-gamma"} {
		h.mustFinish(h.instance(name).LastDeploymentID)
	}
	if p, err := h.store.GetServicePipeline(h.ctx, "frontend"); err == nil {
		h.mustFinish(p.LastDeploymentID)
	}
	return h, h.remote(templatesRepo)
}

func TestServiceSyncUpdatesTheInstancesOfABranch(t *testing.T) {
	h, remote := mustSyncedFrontend(t)
	remote.Commit(t, "prod", "gamma", map[string][]byte{"specs/gamma.yaml": []byte("port: 80\n")})
	first := remote.Commit(t, "main", "ops", map[string][]byte{"proton-ops.yaml": []byte(opsFile), "specs/beta.yaml": []byte("port: 8080\n")})
	dev := platform.WithCaller(h.ctx, platform.Caller{Subject: "dan", Roles: []platform.Role{platform.DeveloperRole}})
	cfg, err := h.svc.CreateServiceSyncConfig(dev, control.ServiceSyncConfigInput{ServiceName: "frontend", Repository: templatesRepo, Branch: "main"})
	if err != nil || cfg.FilePath != "proton-ops.yaml" {
		t.Fatalf("CreateServiceSyncConfig = %+v, %v", cfg, err)
	}
	gamma := h.instance("frontend-gamma").LastDeploymentID

	// A commit on main changes beta's spec: beta redeploys, gamma (on prod) does not. The
	// sync waits for the deployment, then succeeds.
	if out := h.syncService("main", first, "run-1"); !out.Waiting || out.Status != platform.SyncInProgress {
		t.Fatalf("first sync: %+v", out)
	}
	beta := h.instance("frontend-beta")
	if beta.DeploymentStatus != platform.InProgress || h.mustDeployment(beta.LastDeploymentID).Spec != "port: 8080\n" || h.instance("frontend-gamma").LastDeploymentID != gamma {
		t.Fatalf("after the sync: beta %s %q, gamma's last deployment %s (was %s)", beta.DeploymentStatus, beta.Spec, h.instance("frontend-gamma").LastDeploymentID, gamma)
	}
	if out := h.syncService("main", first, "run-2"); !out.Skipped {
		t.Fatalf("the same commit by another execution: %+v", out)
	}
	h.mustFinish(beta.LastDeploymentID)
	if out := h.syncService("main", first, "run-1"); out.Waiting || out.Status != platform.SyncSucceeded || h.instance("frontend-beta").LastDeploymentID != beta.LastDeploymentID {
		t.Fatalf("the sync once the deployment succeeded: %+v", out)
	}

	// The next synced deployment fails: an AUTOMATED blocker stops the instance's syncs.
	second := remote.Commit(t, "main", "beta 9090", map[string][]byte{"specs/beta.yaml": []byte("port: 9090\n")})
	if out := h.syncService("main", second, "run-3"); !out.Waiting {
		t.Fatalf("second sync: %+v", out)
	}
	beta = h.instance("frontend-beta")
	d := h.mustDeployment(beta.LastDeploymentID)
	d.Status, d.StatusMessage, d.CompletedAt = platform.Failed, "stack failed", h.clock.Tick()
	if err := h.store.FinishDeployment(h.ctx, d); err != nil {
		t.Fatal(err)
	}
	if out := h.syncService("main", second, "run-3"); out.Waiting || out.Status != platform.SyncFailed {
		t.Fatalf("the sync once the deployment failed: %+v", out)
	}
	blockers, err := h.svc.GetServiceSyncBlockerSummary(h.ctx, "frontend", "")
	if err != nil || len(blockers) != 1 || blockers[0].Type != "AUTOMATED" || blockers[0].Instance != "frontend-beta" || !strings.Contains(blockers[0].CreatedReason, "failed") {
		t.Fatalf("blockers after a failed synced deployment: %+v, %v", blockers, err)
	}
	third := remote.Commit(t, "main", "beta 9091", map[string][]byte{"specs/beta.yaml": []byte("port: 9091\n")})
	if out := h.syncService("main", third, "run-4"); out.Status != platform.SyncFailed {
		t.Fatalf("a sync while blocked: %+v", out)
	}
	if h.instance("frontend-beta").LastDeploymentID != beta.LastDeploymentID {
		t.Fatal("a blocked sync updated the instance")
	}
	st, err := h.svc.GetServiceInstanceSyncStatus(h.ctx, "frontend", "frontend-beta")
	if err != nil || st.Latest.Status != platform.SyncFailed || st.Latest.Events[0].Type != "SYNC_BLOCKED" || st.LatestSuccessful.TargetRevision.Commit != first {
		t.Fatalf("GetServiceInstanceSyncStatus = %+v, %v", st, err)
	}

	// Resolved with a reason, the next commit syncs.
	if _, err := h.svc.UpdateServiceSyncBlocker(dev, blockers[0].ID, " "); platform.KindOf(err) != platform.Invalid {
		t.Fatalf("resolving without a reason: %v", err)
	}
	resolved, err := h.svc.UpdateServiceSyncBlocker(dev, blockers[0].ID, "fixed the stack")
	if err != nil || resolved.Status != platform.SyncBlockerResolved {
		t.Fatalf("UpdateServiceSyncBlocker = %+v, %v", resolved, err)
	}
	if _, err := h.svc.UpdateServiceSyncBlocker(dev, blockers[0].ID, "again"); platform.KindOf(err) != platform.Conflict {
		t.Fatalf("resolving twice: %v", err)
	}
	fourth := remote.Commit(t, "main", "beta 9092", map[string][]byte{"specs/beta.yaml": []byte("port: 9092\n")})
	if out := h.syncService("main", fourth, "run-5"); !out.Waiting || h.mustDeployment(h.instance("frontend-beta").LastDeploymentID).Spec != "port: 9092\n" {
		t.Fatalf("the sync after resolving: %+v", out)
	}

	h.mustFinish(h.instance("frontend-beta").LastDeploymentID)

	// A change by hand to a synced instance raises a blocker.
	if _, err := h.svc.UpdateServiceInstance(dev, "frontend", "frontend-gamma", control.UpdateInput{Spec: "port: 81\n", DeploymentType: platform.DeployCurrentVersion}); err != nil {
		t.Fatal(err)
	}
	blockers, err = h.svc.GetServiceSyncBlockerSummary(h.ctx, "frontend", "frontend-gamma")
	if err != nil || len(blockers) != 1 || !strings.Contains(blockers[0].CreatedReason, "outside sync") {
		t.Fatalf("blockers after a change by hand: %+v, %v", blockers, err)
	}

	// A malformed proton-ops file fails the sync naming the file and line.
	broken := remote.Commit(t, "main", "break ops", map[string][]byte{"proton-ops.yaml": []byte("sync:\n  services:\n    frontend:\n      frontend-beta:\n        spec: x.yaml\n")})
	out := h.syncService("main", broken, "run-6")
	if out.Status != platform.SyncFailed || !strings.Contains(out.Events[0].Event, "proton-ops.yaml:5") {
		t.Fatalf("a malformed ops file: %+v", out)
	}
}

// TestServiceSyncPromotionOrder: two instances on one branch sync in the proton-ops
// file's order — the second deploys once the first's deployment of the same commit
// succeeded, never when it failed; a retried run starts nothing twice; a commit the branch
// moved past stops promoting (the newer commit's sync carries it on).
func TestServiceSyncPromotionOrder(t *testing.T) {
	h, remote := mustSyncedFrontend(t)
	const ops = "sync:\n  services:\n    frontend:\n      frontend-beta:\n        branch: main\n        spec: beta.yaml\n      frontend-gamma:\n        branch: main\n        spec: gamma.yaml\n"
	specs := func(port string) map[string][]byte {
		return map[string][]byte{"proton-ops.yaml": []byte(ops), "beta.yaml": []byte("port: " + port + "\n"), "gamma.yaml": []byte("port: " + port + "\n")}
	}
	dev := platform.WithCaller(h.ctx, platform.Caller{Subject: "dan", Roles: []platform.Role{platform.DeveloperRole}})
	if _, err := h.svc.CreateServiceSyncConfig(dev, control.ServiceSyncConfigInput{ServiceName: "frontend", Repository: templatesRepo, Branch: "main"}); err != nil {
		t.Fatal(err)
	}
	last := func(name string) string { return h.instance(name).LastDeploymentID }
	specOf := func(name string) string { return h.mustDeployment(last(name)).Spec }
	gamma0 := last("frontend-gamma")

	c1 := remote.Commit(t, "main", "8081", specs("8081"))
	for range 2 { // the second run is a retry of the same execution: nothing starts twice
		if out := h.syncService("main", c1, "run-1"); !out.Waiting {
			t.Fatalf("c1: %+v", out)
		}
	}
	beta1 := last("frontend-beta")
	if specOf("frontend-beta") != "port: 8081\n" || last("frontend-gamma") != gamma0 {
		t.Fatalf("c1 first: beta deploys %q, gamma's last deployment %s (was %s)", specOf("frontend-beta"), last("frontend-gamma"), gamma0)
	}
	h.mustFinish(beta1)
	for range 2 {
		if out := h.syncService("main", c1, "run-1"); !out.Waiting {
			t.Fatalf("c1 after beta: %+v", out)
		}
	}
	if last("frontend-beta") != beta1 || specOf("frontend-gamma") != "port: 8081\n" {
		t.Fatalf("c1 after beta succeeded: beta %s (was %s), gamma deploys %q", last("frontend-beta"), beta1, specOf("frontend-gamma"))
	}
	gamma1 := last("frontend-gamma")
	h.mustFinish(gamma1)
	if out := h.syncService("main", c1, "run-1"); out.Waiting || out.Status != platform.SyncSucceeded {
		t.Fatalf("c1 done: %+v", out)
	}

	// beta fails at c2: gamma is not synced.
	c2 := remote.Commit(t, "main", "8082", specs("8082"))
	h.syncService("main", c2, "run-2")
	d := h.mustDeployment(last("frontend-beta"))
	d.Status, d.StatusMessage, d.CompletedAt = platform.Failed, "stack failed", h.clock.Tick()
	if err := h.store.FinishDeployment(h.ctx, d); err != nil {
		t.Fatal(err)
	}
	if out := h.syncService("main", c2, "run-2"); out.Waiting || out.Status != platform.SyncFailed || last("frontend-gamma") != gamma1 {
		t.Fatalf("c2 after beta failed: %+v, gamma's last deployment %s (was %s)", out, last("frontend-gamma"), gamma1)
	}
	st, err := h.svc.GetServiceInstanceSyncStatus(h.ctx, "frontend", "frontend-gamma")
	if err != nil || st.Latest.Status != platform.SyncFailed || st.Latest.Events[0].Type != "PROMOTION_STOPPED" || !strings.Contains(st.Latest.Events[0].Event, "frontend-beta") {
		t.Fatalf("gamma's sync status = %+v, %v", st.Latest, err)
	}
	blockers, err := h.svc.GetServiceSyncBlockerSummary(h.ctx, "frontend", "frontend-beta")
	if err != nil || len(blockers) != 1 {
		t.Fatalf("blockers = %+v, %v", blockers, err)
	}
	if _, err := h.svc.UpdateServiceSyncBlocker(dev, blockers[0].ID, "fixed"); err != nil {
		t.Fatal(err)
	}

	// c3 deploys beta; the branch moves on to c4 meanwhile: c3 deploys nothing more, and
	// c4's sync brings gamma to the branch's spec after beta (unchanged since c3).
	c3 := remote.Commit(t, "main", "8083", specs("8083"))
	h.syncService("main", c3, "run-3")
	c4 := remote.Commit(t, "main", "readme", map[string][]byte{"README.md": []byte("frontend\n")})
	h.mustFinish(last("frontend-beta"))
	out := h.syncService("main", c3, "run-3")
	if out.Waiting || out.Events[len(out.Events)-2].Type != "SUPERSEDED" || last("frontend-gamma") != gamma1 {
		t.Fatalf("c3 after the branch moved on: %+v, gamma's last deployment %s (was %s)", out, last("frontend-gamma"), gamma1)
	}
	beta3 := last("frontend-beta")
	if out := h.syncService("main", c4, "run-4"); !out.Waiting || last("frontend-beta") != beta3 || specOf("frontend-gamma") != "port: 8083\n" {
		t.Fatalf("c4: %+v, beta %s (was %s), gamma deploys %q", out, last("frontend-beta"), beta3, specOf("frontend-gamma"))
	}
}

func TestParseOpsFile(t *testing.T) {
	got, err := control.ParseOpsFile("proton-ops.yaml", []byte(opsFile), "frontend")
	if err != nil || len(got) != 2 || got[0] != (control.OpsInstance{Name: "frontend-beta", Branch: "main", Spec: "specs/beta.yaml"}) || got[1].Name != "frontend-gamma" {
		t.Fatalf("ParseOpsFile = %+v, %v", got, err)
	}
	for _, bad := range []struct{ text, want string }{
		{"sync: [", "proton-ops.yaml"},
		{"sync:\n  services:\n    other: {}\n", "proton-ops.yaml:3: has no \"frontend\""},
		{"sync:\n  services:\n    frontend:\n      a:\n        branch: \"x..y\"\n        spec: s.yaml\n", "proton-ops.yaml:5"},
	} {
		if _, err := control.ParseOpsFile("proton-ops.yaml", []byte(bad.text), "frontend"); platform.KindOf(err) != platform.Invalid || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("ParseOpsFile(%q) = %v, want Invalid naming %q", bad.text, err, bad.want)
		}
	}
}

// crashingSyncs is the sync store, whose next PutResourceSyncAttempt fails once when
// failNext is set: a sync task that dies between starting a deployment and recording it.
type crashingSyncs struct {
	platform.SyncStore
	failNext bool
}

func (c *crashingSyncs) PutResourceSyncAttempt(ctx context.Context, key string, a platform.ResourceSyncAttempt, desired *platform.SyncRevision) error {
	if c.failNext {
		c.failNext = false
		return errors.New("the task died")
	}
	return c.SyncStore.PutResourceSyncAttempt(ctx, key, a, desired)
}

// TestServiceSyncRetryStartsNoDeploymentTwice: a sync task that started an instance's
// deployment and died before recording it is retried by the workflow (same execution):
// the retry replays the update (its client token derives from the execution) instead of
// deploying again, records the deployment it started, and waits for it.
func TestServiceSyncRetryStartsNoDeploymentTwice(t *testing.T) {
	h, remote := mustSyncedFrontend(t)
	syncs := &crashingSyncs{SyncStore: h.store}
	h.cfg.Syncs = syncs
	h.svc = control.New(h.cfg)
	commit := remote.Commit(t, "main", "ops", map[string][]byte{"proton-ops.yaml": []byte(opsFile), "specs/beta.yaml": []byte("port: 8181\n")})
	dev := platform.WithCaller(h.ctx, platform.Caller{Subject: "dan", Roles: []platform.Role{platform.DeveloperRole}})
	if _, err := h.svc.CreateServiceSyncConfig(dev, control.ServiceSyncConfigInput{ServiceName: "frontend", Repository: templatesRepo, Branch: "main"}); err != nil {
		t.Fatal(err)
	}
	syncs.failNext = true
	if _, err := h.svc.SyncServiceCommit(h.ctx, "frontend", "main", commit, "run-1"); err == nil {
		t.Fatal("the task that died reported no error (the workflow would not retry it)")
	}
	started := h.instance("frontend-beta").LastDeploymentID
	if h.mustDeployment(started).Spec != "port: 8181\n" {
		t.Fatalf("the first run did not start beta's deployment")
	}
	out := h.syncService("main", commit, "run-1")
	if !out.Waiting || h.instance("frontend-beta").LastDeploymentID != started {
		t.Fatalf("the retry: %+v, beta's last deployment %s (the first run started %s)", out, h.instance("frontend-beta").LastDeploymentID, started)
	}
	st, err := h.svc.GetServiceInstanceSyncStatus(h.ctx, "frontend", "frontend-beta")
	if err != nil || st.Latest == nil || st.Latest.Events[0].Type != "DEPLOYMENT_STARTED" || st.Latest.Events[0].ExternalID != started {
		t.Fatalf("beta's sync status after the retry = %+v, %v; want the deployment the first run started", st.Latest, err)
	}
}
