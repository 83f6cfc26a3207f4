package control

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/gantry-platform/gantry/internal/platform"
)

// defaultOpsFile is where a service sync configuration finds the proton-ops file when it
// names none.
const defaultOpsFile = "proton-ops.yaml"

// ServiceSyncConfigInput is what CreateServiceSyncConfig and UpdateServiceSyncConfig take
// (Proton's CreateServiceSyncConfigInput).
type ServiceSyncConfigInput struct {
	ServiceName string
	Repository  platform.RepositoryID
	Branch      string
	FilePath    string
}

// OpsInstance is one instance of a proton-ops file: the branch it follows and its spec
// file, in the file's order (Proton's promotion order).
type OpsInstance struct {
	Name   string
	Branch string
	Spec   string
}

// ParseOpsFile reads a proton-ops file (name, for messages) and returns the instances it
// lists for service, in order:
//
//	sync:
//	  services:
//	    <service>:
//	      <instance>:
//	        branch: <branch>
//	        spec: <path of the spec file>
//
// Invalid errors name the file and line.
func ParseOpsFile(name string, data []byte, service string) ([]OpsInstance, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, platform.Errorf(platform.Invalid, "%s: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	at := func(n *yaml.Node, format string, args ...any) error {
		return platform.Errorf(platform.Invalid, "%s:%d: %s", name, n.Line, fmt.Sprintf(format, args...))
	}
	child := func(n *yaml.Node, key string) (*yaml.Node, error) {
		if n.Kind != yaml.MappingNode {
			return nil, at(n, "must be a mapping")
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i+1], nil
			}
		}
		return nil, at(n, "has no %q", key)
	}
	if len(doc.Content) == 0 {
		return nil, platform.Errorf(platform.Invalid, "%s: the file is empty", name)
	}
	node := doc.Content[0]
	for _, key := range []string{"sync", "services", service} {
		next, err := child(node, key)
		if err != nil {
			return nil, err
		}
		node = next
	}
	if node.Kind != yaml.MappingNode {
		return nil, at(node, "the instances of %s must be a mapping", service)
	}
	var out []OpsInstance
	for i := 0; i+1 < len(node.Content); i += 2 {
		inst, body := node.Content[i].Value, node.Content[i+1]
		if err := platform.ValidateName("instance", inst); err != nil {
			return nil, at(node.Content[i], "%s", platform.MessageOf(err))
		}
		branch, err := child(body, "branch")
		if err != nil {
			return nil, err
		}
		spec, err := child(body, "spec")
		if err != nil {
			return nil, err
		}
		if err := platform.ValidateBranchName("branch", branch.Value); err != nil {
			return nil, at(branch, "%s", platform.MessageOf(err))
		}
		if spec.Value == "" {
			return nil, at(spec, "spec must be the path of the instance's spec file")
		}
		out = append(out, OpsInstance{Name: inst, Branch: branch.Value, Spec: strings.TrimPrefix(path.Clean("/"+spec.Value), "/")})
	}
	return out, nil
}

func (s *Service) serviceSyncConfigured() error {
	if err := s.syncConfigured(); err != nil {
		return err
	}
	if s.serviceSyncs == nil {
		return platform.Errorf(platform.Internal, "control: service sync is not configured (no service sync store)")
	}
	return nil
}

// checkServiceSyncInput checks the caller may change service syncs (developer role), in
// (its file path defaulted to proton-ops.yaml), and that its service and repository exist.
func (s *Service) checkServiceSyncInput(ctx context.Context, verb string, in *ServiceSyncConfigInput) error {
	if err := requireRole(ctx, platform.DeveloperRole, verb+" a service sync configuration"); err != nil {
		return err
	}
	if err := s.serviceSyncConfigured(); err != nil {
		return err
	}
	if in.FilePath == "" {
		in.FilePath = defaultOpsFile
	}
	in.FilePath = strings.TrimPrefix(in.FilePath, "./")
	if err := platform.ValidateSubdirectory("filePath", in.FilePath); err != nil {
		return err
	}
	if err := checkRepositoryID(in.Repository); err != nil {
		return err
	}
	if err := platform.ValidateBranchName("branch", in.Branch); err != nil {
		return err
	}
	if _, err := s.store.GetService(ctx, in.ServiceName); err != nil {
		return err
	}
	_, err := s.repos.GetRepository(ctx, in.Repository)
	return err
}

// CreateServiceSyncConfig makes Gantry follow a service's proton-ops file (developer
// role): from then on a commit on an instance's branch that changes its spec file updates
// that instance. Errors: Invalid naming the field; NotFound when the service or the
// repository does not exist; Conflict when the service has one already.
func (s *Service) CreateServiceSyncConfig(ctx context.Context, in ServiceSyncConfigInput) (platform.ServiceSyncConfig, error) {
	if err := s.checkServiceSyncInput(ctx, "creating", &in); err != nil {
		return platform.ServiceSyncConfig{}, err
	}
	now := s.clock()
	c := platform.ServiceSyncConfig{ServiceName: in.ServiceName, Repository: in.Repository, Branch: in.Branch, FilePath: in.FilePath, CreatedAt: now, UpdatedAt: now}
	if err := s.serviceSyncs.CreateServiceSyncConfig(ctx, c); err != nil {
		if platform.KindOf(err) == platform.Conflict {
			return c, platform.Errorf(platform.Conflict, "service %s has a service sync configuration already", in.ServiceName)
		}
		return c, err
	}
	c.Revision = 1
	return c, nil
}

// GetServiceSyncConfig returns a service's sync configuration; NotFound when none.
func (s *Service) GetServiceSyncConfig(ctx context.Context, service string) (platform.ServiceSyncConfig, error) {
	if err := s.serviceSyncConfigured(); err != nil {
		return platform.ServiceSyncConfig{}, err
	}
	return s.serviceSyncs.GetServiceSyncConfig(ctx, service)
}

// UpdateServiceSyncConfig points a service's sync configuration at another repository,
// branch or proton-ops file (developer role). Errors as CreateServiceSyncConfig's;
// NotFound when the service has no configuration.
func (s *Service) UpdateServiceSyncConfig(ctx context.Context, in ServiceSyncConfigInput) (platform.ServiceSyncConfig, error) {
	if err := s.checkServiceSyncInput(ctx, "updating", &in); err != nil {
		return platform.ServiceSyncConfig{}, err
	}
	c, err := s.serviceSyncs.GetServiceSyncConfig(ctx, in.ServiceName)
	if err != nil {
		return c, err
	}
	c.Repository, c.Branch, c.FilePath, c.UpdatedAt = in.Repository, in.Branch, in.FilePath, s.clock()
	if err := s.serviceSyncs.UpdateServiceSyncConfig(ctx, c); err != nil {
		return c, err
	}
	c.Revision++
	return c, nil
}

// DeleteServiceSyncConfig stops following a service's proton-ops file (developer role)
// and returns the configuration removed. NotFound when the service has none.
func (s *Service) DeleteServiceSyncConfig(ctx context.Context, service string) (platform.ServiceSyncConfig, error) {
	if err := requireRole(ctx, platform.DeveloperRole, "deleting a service sync configuration"); err != nil {
		return platform.ServiceSyncConfig{}, err
	}
	if err := s.serviceSyncConfigured(); err != nil {
		return platform.ServiceSyncConfig{}, err
	}
	c, err := s.serviceSyncs.GetServiceSyncConfig(ctx, service)
	if err != nil {
		return c, err
	}
	return c, s.serviceSyncs.DeleteServiceSyncConfig(ctx, service, c.Revision)
}

// GetServiceInstanceSyncStatus returns the syncs of a service instance: the latest, the
// latest successful and the revision it is to reach, each nil when there is none.
// NotFound when the instance does not exist.
func (s *Service) GetServiceInstanceSyncStatus(ctx context.Context, service, instance string) (platform.ResourceSyncStatus, error) {
	if err := s.serviceSyncConfigured(); err != nil {
		return platform.ResourceSyncStatus{}, err
	}
	if _, err := s.store.GetServiceInstance(ctx, service, instance); err != nil {
		return platform.ResourceSyncStatus{}, err
	}
	st, err := s.syncs.GetResourceSyncStatus(ctx, platform.InstanceSyncStatusKey(service, instance))
	if platform.KindOf(err) == platform.NotFound {
		return platform.ResourceSyncStatus{}, nil
	}
	return st, err
}

// activeBlockers returns a service's ACTIVE blockers (of instance, when not "": those of
// the instance and of the whole service), newest first, after raising the blockers due
// for synced deployments that failed.
func (s *Service) activeBlockers(ctx context.Context, service, instance string) ([]platform.SyncBlocker, error) {
	if err := s.raiseFailedDeploymentBlockers(ctx, service); err != nil {
		return nil, err
	}
	var out []platform.SyncBlocker
	next := ""
	for {
		page, err := s.serviceSyncs.ListSyncBlockers(ctx, service, platform.PageRequest{NextToken: next, Limit: 100})
		if err != nil {
			return nil, err
		}
		for _, b := range page.Items {
			if b.Status == platform.SyncBlockerActive && (instance == "" || b.Instance == "" || b.Instance == instance) {
				out = append(out, b)
			}
		}
		if next = page.NextToken; next == "" {
			return out, nil
		}
	}
}

// raiseFailedDeploymentBlockers raises an AUTOMATED blocker for each instance of service
// whose last deployment, started by sync, failed — once per deployment (the blocker's id
// is derived from it).
func (s *Service) raiseFailedDeploymentBlockers(ctx context.Context, service string) error {
	next := ""
	for {
		page, err := s.store.ListServiceInstances(ctx, service, platform.PageRequest{NextToken: next, Limit: 100})
		if platform.KindOf(err) == platform.NotFound {
			return nil
		}
		if err != nil {
			return err
		}
		for _, inst := range page.Items {
			if inst.DeploymentStatus != platform.Failed || inst.LastDeploymentID == "" {
				continue
			}
			st, err := s.syncs.GetResourceSyncStatus(ctx, platform.InstanceSyncStatusKey(service, inst.Name))
			if platform.KindOf(err) == platform.NotFound || st.Latest == nil || !syncStarted(*st.Latest, inst.LastDeploymentID) {
				continue
			}
			if err != nil {
				return err
			}
			if err := s.raiseDeploymentBlocker(ctx, service, inst.Name, inst.LastDeploymentID, inst.DeploymentStatusMessage, st.Latest.TargetRevision.Commit); err != nil {
				return err
			}
		}
		if next = page.NextToken; next == "" {
			return nil
		}
	}
}

// raiseDeploymentBlocker raises the AUTOMATED blocker of deployment id of instance,
// started by sync at commit, that failed with message — once per deployment.
func (s *Service) raiseDeploymentBlocker(ctx context.Context, service, instance, id, message, commit string) error {
	return s.raiseBlocker(ctx, "deployment:"+id, service, instance,
		fmt.Sprintf("deployment %s of service instance %s, started by sync, failed: %s", id, instance, message),
		map[string]string{"deploymentId": id, "commit": commit})
}

// syncStarted reports whether attempt a started deployment id.
func syncStarted(a platform.ResourceSyncAttempt, id string) bool {
	for _, e := range a.Events {
		if e.Type == "DEPLOYMENT_STARTED" && e.ExternalID == id {
			return true
		}
	}
	return false
}

// raiseBlocker stores an ACTIVE AUTOMATED blocker whose id derives from cause; raising
// the same cause again changes nothing.
func (s *Service) raiseBlocker(ctx context.Context, cause, service, instance, reason string, contexts map[string]string) error {
	sum := sha256.Sum256([]byte(service + "\x00" + cause))
	sum[6], sum[8] = sum[6]&0x0f|0x50, sum[8]&0x3f|0x80 // a name-based UUID, the form of Proton's ids
	id := fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
	b := platform.SyncBlocker{ID: id, Service: service, Instance: instance, Type: platform.AutomatedBlocker,
		Status: platform.SyncBlockerActive, CreatedReason: reason, CreatedAt: s.clock(), Contexts: contexts}
	if err := s.serviceSyncs.CreateSyncBlocker(ctx, b); err != nil && platform.KindOf(err) != platform.Conflict {
		return err
	}
	return nil
}

// GetServiceSyncBlockerSummary returns the ACTIVE sync blockers of a service (and of one
// of its instances, when instance is not ""), raising first those due for synced
// deployments that failed. NotFound when the service (or instance) does not exist.
func (s *Service) GetServiceSyncBlockerSummary(ctx context.Context, service, instance string) ([]platform.SyncBlocker, error) {
	if err := s.serviceSyncConfigured(); err != nil {
		return nil, err
	}
	if _, err := s.store.GetService(ctx, service); err != nil {
		return nil, err
	}
	if instance != "" {
		if _, err := s.store.GetServiceInstance(ctx, service, instance); err != nil {
			return nil, err
		}
	}
	return s.activeBlockers(ctx, service, instance)
}

// UpdateServiceSyncBlocker resolves a sync blocker with a reason (developer role), letting
// the service's syncs go on. Errors: Invalid without a reason; NotFound for an unknown
// blocker; Conflict when it is resolved already.
func (s *Service) UpdateServiceSyncBlocker(ctx context.Context, id, reason string) (platform.SyncBlocker, error) {
	if err := requireRole(ctx, platform.DeveloperRole, "resolving a sync blocker"); err != nil {
		return platform.SyncBlocker{}, err
	}
	if err := s.serviceSyncConfigured(); err != nil {
		return platform.SyncBlocker{}, err
	}
	if strings.TrimSpace(reason) == "" {
		return platform.SyncBlocker{}, platform.FieldErrorf("resolvedReason", "is required")
	}
	b, err := s.serviceSyncs.GetSyncBlocker(ctx, id)
	if err != nil {
		return b, err
	}
	if b.Status != platform.SyncBlockerActive {
		return b, platform.Errorf(platform.Conflict, "sync blocker %s is resolved already", id)
	}
	b.Status, b.ResolvedReason, b.ResolvedAt = platform.SyncBlockerResolved, reason, s.clock()
	return b, s.serviceSyncs.ResolveSyncBlocker(ctx, b)
}

// RaiseManualChangeBlocker raises a blocker when someone other than sync changes a synced
// service's instance (Proton's rule: the repository is no longer the truth until someone
// resolves it). Nothing when the service has no sync configuration.
func (s *Service) raiseManualChangeBlocker(ctx context.Context, service, instance, deploymentID string) error {
	if s.serviceSyncs == nil || strings.HasPrefix(caller(ctx).Subject, "sync:") {
		return nil
	}
	if _, err := s.serviceSyncs.GetServiceSyncConfig(ctx, service); platform.KindOf(err) == platform.NotFound {
		return nil
	} else if err != nil {
		return err
	}
	return s.raiseBlocker(ctx, "manual:"+deploymentID, service, instance,
		fmt.Sprintf("service instance %s of synced service %s was changed outside sync by %s (deployment %s)", instance, service, caller(ctx).Subject, deploymentID),
		map[string]string{"deploymentId": deploymentID, "changedBy": caller(ctx).Subject})
}

// SyncServiceCommit processes commit of branch for a service's sync configuration — the
// sync workflow's step for services, once per service, branch and commit (by the
// execution by, as SyncTemplateCommit). It reads the proton-ops file at the head of the
// configuration's branch and takes its instances in the file's order, Proton's promotion
// order: an instance following branch whose spec file at commit is not its synced spec is
// updated (UpdateServiceInstance) unless an ACTIVE blocker stops its syncs, and the
// instances after it wait until that deployment succeeded (Waiting: the workflow runs the
// task again later); when it fails, an AUTOMATED blocker is raised and none after it is
// synced. An instance of another branch that this commit reached (a promotion by merge)
// gates the instances after it the same way. A commit the branch has moved past deploys
// nothing more (the newer commit's sync will). A bad proton-ops file or spec records a
// FAILED sync naming the file and line and changes nothing. Run again by the same
// execution (a retry, or after waiting), it goes on where it stopped and starts no
// deployment twice. Errors: NotFound when the configuration is gone; Internal
// (transient) when git or the store fails.
func (s *Service) SyncServiceCommit(ctx context.Context, service, branch, commit, by string) (SyncOutcome, error) {
	if err := s.serviceSyncConfigured(); err != nil {
		return SyncOutcome{}, err
	}
	c, err := s.serviceSyncs.GetServiceSyncConfig(ctx, service)
	if err != nil {
		return SyncOutcome{}, err
	}
	key := platform.ServiceSyncKey(service, branch)
	if err := s.syncs.ClaimSyncCommit(ctx, key, commit, by, s.clock()); platform.KindOf(err) == platform.Conflict {
		return SyncOutcome{Skipped: true}, nil
	} else if err != nil {
		return SyncOutcome{}, err
	}
	ctx = platform.WithCaller(ctx, platform.Caller{Subject: "sync:" + key, Roles: []platform.Role{platform.DeveloperRole}})
	run := &serviceSyncRun{s: s, config: c, branch: branch, commit: commit, by: by,
		attempt: platform.RepositorySyncAttempt{Commit: commit, Status: platform.SyncInProgress, StartedAt: s.clock()}}
	if prev, err := s.syncs.GetRepositorySyncAttempt(ctx, c.Repository, branch, platform.ServiceSync); err == nil && prev.Commit == commit {
		run.attempt.StartedAt = prev.StartedAt
	}
	opsHead, err := s.git.Fetch(ctx, c.Repository, c.Branch)
	if err != nil {
		return SyncOutcome{}, err
	}
	if run.head, err = s.git.Fetch(ctx, c.Repository, branch); err != nil {
		return SyncOutcome{}, err
	}
	opsFile, err := s.git.ReadFile(ctx, c.Repository, opsHead, c.FilePath)
	if err == nil {
		var instances []OpsInstance
		if instances, err = ParseOpsFile(c.FilePath, opsFile, service); err == nil {
			return run.instances(ctx, instances)
		}
	}
	if k := platform.KindOf(err); k != platform.Invalid && k != platform.NotFound {
		return SyncOutcome{}, err
	}
	run.note("OPS_FILE_INVALID", "%s", platform.MessageOf(err))
	return run.finish(ctx, platform.SyncFailed)
}

// serviceSyncRun is one run of SyncServiceCommit's task: the commit of branch, synced for
// config by the execution by, and the repository attempt it records.
type serviceSyncRun struct {
	s            *Service
	config       platform.ServiceSyncConfig
	branch, head string
	commit, by   string
	attempt      platform.RepositorySyncAttempt
}

func (r *serviceSyncRun) note(typ, format string, args ...any) {
	r.attempt.Events = append(r.attempt.Events, platform.SyncEvent{Type: typ, Event: fmt.Sprintf(format, args...), ExternalID: r.commit, Time: r.s.clock()})
}

// finish records the repository attempt with status; IN_PROGRESS is an outcome that
// waits.
func (r *serviceSyncRun) finish(ctx context.Context, status platform.SyncStatus) (SyncOutcome, error) {
	r.attempt.Status = status
	if status != platform.SyncInProgress {
		r.note("SYNC_"+string(status), "sync of service %s at commit %s %s", r.config.ServiceName, short(r.commit), strings.ToLower(string(status)))
	}
	out := SyncOutcome{Status: status, Waiting: status == platform.SyncInProgress, Events: r.attempt.Events}
	return out, r.s.syncs.PutRepositorySyncAttempt(ctx, r.config.Repository, r.branch, platform.ServiceSync, r.attempt)
}

// instances syncs, in order, the instances following the run's branch, each after the
// earlier ones this commit reached succeeded.
func (r *serviceSyncRun) instances(ctx context.Context, instances []OpsInstance) (SyncOutcome, error) {
	status, stoppedBy := platform.SyncSucceeded, ""
	for _, oi := range instances {
		statusKey := platform.InstanceSyncStatusKey(r.config.ServiceName, oi.Name)
		st, err := r.s.syncs.GetResourceSyncStatus(ctx, statusKey)
		if err != nil && platform.KindOf(err) != platform.NotFound {
			return SyncOutcome{}, err
		}
		var prev *platform.ResourceSyncAttempt // the instance's attempt at this commit
		if st.Latest != nil && st.Latest.TargetRevision.Commit == r.commit && st.Latest.TargetRevision.Directory == oi.Spec {
			prev = st.Latest
		}
		if oi.Branch != r.branch {
			// An instance of another branch gates the ones after it when this commit reached it.
			switch {
			case prev == nil:
			case prev.Status == platform.SyncFailed && stoppedBy == "":
				stoppedBy = oi.Name
			case prev.Status != platform.SyncSucceeded && prev.Status != platform.SyncFailed:
				r.note("WAITING_FOR_INSTANCE", "instance %s (branch %s) syncs %s first", oi.Name, oi.Branch, short(r.commit))
				return r.finish(ctx, platform.SyncInProgress)
			}
			continue
		}
		var attempt platform.ResourceSyncAttempt
		switch {
		case prev != nil && (prev.Status == platform.SyncSucceeded || prev.Status == platform.SyncFailed):
			attempt = *prev // done before this run
		case prev != nil:
			attempt = *prev
			waiting, err := r.settle(ctx, oi, &attempt)
			if err != nil {
				return SyncOutcome{}, err
			}
			if waiting {
				r.note("WAITING_FOR_DEPLOYMENT", "instance %s deploys %s", oi.Name, short(r.commit))
				return r.finish(ctx, platform.SyncInProgress)
			}
		case stoppedBy != "":
			attempt = r.newAttempt(oi)
			r.event(&attempt, "PROMOTION_STOPPED", "", "instance %s, earlier in %s, failed at %s: %s is not synced", stoppedBy, r.config.FilePath, short(r.commit), oi.Name)
			attempt.Status = platform.SyncFailed
			if err := r.put(ctx, oi, attempt); err != nil {
				return SyncOutcome{}, err
			}
		default:
			var outcome instanceOutcome
			attempt, outcome, err = r.syncInstance(ctx, oi)
			if err != nil {
				return SyncOutcome{}, err
			}
			switch outcome {
			case instanceBusy:
				r.note("WAITING_FOR_DEPLOYMENT", "instance %s has a deployment under way", oi.Name)
				return r.finish(ctx, platform.SyncInProgress)
			case instanceSuperseded:
				r.note("SUPERSEDED", "branch %s has moved on to %s: %s deploys nothing more", r.branch, short(r.head), short(r.commit))
				return r.finish(ctx, status)
			case instanceDeploying:
				r.note("WAITING_FOR_DEPLOYMENT", "instance %s deploys %s", oi.Name, short(r.commit))
				return r.finish(ctx, platform.SyncInProgress)
			}
		}
		if attempt.Status == platform.SyncFailed {
			status = platform.SyncFailed
			if stoppedBy == "" {
				stoppedBy = oi.Name
			}
		}
		r.note("INSTANCE_"+string(attempt.Status), "instance %s: %s", oi.Name, strings.ToLower(string(attempt.Status)))
	}
	return r.finish(ctx, status)
}

// instanceOutcome is what syncInstance did to an instance.
type instanceOutcome int

const (
	instanceDone       instanceOutcome = iota // an attempt ended: unchanged, refused, blocked
	instanceDeploying                         // a deployment started: the run waits for it
	instanceBusy                              // a deployment was under way: nothing done, the run waits
	instanceSuperseded                        // the branch moved past the commit: nothing done
)

func (r *serviceSyncRun) newAttempt(oi OpsInstance) platform.ResourceSyncAttempt {
	rev := platform.SyncRevision{Repository: r.config.Repository, Branch: r.branch, Directory: oi.Spec, Commit: r.commit}
	return platform.ResourceSyncAttempt{Target: oi.Name, InitialRevision: rev, TargetRevision: rev, Status: platform.SyncInProgress, StartedAt: r.s.clock()}
}

func (r *serviceSyncRun) event(a *platform.ResourceSyncAttempt, typ, id, format string, args ...any) {
	a.Events = append(a.Events, platform.SyncEvent{Type: typ, Event: fmt.Sprintf(format, args...), ExternalID: id, Time: r.s.clock()})
}

// put records a as the instance's latest attempt, and its commit as the instance's
// desired state.
func (r *serviceSyncRun) put(ctx context.Context, oi OpsInstance, a platform.ResourceSyncAttempt) error {
	rev := a.TargetRevision
	return r.s.syncs.PutResourceSyncAttempt(ctx, platform.InstanceSyncStatusKey(r.config.ServiceName, oi.Name), a, &rev)
}

// syncInstance brings one instance, not yet synced at the run's commit, to its spec file
// there, and records the attempt unless nothing was done (instanceBusy,
// instanceSuperseded).
func (r *serviceSyncRun) syncInstance(ctx context.Context, oi OpsInstance) (platform.ResourceSyncAttempt, instanceOutcome, error) {
	s, c := r.s, r.config
	attempt := r.newAttempt(oi)
	done := func(status platform.SyncStatus, typ, id, format string, args ...any) (platform.ResourceSyncAttempt, instanceOutcome, error) {
		r.event(&attempt, typ, id, format, args...)
		attempt.Status = status
		outcome := instanceDone
		if status == platform.SyncInProgress {
			outcome = instanceDeploying
		}
		return attempt, outcome, r.put(ctx, oi, attempt)
	}
	inst, err := s.store.GetServiceInstance(ctx, c.ServiceName, oi.Name)
	if platform.KindOf(err) == platform.NotFound {
		return done(platform.SyncFailed, "INSTANCE_NOT_FOUND", "", "service %s has no instance %s (create it first; sync updates instances)", c.ServiceName, oi.Name)
	} else if err != nil {
		return attempt, 0, err
	}
	blockers, err := s.activeBlockers(ctx, c.ServiceName, oi.Name)
	if err != nil {
		return attempt, 0, err
	}
	if len(blockers) > 0 {
		return done(platform.SyncFailed, "SYNC_BLOCKED", blockers[0].ID, "sync blocker %s stops the syncs of %s: %s (resolve it with UpdateServiceSyncBlocker)", blockers[0].ID, oi.Name, blockers[0].CreatedReason)
	}
	spec, err := s.git.ReadFile(ctx, c.Repository, r.commit, oi.Spec)
	if k := platform.KindOf(err); k == platform.NotFound || k == platform.Invalid {
		return done(platform.SyncFailed, "SPEC_INVALID", "", "%s", platform.MessageOf(err))
	} else if err != nil {
		return attempt, 0, err
	}
	// An instance deploying is looked at again once it is done, unless the deployment is
	// this execution's own (a retried task): the update below replays it.
	if string(spec) == s.syncedSpec(ctx, c, oi, inst) && !inst.DeploymentStatus.Active() {
		return done(platform.SyncSucceeded, "INSTANCE_UNCHANGED", "", "%s at %s is the instance's spec already", oi.Spec, short(r.commit))
	}
	if r.head != r.commit {
		return attempt, instanceSuperseded, nil
	}
	updated, err := s.UpdateServiceInstance(ctx, c.ServiceName, oi.Name, UpdateInput{Spec: string(spec), DeploymentType: platform.DeployCurrentVersion,
		ClientToken: syncClientToken(r.by, oi.Name)})
	switch k := platform.KindOf(err); {
	case err == nil:
		return done(platform.SyncInProgress, "DEPLOYMENT_STARTED", updated.LastDeploymentID, "%s at %s deploys as %s", oi.Spec, short(r.commit), updated.LastDeploymentID)
	case k == platform.Conflict:
		if now, gerr := s.store.GetServiceInstance(ctx, c.ServiceName, oi.Name); gerr == nil && now.DeploymentStatus.Active() {
			return attempt, instanceBusy, nil // a deployment started meanwhile
		}
		return done(platform.SyncFailed, "UPDATE_REFUSED", "", "%s: %s", oi.Spec, platform.MessageOf(err))
	case k == platform.Invalid:
		if line := specFieldLine(spec, oi.Name, err); line > 0 {
			return done(platform.SyncFailed, "UPDATE_REFUSED", "", "%s:%d: %s", oi.Spec, line, platform.MessageOf(err))
		}
		return done(platform.SyncFailed, "UPDATE_REFUSED", "", "%s: %s", oi.Spec, platform.MessageOf(err))
	default:
		return attempt, 0, err
	}
}

// specFieldLine returns the line of the spec file where the field an Invalid error names
// ("spec.a.b[0]") is, 0 when it cannot tell. The file is an instance's inputs, a "spec:"
// mapping of them, or a ServiceSpec whose instances list names instance.
func specFieldLine(file []byte, instance string, err error) int {
	var pe *platform.Error
	if !errors.As(err, &pe) || !strings.HasPrefix(pe.Field, "spec.") {
		return 0
	}
	var doc yaml.Node
	if yaml.Unmarshal(file, &doc) != nil || len(doc.Content) == 0 {
		return 0
	}
	root := doc.Content[0]
	value := func(n *yaml.Node, key string) *yaml.Node {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i+1]
			}
		}
		return nil
	}
	bases := []*yaml.Node{root, value(root, "spec")}
	if list := value(root, "instances"); list != nil && list.Kind == yaml.SequenceNode {
		for _, inst := range list.Content {
			if name := value(inst, "name"); name != nil && name.Value == instance {
				bases = append(bases, value(inst, "spec"))
			}
		}
	}
	path := strings.FieldsFunc(strings.TrimPrefix(pe.Field, "spec."), func(r rune) bool { return r == '.' || r == '[' || r == ']' })
	for _, base := range bases {
		n, line := base, 0
		for _, step := range path {
			if i, err := strconv.Atoi(step); err == nil && n != nil && n.Kind == yaml.SequenceNode && i < len(n.Content) {
				n = n.Content[i]
				line = n.Line
				continue
			}
			if n == nil || n.Kind != yaml.MappingNode {
				n = nil
				break
			}
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == step {
					next, line = n.Content[i+1], n.Content[i].Line
				}
			}
			n = next
		}
		if n != nil {
			return line
		}
	}
	return 0
}

// syncClientToken is the client token of the update an execution makes of an instance: a
// retried task replays its update instead of deploying again.
func syncClientToken(execution, instance string) string {
	sum := sha256.Sum256([]byte(execution + "\x00" + instance))
	return fmt.Sprintf("sync-%x", sum[:24])
}

// settle looks at the deployment attempt a (in progress) started: still under way, it
// reports waiting; ended, it records a as SUCCEEDED or FAILED — a failure raising the
// AUTOMATED blocker that stops the instance's syncs.
func (r *serviceSyncRun) settle(ctx context.Context, oi OpsInstance, a *platform.ResourceSyncAttempt) (waiting bool, err error) {
	id := ""
	for _, e := range a.Events {
		if e.Type == "DEPLOYMENT_STARTED" {
			id = e.ExternalID
		}
	}
	if id == "" { // an attempt no run of this code leaves in progress without a deployment
		a.Status = platform.SyncFailed
		r.event(a, "DEPLOYMENT_UNKNOWN", "", "the attempt names no deployment")
		return false, r.put(ctx, oi, *a)
	}
	d, err := r.s.store.GetDeployment(ctx, id)
	if err != nil {
		return false, err
	}
	switch {
	case d.Status.Active():
		return true, nil
	case d.Status == platform.Succeeded:
		a.Status = platform.SyncSucceeded
		r.event(a, "DEPLOYMENT_SUCCEEDED", id, "deployment %s of %s succeeded", id, oi.Name)
	default:
		a.Status = platform.SyncFailed
		r.event(a, "DEPLOYMENT_FAILED", id, "deployment %s of %s ended %s: %s", id, oi.Name, d.Status, d.StatusMessage)
		if err := r.s.raiseDeploymentBlocker(ctx, r.config.ServiceName, oi.Name, id, d.StatusMessage, r.commit); err != nil {
			return false, err
		}
	}
	return false, r.put(ctx, oi, *a)
}

// syncedSpec is the spec the instance was last synced to: its spec file at the commit of
// its desired state, else (never synced) the instance's own spec.
func (s *Service) syncedSpec(ctx context.Context, c platform.ServiceSyncConfig, oi OpsInstance, inst platform.ServiceInstance) string {
	st, err := s.syncs.GetResourceSyncStatus(ctx, platform.InstanceSyncStatusKey(c.ServiceName, oi.Name))
	if err != nil || st.DesiredState == nil || st.DesiredState.Directory != oi.Spec {
		return inst.Spec
	}
	b, err := s.git.ReadFile(ctx, c.Repository, st.DesiredState.Commit, oi.Spec)
	if err != nil {
		return inst.Spec
	}
	return string(b)
}
