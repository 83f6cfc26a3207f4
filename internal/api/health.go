package api

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platform"
)

// HealthChecker is a dependency GET /healthz checks (the store: a cheap read of the table).
// CheckHealth returns nil when the dependency answers; an error of a kind other than
// Internal carries a short reason fit for anyone to read ("table not found").
type HealthChecker interface {
	CheckHealth(ctx context.Context) error
}

// The health check's bounds: each dependency gets healthTimeout to answer, and an answer
// serves every /healthz for healthTTL, so that an unauthenticated caller cannot turn
// /healthz into load on DynamoDB.
const (
	healthTimeout = 2 * time.Second
	healthTTL     = time.Second
)

// healthCache holds the last report and when it was made.
type healthCache struct {
	mu     sync.Mutex
	at     time.Time
	report apimodel.Health
}

// health answers 200 when every dependency answers and 503 naming those that do not, with
// a short reason; never an internal detail (that goes to the log).
func (h *handler) health(w http.ResponseWriter, r *http.Request) error {
	report := h.checkHealth(r.Context())
	status := http.StatusOK
	if report.Status != "ok" {
		status = http.StatusServiceUnavailable
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, report)
	return nil
}

func (h *handler) checkHealth(ctx context.Context) apimodel.Health {
	h.healthy.mu.Lock()
	defer h.healthy.mu.Unlock()
	now := h.opts.Now()
	if !h.healthy.at.IsZero() && !now.Before(h.healthy.at) && now.Sub(h.healthy.at) < healthTTL {
		return h.healthy.report
	}
	report := apimodel.Health{Status: "ok", Dependencies: map[string]string{}}
	for _, name := range slices.Sorted(maps.Keys(h.opts.Dependencies)) {
		report.Dependencies[name] = "ok"
		if err := h.checkOne(ctx, name, h.opts.Dependencies[name]); err != "" {
			report.Status, report.Dependencies[name] = "unavailable", err
		}
	}
	h.healthy.at, h.healthy.report = h.opts.Now(), report
	return report
}

// checkOne checks one dependency under healthTimeout and returns "" or the short reason.
func (h *handler) checkOne(ctx context.Context, name string, dep HealthChecker) string {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), healthTimeout)
	defer cancel()
	err := dep.CheckHealth(ctx)
	if err == nil {
		return ""
	}
	h.opts.Log.ErrorContext(ctx, "health check failed", "dependency", name, "error", err)
	switch {
	case errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil:
		return "timed out"
	case platform.KindOf(err) != platform.Internal:
		return platform.MessageOf(err)
	default:
		return "unreachable"
	}
}
