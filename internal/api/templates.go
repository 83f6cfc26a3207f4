package api

import (
	"net/http"

	"github.com/gantry-platform/gantry/internal/platform"
)

// The template lifecycle beyond registration: deleting templates, updating and deleting
// versions.

func (h *handler) deleteTemplate(w http.ResponseWriter, r *http.Request, kind platform.TemplateKind) error {
	t, err := h.svc.DeleteTemplate(r.Context(), kind, r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewTemplate(h.arns, t))
	return nil
}
