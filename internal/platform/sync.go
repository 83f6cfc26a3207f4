package platform

import (
	"context"
	"fmt"
	"path"
	"strings"
	"time"
)

// SyncType is what a repository sync keeps in step with the repository (Proton's SyncType).
type SyncType string

// The sync types.
const (
	TemplateSync SyncType = "TEMPLATE_SYNC"
	ServiceSync  SyncType = "SERVICE_SYNC"
)

// ValidateSyncType checks a sync type; the Invalid error names field.
func ValidateSyncType(field string, t SyncType) error {
	if t != TemplateSync && t != ServiceSync {
		return FieldErrorf(field, "%q is not a sync type (TEMPLATE_SYNC or SERVICE_SYNC)", t)
	}
	return nil
}

// SyncStatus is the status of a sync attempt (Proton's ResourceSyncStatus and
// RepositorySyncStatus; QUEUED is a repository attempt's only).
type SyncStatus string

// The sync statuses.
const (
	SyncQueued     SyncStatus = "QUEUED"
	SyncInitiated  SyncStatus = "INITIATED"
	SyncInProgress SyncStatus = "IN_PROGRESS"
	SyncSucceeded  SyncStatus = "SUCCEEDED"
	SyncFailed     SyncStatus = "FAILED"
)

// TemplateSyncConfig makes Gantry follow a branch of a linked repository for a template
// (Proton's TemplateSyncConfig): the bundle of major N is the folder
// [Subdirectory/]<TemplateName>/v<N>; a commit that changes it registers a new minor of
// N, a new v<N> folder registers major N.
type TemplateSyncConfig struct {
	Kind         TemplateKind
	TemplateName string
	Repository   RepositoryID
	Branch       string
	Subdirectory string
	// LastCommit is the commit last synced (the base the next commit is compared with);
	// "" before the first.
	LastCommit string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Revision   int64
}

// Key names the configuration among all sync configurations (the scope of its commits).
func (c TemplateSyncConfig) Key() string {
	return TemplateSyncKey(c.Kind, c.TemplateName)
}

// TemplateSyncKey is the Key of the template sync configuration of a template.
func TemplateSyncKey(kind TemplateKind, name string) string {
	return string(TemplateSync) + ":" + string(kind) + ":" + name
}

// ParseTemplateSyncKey reads a TemplateSyncKey back; ok is false for another key.
func ParseTemplateSyncKey(key string) (kind TemplateKind, name string, ok bool) {
	rest, ok := strings.CutPrefix(key, string(TemplateSync)+":")
	if !ok {
		return "", "", false
	}
	k, name, ok := strings.Cut(rest, ":")
	kind = TemplateKind(k)
	if !ok || kind != EnvironmentTemplate && kind != ServiceTemplate || name == "" {
		return "", "", false
	}
	return kind, name, true
}

// Folder is the folder of major's bundle in the repository.
func (c TemplateSyncConfig) Folder(major int) string {
	return path.Join(c.Subdirectory, c.TemplateName, fmt.Sprintf("v%d", major))
}

// ValidateSubdirectory checks a repository subdirectory ("" for the root): relative,
// without "." or ".." parts; the Invalid error names field.
func ValidateSubdirectory(field, dir string) error {
	if dir == "" {
		return nil
	}
	if len(dir) > 4096 {
		return FieldErrorf(field, "must be at most 4096 characters")
	}
	for _, part := range strings.Split(strings.TrimSuffix(dir, "/"), "/") {
		if part == "" || part == "." || part == ".." {
			return FieldErrorf(field, "%q must be a relative path without empty, '.' or '..' parts", dir)
		}
	}
	return nil
}

// SyncRevision is a commit of a branch of a repository, and the directory a sync read
// (Proton's Revision).
type SyncRevision struct {
	Repository RepositoryID
	Branch     string
	Directory  string
	Commit     string
}

// SyncEvent is one step of a sync attempt (Proton's ResourceSyncEvent and
// RepositorySyncEvent): Type is a short name ("TEMPLATE_VERSION_REGISTERED"), Event what
// happened, for people; ExternalID what it produced or concerns (a version, a deployment).
type SyncEvent struct {
	Type       string
	Event      string
	ExternalID string
	Time       time.Time
}

// ResourceSyncAttempt is one attempt to bring a resource (a template major, a service
// instance) to a commit (Proton's ResourceSyncAttempt).
type ResourceSyncAttempt struct {
	// Target is the resource synced to: the template name, the service instance name.
	Target          string
	InitialRevision SyncRevision
	TargetRevision  SyncRevision
	Status          SyncStatus
	StartedAt       time.Time
	Events          []SyncEvent
}

// ResourceSyncStatus is what Gantry keeps of a resource's syncs: the latest attempt and
// the latest successful one (nil when there is none), and the revision it is to reach.
type ResourceSyncStatus struct {
	Latest           *ResourceSyncAttempt
	LatestSuccessful *ResourceSyncAttempt
	DesiredState     *SyncRevision
}

// RepositorySyncAttempt is one commit of a branch processed for one sync type (Proton's
// RepositorySyncAttempt).
type RepositorySyncAttempt struct {
	Commit    string
	Status    SyncStatus
	StartedAt time.Time
	Events    []SyncEvent
}

// TemplateSyncStatusKey is where the sync status of a template's major is kept.
func TemplateSyncStatusKey(kind TemplateKind, name string, major int) string {
	return fmt.Sprintf("TEMPLATE:%s:%s:v%d", kind, name, major)
}

// SyncStore keeps sync configurations, the commits they processed and their outcomes.
// Errors as Store's: NotFound, Conflict (taken, stale Revision), Invalid for a bad page
// token, Internal otherwise.
type SyncStore interface {
	// CreateTemplateSyncConfig stores a new configuration (Revision 1); Conflict if the
	// template has one.
	CreateTemplateSyncConfig(ctx context.Context, c TemplateSyncConfig) error
	GetTemplateSyncConfig(ctx context.Context, kind TemplateKind, name string) (TemplateSyncConfig, error)
	// UpdateTemplateSyncConfig saves c, checked on Revision.
	UpdateTemplateSyncConfig(ctx context.Context, c TemplateSyncConfig) error
	// DeleteTemplateSyncConfig removes the configuration whose stored Revision is revision.
	DeleteTemplateSyncConfig(ctx context.Context, kind TemplateKind, name string, revision int64) error
	// ListTemplateSyncConfigs lists the template sync configurations that follow a
	// repository, by template kind and name.
	ListTemplateSyncConfigs(ctx context.Context, repo RepositoryID, page PageRequest) (Page[TemplateSyncConfig], error)
	// ListAllTemplateSyncConfigs lists every template sync configuration, by template kind
	// and name.
	ListAllTemplateSyncConfigs(ctx context.Context, page PageRequest) (Page[TemplateSyncConfig], error)

	// ClaimSyncCommit records that the configuration key processes commit, by (a workflow
	// execution); Conflict when another claimed it before — how a commit seen by both the
	// webhook and the poller is processed once. The same claimant may claim again (a
	// retried task goes on). A claim is kept for good.
	ClaimSyncCommit(ctx context.Context, key, commit, by string, at time.Time) error
	// PutResourceSyncAttempt keeps a as the latest attempt of the resource statusKey
	// names, and as its latest successful one when a succeeded; desired, when not nil,
	// becomes its desired state.
	PutResourceSyncAttempt(ctx context.Context, statusKey string, a ResourceSyncAttempt, desired *SyncRevision) error
	// GetResourceSyncStatus returns what is kept of a resource's syncs; NotFound when it
	// was never synced.
	GetResourceSyncStatus(ctx context.Context, statusKey string) (ResourceSyncStatus, error)
	// PutRepositorySyncAttempt keeps a as the latest attempt of a branch for a sync type.
	PutRepositorySyncAttempt(ctx context.Context, repo RepositoryID, branch string, t SyncType, a RepositorySyncAttempt) error
	// GetRepositorySyncAttempt returns the latest attempt of a branch for a sync type;
	// NotFound when there is none.
	GetRepositorySyncAttempt(ctx context.Context, repo RepositoryID, branch string, t SyncType) (RepositorySyncAttempt, error)

	// PutWebhookSecret keeps a repository's webhook secret, sealed (by a Sealer), in
	// place of any it had.
	PutWebhookSecret(ctx context.Context, repo RepositoryID, sealed []byte) error
	// GetWebhookSecret returns a repository's sealed webhook secret; NotFound when none.
	GetWebhookSecret(ctx context.Context, repo RepositoryID) ([]byte, error)
}
