package store

import (
	"context"
	"strings"

	"github.com/gantry-platform/gantry/internal/platform"
)

// deployedItem is the part of an environment, service instance or service pipeline item
// that names it as a deployment target, with the template version it runs.
type deployedItem struct {
	SK            string `dynamodbav:"sk"`
	Name          string `dynamodbav:"name"`
	Service       string `dynamodbav:"service"`
	TemplateMajor int    `dynamodbav:"templateMajor"`
	TemplateMinor int    `dynamodbav:"templateMinor"`
}

func (it deployedItem) target() platform.Target {
	switch {
	case it.SK == skEnvironment:
		return platform.Target{Kind: platform.EnvironmentTarget, Environment: it.Name}
	case strings.HasPrefix(it.SK, prefixInstance):
		return platform.Target{Kind: platform.ServiceInstanceTarget, Service: it.Service, Instance: it.Name}
	default:
		return platform.Target{Kind: platform.ServicePipelineTarget, Service: it.Service}
	}
}

func (it deployedItem) domain() (platform.VersionTarget, error) {
	return platform.VersionTarget{Target: it.target(), TemplateVersion: platform.Version{Major: it.TemplateMajor, Minor: it.TemplateMinor}}, nil
}

// ListTemplateVersionTargets lists what runs template name at version v (every minor of
// v.Major when v.Minor is platform.AllMinors): environments for an environment template;
// service instances, then pipelines, for a service template; ordered by minor, then by
// target key (environments by name, instances by service and name, pipelines by service).
// It is one Query of gsi3, which is eventually consistent. Invalid for a bad page token.
func (s *Store) ListTemplateVersionTargets(ctx context.Context, kind platform.TemplateKind, name string, v platform.Version, page platform.PageRequest) (platform.Page[platform.VersionTarget], error) {
	q := listQuery{index: "gsi3", partition: deployedGSI3PK(kind, name, v.Major), what: "template version targets"}
	if v.Minor != platform.AllMinors {
		q.prefix = deployedMinorPrefix(v.Minor)
	}
	return list(ctx, s, q, page, deployedItem.domain)
}

// ListTemplateVersionInstances lists the service instances, across every service, that
// run version v of service template name (v.Minor a minor, not platform.AllMinors), by
// service and instance name: one Query of gsi3 narrowed to the minor's instances (the
// pipelines on the same version sort after them). Invalid for AllMinors or a bad page
// token.
func (s *Store) ListTemplateVersionInstances(ctx context.Context, name string, v platform.Version, page platform.PageRequest) (platform.Page[platform.ServiceInstance], error) {
	if v.Minor < 0 {
		return platform.Page[platform.ServiceInstance]{}, platform.FieldErrorf("templateMinorVersion", "is required to list the instances of a template version")
	}
	target := deployedMinorPrefix(v.Minor) + string(platform.ServiceInstanceTarget) + "#"
	q := listQuery{index: "gsi3", partition: deployedGSI3PK(platform.ServiceTemplate, name, v.Major), prefix: target, what: "template version instances"}
	return list(ctx, s, q, page, instanceItem.domain)
}
