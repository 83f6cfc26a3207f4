package platform

import "testing"

func TestARNRoundTrip(t *testing.T) {
	scope := ARNScope{Partition: "aws", Region: "eu-west-1", Account: "123456789012"}
	for _, c := range []struct {
		r    Resource
		want string
	}{
		{Resource{Type: EnvironmentResource, Name: "dev"}, "arn:aws:proton:eu-west-1:123456789012:environment/dev"},
		{Resource{Type: ServiceResource, Name: "web"}, "arn:aws:proton:eu-west-1:123456789012:service/web"},
		{Resource{Type: ServiceInstanceResource, Service: "web", Name: "web-dev"}, "arn:aws:proton:eu-west-1:123456789012:service/web/service-instance/web-dev"},
		{TemplateResource(EnvironmentTemplate, "vpc"), "arn:aws:proton:eu-west-1:123456789012:environment-template/vpc"},
		{TemplateResource(ServiceTemplate, "api"), "arn:aws:proton:eu-west-1:123456789012:service-template/api"},
		{TemplateVersionResource(EnvironmentTemplate, "vpc", Version{1, 2}), "arn:aws:proton:eu-west-1:123456789012:environment-template/vpc:1.2"},
		{TemplateVersionResource(ServiceTemplate, "api", Version{3, 0}), "arn:aws:proton:eu-west-1:123456789012:service-template/api:3.0"},
		{Resource{Type: ComponentResource, Name: "cache"}, "arn:aws:proton:eu-west-1:123456789012:component/cache"},
		{Resource{Type: DeploymentResource, Name: "6f1c"}, "arn:aws:proton:eu-west-1:123456789012:deployment/6f1c"},
	} {
		if got := scope.ARN(c.r); got != c.want {
			t.Errorf("ARN(%v) = %s, want %s", c.r, got, c.want)
		}
		back, err := scope.ParseARN("resourceArn", c.want)
		if err != nil || back != c.r {
			t.Errorf("ParseARN(%s) = %+v, %v; want %+v", c.want, back, err, c.r)
		}
	}
}

func TestParseARNRefuses(t *testing.T) {
	scope := DefaultARNScope()
	for _, arn := range []string{
		"",
		"environment/dev",
		"arn:aws:proton:eu-west-1:000000000000:environment/dev", // another region
		"arn:aws:proton:us-east-1:111111111111:environment/dev", // another account
		"arn:aws:s3:us-east-1:000000000000:environment/dev",
		"arn:aws:proton:us-east-1:000000000000:environment/",
		"arn:aws:proton:us-east-1:000000000000:environment/a/b",
		"arn:aws:proton:us-east-1:000000000000:pipeline/x",
		"arn:aws:proton:us-east-1:000000000000:service/web/other/x",
		"arn:aws:proton:us-east-1:000000000000:service/web/service-instance/",
		"arn:aws:proton:us-east-1:000000000000:environment-template/vpc:1",
		"arn:aws:proton:us-east-1:000000000000:service-template/api:x.y",
	} {
		_, err := scope.ParseARN("resourceArn", arn)
		if KindOf(err) != Invalid {
			t.Errorf("ParseARN(%q) = %v, want Invalid", arn, err)
		}
		if e, ok := err.(*Error); ok && e.Field != "resourceArn" {
			t.Errorf("ParseARN(%q) names field %q, want resourceArn", arn, e.Field)
		}
	}
}
