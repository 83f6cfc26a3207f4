package schema

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/platform"
)

const lbSvc = conformance + "/aws-samples__aws-proton-cloudformation-sample-templates/loadbalanced-fargate-svc"

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseServiceSpecAndValidate(t *testing.T) {
	spec, err := ParseSpec(mustRead(t, lbSvc+"/specs/svc-spec.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if spec.Proton != ServiceSpec || len(spec.Instances) != 1 {
		t.Fatalf("spec = %+v", spec)
	}
	in := spec.Instances[0]
	if in.Name != "frontend-dev" || in.Environment != "Beta" {
		t.Errorf("instance = %+v", in)
	}
	s, err := Parse(mustRead(t, lbSvc+"/loadbalanced-fargate-svc/v1/schema/schema.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.ValidateSpec(spec)
	if err != nil {
		t.Fatal(err)
	}
	// The conformance context's inputs, in the schema's order with defaults applied.
	want := `{"port":80,"health_check_path":"/","desired_count":2,"task_size":"medium","image":"public.ecr.aws/nginx/nginx:1.21"}`
	if got := toJSON(t, v.Instances[0].Inputs); got != want {
		t.Errorf("instance inputs\n got %s\nwant %s", got, want)
	}
	if got := toJSON(t, v.Pipeline); got != `{"dockerfile":"Dockerfile","unit_test_command":"ls"}` {
		t.Errorf("pipeline inputs = %s", got)
	}
}

func TestParseEnvironmentSpec(t *testing.T) {
	spec, err := ParseSpec(mustRead(t, lbSvc+"/specs/env-spec.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if spec.Proton != EnvironmentSpec || toJSON(t, spec.Inputs) != `{"vpc_cidr":"10.0.0.0/16"}` {
		t.Errorf("spec = %+v", spec)
	}
	s, err := Parse(mustRead(t, lbSvc+"/loadbalanced-fargate-env/v1/schema/schema.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ValidateSpec(spec); err != nil {
		t.Fatal(err)
	}
	bad, _ := ParseSpec([]byte("proton: EnvironmentSpec\nspec:\n  vpc_cidr: nope\n"))
	_, err = s.ValidateSpec(bad)
	var pe *platform.Error
	if !errors.As(err, &pe) || pe.Field != "spec.vpc_cidr" || !strings.HasPrefix(pe.Message, "must match pattern") {
		t.Errorf("err = %#v", err)
	}
}

func TestValidateSpecFieldPaths(t *testing.T) {
	s := mustParse(t, testSchema)
	spec, err := ParseSpec([]byte("proton: ServiceSpec\ninstances:\n  - name: a\n    environment: e\n    spec: {name: ab}\n  - name: b\n    environment: e\n    spec: {name: ab, port: 0}\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.ValidateSpec(spec)
	var pe *platform.Error
	if !errors.As(err, &pe) || pe.Field != "instances[1].spec.port" || pe.Message != "must be >= 1" {
		t.Errorf("err = %v", err)
	}
}

func TestParseSpecErrors(t *testing.T) {
	cases := []struct{ name, src, field, want string }{
		{"no proton", "spec: {}\n", "proton", "is required"},
		{"bad proton", "proton: Foo\n", "proton", "line 1: must be EnvironmentSpec or ServiceSpec"},
		{"unknown key", "proton: ServiceSpec\ninstance: []\n", "instance", "line 2: unknown key"},
		{"bad name", "proton: ServiceSpec\ninstances:\n  - name: -x\n    environment: e\n", "instances[0].name", "line 3:"},
		{"long name", "proton: ServiceSpec\ninstances:\n  - name: " + strings.Repeat("a", 101) + "\n    environment: e\n", "instances[0].name", "at most 100"},
		{"duplicate", "proton: ServiceSpec\ninstances:\n  - {name: a, environment: e}\n  - {name: a, environment: e}\n", "instances[1].name", "line 4: duplicate instance name"},
		{"spec not mapping", "proton: ServiceSpec\ninstances:\n  - {name: a, environment: e, spec: [1]}\n", "instances[0].spec", "line 3: must be a mapping"},
		{"yaml", "proton: ServiceSpec\ninstances:\n  - name: a\n   environment: e\n", "", "line 2: did not find expected '-' indicator"},
		{"duplicate key", "proton: EnvironmentSpec\nspec:\n  a: 1\n  a: 2\n", "", "line 4: duplicate key \"a\""},
		{"too long", "proton: EnvironmentSpec\nspec:\n  a: \"" + strings.Repeat("é", MaxSpecLength) + "\"\n", "", "the limit is 51200"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseSpec([]byte(c.src))
			var pe *platform.Error
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v", err)
			}
			if pe.Kind != platform.Invalid || pe.Field != c.field || !strings.Contains(pe.Message, c.want) {
				t.Errorf("got field %q message %q; want field %q message containing %q", pe.Field, pe.Message, c.field, c.want)
			}
		})
	}
}

func TestParseInstanceSpec(t *testing.T) {
	whole := "proton: ServiceSpec\ninstances:\n  - name: a\n    environment: e\n    spec: {x: 1}\n  - name: b\n    environment: e\n    spec: {x: 2}\n"
	cases := []struct{ name, src, want string }{
		{"whole spec", whole, `{"x":2}`},
		{"spec key", "spec:\n  x: 3\n  y: z\n", `{"x":3,"y":"z"}`},
		{"plain inputs", "x: 4\nspec: 5\n", `{"x":4,"spec":5}`},
		{"empty", "", `{}`},
	}
	for _, c := range cases {
		m, err := ParseInstanceSpec([]byte(c.src), "b")
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := toJSON(t, m); got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
	if _, err := ParseInstanceSpec([]byte(whole), "c"); platform.KindOf(err) != platform.NotFound {
		t.Errorf("missing instance: err = %v, want NotFound", err)
	}
	if _, err := ParseInstanceSpec([]byte("[1]"), "c"); platform.KindOf(err) != platform.Invalid {
		t.Errorf("list: err = %v, want Invalid", err)
	}
}

func TestValidateName(t *testing.T) {
	for _, ok := range []string{"a", "A1", "front-end_2", strings.Repeat("x", 100)} {
		if err := ValidateName("name", ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "-a", "_a", "a b", "a.b", strings.Repeat("x", 101)} {
		if err := ValidateName("name", bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestAliasBombIsRefused(t *testing.T) {
	src := "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
	_, err := ParseInstanceSpec([]byte(src), "")
	if err == nil || !strings.Contains(err.Error(), "too complex") {
		t.Errorf("err = %v", err)
	}
}

func TestSpecIsOneDocument(t *testing.T) {
	two := "proton: EnvironmentSpec\nspec:\n  a: 1\n---\nproton: EnvironmentSpec\nspec:\n  a: 2\n"
	_, err := ParseSpec([]byte(two))
	if platform.KindOf(err) != platform.Invalid || !strings.Contains(err.Error(), "line 4") || !strings.Contains(err.Error(), "one YAML document") {
		t.Fatalf("ParseSpec of two documents: %v, want Invalid naming line 4 (the ---)", err)
	}
	_, err = ParseInstanceSpec([]byte("spec:\n  a: 1\n---\nspec:\n  a: 2\n"), "web")
	if platform.KindOf(err) != platform.Invalid || !strings.Contains(err.Error(), "one YAML document") {
		t.Fatalf("ParseInstanceSpec of two documents: %v, want Invalid", err)
	}
	// A leading "---" starts the one document.
	if _, err := ParseSpec([]byte("---\nproton: EnvironmentSpec\nspec:\n  a: 1\n")); err != nil {
		t.Fatalf("one document after ---: %v", err)
	}
}
