package api

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/gantry-platform/gantry/internal/platform"
	pw "github.com/gantry-platform/gantry/internal/protonwire"
)

// instanceWireOps are the wire protocol's reads of instances across services, on the same
// control-plane calls as their REST routes.
func instanceWireOps() map[string]wireOp {
	return map[string]wireOp{
		"ListServiceInstances": op(anyRole, []string{"serviceName", "filters", "sortBy", "sortOrder", "maxResults", "nextToken"}, (*handler).wListServiceInstances),
	}
}

func (h *handler) wListServiceInstances(ctx context.Context, in *pw.ListServiceInstancesInput) (*pw.ListServiceInstancesOutput, error) {
	p, err := wirePage(in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	values := map[string]string{}
	where := map[string]string{}
	if in.ServiceName != "" {
		values["serviceName"], where["serviceName"] = in.ServiceName, "serviceName"
	}
	for i, filter := range in.Filters {
		field := "filters[" + strconv.Itoa(i) + "]"
		if !slices.Contains(protonInstanceFilters, filter.Key) {
			return nil, platform.FieldErrorf(field+".key", "%q is not one of %s", filter.Key, strings.Join(protonInstanceFilters, ", "))
		}
		if _, dup := values[filter.Key]; dup {
			return nil, platform.FieldErrorf(field+".key", "%s is given twice (also as %s)", filter.Key, where[filter.Key])
		}
		values[filter.Key], where[filter.Key] = filter.Value, field+".value"
	}
	f, err := instanceFilter(values, func(key string) string { return where[key] })
	if err != nil {
		return nil, err
	}
	order, err := instanceSort(in.SortBy, in.SortOrder)
	if err != nil {
		return nil, err
	}
	list, err := h.svc.FindServiceInstances(ctx, f, order, p)
	if err != nil {
		return nil, err
	}
	out := &pw.ListServiceInstancesOutput{ServiceInstances: []pw.ServiceInstanceSummary{}, NextToken: list.NextToken}
	for _, i := range list.Items {
		v := h.wInstance(i)
		out.ServiceInstances = append(out.ServiceInstances, pw.ServiceInstanceSummary{ARN: v.ARN, Name: v.Name, ServiceName: v.ServiceName,
			EnvironmentName: v.EnvironmentName, TemplateName: v.TemplateName, TemplateMajorVersion: v.TemplateMajorVersion,
			TemplateMinorVersion: v.TemplateMinorVersion, DeploymentStatus: v.DeploymentStatus, DeploymentStatusMessage: v.DeploymentStatusMessage,
			LastAttemptedDeploymentID: v.LastAttemptedDeploymentID, LastSucceededDeploymentID: v.LastSucceededDeploymentID,
			CreatedAt: v.CreatedAt, LastDeploymentAttemptedAt: v.LastDeploymentAttemptedAt, LastDeploymentSucceededAt: v.LastDeploymentSucceededAt})
	}
	return out, nil
}
