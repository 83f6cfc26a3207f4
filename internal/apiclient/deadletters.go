package apiclient

import (
	"context"
	"net/url"
	"strings"

	"github.com/gantry-platform/gantry/internal/apimodel"
)

// ListDeadLetters lists the event deliveries local mode's event bus gave up, oldest first
// (admin role; local mode only: NotFound elsewhere). The list is one page.
func (c *Client) ListDeadLetters(ctx context.Context) (Page[apimodel.DeadLetter], error) {
	var out Page[apimodel.DeadLetter]
	err := c.do(ctx, request{method: "GET", path: "/v1/local/dlq"}, &out)
	return out, err
}

// ReplayDeadLetters delivers the dead letters of ids again (all of them when ids is
// empty) and removes them from the log (admin role; local mode only). NotFound names an
// id not in the log.
func (c *Client) ReplayDeadLetters(ctx context.Context, ids []string) (apimodel.ReplayResult, error) {
	var out apimodel.ReplayResult
	r := request{method: "POST", path: "/v1/local/dlq/replay"}
	if len(ids) > 0 {
		r.query = url.Values{"ids": {strings.Join(ids, ",")}}
	}
	err := c.do(ctx, r, &out)
	return out, err
}
