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
	// Dependencies are what GET /healthz checks, by the name it reports (e.g. "dynamodb":
	// the store). None: /healthz reports only that the API answers.
	Dependencies map[string]HealthChecker
	// DeadLetters, in local mode, is the event bus's dead-letter log, served by the local
	// routes (admin only); nil on AWS, where they are not served.
	DeadLetters DeadLetterQueue

	// ProtonAuth authenticates the requests of Proton's wire protocol (POST / with
	// X-Amz-Target): AWS Signature Version 4 by Gantry's access keys. Without it every
	// such request is refused.
	ProtonAuth Authenticator
	// Bundles reads the source.s3 bundles of Proton's Create*TemplateVersion; without
	// it those operations are refused.
	Bundles BundleObjects
}

// access is who may call a route.
type access string

const (
	public    access = "public"    // no authentication
	anyRole   access = "read"      // any authenticated caller with a role
	adminOnly access = "admin"     // platform admins
	developer access = "developer" // developers (and admins)
	reporter  access = "reporter"  // a reporter's key for the resource (and admins)
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
	// maxBody bounds the request body in bytes; 0 means the default of the request kind
	// (see bodyLimit). A larger body answers 413.
	maxBody int64
	// local routes are served in local mode only (Options.DeadLetters set).
	local  bool
	handle func(h *handler, w http.ResponseWriter, r *http.Request) error
}

type handler struct {
	svc     *control.Service
	arns    platform.ARNScope
	auth    Authenticator
	opts    Options
	mux     *http.ServeMux
	healthy healthCache
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
		if rt.local && opts.DeadLetters == nil {
			continue
		}
		h.mux.Handle(rt.method+" "+rt.path, h.wrap(rt))
	}
	h.mux.HandleFunc("POST /{$}", h.serveWire)
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
	params := pathParams(rt.path)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := h.opts.Now()
		id := h.opts.RequestID(r)
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, id))
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		sw.Header().Set("X-Request-Id", id)
		subject := ""
		limit := bodyLimit(rt)
		r.Body = http.MaxBytesReader(sw, r.Body, limit)
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
		if err := checkPathValues(r, params); err != nil {
			h.fail(sw, r, id, err)
			return
		}
		if r.ContentLength > limit {
			h.fail(sw, r, id, tooLarge(rt, limit))
			return
		}
		if err := rt.handle(h, sw, r); err != nil {
			var over *http.MaxBytesError
			if errors.As(err, &over) {
				err = tooLarge(rt, limit)
			}
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
		if !c.Has(platform.DeveloperRole) {
			// A reporter's key may only report on its resource.
			return platform.Errorf(platform.Forbidden, "%s needs the developer or admin role", rt.operationID)
		}
	case reporter:
		if !c.Has(platform.ReporterRole) {
			return platform.Errorf(platform.Forbidden, "%s needs a reporter's key for the resource, or the admin role", rt.operationID)
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
	case platform.TooLarge:
		return http.StatusRequestEntityTooLarge, "PayloadTooLargeException"
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
	writeBody(w, status, "application/json", body)
}

// writeBody writes body as JSON of the media type contentType.
func writeBody(w http.ResponseWriter, status int, contentType string, body any) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(body)
}

// The request body limits: a JSON body (a spec is at most 51,200 characters, Proton's
// limit, so 256 KB leaves room for the rest), and a bundle upload a little above Proton's
// 5 MB, so that the control plane can say the bundle itself is too large.
const (
	maxJSONBody      = 256 << 10
	maxBundleRequest = 5<<20 + 64<<10
)

// bodyLimit is the largest request body rt takes: its maxBody, or the default of its
// request kind. The route table is the one place that decides it.
func bodyLimit(rt route) int64 {
	switch {
	case rt.maxBody > 0:
		return rt.maxBody
	case rt.request == "bundle":
		return maxBundleRequest
	default:
		return maxJSONBody
	}
}

// tooLarge is the TooLarge error of a body over rt's limit.
func tooLarge(rt route, limit int64) error {
	return platform.Errorf(platform.TooLarge, "the request body is larger than %s, the limit of %s", byteSize(limit), rt.operationID)
}

// byteSize writes n bytes in MB (one decimal) from 1 MB, in KB from 1 KB.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return strings.TrimSuffix(strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64), ".0") + " MB"
	case n >= 1<<10:
		return strconv.FormatInt(n>>10, 10) + " KB"
	default:
		return strconv.FormatInt(n, 10) + " bytes"
	}
}

// idNoun says what the {id} of a path is, for its error: "a deployment id" under
// /v1/deployments/, and so on.
func idNoun(path string) string {
	for prefix, noun := range map[string]string{"/v1/deployments/": "a deployment id", "/v1/previews/": "a preview id",
		"/v1/sync-blockers/": "a sync blocker id"} {
		if strings.HasPrefix(path, prefix) {
			return noun
		}
	}
	return "an id"
}

// checkPathValues validates the request's path parameters (params) before anything looks
// them up: {version} must be major.minor, {id} a UUID (a deployment's, a preview's or a
// sync blocker's, as the path says), {provider} a repository provider, {owner} and {repo}
// halves of a repository name, any other parameter a name by Proton's rule. It returns an
// Invalid error naming the parameter.
func checkPathValues(r *http.Request, params []string) error {
	for _, name := range params {
		v := r.PathValue(name)
		switch name {
		case "version":
			if len(v) > 21 { // two 10-digit numbers and a dot
				return platform.FieldErrorf(name, "must be major.minor, is %d characters", len(v))
			}
			if _, err := platform.ParseVersion(v); err != nil {
				return platform.FieldErrorf(name, "%s", platform.MessageOf(err))
			}
		case "id":
			if err := platform.ValidateUUID(name, v, idNoun(r.URL.Path)); err != nil {
				return err
			}
		case "provider":
			if err := platform.ValidateRepositoryProvider(name, platform.RepositoryProvider(v)); err != nil {
				return err
			}
		case "owner", "repo":
			if err := platform.ValidateRepositoryPart(name, v); err != nil {
				return err
			}
		default:
			if err := platform.ValidateName(name, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// decode reads a JSON body into v, rejecting unknown fields; Invalid errors say what is wrong.
func decode(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return platform.Errorf(platform.Invalid, "Content-Type must be application/json, not %s", ct)
	}
	dec := json.NewDecoder(r.Body) // bounded by the route's limit (wrap)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syntax *json.SyntaxError
		var typeErr *json.UnmarshalTypeError
		var over *http.MaxBytesError
		var invalid *platform.Error
		switch {
		case errors.As(err, &over):
			return err // wrap answers 413
		case errors.Is(err, io.EOF):
			return platform.Errorf(platform.Invalid, "the request body must be a JSON object")
		case errors.Is(err, io.ErrUnexpectedEOF):
			return platform.Errorf(platform.Invalid, "the request body is not valid JSON (it ends early)")
		case errors.As(err, &syntax):
			return platform.Errorf(platform.Invalid, "the request body is not valid JSON (at byte %d)", syntax.Offset)
		case errors.As(err, &typeErr):
			return platform.FieldErrorf(typeErr.Field, "must be a %s", typeErr.Type)
		case errors.As(err, &invalid):
			return invalid // a field's own decoding (apimodel.OutputValues) names it
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
