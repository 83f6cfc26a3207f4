package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/gantry-platform/gantry/events"
)

// CodeBuildProvisioningProps configures NewCodeBuildProvisioning.
type CodeBuildProvisioningProps struct {
	// PolicyARNs are the managed policies of the builds' role: what the commands of
	// CodeBuild provisioning bundles may create (the operator's, as CloudFormation's).
	PolicyARNs []string
	// Bucket holds the builds' sources (provisioning/<deployment>.zip).
	Bucket awss3.IBucket
}

// CodeBuildProvisioning is the CodeBuild project that runs CodeBuild provisioning's
// commands (settings.provision and settings.deprovision of rendering_engine: codebuild
// bundles) and the role its builds run under.
type CodeBuildProvisioning struct {
	Construct constructs.Construct
	Project   awscodebuild.Project
	Role      awsiam.Role
}

// ProvisioningSourcePrefix is where the builds' sources are written in the bucket.
const ProvisioningSourcePrefix = "provisioning/"

// PreviewPrefix is where the control plane keeps previews in the bucket.
const PreviewPrefix = "previews/"

// NewCodeBuildProvisioning builds the role, trusted by CodeBuild in this account only,
// with the operator's policies and read access to the builds' sources, and the project
// gantry-provisioning-<stack>, whose every build overrides its source, buildspec and
// variables (internal/codebuild); one hour at most per build.
func NewCodeBuildProvisioning(scope constructs.Construct, id string, props *CodeBuildProvisioningProps) *CodeBuildProvisioning {
	c := constructs.NewConstruct(scope, &id)
	policies := managedPolicies(c, props.PolicyARNs)
	role := awsiam.NewRole(c, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("codebuild.amazonaws.com"), nil).
			WithConditions(&map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": awscdk.Aws_ACCOUNT_ID()}}),
		Description:     jsii.String("Gantry: CodeBuild provisioning's builds run their bundles' commands with this role"),
		ManagedPolicies: &policies,
	})
	props.Bucket.GrantRead(role, jsii.String(ProvisioningSourcePrefix+"*"))
	project := awscodebuild.NewProject(c, jsii.String("Project"), &awscodebuild.ProjectProps{
		ProjectName: jsii.String(events.NamePrefix + "provisioning-" + *awscdk.Aws_STACK_NAME()),
		Description: jsii.String("Gantry: runs CodeBuild provisioning bundles' commands; every build brings its own source and buildspec"),
		Role:        role,
		Timeout:     awscdk.Duration_Hours(jsii.Number(1)),
		Environment: &awscodebuild.BuildEnvironment{
			BuildImage:  awscodebuild.LinuxBuildImage_AMAZON_LINUX_2_5(),
			ComputeType: awscodebuild.ComputeType_SMALL,
		},
		BuildSpec: awscodebuild.BuildSpec_FromObject(&map[string]any{
			"version": "0.2",
			"phases":  map[string]any{"build": map[string]any{"commands": []string{"echo every Gantry build overrides this buildspec"}}},
		}),
	})
	suppress(project, "AwsSolutions-CB4", "the builds make no artefacts; their sources are in Gantry's bucket, encrypted at rest, and their logs in CloudWatch Logs")
	suppress(role, "AwsSolutions-IAM4", "the operator chooses these policies ("+ContextProvisioningPolicyARN+"); they bound what bundles' commands may create")
	suppress(role, "AwsSolutions-IAM5", "CDK grants scoped to this project's log groups and reports and to the sources' prefix of Gantry's bucket",
		matching(`^Resource::.*\*$`), matching(`^Action::s3:.*\*$`))
	return &CodeBuildProvisioning{Construct: c, Project: project, Role: role}
}
