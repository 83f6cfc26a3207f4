// Command gantry is Gantry's command line: template authoring (render, validate, test)
// and, in further files of this package, the API's operations.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
)

// command is one subcommand; run returns the process exit code.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

// The exit codes.
const (
	exitOK       = 0
	exitProblems = 1 // the command ran and found problems, or failed
	exitUsage    = 2
)

func commands() []command {
	return []command{
		{"render", "render a template or a whole bundle", runRender},
		{"validate", "check a bundle: schema, manifests, rendering, CloudFormation", runValidate},
		{"test", "render a template folder's test cases and compare with golden files", runTest},
		{"templates", "API: list, show, create, register, publish and update templates", templatesCommand()},
		{"environments", "API: list, show, create, update and delete environments", environmentsCommand()},
		{"import", "API: adopt the stacks AWS Proton left (import proton)", importCommand()},
		{"preview", "API: what an update (or a template version's rollout) would change, without deploying", previewCommand()},
		{"services", "API: list, show, create, update and delete services", servicesCommand()},
		{"instances", "API: list, show, create, update and cancel service instances", instancesCommand()},
		{"pipelines", "API: update service pipelines, show their outputs, cancel their deployments", pipelinesCommand()},
		{"deployments", "API: list, show, cancel and delete deployments", deploymentsCommand()},
		{"components", "API: list, show, create, update, delete and cancel directly defined components", componentsCommand()},
		{"tags", "API: show a resource's tags (by ARN)", tagsCommand()},
		{"tag", "API: tag a resource (by ARN)", tagCommand()},
		{"untag", "API: remove tags from a resource (by ARN)", untagCommand()},
		{"summary", "API: count each kind of resource: total, failed, behind the recommended version", summaryCommand()},
		{"events", "API, local mode: the event bus's dead letters (dlq list, dlq replay)", eventsCommand()},
		{"access-keys", "API: issue, list, disable and delete access keys for the aws CLI and SDKs", accessKeysCommand()},
		{"template-sync", "API: follow a git branch for a template (create, show, update, delete, status)", templateSyncCommand()},
		{"repository-sync", "API: a linked repository's sync definitions and status, its webhook secret", repositorySyncCommand()},
		{"account-connection", "API: request, accept, reject, list, update and delete environment account connections", accountConnectionCommand()},
		{"repositories", "API: link, list, show and unlink git repositories", repositoriesCommand()},
		{"account-settings", "API: show and change the account settings (pipeline repository and roles)", accountSettingsCommand()},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := runContext(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches args (without the program name) to a subcommand and returns the exit
// code.
func run(args []string, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdout, stderr)
}

func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	args = hoistGlobalFlags(args)
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "gantry: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: gantry <command> [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'gantry <command> -h' for a command's flags.")
	fmt.Fprintf(w, "\nThe API commands call $%s (default %s) with the token in $%s\n", apiURLEnv, defaultAPIURL, tokenEnv)
	fmt.Fprintln(w, "or --token-file FILE; --api-url URL overrides the URL and --output json prints the API's JSON.")
}

// parseFlags parses args with fs, flags and positional arguments in any order. It returns
// the positional arguments; done is true with an exit code when the command must stop:
// -h (usage, exit 0) or a bad flag (usage, exit 2).
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) (positional []string, code int, done bool) {
	fs.SetOutput(stderr)
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, exitOK, true
			}
			return nil, exitUsage, true
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, 0, false
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// usageError prints msg and the command's usage, and returns exitUsage.
func usageError(fs *flag.FlagSet, stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "gantry %s: %s\n\n", fs.Name(), fmt.Sprintf(format, args...))
	fs.Usage()
	return exitUsage
}
