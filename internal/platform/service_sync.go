package platform

import (
	"context"
	"strings"
	"time"
)

// ServiceSyncConfig makes Gantry follow a service's proton-ops file (Proton's
// ServiceSyncConfig): FilePath on Branch of Repository lists, per instance, the branch it
// follows and the path of its spec file.
type ServiceSyncConfig struct {
	ServiceName string
	Repository  RepositoryID
	Branch      string
	FilePath    string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Revision    int64
}

// ServiceSyncKey is the Key of the service sync configuration of a service on branch (an
// instance's): the scope of the commits it claims.
func ServiceSyncKey(service, branch string) string {
	return string(ServiceSync) + ":" + service + ":" + branch
}

// ParseServiceSyncKey reads a ServiceSyncKey back; ok is false for another key.
func ParseServiceSyncKey(key string) (service, branch string, ok bool) {
	rest, ok := strings.CutPrefix(key, string(ServiceSync)+":")
	if !ok {
		return "", "", false
	}
	service, branch, ok = strings.Cut(rest, ":")
	return service, branch, ok && service != "" && branch != ""
}

// InstanceSyncStatusKey is where the sync status of a service instance is kept.
func InstanceSyncStatusKey(service, instance string) string {
	return "INSTANCE:" + service + ":" + instance
}

// SyncBlockerStatus says whether a sync blocker still stops syncs.
type SyncBlockerStatus string

// The blocker statuses and types (Proton's).
const (
	SyncBlockerActive   SyncBlockerStatus = "ACTIVE"
	SyncBlockerResolved SyncBlockerStatus = "RESOLVED"
	// AutomatedBlocker is the one blocker type: raised by Gantry itself.
	AutomatedBlocker = "AUTOMATED"
)

// SyncBlocker stops a service's syncs until resolved (Proton's SyncBlocker): raised when a
// synced deployment failed or someone changed a synced service by hand.
type SyncBlocker struct {
	ID             string
	Service        string
	Instance       string
	Type           string
	Status         SyncBlockerStatus
	CreatedReason  string
	CreatedAt      time.Time
	ResolvedReason string
	ResolvedAt     time.Time
	// Contexts are key-value facts about what raised it (the deployment, the commit).
	Contexts map[string]string
}

// ServiceSyncStore keeps service sync configurations and sync blockers. Errors as
// Store's.
type ServiceSyncStore interface {
	// CreateServiceSyncConfig stores a new configuration (Revision 1); Conflict if the
	// service has one.
	CreateServiceSyncConfig(ctx context.Context, c ServiceSyncConfig) error
	GetServiceSyncConfig(ctx context.Context, service string) (ServiceSyncConfig, error)
	// UpdateServiceSyncConfig saves c, checked on Revision.
	UpdateServiceSyncConfig(ctx context.Context, c ServiceSyncConfig) error
	// DeleteServiceSyncConfig removes the configuration whose stored Revision is revision.
	DeleteServiceSyncConfig(ctx context.Context, service string, revision int64) error
	// ListServiceSyncConfigs lists the service sync configurations of a repository, by
	// service name.
	ListServiceSyncConfigs(ctx context.Context, repo RepositoryID, page PageRequest) (Page[ServiceSyncConfig], error)
	// ListAllServiceSyncConfigs lists every service sync configuration, by service name.
	ListAllServiceSyncConfigs(ctx context.Context, page PageRequest) (Page[ServiceSyncConfig], error)

	// CreateSyncBlocker stores a new blocker; Conflict if its id is taken (raising the
	// same blocker twice stores it once).
	CreateSyncBlocker(ctx context.Context, b SyncBlocker) error
	GetSyncBlocker(ctx context.Context, id string) (SyncBlocker, error)
	// ResolveSyncBlocker saves b, which must be ACTIVE when stored; Conflict otherwise.
	ResolveSyncBlocker(ctx context.Context, b SyncBlocker) error
	// ListSyncBlockers lists a service's blockers, newest first.
	ListSyncBlockers(ctx context.Context, service string, page PageRequest) (Page[SyncBlocker], error)
}
