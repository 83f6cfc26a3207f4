package stacks

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/gantry-platform/gantry/events"
)

// ContextEnvironmentAccounts lists the environment accounts (joined by connections) whose
// connection stacks may put their stack events on Gantry's default bus.
const ContextEnvironmentAccounts = "gantry:environmentAccounts"

// AllowEnvironmentAccounts lets each of accounts put events on the default bus of stack
// (Gantry's): the cross-account target of their connection stacks' forwarding rules.
func AllowEnvironmentAccounts(stack awscdk.Stack, accounts []string) {
	for _, account := range accounts {
		awsevents.NewCfnEventBusPolicy(stack, jsii.String("EnvironmentAccount"+account), &awsevents.CfnEventBusPolicyProps{
			EventBusName: jsii.String("default"),
			StatementId:  jsii.String("gantry-" + account),
			Action:       jsii.String("events:PutEvents"),
			Principal:    jsii.String(account),
		})
	}
}

// ConnectionStackID is the id (and stack name) of the connection stack, deployed in an
// environment account, not in Gantry's.
const ConnectionStackID = "GantryConnection"

// The connection stack's parameters.
const (
	ParamPlatformAccountID = "PlatformAccountId"
	ParamConnectionIDs     = "ConnectionIds"
	// PendingConnection is ParamConnectionIDs' default: no connection id matches it, so
	// the role cannot be assumed until the stack is updated with the connections' ids.
	PendingConnection = "pending"
)

// ConnectionStackProps configures NewConnectionStack.
type ConnectionStackProps struct {
	awscdk.StackProps
	// RoleName is the role Gantry assumes in the environment account: Config's
	// AccountRoleName, which Gantry's functions may assume.
	RoleName string
	// PolicyARNs are the managed policies of the role: what users' templates may create in
	// the environment account.
	PolicyARNs []string
	// PlatformRegion is the region of Gantry's bus, which the forwarding rule targets;
	// "" is the stack's own region.
	PlatformRegion string
	// Regions are the regions besides the stack's own where Gantry deploys stacks in the
	// environment account with the role (environments created with a region); each
	// needs a ForwardingStack there for its events.
	Regions []string
}

// ConnectionStack is what an environment account deploys to be joined to Gantry by
// environment account connections (parameters PlatformAccountId, and ConnectionIds once
// the connections are requested): the role Gantry assumes there, trusted by the platform
// account only with one of the connections' ids as external id, allowed CloudFormation on
// Gantry's stacks (gantry-*) and to pass the roles those stacks create; and a rule that
// forwards the account's CloudFormation stack events (events.ForwardingRules) to the
// platform account's default bus.
type ConnectionStack struct {
	Stack   awscdk.Stack
	Role    awsiam.Role
	Forward []awsevents.Rule
}

// NewConnectionStack builds the connection stack; an error when the forwarding rules of
// package events cannot be read.
func NewConnectionStack(scope constructs.Construct, id string, props *ConnectionStackProps) (*ConnectionStack, error) {
	stack := awscdk.NewStack(scope, &id, &props.StackProps)
	platform := awscdk.NewCfnParameter(stack, jsii.String(ParamPlatformAccountID), &awscdk.CfnParameterProps{
		Type: jsii.String("String"), AllowedPattern: jsii.String("^[0-9]{12}$"),
		Description: jsii.String("The AWS account Gantry runs in (the management account)")})
	connections := awscdk.NewCfnParameter(stack, jsii.String(ParamConnectionIDs), &awscdk.CfnParameterProps{
		Type: jsii.String("CommaDelimitedList"), Default: jsii.String(PendingConnection),
		Description: jsii.String("The ids of this account's environment account connections (gantry account-connection create): Gantry assumes the role with one of them as external id")})

	policies := make([]awsiam.IManagedPolicy, 0, len(props.PolicyARNs))
	for i, arn := range props.PolicyARNs {
		policies = append(policies, awsiam.ManagedPolicy_FromManagedPolicyArn(stack, jsii.String(fmt.Sprintf("Policy%d", i)), jsii.String(arn)))
	}
	role := awsiam.NewRole(stack, jsii.String("ConnectionRole"), &awsiam.RoleProps{
		RoleName: jsii.String(props.RoleName),
		AssumedBy: awsiam.NewAccountPrincipal(platform.ValueAsString()).WithConditions(&map[string]any{
			"StringEquals": map[string]any{"sts:ExternalId": connections.ValueAsList()},
		}),
		Description:     jsii.String("Gantry deploys environments' stacks (gantry-*) in this account with this role, assumed from its account with a connection id as external id"),
		ManagedPolicies: &policies,
	})
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("GantryStacks"),
		Actions: jsii.Strings("cloudformation:CreateChangeSet", "cloudformation:DescribeChangeSet", "cloudformation:ExecuteChangeSet",
			"cloudformation:DeleteChangeSet", "cloudformation:DescribeStacks", "cloudformation:DescribeStackEvents",
			"cloudformation:DeleteStack", "cloudformation:CancelUpdateStack", "cloudformation:GetTemplate", "cloudformation:ListStackResources"),
		Resources: jsii.Strings(stacksIn(append([]string{*awscdk.Aws_REGION()}, props.Regions...))...),
	}))
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		// An import scans the account for AWS Proton's stacks: DescribeStacks without a
		// stack name has no narrower resource.
		Sid:       jsii.String("ListStacks"),
		Actions:   jsii.Strings("cloudformation:DescribeStacks"),
		Resources: jsii.Strings("*"),
	}))
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("PassTheStacksRoles"),
		Actions:   jsii.Strings("iam:PassRole"),
		Resources: jsii.Strings(fmt.Sprintf("arn:%s:iam::%s:role/%s*", *awscdk.Aws_PARTITION(), *awscdk.Aws_ACCOUNT_ID(), events.NamePrefix)),
	}))
	suppress(role, "AwsSolutions-IAM5", "CloudFormation on Gantry's stacks (gantry-*) and the AWS Proton stacks it adopts (AWSProton-*), "+
		"and passing the roles they create (named after their stacks): the stacks' names are only known as they are deployed; "+
		"DescribeStacks on * lets an import list the account's stacks to find AWS Proton's (DescribeStacks without a name has no narrower resource)")
	if len(policies) > 0 {
		suppress(role, "AwsSolutions-IAM4", "the operator chooses these policies: they bound what users' templates may create in this account")
	}

	forward, err := forwardStackEvents(stack, platform.ValueAsString(), props.PlatformRegion)
	if err != nil {
		return nil, err
	}
	awscdk.NewCfnOutput(stack, jsii.String("RoleArn"), &awscdk.CfnOutputProps{Value: role.RoleArn(),
		Description: jsii.String("The roleArn of gantry account-connection create")})
	return &ConnectionStack{Stack: stack, Role: role, Forward: forward}, nil
}

// stacksIn are the ARNs of Gantry's stacks (gantry-*) and of the AWS Proton stacks it
// adopts (AWSProton-*) in the stack's account, in each of regions.
func stacksIn(regions []string) []string {
	out := make([]string, 0, 2*len(regions))
	for _, r := range regions {
		for _, prefix := range []string{events.NamePrefix, events.AdoptedNamePrefix} {
			out = append(out, fmt.Sprintf("arn:%s:cloudformation:%s:%s:stack/%s*/*", *awscdk.Aws_PARTITION(), r, *awscdk.Aws_ACCOUNT_ID(), prefix))
		}
	}
	return out
}

// forwardStackEvents adds to stack the rules of events.ForwardingRules, each targeting the
// default bus of account platformAccount in region platformRegion ("" the stack's own), with
// a role EventBridge assumes that may put events there; an error when the rules cannot be
// read.
func forwardStackEvents(stack awscdk.Stack, platformAccount *string, platformRegion string) ([]awsevents.Rule, error) {
	region := platformRegion
	if region == "" {
		region = *awscdk.Aws_REGION()
	}
	bus := awsevents.EventBus_FromEventBusArn(stack, jsii.String("PlatformBus"),
		jsii.String(fmt.Sprintf("arn:%s:events:%s:%s:event-bus/default", *awscdk.Aws_PARTITION(), region, *platformAccount)))
	forwarder := awsiam.NewRole(stack, jsii.String("ForwardRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil),
		Description: jsii.String("EventBridge puts this account's stack events on Gantry's bus with this role"),
	})
	rules, err := events.ForwardingRules()
	if err != nil {
		return nil, err
	}
	var out []awsevents.Rule
	for _, r := range rules {
		var pattern map[string]any
		if err := json.Unmarshal(r.Pattern, &pattern); err != nil {
			return nil, fmt.Errorf("events.ForwardingRules: rule %s: pattern: %w", r.Name, err)
		}
		rule := awsevents.NewRule(stack, jsii.String(r.Name), &awsevents.RuleProps{
			Description:  jsii.String(truncate(r.Description, 512)),
			EventPattern: &awsevents.EventPattern{Source: jsii.Strings("placeholder")},
		})
		rule.Node().DefaultChild().(awsevents.CfnRule).AddPropertyOverride(jsii.String("EventPattern"), pattern)
		rule.AddTarget(awseventstargets.NewEventBus(bus, &awseventstargets.EventBusProps{Role: forwarder}))
		out = append(out, rule)
	}
	return out, nil
}

// ForwardingStackID starts the id (and stack name) of a forwarding stack:
// GantryForwarding-REGION.
const ForwardingStackID = "GantryForwarding"

// ForwardingStackProps configures NewForwardingStack.
type ForwardingStackProps struct {
	// StackProps' Env.Region is the region the stack forwards from.
	awscdk.StackProps
	// PlatformRegion is the region of Gantry's bus, which the rule targets.
	PlatformRegion string
}

// ForwardingStack is what an account deploys in a region other than Gantry's where
// environments deploy (the platform's own account, or an environment account beside its
// connection stack), parameter PlatformAccountId: a rule that forwards the region's
// CloudFormation stack events (events.ForwardingRules) to the platform account's default
// bus in PlatformRegion, across regions (and accounts), so the workflow sees them.
type ForwardingStack struct {
	Stack   awscdk.Stack
	Forward []awsevents.Rule
}

// NewForwardingStack builds a forwarding stack; an error when props has no PlatformRegion
// or the forwarding rules of package events cannot be read.
func NewForwardingStack(scope constructs.Construct, id string, props *ForwardingStackProps) (*ForwardingStack, error) {
	if props.PlatformRegion == "" {
		return nil, fmt.Errorf("forwarding stack %s: no platform region (%s)", id, ContextPlatformRegion)
	}
	stack := awscdk.NewStack(scope, &id, &props.StackProps)
	platform := awscdk.NewCfnParameter(stack, jsii.String(ParamPlatformAccountID), &awscdk.CfnParameterProps{
		Type: jsii.String("String"), AllowedPattern: jsii.String("^[0-9]{12}$"),
		Description: jsii.String("The AWS account Gantry runs in (the management account; this account itself when it is Gantry's)")})
	forward, err := forwardStackEvents(stack, platform.ValueAsString(), props.PlatformRegion)
	if err != nil {
		return nil, err
	}
	return &ForwardingStack{Stack: stack, Forward: forward}, nil
}
