package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/blobdir"
	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/dynamolocal"
	"github.com/gantry-platform/gantry/internal/engine"
	"github.com/gantry-platform/gantry/internal/eventbus"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/render"
	"github.com/gantry-platform/gantry/internal/store"
	"github.com/gantry-platform/gantry/internal/store/storetest"
)

// newServerWith is newServer with opts (its Log is set to the captured log).
func newServerWith(t *testing.T, st platform.Store, opts Options) *server {
	t.Helper()
	blobs, err := blobdir.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	opts.Log = slog.New(slog.NewJSONHandler(logs, nil))
	svc := control.New(control.Config{Store: st, Blobs: blobs, Workflows: workflowsFake{},
		Engine: engine.New(render.New(render.Options{})), Log: opts.Log})
	return &server{t: t, handler: New(svc, authFunc(roleAuth), opts), log: logs}
}

func TestOversizedBodiesAnswer413(t *testing.T) {
	s := newRealServer(t)
	if r := s.json("admin", "POST", "/v1/environment-templates", map[string]string{"name": "env"}); r.status != 201 {
		t.Fatalf("create template: %d %s", r.status, r.body)
	}
	bigJSON := []byte(`{"name":"x","description":"` + strings.Repeat("a", 300<<10) + `"}`)
	bigBundle := make([]byte, 6<<20)
	_, _ = rand.Read(bigBundle)
	cases := []struct {
		name, path, contentType string
		body                    []byte
		says                    string
	}{
		{"JSON", "/v1/environment-templates", "application/json", bigJSON, "256 KB, the limit of CreateEnvironmentTemplate"},
		{"bundle", "/v1/environment-templates/env/versions", "application/gzip", bigBundle, "5.1 MB, the limit of CreateEnvironmentTemplateVersion"},
	}
	for _, c := range cases {
		for _, chunked := range []bool{false, true} { // with a Content-Length, and without one
			req := httptest.NewRequest("POST", c.path, bytes.NewReader(c.body))
			req.Header.Set("Authorization", "Bearer admin")
			req.Header.Set("Content-Type", c.contentType)
			if chunked {
				req.ContentLength = -1
			}
			rec := httptest.NewRecorder()
			s.handler.ServeHTTP(rec, req)
			r := response{status: rec.Code, header: rec.Header(), body: rec.Body.String()}
			if r.status != http.StatusRequestEntityTooLarge {
				t.Errorf("%s (chunked %v): %d %s, want 413", c.name, chunked, r.status, r.body)
				continue
			}
			if e := r.errorBody(t); e.Code != "PayloadTooLargeException" || !strings.Contains(e.Message, c.says) {
				t.Errorf("%s (chunked %v): %+v, want a message saying %q", c.name, chunked, e, c.says)
			}
		}
	}
	// A bundle within the request limit but over Proton's 5 MB is the control plane's to refuse.
	r := s.do("admin", "POST", "/v1/environment-templates/env/versions", "application/gzip", bigBundle[:5<<20+1])
	if r.status != 400 || !strings.Contains(r.body, "5 MB") {
		t.Fatalf("a bundle just over 5 MB: %d %s, want 400 naming the 5 MB limit", r.status, r.body)
	}
	if r := s.json("admin", "GET", "/v1/environment-templates/env/versions", nil); !strings.Contains(r.body, `"items":[]`) {
		t.Fatalf("refused bodies created versions: %s", r.body)
	}
}

// lookupStore is a platform.Store that counts calls and fails them all.
type lookupStore struct {
	platform.Store
	calls atomic.Int64
}

func (s *lookupStore) GetEnvironment(ctx context.Context, name string) (platform.Environment, error) {
	s.calls.Add(1)
	return platform.Environment{}, errors.New("looked up")
}

func TestPathParametersAreValidatedBeforeAnyLookup(t *testing.T) {
	st := &lookupStore{}
	s := newServer(t, st) // any store method but GetEnvironment panics: a lookup is a 500
	valid := map[string]string{"version": "1.0", "id": "0f8fad5b-d9cb-469f-a165-70867728950e", "provider": "GITHUB"}
	invalid := map[string][]string{
		"version": {"1.x", "1", strings.Repeat("9", 30) + ".1", "0.1"},
		"id":      {"nope", strings.Repeat("a", 1000), "0f8fad5b-d9cb-469f-a165-70867728950g", "0f8fad5b+d9cb-469f-a165-70867728950e"},
	}
	names := []string{strings.Repeat("a", 101), strings.Repeat("a", 4000), "bad!name", "-dash-first"}
	checked := 0
	for _, rt := range routes() {
		params := pathParams(rt.path)
		for _, bad := range params {
			values := invalid[bad]
			if values == nil {
				values = names
			}
			for _, v := range values {
				path := rt.path
				for _, p := range params {
					good := valid[p]
					if good == "" {
						good = "ok"
					}
					if p == bad {
						good = v
					}
					path = strings.Replace(path, "{"+p+"}", good, 1)
				}
				r := s.do("admin", rt.method, path, "application/json", []byte(`{}`))
				if r.status != 400 {
					t.Errorf("%s %s: %d %s, want 400", rt.method, path[:min(len(path), 120)], r.status, r.body[:min(len(r.body), 200)])
					continue
				}
				if e := r.errorBody(t); !strings.HasPrefix(e.Message, bad+": ") || len(e.Message) > 300 {
					t.Errorf("%s %s: %q, want a short message naming %s", rt.method, rt.path, e.Message, bad)
				}
				checked++
			}
		}
	}
	if checked < 50 || st.calls.Load() != 0 {
		t.Fatalf("%d cases checked, %d lookups: want many cases and no lookup", checked, st.calls.Load())
	}
	// A valid name reaches the store.
	if r := s.do("admin", "GET", "/v1/environments/"+strings.Repeat("a", 100), "", nil); r.status != 500 || st.calls.Load() != 1 {
		t.Fatalf("a valid name: %d, %d lookups; want it looked up", r.status, st.calls.Load())
	}
}

// healthFunc is a HealthChecker calling itself.
type healthFunc func(ctx context.Context) error

func (f healthFunc) CheckHealth(ctx context.Context) error { return f(ctx) }

func healthOf(t *testing.T, s *server) (int, apimodel.Health, string) {
	t.Helper()
	r := s.do("", "GET", "/healthz", "", nil)
	var report apimodel.Health
	if err := json.Unmarshal([]byte(r.body), &report); err != nil {
		t.Fatalf("healthz body %q: %v", r.body, err)
	}
	return r.status, report, r.body
}

func TestHealthzNamesTheDependencyDown(t *testing.T) {
	var failure error // nil: healthy (the handler runs on this goroutine)
	var checks atomic.Int64
	now := time.Date(2026, 12, 6, 3, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	s := newServerWith(t, nil, Options{Now: clock, Dependencies: map[string]HealthChecker{
		"dynamodb": healthFunc(func(ctx context.Context) error {
			checks.Add(1)
			return failure
		}),
	}})
	if status, report, body := healthOf(t, s); status != 200 || report.Status != "ok" || report.Dependencies["dynamodb"] != "ok" {
		t.Fatalf("healthy: %d %s", status, body)
	}
	// Within a second the answer is reused: /healthz cannot be turned into load.
	failure = errors.New("dial tcp 10.1.2.3:8000: connect: connection refused")
	if status, _, _ := healthOf(t, s); status != 200 || checks.Load() != 1 {
		t.Fatalf("within the TTL: %d after %d checks, want the cached 200 after 1", status, checks.Load())
	}
	now = now.Add(healthTTL)
	status, report, body := healthOf(t, s)
	if status != 503 || report.Status != "unavailable" || report.Dependencies["dynamodb"] != "unreachable" {
		t.Fatalf("DynamoDB down: %d %s, want 503 naming dynamodb unreachable", status, body)
	}
	if strings.Contains(body, "10.1.2.3") || !strings.Contains(s.log.String(), "10.1.2.3") {
		t.Fatalf("the detail belongs in the log only: body %s", body)
	}
	now = now.Add(healthTTL)
	failure = platform.Errorf(platform.NotFound, "table not found")
	if _, report, body := healthOf(t, s); report.Dependencies["dynamodb"] != "table not found" {
		t.Fatalf("table missing: %s", body)
	}
	now = now.Add(healthTTL)
	failure = context.DeadlineExceeded
	if _, report, body := healthOf(t, s); report.Dependencies["dynamodb"] != "timed out" {
		t.Fatalf("slow DynamoDB: %s", body)
	}
}

func TestHealthzOnDynamoDB(t *testing.T) {
	up := newServerWith(t, nil, Options{Dependencies: map[string]HealthChecker{"dynamodb": storetest.NewStore(t)}})
	if status, _, body := healthOf(t, up); status != 200 || !strings.Contains(body, `"dynamodb":"ok"`) {
		t.Fatalf("DynamoDB Local up: %d %s", status, body)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + l.Addr().String()
	l.Close() // nothing listens there: DynamoDB is down
	down := newServerWith(t, nil, Options{Dependencies: map[string]HealthChecker{"dynamodb": store.New(dynamolocal.NewClient(endpoint), "gantry")}})
	status, report, body := healthOf(t, down)
	if reason := report.Dependencies["dynamodb"]; status != 503 || reason != "unreachable" && reason != "timed out" {
		t.Fatalf("DynamoDB down: %d %s, want 503 naming dynamodb", status, body)
	}
}

func TestDeadLetterRoutesAreLocalAndAdminOnly(t *testing.T) {
	log, err := eventbus.OpenDeadLetterLog(filepath.Join(t.TempDir(), "dead-letters.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	bus := eventbus.New(eventbus.Options{DeadLetters: log, MaxAttempts: 1, OnDeliveryError: func(string, []byte, error) {}})
	t.Cleanup(bus.Close)
	var fail atomic.Bool
	fail.Store(true)
	var delivered atomic.Int64
	if err := bus.AddRule("r", []byte(`{"source":["gantry"]}`), func(context.Context, []byte) error {
		if fail.Load() {
			return errors.New("target down")
		}
		delivered.Add(1)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := bus.Put(t.Context(), []byte(`{"source":"gantry","detail-type":"T","detail":{"k":1}}`)); err != nil {
		t.Fatal(err)
	}
	if err := bus.Idle(t.Context()); err != nil {
		t.Fatal(err)
	}

	s := newServerWith(t, nil, Options{DeadLetters: bus})
	if r := s.do("developer", "GET", "/v1/local/dlq", "", nil); r.status != 403 {
		t.Fatalf("a developer lists dead letters: %d %s, want 403", r.status, r.body)
	}
	r := s.do("admin", "GET", "/v1/local/dlq", "", nil)
	var list apimodel.List[apimodel.DeadLetter]
	if err := json.Unmarshal([]byte(r.body), &list); err != nil || r.status != 200 || len(list.Items) != 1 ||
		list.Items[0].Rule != "r" || list.Items[0].Error != "attempt 1 of 1: target down" || string(list.Items[0].Event) != `{"source":"gantry","detail-type":"T","detail":{"k":1}}` {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	if r := s.do("admin", "POST", "/v1/local/dlq/replay?ids=nope", "", nil); r.status != 404 {
		t.Fatalf("replay of an unknown id: %d %s, want 404", r.status, r.body)
	}
	fail.Store(false)
	if r := s.do("admin", "POST", "/v1/local/dlq/replay?ids="+list.Items[0].ID, "", nil); r.status != 200 || r.body != "{\"replayed\":1}\n" {
		t.Fatalf("replay: %d %s", r.status, r.body)
	}
	if err := bus.Idle(t.Context()); err != nil {
		t.Fatal(err)
	}
	if r := s.do("admin", "GET", "/v1/local/dlq", "", nil); delivered.Load() != 1 || !strings.Contains(r.body, `"items":[]`) {
		t.Fatalf("after replay: delivered %d, list %s", delivered.Load(), r.body)
	}

	// Not served without a dead-letter log (on AWS), but described, marked local.
	aws := newServerWith(t, nil, Options{})
	if r := aws.do("admin", "GET", "/v1/local/dlq", "", nil); r.status != 404 {
		t.Fatalf("without a dead-letter log: %d, want 404", r.status)
	}
	paths := OpenAPI()["paths"].(map[string]any)
	for _, p := range []string{"/v1/local/dlq", "/v1/local/dlq/replay"} {
		for _, op := range paths[p].(map[string]any) {
			if op.(map[string]any)["x-gantry-local"] != true {
				t.Errorf("%s is not marked x-gantry-local", p)
			}
		}
	}
}
