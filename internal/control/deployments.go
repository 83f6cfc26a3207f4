package control

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
)

// maxSpecChars is Proton's limit on a spec.
const maxSpecChars = 51200

// clientTokenTTL is how long a client token is remembered.
const clientTokenTTL = 8 * time.Hour

// checkSpec applies the size limit every spec shares.
func checkSpec(field, spec string) error {
	if len(spec) > maxSpecChars {
		return platform.FieldErrorf(field, "is %d characters; the limit is %d", len(spec), maxSpecChars)
	}
	return nil
}

// idempotent runs call at most once per client token: the first call with a token stores
// its record (Result set by call) in the same conditional write as what it creates, so
// that however many calls with the same token arrive at once, exactly one write succeeds.
// Every other call, before or after, gets replay of the recorded Result when its
// parameters are the same, and a Conflict naming the token when they differ. A call that
// lost the race to a concurrent one with the same token (its write was refused as a
// Conflict while the winner's was in flight) reads the token again and replays.
// Without a token, call runs with a nil record. Errors: Invalid (clientToken) for a
// token longer than 64 characters, Conflict, and whatever call and replay return.
func idempotent[T any](ctx context.Context, s *Service, operation, clientToken string, params any,
	replay func(result string) (T, error), call func(token *platform.ClientToken) (T, error)) (T, error) {
	var zero T
	for attempt := 0; ; attempt++ {
		token, result, err := s.idempotency(ctx, operation, clientToken, params)
		switch {
		case err != nil:
			return zero, err
		case result != "":
			return replay(result)
		}
		out, err := call(token)
		if token == nil || platform.KindOf(err) != platform.Conflict || attempt == idempotencyAttempts-1 {
			return out, err
		}
		// The write may have lost to a concurrent call with this token: if so, its
		// record is there now (or will be once the winner's transaction commits).
		_, gerr := s.store.GetClientToken(ctx, token.Scope, token.Token)
		switch platform.KindOf(gerr) {
		case "":
		case platform.NotFound: // not (yet) there: a conflict of its own, or the winner's write in flight
			select {
			case <-ctx.Done():
				return zero, ctx.Err()
			case <-time.After(time.Duration(attempt+1) * idempotencyBackoff):
			}
		default:
			return zero, gerr
		}
	}
}

// idempotencyAttempts bounds how often a call with a client token is tried when its write
// meets a concurrent one; idempotencyBackoff is the pause before trying again while the
// concurrent write has not committed yet.
const (
	idempotencyAttempts = 4
	idempotencyBackoff  = 20 * time.Millisecond
)

// idempotency looks up a client token. It returns the token record to store with the
// write (nil when token is ""), or the earlier call's result when the token was used
// before with the same parameters; Conflict when it was used with others.
func (s *Service) idempotency(ctx context.Context, operation, token string, params any) (record *platform.ClientToken, replay string, err error) {
	if token == "" {
		return nil, "", nil
	}
	if len(token) > 64 {
		return nil, "", platform.FieldErrorf("clientToken", "must be at most 64 characters")
	}
	body, err := json.Marshal(params)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(body)
	fingerprint := hex.EncodeToString(sum[:])
	scope := operation + ":" + caller(ctx).Subject
	earlier, err := s.store.GetClientToken(ctx, scope, token)
	switch {
	case err == nil && earlier.Fingerprint == fingerprint:
		return nil, earlier.Result, nil
	case err == nil:
		return nil, "", platform.Errorf(platform.Conflict, "clientToken %q was already used with other parameters", token)
	case platform.KindOf(err) != platform.NotFound:
		return nil, "", err
	}
	return &platform.ClientToken{Scope: scope, Token: token, Fingerprint: fingerprint,
		ExpiresAt: s.clock().Add(clientTokenTTL)}, "", nil
}

// newDeployment builds a deployment of target, not yet stored.
func (s *Service) newDeployment(target platform.Target, op platform.Operation, tv platform.TemplateVersion, spec string, inputs json.RawMessage) platform.Deployment {
	now := s.clock()
	status := platform.InProgress
	if op == platform.Delete {
		status = platform.DeleteInProgress
	}
	// The lease covers the start of its workflow, whose first task renews it: should the
	// process die before the workflow starts, the reconciler finds the deployment.
	return platform.Deployment{ID: s.newID(), Target: target, Operation: op, TemplateName: tv.TemplateName,
		TemplateVersion: tv.Version, Spec: spec, Inputs: inputs, Status: status,
		StackName: platform.StackName(target), CreatedAt: now, UpdatedAt: now, Revision: 1,
		LeaseOwner: "control-plane", LeaseExpiresAt: now.Add(startLease)}
}

// stackOf is the stack of d's target: the one its record names (an adopted stack keeps
// its own name), else the derived one d carries.
func stackOf(current platform.Deployable, d platform.Deployment) string {
	if current.StackName != "" {
		return current.StackName
	}
	return d.StackName
}

// startLease is the lease of a new deployment until its workflow's first task renews it.
const startLease = 10 * time.Minute

// launch starts the workflow of a stored deployment. If the workflow cannot be started, the
// deployment is finished as FAILED so the target is not left in progress forever.
func (s *Service) launch(ctx context.Context, d platform.Deployment, previous platform.DeploymentStatus) error {
	input, _ := json.Marshal(map[string]string{"deploymentId": d.ID})
	if _, err := s.workflows.Start(ctx, d.ID, input); err != nil {
		s.log.ErrorContext(ctx, "start deployment workflow", "deployment", d.ID, "error", err)
		s.abandon(ctx, d, "the deployment workflow could not be started; try again")
		return err
	}
	s.publish(ctx, platform.TargetEvents(d, previous)...)
	return nil
}

// abandon finishes a stored deployment that will never run as FAILED (DELETE_FAILED for a
// deletion) with message, so its target is not left in progress.
func (s *Service) abandon(ctx context.Context, d platform.Deployment, message string) {
	d.Status = platform.Failed
	if d.Operation == platform.Delete {
		d.Status = platform.DeleteFailed
	}
	d.StatusMessage, d.CompletedAt = message, s.clock()
	if err := s.store.FinishDeployment(ctx, d); err != nil {
		s.log.ErrorContext(ctx, "record abandoned deployment", "deployment", d.ID, "error", err)
	}
}

// startUpdate records deployment d of a target whose stored state is current and launches
// it. DeploymentType NONE, as in Proton, deploys nothing and writes no deployment: the
// target keeps its status, template version and deployments, and only takes d's spec
// (checked against its schema), which its next deployment uses.
func (s *Service) startUpdate(ctx context.Context, d platform.Deployment, current platform.Deployable, deployType platform.DeploymentType, token *platform.ClientToken) error {
	if current.DeploymentStatus.Active() {
		return platform.Errorf(platform.Conflict, "%s has a deployment in progress (%s); wait for it or cancel it", d.Target, current.LastDeploymentID)
	}
	if deployType == platform.DeployNone {
		return s.store.RecordSpec(ctx, d.Target, d.Spec, current.Revision, token)
	}
	d.PreviousDeploymentID = current.LastSucceededDeploymentID
	d.StackName = stackOf(current, d)
	if err := s.store.StartDeployment(ctx, d, current.Revision, token); err != nil {
		return err
	}
	return s.launch(ctx, d, current.DeploymentStatus)
}

// UpdateInput is an update of a deployed target.
type UpdateInput struct {
	// Spec is the new spec; "" keeps the current one.
	Spec           string
	DeploymentType platform.DeploymentType
	// MajorVersion and MinorVersion pick the template version for MINOR_VERSION and
	// MAJOR_VERSION updates; nil means the recommended one.
	MajorVersion *int
	MinorVersion *int
	ClientToken  string
	// Outputs, for a customer-managed environment only, replace its outputs (nil keeps
	// them).
	Outputs []platform.Output
	// PreviewID, when set, deploys that preview's change set: the template version and
	// spec are the preview's, and Spec, MajorVersion and MinorVersion must be left out.
	PreviewID string
	// ComponentRoleARN, environments only, when not nil replaces the environment's
	// component role ("" removes it); see UpdateEnvironment.
	ComponentRoleARN *string
	// CodebuildRoleARN, environments only, when not nil replaces the environment's
	// CodeBuild role ("" removes it), as ComponentRoleARN does.
	CodebuildRoleARN *string
	// Region, environments only, when not nil must be the environment's region (a region
	// is fixed at creation; see checkRegionKept).
	Region *string
}

// checkNoRoles refuses the roles only an environment's update takes: Invalid naming
// componentRoleArn or codebuildRoleArn.
func (in UpdateInput) checkNoRoles() error {
	if in.ComponentRoleARN != nil {
		return platform.FieldErrorf("componentRoleArn", "only an environment has a component role")
	}
	if in.CodebuildRoleARN != nil {
		return platform.FieldErrorf("codebuildRoleArn", "only an environment has a CodeBuild role (a pipeline's is the account settings' pipelineCodebuildRoleArn)")
	}
	return nil
}

// updateVersion resolves the template version an update moves to.
func (s *Service) updateVersion(ctx context.Context, kind platform.TemplateKind, current platform.Deployable, in UpdateInput) (platform.TemplateVersion, error) {
	switch in.DeploymentType {
	case platform.DeployNone, platform.DeployCurrentVersion:
		if in.MajorVersion != nil || in.MinorVersion != nil {
			return platform.TemplateVersion{}, platform.FieldErrorf("templateMajorVersion", "must not be given with deploymentType %s", in.DeploymentType)
		}
		return s.store.GetTemplateVersion(ctx, kind, current.TemplateName, current.TemplateVersion)
	case platform.DeployMinorVersion:
		if in.MajorVersion != nil && *in.MajorVersion != current.TemplateVersion.Major {
			return platform.TemplateVersion{}, platform.FieldErrorf("templateMajorVersion", "a MINOR_VERSION update stays on major version %d", current.TemplateVersion.Major)
		}
		tv, err := s.resolveVersion(ctx, kind, current.TemplateName, current.TemplateVersion.Major, in.MinorVersion, "")
		if err == nil && tv.Version.Less(current.TemplateVersion) {
			return tv, platform.FieldErrorf("templateMinorVersion", "%s is older than the version in use, %s", tv.Version, current.TemplateVersion)
		}
		return tv, err
	case platform.DeployMajorVersion:
		major := 0
		if in.MajorVersion != nil {
			major = *in.MajorVersion
		} else {
			t, err := s.store.GetTemplate(ctx, kind, current.TemplateName)
			if err != nil {
				return platform.TemplateVersion{}, err
			}
			major = t.Recommended.Major
		}
		if major <= current.TemplateVersion.Major {
			return platform.TemplateVersion{}, platform.FieldErrorf("templateMajorVersion", "a MAJOR_VERSION update needs a major version above %d", current.TemplateVersion.Major)
		}
		return s.resolveVersion(ctx, kind, current.TemplateName, major, in.MinorVersion, "")
	case "":
		return platform.TemplateVersion{}, platform.FieldErrorf("deploymentType", "is required: NONE, CURRENT_VERSION, MINOR_VERSION or MAJOR_VERSION")
	default:
		return platform.TemplateVersion{}, platform.FieldErrorf("deploymentType", "%q is not one of NONE, CURRENT_VERSION, MINOR_VERSION, MAJOR_VERSION", in.DeploymentType)
	}
}

// GetDeployment returns a deployment; NotFound if there is none.
func (s *Service) GetDeployment(ctx context.Context, id string) (platform.Deployment, error) {
	return s.store.GetDeployment(ctx, id)
}

// DeploymentFilter picks deployments as Proton's ListDeployments does: an environment's
// (Environment), a service instance's (Service and Instance), or every deployment of a
// service's instances and pipeline (Service alone); Pipeline with Service alone narrows
// to the pipeline's.
type DeploymentFilter struct {
	Environment string
	Service     string
	Instance    string
	Pipeline    bool
	// Component, alone, picks a component's deployments.
	Component string
}

// ListDeployments lists the deployments filter picks, newest first; the history of a
// target that is gone stays readable. Invalid (naming the filters) for a combination
// that picks no one thing.
func (s *Service) ListDeployments(ctx context.Context, filter DeploymentFilter, page platform.PageRequest) (platform.Page[platform.Deployment], error) {
	switch f := filter; {
	case f.Component != "" && f.Environment == "" && f.Service == "" && f.Instance == "" && !f.Pipeline:
		return s.store.ListDeployments(ctx, platform.Target{Kind: platform.ComponentTarget, Component: f.Component}, page)
	case f.Component != "":
		return platform.Page[platform.Deployment]{}, platform.FieldErrorf("componentName", "names a target on its own: give no other filter with it")
	case f.Environment != "" && f.Service == "" && f.Instance == "" && !f.Pipeline:
		return s.store.ListDeployments(ctx, platform.Target{Kind: platform.EnvironmentTarget, Environment: f.Environment}, page)
	case f.Environment == "" && f.Service != "" && f.Instance != "" && !f.Pipeline:
		return s.store.ListDeployments(ctx, platform.Target{Kind: platform.ServiceInstanceTarget, Service: f.Service, Instance: f.Instance}, page)
	case f.Environment == "" && f.Service != "" && f.Instance == "" && f.Pipeline:
		return s.store.ListDeployments(ctx, platform.Target{Kind: platform.ServicePipelineTarget, Service: f.Service}, page)
	case f.Environment == "" && f.Service != "" && f.Instance == "":
		return s.store.ListServiceDeployments(ctx, f.Service, page)
	}
	return platform.Page[platform.Deployment]{}, platform.Errorf(platform.Invalid,
		"name what to list: environmentName; componentName; or serviceName, alone (the service's every deployment), with serviceInstanceName, or with servicePipeline=true")
}

// DeleteDeployment removes a finished deployment from its target's history, as Proton's
// DeleteDeployment. Errors: Conflict while it is unfinished or is its target's last or
// last successful deployment; Forbidden when a caller without the admin role deletes an
// environment's deployment; NotFound.
func (s *Service) DeleteDeployment(ctx context.Context, id string) (platform.Deployment, error) {
	d, err := s.store.GetDeployment(ctx, id)
	if err != nil {
		return d, err
	}
	if d.Target.Kind == platform.EnvironmentTarget && !caller(ctx).Has(platform.AdminRole) {
		return d, platform.Errorf(platform.Forbidden, "deleting a deployment of %s needs the admin role", d.Target)
	}
	if err := s.store.DeleteDeployment(ctx, id); err != nil {
		return d, err
	}
	return d, nil
}

// CancelTargetDeployment cancels the deployment in progress on target, as Proton's
// CancelEnvironmentDeployment, CancelServiceInstanceDeployment and
// CancelServicePipelineDeployment: the same rules as CancelDeployment, and Conflict when
// the target has no deployment in progress; NotFound when the target does not exist.
func (s *Service) CancelTargetDeployment(ctx context.Context, target platform.Target) (platform.Deployment, error) {
	if target.Kind == platform.EnvironmentTarget { // who may cancel is told before whether there is anything to cancel
		if err := s.authorizeEnvironmentOf(ctx, target.Environment, "cancelling the deployment of", false); err != nil {
			return platform.Deployment{}, err
		}
	}
	current, err := s.deployableOf(ctx, target)
	if err != nil {
		return platform.Deployment{}, err
	}
	if !current.DeploymentStatus.Active() {
		return platform.Deployment{}, platform.Errorf(platform.Conflict, "%s has no deployment in progress (%s)", target, current.DeploymentStatus)
	}
	return s.CancelDeployment(ctx, current.LastDeploymentID)
}

// CancelDeployment asks an unfinished deployment to stop, as Proton's
// CancelEnvironmentDeployment and CancelServiceInstanceDeployment do. A deployment whose
// stack operation has not started (no task token yet) stops before touching its stack.
// Once the workflow waits on the engine, its operation is cancelled (the engine's
// Provisioner.Cancel: a stack update is cancelled, a build stopped): the deployment is
// CANCELLING until the operation has ended (the stack rolled back to its previous
// template), when the workflow records it CANCELLED (nothing started yet: its waiting task
// is failed at once). Cancelling a deployment already CANCELLING
// returns it unchanged. Errors: Conflict when the deployment has finished, deletes its
// target, or its stack cannot be cancelled (CloudFormation cancels only an update in
// progress, not a create); the deployment is then left as it was. Forbidden when a
// caller without the admin role cancels the deployment of an environment whose template
// is not self-service; NotFound.
func (s *Service) CancelDeployment(ctx context.Context, id string) (platform.Deployment, error) {
	d, err := s.store.GetDeployment(ctx, id)
	if err != nil {
		return d, err
	}
	if d.Target.Kind == platform.EnvironmentTarget {
		if err := s.authorizeEnvironment(ctx, d.TemplateName, "cancelling the deployment of", false); err != nil {
			return d, err
		}
	}
	if d.Finished() {
		return d, platform.Errorf(platform.Conflict, "deployment %s has already finished (%s)", id, d.Status)
	}
	if d.Status == platform.Cancelling {
		return d, nil
	}
	if d.Operation == platform.Delete {
		return d, platform.Errorf(platform.Conflict, "deployment %s deletes its target and cannot be cancelled", id)
	}
	before := d
	d.Status, d.StatusMessage, d.UpdatedAt = platform.Cancelling, "cancellation requested by "+caller(ctx).Subject, s.clock()
	// CANCELLING is stored before the stack is cancelled, so that the rollback's outcome,
	// however soon it comes, is recorded as CANCELLED.
	if err := s.store.UpdateDeployment(ctx, d); err != nil {
		return d, err
	}
	d.Revision++
	failTask := d.TaskToken != ""
	if engine, err := s.engines.For(d.Engine); d.TaskToken != "" && err == nil {
		err := engine.Cancel(ctx, d)
		switch platform.KindOf(err) {
		case "":
			failTask = false // the operation's end (a rollback, a stopped build) ends the workflow's wait
		case platform.NotFound:
			// Nothing was started yet: the waiting task stops the deployment.
		default:
			s.restore(ctx, d, before)
			if platform.KindOf(err) == platform.Conflict {
				return before, platform.Errorf(platform.Conflict, "deployment %s cannot be cancelled: %s", id, platform.MessageOf(err))
			}
			return before, err
		}
	}
	if failTask {
		if err := s.workflows.SendTaskFailure(ctx, d.TaskToken, "DeploymentCancelled", d.StatusMessage); err != nil {
			s.log.WarnContext(ctx, "cancel waiting task", "deployment", id, "error", err)
		}
	}
	s.publish(ctx, platform.TargetEvents(d, before.Status)...)
	return d, nil
}

// restore puts back a deployment marked CANCELLING whose stack could not be cancelled.
// Should it have changed meanwhile (the workflow finished it), the change stands.
func (s *Service) restore(ctx context.Context, cancelling, before platform.Deployment) {
	back := cancelling
	back.Status, back.StatusMessage, back.UpdatedAt = before.Status, before.StatusMessage, s.clock()
	if err := s.store.UpdateDeployment(ctx, back); err != nil {
		s.log.WarnContext(ctx, "restore a deployment whose cancellation failed", "deployment", before.ID, "error", err)
	}
}
