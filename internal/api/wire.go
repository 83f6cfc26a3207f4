package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"reflect"
	"runtime/debug"
	"slices"
	"sort"
	"strings"

	"github.com/gantry-platform/gantry/internal/auth"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/protonwire"
)

// Proton's wire protocol (AWS JSON 1.0) at POST /: X-Amz-Target names the operation,
// the body is its input shape, the answer its output shape or {"__type", "message"}.
// Each operation of wireOps maps Proton's shapes onto the same control-plane call a REST
// route makes; requests are signed with AWS Signature Version 4 by a Gantry access key.

// BundleObjects reads the template bundles Proton's CreateEnvironmentTemplateVersion and
// CreateServiceTemplateVersion name as source.s3 {bucket, key}: S3 on AWS, a directory
// locally. NotFound when there is no such object.
type BundleObjects interface {
	GetObject(ctx context.Context, bucket, key string) ([]byte, error)
}

// wireOp is one operation of the wire protocol.
type wireOp struct {
	access access
	// honoured are the input members Gantry acts on; a request setting another member of
	// the input shape is refused, naming it, rather than silently ignored.
	honoured []string
	// input and output are the generated shapes, for the contract test.
	input, output reflect.Type
	call          func(h *handler, ctx context.Context, body []byte) (any, error)
}

// op builds a wireOp from a typed call.
func op[In, Out any](a access, honoured []string, call func(h *handler, ctx context.Context, in *In) (*Out, error)) wireOp {
	return opSent(a, honoured, func(h *handler, ctx context.Context, in *In, _ sentMembers) (*Out, error) {
		return call(h, ctx, in)
	})
}

// sentMembers are the members a request set to something other than null. The generated
// shapes cannot tell a member sent as "" from one left out; where Proton gives "" a
// meaning of its own ("specify an empty string to detach"), the operation asks here.
type sentMembers map[string]json.RawMessage

// has reports whether the request set member (to anything but null).
func (s sentMembers) has(member string) bool {
	raw, ok := s[member]
	return ok && string(raw) != "null"
}

// sentString returns a pointer to v when the request set member, else nil: "" sent is
// kept as "", left out is nil.
func (s sentMembers) sentString(member, v string) *string {
	if !s.has(member) {
		return nil
	}
	return &v
}

// opSent builds a wireOp from a typed call that also reads which members were sent.
func opSent[In, Out any](a access, honoured []string, call func(h *handler, ctx context.Context, in *In, sent sentMembers) (*Out, error)) wireOp {
	return wireOp{access: a, honoured: honoured, input: reflect.TypeFor[In](), output: reflect.TypeFor[Out](),
		call: func(h *handler, ctx context.Context, body []byte) (any, error) {
			var in In
			if err := decodeWire(body, honoured, &in); err != nil {
				return nil, err
			}
			sent := sentMembers{}
			_ = json.Unmarshal(body, &sent) // decodeWire read it as an object (or an empty body)
			return call(h, ctx, &in, sent)
		}}
}

// MaxWireBody bounds a request body (a spec is at most 51,200 characters).
const MaxWireBody = 256 << 10

// checkWireIdentifiers checks the members that name something before anything looks them
// up, as the REST router checks path parameters: names by Proton's ResourceName rule (at
// most 100 characters), "id" as a UUID. An empty or non-string member is left to
// the operation and the decoder. It returns an Invalid error naming the member.
func checkWireIdentifiers(members map[string]json.RawMessage) error {
	for _, member := range slices.Sorted(maps.Keys(members)) {
		var check func(field, value string) error
		switch member {
		case "name", "templateName", "environmentName", "serviceName", "serviceInstanceName":
			check = platform.ValidateName
			if _, repository := members["provider"]; repository && member == "name" {
				check = platform.ValidateRepositoryName // a repository's "owner/repo"
			}
		case "id": // a deployment's, an environment account connection's or a sync blocker's
			check = func(field, value string) error { return platform.ValidateUUID(field, value, "an id") }
		default:
			continue
		}
		var value string
		if json.Unmarshal(members[member], &value) != nil || value == "" {
			continue
		}
		if err := check(member, value); err != nil {
			return err
		}
	}
	return nil
}

// decodeWire reads an operation's input: a JSON object whose members are all honoured.
func decodeWire(body []byte, honoured []string, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		return platform.Errorf(platform.Invalid, "the request body must be a JSON object: %v", err)
	}
	var unknown []string
	for name, raw := range members {
		if string(raw) == "null" {
			continue
		}
		if !slices.Contains(honoured, name) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return platform.FieldErrorf(unknown[0], "Gantry does not support this member of the request (supported: %s)", strings.Join(honoured, ", "))
	}
	if err := checkWireIdentifiers(members); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return platform.FieldErrorf(typeErr.Field, "must be a %s", typeErr.Type)
		}
		return platform.Errorf(platform.Invalid, "the request body is not valid: %v", err)
	}
	return nil
}

// serveWire answers one request of the wire protocol.
func (h *handler) serveWire(w http.ResponseWriter, r *http.Request) {
	start := h.opts.Now()
	id := h.opts.RequestID(r)
	r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, id))
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	sw.Header().Set("X-Amzn-RequestId", id)
	target := r.Header.Get("X-Amz-Target")
	name, isProton := strings.CutPrefix(target, protonwire.TargetPrefix+".")
	subject := ""
	defer func() {
		if p := recover(); p != nil {
			h.opts.Log.ErrorContext(r.Context(), "panic in handler", "requestId", id, "panic", p, "stack", string(debug.Stack()))
			h.wireFail(sw, r, id, errors.New("panic"))
		}
		h.opts.Log.InfoContext(r.Context(), "request", "requestId", id, "method", r.Method, "path", r.URL.Path,
			"operation", name, "protocol", "awsJson1_0", "status", sw.status, "subject", subject,
			"durationMs", float64(h.opts.Now().Sub(start).Microseconds())/1000)
	}()
	if h.opts.ProtonAuth == nil {
		h.wireFail(sw, r, id, platform.Errorf(platform.Unauthorized, "this Gantry does not accept signed requests (no access keys configured)"))
		return
	}
	c, err := h.opts.ProtonAuth.Authenticate(r)
	if err != nil {
		if platform.KindOf(err) == platform.Internal {
			h.opts.Log.ErrorContext(r.Context(), "authenticate", "requestId", id, "error", err)
		}
		h.wireFail(sw, r, id, err)
		return
	}
	subject = c.Subject
	operation, served := wireOps()[name]
	if !isProton || !served {
		h.wireFail(sw, r, id, unknownOperation(target, name, isProton))
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/x-amz-json-1.") && !strings.HasPrefix(ct, "application/json") {
		h.wireFail(sw, r, id, platform.Errorf(platform.Invalid, "Content-Type must be %s, not %s", protonwire.ContentType, ct))
		return
	}
	if err := authorize(c, route{access: operation.access, operationID: name}); err != nil {
		h.wireFail(sw, r, id, err)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxWireBody+1))
	switch {
	case err != nil:
		h.wireFail(sw, r, id, platform.Errorf(platform.Invalid, "reading the request body: %v", err))
		return
	case len(body) > MaxWireBody:
		h.wireFail(sw, r, id, platform.Errorf(platform.TooLarge, "the request body is larger than %s, the limit of %s", byteSize(MaxWireBody), name))
		return
	}
	out, err := operation.call(h, platform.WithCaller(r.Context(), c), body)
	if err != nil {
		h.wireFail(sw, r, id, err)
		return
	}
	writeWire(sw, http.StatusOK, out)
}

// unknownOperation names what the target asked for.
func unknownOperation(target, name string, isProton bool) error {
	switch {
	case target == "":
		return &wireError{code: protonwire.UnknownOperationException, message: "the request has no X-Amz-Target header: name an operation as " + protonwire.TargetPrefix + ".<Operation>"}
	case !isProton:
		return &wireError{code: protonwire.UnknownOperationException, message: "X-Amz-Target " + target + " is not an operation of Proton (" + protonwire.TargetPrefix + ".<Operation>)"}
	case slices.Contains(protonwire.Operations, name):
		return &wireError{code: protonwire.UnknownOperationException, message: "Gantry does not serve Proton's operation " + name + " yet"}
	default:
		return &wireError{code: protonwire.UnknownOperationException, message: "Proton has no operation " + name}
	}
}

// wireError is an error answered with a code of its own (not one of the error kinds').
type wireError struct{ code, message string }

func (e *wireError) Error() string { return e.message }

// wireCodeOf maps an error to the code of Proton's (and AWS's) error responses: the REST
// API's table (statusOf, whose codes are Proton's), but for signature failures, which
// carry AWS's codes, and the wire's own errors.
func wireCodeOf(err error) string {
	var we *wireError
	if errors.As(err, &we) {
		return we.code
	}
	var se *auth.SignatureError
	if errors.As(err, &se) {
		return se.Code
	}
	kind := platform.KindOf(err)
	if kind == platform.Unauthorized {
		return auth.CodeUnrecognizedClient
	}
	_, code := statusOf(kind)
	return code
}

func (h *handler) wireFail(w http.ResponseWriter, r *http.Request, id string, err error) {
	code := wireCodeOf(err)
	message := platform.MessageOf(err)
	var we *wireError
	if errors.As(err, &we) {
		message = we.message
	}
	if code == protonwire.InternalServerException {
		h.opts.Log.ErrorContext(r.Context(), "internal error", "requestId", id, "error", err)
		message = "internal error (request id " + id + ")"
	}
	w.Header().Set("X-Amzn-ErrorType", code)
	writeWire(w, protonwire.StatusOf(code), protonwire.Error{Type: code, Message: message})
}

func writeWire(w http.ResponseWriter, status int, body any) {
	writeBody(w, status, protonwire.ContentType, body)
}
