package apimodel

// ResourceCounts is Proton's ResourceCountsSummary: how many resources of a kind there
// are, how many failed, and how they stand against their template's recommended version
// (upToDate + behindMajor + behindMinor = total for environments, service instances and
// pipelines; 0 for the kinds without a template version).
type ResourceCounts struct {
	Total       int `json:"total"`
	Failed      int `json:"failed"`
	UpToDate    int `json:"upToDate"`
	BehindMajor int `json:"behindMajor"`
	BehindMinor int `json:"behindMinor"`
}

// CountsSummary is Proton's CountsSummary: the counts of each kind of resource.
type CountsSummary struct {
	Components           ResourceCounts `json:"components"`
	Environments         ResourceCounts `json:"environments"`
	EnvironmentTemplates ResourceCounts `json:"environmentTemplates"`
	Pipelines            ResourceCounts `json:"pipelines"`
	ServiceInstances     ResourceCounts `json:"serviceInstances"`
	Services             ResourceCounts `json:"services"`
	ServiceTemplates     ResourceCounts `json:"serviceTemplates"`
}

// ResourcesSummary is the answer of GetResourcesSummary.
type ResourcesSummary struct {
	Counts CountsSummary `json:"counts"`
}
