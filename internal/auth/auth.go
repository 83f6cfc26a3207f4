// Package auth turns a request's credentials into a platform.Caller. On AWS, API Gateway's
// JWT authorizer has validated the token and the claims reach the function in the request
// context (GatewayClaims); locally, LocalIssuer signs and verifies tokens with a key of
// its own. Either way the caller's roles come from the token's "groups" claim through
// RoleMap.
package auth

import (
	"encoding/json"
	"strings"

	"github.com/gantry-platform/gantry/internal/platform"
)

// RoleMap says which identity-provider groups grant which role.
type RoleMap struct {
	AdminGroups     []string
	DeveloperGroups []string
	// GroupsClaim is the claim that holds the caller's groups; "" means "groups".
	GroupsClaim string
	// AccountClaim is the claim that names the AWS account the caller acts in (for
	// environment account connections); "" means "gantry:account". A token without it
	// acts in the platform's own account.
	AccountClaim string
}

// DefaultAccountClaim is the claim read for the caller's account unless
// RoleMap.AccountClaim says otherwise.
const DefaultAccountClaim = "gantry:account"

// accountClaim returns the name of the account claim.
func (m RoleMap) accountClaim() string {
	if m.AccountClaim == "" {
		return DefaultAccountClaim
	}
	return m.AccountClaim
}

// withAccount sets the caller's account from an account claim's value ("" for none).
// Unauthorized when the value is not a 12-digit account id.
func withAccount(c platform.Caller, account string) (platform.Caller, error) {
	if account == "" {
		return c, nil
	}
	if platform.ValidateAccountID("account", account) != nil {
		return platform.Caller{}, platform.Errorf(platform.Unauthorized, "the token's account claim %q is not an AWS account id (12 digits)", account)
	}
	c.Account = account
	return c, nil
}

// DefaultGroupsClaim is the claim read for groups unless RoleMap.GroupsClaim says otherwise.
const DefaultGroupsClaim = "groups"

// groupsClaim returns the name of the groups claim.
func (m RoleMap) groupsClaim() string {
	if m.GroupsClaim == "" {
		return DefaultGroupsClaim
	}
	return m.GroupsClaim
}

// DefaultRoleMap maps the groups gantry-admins and gantry-developers.
func DefaultRoleMap() RoleMap {
	return RoleMap{AdminGroups: []string{"gantry-admins"}, DeveloperGroups: []string{"gantry-developers"}}
}

// ParseGroupList splits a comma-separated list of group names (or of any names: gantry-local
// reads its --accounts with it), dropping blanks.
func ParseGroupList(s string) []string {
	var out []string
	for _, g := range strings.Split(s, ",") {
		if g = strings.TrimSpace(g); g != "" {
			out = append(out, g)
		}
	}
	return out
}

// Caller builds the caller with subject and groups, with the roles the groups grant.
// Unauthorized when subject is empty.
func (m RoleMap) Caller(subject string, groups []string) (platform.Caller, error) {
	if subject == "" {
		return platform.Caller{}, platform.Errorf(platform.Unauthorized, "the token has no subject (sub claim)")
	}
	c := platform.Caller{Subject: subject, Groups: groups}
	if overlaps(groups, m.AdminGroups) {
		c.Roles = append(c.Roles, platform.AdminRole)
	}
	if overlaps(groups, m.DeveloperGroups) {
		c.Roles = append(c.Roles, platform.DeveloperRole)
	}
	return c, nil
}

func overlaps(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

// parseGroupsClaim reads a groups claim in any of the forms it arrives in: a JSON array,
// a JSON string holding an array, API Gateway's flattened "[a b c]", or "a,b".
func parseGroupsClaim(raw json.RawMessage) []string {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return nil
	}
	return parseGroupsString(s)
}

func parseGroupsString(s string) []string {
	s = strings.TrimSpace(s)
	var list []string
	if strings.HasPrefix(s, "[") && json.Unmarshal([]byte(s), &list) == nil {
		return list
	}
	s = strings.Trim(s, "[]")
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
}
