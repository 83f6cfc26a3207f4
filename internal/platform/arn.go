package platform

import (
	"strings"
)

// ResourceType is the kind of resource an ARN names, in Proton's IAM vocabulary.
type ResourceType string

// The resource types that have ARNs.
const (
	EnvironmentResource                ResourceType = "environment"
	ServiceResource                    ResourceType = "service"
	ServiceInstanceResource            ResourceType = "service-instance"
	EnvironmentTemplateResource        ResourceType = "environment-template"
	ServiceTemplateResource            ResourceType = "service-template"
	EnvironmentTemplateVersionResource ResourceType = "environment-template-version"
	ServiceTemplateVersionResource     ResourceType = "service-template-version"
	ComponentResource                  ResourceType = "component"
	DeploymentResource                 ResourceType = "deployment"
	// EnvironmentAccountConnectionResource is a connection, named by its id.
	EnvironmentAccountConnectionResource ResourceType = "environment-account-connection"
)

// Resource identifies one resource: Name is its name (a deployment's id); Service is the
// service of a service instance; Version the version of a template version.
type Resource struct {
	Type    ResourceType
	Name    string
	Service string
	Version Version
}

// String names the resource for people, e.g. "service instance frontend/frontend-dev".
func (r Resource) String() string {
	what := strings.ReplaceAll(string(r.Type), "-", " ")
	switch r.Type {
	case ServiceInstanceResource:
		return what + " " + r.Service + "/" + r.Name
	case EnvironmentTemplateVersionResource, ServiceTemplateVersionResource:
		return what + " " + r.Name + ":" + r.Version.String()
	}
	return what + " " + r.Name
}

// TemplateResource is the resource of a template of kind.
func TemplateResource(kind TemplateKind, name string) Resource {
	if kind == ServiceTemplate {
		return Resource{Type: ServiceTemplateResource, Name: name}
	}
	return Resource{Type: EnvironmentTemplateResource, Name: name}
}

// TemplateVersionResource is the resource of a template version.
func TemplateVersionResource(kind TemplateKind, name string, v Version) Resource {
	if kind == ServiceTemplate {
		return Resource{Type: ServiceTemplateVersionResource, Name: name, Version: v}
	}
	return Resource{Type: EnvironmentTemplateVersionResource, Name: name, Version: v}
}

// TargetResource is the resource a deployment target is (a service pipeline is its
// service's).
func TargetResource(t Target) Resource {
	switch t.Kind {
	case EnvironmentTarget:
		return Resource{Type: EnvironmentResource, Name: t.Environment}
	case ServiceInstanceTarget:
		return Resource{Type: ServiceInstanceResource, Service: t.Service, Name: t.Instance}
	case ComponentTarget:
		return Resource{Type: ComponentResource, Name: t.Component}
	default:
		return Resource{Type: ServiceResource, Name: t.Service}
	}
}

// ARNScope is where Gantry's resources live: the partition, region and account of their
// ARNs (Proton's, "arn:aws:proton:us-east-1:123456789012:environment/dev"). On AWS they are
// the Lambda's region and account; locally the defaults of DefaultARNScope.
type ARNScope struct {
	Partition string
	Region    string
	Account   string
}

// DefaultARNScope is the scope of local mode: partition aws, us-east-1, account
// 000000000000.
func DefaultARNScope() ARNScope {
	return ARNScope{Partition: "aws", Region: "us-east-1", Account: "000000000000"}
}

// OrDefault returns s with what is empty taken from DefaultARNScope.
func (s ARNScope) OrDefault() ARNScope {
	def := DefaultARNScope()
	for _, f := range []struct {
		v *string
		d string
	}{{&s.Partition, def.Partition}, {&s.Region, def.Region}, {&s.Account, def.Account}} {
		if *f.v == "" {
			*f.v = f.d
		}
	}
	return s
}

// arnService is the service part of Gantry's ARNs: Proton's, so that tools and policies
// written for Proton read them.
const arnService = "proton"

// prefix is "arn:<partition>:proton:<region>:<account>:".
func (s ARNScope) prefix() string {
	return "arn:" + s.Partition + ":" + arnService + ":" + s.Region + ":" + s.Account + ":"
}

// ARN returns the ARN of r in Proton's formats: environment/<name>, service/<name>,
// service/<service>/service-instance/<name>, environment-template/<name>,
// environment-template/<name>:<major>.<minor> (and the same for service templates),
// component/<name>, deployment/<id>, environment-account-connection/<id>,
// repository/<provider in lower case>:<owner>/<repo>.
func (s ARNScope) ARN(r Resource) string {
	var path string
	switch r.Type {
	case ServiceInstanceResource:
		path = "service/" + r.Service + "/service-instance/" + r.Name
	case EnvironmentTemplateVersionResource:
		path = "environment-template/" + r.Name + ":" + r.Version.String()
	case ServiceTemplateVersionResource:
		path = "service-template/" + r.Name + ":" + r.Version.String()
	case RepositoryResource:
		provider, name, _ := strings.Cut(r.Name, ":")
		path = "repository/" + strings.ToLower(provider) + ":" + name
	default:
		path = string(r.Type) + "/" + r.Name
	}
	return s.prefix() + path
}

// ParseARN returns the resource an ARN of this scope names. Invalid (naming field) when
// arn is not a Proton ARN of this partition, region and account, or its resource part
// is not one of the formats ARN builds; the names in it are not checked further.
func (s ARNScope) ParseARN(field, arn string) (Resource, error) {
	if !strings.HasPrefix(arn, "arn:") {
		return Resource{}, FieldErrorf(field, "%q is not an ARN (arn:partition:proton:region:account:resource)", arn)
	}
	if !strings.HasPrefix(arn, s.prefix()) {
		return Resource{}, FieldErrorf(field, "%q is not a resource of this Gantry (its ARNs start %s)", arn, s.prefix())
	}
	path := strings.TrimPrefix(arn, s.prefix())
	bad := FieldErrorf(field, "%q does not name an environment, service, service instance, template, template version, component, deployment, environment account connection or repository", arn)
	typ, rest, ok := strings.Cut(path, "/")
	if !ok || rest == "" {
		return Resource{}, bad
	}
	switch ResourceType(typ) {
	case EnvironmentResource, ComponentResource, DeploymentResource, EnvironmentAccountConnectionResource:
		if strings.Contains(rest, "/") {
			return Resource{}, bad
		}
		return Resource{Type: ResourceType(typ), Name: rest}, nil
	case ServiceResource:
		svc, inst, nested := strings.Cut(rest, "/service-instance/")
		switch {
		case !nested && !strings.Contains(rest, "/"):
			return Resource{Type: ServiceResource, Name: rest}, nil
		case nested && svc != "" && inst != "" && !strings.Contains(svc, "/") && !strings.Contains(inst, "/"):
			return Resource{Type: ServiceInstanceResource, Service: svc, Name: inst}, nil
		}
		return Resource{}, bad
	case EnvironmentTemplateResource, ServiceTemplateResource:
		if strings.Contains(rest, "/") {
			return Resource{}, bad
		}
		kind := EnvironmentTemplate
		if ResourceType(typ) == ServiceTemplateResource {
			kind = ServiceTemplate
		}
		name, version, versioned := strings.Cut(rest, ":")
		if !versioned {
			return TemplateResource(kind, name), nil
		}
		v, err := ParseVersion(version)
		if err != nil || name == "" {
			return Resource{}, bad
		}
		return TemplateVersionResource(kind, name, v), nil
	case RepositoryResource:
		provider, name, ok := strings.Cut(rest, ":")
		id := RepositoryID{Provider: RepositoryProvider(strings.ToUpper(provider)), Name: name}
		if !ok || provider != strings.ToLower(provider) || ValidateRepositoryProvider(field, id.Provider) != nil || ValidateRepositoryName(field, name) != nil {
			return Resource{}, bad
		}
		return id.Resource(), nil
	}
	return Resource{}, bad
}
