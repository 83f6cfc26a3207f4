package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gantry-platform/gantry/internal/lambdawire/lambdawiretest"
	"github.com/gantry-platform/gantry/internal/platform"
)

// gatewayEvent is an API Gateway HTTP API event (payload format 2.0) as the service sends
// it; authorizer is the requestContext's authorizer object ("" for none).
func gatewayEvent(method, path, authorizer string) []byte {
	if authorizer != "" {
		authorizer = `"authorizer":` + authorizer + `,`
	}
	return []byte(`{
  "version": "2.0",
  "routeKey": "ANY /{proxy+}",
  "rawPath": "` + path + `",
  "rawQueryString": "",
  "headers": {"accept": "application/json", "host": "abc123.execute-api.us-east-1.amazonaws.com", "user-agent": "curl/8.5.0"},
  "requestContext": {
    "accountId": "111122223333",
    "apiId": "abc123",
    ` + authorizer + `
    "domainName": "abc123.execute-api.us-east-1.amazonaws.com",
    "domainPrefix": "abc123",
    "http": {"method": "` + method + `", "path": "` + path + `", "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7", "userAgent": "curl/8.5.0"},
    "requestId": "Tq3UojvRoAMEbxA=",
    "routeKey": "ANY /{proxy+}",
    "stage": "$default",
    "time": "02/Jan/2026:03:04:05 +0000",
    "timeEpoch": 1767323045000
  },
  "isBase64Encoded": false
}`)
}

const developerClaims = `{"jwt": {"claims": {"sub": "alice", "groups": "[gantry-developers]", "iss": "https://idp.example.com", "aud": "gantry"}, "scopes": null}}`

func invoke(t *testing.T, payload []byte) events.APIGatewayV2HTTPResponse {
	t.Helper()
	ports := lambdawiretest.NewPorts()
	ports.Store.Environments["beta"] = platform.Environment{Name: "beta", Description: "Beta"}
	out, err := lambdawiretest.Invoke(t, handler(ports.App()), payload)
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("response %s: %v", out, err)
	}
	return resp
}

func TestAPIEntryPoint(t *testing.T) {
	for _, tc := range []struct {
		name, method, path, authorizer string
		status                         int
		body                           string
	}{
		{"health needs no token", "GET", "/healthz", "", 200, `"ok"`},
		{"a developer reads an environment", "GET", "/v1/environments/beta", developerClaims, 200, `"name":"beta"`},
		{"an unknown environment", "GET", "/v1/environments/gamma", developerClaims, 404, `"requestId":"Tq3UojvRoAMEbxA="`},
		{"no authorizer claims", "GET", "/v1/environments/beta", "", 401, `"requestId":"Tq3UojvRoAMEbxA="`},
	} {
		resp := invoke(t, gatewayEvent(tc.method, tc.path, tc.authorizer))
		if resp.StatusCode != tc.status || !strings.Contains(resp.Body, tc.body) {
			t.Errorf("%s: %d %s, want %d with %s", tc.name, resp.StatusCode, resp.Body, tc.status, tc.body)
		}
		if id := resp.Headers["X-Request-Id"]; id != "Tq3UojvRoAMEbxA=" {
			t.Errorf("%s: X-Request-Id = %q, want API Gateway's request id", tc.name, id)
		}
	}
}
