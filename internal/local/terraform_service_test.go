package local

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/proton"
	"github.com/aws/aws-sdk-go-v2/service/proton/types"

	"github.com/gantry-platform/gantry/internal/gitprovider"
	"github.com/gantry-platform/gantry/internal/gitsync"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

// registerTerraform stages the real Terraform bundle folder rel (under the shared samples'
// terraform/) in S3 and registers and publishes it as version 1.0 of template name.
func registerTerraform(t *testing.T, w *wirePlatform, admin *proton.Client, service bool, name, rel string) {
	t.Helper()
	ctx := t.Context()
	dir := filepath.Join(platformtest.SharedDir(t), "samples", "proton-bundles", "terraform", filepath.FromSlash(rel))
	key := name + ".tar.gz"
	if err := os.MkdirAll(filepath.Join(w.s3dir, "bundles"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(w.s3dir, "bundles", key), platformtest.TarGz(t, dir, nil), 0o644); err != nil {
		t.Fatal(err)
	}
	source := &types.TemplateVersionSourceInputMemberS3{Value: types.S3ObjectSource{Bucket: aws.String("bundles"), Key: aws.String(key)}}
	var err error
	if service {
		if _, err = admin.CreateServiceTemplate(ctx, &proton.CreateServiceTemplateInput{Name: aws.String(name)}); err == nil {
			_, err = admin.CreateServiceTemplateVersion(ctx, &proton.CreateServiceTemplateVersionInput{TemplateName: aws.String(name), Source: source,
				CompatibleEnvironmentTemplates: []types.CompatibleEnvironmentTemplateInput{{TemplateName: aws.String("vpc-env"), MajorVersion: aws.String("1")}}})
		}
		if err == nil {
			_, err = admin.UpdateServiceTemplateVersion(ctx, &proton.UpdateServiceTemplateVersionInput{TemplateName: aws.String(name),
				MajorVersion: aws.String("1"), MinorVersion: aws.String("0"), Status: types.TemplateVersionStatusPublished})
		}
	} else {
		if _, err = admin.CreateEnvironmentTemplate(ctx, &proton.CreateEnvironmentTemplateInput{Name: aws.String(name)}); err == nil {
			_, err = admin.CreateEnvironmentTemplateVersion(ctx, &proton.CreateEnvironmentTemplateVersionInput{TemplateName: aws.String(name), Source: source})
		}
		if err == nil {
			_, err = admin.UpdateEnvironmentTemplateVersion(ctx, &proton.UpdateEnvironmentTemplateVersionInput{TemplateName: aws.String(name),
				MajorVersion: aws.String("1"), MinorVersion: aws.String("0"), Status: types.TemplateVersionStatusPublished})
		}
	}
	if err != nil {
		t.Fatalf("registering %s: %v", rel, err)
	}
}

// waitPullRequests waits until repo holds n recorded pull requests and returns them.
func waitPullRequests(t *testing.T, prs *gitprovider.LocalPullRequests, repo string, n int) []gitprovider.LocalPullRequest {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		list, err := prs.List(repo)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) >= n || time.Now().After(deadline) {
			if len(list) != n {
				t.Fatalf("pull requests on %s = %+v, want %d", repo, list, n)
			}
			return list
		}
	}
}

// sampleConnection is the repository connection of the self-managed tests.
var sampleConnection = aws.String("arn:aws:codestar-connections:us-east-1:111122223333:connection/c")

// selfManagedEnvironment registers the real vpc-env and apigw-lambda-svc Terraform
// bundles, links acme/infra and acme/pipelines (the account settings' pipeline
// repository), and deploys environment vpc-env-prod self-managed on acme/infra (with
// componentRole, when not nil), playing its CI: SUCCEEDED with SnsTopicArn and
// SnsTopicName. It returns the environment's ARN.
func selfManagedEnvironment(t *testing.T, w *wirePlatform, admin *proton.Client, componentRole *string) *string {
	t.Helper()
	ctx := t.Context()
	registerTerraform(t, w, admin, false, "vpc-env", "environment-templates/vpc-env/v1")
	registerTerraform(t, w, admin, true, "apigw-lambda-svc", "service-templates/apigw-lambda-svc/v1")
	for _, repo := range []string{"acme/infra", "acme/pipelines"} {
		if _, err := admin.CreateRepository(ctx, &proton.CreateRepositoryInput{Provider: types.RepositoryProviderGithub, Name: aws.String(repo), ConnectionArn: sampleConnection}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := admin.UpdateAccountSettings(ctx, &proton.UpdateAccountSettingsInput{PipelineProvisioningRepository: &types.RepositoryBranchInput{
		Provider: types.RepositoryProviderGithub, Name: aws.String("acme/pipelines"), Branch: aws.String("main")}}); err != nil {
		t.Fatal(err)
	}
	env, err := admin.CreateEnvironment(ctx, &proton.CreateEnvironmentInput{Name: aws.String("vpc-env-prod"), TemplateName: aws.String("vpc-env"),
		TemplateMajorVersion: aws.String("1"), Spec: aws.String("proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.0.0.0/16\n"), ComponentRoleArn: componentRole,
		ProvisioningRepository: &types.RepositoryBranchInput{Provider: types.RepositoryProviderGithub, Name: aws.String("acme/infra"), Branch: aws.String("main")}})
	if err != nil {
		t.Fatal(err)
	}
	waitPullRequests(t, &gitprovider.LocalPullRequests{Remotes: w.Git, Provider: platform.GitHub}, "acme/infra", 1)
	notify(t, admin, env.Environment.Arn, types.ResourceDeploymentStatusSucceeded, "", "SnsTopicArn", "arn:aws:sns:us-east-1:111122223333:ping", "SnsTopicName", "ping")
	if err := proton.NewEnvironmentDeployedWaiter(admin).Wait(ctx, &proton.GetEnvironmentInput{Name: aws.String("vpc-env-prod")}, time.Minute,
		func(o *proton.EnvironmentDeployedWaiterOptions) { fast[any](&o.MinDelay, &o.MaxDelay)(nil) }); err != nil {
		t.Fatal(err)
	}
	return env.Environment.Arn
}

// createSampleService creates service apigw-lambda-svc from the sample's spec (instance
// apigw-lambda-svc-prod in vpc-env-prod).
func createSampleService(t *testing.T, admin *proton.Client) {
	t.Helper()
	spec, err := os.ReadFile(filepath.Join(platformtest.SharedDir(t), "samples", "proton-bundles", "terraform", "service-templates", "apigw-lambda-svc", "spec", "spec.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.CreateService(t.Context(), &proton.CreateServiceInput{Name: aws.String("apigw-lambda-svc"), TemplateName: aws.String("apigw-lambda-svc"),
		TemplateMajorVersion: aws.String("1"), Spec: aws.String(string(spec)), RepositoryId: aws.String("acme/app"), RepositoryConnectionArn: sampleConnection,
		BranchName: aws.String("main")}); err != nil {
		t.Fatal(err)
	}
}

// TestTerraformSelfManagedService deploys the real apigw-lambda-svc Terraform bundle
// (instance and pipeline) into a self-managed vpc-env environment: the instance's pull
// request goes to the environment's repository with the environment's reported outputs
// in its proton.auto.tfvars.json, the pipeline's to the account settings' pipeline
// repository once the instance is deployed; the test plays both repositories' CI.
func TestTerraformSelfManagedService(t *testing.T) {
	ctx := t.Context()
	w := newWirePlatform(t)
	admin := w.client(t, platform.AdminRole)
	selfManagedEnvironment(t, w, admin, nil)
	createSampleService(t, admin)
	infra := &gitprovider.LocalPullRequests{Remotes: w.Git, Provider: platform.GitHub}
	prs := waitPullRequests(t, infra, "acme/infra", 2)
	clone, err := gitsync.OpenClone(t.TempDir(), w.Git.Path(platform.RepositoryID{Provider: platform.GitHub, Name: "acme/infra"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	head, err := clone.Fetch(ctx, prs[1].Head)
	if err != nil {
		t.Fatal(err)
	}
	vars, err := clone.ReadFile(head, "services/apigw-lambda-svc/instances/apigw-lambda-svc-prod/proton.auto.tfvars.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Service struct {
			Name         string `json:"name"`
			RepositoryID string `json:"repository_id"`
		} `json:"service"`
		Environment struct {
			Name    string            `json:"name"`
			Outputs map[string]string `json:"outputs"`
		} `json:"environment"`
		ServiceInstance struct {
			Name   string         `json:"name"`
			Inputs map[string]any `json:"inputs"`
		} `json:"service_instance"`
	}
	if err := json.Unmarshal(vars, &doc); err != nil {
		t.Fatalf("%s: %v", vars, err)
	}
	if doc.Service.Name != "apigw-lambda-svc" || doc.Service.RepositoryID != "acme/app" || doc.Environment.Name != "vpc-env-prod" ||
		doc.Environment.Outputs["SnsTopicName"] != "ping" || doc.ServiceInstance.Name != "apigw-lambda-svc-prod" || doc.ServiceInstance.Inputs["lambda_runtime"] != "nodejs12.x" {
		t.Fatalf("the instance's proton.auto.tfvars.json:\n%s", vars)
	}
	inst, err := admin.GetServiceInstance(ctx, &proton.GetServiceInstanceInput{ServiceName: aws.String("apigw-lambda-svc"), Name: aws.String("apigw-lambda-svc-prod")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.NotifyResourceDeploymentStatusChange(ctx, &proton.NotifyResourceDeploymentStatusChangeInput{ResourceArn: inst.ServiceInstance.Arn,
		Status: types.ResourceDeploymentStatusSucceeded, Outputs: []types.Output{{Key: aws.String("HttpApiEndpoint"), ValueString: aws.String("https://api.example")}}}); err != nil {
		t.Fatal(err)
	}

	// The pipeline follows the instance, in the pipeline repository.
	pipelines := &gitprovider.LocalPullRequests{Remotes: w.Git, Provider: platform.GitHub}
	pprs := waitPullRequests(t, pipelines, "acme/pipelines", 1)
	pclone, err := gitsync.OpenClone(t.TempDir(), w.Git.Path(platform.RepositoryID{Provider: platform.GitHub, Name: "acme/pipelines"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	phead, err := pclone.Fetch(ctx, pprs[0].Head)
	if err != nil {
		t.Fatal(err)
	}
	files, err := pclone.Files(phead, "services/apigw-lambda-svc/pipeline")
	if err != nil || len(files["main.tf"]) == 0 || len(files["proton.auto.tfvars.json"]) == 0 {
		t.Fatalf("pipeline files = %d, %v", len(files), err)
	}
	svc, err := admin.GetService(ctx, &proton.GetServiceInput{Name: aws.String("apigw-lambda-svc")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.NotifyResourceDeploymentStatusChange(ctx, &proton.NotifyResourceDeploymentStatusChangeInput{ResourceArn: svc.Service.Arn,
		Status: types.ResourceDeploymentStatusSucceeded}); err != nil {
		t.Fatal(err)
	}
	if err := proton.NewServiceCreatedWaiter(admin).Wait(ctx, &proton.GetServiceInput{Name: aws.String("apigw-lambda-svc")}, time.Minute,
		func(o *proton.ServiceCreatedWaiterOptions) { fast[any](&o.MinDelay, &o.MaxDelay)(nil) }); err != nil {
		t.Fatalf("ServiceCreated waiter: %v", err)
	}
}
