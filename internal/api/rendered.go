package api

import (
	"net/http"

	"github.com/gantry-platform/gantry/internal/apimodel"
)

func (h *handler) getRenderedTemplate(w http.ResponseWriter, r *http.Request) error {
	d, body, err := h.svc.GetRenderedTemplate(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, apimodel.RenderedTemplate{DeploymentID: d.ID, Template: body})
	return nil
}
