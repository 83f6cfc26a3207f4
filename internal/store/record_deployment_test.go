package store_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
)

// TestRecordDeployment stores deployments that deployed nothing (a customer-managed
// environment's): created SUCCEEDED, then new outputs, then its removal, each checked on
// the target's revision; a stale revision or another status writes nothing.
func TestRecordDeployment(t *testing.T) {
	s := newStore(t)
	outputs := []platform.Output{{Key: "VpcId", Value: "vpc-1"}}
	d1 := envDeployment("d1", "Shared", t0)
	d1.Status, d1.Outputs, d1.CompletedAt = platform.Succeeded, outputs, t0
	mustOK(t, s.CreateEnvironment(ctx, platform.Environment{Name: "Shared", CustomerManaged: true, Deployable: platform.Deployable{CreatedAt: t0}}, d1, nil))
	env, err := s.GetEnvironment(ctx, "Shared")
	mustOK(t, err)
	if !env.CustomerManaged || env.DeploymentStatus != platform.Succeeded || env.LastSucceededDeploymentID != "d1" || !reflect.DeepEqual(env.Outputs, outputs) {
		t.Fatalf("created = %+v", env)
	}
	failed := envDeployment("dx", "Shared", t0)
	failed.Status = platform.Failed
	wantKind(t, s.CreateEnvironment(ctx, platform.Environment{Name: "Other"}, func() platform.Deployment {
		d := envDeployment("dy", "Other", t0)
		d.Status = platform.Failed
		return d
	}(), nil),
		platform.Invalid, "in progress or SUCCEEDED")
	wantKind(t, s.RecordDeployment(ctx, failed, env.Revision, nil), platform.Invalid, "SUCCEEDED or DELETE_COMPLETE")

	d2 := envDeployment("d2", "Shared", t0.Add(time.Hour))
	d2.Status, d2.Outputs = platform.Succeeded, []platform.Output{{Key: "VpcId", Value: "vpc-2"}}
	wantKind(t, s.RecordDeployment(ctx, d2, env.Revision-1, nil), platform.Conflict, "changed")
	if _, err := s.GetDeployment(ctx, "d2"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("a refused record was stored: %v", err)
	}
	mustOK(t, s.RecordDeployment(ctx, d2, env.Revision, nil))
	env, err = s.GetEnvironment(ctx, "Shared")
	mustOK(t, err)
	if env.LastDeploymentID != "d2" || env.LastSucceededDeploymentID != "d2" || env.Outputs[0].Value != "vpc-2" || env.LastAttemptedAt != d2.CreatedAt {
		t.Fatalf("after d2 = %+v", env)
	}
	wantKind(t, s.RecordDeployment(ctx, d2, env.Revision, nil), platform.Conflict, "d2")

	d3 := envDeployment("d3", "Shared", t0.Add(2*time.Hour))
	d3.Operation, d3.Status = platform.Delete, platform.DeleteComplete
	mustOK(t, s.RecordDeployment(ctx, d3, env.Revision, nil))
	if _, err := s.GetEnvironment(ctx, "Shared"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("the environment is still there: %v", err)
	}
	wantKind(t, s.RecordDeployment(ctx, d3, env.Revision, nil), platform.NotFound, "Shared")
	if d, err := s.GetDeployment(ctx, "d3"); err != nil || d.Status != platform.DeleteComplete {
		t.Fatalf("the deletion's record = %+v, %v", d, err)
	}
}
