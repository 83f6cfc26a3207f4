// Package statemachines holds Gantry's workflow definitions in Amazon States Language:
// the single source that the CDK app deploys to Step Functions and the local runner
// executes. Definitions name Lambda functions as ${<Name>FunctionArn} substitutions.
package statemachines

import _ "embed"

//go:embed deployment.asl.json
var deployment []byte

//go:embed sync.asl.json
var syncDefinition []byte

// Deployment returns the text of statemachines/deployment.asl.json (a fresh copy).
func Deployment() []byte { return append([]byte(nil), deployment...) }

// DeploymentSubstitutions returns the definition substitutions of Deployment, keyed by
// their name in the definition, each mapped to the logical function name whose ARN
// replaces it.
func DeploymentSubstitutions() map[string]string {
	return map[string]string{
		"RenderFunctionArn": "render",
		"DeployFunctionArn": "deploy",
		"RecordFunctionArn": "record",
		"NotifyFunctionArn": "notify",
	}
}

// Sync returns the text of statemachines/sync.asl.json (a fresh copy): one commit
// processed for one sync configuration.
func Sync() []byte { return append([]byte(nil), syncDefinition...) }

// SyncSubstitutions returns the definition substitutions of Sync, as
// DeploymentSubstitutions does for Deployment.
func SyncSubstitutions() map[string]string {
	return map[string]string{"SyncFunctionArn": "sync"}
}
