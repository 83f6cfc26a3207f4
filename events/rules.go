// Package events holds Gantry's EventBridge rule patterns and real sample events. The files
// in this folder are the single source of truth for the rules: the CDK app creates an
// EventBridge rule per entry of Rules, and the local event bus matches the same patterns.
//
// rules.json is the manifest, a JSON array of {name, description, pattern, target,
// account}, where account is "" for the platform account's rules and "environment" for
// the rules a connection stack deploys in an environment account (ForwardingRules), and
// pattern is the path of the pattern file relative to this folder, in EventBridge pattern
// syntax restricted to the operators EventBridge and quamina v1.3.0 both support (exact
// values, prefix, anything-but with a list of values, exists, equals-ignore-case). samples/
// holds events as EventBridge delivers them, for tests and local invocation.
package events

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

//go:embed rules.json patterns/*.json samples/*.json
var files embed.FS

// manifestFile is the name of the manifest in files.
const manifestFile = "rules.json"

// NamePrefix starts the name of every CloudFormation stack and CodePipeline pipeline Gantry
// manages. The pipeline rule matches on it; the stack rule cannot (see IsGantryStackID).
const NamePrefix = "gantry-"

// Rule is one EventBridge rule: which events it matches and the function they go to.
type Rule struct {
	// Name identifies the rule within Gantry (a CDK construct id, a local bus rule name);
	// it is not a physical EventBridge rule name.
	Name        string
	Description string
	// Pattern is the EventBridge event pattern, a JSON object.
	Pattern json.RawMessage
	// Target is the logical name of the function that receives the matched events
	// (PlatformBus for a forwarding rule).
	Target string

	account string
}

// Schedule is one scheduled EventBridge rule: its target function receives a "Scheduled
// Event" at every tick of Expression.
type Schedule struct {
	Name        string
	Description string
	// Expression is EventBridge's schedule expression, "rate(…)" or "cron(…)".
	Expression string
	Target     string
}

// EnvironmentAccount is the account of the rules a connection stack deploys in an
// environment account: they forward its events to the platform account's bus.
const EnvironmentAccount = "environment"

// PlatformBus is the target of the forwarding rules: the platform account's default bus.
const PlatformBus = "platform-bus"

type manifestEntry struct {
	Account     string `json:"account"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Pattern     string `json:"pattern"`
	Schedule    string `json:"schedule"`
	Target      string `json:"target"`
}

// Rules returns the pattern rules of the platform account in the manifest's order, each
// with its pattern file read. It returns an error naming the file and the entry when the
// manifest or a pattern is malformed: a missing field, a duplicate name, an entry with
// both or neither of pattern and schedule, a pattern file that is missing or not a JSON
// object, an unknown account.
func Rules() ([]Rule, error) {
	return accountRules("")
}

// ForwardingRules returns the pattern rules an environment account runs (the connection
// stack's, locally each extra account's bus): each targets PlatformBus. Errors as Rules.
func ForwardingRules() ([]Rule, error) {
	return accountRules(EnvironmentAccount)
}

func accountRules(account string) ([]Rule, error) {
	all, err := loadRules(files)
	if err != nil {
		return nil, err
	}
	var out []Rule
	for _, r := range all {
		if r.account == account {
			out = append(out, r)
		}
	}
	return out, nil
}

// Schedules returns the scheduled rules of the manifest (its entries with a schedule
// instead of a pattern) in its order; errors as Rules.
func Schedules() ([]Schedule, error) {
	if _, err := loadRules(files); err != nil {
		return nil, err
	}
	raw, _ := fs.ReadFile(files, manifestFile) // read and checked by loadRules
	var entries []manifestEntry
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, fmt.Errorf("events: %s: %w", manifestFile, err)
	}
	var out []Schedule
	for _, e := range entries {
		if e.Schedule != "" {
			out = append(out, Schedule{Name: e.Name, Description: e.Description, Expression: e.Schedule, Target: e.Target})
		}
	}
	return out, nil
}

func loadRules(fsys fs.FS) ([]Rule, error) {
	raw, err := fs.ReadFile(fsys, manifestFile)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	var entries []manifestEntry
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&entries); err != nil {
		return nil, fmt.Errorf("events: %s: %w", manifestFile, err)
	}
	rules := make([]Rule, 0, len(entries))
	seen := make(map[string]bool, len(entries))
	for i, e := range entries {
		where := fmt.Sprintf("%s: [%d]", manifestFile, i)
		switch {
		case e.Name == "":
			return nil, fmt.Errorf("events: %s: name is required", where)
		case seen[e.Name]:
			return nil, fmt.Errorf("events: %s: name %q is used twice", where, e.Name)
		case e.Pattern == "" && e.Schedule == "":
			return nil, fmt.Errorf("events: %s (%s): pattern is required (or a schedule)", where, e.Name)
		case e.Pattern != "" && e.Schedule != "":
			return nil, fmt.Errorf("events: %s (%s): a rule has a pattern or a schedule, not both", where, e.Name)
		case e.Schedule != "" && !strings.HasPrefix(e.Schedule, "rate(") && !strings.HasPrefix(e.Schedule, "cron("):
			return nil, fmt.Errorf("events: %s (%s): schedule %q is not a rate(…) or cron(…) expression", where, e.Name, e.Schedule)
		case e.Target == "":
			return nil, fmt.Errorf("events: %s (%s): target is required", where, e.Name)
		case e.Account != "" && e.Account != EnvironmentAccount:
			return nil, fmt.Errorf("events: %s (%s): account %q is neither \"\" (the platform's) nor %q", where, e.Name, e.Account, EnvironmentAccount)
		case e.Account == EnvironmentAccount && (e.Target != PlatformBus || e.Schedule != ""):
			return nil, fmt.Errorf("events: %s (%s): an environment account's rule has a pattern and targets %s", where, e.Name, PlatformBus)
		}
		seen[e.Name] = true
		if e.Schedule != "" {
			continue
		}
		pattern, err := fs.ReadFile(fsys, path.Clean(e.Pattern))
		if err != nil {
			return nil, fmt.Errorf("events: %s (%s): pattern: %w", where, e.Name, err)
		}
		var object map[string]json.RawMessage
		if err := json.Unmarshal(pattern, &object); err != nil || object == nil {
			return nil, fmt.Errorf("events: %s: not a JSON object (rule %s)", e.Pattern, e.Name)
		}
		compact := new(bytes.Buffer)
		if err := json.Compact(compact, pattern); err != nil {
			return nil, fmt.Errorf("events: %s: %w", e.Pattern, err)
		}
		rules = append(rules, Rule{
			Name:        e.Name,
			Description: e.Description,
			Pattern:     json.RawMessage(compact.Bytes()),
			Target:      e.Target,
			account:     e.Account,
		})
	}
	return rules, nil
}

// Sample returns the sample event named name: the file samples/<name>.json (the ".json"
// may be given). An unknown name returns an error listing the known ones.
func Sample(name string) ([]byte, error) {
	name = strings.TrimSuffix(name, ".json")
	if name == "" || strings.ContainsAny(name, `/\`) {
		return nil, fmt.Errorf("events: sample %q: not a sample name", name)
	}
	raw, err := files.ReadFile("samples/" + name + ".json")
	if err != nil {
		return nil, fmt.Errorf("events: no sample %q; samples are %s", name, strings.Join(Samples(), ", "))
	}
	return raw, nil
}

// Samples returns the names of all sample events, sorted, for Sample.
func Samples() []string {
	entries, err := files.ReadDir("samples")
	if err != nil {
		// The folder is embedded: it cannot be missing from a compiled package.
		panic("events: embedded samples: " + err.Error())
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".json"))
	}
	slices.Sort(names)
	return names
}

// AdoptedNamePrefix starts the names of the stacks AWS Proton made, which Gantry adopts
// under their own names (gantry import proton).
const AdoptedNamePrefix = "AWSProton-"

// IsGantryStackID reports whether stackID, a CloudFormation stack ARN
// (arn:PARTITION:cloudformation:REGION:ACCOUNT:stack/NAME/UUID) or a bare stack name, names
// one of Gantry's stacks: its own (NamePrefix) or one adopted from AWS Proton
// (AdoptedNamePrefix; the events function still checks it is a deployment's stack). The stack rule matches every stack's status changes, because no
// pattern operator supported by both EventBridge and quamina can match the name inside the
// ARN without fixing the partition, region and account; the events function filters with
// this.
func IsGantryStackID(stackID string) bool {
	name := stackID
	if strings.HasPrefix(stackID, "arn:") {
		parts := strings.SplitN(stackID, ":", 6)
		if len(parts) != 6 || parts[2] != "cloudformation" {
			return false
		}
		resource, ok := strings.CutPrefix(parts[5], "stack/")
		if !ok {
			return false
		}
		name, _, _ = strings.Cut(resource, "/")
	}
	for _, prefix := range []string{NamePrefix, AdoptedNamePrefix} {
		if strings.HasPrefix(name, prefix) && len(name) > len(prefix) {
			return true
		}
	}
	return false
}
