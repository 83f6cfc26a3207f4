package api

import (
	"net/http"

	"github.com/gantry-platform/gantry/internal/apimodel"
)

func (h *handler) updateService(w http.ResponseWriter, r *http.Request) error {
	var in apimodel.UpdateService
	if err := decode(r, &in); err != nil {
		return err
	}
	svc, err := h.svc.UpdateService(r.Context(), r.PathValue("name"), updateServiceInput(in))
	if err != nil {
		return err
	}
	return h.writeService(w, r, svc, 202)
}

func (h *handler) deleteService(w http.ResponseWriter, r *http.Request) error {
	svc, err := h.svc.DeleteService(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	return h.writeService(w, r, svc, 202)
}

func (h *handler) createInstance(w http.ResponseWriter, r *http.Request) error {
	var in apimodel.CreateServiceInstance
	if err := decode(r, &in); err != nil {
		return err
	}
	inst, err := h.svc.CreateServiceInstance(r.Context(), createServiceInstanceInput(r.PathValue("name"), in))
	if err != nil {
		return err
	}
	writeJSON(w, 202, viewInstance(h.arns, inst))
	return nil
}
