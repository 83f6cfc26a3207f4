package apimodel

import "time"

// Preview is what an update of an environment or a service instance would change,
// computed without deploying (POST …/preview, or an update with dryRun): the template
// version and spec the update would apply and the CloudFormation change set made from
// them. PATCH with previewId deploys exactly that change set.
type Preview struct {
	ID                   string `json:"id"`
	TargetResourceType   string `json:"targetResourceType"`
	EnvironmentName      string `json:"environmentName,omitempty"`
	ServiceName          string `json:"serviceName,omitempty"`
	ServiceInstanceName  string `json:"serviceInstanceName,omitempty"`
	TemplateName         string `json:"templateName"`
	TemplateMajorVersion int    `json:"templateMajorVersion"`
	TemplateMinorVersion int    `json:"templateMinorVersion"`
	Spec                 string `json:"spec,omitempty"`
	StackName            string `json:"stackName"`
	ChangeSetName        string `json:"changeSetName"`
	ChangeSetID          string `json:"changeSetId,omitempty"`
	ChangeSetType        string `json:"changeSetType"`
	// Status is CloudFormation's: CREATE_COMPLETE, or FAILED with StatusReason (a change
	// set without changes is FAILED; Empty says so).
	Status       string           `json:"status"`
	StatusReason string           `json:"statusReason,omitempty"`
	Empty        bool             `json:"empty"`
	Changes      []ResourceChange `json:"changes"`
	Summary      ChangeSummary    `json:"summary"`
	CreatedAt    time.Time        `json:"createdAt"`
	// ExpiresAt is when the preview can no longer be deployed.
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
}

// ResourceChange is one resource's change (CloudFormation's ResourceChange).
type ResourceChange struct {
	Action             string         `json:"action"`
	LogicalResourceID  string         `json:"logicalResourceId"`
	PhysicalResourceID string         `json:"physicalResourceId,omitempty"`
	ResourceType       string         `json:"resourceType"`
	Replacement        string         `json:"replacement,omitempty"`
	Scope              []string       `json:"scope,omitempty"`
	Details            []ChangeDetail `json:"details,omitempty"`
}

// ChangeDetail is one change of a modified resource.
type ChangeDetail struct {
	Attribute          string `json:"attribute"`
	Name               string `json:"name,omitempty"`
	RequiresRecreation string `json:"requiresRecreation,omitempty"`
	Evaluation         string `json:"evaluation,omitempty"`
	ChangeSource       string `json:"changeSource,omitempty"`
	CausingEntity      string `json:"causingEntity,omitempty"`
}

// ChangeSummary counts changes: Replace counts the modifies that replace a resource
// (Replacement True or Conditional).
type ChangeSummary struct {
	Add     int `json:"add"`
	Modify  int `json:"modify"`
	Remove  int `json:"remove"`
	Replace int `json:"replace"`
}

// FleetPreview is the preview of moving every environment or service instance running an
// older version of a template to one version (POST …/versions/{version}/preview).
type FleetPreview struct {
	TemplateName         string        `json:"templateName"`
	TemplateMajorVersion int           `json:"templateMajorVersion"`
	TemplateMinorVersion int           `json:"templateMinorVersion"`
	Targets              []FleetTarget `json:"targets"`
	// Summary adds up the previews' changes; Changed counts the targets whose change set
	// is not empty, Failed those that could not be previewed.
	Summary   ChangeSummary `json:"summary"`
	Previewed int           `json:"previewed"`
	Changed   int           `json:"changed"`
	Failed    int           `json:"failed"`
}

// FleetTarget is one target of a fleet preview: its preview's id and summary, or the error
// that kept it from being previewed.
type FleetTarget struct {
	TargetResourceType       string         `json:"targetResourceType"`
	EnvironmentName          string         `json:"environmentName,omitempty"`
	ServiceName              string         `json:"serviceName,omitempty"`
	ServiceInstanceName      string         `json:"serviceInstanceName,omitempty"`
	FromTemplateMajorVersion int            `json:"fromTemplateMajorVersion"`
	FromTemplateMinorVersion int            `json:"fromTemplateMinorVersion"`
	PreviewID                string         `json:"previewId,omitempty"`
	Empty                    bool           `json:"empty"`
	Summary                  *ChangeSummary `json:"summary,omitempty"`
	Error                    *Error         `json:"error,omitempty"`
}
