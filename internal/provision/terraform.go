package provision

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing/transport"

	"github.com/gantry-platform/gantry/internal/bundle"
	"github.com/gantry-platform/gantry/internal/gitprovider"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/terraform"
)

// Remotes resolves a linked repository to its git remote: a URL (a path locally) and the
// credentials that push to it, making sure branch exists where it can (locally).
type Remotes interface {
	Remote(ctx context.Context, id platform.RepositoryID, branch string) (url string, auth transport.AuthMethod, err error)
}

// LocalRemotes are gitprovider.LocalRemotes as Remotes: bare repositories made on first
// use, with no credentials.
type LocalRemotes struct{ gitprovider.LocalRemotes }

// Remote returns the bare repository of id, made with branch when missing.
func (l LocalRemotes) Remote(ctx context.Context, id platform.RepositoryID, branch string) (string, transport.AuthMethod, error) {
	url, err := l.Ensure(ctx, id, branch)
	return url, nil, err
}

// Terraform is the self-managed Terraform engine (Proton's CUSTOMER_MANAGED
// provisioning): a deployment commits the bundle's .tf files with proton.auto.tfvars.json
// and proton.variables.tf to a new branch of the target's provisioning repository and
// opens a pull request; the repository's CI applies it and reports with
// NotifyResourceDeploymentStatusChange, which resumes the workflow. A deletion opens a
// pull request that removes the target's folder.
type Terraform struct {
	// RepositoryOf is the provisioning repository and base branch of d's target (an
	// environment's provisioningRepository, its instances' too; the account settings'
	// pipelineProvisioningRepository for pipelines). Invalid when it has none.
	RepositoryOf func(ctx context.Context, d platform.Deployment) (platform.RepositoryBranch, error)
	Remotes      Remotes
	PullRequests gitprovider.Providers
	Now          func() time.Time
}

var _ platform.Provisioner = Terraform{}

// Folder is where the files of d's target live in the provisioning repository:
// environments/<name>, services/<service>/instances/<instance>, services/<service>/pipeline,
// components/<name>.
func Folder(t platform.Target) string {
	switch t.Kind {
	case platform.EnvironmentTarget:
		return "environments/" + t.Environment
	case platform.ServiceInstanceTarget:
		return "services/" + t.Service + "/instances/" + t.Instance
	case platform.ServicePipelineTarget:
		return "services/" + t.Service + "/pipeline"
	}
	return "components/" + t.Component
}

// Submit renders proton.auto.tfvars.json and proton.variables.tf from the deployment's
// proton-inputs.json, pushes them with the bundle folder's files (a component's template
// file) to the branch
// gantry/<deployment id> and opens the pull request; its URL is the submission's Ref.
// Errors: Invalid (a target without a provisioning repository, a bundle that does not
// load, a provider's refusal), Internal.
func (tf Terraform) Submit(ctx context.Context, p platform.Provisioning) (platform.Submission, error) {
	files := maps.Clone(p.Files) // a component's
	if files == nil {
		var err error
		if files, err = bundleFolder(p.Bundle, p.Dir); err != nil {
			return platform.Submission{}, err
		}
	}
	vars, variables, err := protonFiles(p.Deployment.Target.Kind, p.ProtonInputs)
	if err != nil {
		return platform.Submission{}, err
	}
	files[terraform.TFVarsFile], files[terraform.VariablesFile] = vars, variables
	return tf.propose(ctx, p.Deployment, files, "Deploy")
}

// Deprovision opens a pull request that removes the target's folder; a folder that is not
// in the repository is NoChanges.
func (tf Terraform) Deprovision(ctx context.Context, p platform.Provisioning) (platform.Submission, error) {
	return tf.propose(ctx, p.Deployment, nil, "Delete")
}

func (tf Terraform) propose(ctx context.Context, d platform.Deployment, files map[string][]byte, verb string) (platform.Submission, error) {
	repo, err := tf.RepositoryOf(ctx, d)
	if err != nil {
		return platform.Submission{}, err
	}
	api, err := tf.PullRequests.For(repo.Provider)
	if err != nil {
		return platform.Submission{}, err
	}
	url, auth, err := tf.Remotes.Remote(ctx, repo.Repository(), repo.Branch)
	if err != nil {
		return platform.Submission{}, err
	}
	now := time.Now
	if tf.Now != nil {
		now = tf.Now
	}
	branch := "gantry/" + d.ID
	title := fmt.Sprintf("Gantry: %s %s", strings.ToLower(verb), d.Target)
	pushed, err := gitprovider.Push(ctx, gitprovider.Change{URL: url, Auth: auth, Base: repo.Branch, Branch: branch,
		Dir: Folder(d.Target), Files: files, Message: title + "\n\nDeployment " + d.ID, When: now().UTC()})
	if err != nil || pushed.NoChanges {
		return platform.Submission{NoChanges: pushed.NoChanges}, err
	}
	pr, err := api.Open(ctx, repo.Name, gitprovider.PullRequestInput{Title: title, Head: branch, Base: repo.Branch,
		Body: fmt.Sprintf("Gantry deployment %s of %s (%s). The repository's CI applies it and reports with "+
			"NotifyResourceDeploymentStatusChange on the target's ARN.", d.ID, d.Target, Folder(d.Target))})
	if err != nil {
		return platform.Submission{}, err
	}
	return platform.Submission{Ref: pr.URL}, nil
}

// Report knows only that the pull request is open: the repository's CI reports the outcome
// (the deployment's Reported). NotFound before anything was proposed.
func (tf Terraform) Report(ctx context.Context, d platform.Deployment) (platform.ProvisioningReport, error) {
	if d.ProvisioningRef == "" {
		return platform.ProvisioningReport{}, platform.Errorf(platform.NotFound, "no pull request was opened for deployment %s", d.ID)
	}
	return platform.ProvisioningReport{ID: d.ProvisioningRef, DeploymentID: d.ID, Outcome: platform.OutcomeInProgress,
		Status: "PULL_REQUEST_OPEN"}, nil
}

// Cancel cannot stop a repository's CI: Conflict saying so.
func (tf Terraform) Cancel(ctx context.Context, d platform.Deployment) error {
	return platform.Errorf(platform.Conflict, "a self-managed deployment runs in the provisioning repository's CI; "+
		"close its pull request (%s) there, and report FAILED with NotifyResourceDeploymentStatusChange", d.ProvisioningRef)
}

// bundleFolder returns the files of the bundle's folder dir, by name (Terraform's file
// "*": every file of the folder but its manifest).
func bundleFolder(archive []byte, dir string) (map[string][]byte, error) {
	limits := bundle.ProtonLimits
	limits.Files = 1000
	b, err := bundle.LoadTarGz(bytes.NewReader(archive), limits)
	if err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(b.FS(), dir)
	if err != nil {
		return nil, platform.Errorf(platform.Invalid, "the bundle has no folder %s", dir)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		if e.IsDir() || e.Name() == bundle.ManifestName {
			continue
		}
		data, err := fs.ReadFile(b.FS(), path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		files[e.Name()] = data
	}
	return files, nil
}

// protonInputsDoc is proton-inputs.json as the workflow writes it (Proton's shape).
type protonInputsDoc struct {
	Environment *struct {
		Name      string            `json:"name"`
		AccountID string            `json:"account_id"`
		Inputs    json.RawMessage   `json:"inputs"`
		Outputs   map[string]string `json:"outputs"`
	} `json:"environment"`
	Service *struct {
		Name                    string `json:"name"`
		RepositoryID            string `json:"repository_id"`
		RepositoryConnectionARN string `json:"repository_connection_arn"`
		BranchName              string `json:"branch_name"`
	} `json:"service"`
	ServiceInstance *struct {
		Name       string          `json:"name"`
		Inputs     json.RawMessage `json:"inputs"`
		Components struct {
			Default *struct {
				Name    string            `json:"name"`
				Outputs map[string]string `json:"outputs"`
			} `json:"default"`
		} `json:"components"`
	} `json:"service_instance"`
	Component *struct {
		Name string `json:"name"`
	} `json:"component"`
	ServiceInstances []struct {
		Name        string            `json:"name"`
		Inputs      json.RawMessage   `json:"inputs"`
		Outputs     map[string]string `json:"outputs"`
		Environment struct {
			Name      string            `json:"name"`
			AccountID string            `json:"account_id"`
			Outputs   map[string]string `json:"outputs"`
		} `json:"environment"`
	} `json:"service_instances"`
	Pipeline *struct {
		Inputs json.RawMessage `json:"inputs"`
	} `json:"pipeline"`
}

func sortedOutputs(m map[string]string) []terraform.Output {
	out := make([]terraform.Output, 0, len(m))
	for k, v := range m {
		out = append(out, terraform.Output{Key: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// protonFiles renders proton.auto.tfvars.json and proton.variables.tf of a target of kind
// from its proton-inputs.json.
func protonFiles(kind platform.TargetKind, inputs []byte) (vars, variables []byte, err error) {
	var doc protonInputsDoc
	if err := json.Unmarshal(inputs, &doc); err != nil {
		return nil, nil, fmt.Errorf("provision: proton-inputs.json: %w", err)
	}
	var svc terraform.Service
	if doc.Service != nil {
		svc = terraform.Service{Name: doc.Service.Name, RepositoryConnectionARN: doc.Service.RepositoryConnectionARN,
			RepositoryID: doc.Service.RepositoryID, BranchName: doc.Service.BranchName}
	}
	switch {
	case kind == platform.EnvironmentTarget && doc.Environment != nil:
		vars, err = terraform.EnvironmentTFVars(doc.Environment.Name, doc.Environment.Inputs)
		return vars, terraform.EnvironmentVariables(), err
	case kind == platform.ServiceInstanceTarget && doc.ServiceInstance != nil && doc.Environment != nil:
		inst := terraform.Instance{Name: doc.ServiceInstance.Name, Inputs: doc.ServiceInstance.Inputs,
			EnvironmentName: doc.Environment.Name, EnvironmentAccount: doc.Environment.AccountID, EnvironmentOutputs: sortedOutputs(doc.Environment.Outputs)}
		if c := doc.ServiceInstance.Components.Default; c != nil {
			inst.Component = &terraform.Component{Name: c.Name, Outputs: sortedOutputs(c.Outputs)}
		}
		vars, err = terraform.ServiceInstanceTFVars(svc, inst)
		return vars, terraform.ServiceInstanceVariables(inst.Component != nil), err
	case kind == platform.ComponentTarget && doc.Component != nil && doc.Environment != nil:
		env := terraform.Environment{Name: doc.Environment.Name, AccountID: doc.Environment.AccountID, Outputs: sortedOutputs(doc.Environment.Outputs)}
		var service *terraform.Service
		var instance *terraform.Instance
		if doc.Service != nil && doc.ServiceInstance != nil {
			service, instance = &svc, &terraform.Instance{Name: doc.ServiceInstance.Name, Inputs: doc.ServiceInstance.Inputs}
		}
		vars, err = terraform.ComponentTFVars(terraform.Component{Name: doc.Component.Name}, env, service, instance)
		return vars, terraform.ComponentVariables(), err
	case kind == platform.ServicePipelineTarget && doc.Pipeline != nil:
		var instances []terraform.Instance
		for _, i := range doc.ServiceInstances {
			instances = append(instances, terraform.Instance{Name: i.Name, Inputs: i.Inputs, Outputs: sortedOutputs(i.Outputs),
				EnvironmentName: i.Environment.Name, EnvironmentAccount: i.Environment.AccountID, EnvironmentOutputs: sortedOutputs(i.Environment.Outputs)})
		}
		vars, err = terraform.PipelineTFVars(svc, instances, doc.Pipeline.Inputs)
		return vars, terraform.ServiceVariables(), err
	}
	return nil, nil, platform.Errorf(platform.Invalid, "proton-inputs.json does not describe a %s", kind)
}

// TargetRepositories is what RepositoryResolver reads (the store).
type TargetRepositories interface {
	GetEnvironment(ctx context.Context, name string) (platform.Environment, error)
	GetComponent(ctx context.Context, name string) (platform.Component, error)
	GetServiceInstance(ctx context.Context, service, name string) (platform.ServiceInstance, error)
	GetAccountSettings(ctx context.Context) (platform.AccountSettings, error)
}

// RepositoryResolver is Terraform.RepositoryOf on r: an environment's own provisioning
// repository, its service instances' and components' environment's, and for pipelines the account
// settings' pipelineProvisioningRepository. Invalid, saying what to set, when there is
// none.
func RepositoryResolver(r TargetRepositories) func(ctx context.Context, d platform.Deployment) (platform.RepositoryBranch, error) {
	return func(ctx context.Context, d platform.Deployment) (platform.RepositoryBranch, error) {
		t := d.Target
		switch t.Kind {
		case platform.EnvironmentTarget, platform.ServiceInstanceTarget, platform.ComponentTarget:
			envName := t.Environment
			switch t.Kind {
			case platform.ServiceInstanceTarget:
				inst, err := r.GetServiceInstance(ctx, t.Service, t.Instance)
				if err != nil {
					return platform.RepositoryBranch{}, err
				}
				envName = inst.Environment
			case platform.ComponentTarget:
				c, err := r.GetComponent(ctx, t.Component)
				if err != nil {
					return platform.RepositoryBranch{}, err
				}
				envName = c.Environment
			}
			env, err := r.GetEnvironment(ctx, envName)
			if err != nil {
				return platform.RepositoryBranch{}, err
			}
			if env.ProvisioningRepository == nil {
				return platform.RepositoryBranch{}, platform.Errorf(platform.Invalid, "environment %s is not self-managed (it has no provisioningRepository): "+
					"%s cannot be provisioned by Terraform there", envName, t)
			}
			return *env.ProvisioningRepository, nil
		case platform.ServicePipelineTarget:
			s, err := r.GetAccountSettings(ctx)
			if err != nil {
				return platform.RepositoryBranch{}, err
			}
			if s.PipelineProvisioningRepository == nil {
				return platform.RepositoryBranch{}, platform.Errorf(platform.Invalid, "the pipeline of service %s is provisioned by Terraform: "+
					"set the account settings' pipelineProvisioningRepository (UpdateAccountSettings)", t.Service)
			}
			return *s.PipelineProvisioningRepository, nil
		}
		return platform.RepositoryBranch{}, platform.Errorf(platform.Invalid, "%s cannot be provisioned by Terraform through a pull request", t)
	}
}

// LocalPullRequests returns the local pull-request recorders of every provider, beside
// the bare repositories of remotes.
func LocalPullRequests(remotes gitprovider.LocalRemotes) gitprovider.Providers {
	ps := gitprovider.Providers{}
	for _, p := range platform.RepositoryProviders {
		ps[p] = &gitprovider.LocalPullRequests{Remotes: remotes, Provider: p}
	}
	return ps
}
