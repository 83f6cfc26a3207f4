package auth

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"github.com/gantry-platform/gantry/internal/platform"
)

func mustIssuer(t *testing.T) *LocalIssuer {
	t.Helper()
	l, err := NewLocalIssuer("gantry-local", "gantry", DefaultRoleMap())
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestIssueAndAuthenticate(t *testing.T) {
	l := mustIssuer(t)
	token, err := l.Issue("alice", []string{"gantry-developers", "other"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/v1/services", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	c, err := l.Authenticate(r)
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject != "alice" || !c.Has(platform.DeveloperRole) || c.Has(platform.AdminRole) {
		t.Fatalf("caller = %+v", c)
	}
}

func TestAdminHoldsEveryRole(t *testing.T) {
	c, err := DefaultRoleMap().Caller("root", []string{"gantry-admins"})
	if err != nil || !c.Has(platform.AdminRole) || !c.Has(platform.DeveloperRole) {
		t.Fatalf("admin caller = %+v, %v", c, err)
	}
	c, _ = DefaultRoleMap().Caller("nobody", []string{"elsewhere"})
	if len(c.Roles) != 0 {
		t.Fatalf("caller without Gantry groups has roles %v", c.Roles)
	}
}

func TestRejectedTokens(t *testing.T) {
	l := mustIssuer(t)
	other := mustIssuer(t)
	good, _ := l.Issue("alice", []string{"gantry-admins"}, time.Hour)
	foreign, _ := other.Issue("alice", []string{"gantry-admins"}, time.Hour)
	expired, _ := l.Issue("alice", []string{"gantry-admins"}, -time.Minute)
	parts := strings.Split(good, ".")
	none := parts[0][:0] + "eyJhbGciOiJub25lIn0." + parts[1] + "."
	cases := map[string]string{
		"":                  "missing Authorization",
		"Basic abc":         "Bearer",
		"Bearer not-a-jwt":  "not a JWT",
		"Bearer " + foreign: "signature",
		"Bearer " + expired: "expired",
		"Bearer " + none:    "algorithm none",
		"Bearer " + parts[0] + "." + parts[1] + ".AAAA": "signature",
	}
	for header, want := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		if header != "" {
			r.Header.Set("Authorization", header)
		}
		_, err := l.Authenticate(r)
		if platform.KindOf(err) != platform.Unauthorized || !strings.Contains(err.Error(), want) {
			t.Errorf("Authorization %.30q: %v, want Unauthorized mentioning %q", header, err, want)
		}
	}
}

func TestWrongIssuerOrAudience(t *testing.T) {
	l := mustIssuer(t)
	pem, _ := l.MarshalKey()
	sameKeyOtherAudience, err := LoadLocalIssuer(pem, "gantry-local", "elsewhere", DefaultRoleMap())
	if err != nil {
		t.Fatal(err)
	}
	sameKeyOtherIssuer, _ := LoadLocalIssuer(pem, "someone", "gantry", DefaultRoleMap())
	for name, issuer := range map[string]*LocalIssuer{"audience": sameKeyOtherAudience, "issuer": sameKeyOtherIssuer} {
		token, _ := issuer.Issue("alice", nil, time.Hour)
		if _, err := l.Verify(token); platform.KindOf(err) != platform.Unauthorized || !strings.Contains(err.Error(), name) {
			t.Errorf("token of another %s: %v", name, err)
		}
	}
	if _, err := sameKeyOtherAudience.Verify(mustToken(t, l)); err == nil {
		t.Error("token for audience gantry accepted by an issuer expecting elsewhere")
	}
}

func mustToken(t *testing.T, l *LocalIssuer) string {
	t.Helper()
	token, err := l.Issue("alice", []string{"gantry-admins"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func TestKeySurvivesRoundTrip(t *testing.T) {
	l := mustIssuer(t)
	pem, err := l.MarshalKey()
	if err != nil {
		t.Fatal(err)
	}
	again, err := LoadLocalIssuer(pem, "gantry-local", "gantry", DefaultRoleMap())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := again.Verify(mustToken(t, l)); err != nil {
		t.Fatalf("reloaded key rejects a token of the original: %v", err)
	}
	if _, err := LoadLocalIssuer([]byte("junk"), "i", "a", DefaultRoleMap()); err == nil {
		t.Fatal("junk key accepted")
	}
}

func TestGroupsClaimForms(t *testing.T) {
	cases := map[string][]string{
		`["a","b"]`:       {"a", "b"},
		`"[a b]"`:         {"a", "b"},
		`"[\"a\",\"b\"]"`: {"a", "b"},
		`"a,b"`:           {"a", "b"},
		`"a"`:             {"a"},
	}
	for raw, want := range cases {
		got := parseGroupsClaim(json.RawMessage(raw))
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("groups %s = %q, want %q", raw, got, want)
		}
	}
}

func TestGatewayClaims(t *testing.T) {
	g := GatewayClaims{Roles: RoleMap{AdminGroups: []string{"platform"}, DeveloperGroups: ParseGroupList("dev, qa")}}
	r := httptest.NewRequest("GET", "/", nil)
	if _, err := g.Authenticate(r); platform.KindOf(err) != platform.Unauthorized {
		t.Fatalf("request without authorizer context: %v", err)
	}
	// The request as the API function sees it: API Gateway's event, through the proxy.
	event := events.APIGatewayV2HTTPRequest{RawPath: "/v1/services", RequestContext: events.APIGatewayV2HTTPRequestContext{
		HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/v1/services"},
		Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "bob", "groups": "[qa other]"}}}}}
	r, err := (&core.RequestAccessorV2{}).EventToRequestWithContext(context.Background(), event)
	if err != nil {
		t.Fatal(err)
	}
	c, err := g.Authenticate(r)
	if err != nil || c.Subject != "bob" || !c.Has(platform.DeveloperRole) || c.Has(platform.AdminRole) {
		t.Fatalf("gateway caller = %+v, %v", c, err)
	}
	// Cognito: the groups come in cognito:groups.
	event.RequestContext.Authorizer.JWT.Claims = map[string]string{"sub": "carol", "cognito:groups": "[platform]", "groups": "[qa]"}
	g.Roles.GroupsClaim = "cognito:groups"
	r, _ = (&core.RequestAccessorV2{}).EventToRequestWithContext(context.Background(), event)
	if c, err := g.Authenticate(r); err != nil || !c.Has(platform.AdminRole) || len(c.Groups) != 1 {
		t.Fatalf("cognito caller = %+v, %v", c, err)
	}
}

func TestVerifiedTokenStillExpires(t *testing.T) {
	l := mustIssuer(t)
	now := time.Now()
	l.SetClock(func() time.Time { return now })
	token, _ := l.Issue("alice", []string{"gantry-admins"}, time.Minute)
	if _, err := l.Verify(token); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Verify(token); err != nil {
		t.Fatalf("second verification: %v", err)
	}
	now = now.Add(2 * time.Minute)
	if _, err := l.Verify(token); platform.KindOf(err) != platform.Unauthorized {
		t.Fatalf("expired token after caching: %v, want Unauthorized", err)
	}
}

func TestCallerAccount(t *testing.T) {
	l := mustIssuer(t)
	check := func(token, want string, kind platform.ErrorKind) {
		t.Helper()
		c, err := l.Verify(token)
		if platform.KindOf(err) != kind || err == nil && c.Account != want {
			t.Fatalf("caller = %+v, %v; want account %q (error kind %q)", c, err, want, kind)
		}
	}
	home, _ := l.Issue("alice", []string{"gantry-admins"}, time.Hour)
	check(home, "", "")
	workload, _ := l.IssueIn("erin", []string{"gantry-admins"}, "222222222222", time.Hour)
	check(workload, "222222222222", "")
	forged, _ := l.IssueIn("erin", []string{"gantry-admins"}, "2222", time.Hour)
	check(forged, "", platform.Unauthorized)

	g := GatewayClaims{Roles: DefaultRoleMap()}
	event := events.APIGatewayV2HTTPRequest{RawPath: "/", RequestContext: events.APIGatewayV2HTTPRequestContext{
		HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/"},
		Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "erin", "groups": "[gantry-admins]", "gantry:account": "222222222222"}}}}}
	r, _ := (&core.RequestAccessorV2{}).EventToRequestWithContext(context.Background(), event)
	if c, err := g.Authenticate(r); err != nil || c.Account != "222222222222" {
		t.Fatalf("gateway caller = %+v, %v", c, err)
	}
	event.RequestContext.Authorizer.JWT.Claims["gantry:account"] = "me"
	r, _ = (&core.RequestAccessorV2{}).EventToRequestWithContext(context.Background(), event)
	if _, err := g.Authenticate(r); platform.KindOf(err) != platform.Unauthorized {
		t.Fatalf("a malformed account claim: %v, want Unauthorized", err)
	}
}
