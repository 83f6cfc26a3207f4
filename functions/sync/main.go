// Command sync is the Sync task of the sync workflow (statemachines/sync.asl.json): one
// commit of a linked repository processed for one template or service sync configuration.
package main

import (
	"context"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/lambdawire"
	"github.com/gantry-platform/gantry/internal/syncflow"
)

func main() { lambdawire.Start("sync", handler) }

// handler is the function's entry point: syncflow.Task.Sync.
func handler(app *lambdawire.App) func(context.Context, syncflow.TaskInput) (control.SyncOutcome, error) {
	return app.SyncTask().Sync
}
