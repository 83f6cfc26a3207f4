package apimodel_test

import (
	"encoding/json"
	"testing"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platform"
)

func TestVersions(t *testing.T) {
	tv := apimodel.TemplateVersion{MajorVersion: 2, MinorVersion: 7}
	if got := tv.Version(); got != (platform.Version{Major: 2, Minor: 7}) {
		t.Errorf("TemplateVersion.Version() = %s, want 2.7", got)
	}
	inst := apimodel.ServiceInstance{Deployable: apimodel.Deployable{TemplateMajorVersion: 3, TemplateMinorVersion: 1}}
	if got := inst.TemplateVersion(); got != (platform.Version{Major: 3, Minor: 1}) {
		t.Errorf("Deployable.TemplateVersion() = %s, want 3.1", got)
	}
}

// A shape decodes what it encodes: the embedded Deployable and the pointer fields come back
// as they were, and an answer encodes again to the same bytes.
func TestRoundTrip(t *testing.T) {
	answer := `{"name":"api","arn":"arn:aws:proton:us-east-1:000000000000:service/api","templateName":"web","templateMajorVersion":1,"templateMinorVersion":0,"status":"ACTIVE",` +
		`"pipeline":{"serviceName":"api","templateName":"web","templateMajorVersion":1,"templateMinorVersion":0,"deploymentStatus":"SUCCEEDED",` +
		`"lastDeploymentSucceededAt":"2025-03-01T12:00:00Z","createdAt":"2025-03-01T11:00:00Z"},` +
		`"createdAt":"2025-03-01T11:00:00Z","lastModifiedAt":"2025-03-01T12:00:00Z"}`
	var s apimodel.Service
	if err := json.Unmarshal([]byte(answer), &s); err != nil {
		t.Fatal(err)
	}
	if s.Pipeline == nil || s.Pipeline.DeploymentStatus != platform.Succeeded || s.Pipeline.LastDeploymentSucceededAt == nil ||
		s.Pipeline.LastDeploymentAttemptedAt != nil {
		t.Fatalf("pipeline = %+v", s.Pipeline)
	}
	again, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != answer {
		t.Errorf("encoded again:\n%s\nwant\n%s", again, answer)
	}
}
