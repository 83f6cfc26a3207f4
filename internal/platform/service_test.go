package platform

import "testing"

func TestServiceStatusOf(t *testing.T) {
	child := func(instance string, status DeploymentStatus, message string) ServiceChild {
		return ServiceChild{Target: Target{Kind: ServiceInstanceTarget, Service: "web", Instance: instance},
			Deployable: Deployable{DeploymentStatus: status, DeploymentStatusMessage: message}}
	}
	ok, busy := child("a", Succeeded, ""), child("b", InProgress, "")
	failed, deleting := child("c", Failed, "stack rolled back"), child("d", DeleteInProgress, "")
	deleteFailed := child("e", DeleteFailed, "export in use")
	cases := []struct {
		name        string
		phase       ServiceStatus
		children    []ServiceChild
		want        ServiceStatus
		wantMessage string
	}{
		{"creating", ServiceCreateInProgress, []ServiceChild{ok, busy}, ServiceCreateInProgress, ""},
		{"created", ServiceCreateInProgress, []ServiceChild{ok, ok}, ServiceActive, ""},
		{"create failed", ServiceCreateInProgress, []ServiceChild{ok, failed}, ServiceCreateFailed, "service instance web/c: FAILED: stack rolled back"},
		{"updating", ServiceUpdateInProgress, []ServiceChild{failed, busy}, ServiceUpdateInProgress, ""},
		{"update failed", ServiceUpdateInProgress, []ServiceChild{ok, failed}, ServiceUpdateFailed, "service instance web/c: FAILED: stack rolled back"},
		{"updated", ServiceUpdateInProgress, []ServiceChild{ok}, ServiceActive, ""},
		{"active with a failed instance update", ServiceActive, []ServiceChild{failed}, ServiceActive, ""},
		{"active, an instance deploying", ServiceActive, []ServiceChild{busy}, ServiceUpdateInProgress, ""},
		{"deleting", ServiceDeleteInProgress, []ServiceChild{deleting, deleteFailed}, ServiceDeleteInProgress, ""},
		{"delete failed", ServiceDeleteInProgress, []ServiceChild{deleteFailed, failed}, ServiceDeleteFailed, "service instance web/e: DELETE_FAILED: export in use"},
		{"deleting, nothing left", ServiceDeleteInProgress, nil, ServiceDeleteInProgress, ""},
	}
	for _, c := range cases {
		got, message := ServiceStatusOf(c.phase, c.children)
		if got != c.want || message != c.wantMessage {
			t.Errorf("%s: %s %q, want %s %q", c.name, got, message, c.want, c.wantMessage)
		}
	}
}
