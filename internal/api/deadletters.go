package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/eventbus"
)

// DeadLetterQueue is the dead-letter log of local mode's event bus (the *eventbus.Bus).
// On AWS there is none to serve: EventBridge's dead letters are in its SQS queue, and the
// routes below are not served.
type DeadLetterQueue interface {
	DeadLetters() ([]eventbus.DeadLetter, error)
	Replay(ctx context.Context, ids []string) (int, error)
}

// localRoutes are the operations of local mode only: served when Options.DeadLetters is
// set, marked x-gantry-local in the OpenAPI document.
func localRoutes() []route {
	return []route{
		{method: "GET", path: "/v1/local/dlq", operationID: "ListDeadLetters", summary: "Local mode only: the event deliveries the event bus gave up, oldest first", access: adminOnly, local: true, response: "DeadLetterList", status: 200, handle: (*handler).listDeadLetters},
		{method: "POST", path: "/v1/local/dlq/replay", operationID: "ReplayDeadLetters", summary: "Local mode only: deliver dead letters again (?ids=a,b; all without it) and remove them from the log", access: adminOnly, local: true, response: "ReplayResult", status: 200, query: []string{"ids"}, handle: (*handler).replayDeadLetters},
	}
}

func (h *handler) listDeadLetters(w http.ResponseWriter, r *http.Request) error {
	all, err := h.opts.DeadLetters.DeadLetters()
	if err != nil {
		return err
	}
	out := apimodel.List[apimodel.DeadLetter]{Items: make([]apimodel.DeadLetter, len(all))}
	for i, dl := range all {
		out.Items[i] = apimodel.DeadLetter{ID: dl.ID, Time: dl.Time, Rule: dl.Rule, Target: dl.Target, Event: dl.Event, Error: dl.Error, Attempts: dl.Attempts}
	}
	writeJSON(w, 200, out)
	return nil
}

func (h *handler) replayDeadLetters(w http.ResponseWriter, r *http.Request) error {
	var ids []string
	if s := r.URL.Query().Get("ids"); s != "" {
		for _, id := range strings.Split(s, ",") {
			if id = strings.TrimSpace(id); id != "" {
				ids = append(ids, id)
			}
		}
	}
	n, err := h.opts.DeadLetters.Replay(r.Context(), ids)
	if err != nil {
		return err
	}
	writeJSON(w, 200, apimodel.ReplayResult{Replayed: n})
	return nil
}
