package local

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/gitsync"
	"github.com/gantry-platform/gantry/internal/gitsync/gitsynctest"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
	"github.com/gantry-platform/gantry/internal/syncflow"
)

// opsFile lists the instances of service uploads: uploads-dev follows main, uploads-prod
// follows prod, in that order.
const uploadsOps = `sync:
  services:
    uploads:
      uploads-dev:
        branch: main
        spec: specs/dev.yaml
      uploads-prod:
        branch: prod
        spec: specs/prod.yaml
`

// TestServiceSyncEndToEnd follows service sync through the local platform's API and the
// real sync workflow, with the golden-path s3-bucket service: the first poll syncs both
// instances from their branches; a push on main announced by a signed GitHub webhook
// redeploys uploads-dev only, and the poller seeing the same commit deploys nothing more;
// a spec that S3 refuses fails the deployment and raises an AUTOMATED blocker that stops
// the next push until resolved with a reason; malformed specs record FAILED syncs naming
// the file and line, changing nothing.
func TestServiceSyncEndToEnd(t *testing.T) {
	repos := t.TempDir()
	p, ts := startPlatform(t, Config{RepositoriesDir: repos, Sleep: shortSleep(10 * time.Millisecond)})
	admin := newClient(t, p, ts, platform.AdminRole)
	dev := newClient(t, p, ts, platform.DeveloperRole)
	admin.createGoldenEnvironment("beta")
	admin.register("service-templates", "s3-bucket", platformtest.TarGz(t, "../../templates/services/s3-bucket/v1", nil))
	spec := "proton: ServiceSpec\ninstances:\n  - name: uploads-dev\n    environment: beta\n    spec: {}\n  - name: uploads-prod\n    environment: beta\n    spec: {}\n"
	dev.must(202, "POST", "/v1/services", map[string]any{"name": "uploads", "templateName": "s3-bucket", "templateMajorVersion": 1, "spec": spec}, nil)
	instancePath := func(name string) string { return "/v1/services/uploads/instances/" + name }
	for _, name := range []string{"uploads-dev", "uploads-prod"} {
		if inst := dev.waitFor(instancePath(name)); inst["deploymentStatus"] != "SUCCEEDED" {
			t.Fatalf("%s = %v", name, inst)
		}
	}

	// The repository, its webhook secret, the proton-ops file and the sync configuration.
	repo := platform.RepositoryID{Provider: platform.GitHub, Name: "acme/uploads-ops"}
	admin.must(201, "POST", "/v1/repositories", apimodel.CreateRepository{Provider: "GITHUB", Name: repo.Name,
		ConnectionARN: "arn:aws:codestar-connections:us-east-1:000000000000:connection/local"}, nil)
	const secret = "the-webhook-secret-of-uploads"
	admin.must(200, "PUT", "/v1/repository-syncs/GITHUB/acme/uploads-ops/webhook-secret", map[string]string{"secret": secret}, nil)
	remote := gitsynctest.NewRemoteAt(t, gitsync.LocalRepositoryPath(repos, repo))
	remote.Commit(t, "prod", "prod spec", map[string][]byte{"specs/prod.yaml": []byte("versioning: true\nabort_incomplete_multipart_days: 3\n")})
	remote.Commit(t, "main", "ops file", map[string][]byte{"proton-ops.yaml": []byte(uploadsOps), "specs/dev.yaml": []byte("versioning: false\n")})
	dev.must(201, "POST", "/v1/service-sync-configs", apimodel.ServiceSyncConfig{ServiceName: "uploads", RepositoryProvider: "GITHUB",
		RepositoryName: repo.Name, Branch: "main"}, nil)

	last := func(name string) map[string]any {
		t.Helper()
		var inst map[string]any
		dev.must(200, "GET", instancePath(name), nil, &inst)
		return inst
	}
	deployedSpec := func(name string) string {
		t.Helper()
		inst := last(name)
		var d map[string]any
		dev.must(200, "GET", fmt.Sprintf("/v1/deployments/%s", inst["lastDeploymentId"]), nil, &d)
		s, _ := d["spec"].(string)
		return s
	}
	syncStatus := func(name string) apimodel.ResourceSyncStatus {
		t.Helper()
		var st apimodel.ResourceSyncStatus
		dev.must(200, "GET", instancePath(name)+"/sync-status", nil, &st)
		return st
	}
	webhook := func(branch, commit string) {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"ref": "refs/heads/" + branch, "after": commit, "repository": map[string]any{"full_name": repo.Name}})
		req, _ := http.NewRequest("POST", ts.URL+"/webhooks/GITHUB", bytes.NewReader(body))
		req.Header.Set("X-GitHub-Event", "push")
		req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(gitsync.Sign([]byte(secret), body)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 202 {
			t.Fatalf("webhook: %d", resp.StatusCode)
		}
		waitSyncs(t, p)
	}

	// The first poll: both branches are new to the poller; each instance syncs to its file.
	poller := syncflow.NewPoller(p.Control, p.Sources)
	for range 2 { // the first round learns prod from the proton-ops file
		if err := poller.Poll(t.Context()); err != nil {
			t.Fatal(err)
		}
		waitSyncs(t, p)
	}
	if s := deployedSpec("uploads-dev"); s != "versioning: false\n" {
		t.Fatalf("uploads-dev deployed %q after the first poll", s)
	}
	if s := deployedSpec("uploads-prod"); !strings.Contains(s, "abort_incomplete_multipart_days: 3") {
		t.Fatalf("uploads-prod deployed %q after the first poll", s)
	}
	for _, name := range []string{"uploads-dev", "uploads-prod"} {
		if inst := last(name); inst["deploymentStatus"] != "SUCCEEDED" || syncStatus(name).LatestSync.Status != "SUCCEEDED" {
			t.Fatalf("%s after the first poll: %v, %+v", name, inst, syncStatus(name).LatestSync)
		}
	}

	// A push on main, by webhook: uploads-dev redeploys, uploads-prod does not; the poller
	// then sees the same commit and nothing deploys again.
	prodDeployment := last("uploads-prod")["lastDeploymentId"]
	pushed := remote.Commit(t, "main", "dev: 30 days of old versions", map[string][]byte{"specs/dev.yaml": []byte("noncurrent_version_expiration_days: 30\n")})
	executions := len(p.SyncRunner.List())
	webhook("main", pushed)
	devDeployment := last("uploads-dev")["lastDeploymentId"]
	if s := deployedSpec("uploads-dev"); s != "noncurrent_version_expiration_days: 30\n" || last("uploads-dev")["deploymentStatus"] != "SUCCEEDED" {
		t.Fatalf("uploads-dev after the push: %q %v", s, last("uploads-dev")["deploymentStatus"])
	}
	if last("uploads-prod")["lastDeploymentId"] != prodDeployment {
		t.Fatal("a push on main redeployed uploads-prod")
	}
	if err := poller.Poll(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := waitSyncs(t, p); n != executions+1 || last("uploads-dev")["lastDeploymentId"] != devDeployment {
		t.Fatalf("after the webhook and the poller saw one commit: %d executions (want %d), uploads-dev's deployment %v (was %v)",
			n, executions+1, last("uploads-dev")["lastDeploymentId"], devDeployment)
	}

	// A spec S3 refuses (GLACIER 30 days after STANDARD_IA at least): the deployment
	// fails, and an AUTOMATED blocker stops the next push.
	refused := remote.Commit(t, "main", "dev: tiering", map[string][]byte{"specs/dev.yaml": []byte("transition_to_ia_days: 90\ntransition_to_glacier_days: 90\n")})
	webhook("main", refused)
	failed := last("uploads-dev")
	st := syncStatus("uploads-dev")
	if failed["deploymentStatus"] != "FAILED" || st.LatestSync.Status != "FAILED" || st.LatestSync.Events[len(st.LatestSync.Events)-1].Type != "DEPLOYMENT_FAILED" {
		t.Fatalf("uploads-dev after a refused spec: %v, sync %+v", failed["deploymentStatus"], st.LatestSync)
	}
	var summary apimodel.ServiceSyncBlockerSummary
	dev.must(200, "GET", "/v1/services/uploads/sync-blockers", nil, &summary)
	if len(summary.LatestBlockers) != 1 || summary.LatestBlockers[0].Type != "AUTOMATED" || !strings.Contains(summary.LatestBlockers[0].CreatedReason, "uploads-dev") {
		t.Fatalf("blockers after the failed deployment: %+v", summary)
	}
	blocker := summary.LatestBlockers[0].ID
	fixed := remote.Commit(t, "main", "dev: glacier later", map[string][]byte{"specs/dev.yaml": []byte("transition_to_ia_days: 90\ntransition_to_glacier_days: 180\n")})
	webhook("main", fixed)
	if last("uploads-dev")["lastDeploymentId"] != failed["lastDeploymentId"] || syncStatus("uploads-dev").LatestSync.Events[0].Type != "SYNC_BLOCKED" {
		t.Fatalf("a push while blocked: deployment %v (was %v), sync %+v", last("uploads-dev")["lastDeploymentId"], failed["lastDeploymentId"], syncStatus("uploads-dev").LatestSync)
	}
	if status, body := dev.json("PATCH", "/v1/sync-blockers/"+blocker, map[string]string{"resolvedReason": ""}, nil); status != 400 || !strings.Contains(body, "resolvedReason") {
		t.Fatalf("resolving without a reason: %d %s", status, body)
	}
	dev.must(200, "PATCH", "/v1/sync-blockers/"+blocker, map[string]string{"resolvedReason": "glacier moved to 180 days"}, nil)
	again := remote.Commit(t, "main", "dev: glacier a year", map[string][]byte{"specs/dev.yaml": []byte("transition_to_ia_days: 90\ntransition_to_glacier_days: 365\n")})
	webhook("main", again)
	if s := deployedSpec("uploads-dev"); !strings.Contains(s, "365") || last("uploads-dev")["deploymentStatus"] != "SUCCEEDED" || syncStatus("uploads-dev").LatestSync.Status != "SUCCEEDED" {
		t.Fatalf("the push after resolving: %q %v", s, last("uploads-dev")["deploymentStatus"])
	}

	// Malformed specs: FAILED syncs naming the file and line; nothing deploys.
	good := last("uploads-dev")["lastDeploymentId"]
	for _, bad := range []struct{ text, want string }{
		{"versioning: true\ntransition_to_ia_days: [\n", "specs/dev.yaml"},
		{"versioning: true\nnoncurrent_version_expiration_days: 0\n", "specs/dev.yaml"},
	} {
		commit := remote.Commit(t, "main", "bad spec", map[string][]byte{"specs/dev.yaml": []byte(bad.text)})
		webhook("main", commit)
		st := syncStatus("uploads-dev")
		if st.LatestSync.Status != "FAILED" || last("uploads-dev")["lastDeploymentId"] != good {
			t.Fatalf("a malformed spec %q: sync %+v, deployment %v (was %v)", bad.text, st.LatestSync, last("uploads-dev")["lastDeploymentId"], good)
		}
		if e := st.LatestSync.Events[0].Event; !strings.Contains(e, bad.want) || !strings.Contains(e, "line 2") && !strings.Contains(e, bad.want+":2:") {
			t.Errorf("a malformed spec %q: the failure %q does not name the file and line", bad.text, e)
		}
	}
}
