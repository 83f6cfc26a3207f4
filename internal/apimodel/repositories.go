package apimodel

import "time"

// CreateRepository is the body of POST /v1/repositories (Proton's CreateRepository).
type CreateRepository struct {
	// Provider is GITHUB, GITHUB_ENTERPRISE or BITBUCKET.
	Provider string `json:"provider"`
	// Name is owner/repo.
	Name          string `json:"name"`
	ConnectionARN string `json:"connectionArn"`
	EncryptionKey string `json:"encryptionKey,omitempty"`
	Tags          []Tag  `json:"tags,omitempty"`
}

// Repository is a linked repository.
type Repository struct {
	ARN           string    `json:"arn"`
	Provider      string    `json:"provider"`
	Name          string    `json:"name"`
	ConnectionARN string    `json:"connectionArn"`
	EncryptionKey string    `json:"encryptionKey,omitempty"`
	CreatedAt     time.Time `json:"createdAt"`
}

// RepositoryBranch is a branch of a linked repository; ARN is the repository's (answers only).
type RepositoryBranch struct {
	ARN      string `json:"arn,omitempty"`
	Provider string `json:"provider"`
	Name     string `json:"name"`
	Branch   string `json:"branch"`
}

// AccountSettings are the account-wide settings (Proton's AccountSettings).
type AccountSettings struct {
	PipelineProvisioningRepository *RepositoryBranch `json:"pipelineProvisioningRepository,omitempty"`
	PipelineServiceRoleARN         string            `json:"pipelineServiceRoleArn,omitempty"`
	PipelineCodebuildRoleARN       string            `json:"pipelineCodebuildRoleArn,omitempty"`
}

// UpdateAccountSettings is the body of PATCH /v1/account-settings: a field left out is
// kept; an empty role ARN removes it.
type UpdateAccountSettings struct {
	PipelineProvisioningRepository       *RepositoryBranch `json:"pipelineProvisioningRepository,omitempty"`
	DeletePipelineProvisioningRepository bool              `json:"deletePipelineProvisioningRepository,omitempty"`
	PipelineServiceRoleARN               *string           `json:"pipelineServiceRoleArn,omitempty"`
	PipelineCodebuildRoleARN             *string           `json:"pipelineCodebuildRoleArn,omitempty"`
}
