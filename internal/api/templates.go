package api

import (
	"net/http"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/control"
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

func (h *handler) updateVersion(w http.ResponseWriter, r *http.Request, kind platform.TemplateKind) error {
	v, err := platform.ParseVersion(r.PathValue("version"))
	if err != nil {
		return err
	}
	var in apimodel.UpdateTemplateVersion
	if err := decode(r, &in); err != nil {
		return err
	}
	tv, err := h.svc.UpdateTemplateVersion(r.Context(), kind, r.PathValue("name"), v, updateVersionInput(in))
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewVersion(h.arns, tv, false))
	return nil
}

func updateVersionInput(in apimodel.UpdateTemplateVersion) control.UpdateVersionInput {
	out := control.UpdateVersionInput{Description: in.Description, Status: in.Status}
	if in.CompatibleEnvironmentTemplates != nil {
		out.CompatibleEnvironments = []platform.CompatibleEnvironment{}
		for _, c := range *in.CompatibleEnvironmentTemplates {
			out.CompatibleEnvironments = append(out.CompatibleEnvironments, platform.CompatibleEnvironment{TemplateName: c.TemplateName, MajorVersion: c.MajorVersion})
		}
	}
	if in.SupportedComponentSources != nil {
		out.SupportedComponentSources = append([]string{}, *in.SupportedComponentSources...)
	}
	return out
}

func (h *handler) deleteVersion(w http.ResponseWriter, r *http.Request, kind platform.TemplateKind) error {
	v, err := platform.ParseVersion(r.PathValue("version"))
	if err != nil {
		return err
	}
	tv, err := h.svc.DeleteTemplateVersion(r.Context(), kind, r.PathValue("name"), v)
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewVersion(h.arns, tv, false))
	return nil
}
