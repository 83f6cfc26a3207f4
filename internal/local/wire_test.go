package local

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/proton"
	"github.com/aws/aws-sdk-go-v2/service/proton/types"
	"github.com/aws/smithy-go"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/dynamolocal"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

// wirePlatform is a local platform served over HTTP with its S3 stand-in directory.
type wirePlatform struct {
	*Platform
	server *httptest.Server
	s3dir  string
}

func newWirePlatform(t *testing.T) *wirePlatform {
	t.Helper()
	s3dir := t.TempDir()
	p, err := Start(context.Background(), Config{DataDir: t.TempDir(), DynamoEndpoint: dynamolocal.Shared(t).Endpoint(),
		Table: fmt.Sprintf("gantry-wire-%d", time.Now().UnixNano()), S3Dir: s3dir, Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	ts := httptest.NewServer(p.Handler)
	t.Cleanup(ts.Close)
	return &wirePlatform{Platform: p, server: ts, s3dir: s3dir}
}

// stage puts a bundle folder, packed, at s3://bucket/key.
func (w *wirePlatform) stage(t *testing.T, bucket, key, folder string) {
	t.Helper()
	path := filepath.Join(w.s3dir, bucket, key)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, platformtest.TarGz(t, platformtest.SamplePath(t, folder), nil), 0o644); err != nil {
		t.Fatal(err)
	}
}

// client returns the official Proton client signing with a new access key of role.
func (w *wirePlatform) client(t *testing.T, role platform.Role) *proton.Client {
	t.Helper()
	id, secret, err := w.AccessKey(role, "")
	if err != nil {
		t.Fatal(err)
	}
	return w.clientWith(id, secret)
}

func (w *wirePlatform) clientWith(id, secret string) *proton.Client {
	return proton.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(id, secret, ""),
		RetryMaxAttempts: 1}, func(o *proton.Options) { o.BaseEndpoint = aws.String(w.server.URL) })
}

// fast makes a waiter poll often (the defaults wait 5 s and more between polls).
func fast[O any](min, max *time.Duration) func(*O) {
	return func(*O) { *min, *max = 50*time.Millisecond, 200*time.Millisecond }
}

// wantAPIError fails unless err is an API error with code.
func wantAPIError(t *testing.T, err error, code string) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != code {
		t.Fatalf("error %v, want %s", err, code)
	}
}

// TestProtonSDK drives the life of an estate through the official Go client of Proton
// (service/proton v1.40.0), signing with Gantry access keys: templates registered from
// s3:// bundles and published, an environment and a service created and waited for with
// the client's own waiters, an instance updated, lists paged with its paginators, the
// deployment history read, and Proton's typed errors.
func TestProtonSDK(t *testing.T) {
	ctx := t.Context()
	w := newWirePlatform(t)
	admin := w.client(t, platform.AdminRole)
	dev := w.client(t, platform.DeveloperRole)
	w.stage(t, "bundles", "env/v1.tar.gz", platformtest.EnvBundle)
	w.stage(t, "bundles", "svc/v1.tar.gz", platformtest.SvcBundle)

	if _, err := admin.CreateEnvironmentTemplate(ctx, &proton.CreateEnvironmentTemplateInput{Name: aws.String(platformtest.EnvTemplate), DisplayName: aws.String("Fargate env")}); err != nil {
		t.Fatal(err)
	}
	_, err := admin.CreateEnvironmentTemplate(ctx, &proton.CreateEnvironmentTemplateInput{Name: aws.String(platformtest.EnvTemplate)})
	var conflict *types.ConflictException
	if !errors.As(err, &conflict) {
		t.Fatalf("second CreateEnvironmentTemplate: %v, want *types.ConflictException", err)
	}
	_, err = dev.CreateEnvironmentTemplate(ctx, &proton.CreateEnvironmentTemplateInput{Name: aws.String("by-a-developer")})
	var denied *types.AccessDeniedException
	if !errors.As(err, &denied) {
		t.Fatalf("developer CreateEnvironmentTemplate: %v, want *types.AccessDeniedException", err)
	}
	_, err = admin.CreateEnvironmentTemplateVersion(ctx, &proton.CreateEnvironmentTemplateVersionInput{TemplateName: aws.String(platformtest.EnvTemplate),
		Source: &types.TemplateVersionSourceInputMemberS3{Value: types.S3ObjectSource{Bucket: aws.String("bundles"), Key: aws.String("missing.tar.gz")}}})
	var invalid *types.ValidationException
	if !errors.As(err, &invalid) || !strings.Contains(aws.ToString(invalid.Message), "missing.tar.gz") {
		t.Fatalf("version from a missing object: %v, want *types.ValidationException naming it", err)
	}
	created, err := admin.CreateEnvironmentTemplateVersion(ctx, &proton.CreateEnvironmentTemplateVersionInput{TemplateName: aws.String(platformtest.EnvTemplate),
		Description: aws.String("first"),
		Source:      &types.TemplateVersionSourceInputMemberS3{Value: types.S3ObjectSource{Bucket: aws.String("bundles"), Key: aws.String("env/v1.tar.gz")}}})
	if err != nil {
		t.Fatal(err)
	}
	if v := created.EnvironmentTemplateVersion; aws.ToString(v.MajorVersion) != "1" || aws.ToString(v.MinorVersion) != "0" || v.Status != types.TemplateVersionStatusDraft ||
		!strings.HasPrefix(aws.ToString(v.Arn), "arn:aws:proton:us-east-1:"+AccountID+":environment-template/") || v.CreatedAt == nil || v.CreatedAt.IsZero() {
		t.Fatalf("created version = %+v", v)
	}
	if err := proton.NewEnvironmentTemplateVersionRegisteredWaiter(admin).Wait(ctx, &proton.GetEnvironmentTemplateVersionInput{
		TemplateName: aws.String(platformtest.EnvTemplate), MajorVersion: aws.String("1"), MinorVersion: aws.String("0")}, time.Minute,
		func(o *proton.EnvironmentTemplateVersionRegisteredWaiterOptions) {
			fast[any](&o.MinDelay, &o.MaxDelay)(nil)
		}); err != nil {
		t.Fatalf("EnvironmentTemplateVersionRegistered waiter: %v", err)
	}
	published, err := admin.UpdateEnvironmentTemplateVersion(ctx, &proton.UpdateEnvironmentTemplateVersionInput{TemplateName: aws.String(platformtest.EnvTemplate),
		MajorVersion: aws.String("1"), MinorVersion: aws.String("0"), Status: types.TemplateVersionStatusPublished})
	if err != nil || published.EnvironmentTemplateVersion.Status != types.TemplateVersionStatusPublished {
		t.Fatalf("publish = %+v, %v", published, err)
	}
	tmpl, err := admin.GetEnvironmentTemplate(ctx, &proton.GetEnvironmentTemplateInput{Name: aws.String(platformtest.EnvTemplate)})
	if err != nil || aws.ToString(tmpl.EnvironmentTemplate.RecommendedVersion) != "1.0" || aws.ToString(tmpl.EnvironmentTemplate.DisplayName) != "Fargate env" {
		t.Fatalf("template = %+v, %v", tmpl, err)
	}

	if _, err := admin.CreateServiceTemplate(ctx, &proton.CreateServiceTemplateInput{Name: aws.String(platformtest.SvcTemplate)}); err != nil {
		t.Fatal(err)
	}
	svcVersion, err := admin.CreateServiceTemplateVersion(ctx, &proton.CreateServiceTemplateVersionInput{TemplateName: aws.String(platformtest.SvcTemplate),
		CompatibleEnvironmentTemplates: []types.CompatibleEnvironmentTemplateInput{{TemplateName: aws.String(platformtest.EnvTemplate), MajorVersion: aws.String("1")}},
		Source:                         &types.TemplateVersionSourceInputMemberS3{Value: types.S3ObjectSource{Bucket: aws.String("bundles"), Key: aws.String("svc/v1.tar.gz")}}})
	if err != nil {
		t.Fatal(err)
	}
	if c := svcVersion.ServiceTemplateVersion.CompatibleEnvironmentTemplates; len(c) != 1 || aws.ToString(c[0].TemplateName) != platformtest.EnvTemplate || aws.ToString(c[0].MajorVersion) != "1" {
		t.Fatalf("compatible environment templates = %+v", c)
	}
	if _, err := admin.UpdateServiceTemplateVersion(ctx, &proton.UpdateServiceTemplateVersionInput{TemplateName: aws.String(platformtest.SvcTemplate),
		MajorVersion: aws.String("1"), MinorVersion: aws.String("0"), Status: types.TemplateVersionStatusPublished}); err != nil {
		t.Fatal(err)
	}

	envSpec := platformtest.ReadFile(t, platformtest.SamplePath(t, platformtest.EnvSpec))
	_, err = dev.CreateEnvironment(ctx, &proton.CreateEnvironmentInput{Name: aws.String("Beta"), TemplateName: aws.String(platformtest.EnvTemplate),
		TemplateMajorVersion: aws.String("1"), Spec: aws.String(envSpec)})
	if !errors.As(err, &denied) {
		t.Fatalf("developer CreateEnvironment: %v, want *types.AccessDeniedException", err)
	}
	_, err = admin.CreateEnvironment(ctx, &proton.CreateEnvironmentInput{Name: aws.String("Beta"), TemplateName: aws.String(platformtest.EnvTemplate),
		TemplateMajorVersion: aws.String("1"), Spec: aws.String("proton: EnvironmentSpec\nspec:\n  no_such_input: 1\n")})
	if !errors.As(err, &invalid) {
		t.Fatalf("environment with a bad spec: %v, want *types.ValidationException", err)
	}
	env, err := admin.CreateEnvironment(ctx, &proton.CreateEnvironmentInput{Name: aws.String("Beta"), TemplateName: aws.String(platformtest.EnvTemplate),
		TemplateMajorVersion: aws.String("1"), Spec: aws.String(envSpec)})
	if err != nil {
		t.Fatal(err)
	}
	if env.Environment.DeploymentStatus != types.DeploymentStatusInProgress || aws.ToString(env.Environment.TemplateMinorVersion) != "0" {
		t.Fatalf("created environment = %+v", env.Environment)
	}
	got, err := proton.NewEnvironmentDeployedWaiter(dev).WaitForOutput(ctx, &proton.GetEnvironmentInput{Name: aws.String("Beta")}, time.Minute,
		func(o *proton.EnvironmentDeployedWaiterOptions) { fast[any](&o.MinDelay, &o.MaxDelay)(nil) })
	if err != nil {
		t.Fatalf("EnvironmentDeployed waiter: %v", err)
	}
	if got.Environment.DeploymentStatus != types.DeploymentStatusSucceeded || got.Environment.LastDeploymentSucceededAt == nil ||
		aws.ToString(got.Environment.Arn) != "arn:aws:proton:us-east-1:"+AccountID+":environment/Beta" {
		t.Fatalf("deployed environment = %+v", got.Environment)
	}
	// A developer's environment operations pass the wire's role check; the control plane
	// refuses them while the template is not self-service, and lets them through after.
	cancelBeta := &proton.CancelEnvironmentDeploymentInput{EnvironmentName: aws.String("Beta")}
	if _, err := dev.CancelEnvironmentDeployment(ctx, cancelBeta); !errors.As(err, &denied) || !strings.Contains(aws.ToString(denied.Message), "not self-service") {
		t.Fatalf("developer CancelEnvironmentDeployment, admin-only template: %v, want AccessDeniedException saying why", err)
	}
	selfService := true
	if _, err := w.Control.UpdateTemplate(platformtest.AdminContext("alice"), platform.EnvironmentTemplate, platformtest.EnvTemplate, control.UpdateTemplateInput{SelfService: &selfService}); err != nil {
		t.Fatal(err)
	}
	if _, err := dev.CancelEnvironmentDeployment(ctx, cancelBeta); !errors.As(err, &conflict) {
		t.Fatalf("developer CancelEnvironmentDeployment, self-service template, nothing in progress: %v, want ConflictException", err)
	}
	// NotifyResourceDeploymentStatusChange: a developer may not report; an admin may, but
	// not on a deployment that has finished.
	notify := &proton.NotifyResourceDeploymentStatusChangeInput{ResourceArn: got.Environment.Arn, Status: types.ResourceDeploymentStatusSucceeded,
		DeploymentId: got.Environment.LastSucceededDeploymentId, Outputs: []types.Output{{Key: aws.String("k"), ValueString: aws.String("v")}}}
	if _, err := dev.NotifyResourceDeploymentStatusChange(ctx, notify); !errors.As(err, &denied) {
		t.Errorf("developer NotifyResourceDeploymentStatusChange: %v, want *types.AccessDeniedException", err)
	}
	if _, err := admin.NotifyResourceDeploymentStatusChange(ctx, notify); !errors.As(err, &conflict) || !strings.Contains(err.Error(), "already finished") {
		t.Errorf("NotifyResourceDeploymentStatusChange of a finished deployment: %v, want *types.ConflictException", err)
	}
	summary, err := dev.GetResourcesSummary(ctx, &proton.GetResourcesSummaryInput{})
	if err != nil {
		t.Fatal(err)
	}
	if c := summary.Counts; aws.ToInt32(c.Environments.Total) != 1 || aws.ToInt32(c.Environments.UpToDate) != 1 || aws.ToInt32(c.Environments.Failed) != 0 ||
		aws.ToInt32(c.EnvironmentTemplates.Total) != 1 || aws.ToInt32(c.ServiceTemplates.Total) != 1 || aws.ToInt32(c.ServiceInstances.Total) != 0 ||
		c.ServiceTemplates.UpToDate != nil || c.Components.Failed == nil {
		t.Fatalf("GetResourcesSummary = %+v", summary.Counts)
	}
	outputs, err := dev.ListEnvironmentOutputs(ctx, &proton.ListEnvironmentOutputsInput{EnvironmentName: aws.String("Beta")})
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	for _, o := range outputs.Outputs {
		keys[aws.ToString(o.Key)] = aws.ToString(o.ValueString)
	}
	if !strings.HasPrefix(keys["VpcId"], "vpc-") {
		t.Fatalf("environment outputs = %v", keys)
	}

	svcSpec := platformtest.ReadFile(t, platformtest.SamplePath(t, platformtest.SvcSpec))
	if _, err := dev.CreateService(ctx, &proton.CreateServiceInput{Name: aws.String("frontend"), TemplateName: aws.String(platformtest.SvcTemplate),
		TemplateMajorVersion: aws.String("1"), Spec: aws.String(svcSpec),
		RepositoryConnectionArn: aws.String("arn:aws:codestar-connections:us-east-1:000000000000:connection/example"),
		RepositoryId:            aws.String("example-org/frontend"), BranchName: aws.String("main")}); err != nil {
		t.Fatal(err)
	}
	if err := proton.NewServiceCreatedWaiter(dev).Wait(ctx, &proton.GetServiceInput{Name: aws.String("frontend")}, time.Minute,
		func(o *proton.ServiceCreatedWaiterOptions) { fast[any](&o.MinDelay, &o.MaxDelay)(nil) }); err != nil {
		t.Fatalf("ServiceCreated waiter: %v", err)
	}
	instance := &proton.GetServiceInstanceInput{ServiceName: aws.String("frontend"), Name: aws.String("frontend-dev")}
	inst, err := proton.NewServiceInstanceDeployedWaiter(dev).WaitForOutput(ctx, instance, time.Minute,
		func(o *proton.ServiceInstanceDeployedWaiterOptions) { fast[any](&o.MinDelay, &o.MaxDelay)(nil) })
	if err != nil {
		t.Fatalf("ServiceInstanceDeployed waiter: %v", err)
	}
	if aws.ToString(inst.ServiceInstance.EnvironmentName) != "Beta" {
		t.Fatalf("instance = %+v", inst.ServiceInstance)
	}
	first := aws.ToString(inst.ServiceInstance.LastAttemptedDeploymentId)
	_, err = admin.DeleteServiceTemplateVersion(ctx, &proton.DeleteServiceTemplateVersionInput{TemplateName: aws.String(platformtest.SvcTemplate),
		MajorVersion: aws.String("1"), MinorVersion: aws.String("0")})
	if !errors.As(err, &conflict) {
		t.Fatalf("deleting a service template version in use: %v, want *types.ConflictException", err)
	}

	updated, err := dev.UpdateServiceInstance(ctx, &proton.UpdateServiceInstanceInput{ServiceName: aws.String("frontend"), Name: aws.String("frontend-dev"),
		DeploymentType: types.DeploymentUpdateTypeCurrentVersion, Spec: aws.String("spec:\n  desired_count: 3\n  port: 80\n  task_size: large\n")})
	if err != nil {
		t.Fatal(err)
	}
	if updated.ServiceInstance.DeploymentStatus != types.DeploymentStatusInProgress || aws.ToString(updated.ServiceInstance.LastAttemptedDeploymentId) == first {
		t.Fatalf("updated instance = %+v", updated.ServiceInstance)
	}
	inst, err = proton.NewServiceInstanceDeployedWaiter(dev).WaitForOutput(ctx, instance, time.Minute,
		func(o *proton.ServiceInstanceDeployedWaiterOptions) { fast[any](&o.MinDelay, &o.MaxDelay)(nil) })
	if err != nil || !strings.Contains(aws.ToString(inst.ServiceInstance.Spec), "desired_count: 3") {
		t.Fatalf("instance after the update = %+v, %v", inst, err)
	}

	history, err := dev.ListDeployments(ctx, &proton.ListDeploymentsInput{ServiceName: aws.String("frontend"), ServiceInstanceName: aws.String("frontend-dev")})
	if err != nil || len(history.Deployments) < 2 || aws.ToString(history.Deployments[0].Id) != aws.ToString(inst.ServiceInstance.LastAttemptedDeploymentId) {
		t.Fatalf("history = %+v, %v", history, err)
	}
	d, err := dev.GetDeployment(ctx, &proton.GetDeploymentInput{Id: history.Deployments[0].Id})
	if err != nil || d.Deployment.TargetResourceType != types.DeploymentTargetResourceTypeServiceInstance || d.Deployment.DeploymentStatus != types.DeploymentStatusSucceeded {
		t.Fatalf("deployment = %+v, %v", d, err)
	}
	if s, ok := d.Deployment.TargetState.(*types.DeploymentStateMemberServiceInstance); !ok || !strings.Contains(aws.ToString(s.Value.Spec), "desired_count: 3") {
		t.Fatalf("deployment target state = %#v", d.Deployment.TargetState)
	}

	// Paginators follow Proton's nextToken.
	for _, name := range []string{"a-extra", "b-extra"} {
		if _, err := admin.CreateEnvironmentTemplate(ctx, &proton.CreateEnvironmentTemplateInput{Name: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	pages := proton.NewListEnvironmentTemplatesPaginator(dev, &proton.ListEnvironmentTemplatesInput{MaxResults: aws.Int32(1)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Templates) > 1 {
			t.Fatalf("a page of maxResults 1 holds %d templates", len(page.Templates))
		}
		for _, tm := range page.Templates {
			names = append(names, aws.ToString(tm.Name))
		}
	}
	if strings.Join(names, ",") != "a-extra,b-extra,"+platformtest.EnvTemplate {
		t.Fatalf("paged templates = %v", names)
	}
	var ids []string
	deployments := proton.NewListDeploymentsPaginator(dev, &proton.ListDeploymentsInput{ServiceName: aws.String("frontend"),
		ServiceInstanceName: aws.String("frontend-dev"), MaxResults: aws.Int32(1)})
	for deployments.HasMorePages() {
		page, err := deployments.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range page.Deployments {
			ids = append(ids, aws.ToString(d.Id))
		}
	}
	if len(ids) != len(history.Deployments) || ids[0] != aws.ToString(history.Deployments[0].Id) {
		t.Fatalf("paged deployments = %v, want the %d of one page", ids, len(history.Deployments))
	}

	// The service goes as Proton's do: pipeline and instances first, then the record.
	if err := proton.NewServicePipelineDeployedWaiter(dev).Wait(ctx, &proton.GetServiceInput{Name: aws.String("frontend")}, time.Minute,
		func(o *proton.ServicePipelineDeployedWaiterOptions) { fast[any](&o.MinDelay, &o.MaxDelay)(nil) }); err != nil {
		t.Fatalf("ServicePipelineDeployed waiter: %v", err)
	}
	deleting, err := dev.DeleteService(ctx, &proton.DeleteServiceInput{Name: aws.String("frontend")})
	if err != nil || deleting.Service.Status != types.ServiceStatusDeleteInProgress {
		t.Fatalf("DeleteService = %+v, %v", deleting, err)
	}
	if err := proton.NewServiceDeletedWaiter(dev).Wait(ctx, &proton.GetServiceInput{Name: aws.String("frontend")}, time.Minute,
		func(o *proton.ServiceDeletedWaiterOptions) { fast[any](&o.MinDelay, &o.MaxDelay)(nil) }); err != nil {
		t.Fatalf("ServiceDeleted waiter: %v", err)
	}

	_, err = dev.GetEnvironment(ctx, &proton.GetEnvironmentInput{Name: aws.String("nope")})
	var notFound *types.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		t.Fatalf("GetEnvironment of a missing environment: %v, want *types.ResourceNotFoundException", err)
	}
	// Every operation of Proton's model is served; one that is not in it is refused.
	keyID, keySecret, err := w.AccessKey(platform.AdminRole, "")
	if err != nil {
		t.Fatal(err)
	}
	if status, code := send(t, w.signedRequest(t, "RetireEverything", "{}", keyID, keySecret, "proton", time.Now()), "{}"); status != 400 || code != "UnknownOperationException" {
		t.Fatalf("an operation not served: %d %s, want 400 UnknownOperationException", status, code)
	}
	// Names and ids are checked before any lookup: too long for a key is a 400, never a 500.
	_, err = admin.GetEnvironment(ctx, &proton.GetEnvironmentInput{Name: aws.String(strings.Repeat("a", 3000))})
	wantAPIError(t, err, "ValidationException")
	_, err = admin.GetServiceInstance(ctx, &proton.GetServiceInstanceInput{ServiceName: aws.String("frontend"), Name: aws.String("bad name!")})
	wantAPIError(t, err, "ValidationException")
	_, err = admin.GetDeployment(ctx, &proton.GetDeploymentInput{Id: aws.String(strings.Repeat("9", 5000))})
	wantAPIError(t, err, "ValidationException")
	if !strings.Contains(err.Error(), "id: must be an id") {
		t.Fatalf("a long deployment id: %v, want the member named", err)
	}
	_, err = admin.CreateEnvironment(ctx, &proton.CreateEnvironmentInput{Name: aws.String("Gamma"), TemplateName: aws.String(platformtest.EnvTemplate),
		TemplateMajorVersion: aws.String("1"), Spec: aws.String(envSpec), ProtonServiceRoleArn: aws.String("arn:aws:iam::000000000000:role/proton")})
	if !errors.As(err, &invalid) || !strings.Contains(err.Error(), "protonServiceRoleArn") {
		t.Fatalf("a member Gantry does not support: %v, want a ValidationException naming it", err)
	}
}

// signedRequest builds a Proton request for operation with body, signed by id/secret at
// time at for service and region.
func (w *wirePlatform) signedRequest(t *testing.T, operation, body, id, secret, service string, at time.Time) *http.Request {
	t.Helper()
	req, err := http.NewRequest("POST", w.server.URL+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "AwsProton20200720."+operation)
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: id, SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(t.Context(), creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", at); err != nil {
		t.Fatal(err)
	}
	return req
}

// send sends req (its body read from body) and returns the status and the error type.
func send(t *testing.T, req *http.Request, body string) (int, string) {
	t.Helper()
	req.Body = io.NopCloser(strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct {
		Type string `json:"__type"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&answer)
	return resp.StatusCode, answer.Type
}

// TestProtonSignatures checks that requests are verified in full: a bad signature, an
// expired date, another key's secret, a wrong service scope, a tampered body, a replay,
// an unsigned request, a disabled key and a developer key on an admin operation all fail
// with AWS's error codes, and none of them creates anything.
func TestProtonSignatures(t *testing.T) {
	ctx := t.Context()
	w := newWirePlatform(t)
	adminID, adminSecret, err := w.AccessKey(platform.AdminRole, "")
	if err != nil {
		t.Fatal(err)
	}
	devID, devSecret, err := w.AccessKey(platform.DeveloperRole, "")
	if err != nil {
		t.Fatal(err)
	}
	create := func(name string) string { return `{"name":"` + name + `"}` }
	now := time.Now()
	cases := []struct {
		name   string
		req    func() (*http.Request, string)
		status int
		code   string
	}{
		{"another key's secret", func() (*http.Request, string) {
			return w.signedRequest(t, "CreateEnvironmentTemplate", create("t1"), adminID, devSecret, "proton", now), create("t1")
		}, 403, "InvalidSignatureException"},
		{"an unknown key", func() (*http.Request, string) {
			return w.signedRequest(t, "CreateEnvironmentTemplate", create("t2"), "GKIANOSUCHKEY0000000", adminSecret, "proton", now), create("t2")
		}, 403, "UnrecognizedClientException"},
		{"an expired date", func() (*http.Request, string) {
			return w.signedRequest(t, "CreateEnvironmentTemplate", create("t3"), adminID, adminSecret, "proton", now.Add(-6*time.Minute)), create("t3")
		}, 403, "InvalidSignatureException"},
		{"a date in the future", func() (*http.Request, string) {
			return w.signedRequest(t, "CreateEnvironmentTemplate", create("t4"), adminID, adminSecret, "proton", now.Add(6*time.Minute)), create("t4")
		}, 403, "InvalidSignatureException"},
		{"another service's scope", func() (*http.Request, string) {
			return w.signedRequest(t, "CreateEnvironmentTemplate", create("t5"), adminID, adminSecret, "s3", now), create("t5")
		}, 403, "InvalidSignatureException"},
		{"a tampered body", func() (*http.Request, string) {
			return w.signedRequest(t, "CreateEnvironmentTemplate", create("t6"), adminID, adminSecret, "proton", now), create("t7")
		}, 403, "InvalidSignatureException"},
		{"a tampered target", func() (*http.Request, string) {
			req := w.signedRequest(t, "GetEnvironmentTemplate", create("t8"), adminID, adminSecret, "proton", now)
			req.Header.Set("X-Amz-Target", "AwsProton20200720.CreateEnvironmentTemplate")
			return req, create("t8")
		}, 403, "InvalidSignatureException"},
		{"no signature", func() (*http.Request, string) {
			req := w.signedRequest(t, "CreateEnvironmentTemplate", create("t9"), adminID, adminSecret, "proton", now)
			req.Header.Del("Authorization")
			return req, create("t9")
		}, 403, "MissingAuthenticationTokenException"},
		{"a body over the limit", func() (*http.Request, string) {
			big := `{"name":"t11","description":"` + strings.Repeat("a", 300<<10) + `"}`
			return w.signedRequest(t, "CreateEnvironmentTemplate", big, adminID, adminSecret, "proton", now), big
		}, 413, "PayloadTooLargeException"},
		{"a developer key on an admin operation", func() (*http.Request, string) {
			return w.signedRequest(t, "CreateEnvironmentTemplate", create("t10"), devID, devSecret, "proton", now), create("t10")
		}, 403, "AccessDeniedException"},
	}
	for _, c := range cases {
		req, body := c.req()
		if status, code := send(t, req, body); status != c.status || code != c.code {
			t.Errorf("%s: %d %s, want %d %s", c.name, status, code, c.status, c.code)
		}
	}

	// A replay: the same signed request twice.
	req := w.signedRequest(t, "CreateEnvironmentTemplate", create("once"), adminID, adminSecret, "proton", now)
	if status, code := send(t, req, create("once")); status != 200 {
		t.Fatalf("signed request: %d %s", status, code)
	}
	if status, code := send(t, req, create("once")); status != 403 || code != "InvalidSignatureException" {
		t.Fatalf("replayed request: %d %s, want 403 InvalidSignatureException", status, code)
	}
	// A read signed once may be sent again (a client repeating it within one second signs
	// it identically): both are answered.
	get := `{"name":"once"}`
	read := w.signedRequest(t, "GetEnvironmentTemplate", get, adminID, adminSecret, "proton", now)
	for i := range 2 {
		if status, code := send(t, read, get); status != 200 {
			t.Fatalf("signed read, time %d: %d %s, want 200", i+1, status, code)
		}
	}

	// A disabled key signs nothing; enabled again, it does.
	admin := platform.WithCaller(ctx, platform.Caller{Subject: "alice", Roles: []platform.Role{platform.AdminRole}})
	if _, err := w.Control.SetAccessKeyStatus(admin, devID, platform.AccessKeyInactive); err != nil {
		t.Fatal(err)
	}
	if status, code := send(t, w.signedRequest(t, "ListEnvironments", "{}", devID, devSecret, "proton", time.Now()), "{}"); status != 403 || code != "UnrecognizedClientException" {
		t.Fatalf("disabled key: %d %s, want 403 UnrecognizedClientException", status, code)
	}
	if _, err := w.Control.SetAccessKeyStatus(admin, devID, platform.AccessKeyActive); err != nil {
		t.Fatal(err)
	}
	if status, code := send(t, w.signedRequest(t, "ListEnvironments", "{}", devID, devSecret, "proton", time.Now()), "{}"); status != 200 {
		t.Fatalf("re-enabled key: %d %s", status, code)
	}

	// Nothing was written but the one good request's template.
	list, err := w.clientWith(adminID, adminSecret).ListEnvironmentTemplates(ctx, &proton.ListEnvironmentTemplatesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Templates) != 1 || aws.ToString(list.Templates[0].Name) != "once" {
		var names []string
		for _, tm := range list.Templates {
			names = append(names, aws.ToString(tm.Name))
		}
		t.Fatalf("templates after the refused requests = %v, want only [once]", names)
	}
}
