package local

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

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

// SeedLocation is where seeded stacks are: an account ("" the platform's own) and a region
// ("" the platform's own, Region).
type SeedLocation struct{ Account, Region string }

// LoadSeedStacks reads a directory of stacks, by account and region: each subdirectory
// holding a template (template.yaml or template.json) and stack.json (SeedStackFile) is a
// stack of that name in the platform's own account and region (key SeedLocation{}); a
// subdirectory named by an account id holds that account's stacks by region,
// DIR/ACCOUNT/REGION/STACK (the platform's own account, AccountID, too: its stacks in
// another region). Errors name the file.
func LoadSeedStacks(dir string) (map[SeedLocation][]cfnsim.SeedStack, error) {
	out := map[SeedLocation][]cfnsim.SeedStack{}
	own, accounts, err := seedStacksIn(dir)
	if err != nil {
		return nil, err
	}
	out[SeedLocation{}] = own
	for _, account := range accounts {
		regions, err := os.ReadDir(filepath.Join(dir, account))
		if err != nil {
			return nil, fmt.Errorf("seed stacks: %w", err)
		}
		for _, r := range regions {
			if !r.IsDir() {
				continue
			}
			if err := platform.ValidateRegion("region", r.Name()); err != nil {
				return nil, fmt.Errorf("seed stacks: %s: %s is not a region (DIR/ACCOUNT/REGION/STACK): %s", filepath.Join(dir, account, r.Name()), r.Name(), platform.MessageOf(err))
			}
			stacks, nested, err := seedStacksIn(filepath.Join(dir, account, r.Name()))
			if err != nil {
				return nil, err
			}
			if len(nested) > 0 {
				return nil, fmt.Errorf("seed stacks: %s has no template.yaml or template.json", filepath.Join(dir, account, r.Name(), nested[0]))
			}
			at := SeedLocation{Account: account, Region: r.Name()}
			if account == AccountID {
				at.Account = ""
			}
			if at.Region == Region {
				at.Region = ""
			}
			out[at] = append(out[at], stacks...)
		}
	}
	return out, nil
}

// seedStacksIn reads the stacks directly in dir, and returns the names of the
// subdirectories that are account ids holding no template (accounts' directories).
func seedStacksIn(dir string) ([]cfnsim.SeedStack, []string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("seed stacks: %w", err)
	}
	var out []cfnsim.SeedStack
	var accounts []string
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
		if err != nil && platform.ValidateAccountID("account", e.Name()) == nil {
			accounts = append(accounts, e.Name())
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("seed stacks: %s has no template.yaml or template.json", stackDir)
		}
		var meta SeedStackFile
		raw, err := os.ReadFile(filepath.Join(stackDir, "stack.json"))
		switch {
		case errors.Is(err, os.ErrNotExist):
		case err != nil:
			return nil, nil, fmt.Errorf("seed stacks: %w", err)
		default:
			if err := json.Unmarshal(raw, &meta); err != nil {
				return nil, nil, fmt.Errorf("seed stacks: %s: %w", filepath.Join(stackDir, "stack.json"), err)
			}
		}
		seed := cfnsim.SeedStack{Name: e.Name(), Template: template, Parameters: meta.Parameters, Tags: meta.Tags}
		for _, o := range meta.Outputs {
			seed.Outputs = append(seed.Outputs, platform.Output{Key: o.Key, Value: o.Value})
		}
		out = append(out, seed)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, accounts, nil
}

// seed loads the seed directory dir (none when "") into the accounts' CloudFormation in
// their regions: an account or region not among the local ones is an error naming it.
func (p *Platform) seed(dir string) error {
	if dir == "" {
		return nil
	}
	seeds, err := LoadSeedStacks(dir)
	if err != nil {
		return err
	}
	for at, stacks := range seeds {
		sim := p.Estate.At(at.Account, at.Region)
		switch {
		case sim != nil:
		case !slices.Contains(p.Estate.Accounts(), cmp.Or(at.Account, AccountID)):
			return fmt.Errorf("seed stacks: account %s is not a local account (gantry-local --accounts)", at.Account)
		default:
			return fmt.Errorf("seed stacks: %s: region %s is not a local region (gantry-local --regions; there are %s)",
				filepath.Join(dir, cmp.Or(at.Account, AccountID), at.Region), at.Region, strings.Join(p.Estate.Regions(), ", "))
		}
		if err := sim.Seed(stacks...); err != nil {
			return err
		}
	}
	return nil
}
