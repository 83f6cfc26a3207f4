package rendercontext

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/render"
)

const contexts = "../../../shared/conformance/proton-jinja/contexts"

// get walks m along keys; a missing key fails the test.
func get(t *testing.T, m *render.Map, keys ...string) any {
	t.Helper()
	var cur any = m
	for _, k := range keys {
		mm, ok := cur.(*render.Map)
		if !ok {
			t.Fatalf("%v: %s is not a map", keys, k)
		}
		cur, ok = mm.Get(k)
		if !ok {
			t.Fatalf("%v: no key %s", keys, k)
		}
	}
	return cur
}

func str(t *testing.T, m *render.Map, keys ...string) string {
	t.Helper()
	s, _ := get(t, m, keys...).(string)
	return s
}

func outs(t *testing.T, m *render.Map, keys ...string) []platform.Output {
	t.Helper()
	om := get(t, m, keys...).(*render.Map)
	var list []platform.Output
	for _, k := range om.Keys() {
		v, _ := om.Get(k)
		list = append(list, platform.Output{Key: k, Value: v.(string)})
	}
	return list
}

func env(t *testing.T, m *render.Map) Environment {
	return Environment{Name: str(t, m, "name"), AccountID: str(t, m, "account_id"), Outputs: outs(t, m, "outputs")}
}

func svc(t *testing.T, m *render.Map) Service {
	return Service{Name: str(t, m, "name"), BranchName: str(t, m, "branch_name"),
		RepositoryConnectionARN: str(t, m, "repository_connection_arn"), RepositoryID: str(t, m, "repository_id")}
}

func marshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestContextsMatchConformance rebuilds every conformance context from its values with
// this package and requires the same JSON: the same namespaces, keys and key order.
func TestContextsMatchConformance(t *testing.T) {
	files, err := filepath.Glob(contexts + "/*/*/*.json")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob(contexts + "/*/*/*/*.json")
	files = append(files, more...)
	more, _ = filepath.Glob(contexts + "/*/*/*/*/*.json")
	files = append(files, more...)
	more, _ = filepath.Glob(contexts + "/*/*/*/*/*/*.json")
	files = append(files, more...)
	if len(files) < 50 {
		t.Fatalf("found %d contexts under %s, want the conformance suite", len(files), contexts)
	}
	kinds := map[string]int{}
	for _, f := range files {
		// This repository was written for Proton's preview, whose namespaces differ
		// (environment.<input>, service_name, source): not a shape Gantry offers.
		if strings.Contains(f, "/chanzuckerberg__aws-proton-sample-templates/") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		v, err := render.DecodeJSON(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		want := v.(*render.Map)
		kind, _, _ := strings.Cut(filepath.Base(f), ".")
		kinds[kind]++
		var got *render.Map
		switch kind {
		case "environment":
			got = ForEnvironment(str(t, want, "environment", "name"), get(t, want, "environment", "inputs").(*render.Map))
		case "instance":
			si := get(t, want, "service_instance").(*render.Map)
			inst := ServiceInstance{
				Name:        str(t, si, "name"),
				Inputs:      get(t, si, "inputs").(*render.Map),
				Environment: env(t, get(t, want, "environment").(*render.Map)),
			}
			hasComponent := false
			if _, ok := si.Get("components"); ok {
				hasComponent = true
				def := get(t, si, "components", "default").(*render.Map)
				inst.Component = &Component{Name: str(t, def, "name"), Outputs: outs(t, def, "outputs")}
				kinds["component-in-instance"]++
			}
			got = ForServiceInstance(svc(t, get(t, want, "service").(*render.Map)), inst)
			// The alias Proton also offers; the conformance contexts leave it out.
			alias := get(t, got, "service_instance", "environment")
			if alias != get(t, got, "environment") {
				t.Errorf("%s: service_instance.environment is not environment", f)
			}
			trimmed := render.NewMap()
			gsi := get(t, got, "service_instance").(*render.Map)
			if !hasComponent {
				// Proton's empty default component, absent from these contexts.
				if c := marshal(t, get(t, gsi, "components")); c != `{"default":{"outputs":{}}}` {
					t.Errorf("%s: components = %s", f, c)
				}
			}
			for _, k := range gsi.Keys() {
				if k == "components" && !hasComponent {
					continue
				}
				if k != "environment" {
					x, _ := gsi.Get(k)
					trimmed.Set(k, x)
				}
			}
			got.Set("service_instance", trimmed)
		case "pipeline":
			var insts []ServiceInstance
			for _, x := range get(t, want, "service_instances").([]any) {
				m := x.(*render.Map)
				insts = append(insts, ServiceInstance{Name: str(t, m, "name"), Inputs: get(t, m, "inputs").(*render.Map),
					Outputs: outs(t, m, "outputs"), Environment: env(t, get(t, m, "environment").(*render.Map))})
			}
			got = ForPipeline(svc(t, get(t, want, "service").(*render.Map)), get(t, want, "pipeline", "inputs").(*render.Map), insts)
		case "component":
			si := get(t, want, "service_instance").(*render.Map)
			got = ForComponent(str(t, want, "component", "name"), svc(t, get(t, want, "service").(*render.Map)), ServiceInstance{
				Name: str(t, si, "name"), Inputs: get(t, si, "inputs").(*render.Map),
				Environment: env(t, get(t, want, "environment").(*render.Map)),
			})
		default:
			t.Fatalf("%s: unknown context kind %q", f, kind)
		}
		if g, w := marshal(t, got), marshal(t, want); g != w {
			t.Errorf("%s:\n got %s\nwant %s", f, g, w)
		}
	}
	for _, k := range []string{"environment", "instance", "pipeline", "component", "component-in-instance"} {
		if kinds[k] == 0 {
			t.Errorf("no %s context in the suite", k)
		}
	}
}

func TestServiceInstanceComponent(t *testing.T) {
	without := ForServiceInstance(Service{Name: "s"}, ServiceInstance{Name: "i"})
	with := ForServiceInstance(Service{Name: "s"}, ServiceInstance{Name: "i",
		Component: &Component{Name: "bucket", Outputs: []platform.Output{{Key: "BucketName", Value: "b-1"}}}})
	if got := marshal(t, get(t, with, "service_instance", "components")); got != `{"default":{"name":"bucket","outputs":{"BucketName":"b-1"}}}` {
		t.Errorf("components = %s", got)
	}
	want := `{"environment":{"name":"","account_id":"","outputs":{}},"service":{"name":"s","branch_name":"","repository_connection_arn":"","repository_id":""},` +
		`"service_instance":{"name":"i","inputs":{},"components":{"default":{"outputs":{}}},"environment":{"name":"","account_id":"","outputs":{}}}}`
	if got := marshal(t, without); got != want {
		t.Errorf("context\n got %s\nwant %s", got, want)
	}
}

func TestDetachedComponent(t *testing.T) {
	got := marshal(t, ForComponent("c", Service{}, ServiceInstance{Environment: Environment{Name: "e"}}))
	if want := `{"environment":{"name":"e","account_id":"","outputs":{}},"component":{"name":"c"}}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
