package local

import (
	"encoding/json"
	"io/fs"
	"net"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/gantry-platform/gantry/internal/consolefiles"
	"github.com/gantry-platform/gantry/internal/platform"
)

// ConsoleTokensPath is where local mode hands the web console's sign-in picker its dev
// tokens; ConsoleConfigPath is where the console reads how to sign in ({"mode":"local"}
// here; on AWS the CDK app writes {"mode":"oidc", …} beside the built files).
const (
	ConsoleTokensPath = "/local/console/tokens"
	ConsoleConfigPath = "/console-config.json"
)

// ConsoleTokenTTL is how long a token handed to the console's picker is valid.
const ConsoleTokenTTL = 12 * time.Hour

// Console returns the handler of local mode's one origin: the API (its /v1 routes,
// /healthz, /openapi.json and Proton's wire protocol on POST /) first, then the web
// console's built files from dist (web/dist) at /, with index.html for any other GET (the
// console's own routes, e.g. /environments/dev) but that of a missing built file
// (consolefiles.IsFile: under /assets/, or .js, .css, .svg…), which reaches the API and
// its JSON 404.
//
// It also serves, to loopback clients only, the sign-in picker's tokens at
// ConsoleTokensPath: {"admin": "<JWT>", "developer": "<JWT>"} issued by p, valid for
// ConsoleTokenTTL. A request from another address, or naming another host (a DNS
// rebinding page), is refused with 403. dist nil serves the API alone.
func (p *Platform) Console(dist fs.FS) http.Handler {
	files := http.FileServerFS(dist)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case isAPIPath(r):
			p.Handler.ServeHTTP(w, r)
		case r.URL.Path == ConsoleTokensPath:
			p.serveConsoleTokens(w, r)
		case r.URL.Path == ConsoleConfigPath && r.Method == http.MethodGet:
			writeConsoleJSON(w, http.StatusOK, map[string]string{"mode": "local"})
		case dist == nil || (r.Method != http.MethodGet && r.Method != http.MethodHead):
			p.Handler.ServeHTTP(w, r)
		default:
			name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
			if name == "" {
				name = "index.html"
			}
			if st, err := fs.Stat(dist, name); err == nil && !st.IsDir() {
				if strings.HasPrefix(name, "assets/") { // content-hashed by Vite
					w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				} else {
					w.Header().Set("Cache-Control", "no-cache")
				}
				files.ServeHTTP(w, r)
				return
			}
			if consolefiles.IsFile("/" + name) {
				p.Handler.ServeHTTP(w, r)
				return
			}
			w.Header().Set("Cache-Control", "no-cache")
			http.ServeFileFS(w, r, dist, "index.html")
		}
	})
}

// isAPIPath reports whether r is for the API rather than the console's files.
func isAPIPath(r *http.Request) bool {
	p := r.URL.Path
	switch {
	case p == "/" && r.Method == http.MethodPost: // Proton's wire protocol
		return true
	case p == "/healthz", p == "/openapi.json", p == "/v1", strings.HasPrefix(p, "/v1/"):
		return true
	}
	return false
}

func (p *Platform) serveConsoleTokens(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeConsoleJSON(w, http.StatusMethodNotAllowed, map[string]string{"code": "MethodNotAllowed", "message": "GET " + ConsoleTokensPath + " only"})
		return
	}
	if !isLoopback(r) {
		writeConsoleJSON(w, http.StatusForbidden, map[string]string{"code": "AccessDeniedException",
			"message": "the local console's tokens are handed to this machine's browser only (a loopback address and host)"})
		return
	}
	out := map[string]string{}
	for _, role := range []platform.Role{platform.AdminRole, platform.DeveloperRole} {
		token, err := p.Token("local-"+string(role), role, ConsoleTokenTTL)
		if err != nil {
			writeConsoleJSON(w, http.StatusInternalServerError, map[string]string{"code": "InternalServerException", "message": "internal error"})
			return
		}
		out[string(role)] = token
	}
	w.Header().Set("Cache-Control", "no-store")
	writeConsoleJSON(w, http.StatusOK, out)
}

// isLoopback reports whether r comes from a loopback address and names a loopback host.
func isLoopback(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return false
	}
	name := r.Host
	if h, _, err := net.SplitHostPort(r.Host); err == nil {
		name = h
	}
	if name == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(name, "[]"))
	return ip != nil && ip.IsLoopback()
}

func writeConsoleJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
