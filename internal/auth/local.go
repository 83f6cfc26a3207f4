package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
)

// LocalIssuer signs and verifies the bearer tokens of local mode: ES256 JWTs with an
// issuer, an audience, a subject, an expiry and a groups claim. Build it with
// NewLocalIssuer or LoadLocalIssuer.
type LocalIssuer struct {
	key      *ecdsa.PrivateKey
	issuer   string
	audience string
	roles    RoleMap
	now      func() time.Time
	verified verifiedCache
}

// verifiedCache remembers tokens whose signature and claims checked out, until they
// expire, so a client's repeated calls cost one signature verification. It holds at most
// maxVerified tokens; when full it starts afresh.
type verifiedCache struct {
	mu      sync.Mutex
	callers map[string]verifiedToken
}

type verifiedToken struct {
	caller  platform.Caller
	expires int64
}

const maxVerified = 4096

func (v *verifiedCache) get(token string, now int64) (platform.Caller, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	t, ok := v.callers[token]
	if !ok || now >= t.expires {
		return platform.Caller{}, false
	}
	return t.caller, true
}

func (v *verifiedCache) put(token string, c platform.Caller, expires int64) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.callers == nil || len(v.callers) >= maxVerified {
		v.callers = map[string]verifiedToken{}
	}
	v.callers[token] = verifiedToken{caller: c, expires: expires}
}

// NewLocalIssuer returns an issuer with a freshly generated P-256 key.
func NewLocalIssuer(issuer, audience string, roles RoleMap) (*LocalIssuer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	return &LocalIssuer{key: key, issuer: issuer, audience: audience, roles: roles, now: time.Now}, nil
}

// LoadLocalIssuer returns an issuer with the PEM-encoded key keyPEM (from MarshalKey).
func LoadLocalIssuer(keyPEM []byte, issuer, audience string, roles RoleMap) (*LocalIssuer, error) {
	block, _ := pem.Decode(keyPEM)
	if block == nil {
		return nil, platform.Errorf(platform.Invalid, "the signing key is not PEM")
	}
	key, err := x509.ParseECPrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	return &LocalIssuer{key: key, issuer: issuer, audience: audience, roles: roles, now: time.Now}, nil
}

// MarshalKey returns the issuer's private key as PEM, to keep it between runs.
func (l *LocalIssuer) MarshalKey() ([]byte, error) {
	der, err := x509.MarshalECPrivateKey(l.key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), nil
}

// SetClock replaces the issuer's clock (tests).
func (l *LocalIssuer) SetClock(now func() time.Time) { l.now = now }

type header struct {
	Alg string `json:"alg"`
	Typ string `json:"typ,omitempty"`
}

type claims struct {
	Issuer   string          `json:"iss"`
	Subject  string          `json:"sub"`
	Audience json.RawMessage `json:"aud"`
	Expires  int64           `json:"exp"`
	Issued   int64           `json:"iat,omitempty"`
	NotYet   int64           `json:"nbf,omitempty"`
	Groups   json.RawMessage `json:"groups,omitempty"`
	Account  string          `json:"gantry:account,omitempty"`
}

var b64 = base64.RawURLEncoding

// Issue returns a token for subject in groups, valid for ttl, acting in the platform's
// own account.
func (l *LocalIssuer) Issue(subject string, groups []string, ttl time.Duration) (string, error) {
	return l.IssueIn(subject, groups, "", ttl)
}

// IssueIn returns a token for subject in groups acting in account (the claim
// gantry:account; "" for the platform's own account), valid for ttl.
func (l *LocalIssuer) IssueIn(subject string, groups []string, account string, ttl time.Duration) (string, error) {
	now := l.now()
	aud, _ := json.Marshal(l.audience)
	grp, _ := json.Marshal(groups)
	h, _ := json.Marshal(header{Alg: "ES256", Typ: "JWT"})
	c, _ := json.Marshal(claims{Issuer: l.issuer, Subject: subject, Audience: aud,
		Expires: now.Add(ttl).Unix(), Issued: now.Unix(), Groups: grp, Account: account})
	signing := b64.EncodeToString(h) + "." + b64.EncodeToString(c)
	digest := sha256.Sum256([]byte(signing))
	r, s, err := ecdsa.Sign(rand.Reader, l.key, digest[:])
	if err != nil {
		return "", err
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return signing + "." + b64.EncodeToString(sig), nil
}

// Authenticate verifies the request's "Authorization: Bearer <JWT>" and returns its
// caller. Unauthorized, with the reason, for a missing, malformed, forged, expired or
// foreign token.
func (l *LocalIssuer) Authenticate(r *http.Request) (platform.Caller, error) {
	token, err := bearer(r)
	if err != nil {
		return platform.Caller{}, err
	}
	return l.Verify(token)
}

// Verify checks token and returns its caller; see Authenticate.
func (l *LocalIssuer) Verify(token string) (platform.Caller, error) {
	if c, ok := l.verified.get(token, l.now().Unix()); ok {
		return c, nil
	}
	unauthorized := func(why string) (platform.Caller, error) {
		return platform.Caller{}, platform.Errorf(platform.Unauthorized, "invalid token: %s", why)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return unauthorized("not a JWT")
	}
	var h header
	if raw, err := b64.DecodeString(parts[0]); err != nil || json.Unmarshal(raw, &h) != nil {
		return unauthorized("bad header")
	}
	if h.Alg != "ES256" {
		return unauthorized("algorithm " + h.Alg + " is not accepted")
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return unauthorized("bad signature encoding")
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	if !ecdsa.Verify(&l.key.PublicKey, digest[:], r, s) {
		return unauthorized("signature does not verify")
	}
	var c claims
	if raw, err := b64.DecodeString(parts[1]); err != nil || json.Unmarshal(raw, &c) != nil {
		return unauthorized("bad claims")
	}
	now := l.now().Unix()
	switch {
	case c.Issuer != l.issuer:
		return unauthorized("issuer " + c.Issuer + " is not trusted")
	case !audienceHas(c.Audience, l.audience):
		return unauthorized("audience does not include " + l.audience)
	case c.Expires == 0 || now >= c.Expires:
		return unauthorized("expired")
	case c.NotYet != 0 && now < c.NotYet:
		return unauthorized("not valid yet")
	}
	caller, err := l.roles.Caller(c.Subject, parseGroupsClaim(c.Groups))
	if err == nil {
		caller, err = withAccount(caller, c.Account)
	}
	if err == nil {
		l.verified.put(token, caller, c.Expires)
	}
	return caller, err
}

// PublicKey returns the verification key.
func (l *LocalIssuer) PublicKey() crypto.PublicKey { return &l.key.PublicKey }

func audienceHas(raw json.RawMessage, want string) bool {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one == want
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		for _, a := range many {
			if a == want {
				return true
			}
		}
	}
	return false
}

func bearer(r *http.Request) (string, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", platform.Errorf(platform.Unauthorized, "missing Authorization header: send Authorization: Bearer <token>")
	}
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", platform.Errorf(platform.Unauthorized, "the Authorization header must be Bearer <token>")
	}
	return strings.TrimSpace(token), nil
}
