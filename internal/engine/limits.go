package engine

import (
	"strconv"
	"strings"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/render"
)

// The optional environment variables that set the rendering limits (render.Limits) of
// the render Lambda and gantry-local; unset or empty means the default.
const (
	EnvMaxOutputBytes    = "GANTRY_RENDER_MAX_OUTPUT_BYTES"
	EnvMaxStringBytes    = "GANTRY_RENDER_MAX_STRING_BYTES"
	EnvMaxItems          = "GANTRY_RENDER_MAX_ITEMS"
	EnvMaxIntDigits      = "GANTRY_RENDER_MAX_INT_DIGITS"
	EnvMaxAllocatedBytes = "GANTRY_RENDER_MAX_ALLOCATED_BYTES"
	EnvMaxIterations     = "GANTRY_RENDER_MAX_ITERATIONS"
	EnvMaxDepth          = "GANTRY_RENDER_MAX_DEPTH"
	EnvTimeout           = "GANTRY_RENDER_TIMEOUT" // a Go duration: "5s", "1500ms"
)

// LimitsFromEnv reads the rendering limits through getenv (os.Getenv). Errors: Invalid,
// naming the variable, for a value that is not a positive number (or duration).
func LimitsFromEnv(getenv func(string) string) (render.Limits, error) {
	var l render.Limits
	var err error
	for _, v := range []struct {
		name string
		set  func(int64)
	}{
		{EnvMaxOutputBytes, func(n int64) { l.MaxOutput = int(n) }},
		{EnvMaxStringBytes, func(n int64) { l.MaxString = int(n) }},
		{EnvMaxItems, func(n int64) { l.MaxItems = int(n) }},
		{EnvMaxIntDigits, func(n int64) { l.MaxIntDigits = int(n) }},
		{EnvMaxAllocatedBytes, func(n int64) { l.MaxAllocated = n }},
		{EnvMaxIterations, func(n int64) { l.MaxIterations = n }},
		{EnvMaxDepth, func(n int64) { l.MaxDepth = int(n) }},
	} {
		s := strings.TrimSpace(getenv(v.name))
		if s == "" || err != nil {
			continue
		}
		n, perr := strconv.ParseInt(s, 10, 32)
		if perr != nil || n <= 0 {
			err = platform.FieldErrorf(v.name, "must be a positive whole number below 2^31, not %q", s)
			continue
		}
		v.set(n)
	}
	if err != nil {
		return render.Limits{}, err
	}
	if s := strings.TrimSpace(getenv(EnvTimeout)); s != "" {
		d, perr := time.ParseDuration(s)
		if perr != nil || d <= 0 {
			return render.Limits{}, platform.FieldErrorf(EnvTimeout, "must be a positive duration such as 5s, not %q", s)
		}
		l.Timeout = d
	}
	return l, nil
}

// WithLimits returns an Engine rendering with a render.Engine of its own under limits
// (zero fields take render's defaults).
func WithLimits(limits render.Limits) *Engine {
	return New(render.New(render.Options{Limits: limits}))
}
