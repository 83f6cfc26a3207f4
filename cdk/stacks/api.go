package stacks

import (
	"encoding/json"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2authorizers"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// HealthPath is a route served without a token: the liveness probe.
const HealthPath = "/healthz"

// WebhookPath is the route of the push webhooks of linked repositories, served without a
// token: each request is authenticated by its signature (HMAC with the repository's
// webhook secret), which the API function verifies.
const WebhookPath = "/webhooks/{provider}"

// APIProps configures NewAPI.
type APIProps struct {
	// Handler serves every route (API Gateway payload format 2.0).
	Handler *Function
	// Issuer and Audience configure the JWT authorizer.
	Issuer   string
	Audience []string
}

// API is Gantry's HTTP API.
type API struct {
	// Construct is the scope of the parts. It is not embedded: this struct is not a
	// construct and must not be handed to jsii as one.
	Construct constructs.Construct
	HTTPAPI   awsapigatewayv2.HttpApi
	Stage     awsapigatewayv2.HttpStage
	// AccessLogs receives one JSON line per request.
	AccessLogs awslogs.LogGroup
}

// NewAPI builds an HTTP API whose $default stage logs every request: ANY /{proxy+} behind a
// JWT authorizer, GET /healthz and POST /webhooks/{provider} without one, all served by
// the handler.
func NewAPI(scope constructs.Construct, id string, props *APIProps) *API {
	c := constructs.NewConstruct(scope, &id)
	api := awsapigatewayv2.NewHttpApi(c, jsii.String("HttpApi"), &awsapigatewayv2.HttpApiProps{
		Description:        jsii.String("Gantry API"),
		CreateDefaultStage: jsii.Bool(false),
	})
	accessLogs := awslogs.NewLogGroup(c, jsii.String("AccessLogs"), &awslogs.LogGroupProps{
		Retention:     LogRetention,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	stage := awsapigatewayv2.NewHttpStage(c, jsii.String("DefaultStage"), &awsapigatewayv2.HttpStageProps{
		HttpApi:    api,
		StageName:  jsii.String("$default"),
		AutoDeploy: jsii.Bool(true),
		AccessLogSettings: &accessLogSettings{
			destination: awsapigatewayv2.NewLogGroupLogDestination(accessLogs),
			format:      awsapigateway.AccessLogFormat_Custom(jsii.String(accessLogFormat())),
		},
	})

	integration := awsapigatewayv2integrations.NewHttpLambdaIntegration(jsii.String("Handler"), props.Handler.Function,
		&awsapigatewayv2integrations.HttpLambdaIntegrationProps{
			PayloadFormatVersion: awsapigatewayv2.PayloadFormatVersion_VERSION_2_0(),
		})
	authorizer := awsapigatewayv2authorizers.NewHttpJwtAuthorizer(jsii.String("Jwt"), jsii.String(props.Issuer),
		&awsapigatewayv2authorizers.HttpJwtAuthorizerProps{
			JwtAudience: jsii.Strings(props.Audience...),
		})
	api.AddRoutes(&awsapigatewayv2.AddRoutesOptions{
		Path:        jsii.String("/{proxy+}"),
		Methods:     &[]awsapigatewayv2.HttpMethod{awsapigatewayv2.HttpMethod_ANY},
		Integration: integration,
		Authorizer:  authorizer,
	})
	health := api.AddRoutes(&awsapigatewayv2.AddRoutesOptions{
		Path:        jsii.String(HealthPath),
		Methods:     &[]awsapigatewayv2.HttpMethod{awsapigatewayv2.HttpMethod_GET},
		Integration: integration,
	})
	for _, route := range *health {
		suppress(route, "AwsSolutions-APIG4", "GET "+HealthPath+" is a liveness probe for load balancers and uptime checks: no token, no data")
	}
	webhooks := api.AddRoutes(&awsapigatewayv2.AddRoutesOptions{
		Path:        jsii.String(WebhookPath),
		Methods:     &[]awsapigatewayv2.HttpMethod{awsapigatewayv2.HttpMethod_POST},
		Integration: integration,
	})
	for _, route := range *webhooks {
		suppress(route, "AwsSolutions-APIG4", "POST "+WebhookPath+" receives git providers' push webhooks, which carry no token: "+
			"each is authenticated by its HMAC signature with the repository's webhook secret, verified in constant time by the API function")
	}
	return &API{Construct: c, HTTPAPI: api, Stage: stage, AccessLogs: accessLogs}
}

// accessLogSettings implements awsapigatewayv2.IAccessLogSettings.
type accessLogSettings struct {
	destination awsapigatewayv2.IAccessLogDestination
	format      awsapigateway.AccessLogFormat
}

func (s *accessLogSettings) Destination() awsapigatewayv2.IAccessLogDestination { return s.destination }
func (s *accessLogSettings) Format() awsapigateway.AccessLogFormat              { return s.format }

// accessLogFormat is one JSON object per request, from HTTP API's $context variables.
func accessLogFormat() string {
	fields := map[string]string{
		"requestId":        "$context.requestId",
		"requestTime":      "$context.requestTime",
		"ip":               "$context.identity.sourceIp",
		"userAgent":        "$context.identity.userAgent",
		"method":           "$context.httpMethod",
		"routeKey":         "$context.routeKey",
		"path":             "$context.path",
		"protocol":         "$context.protocol",
		"status":           "$context.status",
		"responseLength":   "$context.responseLength",
		"latencyMs":        "$context.responseLatency",
		"integrationError": "$context.integrationErrorMessage",
		"authorizerError":  "$context.authorizer.error",
		"subject":          "$context.authorizer.claims.sub",
	}
	raw, err := json.Marshal(fields)
	if err != nil {
		panic("stacks: access log format: " + err.Error()) // a map of strings always marshals
	}
	return string(raw)
}
