package codebuildsim

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/awsevents"
	"github.com/gantry-platform/gantry/internal/platform"
)

// recorder keeps the events a Simulator publishes.
type recorder struct {
	mu     sync.Mutex
	events [][]byte
}

func (r *recorder) publish(_ context.Context, e []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	return nil
}

func (r *recorder) last(t *testing.T) awsevents.BuildStateChange {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	ev, err := awsevents.Decode(r.events[len(r.events)-1])
	if err != nil {
		t.Fatal(err)
	}
	return ev.(awsevents.BuildStateChange)
}

func spec(commands ...string) string {
	quoted, _ := json.Marshal(commands) // JSON is YAML
	return "version: 0.2\nphases:\n  build:\n    commands: " + string(quoted) + "\n"
}

func mustStart(t *testing.T, s *Simulator, in platform.BuildRequest) platform.Build {
	t.Helper()
	b, err := s.StartBuild(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBuildsEnd: a build runs its commands in its files' directory with its variables and
// succeeds; one whose command fails stops there, FAILED in BUILD with CodeBuild's reason;
// a build that loops is stopped at its timeout (TIMED_OUT), one stopped ends STOPPED; each
// end is published as CodeBuild's event naming the deployment. A build records the role
// and account it ran as, and its source directory is removed when it ends. The same
// idempotency token starts one build.
func TestBuildsEnd(t *testing.T) {
	rec := &recorder{}
	s := New(Options{Publish: rec.publish, MaxOutput: 1 << 10})
	defer s.Close()
	env := map[string]string{awsevents.BuildDeploymentVariable: "d-1", "GREETING": "hello"}

	ok := mustStart(t, s, platform.BuildRequest{Project: "gantry-provisioning", Files: map[string][]byte{"in/x.txt": []byte("x")},
		Buildspec: spec(`test "$(cat in/x.txt)" = x`, `test "$GREETING" = hello`, `echo "src=$CODEBUILD_SRC_DIR"`), Env: env, IdempotencyToken: "d-1",
		RoleARN: "arn:aws:iam::222222222222:role/builds", Account: "222222222222"})
	if again := mustStart(t, s, platform.BuildRequest{Buildspec: spec("true"), IdempotencyToken: "d-1"}); again.ID != ok.ID {
		t.Errorf("the same token started another build")
	}
	s.Wait(ok.ID)
	if b, _ := s.GetBuild(context.Background(), ok.ID); b.Status != "SUCCEEDED" {
		t.Fatalf("build %+v, output %s", b, s.Output(ok.ID))
	}
	if ev := rec.last(t); ev.Status != "SUCCEEDED" || ev.DeploymentID != "d-1" || ev.BuildID != ok.ID {
		t.Errorf("event %+v", ev)
	}
	if b, _ := s.GetBuild(context.Background(), ok.ID); b.RoleARN != "arn:aws:iam::222222222222:role/builds" || b.Account != "222222222222" ||
		!strings.Contains(b.ID, ":222222222222:build/") {
		t.Errorf("the build ran as %q in %s (%s), want the request's role and account", b.RoleARN, b.Account, b.ID)
	}
	// Its source (a reporter's key among its files, in provisioning) is gone once it ended.
	_, src, _ := strings.Cut(s.Output(ok.ID), "src=")
	if src = strings.TrimSpace(src); src == "" {
		t.Fatalf("the build did not say its source directory: %q", s.Output(ok.ID))
	} else if _, err := os.Stat(src); !os.IsNotExist(err) {
		t.Errorf("the ended build's source %s is still there (%v)", src, err)
	}

	failed := mustStart(t, s, platform.BuildRequest{Buildspec: spec("echo before", "exit 3", "echo never"), Env: env})
	s.Wait(failed.ID)
	b, _ := s.GetBuild(context.Background(), failed.ID)
	if b.Status != "FAILED" || b.FailedPhase != "BUILD" || !strings.Contains(b.Reason, "Error while executing command: exit 3. Reason: exit status 3") ||
		strings.Contains(s.Output(failed.ID), "never") {
		t.Errorf("failed build %+v, output %q", b, s.Output(failed.ID))
	}
	if ev := rec.last(t); ev.Status != "FAILED" || ev.FailedPhase != "BUILD" {
		t.Errorf("event %+v", ev)
	}

	looping := mustStart(t, s, platform.BuildRequest{Buildspec: spec("while true; do echo loop; done"), Env: env, Timeout: 300 * time.Millisecond})
	s.Wait(looping.ID)
	if b, _ := s.GetBuild(context.Background(), looping.ID); b.Status != "TIMED_OUT" {
		t.Errorf("looping build %+v", b)
	}
	if out := s.Output(looping.ID); !strings.Contains(out, "earlier output dropped") || len(out) > 2<<10 {
		t.Errorf("a looping build's output is not capped: %d bytes", len(out))
	}

	stopped := mustStart(t, s, platform.BuildRequest{Buildspec: spec("sleep 30 & wait"), Env: env})
	if err := s.StopBuild(context.Background(), stopped.ID); err != nil {
		t.Fatal(err)
	}
	s.Wait(stopped.ID)
	if b, _ := s.GetBuild(context.Background(), stopped.ID); b.Status != "STOPPED" {
		t.Errorf("stopped build %+v", b)
	}
	if err := s.StopBuild(context.Background(), stopped.ID); platform.KindOf(err) != platform.Conflict {
		t.Errorf("stopping an ended build: %v, want Conflict", err)
	}
}
