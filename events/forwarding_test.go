package events

import (
	"bytes"
	"testing"
)

// TestForwardingRules: an environment account forwards exactly what the platform's stack
// rule matches, to the platform's bus, and the platform's own rules do not include it.
func TestForwardingRules(t *testing.T) {
	forward, err := ForwardingRules()
	if err != nil {
		t.Fatal(err)
	}
	platform, err := Rules()
	if err != nil {
		t.Fatal(err)
	}
	var stack *Rule
	for i, r := range platform {
		if r.Target == PlatformBus {
			t.Fatalf("platform rule %s targets the platform bus", r.Name)
		}
		if r.Name == "stack-status-change" {
			stack = &platform[i]
		}
	}
	if len(forward) != 1 || forward[0].Target != PlatformBus || stack == nil || !bytes.Equal(forward[0].Pattern, stack.Pattern) {
		t.Fatalf("forwarding rules = %+v, want one rule to %s with the stack rule's pattern", forward, PlatformBus)
	}
}
