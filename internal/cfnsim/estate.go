package cfnsim

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Estate is the local CloudFormation of several accounts and regions: stacks are kept per
// account and region, one Simulator each (its stacks, exports, stack ids and events carry
// its account and region), as CloudFormation keeps them. It chooses the simulator of a
// stack location as the AWS provisioner chooses the CloudFormation client of an assumed
// role or of another region.
type Estate struct {
	account, region string // the platform's own
	mu              sync.Mutex
	sims            map[estateKey]*Simulator
}

type estateKey struct{ account, region string }

var _ platform.StackProvisioners = (*Estate)(nil)

// NewEstate returns an estate with no simulator yet, of the platform whose own account and
// region are account and region (a location's "" account and region).
func NewEstate(account, region string) *Estate {
	return &Estate{account: account, region: region, sims: map[estateKey]*Simulator{}}
}

// Add makes sim the CloudFormation of its account and region (its Options.Account and
// Region); Invalid when that account and region has one already.
func (e *Estate) Add(sim *Simulator) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	key := estateKey{sim.opts.Account, sim.opts.Region}
	if _, taken := e.sims[key]; taken {
		return platform.Errorf(platform.Invalid, "cfnsim: account %s in region %s is in the estate already", key.account, key.region)
	}
	e.sims[key] = sim
	return nil
}

// Accounts returns the estate's accounts, sorted.
func (e *Estate) Accounts() []string {
	return e.distinct(func(k estateKey) string { return k.account })
}

// Regions returns the estate's regions, sorted.
func (e *Estate) Regions() []string {
	return e.distinct(func(k estateKey) string { return k.region })
}

func (e *Estate) distinct(of func(estateKey) string) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for k := range e.sims {
		if v := of(k); !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}

// Account returns the simulator of account in the platform's region, nil when the estate
// has none.
func (e *Estate) Account(account string) *Simulator {
	return e.At(account, e.region)
}

// At returns the simulator of account ("" the platform's) in region ("" the platform's),
// nil when the estate has none.
func (e *Estate) At(account, region string) *Simulator {
	if account == "" {
		account = e.account
	}
	if region == "" {
		region = e.region
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.sims[estateKey{account, region}]
}

// StackProvisioner returns the simulator of at's account and region. The platform's own
// account (at.Account "") is reached in any of its regions without a role; another
// account, as STS would refuse it, is Invalid without a role of that account
// (arn:aws:iam::ACCOUNT:role/…) or without an external id. An account or region the estate
// does not have is Invalid, naming it.
func (e *Estate) StackProvisioner(ctx context.Context, at platform.StackLocation) (platform.StackProvisioner, error) {
	if at.Account != "" && at.Account != e.account {
		if !slices.Contains(e.Accounts(), at.Account) {
			return nil, platform.Errorf(platform.Invalid, "account %s is not a local account (gantry-local --accounts; there are %s)", at.Account, strings.Join(e.Accounts(), ", "))
		}
		if !strings.HasPrefix(at.RoleARN, "arn:aws:iam::"+at.Account+":role/") {
			return nil, platform.Errorf(platform.Invalid, "AssumeRole: %q is not a role of account %s", at.RoleARN, at.Account)
		}
		if at.ExternalID == "" {
			return nil, platform.Errorf(platform.Invalid, "AssumeRole of %s: the role requires an external id (the connection id)", at.RoleARN)
		}
	}
	sim := e.At(at.Account, at.Region)
	if sim == nil {
		return nil, platform.Errorf(platform.Invalid, "region %s is not a local region (gantry-local --regions; there are %s)", at.Region, strings.Join(e.Regions(), ", "))
	}
	return sim, nil
}
