package lambdawire_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/awsclients/awstest"
	"github.com/gantry-platform/gantry/internal/engine"
	"github.com/gantry-platform/gantry/internal/lambdaenv"
	"github.com/gantry-platform/gantry/internal/lambdawire"
)

// TestConfigReadsRenderLimits checks that a function's rendering limits come from the
// GANTRY_RENDER_* variables and that a bad one fails the cold start naming it.
func TestConfigReadsRenderLimits(t *testing.T) {
	cfg, err := lambdawire.ConfigFromEnv(awstest.Getenv(map[string]string{lambdaenv.TableName: "t",
		engine.EnvTimeout: "2s", engine.EnvMaxOutputBytes: "1048576"}))
	if err != nil || cfg.RenderLimits.Timeout != 2*time.Second || cfg.RenderLimits.MaxOutput != 1<<20 {
		t.Fatalf("ConfigFromEnv = %+v, %v; want a 2s timeout and a 1 MiB output", cfg.RenderLimits, err)
	}
	_, err = lambdawire.ConfigFromEnv(awstest.Getenv(map[string]string{lambdaenv.TableName: "t", engine.EnvMaxDepth: "deep"}))
	if err == nil || !strings.Contains(err.Error(), engine.EnvMaxDepth) {
		t.Fatalf("err = %v, want one naming %s", err, engine.EnvMaxDepth)
	}
}
