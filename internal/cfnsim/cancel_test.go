package cfnsim

import (
	"context"
	"reflect"
	"testing"

	"github.com/gantry-platform/gantry/internal/platform"
)

// holdAt returns a recorder whose publisher blocks on the first event of status until
// release is closed (or the simulator closes), and a channel closed once it blocks.
func holdAt(status string) (rec *recorder, held <-chan struct{}, release chan struct{}) {
	h, r := make(chan struct{}), make(chan struct{})
	holding := false
	rec = &recorder{}
	rec.gate = func(ctx context.Context, e event) {
		if e.Status != status || holding {
			return
		}
		holding = true
		close(h)
		select {
		case <-r:
		case <-ctx.Done():
		}
	}
	return rec, h, r
}

const exportingCluster = clusterTemplate + `  Exported:
    Value: !Ref Cluster
    Export:
      Name: cluster-name
`

func TestCancelRollsBackAnUpdateInProgress(t *testing.T) {
	rec, held, release := holdAt("UPDATE_IN_PROGRESS")
	sim := newSimulator(t, rec)
	ctx := context.Background()
	mustDeploy(t, sim, "svc", exportingCluster, "t1")
	before := mustDescribe(t, sim, "svc")
	rec.take()

	changed := exportingCluster + "  Region:\n    Value: !Ref AWS::Region\n"
	if _, err := sim.Deploy(ctx, platform.StackDeployment{StackName: "svc", TemplateBody: []byte(changed), ClientRequestToken: "t2"}); err != nil {
		t.Fatal(err)
	}
	<-held
	if err := sim.Cancel(ctx, "svc", "t2"); err != nil {
		t.Fatalf("Cancel of an update in progress: %v", err)
	}
	if err := sim.Cancel(ctx, "svc", "t2"); err != nil {
		t.Fatalf("Cancel again before the rollback began: %v, want it accepted", err)
	}
	close(release)
	sim.Wait("svc")

	events := rec.take()
	if got, want := statuses(events), []string{"UPDATE_IN_PROGRESS", "UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("statuses = %v, want %v", got, want)
	}
	for _, e := range events {
		if e.Token != "t2" || e.Stack != before.StackID {
			t.Errorf("event %s: token %q stack %q, want t2 on %s", e.Status, e.Token, e.Stack, before.StackID)
		}
	}
	if events[1].Reason != "User Initiated" {
		t.Errorf("UPDATE_ROLLBACK_IN_PROGRESS reason = %q, want User Initiated", events[1].Reason)
	}
	st := mustDescribe(t, sim, "svc")
	if st.Status != "UPDATE_ROLLBACK_COMPLETE" || st.StatusReason != "User Initiated" || st.LastClientRequestToken != "t2" {
		t.Fatalf("Describe after the cancel = %+v", st)
	}
	if !reflect.DeepEqual(st.Outputs, before.Outputs) {
		t.Fatalf("outputs after the cancel = %v, want the previous %v", st.Outputs, before.Outputs)
	}
	// The previous template stays: deploying it again changes nothing.
	op, err := sim.Deploy(ctx, platform.StackDeployment{StackName: "svc", TemplateBody: []byte(exportingCluster), ClientRequestToken: "t3"})
	if err != nil || !op.NoChanges {
		t.Fatalf("redeploying the previous template = %+v, %v; want NoChanges", op, err)
	}
	// The export stays with its stack: another stack exporting it fails.
	mustDeploy(t, sim, "other", exportingCluster, "t4")
	if st := mustDescribe(t, sim, "other"); st.Status != "ROLLBACK_COMPLETE" {
		t.Fatalf("a second exporter of cluster-name = %+v, want ROLLBACK_COMPLETE", st)
	}
}

func TestCancelOfAFailingUpdateRollsBackAsCancelled(t *testing.T) {
	rec, held, release := holdAt("UPDATE_IN_PROGRESS")
	sim := newSimulator(t, rec)
	ctx := context.Background()
	mustDeploy(t, sim, "svc", clusterTemplate, "t1")
	rec.take()
	// The Role lacks its AssumeRolePolicyDocument: without the cancel, the update fails.
	bad := "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      Path: /\n" + clusterTemplate[len("Resources:\n"):]
	if _, err := sim.Deploy(ctx, platform.StackDeployment{StackName: "svc", TemplateBody: []byte(bad), ClientRequestToken: "t2"}); err != nil {
		t.Fatal(err)
	}
	<-held
	if err := sim.Cancel(ctx, "svc", "t2"); err != nil {
		t.Fatal(err)
	}
	close(release)
	sim.Wait("svc")
	events := rec.take()
	if len(events) != 4 || events[1].Reason != "User Initiated" {
		t.Fatalf("events = %+v, want the cancelled update's rollback", events)
	}
	if st := mustDescribe(t, sim, "svc"); st.Status != "UPDATE_ROLLBACK_COMPLETE" || st.StatusReason != "User Initiated" {
		t.Fatalf("Describe = %+v, want UPDATE_ROLLBACK_COMPLETE, User Initiated", st)
	}
}

func TestCancelOnlyAnUpdateInProgress(t *testing.T) {
	const cannot = "CancelUpdateStack cannot be called from current stack status"
	ctx := context.Background()

	// While it is created.
	rec, held, release := holdAt("CREATE_IN_PROGRESS")
	sim := newSimulator(t, rec)
	if _, err := sim.Deploy(ctx, platform.StackDeployment{StackName: "svc", TemplateBody: []byte(clusterTemplate), ClientRequestToken: "t1"}); err != nil {
		t.Fatal(err)
	}
	<-held
	if err := sim.Cancel(ctx, "svc", "t1"); platform.KindOf(err) != platform.Conflict || platform.MessageOf(err) != cannot {
		t.Fatalf("Cancel during a create: %v (%s), want Conflict %q", err, platform.KindOf(err), cannot)
	}
	close(release)
	sim.Wait("svc")
	if st := mustDescribe(t, sim, "svc"); st.Status != "CREATE_COMPLETE" {
		t.Fatalf("the refused cancel changed the create: %+v", st)
	}

	// At rest.
	if err := sim.Cancel(ctx, "svc", "t2"); platform.KindOf(err) != platform.Conflict || platform.MessageOf(err) != cannot {
		t.Fatalf("Cancel at rest: %v, want Conflict %q", err, cannot)
	}

	// While it is deleted.
	rec2, held2, release2 := holdAt("DELETE_IN_PROGRESS")
	sim2 := newSimulator(t, rec2)
	mustDeploy(t, sim2, "svc", clusterTemplate, "t1")
	if _, err := sim2.Delete(ctx, "svc", "t2"); err != nil {
		t.Fatal(err)
	}
	<-held2
	if err := sim2.Cancel(ctx, "svc", "t2"); platform.KindOf(err) != platform.Conflict {
		t.Fatalf("Cancel during a delete: %v, want Conflict", err)
	}
	close(release2)
	sim2.Wait("svc")

	// A stack that does not exist.
	if err := sim2.Cancel(ctx, "svc", "t3"); platform.KindOf(err) != platform.NotFound || platform.MessageOf(err) != "Stack [svc] does not exist" {
		t.Fatalf("Cancel of a missing stack: %v, want NotFound", err)
	}
}
