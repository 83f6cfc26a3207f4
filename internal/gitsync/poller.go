package gitsync

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Watch is one branch of one remote the poller follows; Key names it (e.g. the sync
// configuration) and is what Deliver receives back.
type Watch struct {
	Key    string
	Clone  *Clone
	Branch string
}

// Poller follows branches by asking each remote for the branch's head — one request, the
// advertised references — and calls Deliver only when the head is not the last commit it
// delivered for that watch. A quiet repository therefore costs one request per round.
// Deliver is where a commit enters the sync workflow; a commit the webhook delivered first
// is recognised there (exactly once per configuration and commit), not here.
type Poller struct {
	// Watches lists what to follow this round.
	Watches func(ctx context.Context) ([]Watch, error)
	// Deliver hands on a new head; an error keeps the head undelivered, to be tried again
	// next round.
	Deliver func(ctx context.Context, w Watch, commit string) error

	mu   sync.Mutex
	last map[string]string
}

// Seen records commit as already delivered for key (e.g. the last synced commit read
// back at start), so the next round delivers only what came after.
func (p *Poller) Seen(key, commit string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.last == nil {
		p.last = map[string]string{}
	}
	p.last[key] = commit
}

func (p *Poller) lastSeen(key string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last[key]
}

// Poll runs one round: every watch's remote head is compared with the last delivered
// commit and delivered when it moved. It returns the errors of the watches that failed,
// joined, after trying all of them.
func (p *Poller) Poll(ctx context.Context) error {
	watches, err := p.Watches(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, w := range watches {
		head, err := w.Clone.RemoteHead(ctx, w.Branch)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if head == p.lastSeen(w.Key) {
			continue
		}
		if err := p.Deliver(ctx, w, head); err != nil {
			errs = append(errs, err)
			continue
		}
		p.Seen(w.Key, head)
	}
	return errors.Join(errs...)
}

// Run polls every interval until ctx ends; errors of a round go to report (may be nil).
func (p *Poller) Run(ctx context.Context, interval time.Duration, report func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := p.Poll(ctx); err != nil && report != nil && ctx.Err() == nil {
			report(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
