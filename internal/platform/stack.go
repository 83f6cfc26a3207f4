package platform

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
)

var stackUnsafe = regexp.MustCompile(`[^a-zA-Z0-9-]`)

// StackName returns the CloudFormation stack name of a target: "gantry-env-<environment>",
// "gantry-svc-<service>-<instance>", "gantry-pipeline-<service>" or
// "gantry-component-<component>". Names CloudFormation
// would refuse (underscores) or that run past its 128 characters are made safe and unique
// by a short hash of the exact names.
func StackName(t Target) string {
	var parts []string
	switch t.Kind {
	case EnvironmentTarget:
		parts = []string{"gantry-env", t.Environment}
	case ServiceInstanceTarget:
		parts = []string{"gantry-svc", t.Service, t.Instance}
	case ComponentTarget:
		parts = []string{"gantry-component", t.Component}
	default:
		parts = []string{"gantry-pipeline", t.Service}
	}
	name := strings.Join(parts, "-")
	safe := stackUnsafe.ReplaceAllString(name, "-")
	if safe == name && len(name) <= 128 {
		return name
	}
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	suffix := "-" + hex.EncodeToString(sum[:])[:8]
	if len(safe) > 128-len(suffix) {
		safe = safe[:128-len(suffix)]
	}
	return safe + suffix
}

// cancelSuffix marks the client request token of a deployment's cancellation.
const cancelSuffix = "-cancel"

// CancelToken returns the client request token that cancels deployment id's stack update:
// a token of its own (CloudFormation's tokens identify one request each), from which
// DeploymentOfToken recovers the deployment.
func CancelToken(deploymentID string) string { return deploymentID + cancelSuffix }

// DeploymentOfToken returns the deployment a stack operation's client request token
// belongs to: the token itself (Gantry's operations use the deployment id), or the
// deployment a CancelToken cancels.
func DeploymentOfToken(token string) string { return strings.TrimSuffix(token, cancelSuffix) }
