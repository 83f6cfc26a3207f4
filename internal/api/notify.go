package api

import (
	"context"
	"net/http"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
	pw "github.com/gantry-platform/gantry/internal/protonwire"
)

// notifyRoutes are the reports of what provisions a resource outside Gantry's own
// workflow (CodeBuild provisioning, a provisioning repository's CI).
func notifyRoutes() []route {
	return []route{
		{method: "POST", path: "/v1/resource-deployment-status", operationID: "NotifyResourceDeploymentStatusChange",
			summary: "Report how a resource's deployment stands (IN_PROGRESS, SUCCEEDED, FAILED; DELETE_* for a deletion) with its outputs: a final status ends the deployment. " +
				"A reporter's key issued for that resource's deployment, or an admin", access: reporter, request: "NotifyResourceDeploymentStatusChange",
			response: "NotifyResult", status: 200, handle: (*handler).notifyStatus},
	}
}

// notifySchemas are the schemas of the notify route.
func notifySchemas(arn, output map[string]any) map[string]any {
	return map[string]any{
		"NotifyResourceDeploymentStatusChange": object([]string{"resourceArn", "status"}, map[string]any{"resourceArn": arn,
			"status":  enum("IN_PROGRESS", "SUCCEEDED", "FAILED", "DELETE_IN_PROGRESS", "DELETE_COMPLETE", "DELETE_FAILED"),
			"outputs": map[string]any{"type": "array", "items": output}, "deploymentId": str(), "statusMessage": str()}),
		"NotifyResult": object(nil, map[string]any{}),
	}
}

func (h *handler) notifyStatus(w http.ResponseWriter, r *http.Request) error {
	var in apimodel.NotifyResourceDeploymentStatusChange
	if err := decode(r, &in); err != nil {
		return err
	}
	outputs := make([]platform.Output, 0, len(in.Outputs))
	for _, o := range in.Outputs {
		outputs = append(outputs, platform.Output{Key: o.Key, Value: o.ValueString})
	}
	err := h.svc.NotifyResourceDeploymentStatusChange(r.Context(), control.NotifyInput{ResourceARN: in.ResourceARN,
		Status: platform.DeploymentStatus(in.Status), Outputs: outputs, DeploymentID: in.DeploymentID, StatusMessage: in.StatusMessage})
	if err != nil {
		return err
	}
	writeJSON(w, 200, apimodel.NotifyResult{})
	return nil
}

// notifyWireOps is the wire protocol's NotifyResourceDeploymentStatusChange, on the same
// control-plane call as its REST route.
func notifyWireOps() map[string]wireOp {
	return map[string]wireOp{
		"NotifyResourceDeploymentStatusChange": op(reporter, []string{"resourceArn", "status", "outputs", "deploymentId", "statusMessage"}, (*handler).wNotifyStatus),
	}
}

func (h *handler) wNotifyStatus(ctx context.Context, in *pw.NotifyResourceDeploymentStatusChangeInput) (*pw.NotifyResourceDeploymentStatusChangeOutput, error) {
	outputs := make([]platform.Output, 0, len(in.Outputs))
	for _, o := range in.Outputs {
		outputs = append(outputs, platform.Output{Key: o.Key, Value: o.ValueString})
	}
	err := h.svc.NotifyResourceDeploymentStatusChange(ctx, control.NotifyInput{ResourceARN: in.ResourceARN,
		Status: platform.DeploymentStatus(in.Status), Outputs: outputs, DeploymentID: in.DeploymentID, StatusMessage: in.StatusMessage})
	if err != nil {
		return nil, err
	}
	return &pw.NotifyResourceDeploymentStatusChangeOutput{}, nil
}
