package cfnsim

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/gantry-platform/gantry/internal/cfnspec"
	"github.com/gantry-platform/gantry/internal/cfnspec/cfntemplate"
	"github.com/gantry-platform/gantry/internal/platform"
)

// changeSet is a change set the simulator keeps until it is executed or obsolete.
type changeSet struct {
	platform.ChangeSet
	in platform.StackDeployment
	// serial is the serial of the stack's latest operation when the change set was
	// created (0 for a stack that did not exist): once another operation ran, the change
	// set is gone, as CloudFormation deletes a stack's change sets when one is executed.
	serial int
}

var changeSetNamePattern = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]*$`)

// CreateChangeSet computes what deploying in would change, as CloudFormation's
// CreateChangeSet and DescribeChangeSet do, and keeps the change set for
// ExecuteChangeSet. Resources are compared by logical id: Add, Remove, or Modify with the
// changed properties (RequiresRecreation from the resource specification's
// causesReplacement, i.e. UpdateType Immutable → Always, Conditional → Conditionally)
// and the other changed attributes (Metadata, policies; a change of the stack's tags is
// a Tags change of every resource whose type takes Tags). Templates are compared as
// parsed, so that formatting does not count. A template and tags that change nothing
// give a FAILED change set with platform.NoChangesReason. Errors: those of Deploy for
// the template and the stack's state; Invalid for a bad change set name; Conflict when
// the name is taken for the stack.
func (s *Simulator) CreateChangeSet(ctx context.Context, in platform.StackDeployment, name string) (platform.ChangeSet, error) {
	if err := validateStackName(in.StackName); err != nil {
		return platform.ChangeSet{}, err
	}
	if len(name) > 128 || !changeSetNamePattern.MatchString(name) {
		return platform.ChangeSet{}, platform.Errorf(platform.Invalid, "1 validation error detected: Value '%s' at 'changeSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", name)
	}
	root, upFront, err := s.parseForChangeSet(in)
	if err != nil {
		return platform.ChangeSet{}, platform.Errorf(platform.Invalid, "Template format error: %s", err)
	}
	if len(upFront) > 0 {
		return platform.ChangeSet{}, platform.Errorf(platform.Invalid, "%s", upFrontMessage(upFront))
	}

	// The change set is computed under the read lock, so that change sets of many stacks
	// are computed at once; it is kept under the write lock if the stack has not changed
	// meanwhile (else it is computed again).
	for {
		s.mu.RLock()
		if s.ctx.Err() != nil {
			s.mu.RUnlock()
			return platform.ChangeSet{}, platform.Errorf(platform.Internal, "cfnsim: simulator closed")
		}
		current := s.stacks[in.StackName]
		serial := current.serial()
		cs, err := s.computeChangeSet(in, name, root, current, serial)
		s.mu.RUnlock()
		if err != nil {
			return platform.ChangeSet{}, err
		}
		s.mu.Lock()
		if s.stacks[in.StackName] != current || current.serial() != serial {
			s.mu.Unlock()
			continue
		}
		key := in.StackName + "\x00" + name
		if old, ok := s.changeSets[key]; ok && old.serial == serial {
			s.mu.Unlock()
			return platform.ChangeSet{}, platform.Errorf(platform.Conflict, "ChangeSet %s already exists", name)
		}
		if s.changeSets == nil {
			s.changeSets = map[string]*changeSet{}
		}
		s.changeSets[key] = &changeSet{ChangeSet: cs, in: in, serial: serial}
		s.mu.Unlock()
		return cloneChangeSet(cs), nil
	}
}

// serial is the serial of the stack's latest operation; 0 for a stack that does not
// exist or never ran one. s.mu is held.
func (st *stack) serial() int {
	if st == nil || st.op == nil {
		return 0
	}
	return st.op.serial
}

// computeChangeSet computes change set name of in (its template parsed as root) against
// current, the stack as it is (nil when it does not exist), whose latest operation is
// serial. s.mu is held, for reading at least.
func (s *Simulator) computeChangeSet(in platform.StackDeployment, name string, root *yaml.Node, current *stack, serial int) (platform.ChangeSet, error) {
	var stackID string
	if current != nil {
		switch {
		case strings.HasSuffix(current.status, "_IN_PROGRESS"):
			return platform.ChangeSet{}, platform.Errorf(platform.Conflict, "Stack:%s is in %s state and can not be updated.", current.id, current.status)
		case current.status == "ROLLBACK_COMPLETE" || current.status == "DELETE_FAILED":
			return platform.ChangeSet{}, platform.Errorf(platform.Invalid, "Stack:%s is in %s state and can not be updated.", current.id, current.status)
		}
		stackID = current.id
	} else {
		stackID = fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/%s", s.opts.Region, s.opts.Account, in.StackName, uuidFrom("stack", s.opts.Account, s.opts.Region, in.StackName, "changeset", name))
	}
	// Templates CloudFormation would refuse when creating the change set are refused.
	ev := &evaluator{sim: s, stackName: in.StackName, stackID: stackID, root: root, forChangeSet: true}
	if _, err := ev.evaluate(); err != nil {
		return platform.ChangeSet{}, platform.Errorf(platform.Invalid, "%s", err)
	}
	cs := platform.ChangeSet{Name: name, StackName: in.StackName, StackID: stackID, Status: "CREATE_COMPLETE",
		ID: fmt.Sprintf("arn:aws:cloudformation:%s:%s:changeSet/%s/%s", s.opts.Region, s.opts.Account, name, uuidFrom("changeset", stackID, name, itoa(serial)))}
	if current == nil {
		cs.Type = "CREATE"
		cs.Changes = added(root)
		return cs, nil
	}
	cs.Type = "UPDATE"
	old, _, err := current.parsedTemplate(s.spec)
	if err != nil {
		return platform.ChangeSet{}, platform.Errorf(platform.Internal, "cfnsim: the template of %s: %v", in.StackName, err)
	}
	cs.Changes = s.diff(current, stackID, old, ev, !maps.Equal(current.tags, in.Tags))
	if len(cs.Changes) == 0 && (old == root || reflect.DeepEqual(plain(old), plain(root))) && maps.Equal(current.tags, in.Tags) {
		cs.Status, cs.StatusReason = "FAILED", platform.NoChangesReason
	}
	return cs, nil
}

// parseForChangeSet parses in's template, with the problems CloudFormation refuses it
// for up front. A template that is the stack's current one (a rollout that leaves it as
// it was, changing tags or parameters only) is the stack's own parse, made once.
func (s *Simulator) parseForChangeSet(in platform.StackDeployment) (*yaml.Node, []cfnspec.Problem, error) {
	s.mu.RLock()
	if current := s.stacks[in.StackName]; current != nil && bytes.Equal(current.template, in.TemplateBody) {
		defer s.mu.RUnlock()
		return current.parsedTemplate(s.spec)
	}
	s.mu.RUnlock()
	root, err := cfntemplate.Parse(in.TemplateBody)
	if err != nil {
		return nil, nil, err
	}
	return root, upFrontProblems(s.spec, root), nil
}

// ExecuteChangeSet executes a change set CreateChangeSet made, as Deploy would deploy its
// template and tags, with clientRequestToken. An empty change set is NoChanges and is
// deleted. Errors: NotFound when there is no such change set or another operation ran on
// the stack since it was made (CloudFormation deleted it); Conflict while the stack has
// an operation in progress.
func (s *Simulator) ExecuteChangeSet(ctx context.Context, stackName, name, clientRequestToken string) (platform.StackOperation, error) {
	s.mu.Lock()
	cs, ok := s.changeSets[stackName+"\x00"+name]
	current := s.stacks[stackName]
	serial := 0
	if current != nil && current.op != nil {
		serial = current.op.serial
	}
	if !ok || cs.serial != serial || (cs.Type == "CREATE") != (current == nil) {
		s.mu.Unlock()
		return platform.StackOperation{}, platform.Errorf(platform.NotFound, "ChangeSet [%s] does not exist", name)
	}
	if cs.Empty() {
		delete(s.changeSets, stackName+"\x00"+name)
		s.mu.Unlock()
		return platform.StackOperation{StackID: cs.StackID, NoChanges: true}, nil
	}
	in := cs.in
	in.ClientRequestToken = clientRequestToken
	s.mu.Unlock()
	return s.Deploy(ctx, in)
}

// DeleteChangeSet deletes change set name of the stack, as CloudFormation's
// DeleteChangeSet does. Errors: NotFound when there is no such change set (never made,
// executed, or ended by another operation on the stack).
func (s *Simulator) DeleteChangeSet(ctx context.Context, stackName, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := stackName + "\x00" + name
	if _, ok := s.changeSets[key]; !ok {
		return platform.Errorf(platform.NotFound, "ChangeSet [%s] does not exist", name)
	}
	delete(s.changeSets, key)
	return nil
}

// ChangeSets returns how many change sets the simulator keeps (made, neither executed,
// deleted, nor ended by another operation on their stack).
func (s *Simulator) ChangeSets() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.changeSets)
}

// added lists every resource of root as an Add.
func added(root *yaml.Node) []platform.ResourceChange {
	var out []platform.ResourceChange
	resources := cfntemplate.Lookup(root, "Resources")
	if resources == nil {
		return nil
	}
	for i := 0; i+1 < len(resources.Content); i += 2 {
		id := resources.Content[i].Value
		out = append(out, platform.ResourceChange{Action: "Add", LogicalResourceID: id, ResourceType: typeOf(resources.Content[i+1])})
	}
	return out
}

// resourceAttributes are the members of a resource declaration besides Type and
// Properties that a change set reports as a Scope of their own.
var resourceAttributes = []string{"Metadata", "CreationPolicy", "UpdatePolicy", "DeletionPolicy", "UpdateReplacePolicy"}

// diff compares the resources of the stack's template old with those of next (evaluated):
// additions, then modifications and removals in logical id order. Properties are compared
// resolved (parameters, mappings, conditions, Sub, references to the same resources), as
// CloudFormation compares them, so that a change of a mapping shows on the resources
// using it. tagsChanged reports a change of the stack's tags. s.mu is held.
func (s *Simulator) diff(current *stack, stackID string, old *yaml.Node, next *evaluator, tagsChanged bool) []platform.ResourceChange {
	before, after := resourceMap(old), resourceMap(next.root)
	live := s.liveOf(current, stackID, old)
	physical := func(id string) string { return live.physical[id] }
	var out []platform.ResourceChange
	for _, id := range sortedKeys(after) {
		if _, ok := before[id]; !ok {
			out = append(out, platform.ResourceChange{Action: "Add", LogicalResourceID: id, ResourceType: typeOf(after[id])})
		}
	}
	for _, id := range sortedKeys(before) {
		b, ok := after[id]
		if !ok {
			out = append(out, platform.ResourceChange{Action: "Remove", LogicalResourceID: id, ResourceType: typeOf(before[id]), PhysicalResourceID: physical(id)})
			continue
		}
		a := before[id]
		rc := platform.ResourceChange{Action: "Modify", LogicalResourceID: id, ResourceType: typeOf(b), PhysicalResourceID: physical(id)}
		if typeOf(a) != typeOf(b) {
			rc.Details = append(rc.Details, platform.ResourceChangeDetail{Attribute: "Properties", Name: "Type", RequiresRecreation: cfnspec.Always,
				Evaluation: "Static", ChangeSource: "DirectModification"})
		}
		pa, pb := live.props[id], resolvedProperties(next, true, b)
		for _, name := range unionKeys(pa, pb) {
			if reflect.DeepEqual(pa[name], pb[name]) {
				continue
			}
			d := platform.ResourceChangeDetail{Attribute: "Properties", Name: name, Evaluation: "Static", ChangeSource: "DirectModification",
				RequiresRecreation: s.spec.RequiresRecreation(typeOf(b), name)}
			if name == "Tags" {
				d.Attribute, d.RequiresRecreation = "Tags", cfnspec.Never
			}
			rc.Details = append(rc.Details, d)
		}
		for _, attr := range resourceAttributes {
			if !reflect.DeepEqual(plain(cfntemplate.Lookup(a, attr)), plain(cfntemplate.Lookup(b, attr))) {
				rc.Details = append(rc.Details, platform.ResourceChangeDetail{Attribute: attr, RequiresRecreation: cfnspec.Never,
					Evaluation: "Static", ChangeSource: "DirectModification"})
			}
		}
		if tagsChanged && s.spec.HasProperty(typeOf(b), "Tags") && !slices.ContainsFunc(rc.Details, func(d platform.ResourceChangeDetail) bool { return d.Attribute == "Tags" }) {
			rc.Details = append(rc.Details, platform.ResourceChangeDetail{Attribute: "Tags", RequiresRecreation: cfnspec.Never,
				Evaluation: "Static", ChangeSource: "DirectModification"})
		}
		if len(rc.Details) == 0 {
			continue
		}
		rc.Replacement = "False"
		for _, d := range rc.Details {
			switch d.RequiresRecreation {
			case cfnspec.Always:
				rc.Replacement = "True"
			case cfnspec.Conditionally:
				if rc.Replacement == "False" {
					rc.Replacement = "Conditional"
				}
			}
			if !slices.Contains(rc.Scope, d.Attribute) {
				rc.Scope = append(rc.Scope, d.Attribute)
			}
		}
		out = append(out, rc)
	}
	return out
}

// resolvedProperties are the Properties of resource body as ev resolves them; as written
// when ok is false or they do not resolve.
func resolvedProperties(ev *evaluator, ok bool, body *yaml.Node) map[string]any {
	props := cfntemplate.Lookup(body, "Properties")
	if ok {
		if v, err := ev.eval(props); err == nil {
			if m, isMap := v.(map[string]any); isMap {
				return m
			}
		}
	}
	return mapOf(props)
}

// liveTemplate is a stack's deployed template resolved, as change sets compare against
// it: each resource's physical id ("" when the template does not evaluate) and
// properties. It holds while the stack runs no other operation and no export changes.
type liveTemplate struct {
	serial, exportsGen int
	template           []byte
	physical           map[string]string
	props              map[string]map[string]any
}

// liveOf returns st's template (parsed as old) resolved, computed once while st runs no
// other operation and no export changes (a fleet's previews of a stack share it). s.mu
// is held, for reading at least; the result is only read.
func (s *Simulator) liveOf(st *stack, stackID string, old *yaml.Node) *liveTemplate {
	st.parseMu.Lock()
	defer st.parseMu.Unlock()
	if l := st.live; l != nil && l.serial == st.serial() && l.exportsGen == s.exportsGen && bytes.Equal(l.template, st.template) {
		return l
	}
	phys := &evaluator{sim: s, stackName: st.name, stackID: stackID, root: old, forChangeSet: true}
	_, err := phys.evaluate()
	l := &liveTemplate{serial: st.serial(), exportsGen: s.exportsGen, template: st.template, physical: map[string]string{}, props: map[string]map[string]any{}}
	for id, body := range resourceMap(old) {
		if err == nil {
			l.physical[id] = phys.physicalID(id)
		}
		l.props[id] = resolvedProperties(phys, err == nil, body)
	}
	st.live = l
	return l
}

func resourceMap(root *yaml.Node) map[string]*yaml.Node {
	return members(cfntemplate.Lookup(root, "Resources"))
}

// members returns a mapping's members by key (none when m is not a mapping).
func members(m *yaml.Node) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	if m == nil || m.Kind != yaml.MappingNode {
		return out
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		out[m.Content[i].Value] = cfntemplate.Resolve(m.Content[i+1])
	}
	return out
}

func typeOf(body *yaml.Node) string {
	if t := cfntemplate.Lookup(body, "Type"); t != nil {
		return t.Value
	}
	return ""
}

// mapOf returns a mapping's members as plain values.
func mapOf(n *yaml.Node) map[string]any {
	out := map[string]any{}
	n = cfntemplate.Resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		out[n.Content[i].Value] = plain(n.Content[i+1])
	}
	return out
}

// plain turns a template node into comparable values: mappings, lists and scalars (as
// strings), with short-form intrinsics written in their long form, so that YAML and JSON,
// short and long forms and formatting compare equal.
func plain(n *yaml.Node) any {
	n = cfntemplate.Resolve(n)
	if n == nil {
		return nil
	}
	if fn, arg, ok := cfntemplate.Intrinsic(n); ok {
		v := plain(arg)
		if fn == "Fn::GetAtt" {
			if s, ok := v.(string); ok { // !GetAtt A.B is Fn::GetAtt [A, B]
				if a, b, ok := strings.Cut(s, "."); ok {
					v = []any{a, b}
				}
			}
		}
		return map[string]any{fn: v}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) > 0 {
			return plain(n.Content[0])
		}
		return nil
	case yaml.MappingNode:
		return mapOf(n)
	case yaml.SequenceNode:
		out := make([]any, len(n.Content))
		for i, c := range n.Content {
			out[i] = plain(c)
		}
		return out
	}
	return n.Value
}

func unionKeys(a, b map[string]any) []string {
	keys := sortedKeys(a)
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

func cloneChangeSet(cs platform.ChangeSet) platform.ChangeSet {
	cs.Changes = slices.Clone(cs.Changes)
	for i := range cs.Changes {
		cs.Changes[i].Scope = slices.Clone(cs.Changes[i].Scope)
		cs.Changes[i].Details = slices.Clone(cs.Changes[i].Details)
	}
	return cs
}
