package apiclient_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gantry-platform/gantry/internal/apiclient"
	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platform"
)

// recorded is one request a fake API received.
type recorded struct{ method, path, body string }

// mustRecorder serves a fake API that answers every request with answer and records what
// it was sent; it returns a client of it and the record.
func mustRecorder(t *testing.T, answer string) (*apiclient.Client, *[]recorded) {
	t.Helper()
	var got []recorded
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, recorded{r.Method, r.URL.Path, string(b)})
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, answer)
	}))
	t.Cleanup(ts.Close)
	c, err := apiclient.New(ts.URL, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	return c, &got
}

// The request bodies are a contract with the API: these tests pin them to the byte.
func TestRequestBodies(t *testing.T) {
	ctx := context.Background()
	c, got := mustRecorder(t, `{}`)
	two, three := 2, 3
	latest, pin, display, empty := "latest", "1.2", "VPC", ""
	calls := []struct {
		call func() error
		want recorded
	}{
		{func() error {
			_, err := c.CreateTemplate(ctx, platform.ServiceTemplate, apimodel.CreateTemplate{Name: "web"})
			return err
		}, recorded{"POST", "/v1/service-templates", `{"name":"web"}`}},
		{func() error {
			_, err := c.CreateTemplate(ctx, platform.EnvironmentTemplate, apimodel.CreateTemplate{Name: "vpc", DisplayName: "VPC", Description: "a <network>"})
			return err
		}, recorded{"POST", "/v1/environment-templates", `{"name":"vpc","displayName":"VPC","description":"a \u003cnetwork\u003e"}`}},
		{func() error {
			_, err := c.UpdateTemplate(ctx, platform.ServiceTemplate, "web", apimodel.UpdateTemplate{RecommendedVersion: &latest})
			return err
		}, recorded{"PATCH", "/v1/service-templates/web", `{"recommendedVersion":"latest"}`}},
		{func() error {
			_, err := c.UpdateTemplate(ctx, platform.EnvironmentTemplate, "vpc", apimodel.UpdateTemplate{DisplayName: &display, Description: &empty, RecommendedVersion: &pin})
			return err
		}, recorded{"PATCH", "/v1/environment-templates/vpc", `{"displayName":"VPC","description":"","recommendedVersion":"1.2"}`}},
		{func() error {
			_, err := c.CreateEnvironment(ctx, apimodel.CreateEnvironment{Name: "beta", TemplateName: "vpc", TemplateMajorVersion: 1, Spec: "s"})
			return err
		}, recorded{"POST", "/v1/environments", `{"name":"beta","templateName":"vpc","templateMajorVersion":1,"spec":"s"}`}},
		{func() error {
			_, err := c.CreateEnvironment(ctx, apimodel.CreateEnvironment{Name: "beta", Description: "d", TemplateName: "vpc",
				TemplateMajorVersion: 1, TemplateMinorVersion: &two, Spec: "s", ClientToken: "ct"})
			return err
		}, recorded{"POST", "/v1/environments", `{"name":"beta","description":"d","templateName":"vpc","templateMajorVersion":1,"templateMinorVersion":2,"spec":"s","clientToken":"ct"}`}},
		{func() error {
			_, err := c.UpdateEnvironment(ctx, "beta", apimodel.Update{DeploymentType: platform.DeployCurrentVersion})
			return err
		}, recorded{"PATCH", "/v1/environments/beta", `{"deploymentType":"CURRENT_VERSION"}`}},
		{func() error {
			_, err := c.UpdateServiceInstance(ctx, "api", "api-beta", apimodel.Update{Spec: "s", DeploymentType: platform.DeployMinorVersion,
				TemplateMajorVersion: &two, TemplateMinorVersion: &three, ClientToken: "ct"})
			return err
		}, recorded{"PATCH", "/v1/services/api/instances/api-beta", `{"spec":"s","deploymentType":"MINOR_VERSION","templateMajorVersion":2,"templateMinorVersion":3,"clientToken":"ct"}`}},
		{func() error {
			_, err := c.CreateService(ctx, apimodel.CreateService{Name: "api", TemplateName: "web", TemplateMajorVersion: 1, Spec: "s"})
			return err
		}, recorded{"POST", "/v1/services", `{"name":"api","templateName":"web","templateMajorVersion":1,"spec":"s"}`}},
		{func() error {
			_, err := c.CreateService(ctx, apimodel.CreateService{Name: "api", Description: "d", TemplateName: "web", TemplateMajorVersion: 1,
				TemplateMinorVersion: &three, Spec: "s", RepositoryID: "o/r", RepositoryConnectionARN: "arn:c", BranchName: "main", ClientToken: "ct"})
			return err
		}, recorded{"POST", "/v1/services", `{"name":"api","description":"d","templateName":"web","templateMajorVersion":1,"templateMinorVersion":3,"spec":"s","repositoryId":"o/r","repositoryConnectionArn":"arn:c","branchName":"main","clientToken":"ct"}`}},
	}
	for i, c := range calls {
		if err := c.call(); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if last := (*got)[len(*got)-1]; last != c.want {
			t.Errorf("call %d sent %v\nwant      %v", i, last, c.want)
		}
	}
}

// An answer decodes into the shared shapes and keeps its JSON verbatim, down to fields this
// client does not know.
func TestAnswerKeepsItsJSON(t *testing.T) {
	answer := `{"name":"beta","templateName":"vpc","templateMajorVersion":2,"templateMinorVersion":1,"deploymentStatus":"IN_PROGRESS","lastDeploymentId":"d1","createdAt":"2025-03-01T12:00:00Z","future":"<x>"}`
	c, _ := mustRecorder(t, answer)
	env, err := c.GetEnvironment(context.Background(), "beta")
	if err != nil {
		t.Fatal(err)
	}
	if env.Name != "beta" || env.TemplateVersion() != (platform.Version{Major: 2, Minor: 1}) || env.DeploymentStatus != platform.InProgress || env.LastDeploymentID != "d1" {
		t.Errorf("decoded %+v", env)
	}
	if string(env.Raw) != answer {
		t.Errorf("Raw = %s\nwant %s", env.Raw, answer)
	}
	if s := apiclient.EnvironmentStatus(env); s.Target != "environment beta" || s.DeploymentID != "d1" {
		t.Errorf("status %+v", s)
	}
}
