package apimodel

import "time"

// CreateAccessKey is the body of POST /v1/access-keys.
type CreateAccessKey struct {
	// Role is admin or developer.
	Role string `json:"role"`
	Team string `json:"team,omitempty"`
	// Account is the AWS account the key's requests act in; omitted, the platform's own.
	Account     string `json:"account,omitempty"`
	Description string `json:"description,omitempty"`
}

// UpdateAccessKey is the body of PATCH /v1/access-keys/{id}.
type UpdateAccessKey struct {
	// Status is Active or Inactive.
	Status string `json:"status"`
}

// AccessKey is an access key for AWS Signature Version 4 requests to Gantry's Proton
// endpoint; SecretAccessKey is set only in the answer that created it.
type AccessKey struct {
	AccessKeyID     string    `json:"accessKeyId"`
	SecretAccessKey string    `json:"secretAccessKey,omitempty"`
	Role            string    `json:"role"`
	Team            string    `json:"team,omitempty"`
	Account         string    `json:"account,omitempty"`
	Description     string    `json:"description,omitempty"`
	Status          string    `json:"status"`
	CreatedBy       string    `json:"createdBy,omitempty"`
	CreatedAt       time.Time `json:"createdAt"`
}
