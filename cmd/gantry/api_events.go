package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

func eventsCommand() func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return resource("events", []verb{
		{"dlq", "local mode: list or replay the event deliveries the event bus gave up (admin)", eventsDLQUsage, eventsDLQ},
	})
}

const eventsDLQUsage = `usage: gantry events dlq list
       gantry events dlq replay [--id ID]...

Local mode's event bus retries a failing delivery for minutes (gantry-local
--event-retry-for), then keeps it in its dead-letter log (.gantry/dev/eventbus/
dead-letters.jsonl). list shows them, oldest first; replay delivers them again (all,
or those of --id) and removes them from the log. Admin role; local mode only.
`

// idList is a repeatable flag.
type idList []string

func (l *idList) String() string     { return strings.Join(*l, ",") }
func (l *idList) Set(v string) error { *l = append(*l, v); return nil }

func eventsDLQ(a *apiCommand) action {
	var ids idList
	a.fs.Var(&ids, "id", "replay: the dead letter to replay (repeatable; default all)")
	a.takesArgument = true
	var op string
	a.check(func() (int, bool) {
		switch {
		case len(a.positional) != 1 || a.positional[0] != "list" && a.positional[0] != "replay":
			return a.usageError("say list or replay"), false
		case a.positional[0] == "list" && len(ids) > 0:
			return a.usageError("--id goes with replay"), false
		}
		op = a.positional[0]
		return exitOK, true
	})
	return func(ctx context.Context) int {
		if op == "replay" {
			res, err := a.client.ReplayDeadLetters(ctx, ids)
			raw, _ := json.Marshal(res)
			return a.answer(err, raw, func(w io.Writer) { fmt.Fprintf(w, "replayed %d dead letter(s)\n", res.Replayed) })
		}
		page, err := a.client.ListDeadLetters(ctx)
		if err != nil {
			return a.fail(err)
		}
		return a.show(page.Raw, func(w io.Writer) {
			rows := make([][]string, 0, len(page.Items))
			for _, dl := range page.Items {
				rows = append(rows, []string{dl.ID, timeText(dl.Time), dl.Rule, dl.Target, strconv.Itoa(dl.Attempts), dl.Error})
			}
			writeTable(w, []string{"ID", "TIME", "RULE", "TARGET", "ATTEMPTS", "ERROR"}, rows)
		})
	}
}
