package store

import (
	"context"
	"fmt"

	"github.com/gantry-platform/gantry/internal/platform"
)

// GetClientToken returns a recorded, unexpired client token; NotFound if there is none.
func (s *Store) GetClientToken(ctx context.Context, scope, token string) (platform.ClientToken, error) {
	what := fmt.Sprintf("client token %q", token)
	var it tokenItem
	if err := s.get(ctx, tokenPK(scope, token), skToken, &it, what); err != nil {
		return platform.ClientToken{}, err
	}
	if it.ExpiresAt != 0 && it.ExpiresAt < s.Now().Unix() {
		return platform.ClientToken{}, notFound(what)
	}
	return it.domain(), nil
}

// markStarted records on a target that deployment d has begun, as StartDeployment does.
func markStarted(t *platform.Deployable, d platform.Deployment) {
	t.DeploymentStatus = d.Status
	t.LastDeploymentID = d.ID
	t.LastAttemptedAt = d.CreatedAt
}

// markSucceeded records on a target that deployment d has succeeded, as FinishDeployment
// does.
func markSucceeded(t *platform.Deployable, d platform.Deployment) {
	t.TemplateName, t.TemplateVersion, t.Spec = d.TemplateName, d.TemplateVersion, d.Spec
	t.StackName, t.Outputs = d.StackName, d.Outputs
	t.DeploymentStatus, t.DeploymentStatusMessage = d.Status, d.StatusMessage
	t.LastSucceededDeploymentID, t.LastSucceededAt = d.ID, d.CompletedAt
}

// CreateEnvironment stores a new environment with its first deployment d (and the client
// token, when not nil) atomically, each with Revision 1; the environment is marked as
// StartDeployment marks a target, and, when d has SUCCEEDED already (a customer-managed
// environment's, which deploys nothing), as FinishDeployment then marks it. Conflict if
// the name, the deployment id or the client token is taken; Invalid if d does not target
// the environment or has another final status.
func (s *Store) CreateEnvironment(ctx context.Context, e platform.Environment, d platform.Deployment, token *platform.ClientToken) error {
	if d.Target != (platform.Target{Kind: platform.EnvironmentTarget, Environment: e.Name}) {
		return platform.FieldErrorf("deployment.target", "%s is not environment %q", d.Target, e.Name)
	}
	if d.Finished() && d.Status != platform.Succeeded {
		return platform.FieldErrorf("deployment.status", "a new environment's deployment is in progress or SUCCEEDED, not %s", d.Status)
	}
	e.Revision = 1
	markStarted(&e.Deployable, d)
	if d.Status == platform.Succeeded {
		markSucceeded(&e.Deployable, d)
	}
	envOp, err := s.putNew(newEnvironmentItem(e), fmt.Sprintf("environment %q", e.Name))
	if err != nil {
		return err
	}
	ops := []writeOp{envOp}
	d.Revision = 1
	depOp, err := s.putNew(newDeploymentItem(d), fmt.Sprintf("deployment %q", d.ID))
	if err != nil {
		return err
	}
	ops = append(ops, depOp)
	c := counts{}
	c.add(platform.EnvironmentTarget, e.Deployable, +1)
	if !d.Finished() {
		c.deploying(d, +1)
	}
	ops, err = s.withToken(s.withCounts(append(ops, s.versionNotDeleted(d)...), c), token)
	if err != nil {
		return err
	}
	return s.write(ctx, "create environment", ops...)
}

// GetEnvironment returns an environment; NotFound if there is none.
func (s *Store) GetEnvironment(ctx context.Context, name string) (platform.Environment, error) {
	var it environmentItem
	if err := s.get(ctx, environmentPK(name), skEnvironment, &it, fmt.Sprintf("environment %q", name)); err != nil {
		return platform.Environment{}, err
	}
	return it.domain()
}

// ListEnvironments lists the environments by name; Invalid for a bad page token.
func (s *Store) ListEnvironments(ctx context.Context, page platform.PageRequest) (platform.Page[platform.Environment], error) {
	q := listQuery{index: "gsi1", partition: gsi1EnvironmentsPK, what: "environments"}
	return list(ctx, s, q, page, environmentItem.domain)
}
