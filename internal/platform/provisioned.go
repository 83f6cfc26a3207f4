package platform

// ProvisioningEngine is what provisioned a resource (Proton's ProvisioningEngine).
type ProvisioningEngine string

// The provisioning engines.
const (
	CloudFormationEngine ProvisioningEngine = "CLOUDFORMATION"
	TerraformEngine      ProvisioningEngine = "TERRAFORM"
)

// ProvisionedResource is a resource a target's deployments provisioned (Proton's
// ProvisionedResource): its name in the template (a CloudFormation logical id), its
// identifier in its service (the physical id) and the engine that made it.
type ProvisionedResource struct {
	Name               string
	Identifier         string
	ProvisioningEngine ProvisioningEngine
}
