package apiclient

import (
	"encoding/json"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
)

// The API's JSON shapes (internal/api/views.go), as the client reads them. Each result type
// keeps in Raw the JSON it was decoded from, verbatim, for callers that show the API's
// own answer.

// Template is an environment or service template.
type Template struct {
	Name                    string    `json:"name"`
	DisplayName             string    `json:"displayName,omitempty"`
	Description             string    `json:"description,omitempty"`
	RecommendedVersion      string    `json:"recommendedVersion,omitempty"`
	RecommendedMajorVersion *int      `json:"recommendedMajorVersion,omitempty"`
	RecommendedMinorVersion *int      `json:"recommendedMinorVersion,omitempty"`
	CreatedAt               time.Time `json:"createdAt"`
	LastModifiedAt          time.Time `json:"lastModifiedAt"`

	Raw json.RawMessage `json:"-"`
}

// TemplateVersion is one major.minor version of a template; Schema is set when the version
// was read on its own (GetTemplateVersion).
type TemplateVersion struct {
	TemplateName                   string                           `json:"templateName"`
	MajorVersion                   int                              `json:"majorVersion"`
	MinorVersion                   int                              `json:"minorVersion"`
	Status                         platform.VersionStatus           `json:"status"`
	StatusMessage                  string                           `json:"statusMessage,omitempty"`
	Description                    string                           `json:"description,omitempty"`
	Schema                         string                           `json:"schema,omitempty"`
	CompatibleEnvironmentTemplates []platform.CompatibleEnvironment `json:"compatibleEnvironmentTemplates,omitempty"`
	HasPipeline                    *bool                            `json:"hasPipeline,omitempty"`
	CreatedAt                      time.Time                        `json:"createdAt"`
	LastModifiedAt                 time.Time                        `json:"lastModifiedAt"`

	Raw json.RawMessage `json:"-"`
}

// Version returns the version's number.
func (v TemplateVersion) Version() platform.Version {
	return platform.Version{Major: v.MajorVersion, Minor: v.MinorVersion}
}

// Deployable is what environments, service instances and service pipelines share: the
// template version they run, their spec and how their latest deployment went.
type Deployable struct {
	TemplateName              string                    `json:"templateName"`
	TemplateMajorVersion      int                       `json:"templateMajorVersion"`
	TemplateMinorVersion      int                       `json:"templateMinorVersion"`
	Spec                      string                    `json:"spec,omitempty"`
	DeploymentStatus          platform.DeploymentStatus `json:"deploymentStatus"`
	DeploymentStatusMessage   string                    `json:"deploymentStatusMessage,omitempty"`
	LastDeploymentID          string                    `json:"lastDeploymentId,omitempty"`
	LastSucceededDeploymentID string                    `json:"lastSucceededDeploymentId,omitempty"`
	StackName                 string                    `json:"stackName,omitempty"`
	LastDeploymentAttemptedAt *time.Time                `json:"lastDeploymentAttemptedAt,omitempty"`
	LastDeploymentSucceededAt *time.Time                `json:"lastDeploymentSucceededAt,omitempty"`
	CreatedAt                 time.Time                 `json:"createdAt"`
}

// TemplateVersion returns the template version the target runs.
func (d Deployable) TemplateVersion() platform.Version {
	return platform.Version{Major: d.TemplateMajorVersion, Minor: d.TemplateMinorVersion}
}

// Environment is an environment.
type Environment struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Deployable

	Raw json.RawMessage `json:"-"`
}

// Service is a service; Pipeline is set on a service read on its own whose template has a
// pipeline.
type Service struct {
	Name                    string                 `json:"name"`
	Description             string                 `json:"description,omitempty"`
	TemplateName            string                 `json:"templateName"`
	TemplateMajorVersion    int                    `json:"templateMajorVersion"`
	TemplateMinorVersion    int                    `json:"templateMinorVersion"`
	Spec                    string                 `json:"spec,omitempty"`
	Status                  platform.ServiceStatus `json:"status"`
	RepositoryID            string                 `json:"repositoryId,omitempty"`
	RepositoryConnectionARN string                 `json:"repositoryConnectionArn,omitempty"`
	BranchName              string                 `json:"branchName,omitempty"`
	Pipeline                *ServicePipeline       `json:"pipeline,omitempty"`
	CreatedAt               time.Time              `json:"createdAt"`
	LastModifiedAt          time.Time              `json:"lastModifiedAt"`

	Raw json.RawMessage `json:"-"`
}

// ServicePipeline is a service's pipeline.
type ServicePipeline struct {
	ServiceName string `json:"serviceName"`
	Deployable
}

// ServiceInstance is one instance of a service, in one environment.
type ServiceInstance struct {
	Name            string `json:"name"`
	ServiceName     string `json:"serviceName"`
	EnvironmentName string `json:"environmentName"`
	Deployable

	Raw json.RawMessage `json:"-"`
}

// Outputs are a target's stack outputs.
type Outputs struct {
	Outputs []platform.Output `json:"outputs"`

	Raw json.RawMessage `json:"-"`
}

// Deployment is one deployment of a target.
type Deployment struct {
	ID                      string                    `json:"id"`
	TargetResourceType      platform.TargetKind       `json:"targetResourceType"`
	EnvironmentName         string                    `json:"environmentName,omitempty"`
	ServiceName             string                    `json:"serviceName,omitempty"`
	ServiceInstanceName     string                    `json:"serviceInstanceName,omitempty"`
	Operation               platform.Operation        `json:"operation"`
	TemplateName            string                    `json:"templateName,omitempty"`
	TemplateMajorVersion    int                       `json:"templateMajorVersion,omitempty"`
	TemplateMinorVersion    int                       `json:"templateMinorVersion,omitempty"`
	Spec                    string                    `json:"spec,omitempty"`
	DeploymentStatus        platform.DeploymentStatus `json:"deploymentStatus"`
	DeploymentStatusMessage string                    `json:"deploymentStatusMessage,omitempty"`
	StackName               string                    `json:"stackName,omitempty"`
	StackID                 string                    `json:"stackId,omitempty"`
	Outputs                 []platform.Output         `json:"outputs,omitempty"`
	PreviousDeploymentID    string                    `json:"previousDeploymentId,omitempty"`
	CreatedAt               time.Time                 `json:"createdAt"`
	LastModifiedAt          time.Time                 `json:"lastModifiedAt"`
	CompletedAt             *time.Time                `json:"completedAt,omitempty"`

	Raw json.RawMessage `json:"-"`
}

// Page is one page of a list: Items in the API's order, and the token of the next page (""
// on the last). Raw is the page's JSON.
type Page[T any] struct {
	Items     []T    `json:"items"`
	NextToken string `json:"nextToken,omitempty"`

	Raw json.RawMessage `json:"-"`
}

func (p *Page[T]) keepRaw(raw json.RawMessage) { p.Raw = raw }

// PageRequest asks for one page: at most Limit items (0: the API's default), after NextToken.
type PageRequest struct {
	Limit     int
	NextToken string
}

// UnmarshalJSON decodes one Template and keeps its JSON in Raw.
func (t *Template) UnmarshalJSON(data []byte) error {
	type plain Template
	return keep(data, (*plain)(t), &t.Raw)
}

// UnmarshalJSON decodes one TemplateVersion and keeps its JSON in Raw.
func (v *TemplateVersion) UnmarshalJSON(data []byte) error {
	type plain TemplateVersion
	return keep(data, (*plain)(v), &v.Raw)
}

// UnmarshalJSON decodes one Environment and keeps its JSON in Raw.
func (e *Environment) UnmarshalJSON(data []byte) error {
	type plain Environment
	return keep(data, (*plain)(e), &e.Raw)
}

// UnmarshalJSON decodes one Service and keeps its JSON in Raw.
func (s *Service) UnmarshalJSON(data []byte) error {
	type plain Service
	return keep(data, (*plain)(s), &s.Raw)
}

// UnmarshalJSON decodes one ServiceInstance and keeps its JSON in Raw.
func (i *ServiceInstance) UnmarshalJSON(data []byte) error {
	type plain ServiceInstance
	return keep(data, (*plain)(i), &i.Raw)
}

// UnmarshalJSON decodes one Outputs and keeps its JSON in Raw.
func (o *Outputs) UnmarshalJSON(data []byte) error {
	type plain Outputs
	return keep(data, (*plain)(o), &o.Raw)
}

// UnmarshalJSON decodes one Deployment and keeps its JSON in Raw.
func (d *Deployment) UnmarshalJSON(data []byte) error {
	type plain Deployment
	return keep(data, (*plain)(d), &d.Raw)
}

// keep decodes data into v and keeps a copy of data in raw.
func keep(data []byte, v any, raw *json.RawMessage) error {
	if err := json.Unmarshal(data, v); err != nil {
		return err
	}
	*raw = append(json.RawMessage(nil), data...)
	return nil
}
