// Package rendercontext builds the data a Proton template is rendered with: the Jinja
// namespaces environment, service, service_instance, service_instances, pipeline and
// component, shaped exactly as AWS Proton shapes them. Plain Go values go in; a
// *render.Map comes out, keys in Proton's order.
package rendercontext

import (
	"fmt"
	"strings"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/render"
)

// Environment is a deployed environment as service, pipeline and component templates see
// it.
type Environment struct {
	Name      string
	AccountID string
	// Outputs are the environment stack's outputs, in the order CloudFormation lists them.
	Outputs []platform.Output
	// CustomerManaged is an environment whose outputs were given by hand: reading an
	// output it does not have fails the render (render.Map.Strict) instead of giving "".
	CustomerManaged bool
}

// Service is the service a service instance or pipeline belongs to. The repository fields
// are empty for a service without a pipeline.
type Service struct {
	Name                    string
	BranchName              string
	RepositoryConnectionARN string
	RepositoryID            string
}

// Component is a directly defined component attached to a service instance.
type Component struct {
	Name    string
	Outputs []platform.Output
}

// ServiceInstance is one instance of a service.
type ServiceInstance struct {
	Name string
	// Inputs are the instance's validated inputs (nil is none).
	Inputs *render.Map
	// Outputs are the instance stack's outputs; the pipeline template sees them.
	Outputs     []platform.Output
	Environment Environment
	// Component, when not nil, is the instance's default component. Its outputs appear
	// as service_instance.components.default.outputs; without one that map is empty, as
	// in Proton, so that templates written for optional components render either way.
	Component *Component
}

// ForEnvironment is the context of an environment template:
// environment.{name, inputs}.
func ForEnvironment(name string, inputs *render.Map) *render.Map {
	env := render.NewMap()
	env.Set("name", name)
	env.Set("inputs", orEmpty(inputs))
	return object("environment", env)
}

// ForServiceInstance is the context of a service instance template:
// environment.{name, account_id, outputs}, service.{name, branch_name,
// repository_connection_arn, repository_id}, service_instance.{name, inputs,
// components.default.{name, outputs}} and service_instance.environment, the same map as
// environment. Without a component, components.default holds only an empty outputs map:
// AWS's own samples read service_instance.components.default.outputs unguarded and test
// its length, which works only if Proton always supplies it.
func ForServiceInstance(svc Service, inst ServiceInstance) *render.Map {
	env := environment(inst.Environment)
	si := render.NewMap()
	si.Set("name", inst.Name)
	si.Set("inputs", orEmpty(inst.Inputs))
	def := render.NewMap()
	if c := inst.Component; c != nil {
		def.Set("name", c.Name)
		def.Set("outputs", outputs(c.Outputs))
	} else {
		def.Set("outputs", render.NewMap())
	}
	si.Set("components", object("default", def))
	si.Set("environment", env)
	out := render.NewMap()
	out.Set("environment", env)
	out.Set("service", service(svc))
	out.Set("service_instance", si)
	return out
}

// ForPipeline is the context of a pipeline template: pipeline.inputs, service.{...} and
// the list service_instances of {name, inputs, outputs, environment.{name, account_id,
// outputs}}, in the order given.
func ForPipeline(svc Service, inputs *render.Map, instances []ServiceInstance) *render.Map {
	list := make([]any, 0, len(instances))
	for _, inst := range instances {
		m := render.NewMap()
		m.Set("name", inst.Name)
		m.Set("inputs", orEmpty(inst.Inputs))
		m.Set("outputs", outputs(inst.Outputs))
		m.Set("environment", environment(inst.Environment))
		list = append(list, m)
	}
	out := render.NewMap()
	out.Set("pipeline", object("inputs", orEmpty(inputs)))
	out.Set("service", service(svc))
	out.Set("service_instances", list)
	return out
}

// ForComponent is the context of a component template: environment.{name, account_id,
// outputs}, service.{...}, service_instance.{name, inputs} and component.name. A
// component detached from any service (empty svc.Name and inst.Name) sees environment and
// component only.
func ForComponent(name string, svc Service, inst ServiceInstance) *render.Map {
	out := render.NewMap()
	out.Set("environment", environment(inst.Environment))
	if svc.Name != "" || inst.Name != "" {
		out.Set("service", service(svc))
		si := render.NewMap()
		si.Set("name", inst.Name)
		si.Set("inputs", orEmpty(inst.Inputs))
		out.Set("service_instance", si)
	}
	out.Set("component", object("name", name))
	return out
}

// Outputs turns a flat list of outputs into the outputs map templates see.
func Outputs(list []platform.Output) *render.Map { return outputs(list) }

func environment(e Environment) *render.Map {
	m := render.NewMap()
	m.Set("name", e.Name)
	m.Set("account_id", e.AccountID)
	outs := outputs(e.Outputs)
	if e.CustomerManaged {
		given := "it was registered with none"
		if outs.Len() > 0 {
			given = "it was registered with " + strings.Join(outs.Keys(), ", ")
		}
		outs.Strict(fmt.Sprintf("an output of customer-managed environment %s (%s): add it to the environment's outputs", e.Name, given))
	}
	m.Set("outputs", outs)
	return m
}

func service(s Service) *render.Map {
	m := render.NewMap()
	m.Set("name", s.Name)
	m.Set("branch_name", s.BranchName)
	m.Set("repository_connection_arn", s.RepositoryConnectionARN)
	m.Set("repository_id", s.RepositoryID)
	return m
}

func outputs(list []platform.Output) *render.Map {
	m := render.NewMap()
	for _, o := range list {
		m.Set(o.Key, o.Value)
	}
	return m
}

func object(key string, v any) *render.Map {
	m := render.NewMap()
	m.Set(key, v)
	return m
}

func orEmpty(m *render.Map) *render.Map {
	if m == nil {
		return render.NewMap()
	}
	return m
}
