package store

import (
	"context"
	"strings"

	"github.com/gantry-platform/gantry/internal/platform"
)

// deployedItem is the part of an environment, service instance or service pipeline item
// that names it as a deployment target.
type deployedItem struct {
	SK      string `dynamodbav:"sk"`
	Name    string `dynamodbav:"name"`
	Service string `dynamodbav:"service"`
}

func (it deployedItem) target() (platform.Target, error) {
	switch {
	case it.SK == skEnvironment:
		return platform.Target{Kind: platform.EnvironmentTarget, Environment: it.Name}, nil
	case strings.HasPrefix(it.SK, prefixInstance):
		return platform.Target{Kind: platform.ServiceInstanceTarget, Service: it.Service, Instance: it.Name}, nil
	default:
		return platform.Target{Kind: platform.ServicePipelineTarget, Service: it.Service}, nil
	}
}

// ListDeployedTargets lists the targets whose last successful deployment runs version v
// of a template — environments for an environment template, service instances and
// pipelines for a service template — ordered by target key (environments by name;
// instances by service and name, then pipelines by service). It reads gsi3, which is
// eventually consistent. Invalid for a bad page token. (Not yet part of platform.Store.)
func (s *Store) ListDeployedTargets(ctx context.Context, kind platform.TemplateKind, name string, v platform.Version, page platform.PageRequest) (platform.Page[platform.Target], error) {
	q := listQuery{index: "gsi3", partition: deployedGSI3PK(kind, name, v), what: "deployed targets"}
	return list(ctx, s, q, page, deployedItem.target)
}
