package api

import (
	"net/http"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
)

// repositoryRoutes are Proton's linked repositories and account settings.
func repositoryRoutes() []route {
	const one = "/v1/repositories/{provider}/{owner}/{repo}"
	return []route{
		{method: "POST", path: "/v1/repositories", operationID: "CreateRepository", summary: "Link a git repository (provider GITHUB, GITHUB_ENTERPRISE or BITBUCKET, name owner/repo, the connection that reaches it): where self-managed provisioning opens pull requests and sync reads templates", access: adminOnly, request: "CreateRepository", response: "Repository", status: 201, handle: (*handler).createRepository},
		{method: "GET", path: "/v1/repositories", operationID: "ListRepositories", summary: "List linked repositories by provider, then name", access: anyRole, response: "RepositoryList", status: 200, query: []string{"maxResults", "nextToken"}, handle: (*handler).listRepositories},
		{method: "GET", path: one, operationID: "GetRepository", summary: "Get a linked repository", access: anyRole, response: "Repository", status: 200, handle: (*handler).getRepository},
		{method: "DELETE", path: one, operationID: "DeleteRepository", summary: "Unlink a repository (the git repository is untouched; 409 while the account settings name it)", access: adminOnly, response: "Repository", status: 200, handle: (*handler).deleteRepository},
		{method: "GET", path: "/v1/account-settings", operationID: "GetAccountSettings", summary: "The account settings: the pipeline provisioning repository and the pipeline roles", access: anyRole, response: "AccountSettings", status: 200, handle: (*handler).getAccountSettings},
		{method: "PATCH", path: "/v1/account-settings", operationID: "UpdateAccountSettings", summary: "Change the account settings: a field left out is kept, an empty role ARN removes it, deletePipelineProvisioningRepository removes the repository", access: adminOnly, request: "UpdateAccountSettings", response: "AccountSettings", status: 200, handle: (*handler).updateAccountSettings},
	}
}

func viewRepository(arns platform.ARNScope, r platform.Repository) apimodel.Repository {
	return apimodel.Repository{ARN: arns.ARN(r.ID().Resource()), Provider: string(r.Provider), Name: r.Name,
		ConnectionARN: r.ConnectionARN, EncryptionKey: r.EncryptionKey, CreatedAt: r.CreatedAt}
}

func viewAccountSettings(arns platform.ARNScope, s platform.AccountSettings) apimodel.AccountSettings {
	return apimodel.AccountSettings{PipelineServiceRoleARN: s.PipelineServiceRoleARN, PipelineCodebuildRoleARN: s.PipelineCodebuildRoleARN,
		PipelineProvisioningRepository: viewRepositoryBranch(arns, s.PipelineProvisioningRepository)}
}

// customerManaged is Proton's provisioning of a self-managed environment.
const customerManaged = "CUSTOMER_MANAGED"

// provisioningOf is Proton's provisioning of e: CUSTOMER_MANAGED when self-managed or
// registered with its outputs.
func provisioningOf(e platform.Environment) string {
	if e.ProvisioningRepository != nil || e.CustomerManaged {
		return customerManaged
	}
	return ""
}

func viewRepositoryBranch(arns platform.ARNScope, b *platform.RepositoryBranch) *apimodel.RepositoryBranch {
	if b == nil {
		return nil
	}
	return &apimodel.RepositoryBranch{ARN: arns.ARN(b.Repository().Resource()), Provider: string(b.Provider), Name: b.Name, Branch: b.Branch}
}

func repositoryBranchInput(b *apimodel.RepositoryBranch) *platform.RepositoryBranch {
	if b == nil {
		return nil
	}
	return &platform.RepositoryBranch{Provider: platform.RepositoryProvider(b.Provider), Name: b.Name, Branch: b.Branch}
}

func repositoryID(r *http.Request) platform.RepositoryID {
	return platform.RepositoryID{Provider: platform.RepositoryProvider(r.PathValue("provider")), Name: r.PathValue("owner") + "/" + r.PathValue("repo")}
}

func (h *handler) createRepository(w http.ResponseWriter, r *http.Request) error {
	var in apimodel.CreateRepository
	if err := decode(r, &in); err != nil {
		return err
	}
	tags, err := tagMap("tags", in.Tags)
	if err != nil {
		return err
	}
	repo, err := h.svc.CreateRepository(r.Context(), control.CreateRepositoryInput{Provider: platform.RepositoryProvider(in.Provider),
		Name: in.Name, ConnectionARN: in.ConnectionARN, EncryptionKey: in.EncryptionKey, Tags: tags})
	if err != nil {
		return err
	}
	writeJSON(w, 201, viewRepository(h.arns, repo))
	return nil
}

func (h *handler) listRepositories(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	list, err := h.svc.ListRepositories(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewList(list, func(repo platform.Repository) apimodel.Repository { return viewRepository(h.arns, repo) }))
	return nil
}

func (h *handler) getRepository(w http.ResponseWriter, r *http.Request) error {
	repo, err := h.svc.GetRepository(r.Context(), repositoryID(r))
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewRepository(h.arns, repo))
	return nil
}

func (h *handler) deleteRepository(w http.ResponseWriter, r *http.Request) error {
	repo, err := h.svc.DeleteRepository(r.Context(), repositoryID(r))
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewRepository(h.arns, repo))
	return nil
}

func (h *handler) getAccountSettings(w http.ResponseWriter, r *http.Request) error {
	s, err := h.svc.GetAccountSettings(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewAccountSettings(h.arns, s))
	return nil
}

func (h *handler) updateAccountSettings(w http.ResponseWriter, r *http.Request) error {
	var in apimodel.UpdateAccountSettings
	if err := decode(r, &in); err != nil {
		return err
	}
	c := control.UpdateAccountSettingsInput{DeletePipelineProvisioningRepository: in.DeletePipelineProvisioningRepository,
		PipelineServiceRoleARN: in.PipelineServiceRoleARN, PipelineCodebuildRoleARN: in.PipelineCodebuildRoleARN,
		PipelineProvisioningRepository: repositoryBranchInput(in.PipelineProvisioningRepository)}
	s, err := h.svc.UpdateAccountSettings(r.Context(), c)
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewAccountSettings(h.arns, s))
	return nil
}

// repositorySchemas are the schemas of repositories and account settings.
func repositorySchemas(arn map[string]any) map[string]any {
	provider := enum(string(platform.GitHub), string(platform.GitHubEnterprise), string(platform.Bitbucket))
	name := map[string]any{"type": "string", "pattern": `^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`, "maxLength": 100, "description": "owner/repo"}
	roleARN := map[string]any{"type": "string", "description": "an IAM role ARN; empty removes it; left out keeps it"}
	return map[string]any{
		"CreateRepository": object([]string{"provider", "name", "connectionArn"}, map[string]any{"provider": provider, "name": name,
			"connectionArn": str(), "encryptionKey": str(), "tags": tagsSchema()}),
		"Repository": object([]string{"arn", "provider", "name", "connectionArn", "createdAt"}, map[string]any{"arn": arn,
			"provider": provider, "name": str(), "connectionArn": str(), "encryptionKey": str(), "createdAt": dateTime()}),
		"RepositoryList": list("Repository"),
		"RepositoryBranch": object([]string{"provider", "name", "branch"}, map[string]any{"arn": arn, "provider": provider, "name": name,
			"branch": map[string]any{"type": "string", "minLength": 1, "maxLength": 200}}),
		"AccountSettings": object(nil, map[string]any{"pipelineProvisioningRepository": ref("RepositoryBranch"),
			"pipelineServiceRoleArn": str(), "pipelineCodebuildRoleArn": str()}),
		"UpdateAccountSettings": object(nil, map[string]any{"pipelineProvisioningRepository": ref("RepositoryBranch"),
			"deletePipelineProvisioningRepository": map[string]any{"type": "boolean"},
			"pipelineServiceRoleArn":               roleARN, "pipelineCodebuildRoleArn": roleARN}),
	}
}
