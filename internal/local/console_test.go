package local

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gantry-platform/gantry/internal/auth"
	"github.com/gantry-platform/gantry/internal/platform"
)

// consolePlatform is a Platform with only what Console uses: an API handler that names
// itself in its answer, and a token issuer.
func consolePlatform(t *testing.T) *Platform {
	t.Helper()
	issuer, err := auth.NewLocalIssuer(Issuer, Audience, auth.DefaultRoleMap())
	if err != nil {
		t.Fatal(err)
	}
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Served-By", "api")
		w.WriteHeader(http.StatusTeapot)
	})
	return &Platform{Handler: api, Issuer: issuer}
}

var consoleDist = fstest.MapFS{
	"index.html":          {Data: []byte("<!doctype html><title>Gantry</title>")},
	"assets/index-ab1.js": {Data: []byte("console.log(1)")},
	"favicon.svg":         {Data: []byte("<svg/>")},
}

func TestConsoleServesFilesBesideTheAPI(t *testing.T) {
	h := consolePlatform(t).Console(consoleDist)
	for _, c := range []struct {
		method, path string
		want         string // "api", "index" or a file's content
	}{
		{"POST", "/", "api"}, // Proton's wire protocol
		{"GET", "/healthz", "api"},
		{"GET", "/openapi.json", "api"},
		{"GET", "/v1/environments", "api"},
		{"POST", "/v1/environments", "api"},
		{"GET", "/v1/no-such-route", "api"},
		{"GET", "/v1", "api"},
		{"GET", "/", "index"},
		{"GET", "/environments/dev", "index"}, // a console route: SPA fallback
		{"GET", "/templates/environment/vpc-ecs/versions/1.0", "index"},
		{"GET", "/assets/index-ab1.js", "console.log(1)"},
		{"GET", "/favicon.svg", "<svg/>"},
		{"GET", "/assets/missing.js", "api"}, // a missing file is the API's JSON 404
		{"DELETE", "/environments/dev", "api"},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(c.method, c.path, nil))
		got := rec.Body.String()
		switch {
		case rec.Header().Get("X-Served-By") == "api":
			got = "api"
		case strings.Contains(got, "<title>Gantry</title>"):
			got = "index"
		}
		if got != c.want {
			t.Errorf("%s %s: served %q, want %q", c.method, c.path, got, c.want)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/assets/index-ab1.js", nil))
	if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("hashed asset Cache-Control = %q, want immutable", cc)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/services", nil))
	if cc := rec.Header().Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("index.html Cache-Control = %q, want no-cache", cc)
	}
}

func TestConsoleWithoutBuildServesTheAPI(t *testing.T) {
	h := consolePlatform(t).Console(nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/environments", nil))
	if rec.Header().Get("X-Served-By") != "api" {
		t.Fatalf("without a build, GET /environments was not the API's: %d %s", rec.Code, rec.Body)
	}
}

func TestConsoleConfigIsLocal(t *testing.T) {
	rec := httptest.NewRecorder()
	consolePlatform(t).Console(consoleDist).ServeHTTP(rec, httptest.NewRequest("GET", ConsoleConfigPath, nil))
	var cfg map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &cfg); err != nil || cfg["mode"] != "local" {
		t.Fatalf("config = %d %s (%v), want mode local", rec.Code, rec.Body, err)
	}
}

func TestConsoleTokensOnlyToLoopback(t *testing.T) {
	p := consolePlatform(t)
	h := p.Console(consoleDist)
	get := func(remote, host string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", ConsoleTokensPath, nil)
		r.RemoteAddr, r.Host = remote, host
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}
	for _, c := range []struct{ remote, host string }{{"127.0.0.1:5000", "127.0.0.1:8080"}, {"[::1]:5000", "localhost:8080"}, {"127.0.0.1:5000", "[::1]:8080"}} {
		rec := get(c.remote, c.host)
		if rec.Code != http.StatusOK {
			t.Fatalf("from %s to %s: %d %s", c.remote, c.host, rec.Code, rec.Body)
		}
		if rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("tokens answer Cache-Control = %q, want no-store", rec.Header().Get("Cache-Control"))
		}
		var tokens map[string]string
		if err := json.Unmarshal(rec.Body.Bytes(), &tokens); err != nil {
			t.Fatal(err)
		}
		for role, want := range map[string]platform.Role{"admin": platform.AdminRole, "developer": platform.DeveloperRole} {
			caller, err := p.Issuer.Verify(tokens[role])
			if err != nil {
				t.Fatalf("%s token: %v", role, err)
			}
			if !caller.Has(want) || (want == platform.DeveloperRole && caller.Has(platform.AdminRole)) {
				t.Errorf("%s token carries roles %v", role, caller.Roles)
			}
		}
	}
	for _, c := range []struct{ remote, host string }{
		{"192.0.2.7:5000", "127.0.0.1:8080"},       // another machine
		{"127.0.0.1:5000", "evil.example:8080"},    // DNS rebinding: a loopback peer naming another host
		{"127.0.0.1:5000", "gantry.internal:8080"}, // a proxy forwarding from elsewhere
	} {
		if rec := get(c.remote, c.host); rec.Code != http.StatusForbidden || strings.Contains(rec.Body.String(), "eyJ") {
			t.Errorf("from %s to %s: %d %s, want 403 without a token", c.remote, c.host, rec.Code, rec.Body)
		}
	}
	r := httptest.NewRequest("POST", ConsoleTokensPath, nil)
	r.RemoteAddr = "127.0.0.1:5000"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST tokens: %d, want 405", rec.Code)
	}
}
