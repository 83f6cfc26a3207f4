package bundlecheck

import (
	"io/fs"

	"github.com/gantry-platform/gantry/internal/bundle"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/schema"
	"github.com/gantry-platform/gantry/internal/terraform"
)

// terraformProblems checks the Terraform (hcl) manifests of b against its schema: the
// variables and input references of their folders' .tf files (parsed with HCL). Files
// HCL cannot parse are warnings naming their line (Proton registered them; Terraform will
// refuse them).
func terraformProblems(b *bundle.Bundle) (problems, warnings []string) {
	files := map[string][]byte{}
	for _, name := range b.Files() {
		if data, err := fs.ReadFile(b.FS(), name); err == nil {
			files[name] = data
		}
	}
	declared := map[terraform.Namespace]*terraform.Inputs{}
	for ns, kind := range map[terraform.Namespace]schema.InputKind{terraform.EnvironmentNamespace: schema.EnvironmentInputs,
		terraform.ServiceInstanceNamespace: schema.ServiceInputs, terraform.PipelineNamespace: schema.PipelineInputs} {
		declared[ns] = nil
		if b.Schema == nil {
			continue
		}
		if t, name, ok := b.Schema.InputType(kind); ok && t != nil {
			in := &terraform.Inputs{Type: name}
			for _, p := range t.Properties {
				in.Names = append(in.Names, p.Name)
			}
			declared[ns] = in
		}
	}
	for _, m := range b.Manifests() {
		if m == nil || m.Engine() != platform.EngineTerraform {
			continue
		}
		mod := terraform.Parse(m.Dir, files)
		for _, p := range mod.Unparsed {
			warnings = append(warnings, p.String())
		}
		for _, p := range mod.Check(declared) {
			problems = append(problems, p.String())
		}
	}
	return problems, warnings
}
