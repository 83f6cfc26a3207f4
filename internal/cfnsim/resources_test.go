package cfnsim

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/gantry-platform/gantry/internal/platform"
)

// resourceSnapshots records, at each published status, the stack's resources as
// "LogicalID STATUS" (with " <physical>" when asked).
type resourceSnapshots struct {
	mu sync.Mutex
	at map[string]string
}

func watchResources(t *testing.T, sim **Simulator, rec *recorder, stack string) *resourceSnapshots {
	t.Helper()
	snaps := &resourceSnapshots{at: map[string]string{}}
	rec.gate = func(ctx context.Context, e event) {
		page, err := (*sim).ListResources(ctx, stack, "")
		var got string
		if err != nil {
			got = "error " + string(platform.KindOf(err))
		} else {
			got = describeResources(page.Resources, false)
		}
		snaps.mu.Lock()
		defer snaps.mu.Unlock()
		snaps.at[e.Status] = got
	}
	return snaps
}

func (s *resourceSnapshots) get(status string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.at[status]
}

func describeResources(rs []platform.StackResource, physical bool) string {
	var parts []string
	for _, r := range rs {
		p := r.LogicalID + " " + r.Status
		if physical {
			p += " " + r.PhysicalID
		}
		if r.StatusReason != "" {
			p += " (" + r.StatusReason + ")"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

func TestListResourcesFollowsCreateUpdateAndDelete(t *testing.T) {
	rec := &recorder{}
	var sim *Simulator
	snaps := watchResources(t, &sim, rec, "estate")
	sim = newSimulator(t, rec)
	ctx := context.Background()
	if _, err := sim.ListResources(ctx, "estate", ""); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("before the stack exists: %v, want NotFound", err)
	}
	created := `Conditions:
  Never: !Equals [a, b]
Resources:
  Cluster: {Type: AWS::ECS::Cluster}
  Bucket:
    Type: AWS::S3::Bucket
    Properties: {BucketName: estate-logs}
  Skipped:
    Type: AWS::SQS::Queue
    Condition: Never
Outputs:
  ClusterName:
    Value: !Ref Cluster
`
	mustDeploy(t, sim, "estate", created, "t1")
	if got, want := snaps.get("CREATE_IN_PROGRESS"), "Bucket CREATE_IN_PROGRESS, Cluster CREATE_IN_PROGRESS"; got != want {
		t.Errorf("while CREATE_IN_PROGRESS: %s, want %s", got, want)
	}
	if got := snaps.get("REVIEW_IN_PROGRESS"); got != "" {
		t.Errorf("while REVIEW_IN_PROGRESS: %s, want none", got)
	}
	page := mustListResources(t, sim, "estate")
	cluster := mustDescribe(t, sim, "estate").Outputs[0].Value
	if got, want := describeResources(page.Resources, true), "Bucket CREATE_COMPLETE estate-logs, Cluster CREATE_COMPLETE "+cluster; got != want || page.NextToken != "" {
		t.Fatalf("after create: %s (next %q), want %s (the physical id is what Ref gives)", got, page.NextToken, want)
	}
	if page.Resources[0].Type != "AWS::S3::Bucket" || page.Resources[1].Type != "AWS::ECS::Cluster" {
		t.Errorf("types = %+v", page.Resources)
	}

	// The update changes Bucket, adds Queue and drops Cluster.
	updated := `Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties: {BucketName: estate-logs, Tags: [{Key: team, Value: core}]}
  Queue: {Type: AWS::SQS::Queue}
`
	mustDeploy(t, sim, "estate", updated, "t2")
	for status, want := range map[string]string{
		"UPDATE_IN_PROGRESS":                  "Bucket UPDATE_IN_PROGRESS, Cluster CREATE_COMPLETE, Queue CREATE_IN_PROGRESS",
		"UPDATE_COMPLETE_CLEANUP_IN_PROGRESS": "Bucket UPDATE_COMPLETE, Cluster DELETE_IN_PROGRESS, Queue CREATE_COMPLETE",
		"UPDATE_COMPLETE":                     "Bucket UPDATE_COMPLETE, Queue CREATE_COMPLETE",
	} {
		if got := snaps.get(status); got != want {
			t.Errorf("while %s: %s, want %s", status, got, want)
		}
	}

	// An update that leaves a resource's declaration alone leaves its status alone.
	mustDeploy(t, sim, "estate", updated+"  Topic: {Type: AWS::SNS::Topic}\n", "t3")
	if got, want := snaps.get("UPDATE_COMPLETE"), "Bucket UPDATE_COMPLETE, Queue CREATE_COMPLETE, Topic CREATE_COMPLETE"; got != want {
		t.Errorf("after adding Topic: %s, want %s", got, want)
	}

	if _, err := sim.Delete(ctx, "estate", "t4"); err != nil {
		t.Fatal(err)
	}
	sim.Wait("estate")
	if got, want := snaps.get("DELETE_IN_PROGRESS"), "Bucket DELETE_IN_PROGRESS, Queue DELETE_IN_PROGRESS, Topic DELETE_IN_PROGRESS"; got != want {
		t.Errorf("while DELETE_IN_PROGRESS: %s, want %s", got, want)
	}
	if _, err := sim.ListResources(ctx, "estate", ""); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("after deletion: %v, want NotFound", err)
	}
}

func TestListResourcesOfAFailedCreateAndAFailedUpdate(t *testing.T) {
	rec := &recorder{}
	var sim *Simulator
	snaps := watchResources(t, &sim, rec, "bad")
	sim = newSimulator(t, rec)
	bad := strings.Replace(clusterTemplate, "Type: AWS::ECS::Cluster\n", "Type: AWS::ECS::Cluster\n    Properties:\n      Foo: bar\n", 1) +
		"  Topic:\n    Value: !Ref Topic\n"
	bad = strings.Replace(bad, "Resources:\n", "Resources:\n  Topic: {Type: AWS::SNS::Topic}\n", 1)
	mustDeploy(t, sim, "bad", bad, "t1")
	if got, want := snaps.get("ROLLBACK_IN_PROGRESS"), "Cluster CREATE_FAILED (Encountered unsupported property Foo), Topic CREATE_COMPLETE"; got != want {
		t.Errorf("while ROLLBACK_IN_PROGRESS: %s, want %s", got, want)
	}
	page := mustListResources(t, sim, "bad")
	if got, want := describeResources(page.Resources, false), "Cluster DELETE_COMPLETE, Topic DELETE_COMPLETE"; got != want || page.Resources[0].PhysicalID != "" {
		t.Fatalf("after ROLLBACK_COMPLETE: %s (%+v), want %s with no physical id for Cluster", got, page.Resources, want)
	}

	snaps = watchResources(t, &sim, rec, "svc")
	mustDeploy(t, sim, "svc", clusterTemplate, "t2")
	before := mustListResources(t, sim, "svc")
	failing := clusterTemplate + "  Extra:\n    Value: x\n"
	failing = strings.Replace(failing, "Resources:\n", "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties: {Path: /}\n", 1)
	mustDeploy(t, sim, "svc", failing, "t3")
	if got, want := snaps.get("UPDATE_ROLLBACK_IN_PROGRESS"), "Cluster CREATE_COMPLETE, Role CREATE_FAILED (Property AssumeRolePolicyDocument cannot be empty.)"; got != want {
		t.Errorf("while UPDATE_ROLLBACK_IN_PROGRESS: %s, want %s", got, want)
	}
	after := mustListResources(t, sim, "svc")
	if got, want := describeResources(after.Resources, true), describeResources(before.Resources, true); got != want {
		t.Fatalf("after UPDATE_ROLLBACK_COMPLETE: %s, want the previous %s", got, want)
	}
}

func TestListResourcesPaginates(t *testing.T) {
	sim := newSimulator(t, &recorder{})
	ctx := context.Background()
	var b strings.Builder
	b.WriteString("Resources:\n")
	for i := range 150 {
		fmt.Fprintf(&b, "  Topic%03d: {Type: AWS::SNS::Topic}\n", i)
	}
	mustDeploy(t, sim, "many", b.String(), "t1")
	mustDeploy(t, sim, "other", b.String(), "t1")

	var ids []string
	next, pages := "", 0
	for {
		page, err := sim.ListResources(ctx, "many", next)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range page.Resources {
			ids = append(ids, r.LogicalID)
		}
		if pages == 1 && len(page.Resources) != resourcePageSize {
			t.Errorf("first page holds %d, want %d", len(page.Resources), resourcePageSize)
		}
		if next = page.NextToken; next == "" {
			break
		}
		if _, err := sim.ListResources(ctx, "other", next); platform.KindOf(err) != platform.Invalid {
			t.Errorf("another stack's token: %v, want Invalid", err)
		}
	}
	if pages != 2 || len(ids) != 150 || ids[0] != "Topic000" || ids[149] != "Topic149" || ids[100] != "Topic100" {
		t.Fatalf("%d pages, %d ids (%v … %v)", pages, len(ids), ids[:1], ids[len(ids)-1:])
	}
	if _, err := sim.ListResources(ctx, "many", "not-a-token"); platform.KindOf(err) != platform.Invalid {
		t.Fatalf("a forged token: %v, want Invalid", err)
	}
}

func mustListResources(t *testing.T, sim *Simulator, stack string) platform.StackResourcePage {
	t.Helper()
	page, err := sim.ListResources(context.Background(), stack, "")
	if err != nil {
		t.Fatalf("ListResources %s: %v", stack, err)
	}
	return page
}
