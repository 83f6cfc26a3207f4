package apimodel

import "time"

// CreateEnvironmentAccountConnection is the body of POST
// /v1/environment-account-connections, sent from the environment account.
type CreateEnvironmentAccountConnection struct {
	ManagementAccountID string `json:"managementAccountId"`
	EnvironmentName     string `json:"environmentName"`
	RoleARN             string `json:"roleArn,omitempty"`
	ComponentRoleARN    string `json:"componentRoleArn,omitempty"`
	CodebuildRoleARN    string `json:"codebuildRoleArn,omitempty"`
	ClientToken         string `json:"clientToken,omitempty"`
	Tags                []Tag  `json:"tags,omitempty"`
}

// UpdateEnvironmentAccountConnection is the body of PATCH
// /v1/environment-account-connections/{id}: omitted roles are kept.
type UpdateEnvironmentAccountConnection struct {
	RoleARN          *string `json:"roleArn,omitempty"`
	ComponentRoleARN *string `json:"componentRoleArn,omitempty"`
	CodebuildRoleARN *string `json:"codebuildRoleArn,omitempty"`
}

// EnvironmentAccountConnection is Proton's EnvironmentAccountConnection.
type EnvironmentAccountConnection struct {
	ID                   string    `json:"id"`
	ARN                  string    `json:"arn"`
	ManagementAccountID  string    `json:"managementAccountId"`
	EnvironmentAccountID string    `json:"environmentAccountId"`
	EnvironmentName      string    `json:"environmentName"`
	RoleARN              string    `json:"roleArn,omitempty"`
	ComponentRoleARN     string    `json:"componentRoleArn,omitempty"`
	CodebuildRoleARN     string    `json:"codebuildRoleArn,omitempty"`
	Status               string    `json:"status"`
	RequestedAt          time.Time `json:"requestedAt"`
	LastModifiedAt       time.Time `json:"lastModifiedAt"`
}
