package schema

import (
	"os"
	"testing"
)

func FuzzParseSchema(f *testing.F) {
	f.Add([]byte(testSchema))
	if b, err := os.ReadFile(lbSvc + "/loadbalanced-fargate-svc/v1/schema/schema.yaml"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("schema:\n  format: {openapi: 3.0.0}\n  types:\n    X: {type: array, items: {type: array}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data)
		if err != nil {
			return
		}
		s.Lint()
		for _, k := range []InputKind{EnvironmentInputs, ServiceInputs, PipelineInputs} {
			in, _ := s.SampleInputs(k)
			_, _ = s.Validate(k, in, "spec")
		}
	})
}

func FuzzParseSpec(f *testing.F) {
	if b, err := os.ReadFile(lbSvc + "/specs/svc-spec.yaml"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("proton: EnvironmentSpec\nspec:\n  a: &x [1, 2]\n  b: *x\n"))
	f.Add([]byte("proton: ServiceSpec\ninstances:\n  - {name: a, environment: e, spec: {x: 0x10, y: .inf}}\n"))
	s, err := Parse([]byte(testSchema))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if spec, err := ParseSpec(data); err == nil {
			_, _ = s.ValidateSpec(spec)
		}
		if in, err := ParseInstanceSpec(data, "a"); err == nil {
			_, _ = s.Validate(ServiceInputs, in, "spec")
		}
	})
}
