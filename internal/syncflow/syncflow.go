// Package syncflow is the sync workflow's edges: the task the state machine's Sync state
// invokes (statemachines/sync.asl.json) and the poller that, like the webhook receivers,
// hands new commits to the control plane (control.ReceivePush), which starts the workflow.
package syncflow

import (
	"context"
	"strings"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/gitsync"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/workflow"
)

// TaskInput is the Sync state's payload.
type TaskInput struct {
	Key       string `json:"key"`
	Commit    string `json:"commit"`
	Execution string `json:"execution"`
}

// Task is the sync workflow's task (a Lambda function on AWS).
type Task struct {
	Control *control.Service
}

// Sync processes one commit for one configuration (control.SyncCommit), as the execution
// that invoked it. A failure worth retrying (git or the store unavailable) is a
// *workflow.TransientError, which the state machine retries; an Invalid input fails the
// execution.
func (t Task) Sync(ctx context.Context, in TaskInput) (control.SyncOutcome, error) {
	if in.Execution == "" {
		return control.SyncOutcome{}, platform.FieldErrorf("execution", "is required")
	}
	out, err := t.Control.SyncCommit(ctx, control.SyncInput{Key: in.Key, Commit: in.Commit}, in.Execution)
	if err != nil && platform.KindOf(err) != platform.Invalid {
		return out, &workflow.TransientError{Err: err}
	}
	return out, err
}

// NewPoller returns a poller of every branch a sync configuration follows: each round
// asks each remote for the branch's head (one request) and hands a head it has not
// handed before to svc.ReceivePush — the same path as a webhook's push.
func NewPoller(svc *control.Service, sources *gitsync.Sources) *gitsync.Poller {
	return &gitsync.Poller{
		Watches: func(ctx context.Context) ([]gitsync.Watch, error) {
			watches, err := svc.SyncWatches(ctx)
			if err != nil {
				return nil, err
			}
			out := make([]gitsync.Watch, 0, len(watches))
			for _, w := range watches {
				c, err := sources.Clone(ctx, w.Repository)
				if err != nil {
					return nil, err
				}
				out = append(out, gitsync.Watch{Key: string(w.Repository.Provider) + "\x00" + w.Repository.Name + "\x00" + w.Branch, Clone: c, Branch: w.Branch})
			}
			return out, nil
		},
		Deliver: func(ctx context.Context, w gitsync.Watch, commit string) error {
			repo, ok := watchRepository(w.Key)
			if !ok {
				return platform.Errorf(platform.Internal, "syncflow: bad watch key")
			}
			_, err := svc.ReceivePush(ctx, repo, w.Branch, commit)
			return err
		},
	}
}

func watchRepository(key string) (platform.RepositoryID, bool) {
	parts := strings.Split(key, "\x00")
	if len(parts) != 3 {
		return platform.RepositoryID{}, false
	}
	return platform.RepositoryID{Provider: platform.RepositoryProvider(parts[0]), Name: parts[1]}, true
}
