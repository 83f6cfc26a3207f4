package bundlecheck_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/bundle"
	"github.com/gantry-platform/gantry/internal/bundlecheck"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

const terraformSamples = "../../../shared/samples/proton-bundles/terraform/"

func loadTerraform(t *testing.T, dir string, overrides map[string]string) func() (*bundle.Bundle, error) {
	archive := platformtest.TarGz(t, terraformSamples+dir, overrides)
	return func() (*bundle.Bundle, error) {
		return bundle.LoadTarGz(strings.NewReader(string(archive)), bundle.ProtonLimits)
	}
}

// The real Terraform bundles pass unchanged (file "*", 13 files); vpc-env's config.tf,
// which HCL cannot parse, is a warning naming its line. An input the .tf files read but
// the schema lacks, or a template_language other than terraform, is a problem naming the
// file and line.
func TestTerraformBundles(t *testing.T) {
	ctx := t.Context()
	env, err := bundlecheck.Check(ctx, loadTerraform(t, "environment-templates/vpc-env/v1", nil), bundlecheck.Options{})
	if err != nil || env.Err() != nil {
		t.Fatalf("vpc-env: %+v, %v", env.Problems, err)
	}
	if len(env.Warnings) != 1 || !strings.HasPrefix(env.Warnings[0], "infrastructure/config.tf:17: Terraform cannot parse this file") {
		t.Errorf("vpc-env warnings = %v", env.Warnings)
	}
	svc, err := bundlecheck.Check(ctx, loadTerraform(t, "service-templates/apigw-lambda-svc/v1", nil), bundlecheck.Options{})
	if err != nil || svc.Err() != nil || len(svc.Warnings) != 0 {
		t.Fatalf("apigw-lambda-svc: %+v %+v, %v", svc.Problems, svc.Warnings, err)
	}

	bad, err := bundlecheck.Check(ctx, loadTerraform(t, "environment-templates/vpc-env/v1", map[string]string{
		"infrastructure/extra.tf": "locals {\n  size = var.environment.inputs.vpc_size\n}\n",
	}), bundlecheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"infrastructure/extra.tf:2: var.environment.inputs.vpc_size is not an input of PublicEnvironmentInput in schema/schema.yaml " +
		"(it declares vpc_cidr, public_subnet_one_cidr, public_subnet_two_cidr, private_subnet_one_cidr, private_subnet_two_cidr)"}
	if !reflect.DeepEqual(bad.Problems, want) {
		t.Errorf("problems = %q, want %q", bad.Problems, want)
	}
	lang, err := bundlecheck.Check(ctx, loadTerraform(t, "environment-templates/vpc-env/v1", map[string]string{
		"infrastructure/manifest.yaml": "infrastructure:\n  templates:\n    - file: \"*\"\n      rendering_engine: hcl\n      template_language: pulumi\n",
	}), bundlecheck.Options{})
	if err != nil || len(lang.Problems) != 1 || !strings.HasPrefix(lang.Problems[0], "infrastructure/manifest.yaml:3: rendering_engine hcl needs template_language terraform") {
		t.Errorf("another language: %v, %v", lang.Problems, err)
	}
}
