package api

import (
	"context"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
	pw "github.com/gantry-platform/gantry/internal/protonwire"
)

// accountWireOps are the wire protocol's environment account connection operations, on
// the same control-plane calls as their REST routes.
func accountWireOps() map[string]wireOp {
	return map[string]wireOp{
		"CreateEnvironmentAccountConnection": op(adminOnly, []string{"managementAccountId", "environmentName", "roleArn", "componentRoleArn", "codebuildRoleArn", "clientToken", "tags"}, (*handler).wCreateConnection),
		"GetEnvironmentAccountConnection":    op(anyRole, []string{"id"}, (*handler).wGetConnection),
		"ListEnvironmentAccountConnections":  op(anyRole, []string{"requestedBy", "environmentName", "statuses", "maxResults", "nextToken"}, (*handler).wListConnections),
		"UpdateEnvironmentAccountConnection": op(adminOnly, []string{"id", "roleArn", "componentRoleArn", "codebuildRoleArn"}, (*handler).wUpdateConnection),
		"DeleteEnvironmentAccountConnection": op(adminOnly, []string{"id"}, (*handler).wDeleteConnection),
		"AcceptEnvironmentAccountConnection": op(adminOnly, []string{"id"}, (*handler).wAcceptConnection),
		"RejectEnvironmentAccountConnection": op(adminOnly, []string{"id"}, (*handler).wRejectConnection),
	}
}

func (h *handler) wConnection(c platform.EnvironmentAccountConnection) *pw.EnvironmentAccountConnection {
	v := viewConnection(h.arns, c)
	return &pw.EnvironmentAccountConnection{ARN: v.ARN, ID: v.ID, ManagementAccountID: v.ManagementAccountID,
		EnvironmentAccountID: v.EnvironmentAccountID, EnvironmentName: v.EnvironmentName, RoleARN: v.RoleARN,
		ComponentRoleARN: v.ComponentRoleARN, CodebuildRoleARN: v.CodebuildRoleARN, Status: v.Status,
		RequestedAt: pw.At(c.RequestedAt), LastModifiedAt: pw.At(c.LastModifiedAt)}
}

func (h *handler) wCreateConnection(ctx context.Context, in *pw.CreateEnvironmentAccountConnectionInput) (*pw.CreateEnvironmentAccountConnectionOutput, error) {
	tags, err := wTags("tags", in.Tags)
	if err != nil {
		return nil, err
	}
	c, err := h.svc.CreateEnvironmentAccountConnection(ctx, control.CreateEnvironmentAccountConnectionInput{
		ManagementAccountID: in.ManagementAccountID, EnvironmentName: in.EnvironmentName, RoleARN: in.RoleARN,
		ComponentRoleARN: in.ComponentRoleARN, CodebuildRoleARN: in.CodebuildRoleARN, ClientToken: in.ClientToken, Tags: tags})
	if err != nil {
		return nil, err
	}
	return &pw.CreateEnvironmentAccountConnectionOutput{EnvironmentAccountConnection: h.wConnection(c)}, nil
}

func (h *handler) wGetConnection(ctx context.Context, in *pw.GetEnvironmentAccountConnectionInput) (*pw.GetEnvironmentAccountConnectionOutput, error) {
	if err := required("id", in.ID); err != nil {
		return nil, err
	}
	c, err := h.svc.GetEnvironmentAccountConnection(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	return &pw.GetEnvironmentAccountConnectionOutput{EnvironmentAccountConnection: h.wConnection(c)}, nil
}

func (h *handler) wListConnections(ctx context.Context, in *pw.ListEnvironmentAccountConnectionsInput) (*pw.ListEnvironmentAccountConnectionsOutput, error) {
	if err := required("requestedBy", in.RequestedBy); err != nil {
		return nil, err
	}
	p, err := wirePage(in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	filter := control.ListEnvironmentAccountConnectionsInput{RequestedBy: platform.ConnectionRequester(in.RequestedBy), EnvironmentName: in.EnvironmentName}
	for _, st := range in.Statuses {
		filter.Statuses = append(filter.Statuses, platform.ConnectionStatus(st))
	}
	list, err := h.svc.ListEnvironmentAccountConnections(ctx, filter, p)
	if err != nil {
		return nil, err
	}
	out := &pw.ListEnvironmentAccountConnectionsOutput{EnvironmentAccountConnections: []pw.EnvironmentAccountConnectionSummary{}, NextToken: list.NextToken}
	for _, c := range list.Items {
		v := h.wConnection(c)
		out.EnvironmentAccountConnections = append(out.EnvironmentAccountConnections, pw.EnvironmentAccountConnectionSummary{ARN: v.ARN,
			ID: v.ID, ManagementAccountID: v.ManagementAccountID, EnvironmentAccountID: v.EnvironmentAccountID,
			EnvironmentName: v.EnvironmentName, RoleARN: v.RoleARN, ComponentRoleARN: v.ComponentRoleARN, Status: v.Status,
			RequestedAt: v.RequestedAt, LastModifiedAt: v.LastModifiedAt})
	}
	return out, nil
}

func (h *handler) wUpdateConnection(ctx context.Context, in *pw.UpdateEnvironmentAccountConnectionInput) (*pw.UpdateEnvironmentAccountConnectionOutput, error) {
	if err := required("id", in.ID); err != nil {
		return nil, err
	}
	c, err := h.svc.UpdateEnvironmentAccountConnection(ctx, in.ID, control.UpdateEnvironmentAccountConnectionInput{
		RoleARN: optional(in.RoleARN), ComponentRoleARN: optional(in.ComponentRoleARN), CodebuildRoleARN: optional(in.CodebuildRoleARN)})
	if err != nil {
		return nil, err
	}
	return &pw.UpdateEnvironmentAccountConnectionOutput{EnvironmentAccountConnection: h.wConnection(c)}, nil
}

func (h *handler) wDeleteConnection(ctx context.Context, in *pw.DeleteEnvironmentAccountConnectionInput) (*pw.DeleteEnvironmentAccountConnectionOutput, error) {
	if err := required("id", in.ID); err != nil {
		return nil, err
	}
	c, err := h.svc.DeleteEnvironmentAccountConnection(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	return &pw.DeleteEnvironmentAccountConnectionOutput{EnvironmentAccountConnection: h.wConnection(c)}, nil
}

func (h *handler) wAcceptConnection(ctx context.Context, in *pw.AcceptEnvironmentAccountConnectionInput) (*pw.AcceptEnvironmentAccountConnectionOutput, error) {
	if err := required("id", in.ID); err != nil {
		return nil, err
	}
	c, err := h.svc.AcceptEnvironmentAccountConnection(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	return &pw.AcceptEnvironmentAccountConnectionOutput{EnvironmentAccountConnection: h.wConnection(c)}, nil
}

func (h *handler) wRejectConnection(ctx context.Context, in *pw.RejectEnvironmentAccountConnectionInput) (*pw.RejectEnvironmentAccountConnectionOutput, error) {
	if err := required("id", in.ID); err != nil {
		return nil, err
	}
	c, err := h.svc.RejectEnvironmentAccountConnection(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	return &pw.RejectEnvironmentAccountConnectionOutput{EnvironmentAccountConnection: h.wConnection(c)}, nil
}
