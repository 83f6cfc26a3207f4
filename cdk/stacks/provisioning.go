package stacks

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// ProvisioningProps configures NewProvisioning.
type ProvisioningProps struct {
	// PolicyARNs are the managed policies of the role: what users' templates may create.
	PolicyARNs []string
}

// Provisioning is the role CloudFormation assumes to create, update and delete users'
// stacks in this account. Gantry's own functions never hold these permissions; the deploy
// function may only pass the role to CloudFormation.
type Provisioning struct {
	// Construct is the scope of the parts. It is not embedded: this struct is not a
	// construct and must not be handed to jsii as one.
	Construct constructs.Construct
	Role      awsiam.Role
}

// NewProvisioning builds the role, trusted by CloudFormation in this account only, with
// the given managed policies. Without policies the role can create nothing, and synth
// warns.
func NewProvisioning(scope constructs.Construct, id string, props *ProvisioningProps) *Provisioning {
	c := constructs.NewConstruct(scope, &id)
	policies := managedPolicies(c, props.PolicyARNs)
	role := awsiam.NewRole(c, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("cloudformation.amazonaws.com"), nil).
			WithConditions(&map[string]any{
				"StringEquals": map[string]any{"aws:SourceAccount": awscdk.Aws_ACCOUNT_ID()},
			}),
		Description:     jsii.String("Gantry: CloudFormation provisions users' stacks (gantry-*) with this role"),
		ManagedPolicies: &policies,
	})
	if len(policies) == 0 {
		awscdk.Annotations_Of(role).AddWarningV2(jsii.String("gantry:noProvisioningPolicies"),
			jsii.String(ContextProvisioningPolicyARN+" is empty: CloudFormation can create nothing in this account "+
				"for Gantry's deployments until you set it (see docs/deploy.md)"))
	} else {
		suppress(role, "AwsSolutions-IAM4",
			"the operator chooses these policies ("+ContextProvisioningPolicyARN+": "+strings.Join(props.PolicyARNs, ", ")+
				"); they bound what users' templates may create, not what Gantry's code may do")
	}
	return &Provisioning{Construct: c, Role: role}
}

// managedPolicies imports the managed policies arns into scope (Policy0, Policy1, …).
func managedPolicies(scope constructs.Construct, arns []string) []awsiam.IManagedPolicy {
	policies := make([]awsiam.IManagedPolicy, 0, len(arns))
	for i, arn := range arns {
		policies = append(policies, awsiam.ManagedPolicy_FromManagedPolicyArn(scope, jsii.String(fmt.Sprintf("Policy%d", i)), jsii.String(arn)))
	}
	return policies
}
