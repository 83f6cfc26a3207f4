package cfnsim

import (
	"context"
	"fmt"
	"maps"
	"sort"
	"strings"

	"github.com/gantry-platform/gantry/internal/cfnspec/cfntemplate"
	"github.com/gantry-platform/gantry/internal/platform"
)

// SeedStack is a stack that exists before the simulator starts, as if made outside it
// (by AWS Proton, say): its template, tags and outputs as CloudFormation would report
// them, and its parameter values.
type SeedStack struct {
	Name       string
	Template   []byte
	Parameters map[string]string
	Tags       map[string]string
	Outputs    []platform.Output
}

// Seed adds stacks at rest (CREATE_COMPLETE) with their templates, tags and outputs, and
// their outputs' exports. No event is published: they were there before. Errors: Invalid
// for a bad stack name or a template that is not YAML or JSON with Resources; Conflict
// when a stack of that name exists.
func (s *Simulator) Seed(stacks ...SeedStack) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, in := range stacks {
		if err := validateStackName(in.Name); err != nil {
			return err
		}
		if _, ok := s.stacks[in.Name]; ok {
			return platform.Errorf(platform.Conflict, "Stack [%s] already exists", in.Name)
		}
		root, err := cfntemplate.Parse(in.Template)
		if err != nil {
			return platform.Errorf(platform.Invalid, "stack %s: Template format error: %s", in.Name, err)
		}
		s.created++
		st := &stack{name: in.Name, status: "CREATE_COMPLETE", template: append([]byte(nil), in.Template...), tags: maps.Clone(in.Tags),
			outputs: append([]platform.Output(nil), in.Outputs...), resources: map[string]bool{}, exports: map[string]string{},
			id: fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/%s", s.opts.Region, s.opts.Account, in.Name, uuidFrom("stack", s.opts.Account, s.opts.Region, in.Name, itoa(s.created)))}
		for id := range resourceMap(root) {
			st.resources[id] = true
		}
		// Exports come from the template's outputs that declare one, with the seeded value.
		values := map[string]string{}
		for _, o := range in.Outputs {
			values[o.Key] = o.Value
		}
		for key, body := range members(cfntemplate.Lookup(root, "Outputs")) {
			if name := cfntemplate.Lookup(cfntemplate.Lookup(body, "Export"), "Name"); name != nil && name.Value != "" {
				if v, ok := values[key]; ok {
					st.exports[name.Value] = v
					s.exports[name.Value] = export{stack: in.Name, value: v}
					s.exportsGen++
				}
			}
		}
		s.stacks[in.Name] = st
	}
	return nil
}

// ListStacks returns the stacks whose name starts with prefix, by name, as DescribeStacks
// describes them (deleted stacks are gone).
func (s *Simulator) ListStacks(ctx context.Context, prefix string) ([]platform.Stack, error) {
	s.mu.Lock()
	var names []string
	for name := range s.stacks {
		if strings.HasPrefix(name, prefix) {
			names = append(names, name)
		}
	}
	s.mu.Unlock()
	sort.Strings(names)
	out := make([]platform.Stack, 0, len(names))
	for _, name := range names {
		st, err := s.Describe(ctx, name)
		if platform.KindOf(err) == platform.NotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// GetTemplate returns the stack's current template (CloudFormation's GetTemplate,
// Original stage). NotFound when there is no such stack.
func (s *Simulator) GetTemplate(ctx context.Context, stackName string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stacks[stackName]
	if st == nil || st.template == nil {
		return nil, platform.Errorf(platform.NotFound, "Stack with id %s does not exist", stackName)
	}
	return append([]byte(nil), st.template...), nil
}
