package platform

import "time"

// Component is a directly defined component (Proton's): infrastructure a developer adds
// next to a service instance, or to an environment on its own, from a manifest and one
// template file given in the request rather than from a template version. Its stack is
// deployed like any target's; its outputs reach the instance's template as
// service_instance.components.default.outputs.
type Component struct {
	Name        string
	Description string
	// Environment is the environment it runs in: the instance's when attached.
	Environment string
	// Service and Instance name the service instance it is attached to, "" when detached.
	Service  string
	Instance string
	// ServiceSpec is the service's spec the component reads the instance's inputs from
	// (attached components only).
	ServiceSpec string
	// Manifest and TemplateFile are its sources: manifest.yaml listing one jinja
	// CloudFormation template, and that template.
	Manifest     string
	TemplateFile string
	// LastClientRequestToken is the client token of the latest create or update.
	LastClientRequestToken string
	UpdatedAt              time.Time
	Deployable
}

// Attached reports whether the component belongs to a service instance.
func (c Component) Attached() bool { return c.Instance != "" }

// Target returns the deployment target of the component: its name, and the service
// instance it is attached to (which never changes), so that its deployments say whose
// component they deploy even once it is gone.
func (c Component) Target() Target {
	return Target{Kind: ComponentTarget, Component: c.Name, Service: c.Service, Instance: c.Instance}
}

// ComponentFilter narrows ListComponents as Proton's does: to an environment (components in
// it, attached or not), a service (those attached to its instances), or a service
// instance (its component). Empty fields do not filter.
type ComponentFilter struct {
	Environment string
	Service     string
	Instance    string
}
