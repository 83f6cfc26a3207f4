package local

import (
	"context"
	"slices"
	"time"

	"github.com/gantry-platform/gantry/events"
	"github.com/gantry-platform/gantry/internal/auth"
	"github.com/gantry-platform/gantry/internal/cfnsim"
	"github.com/gantry-platform/gantry/internal/cfnspec"
	"github.com/gantry-platform/gantry/internal/eventbus"
	"github.com/gantry-platform/gantry/internal/platform"
)

// workloadAccount is one extra local account and region (Config.Accounts, Config.Regions;
// the platform's own account in another region too): its own CloudFormation and its own
// default bus, which runs the forwarding rules a connection stack deploys in an
// environment account, or the regional forwarding stack in the platform's account
// (events.ForwardingRules), whose target is the platform's bus.
type workloadAccount struct {
	sim *cfnsim.Simulator
	bus *eventbus.Bus
}

// startAccounts builds the estate of local accounts and regions: the platform's own
// simulator, and for each of its account and cfg.Accounts in each of its region and
// cfg.Regions, a simulator publishing to that account's bus in that region, which forwards
// the stack events its rules match to the platform's bus, as EventBridge forwards them
// across accounts and regions. Invalid naming accounts or regions for a malformed or
// repeated account or region, or the platform's own.
func (p *Platform) startAccounts(spec *cfnspec.Spec, cfg Config) error {
	p.Estate = cfnsim.NewEstate(AccountID, Region)
	if err := p.Estate.Add(p.Sim); err != nil {
		return err
	}
	rules, err := events.ForwardingRules()
	if err != nil {
		return err
	}
	accounts, regions := []string{AccountID}, []string{Region}
	for i, account := range cfg.Accounts {
		if err := platform.ValidateAccountID("accounts", account); err != nil {
			return err
		}
		if account == AccountID {
			return platform.FieldErrorf("accounts", "%s is the platform's own account; list the other (environment) accounts", account)
		}
		if slices.Contains(accounts, account) {
			return platform.FieldErrorf("accounts", "account %s is listed twice (#%d)", account, i+1)
		}
		accounts = append(accounts, account)
	}
	for i, region := range cfg.Regions {
		if err := platform.ValidateRegion("regions", region); err != nil {
			return err
		}
		if region == Region {
			return platform.FieldErrorf("regions", "%s is the platform's own region; list the other regions", region)
		}
		if slices.Contains(regions, region) {
			return platform.FieldErrorf("regions", "region %s is listed twice (#%d)", region, i+1)
		}
		regions = append(regions, region)
	}
	forward := map[string]eventbus.Target{events.PlatformBus: func(ctx context.Context, event []byte) error { return p.Bus.Put(ctx, event) }}
	for _, account := range accounts {
		for _, region := range regions {
			if account == AccountID && region == Region {
				continue
			}
			bus := eventbus.New(eventbus.Options{Account: account, Region: region, RetryFor: cfg.EventRetryFor, DeadLetters: p.DeadLetters,
				OnDeliveryError: func(rule string, event []byte, err error) {
					cfg.Log.Error("event forwarding given up: in the dead-letter log (gantry events dlq list)", "account", account, "region", region, "rule", rule, "error", err)
				}})
			w := workloadAccount{bus: bus, sim: cfnsim.New(spec, cfnsim.Options{Account: account, Region: region, Publish: bus.Put, Step: cfg.Step})}
			p.accounts = append(p.accounts, w)
			if err := bus.AddRules(rules, forward); err != nil {
				return err
			}
			if err := p.Estate.Add(w.sim); err != nil {
				return err
			}
		}
	}
	return nil
}

// closeAccounts stops the extra accounts' simulators, then their buses.
func (p *Platform) closeAccounts() {
	for _, w := range p.accounts {
		w.sim.Close()
		w.bus.Close()
	}
}

// AccountToken issues an admin token acting in account (one of Config.Accounts), valid
// for ttl: an admin of that environment account requests and manages its connections.
func (p *Platform) AccountToken(subject, account string, ttl time.Duration) (string, error) {
	return p.Issuer.IssueIn(subject, []string{auth.DefaultRoleMap().AdminGroups[0]}, account, ttl)
}
