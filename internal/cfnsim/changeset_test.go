package cfnsim

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/gantry-platform/gantry/internal/platform"
)

const bucketsTemplate = `Resources:
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: logs-a
      VersioningConfiguration: {Status: Enabled}
  Data:
    Type: AWS::S3::Bucket
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 30
`

func mustChangeSet(t *testing.T, sim *Simulator, stack, template, name string, tags map[string]string) platform.ChangeSet {
	t.Helper()
	cs, err := sim.CreateChangeSet(context.Background(), platform.StackDeployment{StackName: stack, TemplateBody: []byte(template), Tags: tags}, name)
	if err != nil {
		t.Fatalf("CreateChangeSet %s: %v", name, err)
	}
	return cs
}

// A change set of a new stack adds every resource; of an existing one, it says per
// resource Add, Modify (Replacement from the specification's causesReplacement) or Remove,
// and executing it deploys exactly what was previewed.
func TestChangeSetActionsAndReplacement(t *testing.T) {
	sim := newSimulator(t, &recorder{})
	create := mustChangeSet(t, sim, "buckets", bucketsTemplate, "first", nil)
	if create.Type != "CREATE" || create.Status != "CREATE_COMPLETE" || len(create.Changes) != 3 {
		t.Fatalf("create change set = %+v", create)
	}
	for _, c := range create.Changes {
		if c.Action != "Add" {
			t.Errorf("%s: action %s, want Add", c.LogicalResourceID, c.Action)
		}
	}
	if _, err := sim.Describe(context.Background(), "buckets"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("a change set created the stack: %v", err)
	}
	op, err := sim.ExecuteChangeSet(context.Background(), "buckets", "first", "deploy-1")
	if err != nil || op.NoChanges {
		t.Fatalf("ExecuteChangeSet = %+v, %v", op, err)
	}
	sim.Wait("buckets")
	if st := mustDescribe(t, sim, "buckets"); st.Status != "CREATE_COMPLETE" || st.LastClientRequestToken != "deploy-1" {
		t.Fatalf("stack = %+v", st)
	}

	// Renamed bucket (BucketName replaces), a mutable queue property, Data removed, a topic added,
	// and a Metadata change only.
	next := `Resources:
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: logs-b
      VersioningConfiguration: {Status: Enabled}
  Queue:
    Type: AWS::SQS::Queue
    Metadata: {owner: team-a}
    Properties:
      VisibilityTimeout: 60
  Topic:
    Type: AWS::SNS::Topic
`
	cs := mustChangeSet(t, sim, "buckets", next, "second", nil)
	got := map[string]platform.ResourceChange{}
	for _, c := range cs.Changes {
		got[c.LogicalResourceID] = c
	}
	if c := got["Logs"]; c.Action != "Modify" || c.Replacement != "True" || !reflect.DeepEqual(c.Scope, []string{"Properties"}) ||
		len(c.Details) != 1 || c.Details[0].Name != "BucketName" || c.Details[0].RequiresRecreation != "Always" || c.PhysicalResourceID == "" {
		t.Errorf("Logs = %+v", c)
	}
	if c := got["Queue"]; c.Action != "Modify" || c.Replacement != "False" || !reflect.DeepEqual(c.Scope, []string{"Properties", "Metadata"}) {
		t.Errorf("Queue = %+v", c)
	}
	if c := got["Data"]; c.Action != "Remove" || c.ResourceType != "AWS::S3::Bucket" {
		t.Errorf("Data = %+v", c)
	}
	if c := got["Topic"]; c.Action != "Add" {
		t.Errorf("Topic = %+v", c)
	}
	if s := cs.Summary(); s != (platform.ChangeSetSummary{Add: 1, Modify: 2, Remove: 1, Replace: 1}) {
		t.Errorf("summary = %+v", s)
	}
}

// A template that changes nothing — even written differently (JSON, long-form
// intrinsics, other formatting) — gives CloudFormation's FAILED change set with its exact
// reason; executing it is NoChanges. A change of the stack's tags alone is a Tags change of
// the resources that take tags.
func TestChangeSetEmptyAndTagsOnly(t *testing.T) {
	sim := newSimulator(t, &recorder{})
	mustDeploy(t, sim, "cluster", clusterTemplate, "t1")
	same := `{"Resources": {"Cluster": {"Type": "AWS::ECS::Cluster"}}, "Outputs": {"ClusterName": {"Value": {"Ref": "Cluster"}}}}`
	cs := mustChangeSet(t, sim, "cluster", same, "again", nil)
	if !cs.Empty() || cs.StatusReason != "The submitted information didn't contain changes. Submit different information to create a change set." {
		t.Fatalf("change set = %+v, want empty", cs)
	}
	if op, err := sim.ExecuteChangeSet(context.Background(), "cluster", "again", "t2"); err != nil || !op.NoChanges {
		t.Fatalf("ExecuteChangeSet = %+v, %v; want NoChanges", op, err)
	}
	tagged := mustChangeSet(t, sim, "cluster", clusterTemplate, "tags", map[string]string{"team": "a"})
	if tagged.Empty() || len(tagged.Changes) != 1 || !reflect.DeepEqual(tagged.Changes[0].Scope, []string{"Tags"}) || tagged.Changes[0].Replacement != "False" {
		t.Fatalf("tags-only change set = %+v", tagged)
	}
}

// Once another operation ran on the stack, its earlier change sets are gone (NotFound); a
// change set cannot be made while the stack is busy.
func TestChangeSetObsoleteAfterAnotherOperation(t *testing.T) {
	sim := newSimulator(t, &recorder{})
	mustDeploy(t, sim, "cluster", clusterTemplate, "t1")
	mustChangeSet(t, sim, "cluster", bucketsTemplate, "stale", nil)
	mustDeploy(t, sim, "cluster", clusterTemplate+"  Other:\n    Value: x\n", "t2")
	if _, err := sim.ExecuteChangeSet(context.Background(), "cluster", "stale", "t3"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("executing an obsolete change set: %v, want NotFound", err)
	}
	if _, err := sim.CreateChangeSet(context.Background(), platform.StackDeployment{StackName: "cluster", TemplateBody: []byte("Resources: {X: {Type: AWS::Nope::Thing}}")}, "bad"); platform.KindOf(err) != platform.Invalid {
		t.Fatalf("unknown type: %v, want Invalid", err)
	}
}

// DeleteChangeSet deletes one change set of a stack (NotFound for one that is not there);
// an operation on a stack drops its change sets, and only its own.
func TestDeleteChangeSetAndOperationsEndChangeSets(t *testing.T) {
	ctx := context.Background()
	sim := newSimulator(t, &recorder{})
	mustDeploy(t, sim, "cluster", clusterTemplate, "t1")
	mustDeploy(t, sim, "other", clusterTemplate, "t2")
	mustChangeSet(t, sim, "cluster", bucketsTemplate, "a", nil)
	mustChangeSet(t, sim, "cluster", bucketsTemplate, "b", nil)
	mustChangeSet(t, sim, "other", bucketsTemplate, "c", nil)
	if err := sim.DeleteChangeSet(ctx, "cluster", "a"); err != nil {
		t.Fatal(err)
	}
	if err := sim.DeleteChangeSet(ctx, "cluster", "a"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("deleting a deleted change set: %v, want NotFound", err)
	}
	if _, err := sim.ExecuteChangeSet(ctx, "cluster", "a", "t3"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("executing a deleted change set: %v, want NotFound", err)
	}
	if n := sim.ChangeSets(); n != 2 {
		t.Fatalf("%d change sets, want 2", n)
	}
	mustDeploy(t, sim, "cluster", clusterTemplate+"  Other:\n    Value: x\n", "t4")
	if n := sim.ChangeSets(); n != 1 {
		t.Fatalf("%d change sets after an update of cluster, want 1 (other's)", n)
	}
	if err := sim.DeleteChangeSet(ctx, "other", "c"); err != nil {
		t.Fatalf("other's change set: %v", err)
	}
}

// TestChangeSetsAtOnce creates change sets of many stacks at once, and of one stack
// while an update of it starts: each change set of an idle stack is kept and executes,
// and none made against a stack that an operation has since changed survives it (it is
// refused with Conflict while the operation runs, or computed again against the stack
// as the operation left it).
func TestChangeSetsAtOnce(t *testing.T) {
	sim := newSimulator(t, &recorder{})
	ctx := context.Background()
	const stacks = 12
	for i := range stacks {
		mustDeploy(t, sim, fmt.Sprintf("s%02d", i), bucketsTemplate, "create")
		sim.Wait(fmt.Sprintf("s%02d", i))
	}
	changed := strings.Replace(bucketsTemplate, "VisibilityTimeout: 30", "VisibilityTimeout: 60", 1)
	var wg sync.WaitGroup
	errs := make(chan error, stacks*4)
	for i := range stacks * 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stack, name := fmt.Sprintf("s%02d", i%stacks), fmt.Sprintf("preview-%d", i)
			cs, err := sim.CreateChangeSet(ctx, platform.StackDeployment{StackName: stack, TemplateBody: []byte(changed)}, name)
			switch {
			case stack == "s00" && platform.KindOf(err) == platform.Conflict: // s00's update is running
			case err != nil:
				errs <- fmt.Errorf("%s %s: %v", stack, name, err)
			case len(cs.Changes) != 1 || cs.Changes[0].LogicalResourceID != "Queue":
				errs <- fmt.Errorf("%s %s: changes %+v, want the queue's", stack, name, cs.Changes)
			}
		}()
	}
	mustDeploy(t, sim, "s00", strings.Replace(bucketsTemplate, "VisibilityTimeout: 30", "VisibilityTimeout: 45", 1), "update")
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	sim.Wait("s00")
	for i := 1; i < stacks; i++ {
		stack := fmt.Sprintf("s%02d", i)
		if _, err := sim.ExecuteChangeSet(ctx, stack, fmt.Sprintf("preview-%d", i), "run"); err != nil {
			t.Errorf("executing %s's change set: %v", stack, err)
		}
	}
	for i := 1; i < stacks; i++ {
		stack := fmt.Sprintf("s%02d", i)
		sim.Wait(stack)
		if st := mustDescribe(t, sim, stack); st.Status != "UPDATE_COMPLETE" || st.LastClientRequestToken != "run" {
			t.Errorf("%s after its change set = %+v", stack, st)
		}
	}
	// s00's change sets were made before, during or after its update started: each one
	// left either executes or is gone (NotFound), never anything else.
	for i := 0; i < stacks*4; i += stacks {
		_, err := sim.ExecuteChangeSet(ctx, "s00", fmt.Sprintf("preview-%d", i), "late")
		if err != nil && platform.KindOf(err) != platform.NotFound {
			t.Errorf("executing s00's preview-%d: %v, want success or NotFound", i, err)
		}
		if err == nil {
			sim.Wait("s00")
			break
		}
	}
}

// TestChangeSetComparesWithTheStackAsItIsNow makes change sets of one stack before and
// after an update: each compares with the template deployed when it is made.
func TestChangeSetComparesWithTheStackAsItIsNow(t *testing.T) {
	sim := newSimulator(t, &recorder{})
	timeout := func(seconds string) string {
		return strings.Replace(bucketsTemplate, "VisibilityTimeout: 30", "VisibilityTimeout: "+seconds, 1)
	}
	mustDeploy(t, sim, "q", bucketsTemplate, "create")
	sim.Wait("q")
	if cs := mustChangeSet(t, sim, "q", timeout("45"), "before", nil); len(cs.Changes) != 1 || cs.Changes[0].LogicalResourceID != "Queue" {
		t.Fatalf("30 → 45 before the update: %+v", cs.Changes)
	}
	mustDeploy(t, sim, "q", timeout("45"), "update")
	sim.Wait("q")
	if cs := mustChangeSet(t, sim, "q", timeout("45"), "same", nil); cs.Status != "FAILED" || len(cs.Changes) != 0 {
		t.Fatalf("45 → 45 after the update: %+v", cs)
	}
	if cs := mustChangeSet(t, sim, "q", bucketsTemplate, "back", nil); len(cs.Changes) != 1 || cs.Changes[0].LogicalResourceID != "Queue" {
		t.Fatalf("45 → 30 after the update: %+v", cs.Changes)
	}
}
