// Package awstest gives contract tests a local AWS endpoint: an httptest.Server that
// names the operation of each request the SDK sends (the Action form field of the query
// protocol, the X-Amz-Target header of the JSON protocols, or the HTTP method of REST
// protocols), records it, and answers with the response the test registered for that
// operation, in the service's documented shape. Config returns an AWS configuration with
// static credentials and no retries, so that a test fails fast and never waits.
package awstest

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// The static credentials of Config.
const (
	AccessKeyID     = "AKIDGANTRYTEST"
	SecretAccessKey = "gantry-test-secret"
	Region          = "us-east-1"
)

// Config returns a configuration for tests: Region, static credentials, a retryer that
// never retries. Point a client at a Server with its BaseEndpoint option.
func Config() aws.Config {
	return aws.Config{
		Region:      Region,
		Credentials: credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, ""),
		Retryer:     func() aws.Retryer { return aws.NopRetryer{} },
	}
}

// Call is one request the server received.
type Call struct {
	// Operation is the API operation, e.g. "CreateChangeSet", "StartExecution", or for
	// REST protocols the HTTP method.
	Operation string
	Method    string
	// Path is the URL path, unescaped.
	Path string
	// Form holds the parameters of a query-protocol request.
	Form url.Values
	// Body is the raw request body.
	Body []byte
	// Header is the request's header.
	Header http.Header
	// AccessKeyID is the access key the request was signed with.
	AccessKeyID string
}

// JSON decodes the body of a JSON-protocol request into a map.
func (c Call) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(c.Body, &m); err != nil {
		t.Fatalf("%s: request body is not a JSON object: %v\n%s", c.Operation, err, c.Body)
	}
	return m
}

// Response is what the server answers.
type Response struct {
	Status      int
	ContentType string
	Header      map[string]string
	Body        string
}

// Handler answers one call.
type Handler func(Call) Response

// Server is a fake AWS endpoint. Build it with NewServer.
type Server struct {
	// URL is the endpoint, for a client's BaseEndpoint.
	URL string
	t   testing.TB

	mu       sync.Mutex
	handlers map[string]Handler
	calls    []Call
}

// NewServer starts a server that the test's cleanup closes. A request for an operation
// without a handler, or one not signed with SigV4, fails the test and gets a 400.
func NewServer(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, handlers: map[string]Handler{}}
	ts := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(ts.Close)
	s.URL = ts.URL
	return s
}

// Handle registers h for operation, replacing any earlier handler.
func (s *Server) Handle(operation string, h Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers[operation] = h
}

// Calls returns the calls received so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallsOf returns the calls of operation, in order.
func (s *Server) CallsOf(operation string) []Call {
	var out []Call
	for _, c := range s.Calls() {
		if c.Operation == operation {
			out = append(out, c)
		}
	}
	return out
}

// Operations returns the operations received so far, in order.
func (s *Server) Operations() []string {
	var ops []string
	for _, c := range s.Calls() {
		ops = append(ops, c.Operation)
	}
	return ops
}

var credentialPattern = regexp.MustCompile(`Credential=([^/]+)/`)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.t.Errorf("awstest: read request body: %v", err)
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	c := Call{Method: r.Method, Path: r.URL.Path, Body: body, Header: r.Header.Clone()}
	if m := credentialPattern.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		c.AccessKeyID = m[1]
	}
	switch target := r.Header.Get("X-Amz-Target"); {
	case target != "":
		c.Operation = target[strings.LastIndex(target, ".")+1:]
	case strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded"):
		if c.Form, err = url.ParseQuery(string(body)); err != nil {
			s.t.Errorf("awstest: query-protocol body: %v", err)
		}
		c.Operation = c.Form.Get("Action")
	default:
		c.Operation = r.Method
	}
	s.mu.Lock()
	s.calls = append(s.calls, c)
	h := s.handlers[c.Operation]
	s.mu.Unlock()

	if c.AccessKeyID == "" {
		s.t.Errorf("awstest: %s request is not signed with SigV4 (Authorization: %q)", c.Operation, r.Header.Get("Authorization"))
	}
	if h == nil {
		s.t.Errorf("awstest: unexpected %s request (%s %s)", c.Operation, r.Method, r.URL.Path)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	resp := h(c)
	if resp.Status == 0 {
		resp.Status = http.StatusOK
	}
	for k, v := range resp.Header {
		w.Header().Set(k, v)
	}
	if resp.ContentType != "" {
		w.Header().Set("Content-Type", resp.ContentType)
	}
	w.Header().Set("X-Amzn-RequestId", "gantry-test-request")
	w.WriteHeader(resp.Status)
	_, _ = io.WriteString(w, resp.Body)
}

// QueryResult is the success response of a query-protocol operation (CloudFormation, SNS,
// STS): result is the inner XML of <{op}Result>.
func QueryResult(operation, result string) Response {
	return Response{ContentType: "text/xml", Body: fmt.Sprintf(
		`<%[1]sResponse xmlns="https://gantry.test/doc/"><%[1]sResult>%[2]s</%[1]sResult>`+
			`<ResponseMetadata><RequestId>gantry-test-request</RequestId></ResponseMetadata></%[1]sResponse>`,
		operation, result)}
}

// QueryError is an error response of a query-protocol operation, e.g. code
// "ValidationError", status 400.
func QueryError(status int, code, message string) Response {
	return Response{Status: status, ContentType: "text/xml", Body: fmt.Sprintf(
		`<ErrorResponse xmlns="https://gantry.test/doc/"><Error><Type>Sender</Type><Code>%s</Code>`+
			`<Message>%s</Message></Error><RequestId>gantry-test-request</RequestId></ErrorResponse>`,
		Escape(code), Escape(message))}
}

// JSONResult is the success response of a JSON-protocol operation (Step Functions,
// EventBridge): v encoded as JSON.
func JSONResult(v any) Response {
	b, err := json.Marshal(v)
	if err != nil {
		panic("awstest: JSONResult: " + err.Error())
	}
	return Response{ContentType: "application/x-amz-json-1.0", Body: string(b)}
}

// JSONError is an error response of a JSON-protocol operation, e.g. code
// "ExecutionAlreadyExists", status 400.
func JSONError(status int, code, message string) Response {
	b, _ := json.Marshal(map[string]string{"__type": code, "message": message})
	return Response{Status: status, ContentType: "application/x-amz-json-1.0", Body: string(b)}
}

// RESTXMLError is an error response of a REST-XML service (S3), e.g. code "NoSuchKey",
// status 404.
func RESTXMLError(status int, code, message string) Response {
	return Response{Status: status, ContentType: "application/xml", Body: fmt.Sprintf(
		`<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message>`+
			`<RequestId>gantry-test-request</RequestId></Error>`, Escape(code), Escape(message))}
}

// Escape escapes s for XML text.
func Escape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// Getenv returns a getenv function over vars, for code that reads its configuration
// through one.
func Getenv(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}
