// Command deploy is the Deploy task of the deployment workflow: it starts
// the stack operation and leaves the task token for the events function (or, with
// reconcile, asks CloudFormation how the operation stands).
package main

import (
	"context"

	"github.com/gantry-platform/gantry/internal/lambdawire"
	"github.com/gantry-platform/gantry/internal/workflow"
)

func main() { lambdawire.Start("deploy", handler) }

// handler is the function's entry point: workflow.Tasks.Deploy.
func handler(app *lambdawire.App) func(context.Context, workflow.Input) (workflow.DeployOutput, error) {
	return app.Tasks.Deploy
}
