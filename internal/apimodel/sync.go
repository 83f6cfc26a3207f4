package apimodel

import "time"

// TemplateSyncConfig is a template's sync configuration (Proton's TemplateSyncConfig), and
// the body of CreateTemplateSyncConfig and UpdateTemplateSyncConfig.
type TemplateSyncConfig struct {
	TemplateName       string `json:"templateName"`
	TemplateType       string `json:"templateType"`
	RepositoryProvider string `json:"repositoryProvider"`
	RepositoryName     string `json:"repositoryName"`
	Branch             string `json:"branch"`
	Subdirectory       string `json:"subdirectory,omitempty"`
}

// SyncRevision is a commit of a branch and the directory a sync read (Proton's Revision).
type SyncRevision struct {
	RepositoryProvider string `json:"repositoryProvider"`
	RepositoryName     string `json:"repositoryName"`
	Branch             string `json:"branch"`
	Directory          string `json:"directory"`
	Sha                string `json:"sha"`
}

// SyncEvent is one step of a sync attempt (Proton's ResourceSyncEvent, RepositorySyncEvent).
type SyncEvent struct {
	Type       string    `json:"type"`
	Event      string    `json:"event"`
	ExternalID string    `json:"externalId,omitempty"`
	Time       time.Time `json:"time"`
}

// ResourceSyncAttempt is one attempt to sync a resource to a commit (Proton's
// ResourceSyncAttempt); status is INITIATED, IN_PROGRESS, SUCCEEDED or FAILED.
type ResourceSyncAttempt struct {
	Target          string       `json:"target"`
	InitialRevision SyncRevision `json:"initialRevision"`
	TargetRevision  SyncRevision `json:"targetRevision"`
	Status          string       `json:"status"`
	StartedAt       time.Time    `json:"startedAt"`
	Events          []SyncEvent  `json:"events"`
}

// ResourceSyncStatus is the answer of GetTemplateSyncStatus (and
// GetServiceInstanceSyncStatus): each part is left out when there is none.
type ResourceSyncStatus struct {
	LatestSync           *ResourceSyncAttempt `json:"latestSync,omitempty"`
	LatestSuccessfulSync *ResourceSyncAttempt `json:"latestSuccessfulSync,omitempty"`
	DesiredState         *SyncRevision        `json:"desiredState,omitempty"`
}

// RepositorySyncDefinition is what a repository's branch is synced to (Proton's).
type RepositorySyncDefinition struct {
	Branch    string `json:"branch"`
	Directory string `json:"directory"`
	Parent    string `json:"parent"`
	Target    string `json:"target"`
}

// RepositorySyncAttempt is one commit of a branch processed for a sync type (Proton's).
type RepositorySyncAttempt struct {
	Sha       string      `json:"sha,omitempty"`
	Status    string      `json:"status"`
	StartedAt time.Time   `json:"startedAt"`
	Events    []SyncEvent `json:"events"`
}

// RepositorySyncStatus is the answer of GetRepositorySyncStatus; latestSync is left out
// when the branch was never synced for the type.
type RepositorySyncStatus struct {
	LatestSync *RepositorySyncAttempt `json:"latestSync,omitempty"`
}

// RepositoryWebhookSecret is the body of PutRepositoryWebhookSecret.
type RepositoryWebhookSecret struct {
	Secret string `json:"secret"`
}

// RepositoryWebhook says where a repository's provider is to deliver push webhooks
// (relative to the API's address).
type RepositoryWebhook struct {
	RepositoryProvider string `json:"repositoryProvider"`
	RepositoryName     string `json:"repositoryName"`
	Path               string `json:"path"`
}

// WebhookReceipt is the answer to a push webhook: the sync configurations whose workflow
// it started.
type WebhookReceipt struct {
	Syncs []string `json:"syncs"`
}

// ServiceSyncConfig is a service's sync configuration (Proton's ServiceSyncConfig), and
// the body of CreateServiceSyncConfig and UpdateServiceSyncConfig.
type ServiceSyncConfig struct {
	ServiceName        string `json:"serviceName"`
	RepositoryProvider string `json:"repositoryProvider"`
	RepositoryName     string `json:"repositoryName"`
	Branch             string `json:"branch"`
	FilePath           string `json:"filePath,omitempty"`
}

// SyncBlockerContext is one fact about what raised a sync blocker.
type SyncBlockerContext struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// SyncBlocker stops a service's syncs until resolved (Proton's SyncBlocker); status is
// ACTIVE or RESOLVED, type AUTOMATED.
type SyncBlocker struct {
	ID             string               `json:"id"`
	Type           string               `json:"type"`
	Status         string               `json:"status"`
	CreatedReason  string               `json:"createdReason"`
	CreatedAt      time.Time            `json:"createdAt"`
	ResolvedReason string               `json:"resolvedReason,omitempty"`
	ResolvedAt     *time.Time           `json:"resolvedAt,omitempty"`
	Contexts       []SyncBlockerContext `json:"contexts"`
}

// ServiceSyncBlockerSummary is the answer of GetServiceSyncBlockerSummary: the ACTIVE
// blockers of a service (or of one instance).
type ServiceSyncBlockerSummary struct {
	ServiceName         string        `json:"serviceName"`
	ServiceInstanceName string        `json:"serviceInstanceName,omitempty"`
	LatestBlockers      []SyncBlocker `json:"latestBlockers"`
}

// ResolveSyncBlocker is the body of UpdateServiceSyncBlocker.
type ResolveSyncBlocker struct {
	ResolvedReason string `json:"resolvedReason"`
}

// ServiceSyncBlockerUpdate is the answer of UpdateServiceSyncBlocker.
type ServiceSyncBlockerUpdate struct {
	ServiceName         string      `json:"serviceName"`
	ServiceInstanceName string      `json:"serviceInstanceName,omitempty"`
	ServiceSyncBlocker  SyncBlocker `json:"serviceSyncBlocker"`
}
