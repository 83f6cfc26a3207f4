package apiclient

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/gantry-platform/gantry/internal/apimodel"
)

// TemplateSyncConfig is a template's sync configuration, with its JSON.
type TemplateSyncConfig struct {
	apimodel.TemplateSyncConfig
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes one TemplateSyncConfig and keeps its JSON in Raw.
func (c *TemplateSyncConfig) UnmarshalJSON(data []byte) error {
	return keep(data, &c.TemplateSyncConfig, &c.Raw)
}

// ResourceSyncStatus is a resource's syncs (GetTemplateSyncStatus), with its JSON.
type ResourceSyncStatus struct {
	apimodel.ResourceSyncStatus
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes one ResourceSyncStatus and keeps its JSON in Raw.
func (s *ResourceSyncStatus) UnmarshalJSON(data []byte) error {
	return keep(data, &s.ResourceSyncStatus, &s.Raw)
}

// RepositorySyncStatus is a branch's latest sync (GetRepositorySyncStatus), with its JSON.
type RepositorySyncStatus struct {
	apimodel.RepositorySyncStatus
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes one RepositorySyncStatus and keeps its JSON in Raw.
func (s *RepositorySyncStatus) UnmarshalJSON(data []byte) error {
	return keep(data, &s.RepositorySyncStatus, &s.Raw)
}

// RepositoryWebhook says where a repository's push webhooks go, with its JSON.
type RepositoryWebhook struct {
	apimodel.RepositoryWebhook
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes one RepositoryWebhook and keeps its JSON in Raw.
func (w *RepositoryWebhook) UnmarshalJSON(data []byte) error {
	return keep(data, &w.RepositoryWebhook, &w.Raw)
}

func templateSyncPath(templateType, name string, rest ...string) string {
	return pathOf(append([]string{"v1", "template-sync-configs", templateType, name}, rest...)...)
}

// repositorySyncPath is the path of a repository's syncs; name is owner/repo.
func repositorySyncPath(provider, name string, rest ...string) string {
	owner, repo, _ := strings.Cut(name, "/")
	return pathOf(append([]string{"v1", "repository-syncs", provider, owner, repo}, rest...)...)
}

// CreateTemplateSyncConfig makes Gantry follow a branch for a template (admin role).
func (c *Client) CreateTemplateSyncConfig(ctx context.Context, in apimodel.TemplateSyncConfig) (TemplateSyncConfig, error) {
	var out TemplateSyncConfig
	r, err := jsonRequest("POST", "/v1/template-sync-configs", in)
	if err == nil {
		err = c.do(ctx, r, &out)
	}
	return out, err
}

// GetTemplateSyncConfig returns a template's sync configuration; templateType is
// ENVIRONMENT or SERVICE.
func (c *Client) GetTemplateSyncConfig(ctx context.Context, templateType, name string) (TemplateSyncConfig, error) {
	var out TemplateSyncConfig
	err := c.do(ctx, request{method: "GET", path: templateSyncPath(templateType, name)}, &out)
	return out, err
}

// UpdateTemplateSyncConfig points a template's sync configuration elsewhere (admin role).
func (c *Client) UpdateTemplateSyncConfig(ctx context.Context, in apimodel.TemplateSyncConfig) (TemplateSyncConfig, error) {
	var out TemplateSyncConfig
	r, err := jsonRequest("PUT", templateSyncPath(in.TemplateType, in.TemplateName), in)
	if err == nil {
		err = c.do(ctx, r, &out)
	}
	return out, err
}

// DeleteTemplateSyncConfig stops following a branch for a template (admin role).
func (c *Client) DeleteTemplateSyncConfig(ctx context.Context, templateType, name string) (TemplateSyncConfig, error) {
	var out TemplateSyncConfig
	err := c.do(ctx, request{method: "DELETE", path: templateSyncPath(templateType, name)}, &out)
	return out, err
}

// GetTemplateSyncStatus returns the syncs of one major version ("1") of a template.
func (c *Client) GetTemplateSyncStatus(ctx context.Context, templateType, name, major string) (ResourceSyncStatus, error) {
	var out ResourceSyncStatus
	err := c.do(ctx, request{method: "GET", path: templateSyncPath(templateType, name, "status"), query: url.Values{"templateVersion": {major}}}, &out)
	return out, err
}

// ListRepositorySyncDefinitions lists one page of what a linked repository (owner/repo)
// is synced to for syncType (TEMPLATE_SYNC or SERVICE_SYNC).
func (c *Client) ListRepositorySyncDefinitions(ctx context.Context, provider, name, syncType string, p PageRequest) (Page[apimodel.RepositorySyncDefinition], error) {
	var out Page[apimodel.RepositorySyncDefinition]
	q := pageQuery(p)
	q.Set("syncType", syncType)
	err := c.do(ctx, request{method: "GET", path: repositorySyncPath(provider, name, "definitions"), query: q}, &out)
	return out, err
}

// GetRepositorySyncStatus returns the latest sync of a branch of a linked repository for
// syncType.
func (c *Client) GetRepositorySyncStatus(ctx context.Context, provider, name, branch, syncType string) (RepositorySyncStatus, error) {
	var out RepositorySyncStatus
	err := c.do(ctx, request{method: "GET", path: repositorySyncPath(provider, name, "status"), query: url.Values{"branch": {branch}, "syncType": {syncType}}}, &out)
	return out, err
}

// PutRepositoryWebhookSecret sets the secret that signs a linked repository's push
// webhooks (admin role).
func (c *Client) PutRepositoryWebhookSecret(ctx context.Context, provider, name, secret string) (RepositoryWebhook, error) {
	var out RepositoryWebhook
	r, err := jsonRequest("PUT", repositorySyncPath(provider, name, "webhook-secret"), apimodel.RepositoryWebhookSecret{Secret: secret})
	if err == nil {
		err = c.do(ctx, r, &out)
	}
	return out, err
}

// ServiceSyncConfig is a service's sync configuration, with its JSON.
type ServiceSyncConfig struct {
	apimodel.ServiceSyncConfig
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes one ServiceSyncConfig and keeps its JSON in Raw.
func (c *ServiceSyncConfig) UnmarshalJSON(data []byte) error {
	return keep(data, &c.ServiceSyncConfig, &c.Raw)
}

// CreateServiceSyncConfig makes Gantry follow a service's proton-ops file (developer).
func (c *Client) CreateServiceSyncConfig(ctx context.Context, in apimodel.ServiceSyncConfig) (ServiceSyncConfig, error) {
	var out ServiceSyncConfig
	r, err := jsonRequest("POST", "/v1/service-sync-configs", in)
	if err == nil {
		err = c.do(ctx, r, &out)
	}
	return out, err
}

// GetServiceSyncConfig returns a service's sync configuration.
func (c *Client) GetServiceSyncConfig(ctx context.Context, service string) (ServiceSyncConfig, error) {
	var out ServiceSyncConfig
	err := c.do(ctx, request{method: "GET", path: pathOf("v1", "services", service, "sync-config")}, &out)
	return out, err
}

// UpdateServiceSyncConfig points a service's sync configuration elsewhere (developer).
func (c *Client) UpdateServiceSyncConfig(ctx context.Context, in apimodel.ServiceSyncConfig) (ServiceSyncConfig, error) {
	var out ServiceSyncConfig
	r, err := jsonRequest("PUT", pathOf("v1", "services", in.ServiceName, "sync-config"), in)
	if err == nil {
		err = c.do(ctx, r, &out)
	}
	return out, err
}

// DeleteServiceSyncConfig stops following a service's proton-ops file (developer).
func (c *Client) DeleteServiceSyncConfig(ctx context.Context, service string) (ServiceSyncConfig, error) {
	var out ServiceSyncConfig
	err := c.do(ctx, request{method: "DELETE", path: pathOf("v1", "services", service, "sync-config")}, &out)
	return out, err
}

// GetServiceInstanceSyncStatus returns the syncs of a service instance.
func (c *Client) GetServiceInstanceSyncStatus(ctx context.Context, service, instance string) (ResourceSyncStatus, error) {
	var out ResourceSyncStatus
	err := c.do(ctx, request{method: "GET", path: pathOf("v1", "services", service, "instances", instance, "sync-status")}, &out)
	return out, err
}

// GetServiceSyncBlockerSummary returns the ACTIVE sync blockers of a service (of one
// instance when instance is not "").
func (c *Client) GetServiceSyncBlockerSummary(ctx context.Context, service, instance string) (apimodel.ServiceSyncBlockerSummary, error) {
	var out apimodel.ServiceSyncBlockerSummary
	q := url.Values{}
	if instance != "" {
		q.Set("serviceInstanceName", instance)
	}
	err := c.do(ctx, request{method: "GET", path: pathOf("v1", "services", service, "sync-blockers"), query: q}, &out)
	return out, err
}

// UpdateServiceSyncBlocker resolves a sync blocker with a reason (developer).
func (c *Client) UpdateServiceSyncBlocker(ctx context.Context, id, reason string) (apimodel.ServiceSyncBlockerUpdate, error) {
	var out apimodel.ServiceSyncBlockerUpdate
	r, err := jsonRequest("PATCH", pathOf("v1", "sync-blockers", id), apimodel.ResolveSyncBlocker{ResolvedReason: reason})
	if err == nil {
		err = c.do(ctx, r, &out)
	}
	return out, err
}
