package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/gantry-platform/gantry/internal/templatetest"
)

const testUsage = `usage: gantry test [--update] DIR

DIR is a template folder: bundles v1/, v2/, … and test cases tests/<case>/ holding
spec.yaml, environment-outputs.json (service templates: a flat JSON object of output
name to value) and the golden files expected/, laid out as 'gantry render --out' lays
them out (expected/environment/…, expected/<instance>/…, expected/pipeline/…). Each
case renders the newest bundle, must equal its goldens byte for byte and must pass the
CloudFormation resource specification check. --update rewrites each case's expected/
(all or nothing per case). Exits 1 when a case fails.

flags:
`

func runTest(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	update := fs.Bool("update", false, "rewrite the golden files with the current rendering")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), testUsage)
		fs.PrintDefaults()
	}
	positional, code, done := parseFlags(fs, args, stderr)
	if done {
		return code
	}
	if len(positional) != 1 {
		return usageError(fs, stderr, "want exactly one template folder, got %d", len(positional))
	}
	dir := positional[0]
	rep, err := templatetest.Run(ctx, dir, templatetest.Options{Update: *update})
	if err != nil {
		fmt.Fprintf(stderr, "gantry test: %v\n", err)
		return exitProblems
	}
	failed := 0
	for _, c := range rep.Cases {
		switch {
		case !c.Passed():
			failed++
			fmt.Fprintf(stdout, "FAIL %s\n", c.Name)
			for _, p := range c.Problems {
				fmt.Fprintf(stdout, "    %s\n", strings.ReplaceAll(p, "\n", "\n    "))
			}
		case *update:
			fmt.Fprintf(stdout, "updated %s (%s)\n", c.Name, strings.Join(c.Updated, ", "))
		default:
			fmt.Fprintf(stdout, "ok   %s\n", c.Name)
		}
	}
	fmt.Fprintf(stdout, "%s: %d case(s), %d failed (bundle %s)\n", dir, len(rep.Cases), failed, rep.Bundle)
	if failed > 0 {
		return exitProblems
	}
	return exitOK
}
