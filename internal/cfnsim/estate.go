package cfnsim

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Estate is the local CloudFormation of several accounts: stacks are kept per account and
// region, one Simulator each (its stacks, exports, stack ids and events carry its account
// and region), as CloudFormation keeps them. It chooses the simulator of a stack location
// as the AWS provisioner chooses the CloudFormation client of an assumed role.
type Estate struct {
	region string
	mu     sync.Mutex
	sims   map[string]*Simulator // by account
}

var _ platform.StackProvisioners = (*Estate)(nil)

// NewEstate returns an estate of region with no account yet.
func NewEstate(region string) *Estate {
	return &Estate{region: region, sims: map[string]*Simulator{}}
}

// Add makes sim the CloudFormation of its account (its Options.Account) in the estate's
// region; Invalid when sim is of another region or its account is there already.
func (e *Estate) Add(sim *Simulator) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if sim.opts.Region != e.region {
		return platform.Errorf(platform.Invalid, "cfnsim: a simulator of region %s in an estate of region %s", sim.opts.Region, e.region)
	}
	if _, taken := e.sims[sim.opts.Account]; taken {
		return platform.Errorf(platform.Invalid, "cfnsim: account %s is in the estate already", sim.opts.Account)
	}
	e.sims[sim.opts.Account] = sim
	return nil
}

// Accounts returns the estate's accounts, sorted.
func (e *Estate) Accounts() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]string, 0, len(e.sims))
	for a := range e.sims {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// Account returns the simulator of account, nil when the estate has none.
func (e *Estate) Account(account string) *Simulator {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.sims[account]
}

// StackProvisioner returns the simulator of at's account and region. As STS would refuse it,
// a location without a role of that account (arn:aws:iam::ACCOUNT:role/…) or without an
// external id is Invalid; so is an account or region the estate does not have.
func (e *Estate) StackProvisioner(ctx context.Context, at platform.StackLocation) (platform.StackProvisioner, error) {
	if at.Region != "" && at.Region != e.region {
		return nil, platform.Errorf(platform.Invalid, "region %s: the local CloudFormation has region %s only", at.Region, e.region)
	}
	sim := e.Account(at.Account)
	if sim == nil {
		return nil, platform.Errorf(platform.Invalid, "account %s is not a local account (gantry-local --accounts; there are %s)", at.Account, strings.Join(e.Accounts(), ", "))
	}
	if !strings.HasPrefix(at.RoleARN, "arn:aws:iam::"+at.Account+":role/") {
		return nil, platform.Errorf(platform.Invalid, "AssumeRole: %q is not a role of account %s", at.RoleARN, at.Account)
	}
	if at.ExternalID == "" {
		return nil, platform.Errorf(platform.Invalid, "AssumeRole of %s: the role requires an external id (the connection id)", at.RoleARN)
	}
	return sim, nil
}
