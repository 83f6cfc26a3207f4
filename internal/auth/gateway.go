package auth

import (
	"net/http"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"github.com/gantry-platform/gantry/internal/platform"
)

// GatewayClaims authenticates requests that reached the API function through API Gateway's
// HTTP API, whose JWT authorizer already validated the token (signature, issuer, audience,
// expiry): it reads the validated claims from the request context.
type GatewayClaims struct {
	Roles RoleMap
}

// Authenticate returns the caller of the validated claims (its account from the account
// claim); Unauthorized when the request carries none (it did not come through the
// authorizer) or the account claim is not an account id.
func (g GatewayClaims) Authenticate(r *http.Request) (platform.Caller, error) {
	rc, ok := core.GetAPIGatewayV2ContextFromContext(r.Context())
	if !ok || rc.Authorizer == nil || rc.Authorizer.JWT == nil {
		return platform.Caller{}, platform.Errorf(platform.Unauthorized, "no validated token: the request did not pass the JWT authorizer")
	}
	claims := rc.Authorizer.JWT.Claims
	c, err := g.Roles.Caller(claims["sub"], parseGroupsString(claims[g.Roles.groupsClaim()]))
	if err != nil {
		return c, err
	}
	return withAccount(c, claims[g.Roles.accountClaim()])
}
