package apiclient

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/gantry-platform/gantry/internal/apimodel"
)

// EnvironmentAccountConnection is an environment account connection, with its JSON.
type EnvironmentAccountConnection struct {
	apimodel.EnvironmentAccountConnection
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes one EnvironmentAccountConnection and keeps its JSON in Raw.
func (c *EnvironmentAccountConnection) UnmarshalJSON(data []byte) error {
	return keep(data, &c.EnvironmentAccountConnection, &c.Raw)
}

// ConnectionFilter is ListEnvironmentAccountConnections' query: RequestedBy
// (ENVIRONMENT_ACCOUNT or MANAGEMENT_ACCOUNT) is required; the others narrow.
type ConnectionFilter struct {
	RequestedBy     string
	EnvironmentName string
	Statuses        []string
}

const connectionsPath = "/v1/environment-account-connections"

// CreateEnvironmentAccountConnection requests a connection from the caller's account
// (admin role there).
func (c *Client) CreateEnvironmentAccountConnection(ctx context.Context, in apimodel.CreateEnvironmentAccountConnection) (EnvironmentAccountConnection, error) {
	var out EnvironmentAccountConnection
	r, err := jsonRequest("POST", connectionsPath, in)
	if err == nil {
		err = c.do(ctx, r, &out)
	}
	return out, err
}

// ListEnvironmentAccountConnections lists one page of the caller's account's connections.
func (c *Client) ListEnvironmentAccountConnections(ctx context.Context, f ConnectionFilter, p PageRequest) (Page[EnvironmentAccountConnection], error) {
	q := pageQuery(p)
	q.Set("requestedBy", f.RequestedBy)
	if f.EnvironmentName != "" {
		q.Set("environmentName", f.EnvironmentName)
	}
	if len(f.Statuses) > 0 {
		q.Set("statuses", strings.Join(f.Statuses, ","))
	}
	var out Page[EnvironmentAccountConnection]
	err := c.do(ctx, request{method: "GET", path: connectionsPath, query: q}, &out)
	return out, err
}

// GetEnvironmentAccountConnection reads a connection.
func (c *Client) GetEnvironmentAccountConnection(ctx context.Context, id string) (EnvironmentAccountConnection, error) {
	var out EnvironmentAccountConnection
	err := c.do(ctx, request{method: "GET", path: pathOf("v1", "environment-account-connections", id)}, &out)
	return out, err
}

// UpdateEnvironmentAccountConnection changes a connection's roles (environment account).
func (c *Client) UpdateEnvironmentAccountConnection(ctx context.Context, id string, in apimodel.UpdateEnvironmentAccountConnection) (EnvironmentAccountConnection, error) {
	var out EnvironmentAccountConnection
	r, err := jsonRequest("PATCH", pathOf("v1", "environment-account-connections", id), in)
	if err == nil {
		err = c.do(ctx, r, &out)
	}
	return out, err
}

// DeleteEnvironmentAccountConnection deletes a connection (environment account).
func (c *Client) DeleteEnvironmentAccountConnection(ctx context.Context, id string) (EnvironmentAccountConnection, error) {
	var out EnvironmentAccountConnection
	err := c.do(ctx, request{method: "DELETE", path: pathOf("v1", "environment-account-connections", id)}, &out)
	return out, err
}

// DecideEnvironmentAccountConnection accepts (decision "accept") or rejects ("reject") a
// PENDING connection (management account).
func (c *Client) DecideEnvironmentAccountConnection(ctx context.Context, id, decision string) (EnvironmentAccountConnection, error) {
	var out EnvironmentAccountConnection
	err := c.do(ctx, request{method: "POST", path: pathOf("v1", "environment-account-connections", id, decision)}, &out)
	return out, err
}
