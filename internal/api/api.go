// Package api is Gantry's HTTP API: JSON over HTTP in Proton's vocabulary, the same
// http.Handler served by the API Lambda (through API Gateway) and by local mode. Every
// route but /healthz is authenticated; each declares the role it needs, enforced here.
// Handlers are thin: decode, one call into the control plane, encode.
package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
)

// Authenticator turns a request's credentials into its caller; Unauthorized otherwise.
type Authenticator interface {
	Authenticate(r *http.Request) (platform.Caller, error)
}

// Options configures the handler.
type Options struct {
	Log *slog.Logger
	// RequestID returns the id of a request (API Gateway's, on AWS); default: a random id,
	// or the caller's X-Request-Id when it is a plain token.
	RequestID func(r *http.Request) string
	Now       func() time.Time
}

// access is who may call a route.
type access string

const (
	public    access = "public"    // no authentication
	anyRole   access = "read"      // any authenticated caller with a role
	adminOnly access = "admin"     // platform admins
	developer access = "developer" // developers (and admins)
)

// route is one operation of the API, the single source of the router and the OpenAPI document.
type route struct {
	method, path string
	operationID  string
	summary      string
	access       access
	request      string // schema name of the JSON body, "bundle" for a .tar.gz, "" for none
	response     string // schema name of the success body
	status       int    // success status
	query        []string
	handle       func(h *handler, w http.ResponseWriter, r *http.Request) error
}

type handler struct {
	svc  *control.Service
	arns platform.ARNScope
	auth Authenticator
	opts Options
	mux  *http.ServeMux
}

// New returns the API's http.Handler.
func New(svc *control.Service, auth Authenticator, opts Options) http.Handler {
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.RequestID == nil {
		opts.RequestID = defaultRequestID
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	h := &handler{svc: svc, arns: svc.ARNScope(), auth: auth, opts: opts, mux: http.NewServeMux()}
	for _, rt := range routes() {
		h.mux.Handle(rt.method+" "+rt.path, h.wrap(rt))
	}
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		id := requestIDOf(r, h.opts)
		w.Header().Set("X-Request-Id", id)
		h.fail(w, r, id, platform.Errorf(platform.NotFound, "no route %s %s", r.Method, r.URL.Path))
	})
	return h.mux
}

type ctxKey struct{}

func requestIDOf(r *http.Request, opts Options) string {
	if id, ok := r.Context().Value(ctxKey{}).(string); ok {
		return id
	}
	return opts.RequestID(r)
}

func defaultRequestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= 64 && isToken(id) {
		return id
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func isToken(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// statusWriter remembers the status for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) { s.status = code; s.ResponseWriter.WriteHeader(code) }

// wrap authenticates, authorizes, recovers and logs around a route's handler.
func (h *handler) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := h.opts.Now()
		id := h.opts.RequestID(r)
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, id))
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		sw.Header().Set("X-Request-Id", id)
		subject := ""
		defer func() {
			if p := recover(); p != nil {
				h.opts.Log.ErrorContext(r.Context(), "panic in handler", "requestId", id, "panic", p, "stack", string(debug.Stack()))
				h.fail(sw, r, id, errors.New("panic"))
			}
			h.opts.Log.InfoContext(r.Context(), "request", "requestId", id, "method", r.Method, "path", r.URL.Path,
				"operation", rt.operationID, "status", sw.status, "subject", subject,
				"durationMs", float64(h.opts.Now().Sub(start).Microseconds())/1000)
		}()
		if rt.access != public {
			c, err := h.auth.Authenticate(r)
			if err != nil {
				if platform.KindOf(err) != platform.Unauthorized {
					h.opts.Log.ErrorContext(r.Context(), "authenticate", "requestId", id, "error", err)
					err = platform.Errorf(platform.Unauthorized, "the token could not be verified")
				}
				h.fail(sw, r, id, err)
				return
			}
			subject = c.Subject
			if err := authorize(c, rt); err != nil {
				h.fail(sw, r, id, err)
				return
			}
			r = r.WithContext(platform.WithCaller(r.Context(), c))
		}
		if err := rt.handle(h, sw, r); err != nil {
			h.fail(sw, r, id, err)
		}
	})
}

func authorize(c platform.Caller, rt route) error {
	switch rt.access {
	case anyRole:
		if len(c.Roles) == 0 {
			return platform.Errorf(platform.Forbidden, "%s: your groups grant no Gantry role", rt.operationID)
		}
	case adminOnly:
		if !c.Has(platform.AdminRole) {
			return platform.Errorf(platform.Forbidden, "%s needs the admin role", rt.operationID)
		}
	case developer:
		if !c.Has(platform.DeveloperRole) {
			return platform.Errorf(platform.Forbidden, "%s needs the developer role", rt.operationID)
		}
	}
	return nil
}

// statusOf maps error kinds to HTTP statuses and error codes: the one table.
func statusOf(kind platform.ErrorKind) (int, string) {
	switch kind {
	case platform.Invalid:
		return http.StatusBadRequest, "ValidationException"
	case platform.Unauthorized:
		return http.StatusUnauthorized, "UnauthorizedException"
	case platform.Forbidden:
		return http.StatusForbidden, "AccessDeniedException"
	case platform.NotFound:
		return http.StatusNotFound, "ResourceNotFoundException"
	case platform.Conflict:
		return http.StatusConflict, "ConflictException"
	default:
		return http.StatusInternalServerError, "InternalServerException"
	}
}

func (h *handler) fail(w http.ResponseWriter, r *http.Request, id string, err error) {
	kind := platform.KindOf(err)
	status, code := statusOf(kind)
	if kind == platform.Internal {
		h.opts.Log.ErrorContext(r.Context(), "internal error", "requestId", id, "error", err)
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="gantry"`)
	}
	writeJSON(w, status, apimodel.Error{Code: code, Message: platform.MessageOf(err), RequestID: id})
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(body)
}

// maxJSONBody bounds a JSON request body (a spec is at most 51,200 characters).
const maxJSONBody = 256 << 10

// decode reads a JSON body into v, rejecting unknown fields; Invalid errors say what is wrong.
func decode(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return platform.Errorf(platform.Invalid, "Content-Type must be application/json, not %s", ct)
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, maxJSONBody+1))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syntax *json.SyntaxError
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.Is(err, io.EOF):
			return platform.Errorf(platform.Invalid, "the request body must be a JSON object")
		case errors.Is(err, io.ErrUnexpectedEOF):
			return platform.Errorf(platform.Invalid, "the request body is not valid JSON (it ends early)")
		case errors.As(err, &syntax):
			return platform.Errorf(platform.Invalid, "the request body is not valid JSON (at byte %d)", syntax.Offset)
		case errors.As(err, &typeErr):
			return platform.FieldErrorf(typeErr.Field, "must be a %s", typeErr.Type)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return platform.FieldErrorf(strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "is not a field of this request")
		default:
			return platform.Errorf(platform.Invalid, "the request body is not valid: %v", err)
		}
	}
	if dec.More() {
		return platform.Errorf(platform.Invalid, "the request body must hold one JSON object")
	}
	return nil
}

// page reads ?maxResults and ?nextToken.
func page(r *http.Request) (platform.PageRequest, error) {
	p := platform.PageRequest{NextToken: r.URL.Query().Get("nextToken")}
	if s := r.URL.Query().Get("maxResults"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return p, platform.FieldErrorf("maxResults", "must be a whole number from 1 to 100")
		}
		p.Limit = n
	}
	return p, nil
}
