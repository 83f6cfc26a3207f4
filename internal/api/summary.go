package api

import (
	"net/http"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platform"
)

// summaryRoutes are the estate's summary reads.
func summaryRoutes() []route {
	return []route{
		{method: "GET", path: "/v1/resources-summary", operationID: "GetResourcesSummary", summary: "Counts of each kind of resource (Proton's GetResourcesSummary): total, failed, and up to date with / a major or a minor behind the template's recommended version; read from counters, O(1) DynamoDB requests", access: anyRole, response: "ResourcesSummary", status: 200, handle: (*handler).getResourcesSummary},
	}
}

// summarySchemas are the schemas of the summary reads.
func summarySchemas() map[string]any {
	counts := object([]string{"total", "failed", "upToDate", "behindMajor", "behindMinor"}, map[string]any{
		"total": integer(), "failed": integer(), "upToDate": integer(), "behindMajor": integer(), "behindMinor": integer()})
	kinds := map[string]any{}
	for _, k := range []string{"components", "environments", "environmentTemplates", "pipelines", "serviceInstances", "services", "serviceTemplates"} {
		kinds[k] = counts
	}
	return map[string]any{
		"ResourcesSummary": object([]string{"counts"}, map[string]any{"counts": object(nil, kinds)}),
	}
}

func viewCounts(c platform.ResourceCounts) apimodel.ResourceCounts {
	return apimodel.ResourceCounts{Total: c.Total, Failed: c.Failed, UpToDate: c.UpToDate, BehindMajor: c.BehindMajor, BehindMinor: c.BehindMinor}
}

func viewSummary(s platform.ResourcesSummary) apimodel.ResourcesSummary {
	return apimodel.ResourcesSummary{Counts: apimodel.CountsSummary{
		Components:           viewCounts(s[platform.CountedComponents]),
		Environments:         viewCounts(s[platform.CountedEnvironments]),
		EnvironmentTemplates: viewCounts(s[platform.CountedEnvironmentTemplates]),
		Pipelines:            viewCounts(s[platform.CountedPipelines]),
		ServiceInstances:     viewCounts(s[platform.CountedServiceInstances]),
		Services:             viewCounts(s[platform.CountedServices]),
		ServiceTemplates:     viewCounts(s[platform.CountedServiceTemplates]),
	}}
}

func (h *handler) getResourcesSummary(w http.ResponseWriter, r *http.Request) error {
	s, err := h.svc.GetResourcesSummary(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewSummary(s))
	return nil
}
