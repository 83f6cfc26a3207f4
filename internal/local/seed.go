package local

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/gantry-platform/gantry/internal/cfnsim"
	"github.com/gantry-platform/gantry/internal/platform"
)

// SeedStackFile is a seeded stack's stack.json: what CloudFormation reports of it besides
// its template.
type SeedStackFile struct {
	Parameters map[string]string `json:"parameters,omitempty"`
	Tags       map[string]string `json:"tags,omitempty"`
	// Outputs are the stack's outputs, in order.
	Outputs []SeedOutput `json:"outputs,omitempty"`
}

// SeedOutput is one output of a seeded stack.
type SeedOutput struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// LoadSeedStacks reads a directory of stacks: each subdirectory is a stack of that name
// holding its template (template.yaml or template.json) and stack.json (SeedStackFile).
// Errors name the file.
func LoadSeedStacks(dir string) ([]cfnsim.SeedStack, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("seed stacks: %w", err)
	}
	var out []cfnsim.SeedStack
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		stackDir := filepath.Join(dir, e.Name())
		var template []byte
		for _, name := range []string{"template.yaml", "template.json"} {
			if template, err = os.ReadFile(filepath.Join(stackDir, name)); err == nil {
				break
			}
		}
		if err != nil {
			return nil, fmt.Errorf("seed stacks: %s has no template.yaml or template.json", stackDir)
		}
		var meta SeedStackFile
		raw, err := os.ReadFile(filepath.Join(stackDir, "stack.json"))
		switch {
		case errors.Is(err, os.ErrNotExist):
		case err != nil:
			return nil, fmt.Errorf("seed stacks: %w", err)
		default:
			if err := json.Unmarshal(raw, &meta); err != nil {
				return nil, fmt.Errorf("seed stacks: %s: %w", filepath.Join(stackDir, "stack.json"), err)
			}
		}
		seed := cfnsim.SeedStack{Name: e.Name(), Template: template, Parameters: meta.Parameters, Tags: meta.Tags}
		for _, o := range meta.Outputs {
			seed.Outputs = append(seed.Outputs, platform.Output{Key: o.Key, Value: o.Value})
		}
		out = append(out, seed)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
