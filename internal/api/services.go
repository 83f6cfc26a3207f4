package api

import (
	"net/http"
	"strconv"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
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

func (h *handler) findInstances(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := control.ServiceInstanceFilter{Service: q.Get("serviceName"), Environment: q.Get("environmentName"),
		TemplateName: q.Get("templateName"), DeploymentStatus: platform.DeploymentStatus(q.Get("deploymentStatus"))}
	for field, out := range map[string]**int{"templateMajorVersion": &f.Major, "templateMinorVersion": &f.Minor} {
		if v := q.Get(field); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return platform.FieldErrorf(field, "must be a whole number ≥ 0")
			}
			*out = &n
		}
	}
	list, err := h.svc.FindServiceInstances(r.Context(), f, p)
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewList(list, func(i platform.ServiceInstance) apimodel.ServiceInstance { return viewInstance(h.arns, i) }))
	return nil
}
