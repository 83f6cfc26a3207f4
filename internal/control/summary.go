package control

import (
	"context"

	"github.com/gantry-platform/gantry/internal/platform"
)

// GetResourcesSummary counts the estate as Proton's GetResourcesSummary does: per kind,
// the total, the failed (last deployment FAILED or DELETE_FAILED), and for environments,
// service instances and pipelines how many are up to date with, a major behind or a
// minor behind their template's recommended version as it is now. Services, components
// and templates carry Total (components also Failed). It reads counters the store keeps
// in the transactions that change what they count: O(1) requests, never a list of the
// estate. Errors: Forbidden for a caller with no role, Internal.
func (s *Service) GetResourcesSummary(ctx context.Context) (platform.ResourcesSummary, error) {
	if err := requireRole(ctx, platform.DeveloperRole, "GetResourcesSummary"); err != nil {
		return nil, err
	}
	counts, err := s.store.GetEstateCounts(ctx)
	if err != nil {
		return nil, err
	}
	return counts.Summarize(), nil
}
