package api

import (
	"context"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
	pw "github.com/gantry-platform/gantry/internal/protonwire"
)

// componentWireOps are the wire protocol's component and tag operations, on the same
// control-plane calls as their REST routes.
func componentWireOps() map[string]wireOp {
	return map[string]wireOp{
		"CreateComponent":           op(developer, []string{"name", "description", "environmentName", "serviceName", "serviceInstanceName", "serviceSpec", "manifest", "templateFile", "clientToken", "tags"}, (*handler).wCreateComponent),
		"GetComponent":              op(anyRole, []string{"name"}, (*handler).wGetComponent),
		"ListComponents":            op(anyRole, []string{"environmentName", "serviceName", "serviceInstanceName", "maxResults", "nextToken"}, (*handler).wListComponents),
		"UpdateComponent":           opSent(developer, []string{"name", "deploymentType", "description", "serviceName", "serviceInstanceName", "serviceSpec", "templateFile", "clientToken"}, (*handler).wUpdateComponent),
		"DeleteComponent":           op(developer, []string{"name"}, (*handler).wDeleteComponent),
		"ListComponentOutputs":      op(anyRole, []string{"componentName", "deploymentId", "nextToken"}, (*handler).wListComponentOutputs),
		"CancelComponentDeployment": op(developer, []string{"componentName"}, (*handler).wCancelComponentDeployment),
		"TagResource":               op(anyRole, []string{"resourceArn", "tags"}, (*handler).wTagResource),
		"UntagResource":             op(anyRole, []string{"resourceArn", "tagKeys"}, (*handler).wUntagResource),
		"ListTagsForResource":       op(anyRole, []string{"resourceArn", "maxResults", "nextToken"}, (*handler).wListTagsForResource),
	}
}

func (h *handler) wComponent(c platform.Component) *pw.Component {
	v := viewComponent(h.arns, c)
	return &pw.Component{ARN: v.ARN, Name: v.Name, Description: v.Description, EnvironmentName: v.EnvironmentName,
		ServiceName: v.ServiceName, ServiceInstanceName: v.ServiceInstanceName, ServiceSpec: v.ServiceSpec,
		DeploymentStatus: string(v.DeploymentStatus), DeploymentStatusMessage: v.DeploymentStatusMessage,
		LastAttemptedDeploymentID: v.LastAttemptedDeploymentID, LastSucceededDeploymentID: v.LastSucceededDeploymentID,
		LastClientRequestToken: v.LastClientRequestToken, LastDeploymentAttemptedAt: pw.At(c.LastAttemptedAt),
		LastDeploymentSucceededAt: pw.At(c.LastSucceededAt), CreatedAt: pw.At(c.CreatedAt), LastModifiedAt: pw.At(c.UpdatedAt)}
}

func wTags(field string, tags []pw.Tag) (map[string]string, error) {
	if tags == nil {
		return nil, nil
	}
	out := make(map[string]string, len(tags))
	for _, t := range tags {
		if _, dup := out[t.Key]; dup {
			return nil, platform.FieldErrorf(field, "tag key %q is given twice", t.Key)
		}
		out[t.Key] = t.Value
	}
	return out, nil
}

func (h *handler) wCreateComponent(ctx context.Context, in *pw.CreateComponentInput) (*pw.CreateComponentOutput, error) {
	tags, err := wTags("tags", in.Tags)
	if err != nil {
		return nil, err
	}
	c, err := h.svc.CreateComponent(ctx, control.CreateComponentInput{Name: in.Name, Description: in.Description,
		EnvironmentName: in.EnvironmentName, ServiceName: in.ServiceName, ServiceInstanceName: in.ServiceInstanceName,
		ServiceSpec: in.ServiceSpec, Manifest: in.Manifest, TemplateFile: in.TemplateFile, ClientToken: in.ClientToken, Tags: tags})
	if err != nil {
		return nil, err
	}
	return &pw.CreateComponentOutput{Component: h.wComponent(c)}, nil
}

func (h *handler) wGetComponent(ctx context.Context, in *pw.GetComponentInput) (*pw.GetComponentOutput, error) {
	c, err := h.svc.GetComponent(ctx, in.Name)
	if err != nil {
		return nil, err
	}
	return &pw.GetComponentOutput{Component: h.wComponent(c)}, nil
}

func (h *handler) wListComponents(ctx context.Context, in *pw.ListComponentsInput) (*pw.ListComponentsOutput, error) {
	p, err := wirePage(in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	list, err := h.svc.ListComponents(ctx, platform.ComponentFilter{Environment: in.EnvironmentName, Service: in.ServiceName, Instance: in.ServiceInstanceName}, p)
	if err != nil {
		return nil, err
	}
	out := &pw.ListComponentsOutput{Components: []pw.ComponentSummary{}, NextToken: list.NextToken}
	for _, c := range list.Items {
		v := h.wComponent(c)
		out.Components = append(out.Components, pw.ComponentSummary{ARN: v.ARN, Name: v.Name, EnvironmentName: v.EnvironmentName,
			ServiceName: v.ServiceName, ServiceInstanceName: v.ServiceInstanceName, DeploymentStatus: v.DeploymentStatus,
			DeploymentStatusMessage: v.DeploymentStatusMessage, LastAttemptedDeploymentID: v.LastAttemptedDeploymentID,
			LastSucceededDeploymentID: v.LastSucceededDeploymentID, LastDeploymentAttemptedAt: v.LastDeploymentAttemptedAt,
			LastDeploymentSucceededAt: v.LastDeploymentSucceededAt, CreatedAt: v.CreatedAt, LastModifiedAt: v.LastModifiedAt})
	}
	return out, nil
}

// optional is nil for "", which on the wire means "keep".
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// wUpdateComponent updates a component; serviceName and serviceInstanceName sent as ""
// detach it (Proton's rule), left out they keep its attachment.
func (h *handler) wUpdateComponent(ctx context.Context, in *pw.UpdateComponentInput, sent sentMembers) (*pw.UpdateComponentOutput, error) {
	if err := required("deploymentType", in.DeploymentType); err != nil {
		return nil, err
	}
	c, err := h.svc.UpdateComponent(ctx, in.Name, control.UpdateComponentInput{DeploymentType: platform.DeploymentType(in.DeploymentType),
		Description: optional(in.Description), ServiceName: sent.sentString("serviceName", in.ServiceName),
		ServiceInstanceName: sent.sentString("serviceInstanceName", in.ServiceInstanceName),
		ServiceSpec:         optional(in.ServiceSpec), TemplateFile: optional(in.TemplateFile), ClientToken: in.ClientToken})
	if err != nil {
		return nil, err
	}
	return &pw.UpdateComponentOutput{Component: h.wComponent(c)}, nil
}

func (h *handler) wDeleteComponent(ctx context.Context, in *pw.DeleteComponentInput) (*pw.DeleteComponentOutput, error) {
	c, err := h.svc.DeleteComponent(ctx, in.Name)
	if err != nil {
		return nil, err
	}
	return &pw.DeleteComponentOutput{Component: h.wComponent(c)}, nil
}

func (h *handler) wListComponentOutputs(ctx context.Context, in *pw.ListComponentOutputsInput) (*pw.ListComponentOutputsOutput, error) {
	if err := noOutputPages(in.NextToken); err != nil {
		return nil, err
	}
	outputs, err := h.svc.ListComponentOutputs(ctx, in.ComponentName, in.DeploymentID)
	if err != nil {
		return nil, err
	}
	return &pw.ListComponentOutputsOutput{Outputs: wOutputs(outputs)}, nil
}

func (h *handler) wCancelComponentDeployment(ctx context.Context, in *pw.CancelComponentDeploymentInput) (*pw.CancelComponentDeploymentOutput, error) {
	c, err := h.svc.CancelComponentDeployment(ctx, in.ComponentName)
	if err != nil {
		return nil, err
	}
	return &pw.CancelComponentDeploymentOutput{Component: h.wComponent(c)}, nil
}

func (h *handler) wTagResource(ctx context.Context, in *pw.TagResourceInput) (*pw.TagResourceOutput, error) {
	tags, err := wTags("tags", in.Tags)
	if err != nil {
		return nil, err
	}
	if err := h.svc.TagResource(ctx, in.ResourceARN, tags); err != nil {
		return nil, err
	}
	return &pw.TagResourceOutput{}, nil
}

func (h *handler) wUntagResource(ctx context.Context, in *pw.UntagResourceInput) (*pw.UntagResourceOutput, error) {
	if err := h.svc.UntagResource(ctx, in.ResourceARN, in.TagKeys); err != nil {
		return nil, err
	}
	return &pw.UntagResourceOutput{}, nil
}

// A resource's tags come in one page (there are at most 50).
func (h *handler) wListTagsForResource(ctx context.Context, in *pw.ListTagsForResourceInput) (*pw.ListTagsForResourceOutput, error) {
	if err := noOutputPages(in.NextToken); err != nil {
		return nil, err
	}
	tags, err := h.svc.ListTagsForResource(ctx, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	out := &pw.ListTagsForResourceOutput{Tags: []pw.Tag{}}
	for _, t := range viewTags(tags).Tags {
		out.Tags = append(out.Tags, pw.Tag{Key: t.Key, Value: t.Value})
	}
	return out, nil
}
