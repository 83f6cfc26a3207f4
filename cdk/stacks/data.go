package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/gantry-platform/gantry/internal/store"
)

// DataStackProps configures NewDataStack.
type DataStackProps struct {
	awscdk.StackProps
}

// DataStack holds Gantry's state: the single table and the bucket of bundles and rendered
// templates. Both are retained when the stack is deleted, and the stack has termination
// protection: the stateless service stack can be destroyed and rebuilt freely.
type DataStack struct {
	awscdk.Stack
	Table  awsdynamodb.Table
	Bucket awss3.Bucket
	// AccessKeysKey seals the secrets of the access keys kept in Table: it lives with the
	// data, so that rebuilding the service stack keeps every key usable.
	AccessKeysKey awskms.Key
}

// NewDataStack builds the table from store.Design() (on-demand, point-in-time recovery,
// deletion protection, AWS-managed encryption, TTL) and the bucket (S3-managed encryption,
// public access blocked, TLS enforced, versioned).
func NewDataStack(scope constructs.Construct, id string, props *DataStackProps) *DataStack {
	sp := props.StackProps
	sp.TerminationProtection = jsii.Bool(true)
	if sp.Description == nil {
		sp.Description = jsii.String("Gantry data: the table and the bundle bucket (retained)")
	}
	stack := awscdk.NewStack(scope, &id, &sp)
	return &DataStack{Stack: stack, Table: newTable(stack), Bucket: newBundleBucket(stack), AccessKeysKey: newAccessKeysKey(stack)}
}

func newTable(scope constructs.Construct) awsdynamodb.Table {
	design := store.Design()
	key := func(name string) *awsdynamodb.Attribute {
		if name == "" {
			return nil
		}
		return &awsdynamodb.Attribute{Name: jsii.String(name), Type: awsdynamodb.AttributeType_STRING}
	}
	props := &awsdynamodb.TableProps{
		PartitionKey: key(design.PartitionKey),
		SortKey:      key(design.SortKey),
		BillingMode:  awsdynamodb.BillingMode_PAY_PER_REQUEST,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		DeletionProtection: jsii.Bool(true),
		RemovalPolicy:      awscdk.RemovalPolicy_RETAIN,
		Encryption:         awsdynamodb.TableEncryption_AWS_MANAGED,
	}
	if design.TTLAttribute != "" {
		props.TimeToLiveAttribute = jsii.String(design.TTLAttribute)
	}
	if design.StreamEnabled {
		props.Stream = awsdynamodb.StreamViewType_NEW_AND_OLD_IMAGES
	}
	table := awsdynamodb.NewTable(scope, jsii.String("Table"), props)
	for _, index := range design.Indexes {
		table.AddGlobalSecondaryIndex(&awsdynamodb.GlobalSecondaryIndexProps{
			IndexName:      jsii.String(index.Name),
			PartitionKey:   key(index.PartitionKey),
			SortKey:        key(index.SortKey),
			ProjectionType: awsdynamodb.ProjectionType_ALL,
		})
	}
	return table
}

func newBundleBucket(scope constructs.Construct) awss3.Bucket {
	bucket := awss3.NewBucket(scope, jsii.String("Bundles"), &awss3.BucketProps{
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:        jsii.Bool(true),
		Versioned:         jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id: jsii.String("expire-old-versions"),
			// Overwritten and deleted objects stay recoverable for 30 days, then stop
			// costing storage.
			NoncurrentVersionExpiration:         awscdk.Duration_Days(jsii.Number(30)),
			AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(1)),
		}, {
			Id: jsii.String("expire-build-sources"),
			// A CodeBuild provisioning build's source carries its reporter's key: it goes a
			// day after it was written (a build runs an hour at most), its versions too.
			Prefix:                      jsii.String(ProvisioningSourcePrefix),
			Expiration:                  awscdk.Duration_Days(jsii.Number(1)),
			NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(1)),
		}, {
			Id: jsii.String("expire-previews"),
			// A preview can be deployed for a day (platform.PreviewLifetime); its record
			// goes the day after, whether or not anyone reads it again.
			Prefix:                      jsii.String(PreviewPrefix),
			Expiration:                  awscdk.Duration_Days(jsii.Number(2)),
			NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(1)),
		}},
	})
	suppress(bucket, "AwsSolutions-S1", "private bucket read and written only by Gantry's function roles; "+
		"server access logs would need a second bucket and cost storage while idle. Enable CloudTrail S3 data events "+
		"on it when an object-level audit trail is required")
	return bucket
}
