// Package awsclients loads one AWS configuration per cold start and builds, once, the SDK
// clients Gantry's adapters use. For local use every client can be pointed at another
// endpoint through environment variables (see EndpointURL). It holds no Gantry logic.
package awsclients

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/codebuild"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// EndpointURL is the environment variable that points every client at one endpoint (a
// local stand-in); EndpointURL + "_" + a Service (e.g. GANTRY_ENDPOINT_URL_S3) points one
// service's client and wins over EndpointURL. Unset, the SDK's own resolution applies
// (which also honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>).
const EndpointURL = "GANTRY_ENDPOINT_URL"

// Service names one AWS service, as it appears in the per-service endpoint variable.
type Service string

// The services Gantry uses.
const (
	DynamoDB       Service = "DYNAMODB"
	S3             Service = "S3"
	CloudFormation Service = "CLOUDFORMATION"
	StepFunctions  Service = "SFN"
	EventBridge    Service = "EVENTBRIDGE"
	SNS            Service = "SNS"
	STS            Service = "STS"
	CodeBuild      Service = "CODEBUILD"
	SecretsManager Service = "SECRETSMANAGER"
)

// Clients are the SDK clients of one AWS configuration, each built once.
type Clients struct {
	// Config is the configuration the clients were built from; adapters that build
	// clients of their own (e.g. for another account) start from it.
	Config         aws.Config
	DynamoDB       *dynamodb.Client
	S3             *s3.Client
	CloudFormation *cloudformation.Client
	StepFunctions  *sfn.Client
	EventBridge    *eventbridge.Client
	SNS            *sns.Client
	STS            *sts.Client
	CodeBuild      *codebuild.Client
	SecretsManager *secretsmanager.Client
	endpoints      map[Service]string
}

// Load loads the default AWS configuration (environment, shared files, the Lambda role)
// once and builds the clients with New. getenv reads the endpoint variables (nil:
// os.Getenv); optFns adjust loading (tests pass static credentials and a retryer). The
// error, if any, is about loading the configuration and names no credential.
func Load(ctx context.Context, getenv func(string) string, optFns ...func(*config.LoadOptions) error) (*Clients, error) {
	cfg, err := config.LoadDefaultConfig(ctx, optFns...)
	if err != nil {
		return nil, fmt.Errorf("awsclients: load the AWS configuration: %w", err)
	}
	return New(cfg, getenv), nil
}

// New builds every client from cfg, with the endpoint overrides getenv reports (nil:
// os.Getenv). An S3 client with an overridden endpoint uses path-style addressing, which
// local S3 stand-ins need.
func New(cfg aws.Config, getenv func(string) string) *Clients {
	if getenv == nil {
		getenv = os.Getenv
	}
	c := &Clients{Config: cfg, endpoints: map[Service]string{}}
	for _, s := range []Service{DynamoDB, S3, CloudFormation, StepFunctions, EventBridge, SNS, STS, CodeBuild, SecretsManager} {
		if url := endpoint(getenv, s); url != "" {
			c.endpoints[s] = url
		}
	}
	c.DynamoDB = dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = c.Endpoint(DynamoDB) })
	c.S3 = s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = c.Endpoint(S3)
		o.UsePathStyle = o.UsePathStyle || o.BaseEndpoint != nil
	})
	c.CloudFormation = cloudformation.NewFromConfig(cfg, func(o *cloudformation.Options) { o.BaseEndpoint = c.Endpoint(CloudFormation) })
	c.StepFunctions = sfn.NewFromConfig(cfg, func(o *sfn.Options) { o.BaseEndpoint = c.Endpoint(StepFunctions) })
	c.EventBridge = eventbridge.NewFromConfig(cfg, func(o *eventbridge.Options) { o.BaseEndpoint = c.Endpoint(EventBridge) })
	c.SNS = sns.NewFromConfig(cfg, func(o *sns.Options) { o.BaseEndpoint = c.Endpoint(SNS) })
	c.STS = sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = c.Endpoint(STS) })
	c.CodeBuild = codebuild.NewFromConfig(cfg, func(o *codebuild.Options) { o.BaseEndpoint = c.Endpoint(CodeBuild) })
	c.SecretsManager = secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) { o.BaseEndpoint = c.Endpoint(SecretsManager) })
	return c
}

// Endpoint returns the overridden endpoint of s, or nil (the SDK resolves it).
func (c *Clients) Endpoint(s Service) *string {
	if url, ok := c.endpoints[s]; ok {
		return aws.String(url)
	}
	return nil
}

func endpoint(getenv func(string) string, s Service) string {
	if url := strings.TrimSpace(getenv(EndpointURL + "_" + string(s))); url != "" {
		return url
	}
	return strings.TrimSpace(getenv(EndpointURL))
}
