package platform

import (
	"regexp"
	"strings"
	"testing"
)

func TestStackName(t *testing.T) {
	valid := regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]*$`)
	long := strings.Repeat("a", 100)
	cases := []struct {
		target Target
		want   string
	}{
		{Target{Kind: EnvironmentTarget, Environment: "Beta"}, "gantry-env-Beta"},
		{Target{Kind: ServiceInstanceTarget, Service: "frontend", Instance: "frontend-dev"}, "gantry-svc-frontend-frontend-dev"},
		{Target{Kind: ServicePipelineTarget, Service: "frontend"}, "gantry-pipeline-frontend"},
	}
	for _, c := range cases {
		if got := StackName(c.target); got != c.want {
			t.Errorf("StackName(%v) = %q, want %q", c.target, got, c.want)
		}
	}
	a := StackName(Target{Kind: ServiceInstanceTarget, Service: "a_b", Instance: "c"})
	b := StackName(Target{Kind: ServiceInstanceTarget, Service: "a-b", Instance: "c"})
	if a == b || !valid.MatchString(a) {
		t.Errorf("underscore names: %q and %q must differ and be valid", a, b)
	}
	x := StackName(Target{Kind: ServiceInstanceTarget, Service: long, Instance: long + "x"})
	y := StackName(Target{Kind: ServiceInstanceTarget, Service: long, Instance: long + "y"})
	if x == y || len(x) > 128 || !valid.MatchString(x) {
		t.Errorf("long names: %q (%d) and %q must differ, be ≤128 and valid", x, len(x), y)
	}
}

func TestParseVersion(t *testing.T) {
	v, err := ParseVersion("2.13")
	if err != nil || v != (Version{Major: 2, Minor: 13}) || v.String() != "2.13" {
		t.Fatalf("ParseVersion(2.13) = %v, %v", v, err)
	}
	for _, bad := range []string{"", "1", "0.1", "a.b", "1.-1", "1.2.3"} {
		if _, err := ParseVersion(bad); KindOf(err) != Invalid {
			t.Errorf("ParseVersion(%q): got %v, want Invalid", bad, err)
		}
	}
}

func TestErrorKinds(t *testing.T) {
	err := FieldErrorf("spec.port", "must be >= 1")
	if KindOf(err) != Invalid || MessageOf(err) != "spec.port: must be >= 1" {
		t.Fatalf("field error: %v %q", KindOf(err), MessageOf(err))
	}
	plain := errorString("dial tcp: secret detail")
	if KindOf(plain) != Internal || MessageOf(plain) != "internal error" {
		t.Fatalf("plain error must be internal and hidden: %v %q", KindOf(plain), MessageOf(plain))
	}
	if KindOf(nil) != "" {
		t.Fatal("nil error has a kind")
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

func TestCancelToken(t *testing.T) {
	id := NewID()
	token := CancelToken(id)
	if token == id || DeploymentOfToken(token) != id || DeploymentOfToken(id) != id {
		t.Fatalf("CancelToken(%s) = %s, DeploymentOfToken gives %s and %s", id, token, DeploymentOfToken(token), DeploymentOfToken(id))
	}
	if !regexp.MustCompile(`^[a-zA-Z0-9][-a-zA-Z0-9]*$`).MatchString(token) || len(token) > 128 {
		t.Fatalf("CancelToken %q is not a valid CloudFormation client request token", token)
	}
}

func TestPipelineName(t *testing.T) {
	if got := PipelineName("frontend"); got != "gantry-svc-frontend-pipeline" {
		t.Fatalf("PipelineName = %q", got)
	}
	for name, want := range map[string]string{"gantry-svc-frontend-pipeline": "frontend", "gantry-svc-a-b-pipeline": "a-b"} {
		if got, ok := PipelineService(name); !ok || got != want {
			t.Errorf("PipelineService(%q) = %q, %v", name, got, ok)
		}
	}
	for _, name := range []string{"myPipeline", "gantry-svc--pipeline", "gantry-svc-x", "svc-x-pipeline", "gantry-svc-pipeline"} {
		if got, ok := PipelineService(name); ok {
			t.Errorf("PipelineService(%q) = %q, want no service", name, got)
		}
	}
}
