package api

import (
	"net/http"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platform"
)

func (h *handler) deleteDeployment(w http.ResponseWriter, r *http.Request) error {
	d, err := h.svc.DeleteDeployment(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewDeployment(h.arns, d))
	return nil
}

// cancelTarget cancels target's deployment in progress and answers the deployment.
func (h *handler) cancelTarget(w http.ResponseWriter, r *http.Request, target platform.Target) error {
	d, err := h.svc.CancelTargetDeployment(r.Context(), target)
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewDeployment(h.arns, d))
	return nil
}

func (h *handler) cancelEnvironmentDeployment(w http.ResponseWriter, r *http.Request) error {
	return h.cancelTarget(w, r, platform.Target{Kind: platform.EnvironmentTarget, Environment: r.PathValue("name")})
}

func (h *handler) cancelInstanceDeployment(w http.ResponseWriter, r *http.Request) error {
	return h.cancelTarget(w, r, platform.Target{Kind: platform.ServiceInstanceTarget, Service: r.PathValue("name"), Instance: r.PathValue("instance")})
}

func (h *handler) cancelPipelineDeployment(w http.ResponseWriter, r *http.Request) error {
	return h.cancelTarget(w, r, platform.Target{Kind: platform.ServicePipelineTarget, Service: r.PathValue("name")})
}

func (h *handler) updatePipeline(w http.ResponseWriter, r *http.Request) error {
	var in apimodel.Update
	if err := decode(r, &in); err != nil {
		return err
	}
	p, err := h.svc.UpdateServicePipeline(r.Context(), r.PathValue("name"), updateInput(in))
	if err != nil {
		return err
	}
	writeJSON(w, 202, viewPipeline(p))
	return nil
}

func (h *handler) pipelineOutputs(w http.ResponseWriter, r *http.Request) error {
	p, err := h.svc.GetServicePipeline(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewOutputs(p.Outputs))
	return nil
}
