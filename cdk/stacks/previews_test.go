package stacks_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/gantry-platform/gantry/cdk/stacks"
)

// TestPreviewsExpire checks that the bucket drops preview records two days after they
// were written (a preview is deployable for one).
func TestPreviewsExpire(t *testing.T) {
	s := synthesized(t)
	holds(t, "previews expire after two days", func() {
		s.data.HasResourceProperties(jsii.String("AWS::S3::Bucket"), map[string]any{
			"LifecycleConfiguration": map[string]any{"Rules": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
				"Prefix": stacks.PreviewPrefix, "Status": "Enabled", "ExpirationInDays": 2,
				"NoncurrentVersionExpiration": map[string]any{"NoncurrentDays": 1}})})},
		})
	})
}
