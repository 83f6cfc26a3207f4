package stacks

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfrontorigins"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3deployment"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/gantry-platform/gantry/internal/consolefiles"
)

// ConsoleAPIPaths are the path patterns CloudFront sends to the HTTP API; every other
// path is the console's (its files, or index.html for its client routes). Proton's wire
// protocol (POST /) stays on the API's own endpoint, where SDKs and the aws CLI sign for it.
var ConsoleAPIPaths = []string{"/v1/*", "/openapi.json", "/healthz"}

// ConsoleProps configures NewConsole.
type ConsoleProps struct {
	// Dir is the built console (web/dist, `make web`).
	Dir string
	// API is the HTTP API the console calls, on the same origin.
	API *API
	// Config gives the sign-in: the issuer, the client (the first audience) and the groups.
	Config Config
}

// Console is the web console on AWS: its files in a private bucket, a CloudFront
// distribution serving them and, on the same origin, the API.
type Console struct {
	Construct    constructs.Construct
	Bucket       awss3.Bucket
	Distribution awscloudfront.Distribution
}

// ConsoleBuilt reports whether dir holds a built console (its index.html).
func ConsoleBuilt(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, "index.html"))
	return err == nil && !st.IsDir()
}

// NewConsole deploys the console in props.Dir to a private, encrypted bucket read by
// CloudFront through origin access control only, with console-config.json beside it (the
// OIDC sign-in: issuer, client id, groups claim and groups). The distribution redirects to
// HTTPS; its default behaviour serves the files, a CloudFront function answering
// index.html for client routes (consolefiles' rule, as gantry-local applies it); the
// ConsoleAPIPaths go to the API uncached, with the viewer's Authorization header.
func NewConsole(scope constructs.Construct, id string, props *ConsoleProps) *Console {
	c := constructs.NewConstruct(scope, &id)
	bucket := awss3.NewBucket(c, jsii.String("Files"), &awss3.BucketProps{
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:        jsii.Bool(true),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
	})
	suppress(bucket, "AwsSolutions-S1", "the console's built files, rebuilt from the repository at each deploy and read only through CloudFront; "+
		"server access logs would need a second bucket and cost storage while idle")

	rewrite := awscloudfront.NewFunction(c, jsii.String("ClientRoutes"), &awscloudfront.FunctionProps{
		Comment: jsii.String("Gantry console: client routes answer index.html"),
		Code:    awscloudfront.FunctionCode_FromInline(jsii.String(consolefiles.ViewerRequestFunction())),
		Runtime: awscloudfront.FunctionRuntime_JS_2_0(),
	})
	// The API behind CloudFront: nothing cached (the API sends no Cache-Control, so the
	// default TTL of 0 applies), and the Authorization header forwarded, which CloudFront
	// does only for a header of the cache key.
	apiCache := awscloudfront.NewCachePolicy(c, jsii.String("ApiPassThrough"), &awscloudfront.CachePolicyProps{
		Comment:             jsii.String("Gantry API through the console's distribution: never cached, Authorization forwarded"),
		DefaultTtl:          awscdk.Duration_Seconds(jsii.Number(0)),
		MinTtl:              awscdk.Duration_Seconds(jsii.Number(0)),
		MaxTtl:              awscdk.Duration_Seconds(jsii.Number(1)),
		HeaderBehavior:      awscloudfront.CacheHeaderBehavior_AllowList(jsii.String("Authorization")),
		QueryStringBehavior: awscloudfront.CacheQueryStringBehavior_All(),
		CookieBehavior:      awscloudfront.CacheCookieBehavior_None(),
	})
	apiDomain := awscdk.Fn_Select(jsii.Number(2), awscdk.Fn_Split(jsii.String("/"), props.API.HTTPAPI.ApiEndpoint(), nil))
	apiBehavior := &awscloudfront.BehaviorOptions{
		Origin:               awscloudfrontorigins.NewHttpOrigin(apiDomain, &awscloudfrontorigins.HttpOriginProps{ProtocolPolicy: awscloudfront.OriginProtocolPolicy_HTTPS_ONLY}),
		ViewerProtocolPolicy: awscloudfront.ViewerProtocolPolicy_REDIRECT_TO_HTTPS,
		AllowedMethods:       awscloudfront.AllowedMethods_ALLOW_ALL(),
		CachePolicy:          apiCache,
		OriginRequestPolicy:  awscloudfront.OriginRequestPolicy_ALL_VIEWER_EXCEPT_HOST_HEADER(),
	}
	behaviors := map[string]*awscloudfront.BehaviorOptions{}
	for _, p := range ConsoleAPIPaths {
		behaviors[p] = apiBehavior
	}
	dist := awscloudfront.NewDistribution(c, jsii.String("Distribution"), &awscloudfront.DistributionProps{
		Comment:           jsii.String("Gantry console and API"),
		DefaultRootObject: jsii.String("index.html"),
		HttpVersion:       awscloudfront.HttpVersion_HTTP2_AND_3,
		PriceClass:        awscloudfront.PriceClass_PRICE_CLASS_100,
		DefaultBehavior: &awscloudfront.BehaviorOptions{
			Origin:               awscloudfrontorigins.S3BucketOrigin_WithOriginAccessControl(bucket, nil),
			ViewerProtocolPolicy: awscloudfront.ViewerProtocolPolicy_REDIRECT_TO_HTTPS,
			CachePolicy:          awscloudfront.CachePolicy_CACHING_OPTIMIZED(),
			FunctionAssociations: &[]*awscloudfront.FunctionAssociation{{
				Function:  rewrite,
				EventType: awscloudfront.FunctionEventType_VIEWER_REQUEST,
			}},
		},
		AdditionalBehaviors: &behaviors,
	})
	suppress(dist, "AwsSolutions-CFR1", "the console is for the organisation's own users wherever they are; the API authenticates every call")
	suppress(dist, "AwsSolutions-CFR2", "static files and an API that authenticates every call; attach a web ACL (gantry's operators' choice and cost) when required")
	suppress(dist, "AwsSolutions-CFR3", "the API behind it logs every request in its access log; CloudFront standard logs would need a bucket costing storage while idle")
	suppress(dist, "AwsSolutions-CFR4", "the default *.cloudfront.net certificate: TLS 1.2 is negotiated by current browsers; set a custom domain and certificate for a minimum protocol")

	cfg := props.Config
	config := map[string]any{
		"mode":            "oidc",
		"issuer":          cfg.issuer(),
		"clientId":        cfg.audience()[0],
		"groupsClaim":     cfg.GroupsClaim,
		"adminGroups":     cfg.AdminGroups,
		"developerGroups": cfg.DeveloperGroups,
	}
	deployment := awss3deployment.NewBucketDeployment(c, jsii.String("Deploy"), &awss3deployment.BucketDeploymentProps{
		DestinationBucket: bucket,
		Sources: &[]awss3deployment.ISource{
			awss3deployment.Source_Asset(jsii.String(props.Dir), nil),
			awss3deployment.Source_JsonData(jsii.String("console-config.json"), config, nil),
		},
		Distribution:      dist,
		DistributionPaths: jsii.Strings("/index.html", "/console-config.json"),
		MemoryLimit:       jsii.Number(256),
	})
	_ = deployment
	suppressDeploymentHandler(c)
	awscdk.NewCfnOutput(c, jsii.String("URL"), &awscdk.CfnOutputProps{
		Description: jsii.String("The web console (register <URL>/callback as the OIDC client's redirect URI)"),
		Value:       awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("https://"), dist.DistributionDomainName()}),
	})
	return &Console{Construct: c, Bucket: bucket, Distribution: dist}
}

// suppressDeploymentHandler records why cdk-nag's findings on the CDK-provided function
// that copies the files into the bucket (a singleton of the stack) are accepted.
func suppressDeploymentHandler(scope constructs.Construct) {
	stack := awscdk.Stack_Of(scope)
	for _, child := range *stack.Node().Children() {
		if !strings.HasPrefix(*child.Node().Id(), "Custom::CDKBucketDeployment") {
			continue
		}
		suppress(child, "AwsSolutions-IAM4", "the CDK's deployment function logs through AWSLambdaBasicExecutionRole (CloudWatch Logs only)")
		suppress(child, "AwsSolutions-IAM5", "the CDK's deployment function copies the console's files from the CDK asset bucket "+
			"(s3:GetObject*, s3:List*) into the console's bucket (s3:PutObject*, s3:DeleteObject*): object wildcards of those two buckets")
		suppress(child, "AwsSolutions-L1", "the CDK pins its deployment function's runtime; it runs only while a deploy copies the console's files")
	}
}
