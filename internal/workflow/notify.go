package workflow

import (
	"context"
	"fmt"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Notify publishes the finished deployment's status-change events (for the deployment and
// its target) and a notification for people. Notifying twice sends twice: events are
// at-least-once, as on EventBridge.
func (t *Tasks) Notify(ctx context.Context, in Input) error {
	d, err := t.store.GetDeployment(ctx, in.DeploymentID)
	if err != nil {
		return err
	}
	previous := platform.InProgress
	if d.Operation == platform.Delete {
		previous = platform.DeleteInProgress
	}
	if t.events != nil {
		if err := t.events.Publish(ctx, platform.TargetEvents(d, previous)...); err != nil {
			return &TransientError{Err: err}
		}
	}
	if t.notifier == nil {
		return nil
	}
	subject := fmt.Sprintf("Gantry: %s %s", d.Target, d.Status)
	message := fmt.Sprintf("Deployment %s of %s (template %s %s) ended %s.", d.ID, d.Target, d.TemplateName, d.TemplateVersion, d.Status)
	if d.StatusMessage != "" {
		message += "\n\n" + d.StatusMessage
	}
	if err := t.notifier.Notify(ctx, subject, message); err != nil {
		return &TransientError{Err: err}
	}
	return nil
}
