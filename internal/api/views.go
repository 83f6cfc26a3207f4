package api

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
)

// The mapping between the domain and the API's JSON shapes (internal/apimodel, shared with
// the client): answers from domain values, control-plane inputs from request bodies.
// Domain types carry no JSON tags for the wire; apimodel decides the wire format.

func viewTemplate(arns platform.ARNScope, t platform.Template) apimodel.Template {
	v := apimodel.Template{Name: t.Name, ARN: arns.ARN(platform.TemplateResource(t.Kind, t.Name)), DisplayName: t.DisplayName, Description: t.Description,
		RecommendedVersionPinned: t.Pinned, SelfService: t.SelfService, CreatedAt: t.CreatedAt, LastModifiedAt: t.UpdatedAt}
	if !t.Recommended.IsZero() {
		major, minor := t.Recommended.Major, t.Recommended.Minor
		v.RecommendedVersion, v.RecommendedMajorVersion, v.RecommendedMinorVersion = t.Recommended.String(), &major, &minor
	}
	return v
}

func viewVersion(arns platform.ARNScope, tv platform.TemplateVersion, withSchema bool) apimodel.TemplateVersion {
	v := apimodel.TemplateVersion{TemplateName: tv.TemplateName, ARN: arns.ARN(platform.TemplateVersionResource(tv.Kind, tv.TemplateName, tv.Version)), MajorVersion: tv.Version.Major, MinorVersion: tv.Version.Minor,
		Status: tv.Status, StatusMessage: tv.StatusMessage, Description: tv.Description,
		CompatibleEnvironmentTemplates: viewCompatible(tv.CompatibleEnvironments), CreatedAt: tv.CreatedAt, LastModifiedAt: tv.UpdatedAt}
	if withSchema {
		v.Schema = tv.Schema
	}
	if tv.Kind == platform.ServiceTemplate {
		p := tv.HasPipeline
		v.HasPipeline = &p
		v.SupportedComponentSources = tv.SupportedComponentSources
	}
	return v
}

func viewDeployable(d platform.Deployable) apimodel.Deployable {
	return apimodel.Deployable{TemplateName: d.TemplateName, TemplateMajorVersion: d.TemplateVersion.Major,
		TemplateMinorVersion: d.TemplateVersion.Minor, Spec: d.Spec, DeploymentStatus: d.DeploymentStatus,
		DeploymentStatusMessage: d.DeploymentStatusMessage, LastDeploymentID: d.LastDeploymentID,
		LastSucceededDeploymentID: d.LastSucceededDeploymentID, StackName: d.StackName,
		LastDeploymentAttemptedAt: timePtr(d.LastAttemptedAt), LastDeploymentSucceededAt: timePtr(d.LastSucceededAt),
		CreatedAt: d.CreatedAt}
}

// timePtr is nil for the zero time, which the API leaves out.
func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func viewEnvironment(arns platform.ARNScope, e platform.Environment) apimodel.Environment {
	return apimodel.Environment{Name: e.Name, ARN: arns.ARN(platform.TargetResource(e.Target())), Description: e.Description,
		EnvironmentAccountConnectionID: e.AccountConnectionID, EnvironmentAccountID: e.AccountID, Region: cmp.Or(e.Region, arns.Region),
		ComponentRoleARN: e.ComponentRoleARN, CodebuildRoleARN: e.CodebuildRoleARN,
		Deployable:   viewDeployable(e.Deployable),
		Provisioning: provisioningOf(e), ProvisioningRepository: viewRepositoryBranch(arns, e.ProvisioningRepository)}
}

// viewService maps a service and, when p is not nil, its pipeline.
func viewService(arns platform.ARNScope, s platform.Service, p *platform.ServicePipeline) apimodel.Service {
	v := apimodel.Service{Name: s.Name, ARN: arns.ARN(platform.Resource{Type: platform.ServiceResource, Name: s.Name}), Description: s.Description, TemplateName: s.TemplateName,
		TemplateMajorVersion: s.TemplateVersion.Major, TemplateMinorVersion: s.TemplateVersion.Minor,
		Spec: s.Spec, Status: s.Status, StatusMessage: s.StatusMessage, RepositoryID: s.RepositoryID, RepositoryConnectionARN: s.RepositoryConnectionARN,
		BranchName: s.BranchName, CreatedAt: s.CreatedAt, LastModifiedAt: s.UpdatedAt}
	if p != nil {
		pv := viewPipeline(*p)
		v.Pipeline = &pv
	}
	return v
}

func viewPipeline(p platform.ServicePipeline) apimodel.ServicePipeline {
	v := apimodel.ServicePipeline{ServiceName: p.Service, Deployable: viewDeployable(p.Deployable)}
	if e := p.LastExecution; e != nil {
		v.LastExecution = &apimodel.PipelineExecution{ExecutionID: e.ID, State: e.State, Stage: e.Stage, Summary: e.Summary, UpdatedAt: e.UpdatedAt}
	}
	return v
}

func viewInstance(arns platform.ARNScope, i platform.ServiceInstance) apimodel.ServiceInstance {
	return apimodel.ServiceInstance{Name: i.Name, ARN: arns.ARN(platform.TargetResource(i.Target())), ServiceName: i.Service, EnvironmentName: i.Environment, Deployable: viewDeployable(i.Deployable)}
}

// viewOutputs answers [] rather than null for no outputs.
func viewOutputs(o []platform.Output) apimodel.Outputs {
	return apimodel.Outputs{Outputs: viewOutputList(o)}
}

// viewOutputList maps outputs to a list that is never nil.
func viewOutputList(o []platform.Output) []apimodel.Output {
	out := make([]apimodel.Output, 0, len(o))
	for _, x := range o {
		out = append(out, apimodel.Output{Key: x.Key, ValueString: x.Value})
	}
	return out
}

func viewCompatible(cs []platform.CompatibleEnvironment) []apimodel.CompatibleEnvironmentTemplate {
	out := make([]apimodel.CompatibleEnvironmentTemplate, 0, len(cs))
	for _, c := range cs {
		out = append(out, apimodel.CompatibleEnvironmentTemplate{TemplateName: c.TemplateName, MajorVersion: c.MajorVersion})
	}
	return out
}

// viewDeployment maps a deployment; its inputs, a JSON object, go out verbatim (left out
// when there are none, or when the stored bytes are not JSON, which would spoil the answer).
func viewDeployment(arns platform.ARNScope, d platform.Deployment) apimodel.Deployment {
	var inputs json.RawMessage
	if len(d.Inputs) > 0 && json.Valid(d.Inputs) {
		inputs = d.Inputs
	}
	return apimodel.Deployment{ID: d.ID, ARN: arns.ARN(platform.Resource{Type: platform.DeploymentResource, Name: d.ID}), TargetResourceType: d.Target.Kind, EnvironmentName: d.Target.Environment,
		ServiceName: d.Target.Service, ServiceInstanceName: d.Target.Instance, ComponentName: d.Target.Component, Operation: d.Operation,
		TemplateName: d.TemplateName, TemplateMajorVersion: d.TemplateVersion.Major, TemplateMinorVersion: d.TemplateVersion.Minor,
		Spec: d.Spec, Inputs: inputs, DeploymentStatus: d.Status, DeploymentStatusMessage: d.StatusMessage, StackName: d.StackName,
		StackID: d.StackID, Account: d.Account, Region: d.Region, Outputs: viewOutputList(d.Outputs), PreviousDeploymentID: d.PreviousDeploymentID,
		CreatedAt: d.CreatedAt, LastModifiedAt: d.UpdatedAt, CompletedAt: timePtr(d.CompletedAt)}
}

// viewList maps a page of domain values with view; its items are [] rather than null.
func viewList[D, V any](p platform.Page[D], view func(D) V) apimodel.List[V] {
	items := make([]V, 0, len(p.Items))
	for _, d := range p.Items {
		items = append(items, view(d))
	}
	return apimodel.List[V]{Items: items, NextToken: p.NextToken}
}

// The mapping of request bodies to the control plane's inputs.

func createTemplateInput(in apimodel.CreateTemplate) control.CreateTemplateInput {
	return control.CreateTemplateInput{Name: in.Name, DisplayName: in.DisplayName, Description: in.Description, ClientToken: in.ClientToken}
}

func updateTemplateInput(in apimodel.UpdateTemplate) control.UpdateTemplateInput {
	return control.UpdateTemplateInput{DisplayName: in.DisplayName, Description: in.Description, RecommendedVersion: in.RecommendedVersion, SelfService: in.SelfService}
}

// createEnvironmentInput maps the body; Invalid naming provisioning when it is not
// CUSTOMER_MANAGED (or left out).
func createEnvironmentInput(in apimodel.CreateEnvironment) (control.CreateEnvironmentInput, error) {
	if in.Provisioning != "" && in.Provisioning != customerManaged {
		return control.CreateEnvironmentInput{}, platform.FieldErrorf("provisioning", "must be %s or left out, not %q", customerManaged, in.Provisioning)
	}
	return control.CreateEnvironmentInput{Name: in.Name, Description: in.Description, TemplateName: in.TemplateName,
		MajorVersion: in.TemplateMajorVersion, MinorVersion: in.TemplateMinorVersion, Spec: in.Spec, ClientToken: in.ClientToken,
		EnvironmentAccountConnectionID: in.EnvironmentAccountConnectionID, Region: in.Region, ComponentRoleARN: in.ComponentRoleARN, CodebuildRoleARN: in.CodebuildRoleARN,
		ProvisioningRepository: repositoryBranchInput(in.ProvisioningRepository),
		CustomerManaged:        in.Provisioning == customerManaged, Outputs: outputsInput(in.Outputs)}, nil
}

// outputsInput is given outputs in key order; nil when none were given (an empty object
// gives an empty list).
func outputsInput(values apimodel.OutputValues) []platform.Output {
	if values == nil {
		return nil
	}
	out := make([]platform.Output, 0, len(values))
	for k, v := range values {
		out = append(out, platform.Output{Key: k, Value: v})
	}
	slices.SortFunc(out, func(a, b platform.Output) int { return strings.Compare(a.Key, b.Key) })
	return out
}

func createServiceInput(in apimodel.CreateService) control.CreateServiceInput {
	return control.CreateServiceInput{Name: in.Name, Description: in.Description, TemplateName: in.TemplateName,
		MajorVersion: in.TemplateMajorVersion, MinorVersion: in.TemplateMinorVersion, Spec: in.Spec,
		RepositoryID: in.RepositoryID, RepositoryConnectionARN: in.RepositoryConnectionARN, BranchName: in.BranchName,
		ClientToken: in.ClientToken}
}

func updateInput(in apimodel.Update) control.UpdateInput {
	return control.UpdateInput{Spec: in.Spec, DeploymentType: in.DeploymentType, MajorVersion: in.TemplateMajorVersion,
		MinorVersion: in.TemplateMinorVersion, ClientToken: in.ClientToken, PreviewID: in.PreviewID, ComponentRoleARN: in.ComponentRoleARN,
		CodebuildRoleARN: in.CodebuildRoleARN, Outputs: outputsInput(in.Outputs), Region: in.Region}
}

func updateServiceInput(in apimodel.UpdateService) control.UpdateServiceInput {
	return control.UpdateServiceInput{Description: in.Description, Spec: in.Spec, ClientToken: in.ClientToken}
}

func createServiceInstanceInput(service string, in apimodel.CreateServiceInstance) control.CreateServiceInstanceInput {
	return control.CreateServiceInstanceInput{Service: service, Name: in.Name, Spec: in.Spec,
		MajorVersion: in.TemplateMajorVersion, MinorVersion: in.TemplateMinorVersion, ClientToken: in.ClientToken}
}
