package apiclient_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/api"
	"github.com/gantry-platform/gantry/internal/apiclient"
	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/bundle"
	"github.com/gantry-platform/gantry/internal/dynamolocal"
	"github.com/gantry-platform/gantry/internal/local"
	"github.com/gantry-platform/gantry/internal/platform"
)

func TestMain(m *testing.M) { dynamolocal.Main(m) }

// library is the golden-path template library shipped in templates/.
const library = "../../templates"

var tables atomic.Int64

// mustPlatform starts a local platform in a table of its own and serves its API over real
// HTTP; it returns the API's URL.
func mustPlatform(t *testing.T) (*local.Platform, string) {
	t.Helper()
	table := fmt.Sprintf("gantry-apiclient-%d-%d", time.Now().UnixNano(), tables.Add(1))
	p, err := local.Start(context.Background(), local.Config{DataDir: t.TempDir(),
		DynamoEndpoint: dynamolocal.Shared(t).Endpoint(), Table: table,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	ts := httptest.NewServer(p.Handler)
	t.Cleanup(ts.Close)
	return p, ts.URL
}

// mustClient returns a client calling url as a holder of role.
func mustClient(t *testing.T, p *local.Platform, url string, role platform.Role) *apiclient.Client {
	t.Helper()
	token, err := p.Token("apiclient-"+string(role), role, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c, err := apiclient.New(url, token, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// mustRegister creates a template, registers the bundle directory dir as its version 1.0
// and publishes it.
func mustRegister(t *testing.T, c *apiclient.Client, kind platform.TemplateKind, name, dir string) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.CreateTemplate(ctx, kind, apimodel.CreateTemplate{Name: name}); err != nil {
		t.Fatal(err)
	}
	archive, err := apiclient.BundleArchive(dir)
	if err != nil {
		t.Fatal(err)
	}
	tv, err := c.CreateTemplateVersion(ctx, kind, name, archive, apiclient.RegisterInput{})
	if err != nil {
		t.Fatalf("register %s: %v", dir, err)
	}
	if tv.Status != platform.Draft || tv.Version() != (platform.Version{Major: 1}) {
		t.Fatalf("registered %s %s, want DRAFT 1.0", tv.Status, tv.Version())
	}
	if _, err := c.PublishTemplateVersion(ctx, kind, name, tv.Version()); err != nil {
		t.Fatal(err)
	}
}

func TestTemplatesEnvironmentAndDeployments(t *testing.T) {
	p, url := mustPlatform(t)
	admin := mustClient(t, p, url, platform.AdminRole)
	ctx := context.Background()
	mustRegister(t, admin, platform.EnvironmentTemplate, "vpc-ecs", library+"/environments/vpc-ecs/v1")

	tmpl, err := admin.GetTemplate(ctx, platform.EnvironmentTemplate, "vpc-ecs")
	if err != nil {
		t.Fatal(err)
	}
	if tmpl.RecommendedVersion != "1.0" {
		t.Fatalf("recommended version %q, want 1.0", tmpl.RecommendedVersion)
	}
	var raw map[string]any
	if err := json.Unmarshal(tmpl.Raw, &raw); err != nil || raw["name"] != "vpc-ecs" {
		t.Fatalf("Raw = %s (%v)", tmpl.Raw, err)
	}
	tv, err := admin.GetTemplateVersion(ctx, platform.EnvironmentTemplate, "vpc-ecs", platform.Version{Major: 1})
	if err != nil {
		t.Fatal(err)
	}
	if tv.Status != platform.Published || !strings.Contains(tv.Schema, "environment_input_type") {
		t.Fatalf("version 1.0: %s, schema %.80q", tv.Status, tv.Schema)
	}

	env, err := admin.CreateEnvironment(ctx, apimodel.CreateEnvironment{Name: "beta", TemplateName: "vpc-ecs",
		TemplateMajorVersion: 1, Spec: mustRead(t, library+"/environments/vpc-ecs/tests/defaults/spec.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	var seen []apiclient.Status
	final, err := apiclient.Wait(ctx, admin.PollEnvironment("beta"), apiclient.WaitOptions{Interval: 20 * time.Millisecond,
		Initial: []apiclient.Status{apiclient.EnvironmentStatus(env)}, Progress: func(s apiclient.Status) { seen = append(seen, s) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(final) != 1 || final[0].DeploymentStatus != platform.Succeeded {
		t.Fatalf("final = %+v", final)
	}
	if len(seen) < 2 || seen[0].DeploymentStatus != platform.InProgress || seen[len(seen)-1].DeploymentStatus != platform.Succeeded {
		t.Fatalf("progress = %+v, want IN_PROGRESS first and SUCCEEDED last", seen)
	}
	outputs, err := admin.EnvironmentOutputs(ctx, "beta")
	if err != nil {
		t.Fatal(err)
	}
	if len(outputs.Outputs.Outputs) == 0 {
		t.Fatal("environment beta has no outputs")
	}
	deployments, err := admin.ListDeployments(ctx, apiclient.DeploymentTarget{EnvironmentName: "beta"}, apiclient.PageRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(deployments.Items) != 1 || deployments.Items[0].ID != env.LastDeploymentID {
		t.Fatalf("deployments = %+v, want the one of %s", deployments.Items, env.LastDeploymentID)
	}
	d, err := admin.GetDeployment(ctx, env.LastDeploymentID)
	if err != nil {
		t.Fatal(err)
	}
	if d.DeploymentStatus != platform.Succeeded || d.EnvironmentName != "beta" || len(d.Raw) == 0 {
		t.Fatalf("deployment = %+v", d)
	}
	if _, err := admin.CancelDeployment(ctx, d.ID); platform.KindOf(err) != platform.Conflict {
		t.Fatalf("cancelling a finished deployment: %v, want a Conflict", err)
	}

	// Delete, and wait for the environment to be gone.
	if _, err := admin.DeleteEnvironment(ctx, "beta"); err != nil {
		t.Fatal(err)
	}
	final, err = apiclient.Wait(ctx, admin.PollEnvironment("beta"), apiclient.WaitOptions{Interval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if final[0].DeploymentStatus != platform.DeleteComplete {
		t.Fatalf("after delete: %+v", final)
	}
	if _, err := admin.GetEnvironment(ctx, "beta"); !apiclient.IsNotFound(err) {
		t.Fatalf("get after delete: %v, want not found", err)
	}
}

func TestErrorsCarryCodeMessageAndRequestID(t *testing.T) {
	p, url := mustPlatform(t)
	dev := mustClient(t, p, url, platform.DeveloperRole)
	admin := mustClient(t, p, url, platform.AdminRole)
	ctx := context.Background()

	_, err := dev.CreateTemplate(ctx, platform.EnvironmentTemplate, apimodel.CreateTemplate{Name: "vpc"})
	var apiErr *apiclient.Error
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v (%T), want *apiclient.Error", err, err)
	}
	if apiErr.Status != 403 || apiErr.Code != "AccessDeniedException" || apiErr.RequestID == "" || platform.KindOf(err) != platform.Forbidden {
		t.Fatalf("error = %+v", apiErr)
	}
	if want := "AccessDeniedException: " + apiErr.Message + " (request id " + apiErr.RequestID + ")"; err.Error() != want {
		t.Fatalf("Error() = %q, want %q", err, want)
	}

	_, err = admin.CreateEnvironment(ctx, apimodel.CreateEnvironment{Name: "not a name!", TemplateName: "vpc", TemplateMajorVersion: 1, Spec: "proton: EnvironmentSpec\nspec: {}\n"})
	if !errors.As(err, &apiErr) || apiErr.Status != 400 || apiErr.Code != "ValidationException" || !strings.Contains(apiErr.Message, "name") {
		t.Fatalf("bad name: %v", err)
	}
	if _, err := admin.GetService(ctx, "nothing"); !apiclient.IsNotFound(err) || platform.KindOf(err) != platform.NotFound {
		t.Fatalf("missing service: %v", err)
	}

	anonymous, err := apiclient.New(url, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := anonymous.Health(ctx); err != nil {
		t.Fatalf("health: %v", err)
	}
	if _, err := anonymous.ListEnvironments(ctx, apiclient.PageRequest{}); platform.KindOf(err) != platform.Unauthorized {
		t.Fatalf("no token: %v, want Unauthorized", err)
	}
}

func TestAllFollowsEveryPage(t *testing.T) {
	p, url := mustPlatform(t)
	admin := mustClient(t, p, url, platform.AdminRole)
	ctx := context.Background()
	for _, name := range []string{"a", "b", "c"} {
		if _, err := admin.CreateTemplate(ctx, platform.ServiceTemplate, apimodel.CreateTemplate{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	pages := 0
	all, err := apiclient.All(ctx, func(ctx context.Context, p apiclient.PageRequest) (apiclient.Page[apiclient.Template], error) {
		pages++
		p.Limit = 1
		return admin.ListTemplates(ctx, platform.ServiceTemplate, p)
	})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tmpl := range all.Items {
		names = append(names, tmpl.Name)
		if len(tmpl.Raw) == 0 {
			t.Fatalf("item %s kept no JSON", tmpl.Name)
		}
	}
	if strings.Join(names, ",") != "a,b,c" || pages < 3 {
		t.Fatalf("items %v in %d pages", names, pages)
	}
}

func TestNewRejectsARelativeURL(t *testing.T) {
	for _, u := range []string{"", "127.0.0.1:8080", "ftp://x", "http://"} {
		if _, err := apiclient.New(u, "", nil); platform.KindOf(err) != platform.Invalid {
			t.Errorf("New(%q): %v, want Invalid", u, err)
		}
	}
}

func TestAnswersThatAreNotTheAPIsStillMakeErrors(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "proxy-1")
		http.Error(w, "upstream unavailable", http.StatusBadGateway)
	}))
	defer ts.Close()
	c, err := apiclient.New(ts.URL+"/", "t", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetEnvironment(context.Background(), "beta")
	var apiErr *apiclient.Error
	if !errors.As(err, &apiErr) || apiErr.Status != 502 || apiErr.Code != "BadGateway" || apiErr.Message != "upstream unavailable" || apiErr.RequestID != "proxy-1" {
		t.Fatalf("error = %#v", err)
	}
}

func TestPathSegmentsAreEscaped(t *testing.T) {
	var got string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.EscapedPath()
		w.Write([]byte(`{"name":"x"}`))
	}))
	defer ts.Close()
	c, err := apiclient.New(ts.URL, "t", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetServiceInstance(context.Background(), "a/b", "c d"); err != nil {
		t.Fatal(err)
	}
	if got != "/v1/services/a%2Fb/instances/c%20d" {
		t.Fatalf("path %q", got)
	}
}

func TestBundleArchivePacksADirectoryAsTheAPIReadsIt(t *testing.T) {
	dir := library + "/services/s3-bucket/v1"
	packed, err := apiclient.BundleArchive(dir)
	if err != nil {
		t.Fatal(err)
	}
	again, err := apiclient.BundleArchive(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(packed, again) {
		t.Fatal("packing the same directory twice gave different archives")
	}
	fromArchive, err := bundle.LoadTarGz(bytes.NewReader(packed), bundle.ProtonLimits)
	if err != nil {
		t.Fatal(err)
	}
	fromDir, err := bundle.LoadDir(dir, bundle.ProtonLimits)
	if err != nil {
		t.Fatal(err)
	}
	if fromArchive.Schema == nil || fmt.Sprint(fromArchive.Files()) != fmt.Sprint(fromDir.Files()) {
		t.Fatalf("archive files %v, directory files %v", fromArchive.Files(), fromDir.Files())
	}
	for _, name := range fromDir.Files() {
		a, errA := fs.ReadFile(fromArchive.FS(), name)
		d, errD := fs.ReadFile(fromDir.FS(), name)
		if errA != nil || errD != nil || !bytes.Equal(a, d) {
			t.Fatalf("%s differs in the archive (%v, %v)", name, errA, errD)
		}
	}

	// A file is sent as it is.
	file := filepath.Join(t.TempDir(), "b.tar.gz")
	if err := os.WriteFile(file, packed, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := apiclient.BundleArchive(file); err != nil || !bytes.Equal(got, packed) {
		t.Fatalf("file: %v", err)
	}

	// A link is refused, by name.
	linked := t.TempDir()
	if err := os.Symlink("/etc/hostname", filepath.Join(linked, "schema.yaml")); err != nil {
		t.Fatal(err)
	}
	if _, err := apiclient.BundleArchive(linked); err == nil || !strings.Contains(err.Error(), "schema.yaml") {
		t.Fatalf("link: %v", err)
	}
}

func TestWaitReportsChangesRetriesAndStopsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	poll := func(ctx context.Context) ([]apiclient.Status, error) {
		calls++
		switch calls {
		case 1:
			return nil, errors.New("connection refused") // transient: retried
		case 2, 3:
			return []apiclient.Status{{Target: "environment e", DeploymentStatus: platform.InProgress, Message: "step " + fmt.Sprint(calls)}}, nil
		default:
			cancel()
			return []apiclient.Status{{Target: "environment e", DeploymentStatus: platform.InProgress, Message: "step 3"}}, nil
		}
	}
	var seen []string
	_, err := apiclient.Wait(ctx, poll, apiclient.WaitOptions{Interval: time.Millisecond,
		Progress: func(s apiclient.Status) { seen = append(seen, s.Message) }})
	var we *apiclient.WaitError
	if !errors.As(err, &we) || !errors.Is(err, context.Canceled) || len(we.Unsettled) != 1 {
		t.Fatalf("error %v, want a WaitError naming the unsettled environment", err)
	}
	if strings.Join(seen, ",") != "step 2,step 3" {
		t.Fatalf("progress %v: each change once", seen)
	}
	if !strings.Contains(err.Error(), "environment e is still IN_PROGRESS") {
		t.Fatalf("message %q", err)
	}

	// A 4xx answer ends the wait at once.
	_, err = apiclient.Wait(context.Background(), func(context.Context) ([]apiclient.Status, error) {
		return nil, &apiclient.Error{Status: 403, Code: "AccessDeniedException"}
	}, apiclient.WaitOptions{Interval: time.Millisecond})
	if platform.KindOf(err) != platform.Forbidden {
		t.Fatalf("error %v, want Forbidden", err)
	}
}

// TestEveryOperationHasAMethod checks the client against the API's own OpenAPI document:
// each operation maps to a method of Client, so an operation added to the API without one
// fails here.
func TestEveryOperationHasAMethod(t *testing.T) {
	methods := map[string]string{
		"Health": "Health", "GetOpenAPI": "",
		"CreateEnvironmentTemplate": "CreateTemplate", "CreateServiceTemplate": "CreateTemplate",
		"ListEnvironmentTemplates": "ListTemplates", "ListServiceTemplates": "ListTemplates",
		"GetEnvironmentTemplate": "GetTemplate", "GetServiceTemplate": "GetTemplate",
		"UpdateEnvironmentTemplate": "UpdateTemplate", "UpdateServiceTemplate": "UpdateTemplate",
		"DeleteEnvironmentTemplate": "DeleteTemplate", "DeleteServiceTemplate": "DeleteTemplate",
		"GetDeploymentRenderedTemplate":    "GetRenderedTemplate",
		"UpdateEnvironmentTemplateVersion": "UpdateTemplateVersion", "UpdateServiceTemplateVersion": "UpdateTemplateVersion",
		"DeleteEnvironmentTemplateVersion": "DeleteTemplateVersion", "DeleteServiceTemplateVersion": "DeleteTemplateVersion",
		"CreateEnvironmentTemplateVersion": "CreateTemplateVersion", "CreateServiceTemplateVersion": "CreateTemplateVersion",
		"ListEnvironmentTemplateVersions": "ListTemplateVersions", "ListServiceTemplateVersions": "ListTemplateVersions",
		"GetEnvironmentTemplateVersion": "GetTemplateVersion", "GetServiceTemplateVersion": "GetTemplateVersion",
		"PublishEnvironmentTemplateVersion": "PublishTemplateVersion", "PublishServiceTemplateVersion": "PublishTemplateVersion",
		"CreateEnvironment": "CreateEnvironment", "ListEnvironments": "ListEnvironments", "GetEnvironment": "GetEnvironment",
		"UpdateEnvironment": "UpdateEnvironment", "DeleteEnvironment": "DeleteEnvironment", "ListEnvironmentOutputs": "EnvironmentOutputs",
		"CreateService": "CreateService", "ListServices": "ListServices", "GetService": "GetService",
		"ListServiceInstancesOfService": "ListServiceInstances", "ListServiceInstances": "FindServiceInstances", "GetServiceInstance": "GetServiceInstance",
		"UpdateServiceInstance": "UpdateServiceInstance", "ListServiceInstanceOutputs": "ServiceInstanceOutputs",
		"UpdateServicePipeline": "UpdateServicePipeline", "ListServicePipelineOutputs": "ServicePipelineOutputs",
		"CancelEnvironmentDeployment": "CancelEnvironmentDeployment", "CancelServiceInstanceDeployment": "CancelServiceInstanceDeployment",
		"CancelServicePipelineDeployment": "CancelServicePipelineDeployment", "DeleteDeployment": "DeleteDeployment",
		"UpdateService": "UpdateService", "DeleteService": "DeleteService", "CreateServiceInstance": "CreateServiceInstance",
		"CreateComponent": "CreateComponent", "ListComponents": "ListComponents", "GetComponent": "GetComponent",
		"UpdateComponent": "UpdateComponent", "DeleteComponent": "DeleteComponent", "ListComponentOutputs": "ComponentOutputs",
		"CancelComponentDeployment": "CancelComponentDeployment",
		"TagResource":               "TagResource", "UntagResource": "UntagResource", "ListTagsForResource": "ListTagsForResource",
		"ListDeployments": "ListDeployments", "GetDeployment": "GetDeployment", "CancelDeployment": "CancelDeployment",
		"ListDeadLetters": "ListDeadLetters", "ReplayDeadLetters": "ReplayDeadLetters",
		"CreateAccessKey": "CreateAccessKey", "ListAccessKeys": "ListAccessKeys", "UpdateAccessKey": "UpdateAccessKey",
		"DeleteAccessKey":                    "DeleteAccessKey",
		"CreateEnvironmentAccountConnection": "CreateEnvironmentAccountConnection", "ListEnvironmentAccountConnections": "ListEnvironmentAccountConnections",
		"GetEnvironmentAccountConnection": "GetEnvironmentAccountConnection", "UpdateEnvironmentAccountConnection": "UpdateEnvironmentAccountConnection",
		"DeleteEnvironmentAccountConnection": "DeleteEnvironmentAccountConnection",
		"AcceptEnvironmentAccountConnection": "DecideEnvironmentAccountConnection", "RejectEnvironmentAccountConnection": "DecideEnvironmentAccountConnection",
		"GetResourcesSummary":                 "GetResourcesSummary",
		"ListEnvironmentProvisionedResources": "ListProvisionedResources", "ListServiceInstanceProvisionedResources": "ListProvisionedResources",
		"ListServicePipelineProvisionedResources": "ListProvisionedResources", "ListComponentProvisionedResources": "ListProvisionedResources",
		"PreviewEnvironmentUpdate": "PreviewEnvironmentUpdate", "PreviewServiceInstanceUpdate": "PreviewServiceInstanceUpdate",
		"GetPreview": "GetPreview", "PreviewEnvironmentTemplateVersionRollout": "PreviewTemplateVersionRollout",
		"PreviewServiceTemplateVersionRollout": "PreviewTemplateVersionRollout",
		"ImportProtonStacks":                   "ImportProtonStacks",
		"CreateRepository":                     "CreateRepository", "ListRepositories": "ListRepositories", "GetRepository": "GetRepository",
		"DeleteRepository": "DeleteRepository", "GetAccountSettings": "GetAccountSettings", "UpdateAccountSettings": "UpdateAccountSettings",
		"NotifyResourceDeploymentStatusChange": "NotifyResourceDeploymentStatusChange",
		"CreateTemplateSyncConfig":             "CreateTemplateSyncConfig", "GetTemplateSyncConfig": "GetTemplateSyncConfig",
		"UpdateTemplateSyncConfig": "UpdateTemplateSyncConfig", "DeleteTemplateSyncConfig": "DeleteTemplateSyncConfig",
		"GetTemplateSyncStatus": "GetTemplateSyncStatus", "ListRepositorySyncDefinitions": "ListRepositorySyncDefinitions",
		"GetRepositorySyncStatus": "GetRepositorySyncStatus", "PutRepositoryWebhookSecret": "PutRepositoryWebhookSecret",
		"ReceiveRepositoryWebhook": "", // the providers' call, not a client's
		"CreateServiceSyncConfig":  "CreateServiceSyncConfig", "GetServiceSyncConfig": "GetServiceSyncConfig",
		"UpdateServiceSyncConfig": "UpdateServiceSyncConfig", "DeleteServiceSyncConfig": "DeleteServiceSyncConfig",
		"GetServiceInstanceSyncStatus": "GetServiceInstanceSyncStatus", "GetServiceSyncBlockerSummary": "GetServiceSyncBlockerSummary",
		"UpdateServiceSyncBlocker": "UpdateServiceSyncBlocker",
	}
	client := reflect.TypeOf(&apiclient.Client{})
	for path, item := range api.OpenAPI()["paths"].(map[string]any) {
		for verb, op := range item.(map[string]any) {
			id := op.(map[string]any)["operationId"].(string)
			name, known := methods[id]
			if !known {
				t.Errorf("%s %s: operation %s has no client method", verb, path, id)
				continue
			}
			if _, ok := client.MethodByName(name); name != "" && !ok {
				t.Errorf("operation %s: Client has no method %s", id, name)
			}
		}
	}
}

// TestPollServiceSeesTheServiceGoBetweenItsReads: a service removed after its instances
// were listed but before it was read is deleted, not an error.
func TestPollServiceSeesTheServiceGoBetweenItsReads(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/instances") {
			w.Write([]byte(`{"items":[{"serviceName":"api","name":"api-beta","deploymentStatus":"DELETE_IN_PROGRESS"}]}`))
			return
		}
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"code":"ResourceNotFoundException","message":"service \"api\" does not exist","requestId":"r1"}`))
	}))
	defer ts.Close()
	c, err := apiclient.New(ts.URL, "t", nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.PollService("api")(context.Background())
	if err != nil || len(got) != 1 || got[0].DeploymentStatus != platform.DeleteComplete {
		t.Fatalf("poll = %+v, %v; want the service DELETE_COMPLETE", got, err)
	}
}
