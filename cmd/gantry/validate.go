package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/gantry-platform/gantry/internal/bundle"
	"github.com/gantry-platform/gantry/internal/bundlecheck"
	"github.com/gantry-platform/gantry/internal/templatetest"
)

const validateUsage = `usage: gantry validate --bundle DIR|FILE.tar.gz [--env-outputs FILE.json]

Checks a bundle as Proton would register it: layout, limits, manifests and schema;
then renders every template with the schema's defaults (a required input without a
default gets a placeholder of its type, and a note says so) and checks each rendered
CloudFormation template against the resource specification. Prints one problem per
line (file:line: [logical id:] message; lines of rendered templates are lines of the
rendering) and exits 1 when there is any. --env-outputs supplies the outputs of the
environment a service instance runs in (a flat JSON object), for templates that
need them to render.

flags:
`

func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	bundleDir := fs.String("bundle", "", "bundle folder or .tar.gz")
	envOutputs := fs.String("env-outputs", "", "JSON file of the environment's outputs (service templates)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), validateUsage)
		fs.PrintDefaults()
	}
	positional, code, done := parseFlags(fs, args, stderr)
	if done {
		return code
	}
	if len(positional) > 0 {
		return usageError(fs, stderr, "unexpected argument %q", positional[0])
	}
	if *bundleDir == "" {
		return usageError(fs, stderr, "--bundle is required")
	}
	var fixture templatetest.Fixture
	if *envOutputs != "" {
		data, err := os.ReadFile(*envOutputs)
		if err == nil {
			fixture.EnvironmentOutputs, err = templatetest.EnvironmentOutputs(data)
		}
		if err != nil {
			fmt.Fprintf(stderr, "gantry validate: %s: %v\n", *envOutputs, err)
			return exitProblems
		}
	}
	res, err := bundlecheck.Check(ctx, func() (*bundle.Bundle, error) { return bundle.Open(*bundleDir, bundle.ProtonLimits) },
		bundlecheck.Options{Fixture: fixture})
	if err != nil {
		fmt.Fprintf(stderr, "gantry validate: %v\n", err)
		return exitProblems
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(stdout, "warning: %s\n", w)
	}
	for _, n := range res.Notes {
		fmt.Fprintf(stdout, "note: %s\n", n)
	}
	return report(stdout, res.Problems)
}

func report(stdout io.Writer, problems []string) int {
	for _, p := range problems {
		fmt.Fprintln(stdout, p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(stdout, "%d problem(s)\n", len(problems))
		return exitProblems
	}
	fmt.Fprintln(stdout, "ok")
	return exitOK
}
