package store

import (
	"context"

	"github.com/gantry-platform/gantry/internal/platform"
)

// gsi1InstancesPK is the gsi1 partition of every service instance, by service and name.
const gsi1InstancesPK = "INSTANCES"

// ListInstances lists the service instances of scope, by service then instance name
// (descending reverses it), one Query per page: the service's partition, the
// environment's instances (gsi2), one template version's instances (gsi3), or every
// instance (gsi1), as scope says. The indexes are eventually consistent. Invalid for a
// bad page token or a template version scope without a minor.
func (s *Store) ListInstances(ctx context.Context, scope platform.InstanceScope, descending bool, page platform.PageRequest) (platform.Page[platform.ServiceInstance], error) {
	var q listQuery
	switch {
	case scope.TemplateName != "":
		if scope.Version.Minor < 0 || scope.Version.Major < 1 {
			return platform.Page[platform.ServiceInstance]{}, platform.FieldErrorf("templateMinorVersion", "a template version scope needs major and minor")
		}
		q = listQuery{index: "gsi3", partition: deployedGSI3PK(platform.ServiceTemplate, scope.TemplateName, scope.Version.Major),
			prefix: deployedMinorPrefix(scope.Version.Minor) + string(platform.ServiceInstanceTarget) + "#", what: "template version instances"}
	case scope.Environment != "":
		q = listQuery{index: "gsi2", partition: environmentInstancesGSI2PK(scope.Environment), what: "environment instances"}
	case scope.Service != "":
		q = listQuery{partition: servicePK(scope.Service), prefix: prefixInstance, what: "service instances"}
	default:
		q = listQuery{index: "gsi1", partition: gsi1InstancesPK, what: "service instances"}
	}
	q.backwards = descending
	return list(ctx, s, q, page, instanceItem.domain)
}
