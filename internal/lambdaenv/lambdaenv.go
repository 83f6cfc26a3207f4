// Package lambdaenv names the environment variables through which the CDK app configures
// Gantry's Lambda functions: one definition read by both sides.
package lambdaenv

// The environment variables set on Gantry's functions.
const (
	// TableName is the DynamoDB table of platform.Store.
	TableName = "GANTRY_TABLE_NAME"
	// BucketName is the S3 bucket of bundles and rendered templates.
	BucketName = "GANTRY_BUCKET_NAME"
	// StateMachineARN is the deployment workflow.
	StateMachineARN = "GANTRY_STATE_MACHINE_ARN"
	// EventBusName is the bus Gantry publishes its own status-change events on.
	EventBusName = "GANTRY_EVENT_BUS_NAME"
	// TopicARN is the SNS topic of notifications.
	TopicARN = "GANTRY_TOPIC_ARN"
	// ProvisioningRoleARN is the role CloudFormation uses for users' stacks in this account.
	ProvisioningRoleARN = "GANTRY_PROVISIONING_ROLE_ARN"
	// AccountRoleName is the name of the role Gantry assumes in connected accounts.
	AccountRoleName = "GANTRY_ACCOUNT_ROLE_NAME"
	// EventSource is the source of Gantry's own events.
	EventSource = "GANTRY_EVENT_SOURCE"
	// AdminGroups and DeveloperGroups are comma-separated identity-provider group names
	// (the token's "groups" claim) that grant the admin and developer roles.
	AdminGroups     = "GANTRY_ADMIN_GROUPS"
	DeveloperGroups = "GANTRY_DEVELOPER_GROUPS"
	// GroupsClaim names the token claim holding the caller's groups ("groups" when unset;
	// "cognito:groups" for Amazon Cognito).
	GroupsClaim = "GANTRY_GROUPS_CLAIM"
	// AccessKeysKMSKey is the KMS key that seals the secrets of the access keys signing
	// requests to the Proton endpoint (the API function only).
	AccessKeysKMSKey = "GANTRY_ACCESS_KEYS_KMS_KEY"
	// BuildProject is the CodeBuild project of CodeBuild provisioning's builds, and
	// ProtonEndpoint the URL their commands report to (AWS_ENDPOINT_URL_PROTON).
	BuildProject   = "GANTRY_BUILD_PROJECT"
	ProtonEndpoint = "GANTRY_PROTON_ENDPOINT"
	// SyncStateMachineARN is the sync workflow (statemachines/sync.asl.json), which the
	// webhook receiver and the poller start.
	SyncStateMachineARN = "GANTRY_SYNC_STATE_MACHINE_ARN"
	// GitCredentialsSecretARN is the Secrets Manager secret holding the tokens that clone
	// hosted repositories (package gitcredentials); unset: public repositories only.
	GitCredentialsSecretARN = "GANTRY_GIT_CREDENTIALS_SECRET_ARN"
	// GitHubEnterpriseURL is the base URL of the GitHub Enterprise installation whose
	// repositories are linked as GITHUB_ENTERPRISE (https://github.example.com).
	GitHubEnterpriseURL = "GANTRY_GITHUB_ENTERPRISE_URL"
)

// Functions lists Gantry's Lambda functions by logical name; each is built from
// functions/<name>.
func Functions() []string {
	return []string{"api", "render", "deploy", "record", "notify", "events", "sync", "poll"}
}
