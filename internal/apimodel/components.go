package apimodel

import (
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Component is a directly defined component (Proton's Component shape): attached to a
// service instance (serviceName and serviceInstanceName) or detached, in environmentName.
// The deployment times are nil until a deployment was attempted or succeeded.
type Component struct {
	Name                      string                    `json:"name"`
	ARN                       string                    `json:"arn"`
	Description               string                    `json:"description,omitempty"`
	EnvironmentName           string                    `json:"environmentName"`
	ServiceName               string                    `json:"serviceName,omitempty"`
	ServiceInstanceName       string                    `json:"serviceInstanceName,omitempty"`
	ServiceSpec               string                    `json:"serviceSpec,omitempty"`
	DeploymentStatus          platform.DeploymentStatus `json:"deploymentStatus"`
	DeploymentStatusMessage   string                    `json:"deploymentStatusMessage,omitempty"`
	LastAttemptedDeploymentID string                    `json:"lastAttemptedDeploymentId,omitempty"`
	LastSucceededDeploymentID string                    `json:"lastSucceededDeploymentId,omitempty"`
	LastClientRequestToken    string                    `json:"lastClientRequestToken,omitempty"`
	LastDeploymentAttemptedAt *time.Time                `json:"lastDeploymentAttemptedAt,omitempty"`
	LastDeploymentSucceededAt *time.Time                `json:"lastDeploymentSucceededAt,omitempty"`
	StackName                 string                    `json:"stackName,omitempty"`
	CreatedAt                 time.Time                 `json:"createdAt"`
	LastModifiedAt            time.Time                 `json:"lastModifiedAt"`
}

// CreateComponent is the body of CreateComponent (Proton's fields): manifest and
// templateFile are the component's sources; serviceName with serviceInstanceName attach
// it, environmentName alone places a detached one.
type CreateComponent struct {
	Name                string `json:"name"`
	Description         string `json:"description,omitempty"`
	EnvironmentName     string `json:"environmentName,omitempty"`
	ServiceName         string `json:"serviceName,omitempty"`
	ServiceInstanceName string `json:"serviceInstanceName,omitempty"`
	ServiceSpec         string `json:"serviceSpec,omitempty"`
	Manifest            string `json:"manifest"`
	TemplateFile        string `json:"templateFile"`
	ClientToken         string `json:"clientToken,omitempty"`
	Tags                []Tag  `json:"tags,omitempty"`
}

// UpdateComponent is the body of UpdateComponent: deploymentType NONE changes the
// description only, CURRENT_VERSION redeploys; absent fields keep their value.
type UpdateComponent struct {
	DeploymentType      platform.DeploymentType `json:"deploymentType"`
	Description         *string                 `json:"description,omitempty"`
	ServiceName         *string                 `json:"serviceName,omitempty"`
	ServiceInstanceName *string                 `json:"serviceInstanceName,omitempty"`
	ServiceSpec         *string                 `json:"serviceSpec,omitempty"`
	TemplateFile        *string                 `json:"templateFile,omitempty"`
	ClientToken         string                  `json:"clientToken,omitempty"`
}

// Tag is one customer tag of a resource.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// TagResource is the body of TagResource: tags to add to, or change on, the resource
// resourceArn names.
type TagResource struct {
	ResourceARN string `json:"resourceArn"`
	Tags        []Tag  `json:"tags"`
}

// UntagResource is the body of UntagResource: the keys of the tags to remove.
type UntagResource struct {
	ResourceARN string   `json:"resourceArn"`
	TagKeys     []string `json:"tagKeys"`
}

// Tags are a resource's customer tags, by key (never null).
type Tags struct {
	Tags      []Tag  `json:"tags"`
	NextToken string `json:"nextToken,omitempty"`
}

// ProvisionedResource is a resource a target's deployments provisioned (Proton's
// ProvisionedResource): name is the template's logical id, identifier the physical id
// ("" while it is being created), provisioningEngine CLOUDFORMATION or TERRAFORM.
type ProvisionedResource struct {
	Name               string                      `json:"name"`
	Identifier         string                      `json:"identifier,omitempty"`
	ProvisioningEngine platform.ProvisioningEngine `json:"provisioningEngine"`
}
