package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/gantry-platform/gantry/internal/lambdaenv"
)

// ContextBundleBuckets lists the S3 buckets whose objects Proton's
// Create*TemplateVersion may name as source.s3: the API function may read them.
const ContextBundleBuckets = "gantry:bundleBuckets"

// ProtonEndpointProps configures NewProtonEndpoint.
type ProtonEndpointProps struct {
	API *API
	// Handler is the API function, which serves Proton's wire protocol too.
	Handler *Function
	// BundleBuckets are the buckets bundles may be read from.
	BundleBuckets []string
	// AccessKeysKey seals access keys' secrets (the data stack's, newAccessKeysKey).
	AccessKeysKey awskms.IKey
}

// ProtonEndpoint is Proton's wire protocol on the HTTP API: POST / reaching the API
// function without the JWT authorizer (requests carry AWS Signature Version 4, which the
// function verifies against Gantry's access keys).
type ProtonEndpoint struct {
	Construct constructs.Construct
}

// newAccessKeysKey is the KMS key sealing access keys' secrets, kept with the table.
func newAccessKeysKey(scope constructs.Construct) awskms.Key {
	return awskms.NewKey(scope, jsii.String("AccessKeysKey"), &awskms.KeyProps{
		Description:       jsii.String("Gantry: seals the secrets of the access keys that sign requests to the Proton endpoint"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
		PendingWindow:     awscdk.Duration_Days(jsii.Number(30)),
	})
}

// NewProtonEndpoint adds POST / to the API, grants the API function Encrypt and Decrypt
// with the access keys' KMS key (named by lambdaenv.AccessKeysKMSKey) and read access to
// the bundle buckets.
func NewProtonEndpoint(scope constructs.Construct, id string, props *ProtonEndpointProps) *ProtonEndpoint {
	c := constructs.NewConstruct(scope, &id)
	key := props.AccessKeysKey
	key.GrantEncryptDecrypt(props.Handler.Role)
	props.Handler.Function.AddEnvironment(jsii.String(lambdaenv.AccessKeysKMSKey), key.KeyArn(), nil)
	if len(props.BundleBuckets) > 0 {
		objects := make([]*string, 0, len(props.BundleBuckets))
		for _, b := range props.BundleBuckets {
			objects = append(objects, jsii.String("arn:"+*awscdk.Aws_PARTITION()+":s3:::"+b+"/*"))
		}
		props.Handler.Role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("ReadProtonBundleSources"), Actions: jsii.Strings("s3:GetObject"), Resources: &objects}))
	}
	integration := awsapigatewayv2integrations.NewHttpLambdaIntegration(jsii.String("ProtonHandler"), props.Handler.Function,
		&awsapigatewayv2integrations.HttpLambdaIntegrationProps{PayloadFormatVersion: awsapigatewayv2.PayloadFormatVersion_VERSION_2_0()})
	routes := props.API.HTTPAPI.AddRoutes(&awsapigatewayv2.AddRoutesOptions{
		Path:        jsii.String("/"),
		Methods:     &[]awsapigatewayv2.HttpMethod{awsapigatewayv2.HttpMethod_POST},
		Integration: integration,
	})
	for _, route := range *routes {
		suppress(route, "AwsSolutions-APIG4", "POST / is AWS Proton's wire protocol: requests are signed with AWS Signature Version 4 by Gantry-issued access keys, verified in full by the API function")
	}
	return &ProtonEndpoint{Construct: c}
}
