package apimodel

import "github.com/gantry-platform/gantry/internal/platform"

// The request bodies. The server decodes them rejecting unknown fields; a client leaves the
// optional ones out (omitempty), which the server reads as their zero values.

// CreateTemplate is the body of POST /v1/environment-templates and
// /v1/service-templates: a new template; a ClientToken makes the call idempotent.
type CreateTemplate struct {
	Name        string `json:"name"`
	DisplayName string `json:"displayName,omitempty"`
	Description string `json:"description,omitempty"`
	ClientToken string `json:"clientToken,omitempty"`
}

// CreateEnvironment is the body of POST /v1/environments: a new environment.
// TemplateMinorVersion nil means the recommended minor of TemplateMajorVersion; a
// ClientToken makes the call idempotent.
type CreateEnvironment struct {
	Name                 string `json:"name"`
	Description          string `json:"description,omitempty"`
	TemplateName         string `json:"templateName"`
	TemplateMajorVersion int    `json:"templateMajorVersion"`
	TemplateMinorVersion *int   `json:"templateMinorVersion,omitempty"`
	// Spec is the "proton: EnvironmentSpec" YAML.
	Spec        string `json:"spec"`
	ClientToken string `json:"clientToken,omitempty"`
	// EnvironmentAccountConnectionID deploys the environment into that connection's
	// environment account.
	EnvironmentAccountConnectionID string `json:"environmentAccountConnectionId,omitempty"`
	// Region is the AWS region the environment (and its service instances and
	// components) deploys in, an extension beyond Proton; left out, the platform's own.
	Region string `json:"region,omitempty"`
	// ComponentRoleARN is the IAM role of the environment's directly defined components
	// (Proton's componentRoleArn); without one the environment takes none.
	ComponentRoleARN string `json:"componentRoleArn,omitempty"`
	// CodebuildRoleARN is the IAM role CodeBuild provisioning runs under for the
	// environment and its instances (Proton's codebuildRoleArn).
	CodebuildRoleARN string `json:"codebuildRoleArn,omitempty"`
	// ProvisioningRepository makes the environment self-managed: its Terraform goes as pull
	// requests to this linked repository's branch.
	ProvisioningRepository *RepositoryBranch `json:"provisioningRepository,omitempty"`
	// Provisioning CUSTOMER_MANAGED without a ProvisioningRepository registers an
	// environment made outside Gantry with its Outputs: nothing is deployed.
	Provisioning string       `json:"provisioning,omitempty"`
	Outputs      OutputValues `json:"outputs,omitempty"`
}

// CreateService is the body of POST /v1/services: a new service. The repository fields are
// required when the template has a pipeline; TemplateMinorVersion nil means the
// recommended minor; a ClientToken makes the call idempotent.
type CreateService struct {
	Name                 string `json:"name"`
	Description          string `json:"description,omitempty"`
	TemplateName         string `json:"templateName"`
	TemplateMajorVersion int    `json:"templateMajorVersion"`
	TemplateMinorVersion *int   `json:"templateMinorVersion,omitempty"`
	// Spec is the "proton: ServiceSpec" YAML.
	Spec                    string `json:"spec"`
	RepositoryID            string `json:"repositoryId,omitempty"`
	RepositoryConnectionARN string `json:"repositoryConnectionArn,omitempty"`
	BranchName              string `json:"branchName,omitempty"`
	ClientToken             string `json:"clientToken,omitempty"`
}

// Update is the body of PATCH on an environment or a service instance: its new spec (""
// keeps the current one) and/or template version. DeploymentType is required: NONE,
// CURRENT_VERSION, MINOR_VERSION or MAJOR_VERSION; the versions nil mean the recommended
// ones; a ClientToken makes the call idempotent.
type Update struct {
	Spec                 string                  `json:"spec,omitempty"`
	DeploymentType       platform.DeploymentType `json:"deploymentType"`
	TemplateMajorVersion *int                    `json:"templateMajorVersion,omitempty"`
	TemplateMinorVersion *int                    `json:"templateMinorVersion,omitempty"`
	ClientToken          string                  `json:"clientToken,omitempty"`
	// DryRun answers the update's Preview (200) instead of deploying.
	DryRun bool `json:"dryRun,omitempty"`
	// PreviewID deploys that preview's change set (its spec and template version: leave
	// Spec and the versions out).
	PreviewID string `json:"previewId,omitempty"`
	// ComponentRoleARN, for an environment only, replaces its component role ("" removes it).
	ComponentRoleARN *string `json:"componentRoleArn,omitempty"`
	// CodebuildRoleARN, for an environment only, replaces its CodeBuild role ("" removes it).
	CodebuildRoleARN *string `json:"codebuildRoleArn,omitempty"`
	// Outputs, for a customer-managed environment only, replace its outputs.
	Outputs OutputValues `json:"outputs,omitempty"`
	// Region, for an environment only, must be its region: a region is fixed at creation.
	Region *string `json:"region,omitempty"`
}

// UpdateTemplate is the body of PATCH /v1/environment-templates/{name} and
// /v1/service-templates/{name}: a field left out (nil) keeps what the template has. RecommendedVersion "major.minor" pins that published
// version as the recommended one; "latest" unpins, recommending the highest published.
type UpdateTemplate struct {
	DisplayName        *string `json:"displayName,omitempty"`
	Description        *string `json:"description,omitempty"`
	RecommendedVersion *string `json:"recommendedVersion,omitempty"`
	// SelfService, for environment templates only, lets developers manage environments
	// of the template (true) or keeps them to admins (false).
	SelfService *bool `json:"selfService,omitempty"`
}

// UpdateTemplateVersion is the body of PATCH …/versions/{major}.{minor}, Proton's
// UpdateEnvironmentTemplateVersion / UpdateServiceTemplateVersion: a field left out keeps
// what the version has. Status DRAFT → PUBLISHED publishes, PUBLISHED ⇄ DEPRECATED
// deprecates and restores (DEPRECATED is Gantry's own). CompatibleEnvironmentTemplates and
// SupportedComponentSources apply to service template versions only and replace the lists.
type UpdateTemplateVersion struct {
	Description                    *string                          `json:"description,omitempty"`
	Status                         *platform.VersionStatus          `json:"status,omitempty"`
	CompatibleEnvironmentTemplates *[]CompatibleEnvironmentTemplate `json:"compatibleEnvironmentTemplates,omitempty"`
	SupportedComponentSources      *[]string                        `json:"supportedComponentSources,omitempty"`
}

// UpdateService is the body of PATCH /v1/services/{name}: Description, when given,
// replaces the service's; Spec, when given, is the ServiceSpec listing the instances to
// keep and to add (an instance left out is deleted).
type UpdateService struct {
	Description *string `json:"description,omitempty"`
	Spec        string  `json:"spec,omitempty"`
	ClientToken string  `json:"clientToken,omitempty"`
}

// CreateServiceInstance is the body of POST /v1/services/{name}/instances: a new instance,
// listed by name (with its environment and inputs) in Spec, a ServiceSpec. The template
// versions nil mean the service's major and its recommended minor.
type CreateServiceInstance struct {
	Name                 string `json:"name"`
	Spec                 string `json:"spec"`
	TemplateMajorVersion *int   `json:"templateMajorVersion,omitempty"`
	TemplateMinorVersion *int   `json:"templateMinorVersion,omitempty"`
	ClientToken          string `json:"clientToken,omitempty"`
}
