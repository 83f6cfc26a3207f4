package apiclient

import (
	"context"
	"encoding/json"

	"github.com/gantry-platform/gantry/internal/apimodel"
)

// ResourcesSummary is the estate's counts, with their JSON.
type ResourcesSummary struct {
	apimodel.ResourcesSummary
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes a ResourcesSummary and keeps its JSON in Raw.
func (s *ResourcesSummary) UnmarshalJSON(data []byte) error {
	return keep(data, &s.ResourcesSummary, &s.Raw)
}

// GetResourcesSummary returns the counts of each kind of resource (Proton's
// GetResourcesSummary).
func (c *Client) GetResourcesSummary(ctx context.Context) (ResourcesSummary, error) {
	var out ResourcesSummary
	err := c.do(ctx, request{method: "GET", path: "/v1/resources-summary"}, &out)
	return out, err
}
