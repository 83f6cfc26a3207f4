package control

import (
	"context"
	"crypto/sha256"
	"fmt"
	"path"
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
			err = s.raiseBlocker(ctx, "deployment:"+inst.LastDeploymentID, service, inst.Name,
				fmt.Sprintf("deployment %s of service instance %s, started by sync, failed: %s", inst.LastDeploymentID, inst.Name, inst.DeploymentStatusMessage),
				map[string]string{"deploymentId": inst.LastDeploymentID, "commit": st.Latest.TargetRevision.Commit})
			if err != nil {
				return err
			}
		}
		if next = page.NextToken; next == "" {
			return nil
		}
	}
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
// configuration's branch; each instance following branch whose spec file at commit is not
// its current spec is updated (UpdateServiceInstance), in the file's order, unless an
// ACTIVE blocker stops the service's syncs. A bad proton-ops file or spec records a FAILED
// sync naming the file and line and changes nothing. Errors: NotFound when the
// configuration is gone; Internal (transient) when git or the store fails.
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
	repoAttempt := platform.RepositorySyncAttempt{Commit: commit, Status: platform.SyncInProgress, StartedAt: s.clock()}
	note := func(typ, format string, args ...any) {
		repoAttempt.Events = append(repoAttempt.Events, platform.SyncEvent{Type: typ, Event: fmt.Sprintf(format, args...), ExternalID: commit, Time: s.clock()})
	}
	finish := func(status platform.SyncStatus) (SyncOutcome, error) {
		repoAttempt.Status = status
		note("SYNC_"+string(status), "sync of service %s at commit %s %s", service, short(commit), strings.ToLower(string(status)))
		return SyncOutcome{Status: status, Events: repoAttempt.Events}, s.syncs.PutRepositorySyncAttempt(ctx, c.Repository, branch, platform.ServiceSync, repoAttempt)
	}
	opsHead, err := s.git.Fetch(ctx, c.Repository, c.Branch)
	if err != nil {
		return SyncOutcome{}, err
	}
	if _, err := s.git.Fetch(ctx, c.Repository, branch); err != nil {
		return SyncOutcome{}, err
	}
	opsFile, err := s.git.ReadFile(ctx, c.Repository, opsHead, c.FilePath)
	if err == nil {
		var instances []OpsInstance
		if instances, err = ParseOpsFile(c.FilePath, opsFile, service); err == nil {
			return s.syncInstances(ctx, c, instances, branch, commit, note, finish)
		}
	}
	if k := platform.KindOf(err); k != platform.Invalid && k != platform.NotFound {
		return SyncOutcome{}, err
	}
	note("OPS_FILE_INVALID", "%s", platform.MessageOf(err))
	return finish(platform.SyncFailed)
}

// syncInstances updates, in order, the instances following branch whose spec at commit
// changed.
func (s *Service) syncInstances(ctx context.Context, c platform.ServiceSyncConfig, instances []OpsInstance, branch, commit string,
	note func(typ, format string, args ...any), finish func(platform.SyncStatus) (SyncOutcome, error)) (SyncOutcome, error) {
	status := platform.SyncSucceeded
	for _, oi := range instances {
		if oi.Branch != branch {
			continue
		}
		rev := platform.SyncRevision{Repository: c.Repository, Branch: branch, Directory: oi.Spec, Commit: commit}
		attempt := platform.ResourceSyncAttempt{Target: oi.Name, InitialRevision: rev, TargetRevision: rev, Status: platform.SyncInProgress, StartedAt: s.clock()}
		event := func(typ, id, format string, args ...any) {
			attempt.Events = append(attempt.Events, platform.SyncEvent{Type: typ, Event: fmt.Sprintf(format, args...), ExternalID: id, Time: s.clock()})
		}
		inst, err := s.store.GetServiceInstance(ctx, c.ServiceName, oi.Name)
		if err != nil && platform.KindOf(err) != platform.NotFound {
			return SyncOutcome{}, err
		}
		spec, specErr := s.git.ReadFile(ctx, c.Repository, commit, oi.Spec)
		switch {
		case platform.KindOf(err) == platform.NotFound:
			event("INSTANCE_NOT_FOUND", "", "service %s has no instance %s (create it first; sync updates instances)", c.ServiceName, oi.Name)
		case specErr != nil && platform.KindOf(specErr) != platform.NotFound && platform.KindOf(specErr) != platform.Invalid:
			return SyncOutcome{}, specErr
		case specErr != nil:
			event("SPEC_INVALID", "", "%s", platform.MessageOf(specErr))
		case string(spec) == s.syncedSpec(ctx, c, oi, inst):
			event("INSTANCE_UNCHANGED", "", "%s at %s is the instance's spec already", oi.Spec, short(commit))
			attempt.Status = platform.SyncSucceeded
		default:
			blockers, err := s.activeBlockers(ctx, c.ServiceName, oi.Name)
			if err != nil {
				return SyncOutcome{}, err
			}
			if len(blockers) > 0 {
				event("SYNC_BLOCKED", blockers[0].ID, "sync blocker %s stops the syncs of %s: %s (resolve it with UpdateServiceSyncBlocker)", blockers[0].ID, c.ServiceName, blockers[0].CreatedReason)
				break
			}
			updated, err := s.UpdateServiceInstance(ctx, c.ServiceName, oi.Name, UpdateInput{Spec: string(spec), DeploymentType: platform.DeployCurrentVersion})
			switch k := platform.KindOf(err); {
			case err == nil:
				event("DEPLOYMENT_STARTED", updated.LastDeploymentID, "%s at %s deploys as %s", oi.Spec, short(commit), updated.LastDeploymentID)
				attempt.Status = platform.SyncSucceeded
			case k == platform.Invalid || k == platform.Conflict:
				event("UPDATE_REFUSED", "", "%s: %s", oi.Spec, platform.MessageOf(err))
			default:
				return SyncOutcome{}, err
			}
		}
		if attempt.Status != platform.SyncSucceeded {
			attempt.Status, status = platform.SyncFailed, platform.SyncFailed
		}
		if err := s.syncs.PutResourceSyncAttempt(ctx, platform.InstanceSyncStatusKey(c.ServiceName, oi.Name), attempt, &rev); err != nil {
			return SyncOutcome{}, err
		}
		note("INSTANCE_"+string(attempt.Status), "instance %s: %s", oi.Name, strings.ToLower(string(attempt.Status)))
	}
	return finish(status)
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
