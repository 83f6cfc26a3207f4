package stacks_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/gantry-platform/gantry/cdk/stacks"
	"github.com/gantry-platform/gantry/internal/consolefiles"
)

func TestConsoleBucketIsPrivateAndReadByCloudFrontOnly(t *testing.T) {
	s := synthesized(t)
	holds(t, "console bucket", func() {
		s.service.HasResourceProperties(jsii.String("AWS::S3::Bucket"), map[string]any{
			"PublicAccessBlockConfiguration": map[string]any{"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true},
			"BucketEncryption":               assertions.Match_AnyValue(),
		})
	})
	holds(t, "origin access control", func() {
		s.service.HasResourceProperties(jsii.String("AWS::CloudFront::OriginAccessControl"), map[string]any{
			"OriginAccessControlConfig": assertions.Match_ObjectLike(&map[string]any{"OriginAccessControlOriginType": "s3", "SigningBehavior": "always"}),
		})
	})
	// The bucket policy lets CloudFront read, for this distribution only, and refuses plain HTTP.
	var readers, tlsOnly bool
	for _, id := range s.serviceJSON.ofType("AWS::S3::BucketPolicy") {
		raw, _ := json.Marshal(s.serviceJSON.Resources[id].Properties)
		policy := string(raw)
		if strings.Contains(policy, "cloudfront.amazonaws.com") {
			readers = strings.Contains(policy, "AWS:SourceArn") && strings.Contains(policy, "s3:GetObject") && !strings.Contains(policy, `"Principal":"*","Action":"s3:GetObject"`)
		}
		if strings.Contains(policy, "aws:SecureTransport") {
			tlsOnly = true
		}
	}
	if !readers || !tlsOnly {
		t.Errorf("console bucket policy: CloudFront reader with SourceArn %v, TLS only %v", readers, tlsOnly)
	}
}

func TestConsoleDistributionServesFilesAndTheAPIOnOneOrigin(t *testing.T) {
	s := synthesized(t)
	ids := s.serviceJSON.ofType("AWS::CloudFront::Distribution")
	if len(ids) != 1 {
		t.Fatalf("distributions %v, want one", ids)
	}
	cfg := s.serviceJSON.Resources[ids[0]].Properties["DistributionConfig"].(map[string]any)
	def := cfg["DefaultCacheBehavior"].(map[string]any)
	if def["ViewerProtocolPolicy"] != "redirect-to-https" || cfg["DefaultRootObject"] != "index.html" {
		t.Errorf("default behaviour %v, root %v", def["ViewerProtocolPolicy"], cfg["DefaultRootObject"])
	}
	if fas, _ := def["FunctionAssociations"].([]any); len(fas) != 1 || fas[0].(map[string]any)["EventType"] != "viewer-request" {
		t.Errorf("default behaviour's functions %v, want the client-route rewrite on viewer-request", def["FunctionAssociations"])
	}
	var patterns []string
	origins := cfg["Origins"].([]any)
	for _, b := range cfg["CacheBehaviors"].([]any) {
		b := b.(map[string]any)
		patterns = append(patterns, b["PathPattern"].(string))
		if b["ViewerProtocolPolicy"] != "redirect-to-https" || len(b["AllowedMethods"].([]any)) != 7 {
			t.Errorf("%s: %v, methods %v; want HTTPS and every method", b["PathPattern"], b["ViewerProtocolPolicy"], b["AllowedMethods"])
		}
		if b["TargetOriginId"] == def["TargetOriginId"] {
			t.Errorf("%s goes to the files' origin", b["PathPattern"])
		}
		for _, o := range origins {
			o := o.(map[string]any)
			if o["Id"] != b["TargetOriginId"] {
				continue
			}
			domain, _ := json.Marshal(o["DomainName"])
			custom, _ := o["CustomOriginConfig"].(map[string]any)
			if !strings.Contains(string(domain), "HttpApi") || custom["OriginProtocolPolicy"] != "https-only" {
				t.Errorf("%s goes to %s (%v), want the HTTP API over HTTPS", b["PathPattern"], domain, custom)
			}
		}
	}
	slices.Sort(patterns)
	want := slices.Clone(stacks.ConsoleAPIPaths)
	slices.Sort(want)
	if !slices.Equal(patterns, want) {
		t.Errorf("API behaviours %v, want %v", patterns, want)
	}
	// The API's cache policy forwards Authorization and caches nothing the API does not ask for.
	holds(t, "API cache policy", func() {
		s.service.HasResourceProperties(jsii.String("AWS::CloudFront::CachePolicy"), map[string]any{
			"CachePolicyConfig": assertions.Match_ObjectLike(&map[string]any{
				"DefaultTTL": 0, "MinTTL": 0,
				"ParametersInCacheKeyAndForwardedToOrigin": assertions.Match_ObjectLike(&map[string]any{
					"HeadersConfig":      map[string]any{"HeaderBehavior": "whitelist", "Headers": []any{"Authorization"}},
					"QueryStringsConfig": map[string]any{"QueryStringBehavior": "all"},
				}),
			}),
		})
	})
}

func TestConsoleClientRoutesFunctionIsConsolefilesRule(t *testing.T) {
	s := synthesized(t)
	holds(t, "CloudFront function", func() {
		s.service.HasResourceProperties(jsii.String("AWS::CloudFront::Function"), map[string]any{
			"FunctionCode":   consolefiles.ViewerRequestFunction(),
			"FunctionConfig": assertions.Match_ObjectLike(&map[string]any{"Runtime": "cloudfront-js-2.0"}),
		})
	})
}

func TestConsoleConfigNamesTheIssuerTheAPITrusts(t *testing.T) {
	s := synthesized(t)
	ids := s.serviceJSON.ofType("Custom::CDKBucketDeployment")
	if len(ids) != 1 {
		t.Fatalf("bucket deployments %v, want one", ids)
	}
	raw, _ := json.Marshal(s.serviceJSON.Resources[ids[0]].Properties)
	props := string(raw)
	// Source.jsonData's object is in the deployment's markers; its values are the context's.
	for _, want := range []string{`console-config.json`, `/index.html`} {
		if !strings.Contains(props, want) {
			t.Errorf("bucket deployment lacks %s: %s", want, props)
		}
	}
	cfg := s.gantry.Service.Console
	if cfg == nil {
		t.Fatal("no console in the service stack although its files are built")
	}
	holds(t, "API authorizer", func() {
		s.service.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Authorizer"), map[string]any{
			"JwtConfiguration": map[string]any{"Issuer": testContext[stacks.ContextJWTIssuer], "Audience": []any{"client-one", "client-two"}},
		})
	})
}

func TestConsoleURLIsAnOutput(t *testing.T) {
	s := synthesized(t)
	found := false
	for id, o := range s.serviceJSON.Outputs {
		if strings.HasPrefix(id, "Console") {
			raw, _ := json.Marshal(o)
			found = strings.Contains(string(raw), "https://") && strings.Contains(string(raw), "DomainName")
		}
	}
	if !found {
		t.Errorf("no console URL among the outputs %v", s.serviceJSON.Outputs)
	}
}
