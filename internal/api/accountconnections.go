package api

import (
	"net/http"
	"strings"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
)

// accountConnectionRoutes are Proton's environment account connections: requested from
// an environment account, accepted or rejected by the management account (the caller's
// account is its identity's; the control plane enforces which side may do what).
func accountConnectionRoutes() []route {
	const path = "/v1/environment-account-connections"
	return []route{
		{method: "POST", path: path, operationID: "CreateEnvironmentAccountConnection", summary: "Request, from the caller's (environment) account, a connection to the management account for an environment name: PENDING until the management account accepts or rejects it", access: adminOnly, request: "CreateEnvironmentAccountConnection", response: "EnvironmentAccountConnection", status: 201, handle: (*handler).createConnection},
		{method: "GET", path: path, operationID: "ListEnvironmentAccountConnections", summary: "List the caller's account's connections: ?requestedBy=ENVIRONMENT_ACCOUNT (those it requested) or MANAGEMENT_ACCOUNT (those requested of it), ?environmentName=, ?statuses=PENDING,CONNECTED,REJECTED", access: anyRole, response: "EnvironmentAccountConnectionList", status: 200, query: []string{"requestedBy", "environmentName", "statuses", "maxResults", "nextToken"}, handle: (*handler).listConnections},
		{method: "GET", path: path + "/{id}", operationID: "GetEnvironmentAccountConnection", summary: "Get a connection the caller's account is a side of", access: anyRole, response: "EnvironmentAccountConnection", status: 200, handle: (*handler).getConnection},
		{method: "PATCH", path: path + "/{id}", operationID: "UpdateEnvironmentAccountConnection", summary: "Change a connection's roles (environment account)", access: adminOnly, request: "UpdateEnvironmentAccountConnection", response: "EnvironmentAccountConnection", status: 200, handle: (*handler).updateConnection},
		{method: "DELETE", path: path + "/{id}", operationID: "DeleteEnvironmentAccountConnection", summary: "Delete a connection (environment account); an environment using it cannot deploy until a new one is accepted", access: adminOnly, response: "EnvironmentAccountConnection", status: 200, handle: (*handler).deleteConnection},
		{method: "POST", path: path + "/{id}/accept", operationID: "AcceptEnvironmentAccountConnection", summary: "Accept a PENDING connection (management account): CONNECTED", access: adminOnly, response: "EnvironmentAccountConnection", status: 200, handle: (*handler).acceptConnection},
		{method: "POST", path: path + "/{id}/reject", operationID: "RejectEnvironmentAccountConnection", summary: "Reject a PENDING connection (management account): REJECTED for good", access: adminOnly, response: "EnvironmentAccountConnection", status: 200, handle: (*handler).rejectConnection},
	}
}

func viewConnection(arns platform.ARNScope, c platform.EnvironmentAccountConnection) apimodel.EnvironmentAccountConnection {
	return apimodel.EnvironmentAccountConnection{ID: c.ID, ARN: arns.ARN(c.Resource()), ManagementAccountID: c.ManagementAccountID,
		EnvironmentAccountID: c.EnvironmentAccountID, EnvironmentName: c.EnvironmentName, RoleARN: c.RoleARN,
		ComponentRoleARN: c.ComponentRoleARN, CodebuildRoleARN: c.CodebuildRoleARN, Status: string(c.Status),
		RequestedAt: c.RequestedAt, LastModifiedAt: c.LastModifiedAt}
}

func (h *handler) writeConnection(w http.ResponseWriter, status int, c platform.EnvironmentAccountConnection, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, status, viewConnection(h.arns, c))
	return nil
}

func (h *handler) createConnection(w http.ResponseWriter, r *http.Request) error {
	var in apimodel.CreateEnvironmentAccountConnection
	if err := decode(r, &in); err != nil {
		return err
	}
	tags, err := tagMap("tags", in.Tags)
	if err != nil {
		return err
	}
	c, err := h.svc.CreateEnvironmentAccountConnection(r.Context(), control.CreateEnvironmentAccountConnectionInput{
		ManagementAccountID: in.ManagementAccountID, EnvironmentName: in.EnvironmentName, RoleARN: in.RoleARN,
		ComponentRoleARN: in.ComponentRoleARN, CodebuildRoleARN: in.CodebuildRoleARN, ClientToken: in.ClientToken, Tags: tags})
	return h.writeConnection(w, 201, c, err)
}

func (h *handler) listConnections(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	in := control.ListEnvironmentAccountConnectionsInput{RequestedBy: platform.ConnectionRequester(q.Get("requestedBy")), EnvironmentName: q.Get("environmentName")}
	for _, st := range strings.Split(q.Get("statuses"), ",") {
		if st = strings.TrimSpace(st); st != "" {
			in.Statuses = append(in.Statuses, platform.ConnectionStatus(st))
		}
	}
	list, err := h.svc.ListEnvironmentAccountConnections(r.Context(), in, p)
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewList(list, func(c platform.EnvironmentAccountConnection) apimodel.EnvironmentAccountConnection {
		return viewConnection(h.arns, c)
	}))
	return nil
}

func (h *handler) getConnection(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.GetEnvironmentAccountConnection(r.Context(), r.PathValue("id"))
	return h.writeConnection(w, 200, c, err)
}

func (h *handler) updateConnection(w http.ResponseWriter, r *http.Request) error {
	var in apimodel.UpdateEnvironmentAccountConnection
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := h.svc.UpdateEnvironmentAccountConnection(r.Context(), r.PathValue("id"), control.UpdateEnvironmentAccountConnectionInput{
		RoleARN: in.RoleARN, ComponentRoleARN: in.ComponentRoleARN, CodebuildRoleARN: in.CodebuildRoleARN})
	return h.writeConnection(w, 200, c, err)
}

func (h *handler) deleteConnection(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.DeleteEnvironmentAccountConnection(r.Context(), r.PathValue("id"))
	return h.writeConnection(w, 200, c, err)
}

func (h *handler) acceptConnection(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.AcceptEnvironmentAccountConnection(r.Context(), r.PathValue("id"))
	return h.writeConnection(w, 200, c, err)
}

func (h *handler) rejectConnection(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.RejectEnvironmentAccountConnection(r.Context(), r.PathValue("id"))
	return h.writeConnection(w, 200, c, err)
}

// accountConnectionSchemas are the OpenAPI schemas of environment account connections.
func accountConnectionSchemas(name, arn map[string]any) map[string]any {
	account := map[string]any{"type": "string", "pattern": "^[0-9]{12}$"}
	role := map[string]any{"type": "string", "maxLength": 2048, "description": "an IAM role ARN in the environment account"}
	return map[string]any{
		"CreateEnvironmentAccountConnection": object([]string{"managementAccountId", "environmentName"}, map[string]any{
			"managementAccountId": account, "environmentName": name, "roleArn": role, "componentRoleArn": role,
			"codebuildRoleArn": role, "clientToken": map[string]any{"type": "string", "maxLength": 64}, "tags": tagsSchema()}),
		"UpdateEnvironmentAccountConnection": object(nil, map[string]any{"roleArn": role, "componentRoleArn": role, "codebuildRoleArn": role}),
		"EnvironmentAccountConnection": object([]string{"id", "arn", "managementAccountId", "environmentAccountId", "environmentName", "status", "requestedAt", "lastModifiedAt"},
			map[string]any{"id": str(), "arn": arn, "managementAccountId": account, "environmentAccountId": account, "environmentName": str(),
				"roleArn": str(), "componentRoleArn": str(), "codebuildRoleArn": str(), "status": enum("PENDING", "CONNECTED", "REJECTED"),
				"requestedAt": dateTime(), "lastModifiedAt": dateTime()}),
		"EnvironmentAccountConnectionList": list("EnvironmentAccountConnection"),
	}
}
