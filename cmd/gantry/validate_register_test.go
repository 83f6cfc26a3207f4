package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestValidateAndRegisterAgree runs the same bundles through gantry validate and through
// registration by the API (gantry templates register): each is accepted by both or
// rejected by both, and a rejection by the API carries validate's first problem.
func TestValidateAndRegisterAgree(t *testing.T) {
	checker := conformance + "/bundles/aws-samples__aws-proton-template-checker-action/test/sample_templates/"
	badType := t.TempDir()
	copyBundle(t, lbSample+"/loadbalanced-fargate-env/v1", badType)
	tmpl := filepath.Join(badType, "infrastructure", "cloudformation.yaml")
	if err := os.WriteFile(tmpl, []byte(strings.Replace(mustRead(t, tmpl), "Type: AWS::EC2::VPC", "Type: AWS::EC2::VPCC", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	noSchema := t.TempDir()
	copyBundle(t, lbSample+"/loadbalanced-fargate-env/v1", noSchema)
	if err := os.Remove(filepath.Join(noSchema, "schema", "schema.yaml")); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		kind, bundle string
		valid        bool
	}{
		{"environment", lbSample + "/loadbalanced-fargate-env/v1", true}, // registered first: the services' environment
		{"service", lbSample + "/loadbalanced-fargate-svc/v1", true},
		{"service", checker + "valid_svc_template", true},
		{"service", checker + "invalid_jinja_template", false},
		{"service", checker + "invalid_jinja_syntax_template", false},
		{"service", checker + "valid_svc_pipeline_template", false}, // its pipeline does not render with the defaults
		{"environment", checker + "invalid_template_bundle", false},
		{"environment", badType, false},
		{"environment", noSchema, false},
		{"environment", library + "/environments/vpc-ecs/v1", true},
		{"service", library + "/services/s3-bucket/v1", true},
	}
	ap := startAPIPlatform(t)
	for i, c := range cases {
		vcode, vout, _ := gantry(t, "validate", "--bundle", c.bundle)
		if (vcode == exitOK) != c.valid {
			t.Fatalf("validate %s: exit %d, want valid %v:\n%s", c.bundle, vcode, c.valid, vout)
		}
		name := fmt.Sprintf("case%d", i)
		if i == 0 {
			name = "loadbalanced-fargate-env"
		}
		ap.must(t, ap.adminFile, "templates", "create", "--kind", c.kind, "--name", name)
		args := []string{"templates", "register", "--kind", c.kind, "--name", name, "--bundle", c.bundle}
		if c.kind == "service" {
			args = append(args, "--compatible-env", "loadbalanced-fargate-env:1")
		}
		rcode, _, rerr := ap.as(t, ap.adminFile, args...)
		if (rcode == exitOK) != (vcode == exitOK) {
			t.Errorf("%s: validate exits %d, register %d (%s)", c.bundle, vcode, rcode, rerr)
			continue
		}
		if vcode != exitOK {
			var first string
			for _, line := range strings.Split(vout, "\n") {
				if !strings.HasPrefix(line, "warning: ") && !strings.HasPrefix(line, "note: ") {
					first = line
					break
				}
			}
			if !strings.Contains(rerr, "ValidationException: invalid bundle: ") || !strings.Contains(rerr, first) {
				t.Errorf("%s: register said %q, want validate's first problem %q", c.bundle, rerr, first)
			}
		}
	}
}

// revisedBundle copies the bundle folder src with a comment added to its schema: another
// bundle (an identical one registered again under its major is the version it already is).
func revisedBundle(t *testing.T, src string) string {
	t.Helper()
	dir := t.TempDir()
	copyBundle(t, src, dir)
	schema := filepath.Join(dir, "schema", "schema.yaml")
	if err := os.WriteFile(schema, []byte(mustRead(t, schema)+"\n# revised\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}
