package control_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/auth"
	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/keyseal"
	"github.com/gantry-platform/gantry/internal/platform"
)

// TestNotifyResourceDeploymentStatusChange: only an admin or a reporter's key of that
// resource and deployment may report; the status must fit the deployment; outputs join
// the deployment's as they come; a final status is kept as Reported and fails (or ends)
// the workflow's waiting task; a finished deployment takes no report.
func TestNotifyResourceDeploymentStatusChange(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate()
	env := h.mustCreateEnvironment(h.envInput("Beta"))
	d := h.mustDeployment(env.LastDeploymentID)
	d.TaskToken = "token-1"
	if err := h.store.UpdateDeployment(h.ctx, d); err != nil {
		t.Fatal(err)
	}
	arn := h.svc.ARNScope().ARN(platform.TargetResource(env.Target()))
	other := h.svc.ARNScope().ARN(platform.Resource{Type: platform.EnvironmentResource, Name: "Gamma"})
	reporter := func(resource, deployment string) platform.Caller {
		return platform.Caller{Subject: "accesskey:GKIA", Roles: []platform.Role{platform.ReporterRole}, Resource: resource, Deployment: deployment}
	}
	for _, c := range []struct {
		name   string
		caller platform.Caller
		in     control.NotifyInput
		kind   platform.ErrorKind
	}{
		{"a developer", platform.Caller{Subject: "bob", Roles: []platform.Role{platform.DeveloperRole}}, control.NotifyInput{ResourceARN: arn, Status: platform.InProgress}, platform.Forbidden},
		{"another resource's key", reporter(other, d.ID), control.NotifyInput{ResourceARN: arn, Status: platform.InProgress}, platform.Forbidden},
		{"another deployment's key reports on its own", reporter(arn, "d-other"), control.NotifyInput{ResourceARN: arn, Status: platform.InProgress}, platform.NotFound},
		{"its key, another deployment", reporter(arn, d.ID), control.NotifyInput{ResourceARN: arn, Status: platform.InProgress, DeploymentID: "d-other"}, platform.Forbidden},
		{"an unknown status", reporter(arn, d.ID), control.NotifyInput{ResourceARN: arn, Status: "DONE"}, platform.Invalid},
		{"a deletion's status", reporter(arn, d.ID), control.NotifyInput{ResourceARN: arn, Status: platform.DeleteComplete}, platform.Invalid},
		{"an output without a key", reporter(arn, d.ID), control.NotifyInput{ResourceARN: arn, Status: platform.InProgress, Outputs: []platform.Output{{Value: "v"}}}, platform.Invalid},
	} {
		err := h.svc.NotifyResourceDeploymentStatusChange(platform.WithCaller(h.ctx, c.caller), c.in)
		if platform.KindOf(err) != c.kind {
			t.Errorf("%s: %v, want %s", c.name, err, c.kind)
		}
	}
	if got := h.mustDeployment(d.ID); len(got.Outputs) != 0 || got.Reported != "" {
		t.Fatalf("a refused report changed the deployment: %+v", got)
	}

	key := platform.WithCaller(h.ctx, reporter(arn, d.ID))
	report := func(status platform.DeploymentStatus, message string, outputs ...platform.Output) {
		t.Helper()
		if err := h.svc.NotifyResourceDeploymentStatusChange(key, control.NotifyInput{ResourceARN: arn, Status: status, Outputs: outputs, StatusMessage: message}); err != nil {
			t.Fatalf("report %s: %v", status, err)
		}
	}
	report(platform.InProgress, "", platform.Output{Key: "VpcId", Value: "vpc-1"}, platform.Output{Key: "Zone", Value: "a"})
	report(platform.InProgress, "", platform.Output{Key: "VpcId", Value: "vpc-2"})
	got := h.mustDeployment(d.ID)
	if len(got.Outputs) != 2 || got.Outputs[0] != (platform.Output{Key: "VpcId", Value: "vpc-2"}) || got.Reported != "" {
		t.Errorf("after two reports in progress: outputs %+v, reported %q", got.Outputs, got.Reported)
	}
	report(platform.Failed, "cdk deploy failed")
	got = h.mustDeployment(d.ID)
	if got.Reported != platform.Failed || got.ReportedMessage != "cdk deploy failed" {
		t.Errorf("reported %q %q", got.Reported, got.ReportedMessage)
	}
	if _, failures := h.calls(); len(failures) != 1 || failures[0] != (failure{"token-1", "ProvisioningFailed", "cdk deploy failed"}) {
		t.Errorf("waiting task failures %+v", failures)
	}

	h.mustFinish(d.ID)
	err := h.svc.NotifyResourceDeploymentStatusChange(h.ctx, control.NotifyInput{ResourceARN: arn, Status: platform.Succeeded, DeploymentID: d.ID})
	if platform.KindOf(err) != platform.Conflict || !strings.Contains(err.Error(), "already finished") {
		t.Errorf("a report on a finished deployment: %v, want Conflict", err)
	}
}

// TestReporterKeys: a reporter's key is sealed, scoped and unlisted; it signs for its
// resource's deployment until it expires, then is refused.
func TestReporterKeys(t *testing.T) {
	h := newHarness(t)
	sealer, err := keyseal.LoadLocalKey(filepath.Join(t.TempDir(), "key"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 6, 6, 0, 0, 0, time.UTC)
	keys := auth.ReporterKeys{Keys: h.store, Sealer: sealer, Now: func() time.Time { return now }}
	creds, err := keys.Mint(h.ctx, "d-1", "arn:aws:proton:us-east-1:000000000000:environment/Beta", now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	stored, err := h.store.GetAccessKey(h.ctx, creds.AccessKeyID)
	if err != nil || stored.Role != platform.ReporterRole || stored.ResourceARN != creds.ResourceARN || stored.DeploymentID != "d-1" ||
		!stored.ExpiresAt.Equal(now.Add(time.Hour)) || strings.Contains(string(stored.SealedSecret), creds.SecretAccessKey) {
		t.Fatalf("stored key %+v, %v", stored, err)
	}
	if c := stored.Caller(); c.Resource != creds.ResourceARN || c.Deployment != "d-1" || c.Has(platform.DeveloperRole) {
		t.Errorf("caller %+v", c)
	}
	list, err := h.store.ListAccessKeys(h.ctx, platform.PageRequest{})
	if err != nil || len(list.Items) != 0 {
		t.Errorf("reporter's keys are listed: %+v, %v", list.Items, err)
	}
	svc := func(at time.Time) *control.Service {
		return control.New(control.Config{Store: h.store, AccessKeys: h.store, Sealer: sealer, Now: func() time.Time { return at }})
	}
	if _, secret, err := svc(now.Add(59*time.Minute)).AccessKeySecret(h.ctx, creds.AccessKeyID); err != nil || string(secret) != creds.SecretAccessKey {
		t.Errorf("before it expires: %v", err)
	}
	if _, _, err := svc(now.Add(time.Hour)).AccessKeySecret(h.ctx, creds.AccessKeyID); platform.KindOf(err) != platform.Unauthorized || !strings.Contains(err.Error(), "expired") {
		t.Errorf("once expired: %v, want Unauthorized", err)
	}
}
