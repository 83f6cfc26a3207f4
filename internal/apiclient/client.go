// Package apiclient is a small typed client of Gantry's HTTP API (internal/api): one method
// per operation, taking the request bodies of internal/apimodel and returning its answers
// each with the JSON it was decoded from, and errors that carry the API's code, message and
// request id. It is what the gantry command line uses to talk to a platform.
package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platform"
)

// Client calls one Gantry API as one caller (the holder of its bearer token). It is safe for
// concurrent use. Build it with New.
type Client struct {
	base  *url.URL
	token string
	http  *http.Client
}

// New returns a client of the API at baseURL (e.g. "http://127.0.0.1:8080") sending token
// as "Authorization: Bearer <token>" ("" sends none). httpClient nil means
// http.DefaultClient. An Invalid error names a baseURL that is not an absolute http(s) URL.
func New(baseURL, token string, httpClient *http.Client) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, platform.Errorf(platform.Invalid, "API URL %q must be an absolute http:// or https:// URL", baseURL)
	}
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	return &Client{base: u, token: token, http: httpClient}, nil
}

// Error is an answer of the API with a status of 400 or above: its status, and the code,
// message and request id of its body (apimodel.Error). It unwraps to a
// *platform.Error of the matching kind, so platform.KindOf(err) works on it.
type Error struct {
	Status    int
	Code      string
	Message   string
	RequestID string
}

// Error formats the error as "code: message (request id ID)".
func (e *Error) Error() string {
	s := e.Code + ": " + e.Message
	if e.RequestID != "" {
		s += " (request id " + e.RequestID + ")"
	}
	return s
}

// Kind returns the platform error kind of the status, the inverse of the API's table.
func (e *Error) Kind() platform.ErrorKind {
	switch e.Status {
	case http.StatusBadRequest:
		return platform.Invalid
	case http.StatusUnauthorized:
		return platform.Unauthorized
	case http.StatusForbidden:
		return platform.Forbidden
	case http.StatusNotFound:
		return platform.NotFound
	case http.StatusConflict:
		return platform.Conflict
	case http.StatusRequestEntityTooLarge:
		return platform.TooLarge
	default:
		return platform.Internal
	}
}

// Unwrap returns the error as a *platform.Error of Kind.
func (e *Error) Unwrap() error { return &platform.Error{Kind: e.Kind(), Message: e.Message} }

// maxResponse bounds the body the client reads from one answer.
const maxResponse = 64 << 20

// request is one call of the API; path is already escaped (see pathOf).
type request struct {
	method, path string
	query        url.Values
	contentType  string
	body         []byte
}

// jsonRequest is a request whose body is in, encoded as JSON.
func jsonRequest(method, path string, in any) (request, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return request{}, err
	}
	return request{method: method, path: path, contentType: "application/json", body: body}, nil
}

// rawKeeper is a result that keeps the JSON it was decoded from.
type rawKeeper interface{ keepRaw(json.RawMessage) }

// do sends r and decodes a successful answer into out (when not nil). Answers of 400 and
// above are *Error; transport failures are returned wrapped with the method and URL.
func (c *Client) do(ctx context.Context, r request, out any) error {
	target := c.base.String() + r.path
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, target, body)
	if err != nil {
		return err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return err // *url.Error already names the method and URL
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("%s %s: reading the answer: %w", r.method, req.URL.Redacted(), err)
	}
	if resp.StatusCode >= 400 {
		return answerError(resp, raw)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s %s: the answer is not the expected JSON: %w", r.method, req.URL.Redacted(), err)
	}
	if k, ok := out.(rawKeeper); ok {
		k.keepRaw(raw)
	}
	return nil
}

// pathOf joins segments into an escaped URL path: "/" + each segment, escaped.
func pathOf(segments ...string) string {
	var b strings.Builder
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}

// answerError builds the *Error of an unsuccessful answer; a body that is not the API's
// error shape (a proxy's page, say) still yields an Error, with the status text as code.
func answerError(resp *http.Response, raw []byte) error {
	e := &Error{Status: resp.StatusCode, RequestID: resp.Header.Get("X-Request-Id")}
	var body apimodel.Error
	if json.Unmarshal(raw, &body) == nil && body.Code != "" {
		e.Code, e.Message = body.Code, body.Message
		if body.RequestID != "" {
			e.RequestID = body.RequestID
		}
		return e
	}
	e.Code = strings.ReplaceAll(http.StatusText(resp.StatusCode), " ", "")
	if e.Code == "" {
		e.Code = fmt.Sprintf("HTTP%d", resp.StatusCode)
	}
	e.Message = strings.TrimSpace(string(raw))
	if len(e.Message) > 300 {
		e.Message = e.Message[:300] + "…"
	}
	if e.Message == "" {
		e.Message = resp.Status
	}
	return e
}

// IsNotFound reports whether err is the API saying the named thing does not exist.
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}
