package apiclient

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/gantry-platform/gantry/internal/apimodel"
)

// Repository is a linked repository, with its JSON.
type Repository struct {
	apimodel.Repository
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes one Repository and keeps its JSON in Raw.
func (r *Repository) UnmarshalJSON(data []byte) error { return keep(data, &r.Repository, &r.Raw) }

// AccountSettings are the account settings, with their JSON.
type AccountSettings struct {
	apimodel.AccountSettings
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the AccountSettings and keeps their JSON in Raw.
func (s *AccountSettings) UnmarshalJSON(data []byte) error {
	return keep(data, &s.AccountSettings, &s.Raw)
}

// repositoryPath is the path of a repository; name is owner/repo.
func repositoryPath(provider, name string) string {
	owner, repo, _ := strings.Cut(name, "/")
	return pathOf("v1", "repositories", provider, owner, repo)
}

// CreateRepository links a repository (admin role).
func (c *Client) CreateRepository(ctx context.Context, in apimodel.CreateRepository) (Repository, error) {
	var out Repository
	r, err := jsonRequest("POST", "/v1/repositories", in)
	if err == nil {
		err = c.do(ctx, r, &out)
	}
	return out, err
}

// ListRepositories lists one page of linked repositories.
func (c *Client) ListRepositories(ctx context.Context, p PageRequest) (Page[Repository], error) {
	var out Page[Repository]
	err := c.do(ctx, request{method: "GET", path: "/v1/repositories", query: pageQuery(p)}, &out)
	return out, err
}

// GetRepository reads a linked repository; name is owner/repo.
func (c *Client) GetRepository(ctx context.Context, provider, name string) (Repository, error) {
	var out Repository
	err := c.do(ctx, request{method: "GET", path: repositoryPath(provider, name)}, &out)
	return out, err
}

// DeleteRepository unlinks a repository (admin role).
func (c *Client) DeleteRepository(ctx context.Context, provider, name string) (Repository, error) {
	var out Repository
	err := c.do(ctx, request{method: "DELETE", path: repositoryPath(provider, name)}, &out)
	return out, err
}

// GetAccountSettings reads the account settings.
func (c *Client) GetAccountSettings(ctx context.Context) (AccountSettings, error) {
	var out AccountSettings
	err := c.do(ctx, request{method: "GET", path: "/v1/account-settings"}, &out)
	return out, err
}

// UpdateAccountSettings changes the account settings (admin role).
func (c *Client) UpdateAccountSettings(ctx context.Context, in apimodel.UpdateAccountSettings) (AccountSettings, error) {
	var out AccountSettings
	r, err := jsonRequest("PATCH", "/v1/account-settings", in)
	if err == nil {
		err = c.do(ctx, r, &out)
	}
	return out, err
}
