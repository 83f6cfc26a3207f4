package apiclient

import (
	"context"

	"github.com/gantry-platform/gantry/internal/apimodel"
)

// CreateAccessKey issues an access key for the Proton endpoint (admin role); the answer
// holds its secret, which the API shows only here.
func (c *Client) CreateAccessKey(ctx context.Context, in apimodel.CreateAccessKey) (AccessKey, error) {
	var out AccessKey
	r, err := jsonRequest("POST", "/v1/access-keys", in)
	if err == nil {
		err = c.do(ctx, r, &out)
	}
	return out, err
}

// ListAccessKeys lists one page of access keys (admin role).
func (c *Client) ListAccessKeys(ctx context.Context, p PageRequest) (Page[AccessKey], error) {
	var out Page[AccessKey]
	err := c.do(ctx, request{method: "GET", path: "/v1/access-keys", query: pageQuery(p)}, &out)
	return out, err
}

// UpdateAccessKey sets an access key's status, Active or Inactive (admin role).
func (c *Client) UpdateAccessKey(ctx context.Context, id, status string) (AccessKey, error) {
	var out AccessKey
	r, err := jsonRequest("PATCH", pathOf("v1", "access-keys", id), apimodel.UpdateAccessKey{Status: status})
	if err == nil {
		err = c.do(ctx, r, &out)
	}
	return out, err
}

// DeleteAccessKey deletes an access key (admin role).
func (c *Client) DeleteAccessKey(ctx context.Context, id string) (AccessKey, error) {
	var out AccessKey
	err := c.do(ctx, request{method: "DELETE", path: pathOf("v1", "access-keys", id)}, &out)
	return out, err
}
