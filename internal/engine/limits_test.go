package engine

import (
	"errors"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/render"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLimitsFromEnv(t *testing.T) {
	got, err := LimitsFromEnv(envOf(map[string]string{
		EnvMaxOutputBytes: "1048576", EnvMaxStringBytes: " 65536 ", EnvMaxItems: "1000", EnvMaxIntDigits: "100",
		EnvMaxAllocatedBytes: "33554432", EnvMaxIterations: "5000", EnvMaxDepth: "50", EnvTimeout: "1500ms"}))
	want := render.Limits{MaxOutput: 1 << 20, MaxString: 64 << 10, MaxItems: 1000, MaxIntDigits: 100,
		MaxAllocated: 32 << 20, MaxIterations: 5000, MaxDepth: 50, Timeout: 1500 * time.Millisecond}
	if err != nil || got != want {
		t.Fatalf("LimitsFromEnv = %+v, %v; want %+v", got, err, want)
	}
	if got, err := LimitsFromEnv(envOf(nil)); err != nil || got != (render.Limits{}) {
		t.Fatalf("with no variables: %+v, %v; want the zero Limits (render's defaults)", got, err)
	}
	for name, value := range map[string]string{EnvMaxOutputBytes: "5MB", EnvMaxDepth: "0", EnvMaxItems: "-3",
		EnvMaxIterations: "99999999999", EnvTimeout: "5"} {
		_, err := LimitsFromEnv(envOf(map[string]string{name: value}))
		var pe *platform.Error
		if !errors.As(err, &pe) || pe.Kind != platform.Invalid || pe.Field != name {
			t.Errorf("%s=%q: err = %v, want Invalid naming the variable", name, value, err)
		}
	}
}
