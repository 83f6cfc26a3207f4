// Command notify is the Notify task of the deployment workflow: status-change
// events on Gantry's bus and a notification on its topic.
package main

import (
	"context"

	"github.com/gantry-platform/gantry/internal/lambdawire"
	"github.com/gantry-platform/gantry/internal/workflow"
)

func main() { lambdawire.Start("notify", handler) }

// handler is the function's entry point: workflow.Tasks.Notify.
func handler(app *lambdawire.App) func(context.Context, workflow.Input) error {
	return app.Tasks.Notify
}
