package api

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platform"
)

// The wire format is a contract with every client: these tests pin each answer's JSON to
// the byte, fully populated and with every optional field left out.

var (
	t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	t1 = time.Date(2025, 3, 1, 12, 5, 30, 250_000_000, time.FixedZone("CET", 3600))
)

func fullDeployable() platform.Deployable {
	return platform.Deployable{TemplateName: "vpc", TemplateVersion: platform.Version{Major: 2, Minor: 3},
		Spec: "proton: EnvironmentSpec\nspec: {a: \"<&>\"}\n", DeploymentStatus: platform.Failed,
		DeploymentStatusMessage: "stack rolled back", LastDeploymentID: "d2", LastSucceededDeploymentID: "d1",
		StackName: "gantry-env-beta", Outputs: []platform.Output{{Key: "VpcId", Value: "vpc-1"}},
		LastAttemptedAt: t1, LastSucceededAt: t0, CreatedAt: t0, Revision: 7}
}

func encoded(t *testing.T, body any) string {
	t.Helper()
	rec := httptest.NewRecorder()
	writeJSON(rec, 200, body)
	return rec.Body.String()
}

func TestViewsJSON(t *testing.T) {
	arns := platform.DefaultARNScope()
	minor := platform.Deployable{TemplateName: "vpc", TemplateVersion: platform.Version{Major: 1}, DeploymentStatus: platform.InProgress}
	pipeline := platform.ServicePipeline{Service: "api", Deployable: fullDeployable()}
	running := platform.ServicePipeline{Service: "api", Deployable: minor,
		LastExecution: &platform.PipelineExecution{ID: "e1", State: "STARTED", Stage: "Build", UpdatedAt: t0}}
	for _, c := range []struct {
		name string
		got  any
		want string
	}{
		{"template", viewTemplate(arns, platform.Template{Kind: platform.EnvironmentTemplate, Name: "vpc", DisplayName: "VPC", Description: "a network",
			Recommended: platform.Version{Major: 2, Minor: 0}, Pinned: true, CreatedAt: t0, UpdatedAt: t1, Revision: 3}),
			`{"name":"vpc","arn":"arn:aws:proton:us-east-1:000000000000:environment-template/vpc","displayName":"VPC","description":"a network","recommendedVersion":"2.0","recommendedMajorVersion":2,"recommendedMinorVersion":0,"recommendedVersionPinned":true,"createdAt":"2025-03-01T12:00:00Z","lastModifiedAt":"2025-03-01T12:05:30.25+01:00"}` + "\n"},
		{"template, bare", viewTemplate(arns, platform.Template{Name: "vpc"}),
			`{"name":"vpc","arn":"arn:aws:proton:us-east-1:000000000000:environment-template/vpc","createdAt":"0001-01-01T00:00:00Z","lastModifiedAt":"0001-01-01T00:00:00Z"}` + "\n"},
		{"service template version with schema", viewVersion(arns, platform.TemplateVersion{Kind: platform.ServiceTemplate, TemplateName: "web",
			Version: platform.Version{Major: 1, Minor: 2}, Status: platform.VersionStatus("PUBLISHED"), StatusMessage: "ok", Description: "d",
			Schema: "schema: {}", CompatibleEnvironments: []platform.CompatibleEnvironment{{TemplateName: "vpc", MajorVersion: 2}},
			SupportedComponentSources: []string{"DIRECTLY_DEFINED"}, HasPipeline: false, CreatedAt: t0, UpdatedAt: t1}, true),
			`{"templateName":"web","arn":"arn:aws:proton:us-east-1:000000000000:service-template/web:1.2","majorVersion":1,"minorVersion":2,"status":"PUBLISHED","statusMessage":"ok","description":"d","schema":"schema: {}","compatibleEnvironmentTemplates":[{"templateName":"vpc","majorVersion":2}],"supportedComponentSources":["DIRECTLY_DEFINED"],"hasPipeline":false,"createdAt":"2025-03-01T12:00:00Z","lastModifiedAt":"2025-03-01T12:05:30.25+01:00"}` + "\n"},
		{"environment template version without schema", viewVersion(arns, platform.TemplateVersion{Kind: platform.EnvironmentTemplate, TemplateName: "vpc",
			Version: platform.Version{Major: 1}, Status: platform.VersionStatus("DRAFT"), Schema: "schema: {}", CreatedAt: t0, UpdatedAt: t0}, false),
			`{"templateName":"vpc","arn":"arn:aws:proton:us-east-1:000000000000:environment-template/vpc:1.0","majorVersion":1,"minorVersion":0,"status":"DRAFT","createdAt":"2025-03-01T12:00:00Z","lastModifiedAt":"2025-03-01T12:00:00Z"}` + "\n"},
		{"environment", viewEnvironment(arns, platform.Environment{Name: "beta", Description: "the beta", Region: "us-west-2", Deployable: fullDeployable()}),
			`{"name":"beta","arn":"arn:aws:proton:us-east-1:000000000000:environment/beta","description":"the beta","region":"us-west-2","templateName":"vpc","templateMajorVersion":2,"templateMinorVersion":3,"spec":"proton: EnvironmentSpec\nspec: {a: \"<&>\"}\n","deploymentStatus":"FAILED","deploymentStatusMessage":"stack rolled back","lastDeploymentId":"d2","lastSucceededDeploymentId":"d1","stackName":"gantry-env-beta","lastDeploymentAttemptedAt":"2025-03-01T12:05:30.25+01:00","lastDeploymentSucceededAt":"2025-03-01T12:00:00Z","createdAt":"2025-03-01T12:00:00Z"}` + "\n"},
		{"environment, bare", viewEnvironment(arns, platform.Environment{Name: "beta", Deployable: minor}),
			`{"name":"beta","arn":"arn:aws:proton:us-east-1:000000000000:environment/beta","region":"us-east-1","templateName":"vpc","templateMajorVersion":1,"templateMinorVersion":0,"deploymentStatus":"IN_PROGRESS","createdAt":"0001-01-01T00:00:00Z"}` + "\n"},
		{"pipeline with an execution", viewPipeline(running),
			`{"serviceName":"api","templateName":"vpc","templateMajorVersion":1,"templateMinorVersion":0,"deploymentStatus":"IN_PROGRESS","createdAt":"0001-01-01T00:00:00Z","lastExecution":{"executionId":"e1","state":"STARTED","stage":"Build","updatedAt":"2025-03-01T12:00:00Z"}}` + "\n"},
		{"service with pipeline", viewService(arns, platform.Service{Name: "api", Description: "the api", TemplateName: "web",
			TemplateVersion: platform.Version{Major: 1, Minor: 1}, Spec: "proton: ServiceSpec\n", RepositoryID: "o/r",
			RepositoryConnectionARN: "arn:aws:codestar-connections:eu-west-1:1:connection/x", BranchName: "main", HasPipeline: true,
			Status: platform.ServiceActive, CreatedAt: t0, UpdatedAt: t1}, &pipeline),
			`{"name":"api","arn":"arn:aws:proton:us-east-1:000000000000:service/api","description":"the api","templateName":"web","templateMajorVersion":1,"templateMinorVersion":1,"spec":"proton: ServiceSpec\n","status":"ACTIVE","repositoryId":"o/r","repositoryConnectionArn":"arn:aws:codestar-connections:eu-west-1:1:connection/x","branchName":"main","pipeline":{"serviceName":"api","templateName":"vpc","templateMajorVersion":2,"templateMinorVersion":3,"spec":"proton: EnvironmentSpec\nspec: {a: \"<&>\"}\n","deploymentStatus":"FAILED","deploymentStatusMessage":"stack rolled back","lastDeploymentId":"d2","lastSucceededDeploymentId":"d1","stackName":"gantry-env-beta","lastDeploymentAttemptedAt":"2025-03-01T12:05:30.25+01:00","lastDeploymentSucceededAt":"2025-03-01T12:00:00Z","createdAt":"2025-03-01T12:00:00Z"},"createdAt":"2025-03-01T12:00:00Z","lastModifiedAt":"2025-03-01T12:05:30.25+01:00"}` + "\n"},
		{"service, bare", viewService(arns, platform.Service{Name: "api", TemplateName: "web", Status: platform.ServiceDeleteInProgress}, nil),
			`{"name":"api","arn":"arn:aws:proton:us-east-1:000000000000:service/api","templateName":"web","templateMajorVersion":0,"templateMinorVersion":0,"status":"DELETE_IN_PROGRESS","createdAt":"0001-01-01T00:00:00Z","lastModifiedAt":"0001-01-01T00:00:00Z"}` + "\n"},
		{"service instance", viewInstance(arns, platform.ServiceInstance{Service: "api", Name: "api-beta", Environment: "beta", Deployable: minor}),
			`{"name":"api-beta","arn":"arn:aws:proton:us-east-1:000000000000:service/api/service-instance/api-beta","serviceName":"api","environmentName":"beta","templateName":"vpc","templateMajorVersion":1,"templateMinorVersion":0,"deploymentStatus":"IN_PROGRESS","createdAt":"0001-01-01T00:00:00Z"}` + "\n"},
		{"outputs", viewOutputs([]platform.Output{{Key: "Url", Value: "https://x/?a=1&b=<2>"}}),
			`{"outputs":[{"key":"Url","valueString":"https://x/?a=1&b=<2>"}]}` + "\n"},
		{"no outputs", viewOutputs(nil), `{"outputs":[]}` + "\n"},
		{"deployment", viewDeployment(arns, platform.Deployment{ID: "d2", Target: platform.Target{Kind: platform.ServiceInstanceTarget, Environment: "beta", Service: "api", Instance: "api-beta"},
			Operation: platform.Deploy, TemplateName: "web", TemplateVersion: platform.Version{Major: 1, Minor: 1}, Spec: "spec: {}\n",
			Inputs: []byte(`{"x":1,"url":"https://x/?a=1&b=<2>","nested":{"list":[true,null]}}`), Status: platform.Succeeded, StatusMessage: "done", StackName: "s", StackID: "arn:s",
			Outputs: []platform.Output{{Key: "K", Value: "V"}}, ExecutionID: "e", TaskToken: "tt", RenderedKey: "rk",
			PreviousDeploymentID: "d1", CreatedAt: t0, UpdatedAt: t1, CompletedAt: t1}),
			`{"id":"d2","arn":"arn:aws:proton:us-east-1:000000000000:deployment/d2","targetResourceType":"SERVICE_INSTANCE","environmentName":"beta","serviceName":"api","serviceInstanceName":"api-beta","operation":"DEPLOY","templateName":"web","templateMajorVersion":1,"templateMinorVersion":1,"spec":"spec: {}\n","inputs":{"x":1,"url":"https://x/?a=1&b=<2>","nested":{"list":[true,null]}},"deploymentStatus":"SUCCEEDED","deploymentStatusMessage":"done","stackName":"s","stackId":"arn:s","outputs":[{"key":"K","valueString":"V"}],"previousDeploymentId":"d1","createdAt":"2025-03-01T12:00:00Z","lastModifiedAt":"2025-03-01T12:05:30.25+01:00","completedAt":"2025-03-01T12:05:30.25+01:00"}` + "\n"},
		{"deployment, bare", viewDeployment(arns, platform.Deployment{ID: "d1", Target: platform.Target{Kind: platform.EnvironmentTarget}, Operation: platform.Delete, Status: platform.Cancelling}),
			`{"id":"d1","arn":"arn:aws:proton:us-east-1:000000000000:deployment/d1","targetResourceType":"ENVIRONMENT","operation":"DELETE","deploymentStatus":"CANCELLING","createdAt":"0001-01-01T00:00:00Z","lastModifiedAt":"0001-01-01T00:00:00Z"}` + "\n"},
		{"deployment, inputs not JSON", viewDeployment(arns, platform.Deployment{ID: "d1", Target: platform.Target{Kind: platform.EnvironmentTarget, Environment: "beta"},
			Operation: platform.Deploy, Inputs: []byte(`{"x":`), Status: platform.InProgress}),
			`{"id":"d1","arn":"arn:aws:proton:us-east-1:000000000000:deployment/d1","targetResourceType":"ENVIRONMENT","environmentName":"beta","operation":"DEPLOY","deploymentStatus":"IN_PROGRESS","createdAt":"0001-01-01T00:00:00Z","lastModifiedAt":"0001-01-01T00:00:00Z"}` + "\n"},
		{"list", viewList(platform.Page[platform.Template]{Items: []platform.Template{{Name: "a"}}, NextToken: "n1"}, func(t platform.Template) apimodel.Template { return viewTemplate(arns, t) }),
			`{"items":[{"name":"a","arn":"arn:aws:proton:us-east-1:000000000000:environment-template/a","createdAt":"0001-01-01T00:00:00Z","lastModifiedAt":"0001-01-01T00:00:00Z"}],"nextToken":"n1"}` + "\n"},
		{"empty list", viewList(platform.Page[platform.Environment]{}, func(e platform.Environment) apimodel.Environment { return viewEnvironment(arns, e) }), `{"items":[]}` + "\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := encoded(t, c.got); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestErrorJSON(t *testing.T) {
	h := &handler{opts: Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}}
	rec := httptest.NewRecorder()
	h.fail(rec, httptest.NewRequest("GET", "/v1/environments/x", nil), "r-1", platform.Errorf(platform.NotFound, "environment %q <not> found", "x"))
	want := `{"code":"ResourceNotFoundException","message":"environment \"x\" <not> found","requestId":"r-1"}` + "\n"
	if got := rec.Body.String(); got != want || rec.Code != 404 {
		t.Errorf("got %d %s\nwant 404 %s", rec.Code, got, want)
	}
}
