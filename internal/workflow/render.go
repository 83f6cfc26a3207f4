package workflow

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/gantry-platform/gantry/internal/bundle"
	"github.com/gantry-platform/gantry/internal/platform"
)

// RenderOutput is what Render hands on.
type RenderOutput struct {
	RenderedKey string `json:"renderedKey,omitempty"`
}

// Render prepares what the deployment's engine is given and records the engine (its
// template version's): for CloudFormation the template rendered with Proton's context for
// its target, for engines that run the bundle (CodeBuild, Terraform) proton-inputs.json;
// both are kept as the deployment's rendered artefact. Deletions render no template but
// get proton-inputs.json with the inputs the target last deployed. Errors: *RenderFailed
// for a template or input problem, *DeploymentCancelled when the deployment was cancelled.
func (t *Tasks) Render(ctx context.Context, in Input) (RenderOutput, error) {
	d, err := t.store.GetDeployment(ctx, in.DeploymentID)
	if err != nil {
		return RenderOutput{}, err
	}
	switch {
	case d.Finished():
		return RenderOutput{RenderedKey: d.RenderedKey}, nil
	case d.Status == platform.Cancelling:
		return RenderOutput{}, &DeploymentCancelled{Reason: d.StatusMessage}
	}
	if d.ChangeSetName != "" && d.RenderedKey != "" {
		// A previewed deployment: its template was rendered by the preview.
		_, err = t.update(ctx, d, func(d *platform.Deployment) bool { return t.renew(d, in.Execution, 0) })
		return RenderOutput{RenderedKey: d.RenderedKey}, err
	}
	engine, err := t.engineOf(ctx, d)
	if err != nil {
		return RenderOutput{}, err
	}
	key := d.RenderedKey
	var body []byte
	switch {
	case engine.RunsBundle():
		key = fmt.Sprintf("rendered/%s/proton-inputs.json", d.ID)
		if body, err = t.protonInputs(ctx, d); platform.KindOf(err) == platform.Invalid {
			return RenderOutput{}, &RenderFailed{Reason: platform.MessageOf(err)}
		}
	case d.Operation == platform.Delete:
		// A stack is deleted by name: nothing to render.
		if d.Engine == engine {
			return RenderOutput{RenderedKey: d.RenderedKey}, nil
		}
	default:
		key = fmt.Sprintf("rendered/%s/cloudformation.yaml", d.ID)
		body, err = t.renderTemplate(ctx, d)
	}
	if err != nil {
		return RenderOutput{}, err
	}
	if body != nil {
		if err := t.blobs.Put(ctx, key, body); err != nil {
			return RenderOutput{}, err
		}
	}
	_, err = t.update(ctx, d, func(d *platform.Deployment) bool {
		changed := d.RenderedKey != key || d.Engine != engine
		d.RenderedKey, d.Engine = key, engine
		return t.renew(d, in.Execution, 0) || changed
	})
	return RenderOutput{RenderedKey: key}, err
}

// renderTemplate renders d's CloudFormation template (RenderDeployment); Invalid errors
// become *RenderFailed.
func (t *Tasks) renderTemplate(ctx context.Context, d platform.Deployment) ([]byte, error) {
	body, err := t.RenderDeployment(ctx, d)
	if platform.KindOf(err) == platform.Invalid {
		return nil, &RenderFailed{Reason: "rendering failed: " + platform.MessageOf(err)}
	}
	return body, err
}

// RenderDeployment renders d's template with Proton's context for its target, as Render
// does, without keeping it: d need not be stored (a preview renders a deployment it has
// not made yet). Errors: Invalid naming the template file and line for a template or
// input problem, NotFound when the target or its template version is gone.
func (t *Tasks) RenderDeployment(ctx context.Context, d platform.Deployment) ([]byte, error) {
	archive, err := t.bundle(ctx, d)
	if err != nil {
		return nil, err
	}
	data, err := t.renderData(ctx, d)
	if err != nil {
		return nil, err
	}
	return t.renderer.Render(ctx, archive, d.Target.Kind, data)
}

// engineOf is the engine of d's template version (its pipeline's, for a pipeline); a
// directly defined component's is its manifest's (CloudFormation, or Terraform).
func (t *Tasks) engineOf(ctx context.Context, d platform.Deployment) (platform.Engine, error) {
	if d.Target.Kind == platform.ComponentTarget {
		c, err := t.store.GetComponent(ctx, d.Target.Component)
		if err != nil {
			return "", err
		}
		tmpl, err := bundle.ParseComponentManifest(c.Manifest) // checked when stored
		return tmpl.Engine(), err
	}
	kind := platform.ServiceTemplate
	if d.Target.Kind == platform.EnvironmentTarget {
		kind = platform.EnvironmentTemplate
	}
	tv, err := t.store.GetTemplateVersion(ctx, kind, d.TemplateName, d.TemplateVersion)
	if platform.KindOf(err) == platform.NotFound && d.Operation == platform.Delete {
		// A version cannot be deleted while a target runs it; should it be gone all the
		// same, the deletion keeps the engine it began with (CloudFormation by default).
		return d.Engine.OrDefault(), nil
	}
	if err != nil {
		return "", err
	}
	if d.Target.Kind == platform.ServicePipelineTarget {
		return tv.PipelineEngine.OrDefault(), nil
	}
	return tv.Engine.OrDefault(), nil
}

// bundle returns the bundle archive of d's template version; nil for a component, whose
// sources are in its record.
func (t *Tasks) bundle(ctx context.Context, d platform.Deployment) ([]byte, error) {
	if d.Target.Kind == platform.ComponentTarget {
		return nil, nil
	}
	kind := platform.ServiceTemplate
	if d.Target.Kind == platform.EnvironmentTarget {
		kind = platform.EnvironmentTemplate
	}
	tv, err := t.store.GetTemplateVersion(ctx, kind, d.TemplateName, d.TemplateVersion)
	if err != nil {
		return nil, err
	}
	if t.bundles == nil {
		return t.blobs.Get(ctx, tv.BundleKey)
	}
	if kept, ok := t.bundles.Load(tv.BundleKey); ok {
		return kept.([]byte), nil
	}
	archive, err := t.blobs.Get(ctx, tv.BundleKey)
	if err == nil {
		t.bundles.Store(tv.BundleKey, archive)
	}
	return archive, err
}

// renderData gathers the context of d's target.
func (t *Tasks) renderData(ctx context.Context, d platform.Deployment) (RenderData, error) {
	switch d.Target.Kind {
	case platform.EnvironmentTarget:
		env, err := t.store.GetEnvironment(ctx, d.Target.Environment)
		if err != nil {
			return RenderData{}, err
		}
		return t.ownEnvironmentData(d, env), nil
	case platform.ServiceInstanceTarget:
		svc, err := t.store.GetService(ctx, d.Target.Service)
		if err != nil {
			return RenderData{}, err
		}
		inst, err := t.store.GetServiceInstance(ctx, d.Target.Service, d.Target.Instance)
		if err != nil {
			return RenderData{}, err
		}
		return t.instanceData(ctx, d, svc, inst)
	case platform.ComponentTarget:
		return t.componentData(ctx, d)
	default:
		svc, err := t.store.GetService(ctx, d.Target.Service)
		if err != nil {
			return RenderData{}, err
		}
		data := RenderData{Service: serviceData(svc), Pipeline: PipelineData{Inputs: d.Inputs}}
		page := platform.PageRequest{Limit: 100}
		for {
			instances, err := t.store.ListServiceInstances(ctx, svc.Name, page)
			if err != nil {
				return RenderData{}, err
			}
			for _, inst := range instances.Items {
				pi, err := t.pipelineInstance(ctx, inst)
				if err != nil {
					return RenderData{}, err
				}
				data.Pipeline.Instances = append(data.Pipeline.Instances, pi)
			}
			if instances.NextToken == "" {
				return data, nil
			}
			page.NextToken = instances.NextToken
		}
	}
}

// instanceData is the context of d, a deployment of service instance inst of svc.
func (t *Tasks) instanceData(ctx context.Context, d platform.Deployment, svc platform.Service, inst platform.ServiceInstance) (RenderData, error) {
	env, err := t.environmentData(ctx, inst.Environment)
	if err != nil {
		return RenderData{}, err
	}
	data := RenderData{Environment: env, Service: serviceData(svc), Instance: InstanceData{Name: inst.Name, Inputs: d.Inputs}}
	c, err := t.store.GetInstanceComponent(ctx, inst.Service, inst.Name)
	switch platform.KindOf(err) {
	case "":
		data.Instance.Component = &ComponentData{Name: c.Name, Outputs: c.Outputs}
	case platform.NotFound:
	default:
		return RenderData{}, err
	}
	return data, nil
}

// ownEnvironmentData is the context of d, a deployment of environment env.
func (t *Tasks) ownEnvironmentData(d platform.Deployment, env platform.Environment) RenderData {
	return RenderData{Environment: EnvironmentData{Name: d.Target.Environment, AccountID: t.environmentAccount(env), Inputs: d.Inputs}}
}

// RenderNewEnvironment renders d, a deployment of environment env that is not stored yet
// (an import proves its stack before storing it). Errors as RenderDeployment's.
func (t *Tasks) RenderNewEnvironment(ctx context.Context, d platform.Deployment, env platform.Environment) ([]byte, error) {
	archive, err := t.bundle(ctx, d)
	if err != nil {
		return nil, err
	}
	return t.renderer.Render(ctx, archive, d.Target.Kind, t.ownEnvironmentData(d, env))
}

// RenderNewInstance renders d, a deployment of service instance inst of svc that are not
// stored yet (an import proves their stack before storing them); their environment is.
// Errors as RenderDeployment's.
func (t *Tasks) RenderNewInstance(ctx context.Context, d platform.Deployment, svc platform.Service, inst platform.ServiceInstance) ([]byte, error) {
	archive, err := t.bundle(ctx, d)
	if err != nil {
		return nil, err
	}
	data, err := t.instanceData(ctx, d, svc, inst)
	if err != nil {
		return nil, err
	}
	return t.renderer.Render(ctx, archive, d.Target.Kind, data)
}

// RenderNewPipeline renders d, a deployment of svc's pipeline, where svc and its
// instances are not stored yet (an import proves the pipeline's stack before storing
// them); the instances' environments are. Each instance reads as the pipeline's template
// sees it: its name, its outputs, its environment and inputs[its name]. Errors as
// RenderDeployment's.
func (t *Tasks) RenderNewPipeline(ctx context.Context, d platform.Deployment, svc platform.Service, instances []platform.ServiceInstance, inputs map[string]json.RawMessage) ([]byte, error) {
	archive, err := t.bundle(ctx, d)
	if err != nil {
		return nil, err
	}
	data := RenderData{Service: serviceData(svc), Pipeline: PipelineData{Inputs: d.Inputs}}
	for _, inst := range instances {
		pi, err := t.newPipelineInstance(ctx, inst, inputs[inst.Name])
		if err != nil {
			return nil, err
		}
		data.Pipeline.Instances = append(data.Pipeline.Instances, pi)
	}
	return t.renderer.Render(ctx, archive, d.Target.Kind, data)
}

// componentData is the context of a component's template: its environment, and the
// service and instance it is attached to (the instance's inputs are the deployment's).
func (t *Tasks) componentData(ctx context.Context, d platform.Deployment) (RenderData, error) {
	c, err := t.store.GetComponent(ctx, d.Target.Component)
	if err != nil {
		return RenderData{}, err
	}
	return t.componentDataOf(ctx, d, c)
}

// RenderNewComponent renders d, a deployment of component c as given (not stored, or
// stored otherwise: a component is checked before it is created or updated); its
// environment, service and instance are stored. Errors as RenderDeployment's.
func (t *Tasks) RenderNewComponent(ctx context.Context, d platform.Deployment, c platform.Component) ([]byte, error) {
	data, err := t.componentDataOf(ctx, d, c)
	if err != nil {
		return nil, err
	}
	return t.renderer.Render(ctx, nil, d.Target.Kind, data)
}

// componentDataOf is the context of d, a deployment of component c.
func (t *Tasks) componentDataOf(ctx context.Context, d platform.Deployment, c platform.Component) (RenderData, error) {
	env, err := t.environmentData(ctx, c.Environment)
	if err != nil {
		return RenderData{}, err
	}
	data := RenderData{Environment: env, Component: ComponentData{Name: c.Name, Manifest: c.Manifest, TemplateFile: c.TemplateFile}}
	if c.Attached() {
		svc, err := t.store.GetService(ctx, c.Service)
		if err != nil {
			return RenderData{}, err
		}
		data.Service, data.Instance = serviceData(svc), InstanceData{Name: c.Instance, Inputs: d.Inputs}
	}
	return data, nil
}

func (t *Tasks) pipelineInstance(ctx context.Context, inst platform.ServiceInstance) (PipelineInstance, error) {
	pi, err := t.newPipelineInstance(ctx, inst, nil)
	if err != nil {
		return pi, err
	}
	if id := inst.LastSucceededDeploymentID; id != "" {
		d, err := t.store.GetDeployment(ctx, id)
		if err != nil {
			return PipelineInstance{}, err
		}
		pi.Inputs = d.Inputs
	} else if d, err := t.store.GetDeployment(ctx, inst.LastDeploymentID); err == nil {
		pi.Inputs = d.Inputs
	}
	return pi, nil
}

// newPipelineInstance is instance inst as its service's pipeline reads it, with inputs.
func (t *Tasks) newPipelineInstance(ctx context.Context, inst platform.ServiceInstance, inputs json.RawMessage) (PipelineInstance, error) {
	env, err := t.environmentData(ctx, inst.Environment)
	if err != nil {
		return PipelineInstance{}, err
	}
	return PipelineInstance{Name: inst.Name, Inputs: inputs, Outputs: inst.Outputs, Environment: env}, nil
}

func (t *Tasks) environmentData(ctx context.Context, name string) (EnvironmentData, error) {
	env, err := t.store.GetEnvironment(ctx, name)
	if err != nil {
		return EnvironmentData{}, err
	}
	return EnvironmentData{Name: env.Name, AccountID: t.environmentAccount(env), Outputs: env.Outputs, CustomerManaged: env.CustomerManaged}, nil
}

// environmentAccount is Proton's environment.account_id: the environment account of an
// environment deployed through a connection, else the platform's.
func (t *Tasks) environmentAccount(env platform.Environment) string {
	if env.AccountID != "" {
		return env.AccountID
	}
	return t.accountID
}

func serviceData(s platform.Service) ServiceData {
	return ServiceData{Name: s.Name, BranchName: s.BranchName,
		RepositoryConnectionARN: s.RepositoryConnectionARN, RepositoryID: s.RepositoryID}
}
