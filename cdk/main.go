// Command cdk is Gantry's CDK app (cdk.json runs it with `go run ./cdk`): it reads the
// configuration from the CDK context, builds the data and service stacks with cdk-nag's
// checks, and synthesizes the cloud assembly.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/gantry-platform/gantry/cdk/stacks"
)

func main() {
	defer jsii.Close()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gantry cdk:", err)
		jsii.Close()
		os.Exit(1)
	}
}

func run() error {
	app := awscdk.NewApp(nil)
	cfg, err := stacks.ConfigFromContext(app.Node())
	if err != nil {
		return err
	}
	if _, err := stacks.Build(app, cfg); err != nil {
		return err
	}
	app.Synth(nil)
	return nil
}
