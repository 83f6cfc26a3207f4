// Command record is the Record task of the deployment workflow: it records
// the deployment's outcome and its stack's outputs on the target.
package main

import (
	"context"

	"github.com/gantry-platform/gantry/internal/lambdawire"
	"github.com/gantry-platform/gantry/internal/workflow"
)

func main() { lambdawire.Start("record", handler) }

// handler is the function's entry point: workflow.Tasks.Record.
func handler(app *lambdawire.App) func(context.Context, workflow.Input) (workflow.RecordOutput, error) {
	return app.Tasks.Record
}
