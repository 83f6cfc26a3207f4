package main

import (
	"context"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/lambdawire/lambdawiretest"
	"github.com/gantry-platform/gantry/internal/platform"
)

func TestNotifyEntryPoint(t *testing.T) {
	ports := lambdawiretest.NewPorts(platform.Deployment{ID: "d-1", Operation: platform.Deploy, Status: platform.Succeeded,
		Target: platform.Target{Kind: platform.EnvironmentTarget, Environment: "beta"}, TemplateName: "vpc-ecs"})
	var detailTypes []string
	ports.Events.PublishFunc = func(_ context.Context, events ...platform.Event) error {
		for _, e := range events {
			detailTypes = append(detailTypes, e.DetailType)
		}
		return nil
	}
	var subject, message string
	ports.Notifier.NotifyFunc = func(_ context.Context, s, m string) error {
		subject, message = s, m
		return nil
	}
	out, err := lambdawiretest.Invoke(t, handler(ports.App()), []byte(`{"deploymentId":"d-1"}`))
	if err != nil || string(out) != "null" {
		t.Fatalf("Notify = %s, %v", out, err)
	}
	if !strings.Contains(strings.Join(detailTypes, ","), "Environment Status Change") {
		t.Errorf("published %v, want an Environment Status Change", detailTypes)
	}
	if subject != "Gantry: environment beta SUCCEEDED" || !strings.Contains(message, "d-1") {
		t.Errorf("notification %q / %q", subject, message)
	}
}
