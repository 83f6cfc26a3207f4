package api

import (
	"context"

	"github.com/gantry-platform/gantry/internal/platform"
	pw "github.com/gantry-platform/gantry/internal/protonwire"
)

// summaryWireOps are the wire protocol's estate summary reads, on the same control-plane
// calls as their REST routes.
func summaryWireOps() map[string]wireOp {
	return map[string]wireOp{
		"GetResourcesSummary": op(anyRole, []string{}, (*handler).wGetResourcesSummary),
	}
}

func count(n int) *int32 {
	v := int32(n)
	return &v
}

// wCounts gives the members Proton documents for a kind: every count for the kinds that
// run a template version, total and failed for components, total for the others.
func wCounts(c platform.ResourceCounts, kind platform.CountedKind) *pw.ResourceCountsSummary {
	out := &pw.ResourceCountsSummary{Total: count(c.Total)}
	switch kind {
	case platform.CountedEnvironments, platform.CountedServiceInstances, platform.CountedPipelines:
		out.Failed, out.UpToDate, out.BehindMajor, out.BehindMinor = count(c.Failed), count(c.UpToDate), count(c.BehindMajor), count(c.BehindMinor)
	case platform.CountedComponents:
		out.Failed = count(c.Failed)
	}
	return out
}

func (h *handler) wGetResourcesSummary(ctx context.Context, _ *pw.GetResourcesSummaryInput) (*pw.GetResourcesSummaryOutput, error) {
	s, err := h.svc.GetResourcesSummary(ctx)
	if err != nil {
		return nil, err
	}
	c := func(k platform.CountedKind) *pw.ResourceCountsSummary { return wCounts(s[k], k) }
	return &pw.GetResourcesSummaryOutput{Counts: &pw.CountsSummary{
		Components: c(platform.CountedComponents), Environments: c(platform.CountedEnvironments),
		EnvironmentTemplates: c(platform.CountedEnvironmentTemplates), Pipelines: c(platform.CountedPipelines),
		ServiceInstances: c(platform.CountedServiceInstances), Services: c(platform.CountedServices),
		ServiceTemplates: c(platform.CountedServiceTemplates),
	}}, nil
}
