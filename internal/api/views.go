package api

import (
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
)

// The JSON shapes of the API: camelCase, Proton's vocabulary. Domain types carry no JSON
// tags of their own; these views are the one place that decides the wire format.

type templateView struct {
	Name                    string    `json:"name"`
	DisplayName             string    `json:"displayName,omitempty"`
	Description             string    `json:"description,omitempty"`
	RecommendedVersion      string    `json:"recommendedVersion,omitempty"`
	RecommendedMajorVersion *int      `json:"recommendedMajorVersion,omitempty"`
	RecommendedMinorVersion *int      `json:"recommendedMinorVersion,omitempty"`
	CreatedAt               time.Time `json:"createdAt"`
	LastModifiedAt          time.Time `json:"lastModifiedAt"`
}

func viewTemplate(t platform.Template) templateView {
	v := templateView{Name: t.Name, DisplayName: t.DisplayName, Description: t.Description,
		CreatedAt: t.CreatedAt, LastModifiedAt: t.UpdatedAt}
	if !t.Recommended.IsZero() {
		major, minor := t.Recommended.Major, t.Recommended.Minor
		v.RecommendedVersion, v.RecommendedMajorVersion, v.RecommendedMinorVersion = t.Recommended.String(), &major, &minor
	}
	return v
}

type versionView struct {
	TemplateName           string                           `json:"templateName"`
	MajorVersion           int                              `json:"majorVersion"`
	MinorVersion           int                              `json:"minorVersion"`
	Status                 platform.VersionStatus           `json:"status"`
	StatusMessage          string                           `json:"statusMessage,omitempty"`
	Description            string                           `json:"description,omitempty"`
	Schema                 string                           `json:"schema,omitempty"`
	CompatibleEnvironments []platform.CompatibleEnvironment `json:"compatibleEnvironmentTemplates,omitempty"`
	HasPipeline            *bool                            `json:"hasPipeline,omitempty"`
	CreatedAt              time.Time                        `json:"createdAt"`
	LastModifiedAt         time.Time                        `json:"lastModifiedAt"`
}

func viewVersion(tv platform.TemplateVersion, withSchema bool) versionView {
	v := versionView{TemplateName: tv.TemplateName, MajorVersion: tv.Version.Major, MinorVersion: tv.Version.Minor,
		Status: tv.Status, StatusMessage: tv.StatusMessage, Description: tv.Description,
		CompatibleEnvironments: tv.CompatibleEnvironments, CreatedAt: tv.CreatedAt, LastModifiedAt: tv.UpdatedAt}
	if withSchema {
		v.Schema = tv.Schema
	}
	if tv.Kind == platform.ServiceTemplate {
		p := tv.HasPipeline
		v.HasPipeline = &p
	}
	return v
}

// deployableView is the part every deployed thing shares.
type deployableView struct {
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

func viewDeployable(d platform.Deployable) deployableView {
	return deployableView{TemplateName: d.TemplateName, TemplateMajorVersion: d.TemplateVersion.Major,
		TemplateMinorVersion: d.TemplateVersion.Minor, Spec: d.Spec, DeploymentStatus: d.DeploymentStatus,
		DeploymentStatusMessage: d.DeploymentStatusMessage, LastDeploymentID: d.LastDeploymentID,
		LastSucceededDeploymentID: d.LastSucceededDeploymentID, StackName: d.StackName,
		LastDeploymentAttemptedAt: timePtr(d.LastAttemptedAt), LastDeploymentSucceededAt: timePtr(d.LastSucceededAt),
		CreatedAt: d.CreatedAt}
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

type environmentView struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	deployableView
}

func viewEnvironment(e platform.Environment) environmentView {
	return environmentView{Name: e.Name, Description: e.Description, deployableView: viewDeployable(e.Deployable)}
}

type serviceView struct {
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
	Pipeline                *pipelineView          `json:"pipeline,omitempty"`
	CreatedAt               time.Time              `json:"createdAt"`
	LastModifiedAt          time.Time              `json:"lastModifiedAt"`
}

func viewService(s platform.Service, p *platform.ServicePipeline) serviceView {
	v := serviceView{Name: s.Name, Description: s.Description, TemplateName: s.TemplateName,
		TemplateMajorVersion: s.TemplateVersion.Major, TemplateMinorVersion: s.TemplateVersion.Minor,
		Spec: s.Spec, Status: s.Status, RepositoryID: s.RepositoryID, RepositoryConnectionARN: s.RepositoryConnectionARN,
		BranchName: s.BranchName, CreatedAt: s.CreatedAt, LastModifiedAt: s.UpdatedAt}
	if p != nil {
		pv := viewPipeline(*p)
		v.Pipeline = &pv
	}
	return v
}

type pipelineView struct {
	ServiceName string `json:"serviceName"`
	deployableView
}

func viewPipeline(p platform.ServicePipeline) pipelineView {
	return pipelineView{ServiceName: p.Service, deployableView: viewDeployable(p.Deployable)}
}

type instanceView struct {
	Name            string `json:"name"`
	ServiceName     string `json:"serviceName"`
	EnvironmentName string `json:"environmentName"`
	deployableView
}

func viewInstance(i platform.ServiceInstance) instanceView {
	return instanceView{Name: i.Name, ServiceName: i.Service, EnvironmentName: i.Environment, deployableView: viewDeployable(i.Deployable)}
}

type outputsView struct {
	Outputs []platform.Output `json:"outputs"`
}

func viewOutputs(o []platform.Output) outputsView {
	if o == nil {
		o = []platform.Output{}
	}
	return outputsView{Outputs: o}
}

type deploymentView struct {
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
}

func viewDeployment(d platform.Deployment) deploymentView {
	return deploymentView{ID: d.ID, TargetResourceType: d.Target.Kind, EnvironmentName: d.Target.Environment,
		ServiceName: d.Target.Service, ServiceInstanceName: d.Target.Instance, Operation: d.Operation,
		TemplateName: d.TemplateName, TemplateMajorVersion: d.TemplateVersion.Major, TemplateMinorVersion: d.TemplateVersion.Minor,
		Spec: d.Spec, DeploymentStatus: d.Status, DeploymentStatusMessage: d.StatusMessage, StackName: d.StackName,
		StackID: d.StackID, Outputs: d.Outputs, PreviousDeploymentID: d.PreviousDeploymentID,
		CreatedAt: d.CreatedAt, LastModifiedAt: d.UpdatedAt, CompletedAt: timePtr(d.CompletedAt)}
}

type listView[T any] struct {
	Items     []T    `json:"items"`
	NextToken string `json:"nextToken,omitempty"`
}

func viewList[D, V any](p platform.Page[D], view func(D) V) listView[V] {
	items := make([]V, 0, len(p.Items))
	for _, d := range p.Items {
		items = append(items, view(d))
	}
	return listView[V]{Items: items, NextToken: p.NextToken}
}

type errorView struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"requestId"`
}
