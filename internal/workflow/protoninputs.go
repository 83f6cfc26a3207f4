package workflow

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/gantry-platform/gantry/internal/platform"
)

// protonInputs is proton-inputs.json as Proton wrote it for engines that run the bundle
// (CodeBuild, Terraform): for an environment {"environment": {name, inputs}}; for a
// service instance {"service_instance": {name, inputs}, "service": {name …},
// "environment": {account_id, name, outputs}}, the instance with "components":
// {"default": {name, outputs}} when a component is attached; for a pipeline
// {"pipeline": {inputs}, "service": {…}, "service_instances": [{name, inputs, outputs,
// environment}]}; for a directly defined component {"component": {name}, "environment":
// {…}} and, when attached, the "service" and "service_instance" {name, inputs} it reads.
// Outputs are objects of key to value.
func (t *Tasks) protonInputs(ctx context.Context, d platform.Deployment) ([]byte, error) {
	if d.Operation == platform.Delete && len(d.Inputs) == 0 && d.PreviousDeploymentID != "" {
		// A deletion runs with the inputs the target last deployed.
		previous, err := t.store.GetDeployment(ctx, d.PreviousDeploymentID)
		if err != nil {
			return nil, err
		}
		d.Inputs = previous.Inputs
	}
	data, err := t.renderData(ctx, d)
	if err != nil {
		return nil, err
	}
	inputs := func(raw json.RawMessage) json.RawMessage {
		if len(raw) == 0 {
			return json.RawMessage("{}")
		}
		return raw
	}
	outputs := func(list []platform.Output) map[string]string {
		m := make(map[string]string, len(list))
		for _, o := range list {
			m[o.Key] = o.Value
		}
		return m
	}
	environment := func(e EnvironmentData) map[string]any {
		return map[string]any{"account_id": e.AccountID, "name": e.Name, "outputs": outputs(e.Outputs)}
	}
	service := func(s ServiceData) map[string]any {
		m := map[string]any{"name": s.Name}
		if s.RepositoryID != "" {
			m["repository_id"], m["repository_connection_arn"], m["branch_name"] = s.RepositoryID, s.RepositoryConnectionARN, s.BranchName
		}
		return m
	}
	var doc map[string]any
	switch d.Target.Kind {
	case platform.EnvironmentTarget:
		doc = map[string]any{"environment": map[string]any{"name": data.Environment.Name, "inputs": inputs(data.Environment.Inputs)}}
	case platform.ServiceInstanceTarget:
		instance := map[string]any{"name": data.Instance.Name, "inputs": inputs(data.Instance.Inputs)}
		if c := data.Instance.Component; c != nil {
			instance["components"] = map[string]any{"default": map[string]any{"name": c.Name, "outputs": outputs(c.Outputs)}}
		}
		doc = map[string]any{"service_instance": instance, "service": service(data.Service), "environment": environment(data.Environment)}
	case platform.ComponentTarget:
		doc = map[string]any{"component": map[string]any{"name": data.Component.Name}, "environment": environment(data.Environment)}
		if data.Instance.Name != "" {
			doc["service"] = service(data.Service)
			doc["service_instance"] = map[string]any{"name": data.Instance.Name, "inputs": inputs(data.Instance.Inputs)}
		}
	case platform.ServicePipelineTarget:
		instances := make([]map[string]any, 0, len(data.Pipeline.Instances))
		for _, i := range data.Pipeline.Instances {
			instances = append(instances, map[string]any{"name": i.Name, "inputs": inputs(i.Inputs),
				"outputs": outputs(i.Outputs), "environment": environment(i.Environment)})
		}
		doc = map[string]any{"pipeline": map[string]any{"inputs": inputs(data.Pipeline.Inputs)},
			"service": service(data.Service), "service_instances": instances}
	default:
		return nil, platform.Errorf(platform.Invalid, "%s cannot be provisioned by running a bundle", d.Target)
	}
	body, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("proton-inputs.json: %w", err)
	}
	return append(body, '\n'), nil
}
