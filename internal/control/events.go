package control

import (
	"context"

	"github.com/gantry-platform/gantry/internal/platform"
)

// publish sends events on a best-effort basis: a status-change event lost to an outage
// must not undo or fail the change it reports; the failure is logged.
func (s *Service) publish(ctx context.Context, events ...platform.Event) {
	if s.events == nil || len(events) == 0 {
		return
	}
	if err := s.events.Publish(ctx, events...); err != nil {
		s.log.ErrorContext(ctx, "publish status events", "error", err, "count", len(events))
	}
}

func templateVersionEvent(tv platform.TemplateVersion, previous platform.VersionStatus) platform.Event {
	resource := "Environment Template Version"
	if tv.Kind == platform.ServiceTemplate {
		resource = "Service Template Version"
	}
	return platform.StatusChangeEvent(resource, platform.StatusChange{
		Name: tv.TemplateName + ":" + tv.Version.String(), Template: tv.TemplateName,
		Version: tv.Version.String(), Status: string(tv.Status), PreviousStatus: string(previous)})
}
