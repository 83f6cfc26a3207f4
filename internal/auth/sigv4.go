package auth

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
)

// SigV4 authenticates requests signed with AWS Signature Version 4 (as the AWS SDKs and
// the aws CLI sign them, in the Authorization header) by access keys Gantry issued. It
// checks the signature in full: the canonical request rebuilt from the signed headers, the
// payload hash over the body it read, the credential scope (date, region when Region is
// set, service, terminator), a request time within MaxSkew of now, and that a signature of
// a request that changes something is not presented twice (reads may repeat).
type SigV4 struct {
	// Keys looks up an active key and its secret; Unauthorized when unknown or inactive.
	Keys func(ctx context.Context, id string) (platform.AccessKey, []byte, error)
	// Service is the signing name requests must be scoped to, e.g. "proton".
	Service string
	// Region, when set, is the only region a request may be scoped to.
	Region string
	// MaxBody bounds the body read for the payload hash.
	MaxBody int64
	Now     func() time.Time

	seen replayCache
}

// MaxSkew is how far a request's X-Amz-Date may be from the server's clock (AWS's rule).
const MaxSkew = 5 * time.Minute

// The error codes AWS answers signature failures with; the SDKs know them by these names.
const (
	CodeMissingAuthenticationToken = "MissingAuthenticationTokenException"
	CodeIncompleteSignature        = "IncompleteSignatureException"
	CodeInvalidSignature           = "InvalidSignatureException"
	CodeUnrecognizedClient         = "UnrecognizedClientException"
)

// SignatureError is a request whose signature does not verify: Code is AWS's name for the
// failure. Its kind (through Unwrap) is Unauthorized.
type SignatureError struct {
	Code string
	Err  *platform.Error
}

func (e *SignatureError) Error() string { return e.Err.Error() }

// Unwrap gives the Unauthorized platform error.
func (e *SignatureError) Unwrap() error { return e.Err }

func sigErr(code, format string, args ...any) error {
	return &SignatureError{Code: code, Err: platform.Errorf(platform.Unauthorized, format, args...)}
}

const sigV4Algorithm = "AWS4-HMAC-SHA256"

// sigV4Header is a parsed Authorization header.
type sigV4Header struct {
	accessKey, date, region, service, terminator string
	signedHeaders                                []string
	signature                                    string
}

func parseSigV4Header(h string) (sigV4Header, error) {
	var out sigV4Header
	alg, rest, ok := strings.Cut(h, " ")
	if !ok || alg != sigV4Algorithm {
		return out, sigErr(CodeIncompleteSignature, "the Authorization header must be an AWS Signature Version 4 (%s) signature", sigV4Algorithm)
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return out, sigErr(CodeIncompleteSignature, "Authorization header part %q is not key=value", strings.TrimSpace(part))
		}
		fields[k] = v
	}
	for _, k := range []string{"Credential", "SignedHeaders", "Signature"} {
		if fields[k] == "" {
			return out, sigErr(CodeIncompleteSignature, "the Authorization header lacks %s", k)
		}
	}
	scope := strings.Split(fields["Credential"], "/")
	if len(scope) != 5 {
		return out, sigErr(CodeIncompleteSignature, "Credential must be KEY/DATE/REGION/SERVICE/aws4_request")
	}
	out.accessKey, out.date, out.region, out.service, out.terminator = scope[0], scope[1], scope[2], scope[3], scope[4]
	out.signedHeaders = strings.Split(fields["SignedHeaders"], ";")
	out.signature = fields["Signature"]
	return out, nil
}

// Authenticate verifies r's signature and returns the key's caller. It reads the body
// (at most MaxBody bytes) and puts it back for the handler. Errors are *SignatureError
// (kind Unauthorized), or Internal when the key store fails.
func (v *SigV4) Authenticate(r *http.Request) (platform.Caller, error) {
	authz := r.Header.Get("Authorization")
	if authz == "" {
		return platform.Caller{}, sigErr(CodeMissingAuthenticationToken, "the request is not signed: sign it with AWS Signature Version 4 using a Gantry access key (gantry access-keys create)")
	}
	h, err := parseSigV4Header(authz)
	if err != nil {
		return platform.Caller{}, err
	}
	now := v.Now().UTC()
	amzDate := r.Header.Get("X-Amz-Date")
	at, err := time.Parse("20060102T150405Z", amzDate)
	if err != nil {
		return platform.Caller{}, sigErr(CodeIncompleteSignature, "X-Amz-Date %q is not a time of the form 20060102T150405Z", amzDate)
	}
	if d := now.Sub(at); d > MaxSkew || d < -MaxSkew {
		return platform.Caller{}, sigErr(CodeInvalidSignature, "Signature expired: %s is now earlier than %s (%s - 5 min.)", amzDate, now.Add(-MaxSkew).Format("20060102T150405Z"), now.Format("20060102T150405Z"))
	}
	switch {
	case h.date != amzDate[:8]:
		return platform.Caller{}, sigErr(CodeInvalidSignature, "Credential should be scoped to a valid date: %s is not the date of X-Amz-Date %s", h.date, amzDate)
	case h.service != v.Service:
		return platform.Caller{}, sigErr(CodeInvalidSignature, "Credential should be scoped to correct service: '%s', not '%s'", v.Service, h.service)
	case v.Region != "" && h.region != v.Region:
		return platform.Caller{}, sigErr(CodeInvalidSignature, "Credential should be scoped to a valid region: '%s', not '%s'", v.Region, h.region)
	case h.terminator != "aws4_request":
		return platform.Caller{}, sigErr(CodeInvalidSignature, "Credential should be scoped with a valid terminator: 'aws4_request', not '%s'", h.terminator)
	}
	signed := map[string]bool{}
	for _, name := range h.signedHeaders {
		signed[name] = true
	}
	for _, name := range []string{"host", "x-amz-date"} {
		if !signed[name] {
			return platform.Caller{}, sigErr(CodeInvalidSignature, "the header %s must be signed", name)
		}
	}
	for name := range r.Header {
		if lower := strings.ToLower(name); lower == "x-amz-target" && !signed[lower] {
			return platform.Caller{}, sigErr(CodeInvalidSignature, "the header %s must be signed", lower)
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, v.MaxBody+1))
	if err != nil {
		return platform.Caller{}, sigErr(CodeIncompleteSignature, "reading the body: %v", err)
	}
	if int64(len(body)) > v.MaxBody {
		return platform.Caller{}, platform.Errorf(platform.TooLarge, "the request body is larger than %d bytes", v.MaxBody)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	if claimed := r.Header.Get("X-Amz-Content-Sha256"); claimed != "" && claimed != payloadHash {
		return platform.Caller{}, sigErr(CodeInvalidSignature, "the X-Amz-Content-Sha256 header does not match the body (unsigned payloads are not accepted)")
	}
	key, secret, err := v.Keys(r.Context(), h.accessKey)
	if err != nil {
		if platform.KindOf(err) == platform.Unauthorized {
			return platform.Caller{}, &SignatureError{Code: CodeUnrecognizedClient, Err: platform.Errorf(platform.Unauthorized, "The security token included in the request is invalid: %s", platform.MessageOf(err))}
		}
		return platform.Caller{}, err
	}
	canonical := canonicalRequest(r, h.signedHeaders, payloadHash)
	scope := h.date + "/" + h.region + "/" + h.service + "/" + h.terminator
	crHash := sha256.Sum256([]byte(canonical))
	toSign := sigV4Algorithm + "\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(crHash[:])
	k := hmacSHA256([]byte("AWS4"+string(secret)), h.date)
	k = hmacSHA256(k, h.region)
	k = hmacSHA256(k, h.service)
	k = hmacSHA256(k, h.terminator)
	want := hex.EncodeToString(hmacSHA256(k, toSign))
	if !hmac.Equal([]byte(want), []byte(h.signature)) {
		return platform.Caller{}, sigErr(CodeInvalidSignature, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.")
	}
	if changesState(r) && !v.seen.add(h.signature, at, now) {
		return platform.Caller{}, sigErr(CodeInvalidSignature, "the request was already received: a signature that changes something is accepted once (sign each request afresh)")
	}
	return key.Caller(), nil
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// canonicalRequest builds SigV4's canonical request of r over signedHeaders.
func canonicalRequest(r *http.Request, signedHeaders []string, payloadHash string) string {
	var b strings.Builder
	b.WriteString(r.Method + "\n")
	b.WriteString(canonicalURI(r.URL) + "\n")
	b.WriteString(canonicalQuery(r.URL.Query()) + "\n")
	for _, name := range signedHeaders {
		var values []string
		switch name {
		case "host":
			values = []string{r.Host}
		case "content-length":
			values = []string{itoa64(r.ContentLength)}
		default:
			values = r.Header.Values(name)
		}
		for i, v := range values {
			values[i] = strings.Join(strings.Fields(v), " ")
		}
		b.WriteString(name + ":" + strings.Join(values, ",") + "\n")
	}
	b.WriteString("\n" + strings.Join(signedHeaders, ";") + "\n" + payloadHash)
	return b.String()
}

func itoa64(n int64) string {
	if n < 0 {
		return ""
	}
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(buf[i:])
		}
	}
}

// canonicalURI encodes each path segment (of the already-decoded path) once more, as
// SigV4 asks of every service but S3.
func canonicalURI(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		return "/"
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = sigV4Escape(s)
	}
	return strings.Join(segs, "/")
}

func canonicalQuery(q url.Values) string {
	var pairs []string
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, sigV4Escape(k)+"="+sigV4Escape(v))
		}
	}
	sort.Strings(pairs)
	return strings.Join(pairs, "&")
}

// sigV4Escape percent-encodes all but the unreserved characters, in upper-case hex.
func sigV4Escape(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// changesState reports whether r's operation (X-Amz-Target: <service>.<Operation>) may
// change something. Reads (Get*, List*) may be sent again within the skew window: a
// client repeating a read within one second signs it identically (the aws CLI's waiters
// and scripts do), and AWS answers both.
func changesState(r *http.Request) bool {
	target := r.Header.Get("X-Amz-Target")
	op := target[strings.LastIndexByte(target, '.')+1:]
	return !strings.HasPrefix(op, "Get") && !strings.HasPrefix(op, "List")
}

// replayCache remembers the signatures accepted within the skew window, so that a
// captured request cannot be sent again while its date is still acceptable. It is per
// process: behind several API function instances a replay to another instance is caught
// only by the date check.
type replayCache struct {
	mu   sync.Mutex
	seen map[string]time.Time // signature → request time
}

// add records sig and reports whether it is new; entries older than the window are dropped.
func (c *replayCache) add(sig string, at, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil {
		c.seen = map[string]time.Time{}
	}
	if _, dup := c.seen[sig]; dup {
		return false
	}
	if len(c.seen) > 4096 {
		for s, t := range c.seen {
			if now.Sub(t) > MaxSkew {
				delete(c.seen, s)
			}
		}
	}
	c.seen[sig] = at
	return true
}
