package control_test

import (
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/control"
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

func TestServiceSyncUpdatesTheInstancesOfABranch(t *testing.T) {
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
	remote := h.remote(templatesRepo)
	remote.Commit(t, "prod", "gamma", map[string][]byte{"specs/gamma.yaml": []byte("port: 80\n")})
	first := remote.Commit(t, "main", "ops", map[string][]byte{"proton-ops.yaml": []byte(opsFile), "specs/beta.yaml": []byte("port: 8080\n")})
	dev := platform.WithCaller(h.ctx, platform.Caller{Subject: "dan", Roles: []platform.Role{platform.DeveloperRole}})
	cfg, err := h.svc.CreateServiceSyncConfig(dev, control.ServiceSyncConfigInput{ServiceName: "frontend", Repository: templatesRepo, Branch: "main"})
	if err != nil || cfg.FilePath != "proton-ops.yaml" {
		t.Fatalf("CreateServiceSyncConfig = %+v, %v", cfg, err)
	}
	gamma := h.instance("frontend-gamma").LastDeploymentID

	// A commit on main changes beta's spec: beta redeploys, gamma (on prod) does not.
	if out := h.syncService("main", first, "run-1"); out.Status != platform.SyncSucceeded {
		t.Fatalf("first sync: %+v", out)
	}
	beta := h.instance("frontend-beta")
	if beta.DeploymentStatus != platform.InProgress || h.mustDeployment(beta.LastDeploymentID).Spec != "port: 8080\n" || h.instance("frontend-gamma").LastDeploymentID != gamma {
		t.Fatalf("after the sync: beta %s %q, gamma's last deployment %s (was %s)", beta.DeploymentStatus, beta.Spec, h.instance("frontend-gamma").LastDeploymentID, gamma)
	}
	if out := h.syncService("main", first, "run-2"); !out.Skipped {
		t.Fatalf("the same commit by another execution: %+v", out)
	}

	// The synced deployment fails: an AUTOMATED blocker stops the service's syncs.
	d := h.mustDeployment(beta.LastDeploymentID)
	d.Status, d.StatusMessage, d.CompletedAt = platform.Failed, "stack failed", h.clock.Tick()
	if err := h.store.FinishDeployment(h.ctx, d); err != nil {
		t.Fatal(err)
	}
	blockers, err := h.svc.GetServiceSyncBlockerSummary(h.ctx, "frontend", "")
	if err != nil || len(blockers) != 1 || blockers[0].Type != "AUTOMATED" || blockers[0].Instance != "frontend-beta" || !strings.Contains(blockers[0].CreatedReason, "failed") {
		t.Fatalf("blockers after a failed synced deployment: %+v, %v", blockers, err)
	}
	second := remote.Commit(t, "main", "beta 9090", map[string][]byte{"specs/beta.yaml": []byte("port: 9090\n")})
	if out := h.syncService("main", second, "run-3"); out.Status != platform.SyncFailed {
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
	third := remote.Commit(t, "main", "beta 9091", map[string][]byte{"specs/beta.yaml": []byte("port: 9091\n")})
	if out := h.syncService("main", third, "run-4"); out.Status != platform.SyncSucceeded || h.mustDeployment(h.instance("frontend-beta").LastDeploymentID).Spec != "port: 9091\n" {
		t.Fatalf("the sync after resolving: %+v", out)
	}

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
	out := h.syncService("main", broken, "run-5")
	if out.Status != platform.SyncFailed || !strings.Contains(out.Events[0].Event, "proton-ops.yaml:5") {
		t.Fatalf("a malformed ops file: %+v", out)
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
