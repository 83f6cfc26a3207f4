package stacks_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/gantry-platform/gantry/internal/lambdaenv"
)

// TestProtonEndpoint checks Proton's wire protocol on AWS: POST / reaches the API
// function without the JWT authorizer (SigV4 is verified by the function), the access
// keys' KMS key rotates and is the API function's to use, and the API function may read
// the listed bundle buckets.
func TestProtonEndpoint(t *testing.T) {
	s := synthesized(t)
	holds(t, "POST / without the JWT authorizer", func() {
		s.service.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Route"), map[string]any{
			"RouteKey": "POST /", "AuthorizationType": "NONE",
		})
	})
	holds(t, "the access keys' KMS key rotates, in the data stack", func() {
		s.data.HasResourceProperties(jsii.String("AWS::KMS::Key"), map[string]any{
			"EnableKeyRotation": true,
			"Description":       assertions.Match_StringLikeRegexp(jsii.String("access keys")),
		})
	})
	holds(t, "the API function is told the key", func() {
		s.service.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
			"Environment": map[string]any{"Variables": assertions.Match_ObjectLike(&map[string]any{
				lambdaenv.AccessKeysKMSKey: assertions.Match_AnyValue(),
			})},
		})
	})
	holds(t, "the API function may encrypt and decrypt with it and read bundle buckets", func() {
		s.service.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
			"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
				assertions.Match_ObjectLike(&map[string]any{"Action": assertions.Match_ArrayWith(&[]any{"kms:Decrypt", "kms:Encrypt"})}),
				assertions.Match_ObjectLike(&map[string]any{"Sid": "ReadProtonBundleSources", "Action": "s3:GetObject",
					"Resource": assertions.Match_AnyValue()}),
			})},
		})
	})
}
