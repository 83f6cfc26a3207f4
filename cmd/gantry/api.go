package main

// The API commands: one command per resource (templates, environments, services,
// instances, deployments), one verb per operation, all through internal/apiclient.

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gantry-platform/gantry/internal/apiclient"
)

// The configuration of the API commands.
const (
	apiURLEnv     = "GANTRY_API_URL"
	tokenEnv      = "GANTRY_TOKEN"
	defaultAPIURL = "http://127.0.0.1:8080" // what `make dev` serves
)

// globalFlags are the flags every API command takes, also before the command's name
// (gantry --output json environments list); each takes a value.
var globalFlags = []string{"api-url", "token-file", "output"}

// takeGlobalFlags splits the global flags (with their values) off the front of args.
func takeGlobalFlags(args []string) (globals, rest []string) {
	for len(args) > 0 {
		name, hasValue := strings.CutPrefix(args[0], "--")
		if !hasValue {
			name, hasValue = strings.CutPrefix(args[0], "-")
		}
		name, _, inline := strings.Cut(name, "=")
		if !hasValue || !isGlobalFlag(name) {
			break
		}
		n := 2
		if inline || len(args) == 1 {
			n = 1
		}
		globals, args = append(globals, args[:n]...), args[n:]
	}
	return globals, args
}

func isGlobalFlag(name string) bool {
	for _, g := range globalFlags {
		if g == name {
			return true
		}
	}
	return false
}

// hoistGlobalFlags moves global flags written before the command's name after it, where
// the command parses them.
func hoistGlobalFlags(args []string) []string {
	globals, rest := takeGlobalFlags(args)
	if len(globals) == 0 || len(rest) == 0 {
		return args
	}
	return append(append([]string{}, rest...), globals...)
}

// verb is one operation of a resource command: gantry <resource> <name> [flags].
type verb struct {
	name    string
	summary string
	usage   string // the verb's usage text, without the trailing "flags:" header
	// flags adds the verb's flags, and the checks parse runs on them, to a, and returns
	// what the verb does once they passed.
	flags func(a *apiCommand) action
}

// action is what a verb does once its flags are parsed and checked; it returns the exit
// code.
type action func(ctx context.Context) int

// resource returns the run function of a command made of verbs: gantry <name> <verb> ….
// It parses the verb's flags (the global ones included, wherever they stand) and runs
// its action.
func resource(name string, verbs []verb) func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	usage := func(w io.Writer) {
		fmt.Fprintf(w, "usage: gantry %s <verb> [flags]\n\nverbs:\n", name)
		for _, v := range verbs {
			fmt.Fprintf(w, "  %-9s %s\n", v.name, v.summary)
		}
		fmt.Fprintf(w, "\nRun 'gantry %s <verb> -h' for a verb's flags.\n", name)
	}
	return func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
		globals, args := takeGlobalFlags(args)
		if len(args) == 0 {
			usage(stderr)
			return exitUsage
		}
		if a := args[0]; a == "-h" || a == "--help" || a == "help" {
			usage(stderr)
			return exitOK
		}
		for _, v := range verbs {
			if v.name == args[0] {
				a := newAPICommand(name+" "+v.name, v.usage, stdout, stderr)
				act := v.flags(a)
				if code, done := a.parse(append(append([]string{}, args[1:]...), globals...)); done {
					return code
				}
				return act(ctx)
			}
		}
		fmt.Fprintf(stderr, "gantry %s: unknown verb %q\n\n", name, args[0])
		usage(stderr)
		return exitUsage
	}
}

// apiCommand is one run of an API verb: its flags, the client they configure, and where
// it writes.
type apiCommand struct {
	fs             *flag.FlagSet
	stdout, stderr io.Writer

	apiURL, tokenFile, output string
	maxResults                int
	nextToken                 string
	paged                     bool

	wait     bool
	timeout  time.Duration
	interval time.Duration

	positional    []string
	takesArgument bool                         // a positional argument may name what the verb acts on
	checks        []func() (code int, ok bool) // run by parse, in order
	client        *apiclient.Client
}

// newAPICommand starts an API verb named name ("environments get") with its usage text
// (without the trailing "flags:" header) and the global flags.
func newAPICommand(name, usage string, stdout, stderr io.Writer) *apiCommand {
	a := &apiCommand{fs: flag.NewFlagSet(name, flag.ContinueOnError), stdout: stdout, stderr: stderr}
	a.fs.StringVar(&a.apiURL, "api-url", "", "the API's URL (default $"+apiURLEnv+", else "+defaultAPIURL+")")
	a.fs.StringVar(&a.tokenFile, "token-file", "", "file holding the bearer token (default: $"+tokenEnv+")")
	a.fs.StringVar(&a.output, "output", "text", "text (columns, key: value) or json (the API's JSON)")
	a.fs.Usage = func() {
		fmt.Fprint(a.fs.Output(), usage+"\nflags:\n")
		a.fs.PrintDefaults()
	}
	return a
}

// pageFlags adds --max-results and --next-token: without them a list shows every page.
func (a *apiCommand) pageFlags() {
	a.fs.IntVar(&a.maxResults, "max-results", 0, "show one page of at most N items (1-100)")
	a.fs.StringVar(&a.nextToken, "next-token", "", "show the page after this token")
}

// waitFlags adds --wait, --timeout and --interval.
func (a *apiCommand) waitFlags() {
	a.fs.BoolVar(&a.wait, "wait", false, "wait until the deployment ends, printing each status change; exit 1 unless it succeeded")
	a.fs.DurationVar(&a.timeout, "timeout", time.Hour, "with --wait: how long to wait")
	a.fs.DurationVar(&a.interval, "interval", 2*time.Second, "with --wait: the pause between polls")
}

// parse parses args, builds the client and runs the verb's checks in the order they were
// added; a verb that takes no argument (see argument) refuses positional arguments after
// them. done is true with the exit code when the command must stop: -h, a bad flag, a
// configuration that cannot work, or a failed check.
func (a *apiCommand) parse(args []string) (code int, done bool) {
	a.positional, code, done = parseFlags(a.fs, args, a.stderr)
	if done {
		return code, true
	}
	a.fs.Visit(func(f *flag.Flag) {
		if f.Name == "max-results" || f.Name == "next-token" {
			a.paged = true
		}
	})
	if a.output != "text" && a.output != "json" {
		return a.usageError("--output must be text or json, not %q", a.output), true
	}
	if a.paged && (a.maxResults < 0 || a.maxResults > 100) {
		return a.usageError("--max-results must be from 1 to 100"), true
	}
	if a.wait && a.timeout <= 0 {
		return a.usageError("--timeout must be positive"), true
	}
	base := a.apiURL
	if base == "" {
		base = os.Getenv(apiURLEnv)
	}
	if base == "" {
		base = defaultAPIURL
	}
	token := os.Getenv(tokenEnv)
	if a.tokenFile != "" {
		b, err := os.ReadFile(a.tokenFile)
		if err != nil {
			return a.usageError("--token-file: %v", err), true
		}
		token = strings.TrimSpace(string(b))
	}
	if token == "" {
		return a.usageError("no token: set %s or pass --token-file FILE (make dev writes .gantry/dev/admin.token and .gantry/dev/developer.token)", tokenEnv), true
	}
	client, err := apiclient.New(base, token, nil)
	if err != nil {
		return a.usageError("%v", err), true
	}
	a.client = client
	for _, check := range a.checks {
		if code, ok := check(); !ok {
			return code, true
		}
	}
	if !a.takesArgument && len(a.positional) > 0 {
		return a.usageError("unexpected argument %q", a.positional[0]), true
	}
	return exitOK, false
}

// check adds a check that parse runs once the flags are parsed and the client built; ok
// false stops the verb with code (after the check printed why).
func (a *apiCommand) check(f func() (code int, ok bool)) {
	a.checks = append(a.checks, f)
}

// required adds the check that the flag called name, whose value is at value, was given.
func (a *apiCommand) required(value *string, name string) {
	a.check(func() (int, bool) {
		if *value == "" {
			return a.usageError("--%s is required", name), false
		}
		return exitOK, true
	})
}

// nameFlag adds --name, described by usage, for the what ("environment") the verb acts
// on, which may be given as the single argument instead; see argument.
func (a *apiCommand) nameFlag(what, usage string) *string {
	return a.argument(a.fs.String("name", "", usage), what, "--name NAME")
}

// argument lets the verb take the what it acts on as its single positional argument, in
// place of the flag whose value is at flagValue (written flagSyntax, "--name NAME", in
// the error). It returns where parse puts the value, the flag's or the argument's; it is
// a usage error to give both, neither, or more than one argument.
func (a *apiCommand) argument(flagValue *string, what, flagSyntax string) *string {
	a.takesArgument = true
	value := new(string)
	a.check(func() (int, bool) {
		switch {
		case *flagValue != "" && len(a.positional) == 0:
			*value = *flagValue
		case *flagValue == "" && len(a.positional) == 1:
			*value = a.positional[0]
		case *flagValue == "" && len(a.positional) == 0:
			return a.usageError("name the %s: %s or a single argument", what, flagSyntax), false
		default:
			return a.usageError("unexpected argument %q", a.positional[len(a.positional)-1]), false
		}
		return exitOK, true
	})
	return value
}

// usageError prints msg and the verb's usage and returns exitUsage.
func (a *apiCommand) usageError(format string, args ...any) int {
	return usageError(a.fs, a.stderr, format, args...)
}

// fail prints err, as the API's "code: message (request id …)" when it answered, and
// returns exitProblems.
func (a *apiCommand) fail(err error) int {
	var urlErr *url.Error
	if errors.As(err, &urlErr) && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(a.stderr, "gantry %s: cannot reach the API (%v); set %s or --api-url\n", a.fs.Name(), urlErr.Err, apiURLEnv)
		return exitProblems
	}
	fmt.Fprintf(a.stderr, "gantry %s: %v\n", a.fs.Name(), err)
	return exitProblems
}

// json reports whether the output is the API's JSON.
func (a *apiCommand) json() bool { return a.output == "json" }

// show prints one answer: raw verbatim with --output json, else text.
func (a *apiCommand) show(raw json.RawMessage, text func(w io.Writer)) int {
	if a.json() {
		writeRaw(a.stdout, raw)
		return exitOK
	}
	text(a.stdout)
	return exitOK
}

// answer shows what a call answered (raw, or text), or fails with the call's err.
func (a *apiCommand) answer(err error, raw json.RawMessage, text func(w io.Writer)) int {
	if err != nil {
		return a.fail(err)
	}
	return a.show(raw, text)
}

// started is answer for a call that starts deployments: it fails with the call's err, or
// else shows the answer (not at all with --wait and text output, where the progress says
// it all) and then, with --wait, waits for the targets poll reads, as waitFor does.
func (a *apiCommand) started(ctx context.Context, err error, raw json.RawMessage, text func(w io.Writer), poll apiclient.Poll, initial ...apiclient.Status) int {
	if err != nil {
		return a.fail(err)
	}
	if a.json() || !a.wait {
		a.show(raw, text)
	}
	return a.waitFor(ctx, poll, initial...)
}

// writeRaw writes JSON as it came, ending with one newline.
func writeRaw(w io.Writer, raw json.RawMessage) {
	w.Write(raw)
	if len(raw) == 0 || raw[len(raw)-1] != '\n' {
		io.WriteString(w, "\n")
	}
}

// list runs a list verb: one page when --max-results or --next-token is given (printed
// verbatim with --output json), otherwise every page (with --output json: {"items": […]}
// holding each item's JSON verbatim).
func list[T any](ctx context.Context, a *apiCommand, page func(context.Context, apiclient.PageRequest) (apiclient.Page[T], error),
	raw func(T) json.RawMessage, columns []string, row func(T) []string) int {
	var items apiclient.Page[T]
	var err error
	if a.paged {
		items, err = page(ctx, apiclient.PageRequest{Limit: a.maxResults, NextToken: a.nextToken})
	} else {
		items, err = apiclient.All(ctx, page)
	}
	if err != nil {
		return a.fail(err)
	}
	if a.json() {
		if items.Raw != nil {
			writeRaw(a.stdout, items.Raw)
			return exitOK
		}
		all := struct {
			Items []json.RawMessage `json:"items"`
		}{Items: []json.RawMessage{}}
		for _, it := range items.Items {
			all.Items = append(all.Items, raw(it))
		}
		b, err := json.Marshal(all)
		if err != nil {
			return a.fail(err)
		}
		writeRaw(a.stdout, b)
		return exitOK
	}
	rows := make([][]string, 0, len(items.Items))
	for _, it := range items.Items {
		rows = append(rows, row(it))
	}
	writeTable(a.stdout, columns, rows)
	if items.NextToken != "" {
		fmt.Fprintf(a.stderr, "more: --next-token %s\n", items.NextToken)
	}
	return exitOK
}

// writeTable prints aligned columns under a header.
func writeTable(w io.Writer, columns []string, rows [][]string) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(columns, "\t"))
	for _, r := range rows {
		for i, cell := range r {
			if cell == "" {
				r[i] = "-"
			}
		}
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
}

// field is one "key: value" line; empty values are left out.
type field struct{ key, value string }

// writeFields prints fields as aligned "key: value" lines, then each block (a multi-line
// value such as a spec) under its own heading.
func writeFields(w io.Writer, fields []field, blocks ...field) {
	tw := tabwriter.NewWriter(w, 0, 4, 1, ' ', 0)
	for _, f := range fields {
		if f.value != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", f.key, f.value)
		}
	}
	tw.Flush()
	for _, b := range blocks {
		if strings.TrimSpace(b.value) == "" {
			continue
		}
		fmt.Fprintf(w, "%s:\n", b.key)
		for _, line := range strings.Split(strings.TrimRight(b.value, "\n"), "\n") {
			fmt.Fprintf(w, "  %s\n", line)
		}
	}
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func timePtrText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return timeText(*t)
}

func versionText(major, minor int) string {
	if major == 0 {
		return ""
	}
	return fmt.Sprintf("%d.%d", major, minor)
}

// waitFor waits, when --wait was given, for the targets poll reads to settle, printing
// each status change (to stdout with text output, to stderr with json output, so that
// stdout stays JSON). It returns exitOK when every target succeeded (or was deleted), and
// exitProblems, after printing why, when one failed, was cancelled or the wait timed out.
func (a *apiCommand) waitFor(ctx context.Context, poll apiclient.Poll, initial ...apiclient.Status) int {
	if !a.wait {
		return exitOK
	}
	progress := a.stdout
	if a.json() {
		progress = a.stderr
	}
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	printer := newProgressPrinter(progress, time.Now)
	final, err := apiclient.Wait(ctx, func(ctx context.Context) ([]apiclient.Status, error) {
		statuses, err := poll(ctx)
		if err == nil {
			printer.heartbeat(statuses)
		}
		return statuses, err
	}, apiclient.WaitOptions{Interval: a.interval, Initial: initial, Progress: printer.change})
	var we *apiclient.WaitError
	if errors.As(err, &we) && errors.Is(err, context.DeadlineExceeded) {
		fmt.Fprintf(a.stderr, "gantry %s: %v after %s\n", a.fs.Name(), err, a.timeout)
		return exitProblems
	}
	if err != nil {
		return a.fail(err)
	}
	code := exitOK
	sort.SliceStable(final, func(i, j int) bool { return final[i].Target < final[j].Target })
	for _, s := range final {
		if s.Failed() {
			msg := s.Message
			if msg == "" {
				msg = "no status message"
			}
			fmt.Fprintf(a.stderr, "gantry %s: %s ended %s: %s\n", a.fs.Name(), s.Target, s.DeploymentStatus, msg)
			code = exitProblems
		}
	}
	return code
}

// heartbeatEvery is how long a wait stays silent before saying what is still at work.
const heartbeatEvery = 30 * time.Second

// progressPrinter prints a wait's progress: a line per status change, with the time
// since the wait began, and a "still" line for each target still at work after
// heartbeatEvery without a line.
type progressPrinter struct {
	w        io.Writer
	now      func() time.Time
	start    time.Time
	lastLine time.Time
	last     map[string]apiclient.Status
}

func newProgressPrinter(w io.Writer, now func() time.Time) *progressPrinter {
	t := now()
	return &progressPrinter{w: w, now: now, start: t, lastLine: t, last: map[string]apiclient.Status{}}
}

// change prints a status change: target, status, the deployment when it is a new one,
// and the message.
func (p *progressPrinter) change(s apiclient.Status) {
	prev, seen := p.last[s.Target]
	p.last[s.Target] = s
	line := s.Target + ": " + string(s.DeploymentStatus)
	if s.DeploymentID != "" && (!seen || prev.DeploymentID != s.DeploymentID) {
		line += " (deployment " + s.DeploymentID + ")"
	}
	if s.Message != "" {
		line += " — " + s.Message
	}
	p.print(line)
}

// heartbeat prints, once nothing has been printed for heartbeatEvery, a line for each
// target whose status has not changed and is still at work.
func (p *progressPrinter) heartbeat(statuses []apiclient.Status) {
	if p.now().Sub(p.lastLine) < heartbeatEvery {
		return
	}
	for _, s := range statuses {
		if prev, seen := p.last[s.Target]; seen && prev == s && !s.Settled() {
			p.print(s.Target + ": still " + string(s.DeploymentStatus))
		}
	}
}

func (p *progressPrinter) print(line string) {
	t := p.now()
	p.lastLine = t
	fmt.Fprintf(p.w, "[%6s] %s\n", t.Sub(p.start).Round(time.Second), line)
}
