package local

import (
	"context"
	"log/slog"
	"sync"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Notification is one message that would have gone to the SNS topic.
type Notification struct{ Subject, Message string }

// Notifications is local mode's notifier: it logs each notification and keeps the latest.
type Notifications struct {
	log  *slog.Logger
	mu   sync.Mutex
	sent []Notification
}

var _ platform.Notifier = (*Notifications)(nil)

// keep is how many notifications are kept.
const keep = 200

// Notify logs and keeps the notification.
func (n *Notifications) Notify(ctx context.Context, subject, message string) error {
	n.log.InfoContext(ctx, "notification", "subject", subject)
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent = append(n.sent, Notification{subject, message})
	if len(n.sent) > keep {
		n.sent = n.sent[len(n.sent)-keep:]
	}
	return nil
}

// Sent returns the kept notifications, oldest first.
func (n *Notifications) Sent() []Notification {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]Notification(nil), n.sent...)
}

// Recorder keeps the latest status-change events Gantry published.
type Recorder struct {
	mu     sync.Mutex
	events []platform.Event
}

// Publish keeps the events.
func (r *Recorder) Publish(ctx context.Context, events ...platform.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, events...)
	if len(r.events) > keep {
		r.events = r.events[len(r.events)-keep:]
	}
	return nil
}

// Events returns the kept events, oldest first.
func (r *Recorder) Events() []platform.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]platform.Event(nil), r.events...)
}

// teePublisher publishes to the bus and records.
type teePublisher struct {
	bus    platform.EventPublisher
	record *Recorder
}

func (t teePublisher) Publish(ctx context.Context, events ...platform.Event) error {
	_ = t.record.Publish(ctx, events...)
	return t.bus.Publish(ctx, events...)
}
