package api

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/dynamolocal"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/store/storetest"
)

func TestMain(m *testing.M) { dynamolocal.Main(m) }

// envBundleDir is the environment template of the shared conformance suite's
// loadbalanced-fargate sample.
const envBundleDir = "../../../shared/conformance/proton-jinja/bundles/aws-samples__aws-proton-cloudformation-sample-templates/loadbalanced-fargate-svc/loadbalanced-fargate-env/v1"

// authFunc is an Authenticator: "Authorization: Bearer <role>" authenticates a caller
// holding that role ("none" for no role); "Bearer broken" fails as a verifier outage
// would; no header is Unauthorized.
type authFunc func(r *http.Request) (platform.Caller, error)

func (f authFunc) Authenticate(r *http.Request) (platform.Caller, error) { return f(r) }

func roleAuth(r *http.Request) (platform.Caller, error) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	switch {
	case !ok:
		return platform.Caller{}, platform.Errorf(platform.Unauthorized, "a bearer token is required")
	case token == "broken":
		return platform.Caller{}, errors.New("jwks fetch: dial tcp 10.9.9.9:443: secret-verifier-detail")
	case token == "none":
		return platform.Caller{Subject: "nobody"}, nil
	}
	return platform.Caller{Subject: token + "-user", Roles: []platform.Role{platform.Role(token)}}, nil
}

// logBuffer collects the handler's log, safe for concurrent writes.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// workflowsFake is a platform.Workflows that accepts everything.
type workflowsFake struct{}

func (workflowsFake) Start(ctx context.Context, name string, input json.RawMessage) (string, error) {
	return "execution-" + name, nil
}
func (workflowsFake) SendTaskSuccess(ctx context.Context, token string, output json.RawMessage) error {
	return nil
}
func (workflowsFake) SendTaskFailure(ctx context.Context, token, errorName, cause string) error {
	return nil
}
func (workflowsFake) SendTaskHeartbeat(ctx context.Context, token string) error { return nil }

// server is the API over a control plane on store, with roleAuth and a captured log.
type server struct {
	t       *testing.T
	handler http.Handler
	log     *logBuffer
}

func newServer(t *testing.T, store platform.Store) *server {
	t.Helper()
	return newServerWith(t, store, Options{})
}

// newRealServer is the API over the real store on DynamoDB Local.
func newRealServer(t *testing.T) *server {
	t.Helper()
	return newServer(t, storetest.NewStore(t))
}

// response is a recorded answer.
type response struct {
	status int
	header http.Header
	body   string
}

// errorBody decodes the answer as the API's error shape.
func (r response) errorBody(t *testing.T) apimodel.Error {
	t.Helper()
	var e apimodel.Error
	if err := json.Unmarshal([]byte(r.body), &e); err != nil {
		t.Fatalf("error body %q: %v", r.body, err)
	}
	if e.RequestID == "" || e.RequestID != r.header.Get("X-Request-Id") {
		t.Fatalf("error body requestId %q, header %q: want the same, non-empty", e.RequestID, r.header.Get("X-Request-Id"))
	}
	return e
}

// do sends a request as role ("" for none) through the handler.
func (s *server) do(role, method, path, contentType string, body []byte) response {
	s.t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+role)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	return response{status: rec.Code, header: rec.Header(), body: rec.Body.String()}
}

func (s *server) json(role, method, path string, body any) response {
	s.t.Helper()
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			s.t.Fatal(err)
		}
	}
	return s.do(role, method, path, "application/json", raw)
}

// tarGz packs dir as a .tar.gz bundle.
func tarGz(t *testing.T, dir string) []byte {
	t.Helper()
	return tarGzUnder(t, dir, "")
}

// tarGzUnder packs dir with every entry's name starting with prefix (e.g. "v1/").
func tarGzUnder(t *testing.T, dir, prefix string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if err := tw.WriteHeader(&tar.Header{Name: prefix + filepath.ToSlash(rel), Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		_, err = tw.Write(data)
		return err
	})
	if err != nil {
		t.Fatalf("pack %s: %v (the shared conformance suite must sit at ../shared)", dir, err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// storeFake is a platform.Store whose listed methods call its function fields; any other
// method panics (the embedded interface is nil), which the tests do not reach.
type storeFake struct {
	platform.Store
	listEnvironments func(ctx context.Context, page platform.PageRequest) (platform.Page[platform.Environment], error)
	getEnvironment   func(ctx context.Context, name string) (platform.Environment, error)
}

func (s *storeFake) ListEnvironments(ctx context.Context, page platform.PageRequest) (platform.Page[platform.Environment], error) {
	return s.listEnvironments(ctx, page)
}

func (s *storeFake) GetEnvironment(ctx context.Context, name string) (platform.Environment, error) {
	return s.getEnvironment(ctx, name)
}

func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	raw, err := json.Marshal(OpenAPI())
	if err != nil {
		t.Fatalf("the document does not marshal: %v", err)
	}
	var doc struct {
		OpenAPI    string                               `json:"openapi"`
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("the document is not valid JSON of the expected shape: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi = %q", doc.OpenAPI)
	}
	for _, rt := range routes() {
		op := doc.Paths[rt.path][strings.ToLower(rt.method)]
		if op == nil {
			t.Errorf("%s %s (%s) is not in the document", rt.method, rt.path, rt.operationID)
			continue
		}
		if op["operationId"] != rt.operationID {
			t.Errorf("%s %s: operationId %v, want %s", rt.method, rt.path, op["operationId"], rt.operationID)
		}
		params, _ := op["parameters"].([]any)
		for _, name := range pathParams(rt.path) {
			found := false
			for _, p := range params {
				if p := p.(map[string]any); p["name"] == name && p["in"] == "path" && p["required"] == true {
					found = true
				}
			}
			if !found {
				t.Errorf("%s %s: path parameter %s is not declared", rt.method, rt.path, name)
			}
		}
	}
	seen := map[string]string{}
	operations := 0
	for path, item := range doc.Paths {
		for method, op := range item {
			operations++
			id, _ := op["operationId"].(string)
			if id == "" {
				t.Errorf("%s %s has no operationId", method, path)
			}
			if other, dup := seen[id]; dup {
				t.Errorf("operationId %s is used by %s and %s %s", id, other, method, path)
			}
			seen[id] = method + " " + path
		}
	}
	if operations != len(routes()) {
		t.Errorf("the document has %d operations, the route table %d", operations, len(routes()))
	}
	for _, ref := range strings.Split(string(raw), `"$ref":"#/components/schemas/`)[1:] {
		name := ref[:strings.IndexByte(ref, '"')]
		if doc.Components.Schemas[name] == nil {
			t.Errorf("$ref to undefined schema %s", name)
		}
	}

	s := newServer(t, nil)
	r := s.do("developer", "GET", "/openapi.json", "", nil)
	var served any
	var built any
	_ = json.Unmarshal(raw, &built)
	if err := json.Unmarshal([]byte(r.body), &served); r.status != 200 || err != nil || !jsonEqual(served, built) {
		t.Fatalf("GET /openapi.json = %d, %v; want the document", r.status, err)
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func TestStatusOfEveryKind(t *testing.T) {
	want := map[platform.ErrorKind]struct {
		status int
		code   string
	}{
		platform.Invalid:      {400, "ValidationException"},
		platform.Unauthorized: {401, "UnauthorizedException"},
		platform.Forbidden:    {403, "AccessDeniedException"},
		platform.NotFound:     {404, "ResourceNotFoundException"},
		platform.Conflict:     {409, "ConflictException"},
		platform.Internal:     {500, "InternalServerException"},
	}
	for kind, w := range want {
		if status, code := statusOf(kind); status != w.status || code != w.code {
			t.Errorf("statusOf(%s) = %d %s, want %d %s", kind, status, code, w.status, w.code)
		}
	}
}

// TestErrorsThroughTheHandler provokes each error kind with a real request.
func TestErrorsThroughTheHandler(t *testing.T) {
	s := newRealServer(t)
	if r := s.json("admin", "POST", "/v1/environment-templates", map[string]string{"name": "env"}); r.status != 201 {
		t.Fatalf("create template: %d %s", r.status, r.body)
	}
	cases := []struct {
		name         string
		role, method string
		path         string
		body         any
		status       int
		code         string
		says         string
	}{
		{"invalid", "admin", "POST", "/v1/environment-templates", map[string]string{"name": "no spaces"}, 400, "ValidationException", "name"},
		{"unauthorized", "", "GET", "/v1/environments", nil, 401, "UnauthorizedException", "bearer token"},
		{"forbidden by role", "developer", "POST", "/v1/environment-templates", map[string]string{"name": "x"}, 403, "AccessDeniedException", "admin role"},
		{"forbidden without a role", "none", "GET", "/v1/environments", nil, 403, "AccessDeniedException", "no Gantry role"},
		{"not found", "developer", "GET", "/v1/environments/Nope", nil, 404, "ResourceNotFoundException", "Nope"},
		{"no route", "developer", "GET", "/v1/nothing-here", nil, 404, "ResourceNotFoundException", "no route"},
		{"conflict", "admin", "POST", "/v1/environment-templates", map[string]string{"name": "env"}, 409, "ConflictException", "env"},
	}
	for _, c := range cases {
		r := s.json(c.role, c.method, c.path, c.body)
		if r.status != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.name, r.status, c.status, r.body)
			continue
		}
		if e := r.errorBody(t); e.Code != c.code || !strings.Contains(e.Message, c.says) {
			t.Errorf("%s: %+v, want code %s and a message saying %q", c.name, e, c.code, c.says)
		}
		if ct := r.header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: Content-Type %q", c.name, ct)
		}
	}
}

func TestInternalErrorsDoNotLeak(t *testing.T) {
	const secret = "dial tcp 10.1.2.3:8000: connection refused by secret-host"
	s := newServer(t, &storeFake{
		listEnvironments: func(ctx context.Context, page platform.PageRequest) (platform.Page[platform.Environment], error) {
			return platform.Page[platform.Environment]{}, errors.New(secret)
		},
		getEnvironment: func(ctx context.Context, name string) (platform.Environment, error) {
			return platform.Environment{}, platform.Errorf(platform.Internal, "store: %s", secret)
		},
	})
	for _, path := range []string{"/v1/environments", "/v1/environments/Beta"} {
		r := s.do("developer", "GET", path, "", nil)
		if r.status != 500 {
			t.Fatalf("GET %s: %d %s, want 500", path, r.status, r.body)
		}
		e := r.errorBody(t)
		if e.Code != "InternalServerException" || e.Message != "internal error" || strings.Contains(r.body, "secret") {
			t.Fatalf("GET %s answered %s, want only \"internal error\" and the request id", path, r.body)
		}
		if log := s.log.String(); !strings.Contains(log, secret) || !strings.Contains(log, e.RequestID) {
			t.Fatalf("the log does not hold the error and request id %s:\n%s", e.RequestID, log)
		}
	}
}

func TestPanicBecomesInternalError(t *testing.T) {
	s := newServer(t, &storeFake{
		getEnvironment: func(ctx context.Context, name string) (platform.Environment, error) {
			panic("index out of range in secret-code-path")
		},
	})
	r := s.do("developer", "GET", "/v1/environments/Beta", "", nil)
	if r.status != 500 {
		t.Fatalf("a panicking handler answered %d %s, want 500", r.status, r.body)
	}
	e := r.errorBody(t)
	if e.Message != "internal error" || strings.Contains(r.body, "secret") {
		t.Fatalf("a panic answered %s", r.body)
	}
	log := s.log.String()
	if !strings.Contains(log, "panic in handler") || !strings.Contains(log, "secret-code-path") || !strings.Contains(log, e.RequestID) {
		t.Fatalf("the panic is not logged with its request id %s:\n%s", e.RequestID, log)
	}
	// The server goes on serving.
	if r := s.do("", "GET", "/healthz", "", nil); r.status != 200 {
		t.Fatalf("healthz after a panic: %d", r.status)
	}
}

func TestBadJSONBodies(t *testing.T) {
	s := newRealServer(t)
	cases := []struct {
		name, method, path, contentType, body string
		says                                  string
	}{
		{"unknown field", "POST", "/v1/environment-templates", "application/json", `{"name":"x","colour":"red"}`, "colour"},
		{"unknown field of an update", "PATCH", "/v1/environments/Beta", "application/json", `{"deploymentType":"NONE","spek":"x"}`, "spek"},
		{"unknown field of a create", "POST", "/v1/environments", "application/json", `{"name":"Beta","nmae":"x"}`, "nmae"},
		{"wrong type", "POST", "/v1/environment-templates", "application/json", `{"name":5}`, "name"},
		{"wrong type in a create", "POST", "/v1/environments", "application/json", `{"name":"Beta","templateMajorVersion":"1"}`, "templateMajorVersion"},
		{"unknown field of a service", "POST", "/v1/services", "application/json", `{"name":"api","branch":"main"}`, "branch"},
		{"wrong type in a service", "POST", "/v1/services", "application/json", `{"name":"api","templateMinorVersion":[1]}`, "templateMinorVersion"},
		{"wrong type in an update", "PATCH", "/v1/services/api/instances/api-beta", "application/json", `{"deploymentType":"NONE","clientToken":7}`, "clientToken"},
		{"not JSON", "POST", "/v1/environment-templates", "application/json", `{"name":`, "JSON"},
		{"two objects", "POST", "/v1/environment-templates", "application/json", `{"name":"a"}{"name":"b"}`, "one JSON object"},
		{"empty body", "POST", "/v1/environment-templates", "application/json", ``, "JSON object"},
		{"wrong content type", "POST", "/v1/environment-templates", "text/plain", `{"name":"x"}`, "application/json"},
	}
	for _, c := range cases {
		r := s.do("admin", c.method, c.path, c.contentType, []byte(c.body))
		if r.status != 400 {
			t.Errorf("%s: %d %s, want 400", c.name, r.status, r.body)
			continue
		}
		if e := r.errorBody(t); e.Code != "ValidationException" || !strings.Contains(e.Message, c.says) {
			t.Errorf("%s: %+v, want a message saying %q", c.name, e, c.says)
		}
	}
	if r := s.json("admin", "GET", "/v1/environment-templates", nil); !strings.Contains(r.body, `"items":[]`) {
		t.Fatalf("rejected bodies created templates: %s", r.body)
	}
}

func TestBundleUploadContentType(t *testing.T) {
	s := newRealServer(t)
	if r := s.json("admin", "POST", "/v1/environment-templates", map[string]string{"name": "env"}); r.status != 201 {
		t.Fatalf("create template: %d %s", r.status, r.body)
	}
	bundle := tarGz(t, envBundleDir)
	for _, ct := range []string{"application/json", "", "text/plain", "multipart/form-data; boundary=x"} {
		r := s.do("admin", "POST", "/v1/environment-templates/env/versions", ct, bundle)
		if r.status != 400 {
			t.Errorf("Content-Type %q: %d %s, want 400", ct, r.status, r.body)
			continue
		}
		if e := r.errorBody(t); !strings.Contains(e.Message, "application/gzip") {
			t.Errorf("Content-Type %q: %q, want a message naming application/gzip", ct, e.Message)
		}
	}
	r := s.do("admin", "POST", "/v1/environment-templates/env/versions", "application/gzip", bundle)
	if r.status != 201 || !strings.Contains(r.body, `"majorVersion":1`) {
		t.Fatalf("upload as application/gzip: %d %s", r.status, r.body)
	}
	for _, q := range []string{"majorVersion=0", "majorVersion=x", "compatibleEnvironmentTemplates=nomajor"} {
		if r := s.do("admin", "POST", "/v1/environment-templates/env/versions?"+q, "application/gzip", bundle); r.status != 400 {
			t.Errorf("?%s: %d %s, want 400", q, r.status, r.body)
		}
	}
}

func TestUnauthorizedCarriesWWWAuthenticate(t *testing.T) {
	s := newRealServer(t)
	for _, role := range []string{"", "broken"} {
		r := s.do(role, "GET", "/v1/environments", "", nil)
		if r.status != 401 || r.header.Get("WWW-Authenticate") != `Bearer realm="gantry"` {
			t.Fatalf("token %q: %d, WWW-Authenticate %q", role, r.status, r.header.Get("WWW-Authenticate"))
		}
		e := r.errorBody(t)
		if e.Code != "UnauthorizedException" || strings.Contains(r.body, "secret-verifier-detail") {
			t.Fatalf("token %q answered %s", role, r.body)
		}
	}
	if !strings.Contains(s.log.String(), "secret-verifier-detail") {
		t.Fatal("a verifier failure is not logged")
	}
	if r := s.do("", "GET", "/healthz", "", nil); r.status != 200 || r.header.Get("WWW-Authenticate") != "" {
		t.Fatalf("healthz without a token: %d", r.status)
	}
}

func TestMaxResultsRange(t *testing.T) {
	s := newRealServer(t)
	for _, path := range []string{"/v1/environments", "/v1/environment-templates", "/v1/services"} {
		for _, bad := range []string{"0", "101", "-1", "abc", "1.5"} {
			r := s.do("developer", "GET", path+"?maxResults="+bad, "", nil)
			if r.status != 400 {
				t.Errorf("%s?maxResults=%s: %d, want 400", path, bad, r.status)
				continue
			}
			if e := r.errorBody(t); !strings.Contains(e.Message, "maxResults") {
				t.Errorf("%s?maxResults=%s: %q, want a message naming maxResults", path, bad, e.Message)
			}
		}
		for _, good := range []string{"1", "100"} {
			if r := s.do("developer", "GET", path+"?maxResults="+good, "", nil); r.status != 200 {
				t.Errorf("%s?maxResults=%s: %d %s, want 200", path, good, r.status, r.body)
			}
		}
	}
}

func TestRequestID(t *testing.T) {
	s := newServer(t, nil)
	req := httptest.NewRequest("GET", "/healthz", nil)
	req.Header.Set("X-Request-Id", "trace-abc_123")
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	if got := rec.Header().Get("X-Request-Id"); got != "trace-abc_123" {
		t.Fatalf("a plain caller request id became %q", got)
	}
	req.Header.Set("X-Request-Id", "not a token\n")
	rec = httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	if got := rec.Header().Get("X-Request-Id"); got == "" || strings.ContainsAny(got, " \n") {
		t.Fatalf("an unsafe caller request id became %q", got)
	}
	var body bytes.Buffer
	_, _ = io.Copy(&body, rec.Body)
	if !strings.Contains(body.String(), "ok") {
		t.Fatalf("healthz = %s", body.String())
	}
}
