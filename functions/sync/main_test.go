package main

import (
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/lambdawire/lambdawiretest"
)

// TestSyncEntryPoint pushes the Sync state's payload through the entry point: without
// the execution's name the task refuses it (an Invalid error, which the state machine
// does not retry) before doing anything.
func TestSyncEntryPoint(t *testing.T) {
	ports := lambdawiretest.NewPorts()
	_, err := lambdawiretest.Invoke(t, handler(ports.App()), []byte(`{"key":"TEMPLATE_SYNC:ENVIRONMENT:vpc-ecs","commit":"`+strings.Repeat("a", 40)+`"}`))
	if err == nil || !strings.Contains(err.Error(), "execution") {
		t.Fatalf("Sync without an execution = %v, want an error naming execution", err)
	}
}
