package stacks

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// FunctionTag is the tag whose value is a function's logical name (lambdaenv.Functions()).
const FunctionTag = "gantry:function"

// LogRetention is how long the logs of functions, the API and the workflow are kept.
const LogRetention = awslogs.RetentionDays_ONE_MONTH

// Function is one of Gantry's Go Lambda functions with its own role and log group.
type Function struct {
	// Construct is the scope of the parts. It is not embedded: this struct is not a
	// construct and must not be handed to jsii as one.
	Construct constructs.Construct
	// Name is the logical name, e.g. "api".
	Name     string
	Function awslambda.Function
	// Role starts with no permission but writing to LogGroup; the service stack adds
	// grants.
	Role     awsiam.Role
	LogGroup awslogs.LogGroup
	access   access
}

// FunctionProps configures NewFunction.
type FunctionProps struct {
	// Name is the logical name; the code is <AssetsDir>/<Name>/bootstrap.
	Name      string
	AssetsDir string
	// Timeout and MemoryMiB size the function.
	Timeout   awscdk.Duration
	MemoryMiB float64
}

// NewFunction builds a Go function: provided.al2023 on arm64, handler bootstrap, JSON
// logs to a log group with LogRetention, a role without managed policies.
func NewFunction(scope constructs.Construct, id string, props *FunctionProps) *Function {
	c := constructs.NewConstruct(scope, &id)
	logGroup := awslogs.NewLogGroup(c, jsii.String("Logs"), &awslogs.LogGroupProps{
		Retention:     LogRetention,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	role := awsiam.NewRole(c, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Gantry " + props.Name + " function"),
	})
	logGroup.GrantWrite(role)
	fn := awslambda.NewFunction(c, jsii.String("Function"), &awslambda.FunctionProps{
		Description:           jsii.String("Gantry " + props.Name),
		Runtime:               awslambda.Runtime_PROVIDED_AL2023(),
		Architecture:          awslambda.Architecture_ARM_64(),
		Handler:               jsii.String("bootstrap"),
		Code:                  awslambda.Code_FromAsset(jsii.String(filepath.Join(props.AssetsDir, props.Name)), nil),
		Role:                  role,
		LogGroup:              logGroup,
		LoggingFormat:         awslambda.LoggingFormat_JSON,
		ApplicationLogLevelV2: awslambda.ApplicationLogLevel_INFO,
		SystemLogLevelV2:      awslambda.SystemLogLevel_WARN,
		Timeout:               props.Timeout,
		MemorySize:            jsii.Number(props.MemoryMiB),
	})
	awscdk.Tags_Of(fn).Add(jsii.String(FunctionTag), jsii.String(props.Name), nil)
	return &Function{Construct: c, Name: props.Name, Function: fn, Role: role, LogGroup: logGroup}
}

// checkAssets reports the functions whose <assetsDir>/<name>/bootstrap is missing, with
// the command that builds them.
func checkAssets(assetsDir string, names []string) error {
	var missing []string
	for _, name := range names {
		path := filepath.Join(assetsDir, name, "bootstrap")
		if info, err := os.Stat(path); err != nil || info.IsDir() {
			missing = append(missing, path)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s: missing Lambda binaries %s; build them with `make build` "+
			"(GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -o %s/<name>/bootstrap ./functions/<name>) "+
			"or point -c %s=DIR at a directory that has them",
			ContextAssetsDir, strings.Join(missing, ", "), assetsDir, ContextAssetsDir)
	}
	return nil
}
