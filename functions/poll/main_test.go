package main

import (
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/lambdawire/lambdawiretest"
)

// TestPollEntryPoint pushes EventBridge's scheduled event through the entry point: the
// round asks the control plane for the followed branches, which an App without sync's
// stores refuses, and the error reaches Lambda (EventBridge's retries and the dead-letter
// queue see it).
func TestPollEntryPoint(t *testing.T) {
	ports := lambdawiretest.NewPorts()
	_, err := lambdawiretest.Invoke(t, handler(ports.App()), lambdawiretest.Sample(t, "eventbridge-scheduled-event"))
	if err == nil || !strings.Contains(err.Error(), "sync is not configured") {
		t.Fatalf("a poll without sync's stores = %v, want the control plane's refusal", err)
	}
}
