package cloudformation_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/awsclients/awstest"
	"github.com/gantry-platform/gantry/internal/cloudformation"
	"github.com/gantry-platform/gantry/internal/platform"
)

func TestContract_CancelUpdateStack(t *testing.T) {
	f := newFixture(t, cloudformation.Options{})
	f.respond("CancelUpdateStack", empty("CancelUpdateStack"))
	if err := f.p.Cancel(context.Background(), stackName, token); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	wantOperations(t, f.server, "CancelUpdateStack")
	wantForm(t, f.server.CallsOf("CancelUpdateStack")[0], map[string]string{"StackName": stackName, "ClientRequestToken": token})
}

func TestContract_CancelOutsideAnUpdateIsConflict(t *testing.T) {
	f := newFixture(t, cloudformation.Options{})
	f.respond("CancelUpdateStack", awstest.QueryError(400, "ValidationError", "CancelUpdateStack cannot be called from current stack status"))
	err := f.p.Cancel(context.Background(), stackName, token)
	if platform.KindOf(err) != platform.Conflict || !strings.Contains(platform.MessageOf(err), "CancelUpdateStack cannot be called from current stack status") {
		t.Fatalf("err = %v (kind %q), want Conflict with CloudFormation's message", err, platform.KindOf(err))
	}
}

func TestContract_CancelOfAMissingStackIsNotFound(t *testing.T) {
	f := newFixture(t, cloudformation.Options{})
	f.respond("CancelUpdateStack", awstest.QueryError(400, "ValidationError", "Stack [gantry-env-beta] does not exist"))
	if err := f.p.Cancel(context.Background(), stackName, token); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("err = %v (kind %q), want NotFound", err, platform.KindOf(err))
	}
}

func TestContract_CancelRepeatedWithItsTokenSucceeds(t *testing.T) {
	f := newFixture(t, cloudformation.Options{})
	f.respond("CancelUpdateStack", awstest.QueryError(400, "TokenAlreadyExistsException", "Another CancelUpdateStack request with the same token is in progress"))
	if err := f.p.Cancel(context.Background(), stackName, token); err != nil {
		t.Fatalf("Cancel repeated: %v, want success", err)
	}
}

func TestContract_CancelThrottledIsARetryableInternalError(t *testing.T) {
	f := newFixture(t, cloudformation.Options{})
	f.respond("CancelUpdateStack", awstest.QueryError(400, "Throttling", "Rate exceeded"))
	err := f.p.Cancel(context.Background(), stackName, token)
	if platform.KindOf(err) != platform.Internal || !strings.Contains(err.Error(), "throttled") {
		t.Fatalf("err = %v (kind %q), want Internal saying throttled", err, platform.KindOf(err))
	}
}
