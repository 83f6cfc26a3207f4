package platform

import "context"

// Role is what a caller may do. Admins manage templates and environments, developers
// manage services and service instances; both read everything. An admin may also do what
// a developer may.
type Role string

// The roles.
const (
	AdminRole     Role = "admin"
	DeveloperRole Role = "developer"
	// ReporterRole may only report on one resource's deployment
	// (NotifyResourceDeploymentStatusChange): the short-lived keys given to the commands
	// an engine runs (CodeBuild provisioning). It reads nothing.
	ReporterRole Role = "reporter"
)

// Caller is the authenticated principal of a request.
type Caller struct {
	// Subject is the identity provider's stable id of the caller ("sub").
	Subject string
	Groups  []string
	Roles   []Role
	// Account is the AWS account the caller acts in (an access key's account, a token's
	// account claim); "" is the platform's own account (the management account).
	Account string
	// Resource, for a reporter, is the ARN of the one resource it may report on, and
	// Deployment that resource's deployment it was issued for.
	Resource   string
	Deployment string
}

// Has reports whether the caller holds role; admins hold every role.
func (c Caller) Has(role Role) bool {
	for _, r := range c.Roles {
		if r == role || r == AdminRole {
			return true
		}
	}
	return false
}

type callerKey struct{}

// WithCaller returns ctx carrying c.
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the caller ctx carries, and whether there is one.
func CallerFrom(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	return c, ok
}
