package api

import (
	"net/http"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/control"
)

// importRoutes are Gantry's own migration operations (not Proton operations).
func importRoutes() []route {
	return []route{
		{method: "POST", path: "/v1/imports/proton", operationID: "ImportProtonStacks", summary: "Adopt the stacks AWS Proton left (AWSProton-*, by their aws:proton:* tags): each spec is rendered with the template's recommended version and a change set made against the live stack; empty (or only metadata and tags) adopts it under its own name, otherwise it is reported DRIFTED (acceptChanges adopts it anyway). Running it again changes nothing", access: adminOnly, request: "ImportProton", response: "ImportReport", status: 200, handle: (*handler).importProton},
	}
}

func (h *handler) importProton(w http.ResponseWriter, r *http.Request) error {
	var in apimodel.ImportProton
	if err := decode(r, &in); err != nil {
		return err
	}
	stacks, err := h.svc.ImportProtonStacks(r.Context(), control.ImportInput{StackPrefix: in.StackNamePrefix,
		EnvironmentSpecs: in.EnvironmentSpecs, ServiceSpecs: in.ServiceSpecs, AcceptChanges: in.AcceptChanges,
		AccountConnectionIDs: in.AccountConnectionIDs, ServiceRepositories: repositories(in.ServiceRepositories), Regions: in.Regions})
	if err != nil {
		return err
	}
	out := apimodel.ImportReport{Stacks: make([]apimodel.ImportedStack, 0, len(stacks))}
	for _, st := range stacks {
		v := apimodel.ImportedStack{StackName: st.StackName, Account: st.Account, Region: st.Region, TargetResourceType: string(st.Target.Kind), EnvironmentName: st.Target.Environment,
			ServiceName: st.Target.Service, ServiceInstanceName: st.Target.Instance, TemplateName: st.Template,
			TemplateMajorVersion: st.Version.Major, TemplateMinorVersion: st.Version.Minor, Outcome: st.Outcome, Message: st.Message}
		if st.ChangeSet != nil {
			p := viewPreview(platformPreview(*st.ChangeSet))
			v.Changes, v.Summary = p.Changes, &p.Summary
		}
		switch st.Outcome {
		case control.ImportAdopted, control.ImportAdoptedChanges:
			out.Adopted++
		case control.ImportAlreadyAdopted:
			out.AlreadyAdopted++
		case control.ImportDrifted:
			out.Drifted++
		case control.ImportFailed:
			out.Failed++
		default:
			out.Skipped++
		}
		out.Stacks = append(out.Stacks, v)
	}
	writeJSON(w, 200, out)
	return nil
}

// repositories are the services' repositories of an import, by service name.
func repositories(in map[string]apimodel.ServiceRepository) map[string]control.ServiceRepository {
	out := make(map[string]control.ServiceRepository, len(in))
	for name, r := range in {
		out[name] = control.ServiceRepository{ConnectionARN: r.RepositoryConnectionARN, ID: r.RepositoryID, BranchName: r.BranchName}
	}
	return out
}

// importSchemas are the OpenAPI schemas of imports.
func importSchemas() map[string]any {
	specs := map[string]any{"type": "object", "additionalProperties": str()}
	return map[string]any{
		"ImportProton": object(nil, map[string]any{"stackNamePrefix": str(), "environmentSpecs": specs, "serviceSpecs": specs,
			"serviceRepositories": map[string]any{"type": "object", "description": "the source repositories of the services whose pipelines are imported, by service name",
				"additionalProperties": object([]string{"repositoryConnectionArn", "repositoryId", "branchName"}, map[string]any{
					"repositoryConnectionArn": str(), "repositoryId": str(), "branchName": str()})},
			"acceptChanges":        map[string]any{"type": "boolean"},
			"accountConnectionIds": map[string]any{"type": "array", "items": str(), "description": "CONNECTED environment account connections whose accounts are scanned too"},
			"regions":              map[string]any{"type": "array", "items": str(), "description": "the regions scanned in each account (default: the platform's own only)"}}),
		"ImportReport": object([]string{"stacks", "adopted", "alreadyAdopted", "drifted", "failed", "skipped"}, map[string]any{
			"stacks": map[string]any{"type": "array", "items": object([]string{"stackName", "outcome"}, map[string]any{
				"stackName": str(), "account": str(), "region": str(), "targetResourceType": enum("ENVIRONMENT", "SERVICE_INSTANCE", "SERVICE_PIPELINE"), "environmentName": str(),
				"serviceName": str(), "serviceInstanceName": str(), "templateName": str(), "templateMajorVersion": integer(),
				"templateMinorVersion": integer(), "outcome": enum("ADOPTED", "ADOPTED_CHANGES", "ALREADY_ADOPTED", "DRIFTED", "FAILED", "SKIPPED"),
				"message": str(), "changes": map[string]any{"type": "array", "items": map[string]any{"type": "object"}},
				"summary": map[string]any{"type": "object"}})},
			"adopted": integer(), "alreadyAdopted": integer(), "drifted": integer(), "failed": integer(), "skipped": integer()}),
	}
}
