package apimodel

// ImportProton is the body of POST /v1/imports/proton: adopt the stacks AWS Proton left.
// The specs are those the environments and services were deployed with, by name.
type ImportProton struct {
	// StackNamePrefix selects the stacks (default "AWSProton-").
	StackNamePrefix  string            `json:"stackNamePrefix,omitempty"`
	EnvironmentSpecs map[string]string `json:"environmentSpecs,omitempty"`
	ServiceSpecs     map[string]string `json:"serviceSpecs,omitempty"`
	// ServiceRepositories are the source repositories of the services whose pipelines
	// are imported, by service name (as AWS Proton's GetService gave them).
	ServiceRepositories map[string]ServiceRepository `json:"serviceRepositories,omitempty"`
	// AcceptChanges adopts stacks whose change set would change resources.
	AcceptChanges bool `json:"acceptChanges,omitempty"`
	// AccountConnectionIDs are CONNECTED environment account connections whose accounts
	// are scanned too.
	AccountConnectionIDs []string `json:"accountConnectionIds,omitempty"`
	// Regions are the regions scanned in each account; left out, the platform's own only.
	Regions []string `json:"regions,omitempty"`
}

// ServiceRepository is a service's source repository: its pipeline reads it.
type ServiceRepository struct {
	RepositoryConnectionARN string `json:"repositoryConnectionArn"`
	RepositoryID            string `json:"repositoryId"`
	BranchName              string `json:"branchName"`
}

// ImportReport is what an import did, stack by stack, and how many of each outcome.
type ImportReport struct {
	Stacks         []ImportedStack `json:"stacks"`
	Adopted        int             `json:"adopted"`
	AlreadyAdopted int             `json:"alreadyAdopted"`
	Drifted        int             `json:"drifted"`
	Failed         int             `json:"failed"`
	Skipped        int             `json:"skipped"`
}

// ImportedStack is one stack of an import: its outcome (ADOPTED, ADOPTED_CHANGES,
// ALREADY_ADOPTED, DRIFTED, FAILED, SKIPPED), why, and the change set that proved it.
type ImportedStack struct {
	StackName string `json:"stackName"`
	// Account is the environment account of a stack found through a connection; Region
	// the region of a stack found in another region than the platform's.
	Account              string           `json:"account,omitempty"`
	Region               string           `json:"region,omitempty"`
	TargetResourceType   string           `json:"targetResourceType,omitempty"`
	EnvironmentName      string           `json:"environmentName,omitempty"`
	ServiceName          string           `json:"serviceName,omitempty"`
	ServiceInstanceName  string           `json:"serviceInstanceName,omitempty"`
	TemplateName         string           `json:"templateName,omitempty"`
	TemplateMajorVersion int              `json:"templateMajorVersion,omitempty"`
	TemplateMinorVersion int              `json:"templateMinorVersion,omitempty"`
	Outcome              string           `json:"outcome"`
	Message              string           `json:"message,omitempty"`
	Changes              []ResourceChange `json:"changes,omitempty"`
	Summary              *ChangeSummary   `json:"summary,omitempty"`
}
