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
