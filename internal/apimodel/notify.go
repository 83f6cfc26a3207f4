package apimodel

// NotifyResourceDeploymentStatusChange is the body of Proton's
// NotifyResourceDeploymentStatusChange: how the deployment of the resource resourceArn
// stands, reported by what provisions it (a CodeBuild provisioning's commands, a
// provisioning repository's CI), with outputs.
type NotifyResourceDeploymentStatusChange struct {
	ResourceARN   string   `json:"resourceArn"`
	Status        string   `json:"status"`
	Outputs       []Output `json:"outputs,omitempty"`
	DeploymentID  string   `json:"deploymentId,omitempty"`
	StatusMessage string   `json:"statusMessage,omitempty"`
}

// NotifyResult is NotifyResourceDeploymentStatusChange's answer: nothing, as Proton's.
type NotifyResult struct{}
