// Command render is the Render task of the deployment workflow
// (statemachines/deployment.asl.json): it renders the deployment's template for its target.
package main

import (
	"context"

	"github.com/gantry-platform/gantry/internal/lambdawire"
	"github.com/gantry-platform/gantry/internal/workflow"
)

func main() { lambdawire.Start("render", handler) }

// handler is the function's entry point: workflow.Tasks.Render.
func handler(app *lambdawire.App) func(context.Context, workflow.Input) (workflow.RenderOutput, error) {
	return app.Tasks.Render
}
