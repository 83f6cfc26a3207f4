package api

import (
	"encoding/json"
	"testing"

	"github.com/gantry-platform/gantry/internal/apimodel"
)

// A deployment read through the API shows the inputs it applies: the spec's values with
// the schema's defaults filled in.
func TestDeploymentShowsItsInputs(t *testing.T) {
	s := newRealServer(t)
	s.mustEnvTemplate()
	r := s.json("admin", "POST", "/v1/environments", apimodel.CreateEnvironment{Name: "beta", TemplateName: "env", TemplateMajorVersion: 1,
		Spec: "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.1.0.0/16\n"})
	var env apimodel.Environment
	if err := json.Unmarshal([]byte(r.body), &env); r.status != 202 || err != nil || env.LastDeploymentID == "" {
		t.Fatalf("create environment: %d %s", r.status, r.body)
	}
	r = s.json("developer", "GET", "/v1/deployments/"+env.LastDeploymentID, nil)
	var d apimodel.Deployment
	if err := json.Unmarshal([]byte(r.body), &d); r.status != 200 || err != nil {
		t.Fatalf("get deployment: %d %s", r.status, r.body)
	}
	var inputs map[string]any
	if err := json.Unmarshal(d.Inputs, &inputs); err != nil {
		t.Fatalf("inputs %s: %v", d.Inputs, err)
	}
	want := map[string]any{"vpc_cidr": "10.1.0.0/16", "subnet_one_cidr": "10.0.0.0/24", "subnet_two_cidr": "10.0.1.0/24"}
	if len(inputs) != len(want) {
		t.Fatalf("inputs %s, want %v", d.Inputs, want)
	}
	for k, v := range want {
		if inputs[k] != v {
			t.Errorf("inputs[%s] = %v, want %v (inputs %s)", k, inputs[k], v, d.Inputs)
		}
	}
}
