package store

import (
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Key attribute names and the sort keys of single-item partitions.
const (
	attrPK       = "pk"
	attrSK       = "sk"
	attrRevision = "revision"

	skTemplate    = "TEMPLATE"
	skEnvironment = "ENV"
	skService     = "SERVICE"
	skPipeline    = "PIPELINE"
	skDeployment  = "DEPLOYMENT"
	skToken       = "TOKEN"

	prefixVersion  = "VERSION#"
	prefixInstance = "INSTANCE#"

	gsi1EnvironmentsPK = "ENVIRONMENTS"
	// gsi1LeasedPK is the gsi1 partition of the unfinished deployments that have a lease,
	// sorted by its expiry (leasedGSI1SK).
	gsi1LeasedPK   = "LEASED_DEPLOYMENTS"
	gsi1ServicesPK = "SERVICES"
)

// itemKeys are the key attributes of an item: the table's and those of the indexes it is on.
type itemKeys struct {
	PK     string `dynamodbav:"pk"`
	SK     string `dynamodbav:"sk"`
	GSI1PK string `dynamodbav:"gsi1pk,omitempty"`
	GSI1SK string `dynamodbav:"gsi1sk,omitempty"`
	GSI2PK string `dynamodbav:"gsi2pk,omitempty"`
	GSI2SK string `dynamodbav:"gsi2sk,omitempty"`
	GSI3PK string `dynamodbav:"gsi3pk,omitempty"`
	GSI3SK string `dynamodbav:"gsi3sk,omitempty"`
}

func templatePK(kind platform.TemplateKind, name string) string {
	return "TEMPLATE#" + string(kind) + "#" + name
}

func templatesGSI1PK(kind platform.TemplateKind) string { return "TEMPLATES#" + string(kind) }

func versionSK(v platform.Version) string {
	return fmt.Sprintf("%s%06d#%06d", prefixVersion, v.Major, v.Minor)
}

func majorPrefix(major int) string { return fmt.Sprintf("%s%06d#", prefixVersion, major) }

func environmentPK(name string) string { return "ENV#" + name }

func servicePK(name string) string { return "SVC#" + name }

func instanceSK(name string) string { return prefixInstance + name }

func environmentInstancesGSI2PK(environment string) string { return "ENV_INSTANCES#" + environment }

func deploymentPK(id string) string { return "DEPLOYMENT#" + id }

// leasedGSI1SK sorts an unfinished deployment by the expiry of its lease.
func leasedGSI1SK(expires time.Time, id string) string { return formatTime(expires) + "#" + id }

func historyGSI2PK(t platform.Target) string { return "HISTORY#" + targetKey(t) }

// serviceHistoryGSI3PK is the gsi3 partition of the deployments of a service's instances and pipeline.
func serviceHistoryGSI3PK(service string) string { return "SVC_HISTORY#" + service }

func tokenPK(scope, token string) string { return "TOKEN#" + scope + "#" + token }

// deployedGSI3PK is the gsi3 partition of deployables running a major version of a template.
func deployedGSI3PK(kind platform.TemplateKind, name string, major int) string {
	return fmt.Sprintf("DEPLOYED#%s#%s#%06d", kind, name, major)
}

// deployedMinorPrefix begins the gsi3 sort keys of the deployables running a minor version.
func deployedMinorPrefix(minor int) string { return fmt.Sprintf("%06d#", minor) }

// deployedGSI3SK is a deployable's gsi3 sort key: its minor version, then its target key.
func deployedGSI3SK(minor int, t platform.Target) string {
	return deployedMinorPrefix(minor) + targetKey(t)
}

// targetKey names a deployment target within the key space.
func targetKey(t platform.Target) string {
	switch t.Kind {
	case platform.EnvironmentTarget:
		return string(t.Kind) + "#" + t.Environment
	case platform.ServiceInstanceTarget:
		return string(t.Kind) + "#" + t.Service + "#" + t.Instance
	case platform.ComponentTarget:
		return string(t.Kind) + "#" + t.Component
	default:
		return string(t.Kind) + "#" + t.Service
	}
}

// targetItemKey returns the table key of a deployment's target; Invalid for an incomplete target.
func targetItemKey(t platform.Target) (pk, sk string, err error) {
	switch {
	case t.Kind == platform.EnvironmentTarget && t.Environment != "":
		return environmentPK(t.Environment), skEnvironment, nil
	case t.Kind == platform.ServiceInstanceTarget && t.Service != "" && t.Instance != "":
		return servicePK(t.Service), instanceSK(t.Instance), nil
	case t.Kind == platform.ServicePipelineTarget && t.Service != "":
		return servicePK(t.Service), skPipeline, nil
	case t.Kind == platform.ComponentTarget && t.Component != "":
		return componentPK(t.Component), skComponent, nil
	}
	return "", "", platform.FieldErrorf("target", "%q is not a complete environment, service instance, service pipeline or component (kind %q)", t.String(), t.Kind)
}

// targetWhat names a target in error messages, e.g. `service instance "frontend/frontend-dev"`.
func targetWhat(t platform.Target) string {
	switch t.Kind {
	case platform.EnvironmentTarget:
		return fmt.Sprintf("environment %q", t.Environment)
	case platform.ServiceInstanceTarget:
		return fmt.Sprintf("service instance %q", t.Service+"/"+t.Instance)
	case platform.ComponentTarget:
		return fmt.Sprintf("component %q", t.Component)
	default:
		return fmt.Sprintf("service pipeline %q", t.Service)
	}
}

func templateWhat(kind platform.TemplateKind, name string) string {
	if kind == platform.ServiceTemplate {
		return fmt.Sprintf("service template %q", name)
	}
	return fmt.Sprintf("environment template %q", name)
}

func versionWhat(kind platform.TemplateKind, name string, v platform.Version) string {
	return templateWhat(kind, name) + " version " + v.String()
}

// key is the table key of an item.
func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrPK: &types.AttributeValueMemberS{Value: pk},
		attrSK: &types.AttributeValueMemberS{Value: sk},
	}
}

// timeLayout formats times in UTC with a fixed number of fraction digits, so that the
// strings sort as the times do.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

func itoa(n int) string { return fmt.Sprint(n) }
