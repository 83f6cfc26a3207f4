package api

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"slices"
	"sort"
	"strconv"
	"testing"

	pw "github.com/gantry-platform/gantry/internal/protonwire"
)

// protonModel is the part of Proton's model (botocore's service-2.json) the contract
// test reads.
type protonModel struct {
	Operations map[string]struct {
		Input  struct{ Shape string } `json:"input"`
		Output struct{ Shape string } `json:"output"`
	} `json:"operations"`
	Shapes map[string]struct {
		Required []string                          `json:"required"`
		Members  map[string]struct{ Shape string } `json:"members"`
	} `json:"shapes"`
}

func loadProtonModel(t *testing.T) protonModel {
	t.Helper()
	f, err := os.Open("../protonwire/model/service-2.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var m protonModel
	if err := json.NewDecoder(zr).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestWireOperationsFollowTheModel checks every operation served over Proton's wire
// protocol against Proton's model: the operation exists, it decodes the model's input
// shape and answers its output shape (the generated types, which TestShapesAreFresh
// keeps equal to the model), the members it honours are members of the input and
// include every required one, and it demands the role its REST twin demands.
func TestWireOperationsFollowTheModel(t *testing.T) {
	m := loadProtonModel(t)
	rest := map[string]access{}
	for _, rt := range routes() {
		rest[rt.operationID] = rt.access
	}
	ops := wireOps()
	names := make([]string, 0, len(ops))
	for name := range ops {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		o := ops[name]
		mo, ok := m.Operations[name]
		if !ok {
			t.Errorf("%s is not an operation of Proton's model", name)
			continue
		}
		if o.input.Name() != mo.Input.Shape || o.output.Name() != mo.Output.Shape {
			t.Errorf("%s takes %s and answers %s; the model says %s and %s", name, o.input.Name(), o.output.Name(), mo.Input.Shape, mo.Output.Shape)
		}
		in := m.Shapes[mo.Input.Shape]
		for _, member := range o.honoured {
			if _, ok := in.Members[member]; !ok {
				t.Errorf("%s honours %s, which is not a member of %s", name, member, mo.Input.Shape)
			}
		}
		for _, member := range in.Required {
			if !slices.Contains(o.honoured, member) {
				t.Errorf("%s refuses %s, a required member of %s", name, member, mo.Input.Shape)
			}
		}
		if a, ok := rest[name]; ok && a != o.access {
			t.Errorf("%s demands %s over the wire and %s over REST", name, o.access, a)
		}
	}
	t.Logf("%d of Proton's %d operations are served over the wire", len(ops), len(m.Operations))
}

// TestRESTOperationsAreOnTheWire checks that every REST operation named after a Proton
// operation is served over the wire too.
func TestRESTOperationsAreOnTheWire(t *testing.T) {
	m := loadProtonModel(t)
	ops := wireOps()
	served := map[string]bool{}
	for name := range ops {
		served[name] = true
	}
	for _, rt := range routes() {
		if _, proton := m.Operations[rt.operationID]; proton && !served[rt.operationID] {
			t.Errorf("REST serves Proton's %s (%s %s), the wire protocol does not", rt.operationID, rt.method, rt.path)
		}
	}
}

// TestSentMembersTellEmptyFromLeftOut: Proton gives a member sent as "" a meaning of its
// own (UpdateComponent detaches, UpdateAccountSettings removes a role), which the generated
// shapes lose; an opSent call sees "" sent as "", and a member left out or null as nil.
func TestSentMembersTellEmptyFromLeftOut(t *testing.T) {
	type seen struct{ service, instance, description *string }
	var got seen
	o := opSent(developer, []string{"name", "deploymentType", "description", "serviceName", "serviceInstanceName"},
		func(_ *handler, _ context.Context, in *pw.UpdateComponentInput, sent sentMembers) (*pw.UpdateComponentOutput, error) {
			got = seen{sent.sentString("serviceName", in.ServiceName), sent.sentString("serviceInstanceName", in.ServiceInstanceName),
				sent.sentString("description", in.Description)}
			return &pw.UpdateComponentOutput{}, nil
		})
	show := func(p *string) string {
		if p == nil {
			return "nil"
		}
		return strconv.Quote(*p)
	}
	for _, c := range []struct{ body, service, instance, description string }{
		{`{"name":"queue","deploymentType":"CURRENT_VERSION","serviceName":"","serviceInstanceName":""}`, `""`, `""`, "nil"},
		{`{"name":"queue","deploymentType":"NONE","description":"d"}`, "nil", "nil", `"d"`},
		{`{"name":"queue","deploymentType":"CURRENT_VERSION","serviceName":"web","serviceInstanceName":null}`, `"web"`, "nil", "nil"},
	} {
		if _, err := o.call(nil, t.Context(), []byte(c.body)); err != nil {
			t.Fatalf("%s: %v", c.body, err)
		}
		if show(got.service) != c.service || show(got.instance) != c.instance || show(got.description) != c.description {
			t.Errorf("%s: serviceName %s, serviceInstanceName %s, description %s; want %s, %s, %s", c.body,
				show(got.service), show(got.instance), show(got.description), c.service, c.instance, c.description)
		}
	}
}
