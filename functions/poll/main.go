// Command poll is the sync poller on AWS: at each tick of its EventBridge schedule it asks
// every branch a sync configuration follows for its head and starts the sync workflow for
// a head it has not handed on before (the webhook's path, when a webhook is missed).
package main

import (
	"context"
	"encoding/json"

	"github.com/gantry-platform/gantry/internal/lambdawire"
)

func main() { lambdawire.Start("poll", handler) }

// handler is the function's entry point: one round of the App's poller per scheduled
// event (whose content does not matter).
func handler(app *lambdawire.App) func(context.Context, json.RawMessage) error {
	poller := app.Poller()
	return func(ctx context.Context, _ json.RawMessage) error { return poller.Poll(ctx) }
}
