package api

import (
	"net/http"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platform"
)

// previewRoutes are Gantry's own previews (not Proton operations: no wire mapping).
func previewRoutes() []route {
	rs := []route{
		{method: "POST", path: "/v1/environments/{name}/preview", operationID: "PreviewEnvironmentUpdate", summary: "What the update in the body (as PATCH /v1/environments/{name} takes it) would change: renders, validates and creates a CloudFormation change set without executing it; PATCH with its previewId deploys that change set (whoever may update the environment may preview it)", access: developer, request: "Update", response: "Preview", status: 200, handle: (*handler).previewEnvironment},
		{method: "POST", path: "/v1/services/{name}/instances/{instance}/preview", operationID: "PreviewServiceInstanceUpdate", summary: "What the update in the body would change to the service instance (as PreviewEnvironmentUpdate)", access: developer, request: "Update", response: "Preview", status: 200, handle: (*handler).previewInstance},
		{method: "GET", path: "/v1/previews/{id}", operationID: "GetPreview", summary: "A preview made earlier", access: anyRole, response: "Preview", status: 200, handle: (*handler).getPreview},
	}
	for _, k := range []struct {
		kind   platform.TemplateKind
		path   string
		noun   string
		access access
	}{{platform.EnvironmentTemplate, "/v1/environment-templates", "EnvironmentTemplate", adminOnly}, {platform.ServiceTemplate, "/v1/service-templates", "ServiceTemplate", developer}} {
		kind := k.kind
		rs = append(rs, route{method: "POST", path: k.path + "/{name}/versions/{version}/preview", operationID: "Preview" + k.noun + "VersionRollout",
			summary: "Preview moving every target on an older version of the template to this one (MINOR_VERSION within its major, MAJOR_VERSION from older majors), in parallel, with a summary of the changes; each target's preview can be deployed with its previewId",
			access:  k.access, response: "FleetPreview", status: 200,
			handle: func(h *handler, w http.ResponseWriter, r *http.Request) error { return h.previewRollout(w, r, kind) }})
	}
	return rs
}

func (h *handler) previewEnvironment(w http.ResponseWriter, r *http.Request) error {
	var in apimodel.Update
	if err := decode(r, &in); err != nil {
		return err
	}
	return h.writePreview(w, 200)(h.svc.PreviewEnvironmentUpdate(r.Context(), r.PathValue("name"), updateInput(in)))
}

func (h *handler) previewInstance(w http.ResponseWriter, r *http.Request) error {
	var in apimodel.Update
	if err := decode(r, &in); err != nil {
		return err
	}
	return h.writePreview(w, 200)(h.svc.PreviewServiceInstanceUpdate(r.Context(), r.PathValue("name"), r.PathValue("instance"), updateInput(in)))
}

func (h *handler) getPreview(w http.ResponseWriter, r *http.Request) error {
	return h.writePreview(w, 200)(h.svc.GetPreview(r.Context(), r.PathValue("id")))
}

// writePreview writes a preview, or returns the error that kept it from being made.
func (h *handler) writePreview(w http.ResponseWriter, status int) func(platform.Preview, error) error {
	return func(p platform.Preview, err error) error {
		if err != nil {
			return err
		}
		writeJSON(w, status, viewPreview(p))
		return nil
	}
}

func (h *handler) previewRollout(w http.ResponseWriter, r *http.Request, kind platform.TemplateKind) error {
	v, err := platform.ParseVersion(r.PathValue("version"))
	if err != nil {
		return err
	}
	fleet, err := h.svc.PreviewTemplateVersionRollout(r.Context(), kind, r.PathValue("name"), v)
	if err != nil {
		return err
	}
	id := requestIDOf(r, h.opts)
	out := apimodel.FleetPreview{TemplateName: fleet.TemplateName, TemplateMajorVersion: v.Major, TemplateMinorVersion: v.Minor,
		Targets: make([]apimodel.FleetTarget, 0, len(fleet.Targets)), Summary: viewChangeSummary(fleet.Summary),
		Previewed: fleet.TargetsPreviewed, Changed: fleet.Changed, Failed: fleet.Failed}
	for _, t := range fleet.Targets {
		ft := apimodel.FleetTarget{TargetResourceType: string(t.Target.Kind), EnvironmentName: t.Target.Environment, ServiceName: t.Target.Service,
			ServiceInstanceName: t.Target.Instance, FromTemplateMajorVersion: t.From.Major, FromTemplateMinorVersion: t.From.Minor}
		if t.Error != nil {
			kind := platform.KindOf(t.Error)
			if kind == platform.Internal {
				h.opts.Log.ErrorContext(r.Context(), "internal error previewing a target", "requestId", id, "target", t.Target.String(), "error", t.Error)
			}
			_, code := statusOf(kind)
			ft.Error = &apimodel.Error{Code: code, Message: platform.MessageOf(t.Error), RequestID: id}
		} else {
			s := viewChangeSummary(t.Preview.ChangeSet.Summary())
			ft.PreviewID, ft.Empty, ft.Summary = t.Preview.ID, t.Preview.ChangeSet.Empty(), &s
		}
		out.Targets = append(out.Targets, ft)
	}
	writeJSON(w, 200, out)
	return nil
}

func viewChangeSummary(s platform.ChangeSetSummary) apimodel.ChangeSummary {
	return apimodel.ChangeSummary{Add: s.Add, Modify: s.Modify, Remove: s.Remove, Replace: s.Replace}
}

// platformPreview wraps a change set alone, for its view.
func platformPreview(cs platform.ChangeSet) platform.Preview { return platform.Preview{ChangeSet: cs} }

func viewPreview(p platform.Preview) apimodel.Preview {
	cs := p.ChangeSet
	out := apimodel.Preview{ID: p.ID, TargetResourceType: string(p.Target.Kind), EnvironmentName: p.Target.Environment,
		ServiceName: p.Target.Service, ServiceInstanceName: p.Target.Instance, TemplateName: p.TemplateName,
		TemplateMajorVersion: p.TemplateVersion.Major, TemplateMinorVersion: p.TemplateVersion.Minor, Spec: p.Spec,
		StackName: p.StackName, ChangeSetName: cs.Name, ChangeSetID: cs.ID, ChangeSetType: cs.Type, Status: cs.Status,
		StatusReason: cs.StatusReason, Empty: cs.Empty(), Changes: make([]apimodel.ResourceChange, 0, len(cs.Changes)),
		Summary: viewChangeSummary(cs.Summary()), CreatedAt: p.CreatedAt}
	if !p.ExpiresAt.IsZero() {
		out.ExpiresAt = &p.ExpiresAt
	}
	for _, c := range cs.Changes {
		rc := apimodel.ResourceChange{Action: c.Action, LogicalResourceID: c.LogicalResourceID, PhysicalResourceID: c.PhysicalResourceID,
			ResourceType: c.ResourceType, Replacement: c.Replacement, Scope: c.Scope}
		for _, d := range c.Details {
			rc.Details = append(rc.Details, apimodel.ChangeDetail{Attribute: d.Attribute, Name: d.Name, RequiresRecreation: d.RequiresRecreation,
				Evaluation: d.Evaluation, ChangeSource: d.ChangeSource, CausingEntity: d.CausingEntity})
		}
		out.Changes = append(out.Changes, rc)
	}
	return out
}

// previewSchemas are the OpenAPI schemas of previews.
func previewSchemas() map[string]any {
	summary := object([]string{"add", "modify", "remove", "replace"}, map[string]any{"add": integer(), "modify": integer(), "remove": integer(),
		"replace": map[string]any{"type": "integer", "description": "modifies whose replacement is True or Conditional"}})
	detail := object([]string{"attribute"}, map[string]any{"attribute": str(), "name": str(), "requiresRecreation": enum("Never", "Conditionally", "Always"),
		"evaluation": enum("Static", "Dynamic"), "changeSource": str(), "causingEntity": str()})
	change := object([]string{"action", "logicalResourceId", "resourceType"}, map[string]any{"action": enum("Add", "Modify", "Remove"),
		"logicalResourceId": str(), "physicalResourceId": str(), "resourceType": str(), "replacement": enum("True", "False", "Conditional"),
		"scope": map[string]any{"type": "array", "items": str()}, "details": map[string]any{"type": "array", "items": detail}})
	target := enum("ENVIRONMENT", "SERVICE_INSTANCE")
	return map[string]any{
		"Preview": object([]string{"id", "targetResourceType", "templateName", "templateMajorVersion", "templateMinorVersion", "stackName",
			"changeSetName", "changeSetType", "status", "empty", "changes", "summary", "createdAt"}, map[string]any{
			"id": str(), "targetResourceType": target, "environmentName": str(), "serviceName": str(), "serviceInstanceName": str(),
			"templateName": str(), "templateMajorVersion": integer(), "templateMinorVersion": integer(), "spec": str(), "stackName": str(),
			"changeSetName": str(), "changeSetId": str(), "changeSetType": enum("CREATE", "UPDATE"), "status": enum("CREATE_COMPLETE", "FAILED"),
			"statusReason": str(), "empty": map[string]any{"type": "boolean", "description": "the change set changes nothing (CloudFormation's FAILED with \"The submitted information didn't contain changes…\")"},
			"changes": map[string]any{"type": "array", "items": change}, "summary": summary, "createdAt": dateTime(),
			"expiresAt": map[string]any{"type": "string", "format": "date-time", "description": "after it, the preview cannot be deployed (24 hours after it was made)"}}),
		"FleetPreview": object([]string{"templateName", "templateMajorVersion", "templateMinorVersion", "targets", "summary", "previewed", "changed", "failed"}, map[string]any{
			"templateName": str(), "templateMajorVersion": integer(), "templateMinorVersion": integer(),
			"targets": map[string]any{"type": "array", "items": object([]string{"targetResourceType", "fromTemplateMajorVersion", "fromTemplateMinorVersion", "empty"}, map[string]any{
				"targetResourceType": target, "environmentName": str(), "serviceName": str(), "serviceInstanceName": str(),
				"fromTemplateMajorVersion": integer(), "fromTemplateMinorVersion": integer(), "previewId": str(),
				"empty": map[string]any{"type": "boolean"}, "summary": summary, "error": ref("Error")})},
			"summary": summary, "previewed": integer(), "changed": integer(), "failed": integer()}),
	}
}
