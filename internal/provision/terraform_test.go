package provision_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/gitprovider"
	"github.com/gantry-platform/gantry/internal/gitsync"
	"github.com/gantry-platform/gantry/internal/gitsync/gitsynctest"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
	"github.com/gantry-platform/gantry/internal/provision"
)

const samples = "../../../shared/samples/proton-bundles/terraform"

// envBundle is a Terraform environment bundle: the real vpc-env's schema and main.tf.
func envBundle(t *testing.T) []byte {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, data []byte) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(samples, "environment-templates/vpc-env", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	write("schema/schema.yaml", read("v1/schema/schema.yaml"))
	write("infrastructure/main.tf", read("v1/infrastructure/main.tf"))
	write("infrastructure/manifest.yaml", []byte("infrastructure:\n  templates:\n    - file: main.tf\n      rendering_engine: hcl\n      template_language: terraform\n"))
	return platformtest.TarGz(t, dir, nil)
}

// TestTerraformProposesPullRequests deploys an environment through the Terraform engine:
// the bundle's .tf files with proton.auto.tfvars.json (byte for byte Proton's) and
// proton.variables.tf land on a new branch of the provisioning repository with a pull
// request; once merged, its deletion proposes removing the folder.
func TestTerraformProposesPullRequests(t *testing.T) {
	ctx := t.Context()
	remotes := gitprovider.LocalRemotes{Root: t.TempDir()}
	prs := &gitprovider.LocalPullRequests{Remotes: remotes, Provider: platform.GitHub}
	repo := platform.RepositoryBranch{Provider: platform.GitHub, Name: "acme/infra", Branch: "main"}
	tf := provision.Terraform{
		RepositoryOf: func(ctx context.Context, d platform.Deployment) (platform.RepositoryBranch, error) {
			if d.Target.Environment == "unmanaged" {
				return platform.RepositoryBranch{}, platform.Errorf(platform.Invalid, "environment unmanaged has no provisioning repository")
			}
			return repo, nil
		},
		Remotes: provision.LocalRemotes{LocalRemotes: remotes}, PullRequests: gitprovider.Providers{platform.GitHub: prs},
		Now: func() time.Time { return time.Date(2026, 12, 6, 6, 0, 0, 0, time.UTC) },
	}
	d := platform.Deployment{ID: "0f8fad5b-d9cb-469f-a165-70867728950e", Target: platform.Target{Kind: platform.EnvironmentTarget, Environment: "vpc-env"}}
	inputs := []byte(`{"environment":{"inputs":{"vpc_cidr":"10.0.0.0/16","public_subnet_one_cidr":"10.0.0.0/18","public_subnet_two_cidr":"10.0.64.0/18",` +
		`"private_subnet_one_cidr":"10.0.128.0/18","private_subnet_two_cidr":"10.0.192.0/18"},"name":"vpc-env"}}`)
	p := platform.Provisioning{Deployment: d, Bundle: envBundle(t), Dir: "infrastructure", ProtonInputs: inputs}
	sub, err := tf.Submit(ctx, p)
	if err != nil || sub.Ref == "" {
		t.Fatalf("Submit = %+v, %v", sub, err)
	}
	bare := remotes.Path(repo.Repository())
	clone, err := gitsync.OpenClone(t.TempDir(), bare, nil)
	if err != nil {
		t.Fatal(err)
	}
	head, err := clone.Fetch(ctx, "gantry/"+d.ID)
	if err != nil {
		t.Fatal(err)
	}
	files, err := clone.Files(head, "environments/vpc-env")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(filepath.Join(samples, "environment-templates/vpc-env/dev-resources/proton.auto.tfvars.json"))
	if !bytes.Equal(files["proton.auto.tfvars.json"], want) {
		t.Errorf("proton.auto.tfvars.json on the branch =\n%s\nwant Proton's\n%s", files["proton.auto.tfvars.json"], want)
	}
	variables, _ := os.ReadFile(filepath.Join(samples, "environment-templates/vpc-env/dev-resources/proton.variables.tf"))
	mainTF, _ := os.ReadFile(filepath.Join(samples, "environment-templates/vpc-env/v1/infrastructure/main.tf"))
	if !bytes.Equal(files["proton.variables.tf"], variables) || !bytes.Equal(files["main.tf"], mainTF) || len(files) != 3 {
		t.Errorf("files on the branch = %d: %v", len(files), keys(files))
	}
	list, err := prs.List("acme/infra")
	if err != nil || len(list) != 1 || list[0].Head != "gantry/"+d.ID || list[0].Base != "main" {
		t.Fatalf("pull requests = %+v, %v", list, err)
	}
	d.ProvisioningRef = sub.Ref
	if rep, err := tf.Report(ctx, d); err != nil || rep.DeploymentID != d.ID || rep.Outcome != platform.OutcomeInProgress {
		t.Fatalf("Report = %+v, %v", rep, err)
	}
	if err := tf.Cancel(ctx, d); platform.KindOf(err) != platform.Conflict {
		t.Fatalf("Cancel: %v, want Conflict", err)
	}

	// Before the merge there is nothing to remove; after it, the deletion proposes removing the folder.
	del := platform.Deployment{ID: "1f8fad5b-d9cb-469f-a165-70867728950e", Target: d.Target, Operation: platform.Delete}
	if sub, err := tf.Deprovision(ctx, platform.Provisioning{Deployment: del}); err != nil || !sub.NoChanges {
		t.Fatalf("Deprovision before the merge = %+v, %v; want NoChanges", sub, err)
	}
	gitsynctest.FastForward(t, bare, "gantry/"+d.ID, "main")
	if sub, err := tf.Deprovision(ctx, platform.Provisioning{Deployment: del}); err != nil || sub.Ref == "" {
		t.Fatalf("Deprovision = %+v, %v", sub, err)
	}
	head, _ = clone.Fetch(ctx, "gantry/"+del.ID)
	if left, err := clone.Files(head, "environments/vpc-env"); err != nil || len(left) != 0 {
		t.Fatalf("files after the deletion's commit = %v, %v", keys(left), err)
	}
	if list, _ := prs.List("acme/infra"); len(list) != 2 {
		t.Fatalf("pull requests after the deletion = %+v", list)
	}

	unmanaged := p
	unmanaged.Deployment.Target.Environment = "unmanaged"
	if _, err := tf.Submit(ctx, unmanaged); platform.KindOf(err) != platform.Invalid {
		t.Fatalf("a target without a provisioning repository: %v, want Invalid", err)
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
