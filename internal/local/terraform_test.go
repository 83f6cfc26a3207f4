package local

import (
	"bytes"
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
)

// TestTerraformSelfManagedEnvironment registers the real vpc-env Terraform bundle
// unchanged and deploys it through the official Go client: a linked repository, an
// environment with provisioningRepository (CUSTOMER_MANAGED) whose deployment pushes the
// bundle's .tf files with Proton's proton.auto.tfvars.json (byte for byte) and
// proton.variables.tf to a branch and opens a pull request; the test then plays the
// repository's CI, reporting SUCCEEDED with outputs through
// NotifyResourceDeploymentStatusChange. Deleting the environment proposes removing its
// folder, and the CI reports DELETE_COMPLETE.
func TestTerraformSelfManagedEnvironment(t *testing.T) {
	ctx := t.Context()
	w := newWirePlatform(t)
	admin := w.client(t, platform.AdminRole)
	sample := filepath.Join(platformtest.SharedDir(t), "samples", "proton-bundles", "terraform", "environment-templates", "vpc-env")
	registerTerraform(t, w, admin, false, "vpc-env", "environment-templates/vpc-env/v1")
	spec, err := os.ReadFile(filepath.Join(sample, "spec", "spec.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	create := &proton.CreateEnvironmentInput{Name: aws.String("vpc-env"), TemplateName: aws.String("vpc-env"), TemplateMajorVersion: aws.String("1"),
		Spec: aws.String(string(spec))}
	_, err = admin.CreateEnvironment(ctx, create)
	wantAPIError(t, err, "ValidationException")                                   // a Terraform environment needs its provisioning repository
	create.CodebuildRoleArn = aws.String("arn:aws:iam::000000000000:role/builds") // kept as Proton keeps it, though Terraform runs in the repository's CI
	create.ProvisioningRepository = &types.RepositoryBranchInput{Provider: types.RepositoryProviderGithub, Name: aws.String("acme/infra"), Branch: aws.String("main")}
	_, err = admin.CreateEnvironment(ctx, create)
	wantAPIError(t, err, "ValidationException") // not linked yet
	if _, err := admin.CreateRepository(ctx, &proton.CreateRepositoryInput{Provider: types.RepositoryProviderGithub, Name: aws.String("acme/infra"),
		ConnectionArn: aws.String("arn:aws:codestar-connections:us-east-1:111122223333:connection/c")}); err != nil {
		t.Fatal(err)
	}
	created, err := admin.CreateEnvironment(ctx, create)
	if err != nil {
		t.Fatal(err)
	}
	if created.Environment.Provisioning != types.ProvisioningCustomerManaged || aws.ToString(created.Environment.ProvisioningRepository.Name) != "acme/infra" ||
		aws.ToString(created.Environment.CodebuildRoleArn) != aws.ToString(create.CodebuildRoleArn) {
		t.Fatalf("created environment = %+v", created.Environment)
	}
	deployment := aws.ToString(created.Environment.LastAttemptedDeploymentId)

	// The pull request appears; the deployment waits for the CI.
	prs := &gitprovider.LocalPullRequests{Remotes: w.Git, Provider: platform.GitHub}
	opened := waitPullRequests(t, prs, "acme/infra", 1)
	if len(opened) != 1 || opened[0].Head != "gantry/"+deployment || opened[0].Base != "main" {
		t.Fatalf("pull requests = %+v, want one of gantry/%s into main", opened, deployment)
	}
	bare := w.Git.Path(platform.RepositoryID{Provider: platform.GitHub, Name: "acme/infra"})
	clone, err := gitsync.OpenClone(t.TempDir(), bare, nil)
	if err != nil {
		t.Fatal(err)
	}
	head, err := clone.Fetch(ctx, opened[0].Head)
	if err != nil {
		t.Fatal(err)
	}
	files, err := clone.Files(head, "environments/vpc-env")
	if err != nil {
		t.Fatal(err)
	}
	wantVars, _ := os.ReadFile(filepath.Join(sample, "dev-resources", "proton.auto.tfvars.json"))
	wantDecl, _ := os.ReadFile(filepath.Join(sample, "dev-resources", "proton.variables.tf"))
	if !bytes.Equal(files["proton.auto.tfvars.json"], wantVars) || !bytes.Equal(files["proton.variables.tf"], wantDecl) {
		t.Errorf("Proton's files on the branch:\n%s\n%s", files["proton.auto.tfvars.json"], files["proton.variables.tf"])
	}
	for _, tf := range []string{"config.tf", "data.tf", "locals.tf", "main.tf", "outputs.tf"} {
		want, _ := os.ReadFile(filepath.Join(sample, "v1", "infrastructure", tf))
		if !bytes.Equal(files[tf], want) {
			t.Errorf("%s on the branch differs from the bundle's", tf)
		}
	}
	if _, ok := files["manifest.yaml"]; ok || len(files) != 7 {
		t.Errorf("files on the branch = %d", len(files))
	}
	got, err := admin.GetEnvironment(ctx, &proton.GetEnvironmentInput{Name: aws.String("vpc-env")})
	if err != nil || got.Environment.DeploymentStatus != types.DeploymentStatusInProgress {
		t.Fatalf("environment while the pull request is open = %+v, %v", got, err)
	}

	// The repository's CI applies it and reports.
	arn := created.Environment.Arn
	if _, err := admin.NotifyResourceDeploymentStatusChange(ctx, &proton.NotifyResourceDeploymentStatusChangeInput{ResourceArn: arn,
		Status: types.ResourceDeploymentStatusSucceeded, Outputs: []types.Output{{Key: aws.String("VpcId"), ValueString: aws.String("vpc-0abc")}}}); err != nil {
		t.Fatal(err)
	}
	if err := proton.NewEnvironmentDeployedWaiter(admin).Wait(ctx, &proton.GetEnvironmentInput{Name: aws.String("vpc-env")}, time.Minute,
		func(o *proton.EnvironmentDeployedWaiterOptions) { fast[any](&o.MinDelay, &o.MaxDelay)(nil) }); err != nil {
		t.Fatalf("EnvironmentDeployed waiter: %v", err)
	}
	outputs, err := admin.ListEnvironmentOutputs(ctx, &proton.ListEnvironmentOutputsInput{EnvironmentName: aws.String("vpc-env")})
	if err != nil || len(outputs.Outputs) != 1 || aws.ToString(outputs.Outputs[0].ValueString) != "vpc-0abc" {
		t.Fatalf("outputs = %+v, %v", outputs, err)
	}

	// Merged; deleting proposes removing the folder, and the CI reports the deletion.
	gitsynctest.FastForward(t, bare, opened[0].Head, "main")
	if _, err := admin.DeleteEnvironment(ctx, &proton.DeleteEnvironmentInput{Name: aws.String("vpc-env")}); err != nil {
		t.Fatal(err)
	}
	opened = waitPullRequests(t, prs, "acme/infra", 2)
	head, _ = clone.Fetch(ctx, opened[1].Head)
	if left, err := clone.Files(head, "environments/vpc-env"); err != nil || len(left) != 0 {
		t.Fatalf("the deletion's branch still holds %d files (%v)", len(left), err)
	}
	if _, err := admin.NotifyResourceDeploymentStatusChange(ctx, &proton.NotifyResourceDeploymentStatusChangeInput{ResourceArn: arn,
		Status: types.ResourceDeploymentStatus("DELETE_COMPLETE")}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		_, err := admin.GetEnvironment(ctx, &proton.GetEnvironmentInput{Name: aws.String("vpc-env")})
		if err != nil {
			wantAPIError(t, err, "ResourceNotFoundException")
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the environment was not deleted after DELETE_COMPLETE")
		}
	}
}
