package local

import (
	"bytes"
	"context"
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
	"github.com/gantry-platform/gantry/internal/gitsync/gitsynctest"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
	"github.com/gantry-platform/gantry/internal/terraform"
)

// branchFiles returns the files under dir on the branch of pull request pr of the local
// repository repo.
func branchFiles(t *testing.T, w *wirePlatform, repo string, pr gitprovider.LocalPullRequest, dir string) map[string][]byte {
	t.Helper()
	clone, err := gitsync.OpenClone(t.TempDir(), w.Git.Path(platform.RepositoryID{Provider: platform.GitHub, Name: repo}), nil)
	if err != nil {
		t.Fatal(err)
	}
	head, err := clone.Fetch(t.Context(), pr.Head)
	if err != nil {
		t.Fatal(err)
	}
	files, err := clone.Files(head, dir)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// notify plays a provisioning repository's CI: it reports status (and outputs, key
// value pairs) on the resource arn.
func notify(t *testing.T, c *proton.Client, arn *string, status types.ResourceDeploymentStatus, message string, outputs ...string) {
	t.Helper()
	in := &proton.NotifyResourceDeploymentStatusChangeInput{ResourceArn: arn, Status: status}
	if message != "" {
		in.StatusMessage = aws.String(message)
	}
	for i := 0; i+1 < len(outputs); i += 2 {
		in.Outputs = append(in.Outputs, types.Output{Key: aws.String(outputs[i]), ValueString: aws.String(outputs[i+1])})
	}
	if _, err := c.NotifyResourceDeploymentStatusChange(t.Context(), in); err != nil {
		t.Fatal(err)
	}
}

// waitComponent waits until get's component satisfies done (nil: until it is gone) and
// returns it.
func waitComponent(t *testing.T, c *proton.Client, name string, done func(*types.Component) bool) *types.Component {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		got, err := c.GetComponent(t.Context(), &proton.GetComponentInput{Name: aws.String(name)})
		if done == nil && err != nil {
			wantAPIError(t, err, "ResourceNotFoundException")
			return nil
		}
		if err != nil {
			t.Fatal(err)
		}
		if done != nil && done(got.Component) {
			return got.Component
		}
		if time.Now().After(deadline) {
			t.Fatalf("component %s = %+v after 30 s", name, got.Component)
		}
	}
}

// TestTerraformSelfManagedComponent deploys the real s3-bucket-component Terraform sample,
// unchanged, as a directly defined component of an apigw-lambda-svc instance in a
// self-managed vpc-env environment: its component.tf goes with Proton's
// proton.auto.tfvars.json (component, environment, service_instance) and
// proton.variables.tf to a pull request on the environment's repository; the CI's
// reported outputs make it ACTIVE and reach the instance's next deployment as
// service_instance.components.default.outputs; a CloudFormation component is refused
// there; a CI reporting FAILED fails the update with its message; deleting it proposes
// removing its folder: DELETE_FAILED keeps it, DELETE_COMPLETE removes it.
func TestTerraformSelfManagedComponent(t *testing.T) {
	ctx := t.Context()
	w := newWirePlatform(t)
	admin := w.client(t, platform.AdminRole)
	selfManagedEnvironment(t, w, admin, aws.String("arn:aws:iam::000000000000:role/components"))
	if _, err := admin.UpdateServiceTemplateVersion(ctx, &proton.UpdateServiceTemplateVersionInput{TemplateName: aws.String("apigw-lambda-svc"),
		MajorVersion: aws.String("1"), MinorVersion: aws.String("0"), SupportedComponentSources: []types.ServiceTemplateSupportedComponentSourceType{
			types.ServiceTemplateSupportedComponentSourceTypeDirectlyDefined}}); err != nil {
		t.Fatal(err)
	}
	createSampleService(t, admin)
	infra := &gitprovider.LocalPullRequests{Remotes: w.Git, Provider: platform.GitHub}
	waitPullRequests(t, infra, "acme/infra", 2)
	instance := &proton.GetServiceInstanceInput{ServiceName: aws.String("apigw-lambda-svc"), Name: aws.String("apigw-lambda-svc-prod")}
	inst, err := admin.GetServiceInstance(ctx, instance)
	if err != nil {
		t.Fatal(err)
	}
	notify(t, admin, inst.ServiceInstance.Arn, types.ResourceDeploymentStatusSucceeded, "", "HttpApiEndpoint", "https://api.example")
	waitInstance(t, admin, instance, types.DeploymentStatusSucceeded)

	// The sample component, unchanged, on that instance.
	samples := filepath.Join(platformtest.SharedDir(t), "samples", "proton-bundles", "terraform")
	manifest, err := os.ReadFile(filepath.Join(samples, "component-templates", "s3-bucket-component", "manifest.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	componentTF, err := os.ReadFile(filepath.Join(samples, "component-templates", "s3-bucket-component", "component.tf"))
	if err != nil {
		t.Fatal(err)
	}
	dev := w.client(t, platform.DeveloperRole)
	create := &proton.CreateComponentInput{Name: aws.String("bucket"), ServiceName: aws.String("apigw-lambda-svc"),
		ServiceInstanceName: aws.String("apigw-lambda-svc-prod"), Manifest: aws.String(string(manifest)), TemplateFile: aws.String(string(componentTF))}
	jinja := *create
	jinja.Manifest = aws.String("infrastructure:\n  templates:\n    - file: cloudformation.yaml\n      rendering_engine: jinja\n      template_language: cloudformation\n")
	jinja.TemplateFile = aws.String("Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n")
	_, err = dev.CreateComponent(ctx, &jinja)
	wantAPIError(t, err, "ValidationException") // a self-managed environment takes Terraform components only
	created, err := dev.CreateComponent(ctx, create)
	if err != nil {
		t.Fatal(err)
	}
	prs := waitPullRequests(t, infra, "acme/infra", 3)
	files := branchFiles(t, w, "acme/infra", prs[2], "components/bucket")
	if !bytes.Equal(files["component.tf"], componentTF) || len(files) != 3 {
		t.Fatalf("the component's branch holds %d files; component.tf:\n%s", len(files), files["component.tf"])
	}
	var vars struct {
		Component struct {
			Name string `json:"name"`
		} `json:"component"`
		Environment struct {
			Name    string            `json:"name"`
			Outputs map[string]string `json:"outputs"`
		} `json:"environment"`
		Service struct {
			Name string `json:"name"`
		} `json:"service"`
		ServiceInstance struct {
			Name   string         `json:"name"`
			Inputs map[string]any `json:"inputs"`
		} `json:"service_instance"`
	}
	if err := json.Unmarshal(files["proton.auto.tfvars.json"], &vars); err != nil {
		t.Fatalf("%s: %v", files["proton.auto.tfvars.json"], err)
	}
	if vars.Component.Name != "bucket" || vars.Environment.Name != "vpc-env-prod" || vars.Environment.Outputs["SnsTopicName"] != "ping" ||
		vars.Service.Name != "apigw-lambda-svc" || vars.ServiceInstance.Name != "apigw-lambda-svc-prod" || vars.ServiceInstance.Inputs["lambda_runtime"] != "nodejs12.x" {
		t.Fatalf("the component's proton.auto.tfvars.json:\n%s", files["proton.auto.tfvars.json"])
	}
	componentVars := files["proton.variables.tf"]
	for _, v := range []string{`variable "component"`, `variable "environment"`, `variable "service_instance"`} {
		if !bytes.Contains(files["proton.variables.tf"], []byte(v)) {
			t.Errorf("the component's proton.variables.tf does not declare %s:\n%s", v, files["proton.variables.tf"])
		}
	}
	if got := waitComponent(t, dev, "bucket", func(c *types.Component) bool { return true }); got.DeploymentStatus != types.DeploymentStatusInProgress {
		t.Fatalf("component while its pull request is open = %+v", got)
	}

	// The repository's CI applies it and reports its outputs.
	notify(t, admin, created.Component.Arn, types.ResourceDeploymentStatusSucceeded, "",
		"BucketArn", "arn:aws:s3:::component-bucket-1", "BucketAccessPolicyArn", "arn:aws:iam::111122223333:policy/bucket")
	waitComponent(t, dev, "bucket", func(c *types.Component) bool { return c.DeploymentStatus == types.DeploymentStatusSucceeded })
	gitsynctest.FastForward(t, w.Git.Path(platform.RepositoryID{Provider: platform.GitHub, Name: "acme/infra"}), prs[2].Head, "main")
	outputs, err := dev.ListComponentOutputs(ctx, &proton.ListComponentOutputsInput{ComponentName: aws.String("bucket")})
	if err != nil || len(outputs.Outputs) != 2 {
		t.Fatalf("component outputs = %+v, %v", outputs, err)
	}

	// The instance's next deployment reads them as service_instance.components.default.outputs.
	if _, err := dev.UpdateServiceInstance(ctx, &proton.UpdateServiceInstanceInput{ServiceName: instance.ServiceName, Name: instance.Name,
		DeploymentType: types.DeploymentUpdateTypeCurrentVersion}); err != nil {
		t.Fatal(err)
	}
	prs = waitPullRequests(t, infra, "acme/infra", 4)
	files = branchFiles(t, w, "acme/infra", prs[3], "services/apigw-lambda-svc/instances/apigw-lambda-svc-prod")
	var instVars struct {
		ServiceInstance struct {
			Components struct {
				Default struct {
					Name    string            `json:"name"`
					Outputs map[string]string `json:"outputs"`
				} `json:"default"`
			} `json:"components"`
		} `json:"service_instance"`
	}
	if err := json.Unmarshal(files["proton.auto.tfvars.json"], &instVars); err != nil {
		t.Fatal(err)
	}
	if c := instVars.ServiceInstance.Components.Default; c.Name != "bucket" || c.Outputs["BucketArn"] != "arn:aws:s3:::component-bucket-1" {
		t.Fatalf("the instance's proton.auto.tfvars.json:\n%s", files["proton.auto.tfvars.json"])
	}
	if !bytes.Contains(files["proton.variables.tf"], []byte("components = object(")) {
		t.Errorf("the instance's proton.variables.tf does not declare its components:\n%s", files["proton.variables.tf"])
	}
	if bad := terraform.Parse(".", map[string][]byte{"proton.variables.tf": files["proton.variables.tf"], "component.variables.tf": componentVars}).Unparsed; len(bad) > 0 {
		t.Errorf("proton.variables.tf does not parse: %v", bad)
	}
	notify(t, admin, inst.ServiceInstance.Arn, types.ResourceDeploymentStatusSucceeded, "")
	waitInstance(t, admin, instance, types.DeploymentStatusSucceeded)

	// A CI reporting FAILED fails the component's update with its message.
	if _, err := dev.UpdateComponent(ctx, &proton.UpdateComponentInput{Name: aws.String("bucket"), DeploymentType: types.ComponentDeploymentUpdateTypeCurrentVersion,
		TemplateFile: aws.String(string(componentTF) + "\n# v2\n")}); err != nil {
		t.Fatal(err)
	}
	waitPullRequests(t, infra, "acme/infra", 5)
	notify(t, admin, created.Component.Arn, types.ResourceDeploymentStatusFailed, "terraform apply: AccessDenied on s3:CreateBucket")
	failed := waitComponent(t, dev, "bucket", func(c *types.Component) bool { return c.DeploymentStatus == types.DeploymentStatusFailed })
	if msg := aws.ToString(failed.DeploymentStatusMessage); !bytes.Contains([]byte(msg), []byte("AccessDenied on s3:CreateBucket")) {
		t.Errorf("failed component's message = %q, want the CI's", msg)
	}

	// Deleting proposes removing its folder; a CI reporting DELETE_FAILED keeps the record,
	// which goes once a deletion is reported DELETE_COMPLETE.
	for i, report := range []types.ResourceDeploymentStatus{"DELETE_FAILED", "DELETE_COMPLETE"} {
		if _, err := dev.DeleteComponent(ctx, &proton.DeleteComponentInput{Name: aws.String("bucket")}); err != nil {
			t.Fatal(err)
		}
		prs = waitPullRequests(t, infra, "acme/infra", 6+i)
		if left := branchFiles(t, w, "acme/infra", prs[5+i], "components/bucket"); len(left) != 0 {
			t.Fatalf("the deletion's branch still holds %d files", len(left))
		}
		if got := waitComponent(t, dev, "bucket", func(c *types.Component) bool { return true }); got.DeploymentStatus != types.DeploymentStatusDeleteInProgress {
			t.Fatalf("component while its deletion's pull request is open = %+v", got)
		}
		notify(t, admin, created.Component.Arn, report, "")
		if report == "DELETE_FAILED" {
			waitComponent(t, dev, "bucket", func(c *types.Component) bool { return c.DeploymentStatus == types.DeploymentStatusDeleteFailed })
		}
	}
	waitComponent(t, dev, "bucket", nil)
}

// waitInstance waits until the instance's deployment status is want.
func waitInstance(t *testing.T, c *proton.Client, in *proton.GetServiceInstanceInput, want types.DeploymentStatus) {
	t.Helper()
	ctx := context.Background()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		got, err := c.GetServiceInstance(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if got.ServiceInstance.DeploymentStatus == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("service instance %s = %s after 30 s, want %s", aws.ToString(in.Name), got.ServiceInstance.DeploymentStatus, want)
		}
	}
}
