package api

import (
	"net/http"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
)

// accessKeyRoutes are the access keys that sign requests to Proton's wire protocol.
func accessKeyRoutes() []route {
	return []route{
		{method: "POST", path: "/v1/access-keys", operationID: "CreateAccessKey", summary: "Issue an access key (AWS Signature Version 4) for the Proton endpoint; the answer holds its secret, shown only once", access: adminOnly, request: "CreateAccessKey", response: "AccessKey", status: 201, handle: (*handler).createAccessKey},
		{method: "GET", path: "/v1/access-keys", operationID: "ListAccessKeys", summary: "List access keys (never their secrets)", access: adminOnly, response: "AccessKeyList", status: 200, query: []string{"maxResults", "nextToken"}, handle: (*handler).listAccessKeys},
		{method: "PATCH", path: "/v1/access-keys/{accessKeyId}", operationID: "UpdateAccessKey", summary: "Disable (Inactive) or enable (Active) an access key", access: adminOnly, request: "UpdateAccessKey", response: "AccessKey", status: 200, handle: (*handler).updateAccessKey},
		{method: "DELETE", path: "/v1/access-keys/{accessKeyId}", operationID: "DeleteAccessKey", summary: "Delete an access key", access: adminOnly, response: "AccessKey", status: 200, handle: (*handler).deleteAccessKey},
	}
}

func viewAccessKey(k platform.AccessKey) apimodel.AccessKey {
	return apimodel.AccessKey{AccessKeyID: k.ID, Role: string(k.Role), Team: k.Team, Account: k.Account, Description: k.Description,
		Status: string(k.Status), CreatedBy: k.CreatedBy, CreatedAt: k.CreatedAt}
}

func (h *handler) createAccessKey(w http.ResponseWriter, r *http.Request) error {
	var in apimodel.CreateAccessKey
	if err := decode(r, &in); err != nil {
		return err
	}
	k, secret, err := h.svc.CreateAccessKey(r.Context(), control.CreateAccessKeyInput{Role: platform.Role(in.Role), Team: in.Team, Account: in.Account, Description: in.Description})
	if err != nil {
		return err
	}
	v := viewAccessKey(k)
	v.SecretAccessKey = secret
	writeJSON(w, 201, v)
	return nil
}

func (h *handler) listAccessKeys(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	list, err := h.svc.ListAccessKeys(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewList(list, viewAccessKey))
	return nil
}

func (h *handler) updateAccessKey(w http.ResponseWriter, r *http.Request) error {
	var in apimodel.UpdateAccessKey
	if err := decode(r, &in); err != nil {
		return err
	}
	k, err := h.svc.SetAccessKeyStatus(r.Context(), r.PathValue("accessKeyId"), platform.AccessKeyStatus(in.Status))
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewAccessKey(k))
	return nil
}

func (h *handler) deleteAccessKey(w http.ResponseWriter, r *http.Request) error {
	k, err := h.svc.DeleteAccessKey(r.Context(), r.PathValue("accessKeyId"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewAccessKey(k))
	return nil
}
