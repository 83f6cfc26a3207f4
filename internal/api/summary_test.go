package api

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/store"
	"github.com/gantry-platform/gantry/internal/store/storetest"
)

// TestResourcesSummaryIsOneQuery checks GetResourcesSummary through the HTTP handler: any
// role may read it, it counts what the store holds, and it costs one DynamoDB Query
// whatever the size of the estate.
func TestResourcesSummaryIsOneQuery(t *testing.T) {
	client, table := storetest.NewTable(t)
	rec := &storetest.Recorder{Client: client}
	st := store.New(rec, table)
	s := newServer(t, st)
	ctx := context.Background()
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	mustOK := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	mustOK(st.CreateTemplate(ctx, platform.Template{Kind: platform.EnvironmentTemplate, Name: "vpc", Recommended: platform.Version{Major: 1, Minor: 1}}, nil))
	for i, name := range []string{"a", "b", "c"} {
		v := platform.Version{Major: 1, Minor: i % 2}
		e := platform.Environment{Name: name, Deployable: platform.Deployable{TemplateName: "vpc", TemplateVersion: v, CreatedAt: at}}
		d := platform.Deployment{ID: "d-" + name, Target: platform.Target{Kind: platform.EnvironmentTarget, Environment: name}, Operation: platform.Deploy,
			TemplateName: "vpc", TemplateVersion: v, Status: platform.InProgress, CreatedAt: at, UpdatedAt: at}
		mustOK(st.CreateEnvironment(ctx, e, d, nil))
	}
	rec.Take()

	for _, role := range []string{"developer", "admin"} {
		r := s.do(role, "GET", "/v1/resources-summary", "", nil)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", role, r.status, r.body)
		}
		if ops := rec.Take(); !reflect.DeepEqual(ops, []string{"Query"}) {
			t.Fatalf("GetResourcesSummary made %v, want one Query", ops)
		}
		var got apimodel.ResourcesSummary
		if err := json.Unmarshal([]byte(r.body), &got); err != nil {
			t.Fatal(err)
		}
		want := apimodel.ResourcesSummary{Counts: apimodel.CountsSummary{
			Environments:         apimodel.ResourceCounts{Total: 3, UpToDate: 1, BehindMinor: 2},
			EnvironmentTemplates: apimodel.ResourceCounts{Total: 1},
		}}
		if got != want {
			t.Fatalf("summary %+v, want %+v", got, want)
		}
	}
	if r := s.do("none", "GET", "/v1/resources-summary", "", nil); r.status != 403 {
		t.Fatalf("a caller without a role: %d %s, want 403", r.status, r.body)
	}
	if r := s.do("", "GET", "/v1/resources-summary", "", nil); r.status != 401 {
		t.Fatalf("no token: %d, want 401", r.status)
	}
}
