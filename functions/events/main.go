// Command events handles the EventBridge events matched by the rules in events/:
// CloudFormation stack status changes resolve the task the deployment workflow waits on;
// CodePipeline changes are republished as Gantry events.
package main

import (
	"context"
	"encoding/json"

	"github.com/gantry-platform/gantry/internal/lambdawire"
)

func main() { lambdawire.Start("events", handler) }

// handler is the function's entry point: workflow.Tasks.HandleEvent.
func handler(app *lambdawire.App) func(context.Context, json.RawMessage) error {
	return app.Tasks.HandleEvent
}
