package terraform

import (
	"encoding/json"
	"strings"
)

// environmentVariables is proton.variables.tf beside an environment's Terraform: Proton's
// four namespaces, each an object defaulting to null (as Proton wrote it, without a final
// newline).
const environmentVariables = `variable "environment" {
  type = object({
    inputs = map(string)
    name   = string
  })
  default = null
}

variable "service" {
  type = object({
    inputs = map(string)
    name   = string
  })
  default = null
}

variable "service_instance" {
  type = object({
    inputs      = map(string)
    environment = map(string)
    name        = string
  })
  default = null
}

variable "pipeline" {
  type = object({
    inputs = map(string)
  })
  default = null
}`

// serviceVariables is proton.variables.tf beside a service instance's or a pipeline's
// Terraform (as Proton wrote it, from its leading blank line).
const serviceVariables = `
variable "service_instances" {
  type = list(
    object({
      name    = string
      inputs  = map(string)
      outputs = map(string)
      environment = object({
        account_id = string
        name       = string
        outputs    = map(string)
      })
    })
  )
}

` + serviceInstanceVariable + `

` + serviceVariable + `

variable "environment" {
  type = object({
    outputs = map(string)
  })
  default = null
}

variable "pipeline" {
  type = object({
    inputs = map(string)
  })
  default = null
}`

// componentVariablesFile is proton.variables.tf beside a directly defined component's
// Terraform: its name, its environment (with outputs) and, when attached, the service and
// service instance it reads (Proton's component namespaces).
const componentVariablesFile = `variable "component" {
  type = object({
    name = string
  })
  default = null
}

variable "environment" {
  type = object({
    account_id = string
    name       = string
    outputs    = map(string)
  })
  default = null
}

` + serviceVariable + `

` + serviceInstanceVariable + "\n"

// serviceVariable and serviceInstanceVariable declare Proton's service and
// service_instance namespaces (their inputs, without components).
const serviceVariable = `variable "service" {
  type = object({
    name                      = string
    repository_id             = string
    repository_connection_arn = string
    branch_name               = string
  })
  default = null
}`

const serviceInstanceVariable = `variable "service_instance" {
  type = object({
    name   = string
    inputs = map(string)
  })
  default = null
}`

// instanceWithComponent is serviceVariables' service_instance when the instance has a
// component: its outputs are var.service_instance.components.default.outputs.
const instanceWithComponent = `variable "service_instance" {
  type = object({
    name   = string
    inputs = map(string)
    components = object({
      default = object({
        name    = string
        outputs = map(string)
      })
    })
  })
  default = null
}`

// EnvironmentVariables is proton.variables.tf for an environment.
func EnvironmentVariables() []byte { return []byte(environmentVariables) }

// ServiceVariables is proton.variables.tf for a service instance or a service pipeline.
func ServiceVariables() []byte { return []byte(serviceVariables) }

// ServiceInstanceVariables is proton.variables.tf for a service instance: ServiceVariables,
// with the service_instance's components when withComponent.
func ServiceInstanceVariables(withComponent bool) []byte {
	if !withComponent {
		return ServiceVariables()
	}
	return []byte(strings.Replace(serviceVariables, serviceInstanceVariable, instanceWithComponent, 1))
}

// ComponentVariables is proton.variables.tf for a directly defined component.
func ComponentVariables() []byte { return []byte(componentVariablesFile) }

// Component is a directly defined component in proton.auto.tfvars.json: its name and
// outputs (those an instance reads).
type Component struct {
	Name    string
	Outputs []Output
}

// Environment is what proton.auto.tfvars.json says of the environment a target runs in.
type Environment struct {
	Name      string
	AccountID string
	Outputs   []Output
}

// ComponentTFVars is proton.auto.tfvars.json of component c in environment env; when the
// component is attached, instance (its Name and Inputs) of service s is the service
// instance it reads.
func ComponentTFVars(c Component, env Environment, s *Service, instance *Instance) ([]byte, error) {
	doc := Object(Field{"component", Object(Field{"name", c.Name})},
		Field{"environment", Object(Field{"account_id", env.AccountID}, Field{"name", env.Name}, Field{"outputs", outputs(env.Outputs)})})
	if s != nil && instance != nil {
		in, err := orderedObject(instance.Inputs)
		if err != nil {
			return nil, err
		}
		doc = append(doc, Field{"service", s.fields()}, Field{"service_instance", Object(Field{"name", instance.Name}, Field{"inputs", in})})
	}
	return TFVars(doc), nil
}

// Service is what proton.auto.tfvars.json says of a service.
type Service struct {
	Name                    string
	RepositoryConnectionARN string
	RepositoryID            string
	BranchName              string
}

// Output is one output of a deployed target.
type Output struct{ Key, Value string }

// Instance is one service instance in proton.auto.tfvars.json: its inputs (a JSON
// object), outputs, environment and attached component (nil without one).
type Instance struct {
	Name               string
	Inputs             json.RawMessage
	Outputs            []Output
	EnvironmentName    string
	EnvironmentAccount string
	EnvironmentOutputs []Output
	Component          *Component
}

// namespace is the instance's service_instance object: name, inputs (in) and, with a
// component, components.default.
func (i Instance) namespace(in []Field) []Field {
	fields := Object(Field{"name", i.Name}, Field{"inputs", in})
	if i.Component != nil {
		fields = append(fields, Field{"components", Object(Field{"default",
			Object(Field{"name", i.Component.Name}, Field{"outputs", outputs(i.Component.Outputs)})})})
	}
	return fields
}

func outputs(os []Output) []Field {
	fields := []Field{}
	for _, o := range os {
		fields = append(fields, Field{o.Key, o.Value})
	}
	return fields
}

func (s Service) fields() []Field {
	return Object(Field{"name", s.Name}, Field{"inputs", Object()}, Field{"repository_connection_arn", s.RepositoryConnectionARN},
		Field{"repository_id", s.RepositoryID}, Field{"branch_name", s.BranchName})
}

// ServiceInstanceTFVars is proton.auto.tfvars.json of service instance i of s: the
// service, the instance's environment (name, account, outputs) and its inputs.
func ServiceInstanceTFVars(s Service, i Instance) ([]byte, error) {
	in, err := orderedObject(i.Inputs)
	if err != nil {
		return nil, err
	}
	return TFVars(Object(
		Field{"service", s.fields()},
		Field{"environment", Object(Field{"account_id", i.EnvironmentAccount}, Field{"name", i.EnvironmentName},
			Field{"outputs", outputs(i.EnvironmentOutputs)})},
		Field{"service_instance", i.namespace(in)},
	)), nil
}

// PipelineTFVars is proton.auto.tfvars.json of the pipeline of s: the service, every
// instance with its inputs, outputs and environment, and the pipeline's inputs.
func PipelineTFVars(s Service, instances []Instance, pipelineInputs json.RawMessage) ([]byte, error) {
	pin, err := orderedObject(pipelineInputs)
	if err != nil {
		return nil, err
	}
	list := []any{}
	for _, i := range instances {
		in, err := orderedObject(i.Inputs)
		if err != nil {
			return nil, err
		}
		list = append(list, Object(Field{"name", i.Name}, Field{"inputs", in}, Field{"outputs", outputs(i.Outputs)},
			Field{"environment", Object(Field{"account_id", i.EnvironmentAccount}, Field{"name", i.EnvironmentName},
				Field{"outputs", outputs(i.EnvironmentOutputs)})}))
	}
	return TFVars(Object(Field{"service", s.fields()}, Field{"service_instances", list},
		Field{"pipeline", Object(Field{"inputs", pin})})), nil
}
