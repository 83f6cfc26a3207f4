// Package cfnsim is a local CloudFormation: a platform.StackProvisioner that validates templates
// against the resource specification (package cfnspec), rejects what CloudFormation
// rejects up front, and otherwise plays the real status sequence in the background —
// failures and rollbacks included — publishing one "CloudFormation Stack Status Change"
// event per transition. Stack outputs are resolved from the template with synthetic
// physical ids; exports are shared between the simulator's stacks.
package cfnsim

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gantry-platform/gantry/internal/cfnspec"
	"github.com/gantry-platform/gantry/internal/cfnspec/cfntemplate"
	"github.com/gantry-platform/gantry/internal/platform"
)

var _ platform.StackProvisioner = (*Simulator)(nil)

// Options configures a Simulator.
type Options struct {
	// Account and Region appear in stack ids, ARNs and events; defaults "000000000000" and
	// "us-east-1".
	Account, Region string
	// Publish receives each EventBridge event's JSON, in order per stack. It is called
	// from the background work, never with a lock held; its error is ignored, as
	// CloudFormation ignores a failed event delivery. Nil drops events.
	Publish func(ctx context.Context, event []byte) error
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Step is the delay between status transitions (0 in tests).
	Step time.Duration
}

// Simulator is a local CloudFormation. It is safe for concurrent use.
type Simulator struct {
	spec *cfnspec.Spec
	opts Options

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// mu guards the fields below; change sets are computed under its read lock.
	mu      sync.RWMutex
	stacks  map[string]*stack        // by stack name; deleted stacks are removed
	exports map[string]export        // by export name, committed
	pending map[string]string        // export name -> stack name, of operations in flight
	ops     map[string]chan struct{} // stack name -> closed when its latest operation ends
	created int                      // stacks created so far, for stack ids
	serial  int                      // operations started so far
	// exportsGen counts the changes of exports, which a stack's resolved template may
	// read (Fn::ImportValue).
	exportsGen int
	// changeSets are the change sets not yet executed, by stack name and change set
	// name (see changeset.go).
	changeSets map[string]*changeSet
}

type stack struct {
	id, name  string
	status    string
	reason    string
	token     string
	template  []byte
	tags      map[string]string
	outputs   []platform.Output
	exports   map[string]string // export name -> value
	imports   []string          // export names the current template imports
	resources map[string]bool   // logical ids of the current template
	op        *operation        // the latest operation
	// listed are the resources as ListStackResources shows them, in logical id order.
	listed []listedResource
	// parsed is template parsed (parsedFrom is the body it was parsed from): each change
	// set compares against it, and the tree is only read.
	parsed     *yaml.Node
	parsedFrom []byte
	// upFront are the problems CloudFormation refuses parsed for before anything runs,
	// found when it is parsed.
	upFront []cfnspec.Problem
	// live is the template resolved for change sets (see liveOf).
	live *liveTemplate
	// parseMu guards parsed, parsedFrom, upFront and live, which change sets computed at
	// once (under the simulator's read lock) fill.
	parseMu sync.Mutex
}

// parsedTemplate returns the stack's template parsed, parsing it once per template body,
// with the problems spec refuses it for up front. The simulator's lock is held (for
// reading at least).
func (st *stack) parsedTemplate(spec *cfnspec.Spec) (*yaml.Node, []cfnspec.Problem, error) {
	st.parseMu.Lock()
	defer st.parseMu.Unlock()
	if st.parsed == nil || !bytes.Equal(st.parsedFrom, st.template) {
		root, err := cfntemplate.Parse(st.template)
		if err != nil {
			return nil, nil, err
		}
		st.parsed, st.parsedFrom, st.upFront = root, st.template, upFrontProblems(spec, root)
	}
	return st.parsed, st.upFront, nil
}

// upFrontProblems are the problems of a template that CloudFormation refuses it for when
// it is submitted, before anything runs.
func upFrontProblems(spec *cfnspec.Spec, root *yaml.Node) []cfnspec.Problem {
	var upFront []cfnspec.Problem
	for _, p := range spec.CheckNode(root) {
		if p.RejectedUpFront() {
			upFront = append(upFront, p)
		}
	}
	return upFront
}

type export struct {
	stack, value string
}

// New returns a simulator checking templates against spec. Close it to stop its
// background work.
func New(spec *cfnspec.Spec, opts Options) *Simulator {
	if opts.Account == "" {
		opts.Account = "000000000000"
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Simulator{
		spec: spec, opts: opts, ctx: ctx, cancel: cancel,
		stacks: map[string]*stack{}, exports: map[string]export{},
		pending: map[string]string{}, ops: map[string]chan struct{}{},
	}
}

// Close stops the background work: operations in flight stop where they are.
func (s *Simulator) Close() {
	s.cancel()
	s.wg.Wait()
}

// Wait blocks until the latest operation on stackName has played its whole status
// sequence (or the simulator is closed). It returns at once when none is in flight.
func (s *Simulator) Wait(stackName string) {
	s.mu.Lock()
	done := s.ops[stackName]
	s.mu.Unlock()
	if done == nil {
		return
	}
	select {
	case <-done:
	case <-s.ctx.Done():
	}
}

var stackNamePattern = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]*$`)

func validateStackName(name string) error {
	if len(name) > 128 {
		return platform.Errorf(platform.Invalid, "1 validation error detected: Value '%s' at 'stackName' failed to satisfy constraint: Member must have length less than or equal to 128", name)
	}
	if !stackNamePattern.MatchString(name) {
		return platform.Errorf(platform.Invalid, "1 validation error detected: Value '%s' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", name)
	}
	return nil
}

// Deploy creates the stack, or updates it through a change set. It returns an Invalid
// error for what CloudFormation rejects up front (a template that is not YAML or JSON,
// without Resources, with unknown resource types or unresolved references, a parameter
// without a value, an import of a missing export, a stack in ROLLBACK_COMPLETE) and a
// Conflict error while the stack has an operation in progress. A template and tags equal
// to those of a stack in a *_COMPLETE state are NoChanges.
func (s *Simulator) Deploy(ctx context.Context, in platform.StackDeployment) (platform.StackOperation, error) {
	if err := validateStackName(in.StackName); err != nil {
		return platform.StackOperation{}, err
	}
	root, err := cfntemplate.Parse(in.TemplateBody)
	if err != nil {
		return platform.StackOperation{}, platform.Errorf(platform.Invalid, "Template format error: %s", err)
	}
	var upFront, provisioning []cfnspec.Problem
	for _, p := range s.spec.CheckNode(root) {
		if p.RejectedUpFront() {
			upFront = append(upFront, p)
		} else {
			provisioning = append(provisioning, p)
		}
	}
	if len(upFront) > 0 {
		return platform.StackOperation{}, platform.Errorf(platform.Invalid, "%s", upFrontMessage(upFront))
	}
	provisioning = append(provisioning, handlerProblems(root)...)

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx.Err() != nil {
		return platform.StackOperation{}, platform.Errorf(platform.Internal, "cfnsim: simulator closed")
	}
	current := s.stacks[in.StackName]
	if current != nil {
		switch {
		case strings.HasSuffix(current.status, "_IN_PROGRESS"):
			return platform.StackOperation{}, platform.Errorf(platform.Conflict, "Stack:%s is in %s state and can not be updated.", current.id, current.status)
		case current.status == "ROLLBACK_COMPLETE" || current.status == "DELETE_FAILED":
			return platform.StackOperation{}, platform.Errorf(platform.Invalid, "Stack:%s is in %s state and can not be updated.", current.id, current.status)
		case strings.HasSuffix(current.status, "_COMPLETE") && bytes.Equal(current.template, in.TemplateBody) && maps.Equal(current.tags, in.Tags):
			return platform.StackOperation{StackID: current.id, NoChanges: true}, nil
		}
	}

	stackID := ""
	if current != nil {
		stackID = current.id
	} else {
		s.created++
		stackID = fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/%s", s.opts.Region, s.opts.Account, in.StackName, uuidFrom("stack", s.opts.Account, s.opts.Region, in.StackName, strconv.Itoa(s.created)))
	}
	ev := &evaluator{sim: s, stackName: in.StackName, stackID: stackID, root: root}
	result, err := ev.evaluate()
	if err != nil {
		return platform.StackOperation{}, platform.Errorf(platform.Invalid, "%s", err)
	}

	// Resources whose condition is false are not provisioned: their problems do not count.
	provisioning = slices.DeleteFunc(provisioning, func(p cfnspec.Problem) bool {
		ok, err := ev.conditionOf(ev.resources[p.LogicalID])
		return err == nil && !ok
	})
	op := &operation{token: in.ClientRequestToken, result: result, problems: provisioning}
	if current != nil {
		op.existing = current.resources
	}
	op.failure = s.failure(in.StackName, current, provisioning, result)
	if current == nil {
		current = &stack{id: stackID, name: in.StackName}
		s.stacks[in.StackName] = current
		op.sequence = []string{"REVIEW_IN_PROGRESS", "CREATE_IN_PROGRESS"}
		if op.failure == "" {
			op.sequence = append(op.sequence, "CREATE_COMPLETE")
		} else {
			op.sequence = append(op.sequence, "ROLLBACK_IN_PROGRESS", "ROLLBACK_COMPLETE")
		}
	} else {
		op.sequence = []string{"UPDATE_IN_PROGRESS"}
		if op.failure == "" {
			op.sequence = append(op.sequence, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_COMPLETE")
		} else {
			op.sequence = append(op.sequence, "UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE")
		}
	}
	if op.failure == "" {
		for name := range result.exports {
			s.pending[name] = in.StackName
		}
	}
	op.template = append([]byte(nil), in.TemplateBody...)
	op.tags = maps.Clone(in.Tags)
	current.token = in.ClientRequestToken
	s.start(current, op)
	return platform.StackOperation{StackID: stackID}, nil
}

// upFrontMessage is CloudFormation's ValidationError text for template problems:
// unrecognized types are listed together, as are unresolved references.
func upFrontMessage(problems []cfnspec.Problem) string {
	const unrecognized = "Template format error: Unrecognized resource types: ["
	var types []string
	for _, p := range problems {
		if t, ok := strings.CutPrefix(p.Message, unrecognized); ok {
			types = append(types, strings.TrimSuffix(t, "]"))
		}
	}
	if len(types) > 0 {
		return unrecognized + strings.Join(uniqueSorted(types), ", ") + "]"
	}
	for _, block := range []string{"Resources", "Outputs"} {
		prefix, suffix := "Template format error: Unresolved resource dependencies [", "] in the "+block+" block of the template"
		var names []string
		for _, p := range problems {
			if rest, ok := strings.CutPrefix(p.Message, prefix); ok {
				if name, ok := strings.CutSuffix(rest, suffix); ok {
					names = append(names, name)
				}
			}
		}
		if len(names) > 0 {
			return prefix + strings.Join(uniqueSorted(names), ", ") + suffix
		}
	}
	return problems[0].Message
}

func uniqueSorted(in []string) []string {
	sort.Strings(in)
	out := in[:0]
	for i, v := range in {
		if i == 0 || v != in[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// failure returns the root cause that makes the operation fail, "" when it succeeds:
// resource problems (the first one, "LogicalID: message"), an export another stack
// already has, or a change to an export other stacks import. s.mu is held.
func (s *Simulator) failure(stackName string, current *stack, problems []cfnspec.Problem, result *evaluation) string {
	if len(problems) > 0 {
		return problems[0].String()
	}
	for _, name := range sortedKeys(result.exports) {
		if e, ok := s.exports[name]; ok && e.stack != stackName {
			return fmt.Sprintf("Export with name %s is already exported by stack %s", name, e.stack)
		}
		if other, ok := s.pending[name]; ok && other != stackName {
			return fmt.Sprintf("Export with name %s is already exported by stack %s", name, other)
		}
	}
	if current != nil {
		for _, name := range sortedKeys(current.exports) {
			if v, ok := result.exports[name]; ok && v == current.exports[name] {
				continue
			}
			if user := s.importer(name, stackName); user != "" {
				return fmt.Sprintf("Cannot update export %s as it is in use by %s", name, user)
			}
		}
	}
	return ""
}

// importer returns a stack other than except that imports export name, or "".
func (s *Simulator) importer(name, except string) string {
	for _, stackName := range sortedKeys(s.stacks) {
		st := s.stacks[stackName]
		if stackName == except {
			continue
		}
		for _, imp := range st.imports {
			if imp == name {
				return stackName
			}
		}
	}
	return ""
}

// failedResources lists the logical ids of the resources with problems, as the
// ROLLBACK_IN_PROGRESS reason names them.
func failedResources(problems []cfnspec.Problem) []string {
	var ids []string
	seen := map[string]bool{}
	for _, p := range problems {
		if p.LogicalID != "" && !seen[p.LogicalID] {
			seen[p.LogicalID] = true
			ids = append(ids, p.LogicalID)
		}
	}
	return ids
}

// Delete deletes the stack. A stack that does not exist is NoChanges, as is one whose
// deletion is already in progress; another operation in progress is a Conflict.
func (s *Simulator) Delete(ctx context.Context, stackName, clientRequestToken string) (platform.StackOperation, error) {
	if err := validateStackName(stackName); err != nil {
		return platform.StackOperation{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx.Err() != nil {
		return platform.StackOperation{}, platform.Errorf(platform.Internal, "cfnsim: simulator closed")
	}
	current := s.stacks[stackName]
	switch {
	case current == nil:
		return platform.StackOperation{NoChanges: true}, nil
	case current.status == "DELETE_IN_PROGRESS":
		return platform.StackOperation{StackID: current.id, NoChanges: true}, nil
	case strings.HasSuffix(current.status, "_IN_PROGRESS"):
		return platform.StackOperation{}, platform.Errorf(platform.Conflict, "Stack:%s is in %s state and can not be deleted.", current.id, current.status)
	}
	op := &operation{token: clientRequestToken, delete: true, sequence: []string{"DELETE_IN_PROGRESS", "DELETE_COMPLETE"}}
	for _, name := range sortedKeys(current.exports) {
		if user := s.importer(name, stackName); user != "" {
			op.failure = fmt.Sprintf("Export %s cannot be deleted as it is in use by %s", name, user)
			op.sequence = []string{"DELETE_IN_PROGRESS", "DELETE_FAILED"}
			break
		}
	}
	current.token = clientRequestToken
	s.start(current, op)
	return platform.StackOperation{StackID: current.id}, nil
}

// Describe returns the stack, or a NotFound error once it is deleted or before it exists.
func (s *Simulator) Describe(ctx context.Context, stackName string) (platform.Stack, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stacks[stackName]
	if st == nil {
		return platform.Stack{}, platform.Errorf(platform.NotFound, "Stack with id %s does not exist", stackName)
	}
	return platform.Stack{
		StackID:                st.id,
		StackName:              st.name,
		Status:                 st.status,
		StatusReason:           st.reason,
		Outputs:                append([]platform.Output(nil), st.outputs...),
		Tags:                   maps.Clone(st.tags),
		LastClientRequestToken: st.token,
	}, nil
}

// cancelReason is the status reason of the rollback a cancelled update starts.
const cancelReason = "User Initiated"

// cancelledUpdate is what an update in progress goes through once cancelled.
var cancelledUpdate = []string{"UPDATE_IN_PROGRESS", "UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE"}

// Cancel cancels the update in progress on the stack, as CancelUpdateStack does: instead of
// completing (or failing), the update rolls back through UPDATE_ROLLBACK_IN_PROGRESS
// (reason "User Initiated"), UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS and
// UPDATE_ROLLBACK_COMPLETE, and the stack keeps its previous template, outputs and
// exports. The events keep the update's client request token. Cancelling again before
// the rollback has begun is accepted and changes nothing. Errors: NotFound when the stack
// does not exist; Conflict, with CloudFormation's message, when it is not
// UPDATE_IN_PROGRESS (being created or deleted, finishing an update, or at rest).
func (s *Simulator) Cancel(ctx context.Context, stackName, clientRequestToken string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx.Err() != nil {
		return platform.Errorf(platform.Internal, "cfnsim: simulator closed")
	}
	st := s.stacks[stackName]
	if st == nil {
		return platform.Errorf(platform.NotFound, "Stack [%s] does not exist", stackName)
	}
	if st.status != "UPDATE_IN_PROGRESS" || st.op == nil {
		return platform.Errorf(platform.Conflict, "CancelUpdateStack cannot be called from current stack status")
	}
	op := st.op
	if op.cancelled {
		return nil
	}
	op.cancelled, op.failure, op.problems = true, "", nil
	op.sequence = slices.Clone(cancelledUpdate)
	return nil
}

// operation is one stack operation: the statuses it goes through and how it ends.
type operation struct {
	serial   int // unique in the simulator, for event ids
	token    string
	existing map[string]bool // for an update, the logical ids the stack has
	delete   bool
	sequence []string
	failure  string // root cause, "" on success
	problems []cfnspec.Problem
	result   *evaluation
	// before are the stack's resources when the operation started.
	before   []listedResource
	template []byte
	tags     map[string]string
	// cancelled reports an update cancelled while UPDATE_IN_PROGRESS: it rolls back.
	cancelled bool
}

// start sets the stack to the operation's first status and plays the rest in the
// background. s.mu is held.
func (s *Simulator) start(st *stack, op *operation) {
	// As CloudFormation does, an operation on the stack ends its change sets (an executed
	// one included).
	for key, cs := range s.changeSets {
		if cs.StackName == st.name {
			delete(s.changeSets, key)
		}
	}
	s.serial++
	op.serial = s.serial
	done := make(chan struct{})
	prev := s.ops[st.name]
	s.ops[st.name] = done
	st.op = op
	op.before = st.listed
	st.status, st.reason = op.sequence[0], reasonFor(op, op.sequence[0])
	st.listed = op.resourcesAt(st.status, op.before)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(done)
		if prev != nil {
			// Events of the previous operation go out first.
			select {
			case <-prev:
			case <-s.ctx.Done():
				return
			}
		}
		s.play(st, op)
	}()
}

// play walks the operation's statuses. The sequence is read under s.mu at each step, as
// Cancel may replace what remains of it.
func (s *Simulator) play(st *stack, op *operation) {
	for i := 0; ; i++ {
		if i > 0 {
			s.mu.Lock()
			more := i < len(op.sequence)
			s.mu.Unlock()
			if !more {
				return
			}
			if s.opts.Step > 0 {
				t := time.NewTimer(s.opts.Step)
				select {
				case <-t.C:
				case <-s.ctx.Done():
					t.Stop()
					return
				}
			}
			if s.ctx.Err() != nil {
				return
			}
		}
		s.mu.Lock()
		if i >= len(op.sequence) {
			s.mu.Unlock()
			return
		}
		status := op.sequence[i]
		if i > 0 {
			s.enter(st, op, status, i == len(op.sequence)-1)
		}
		reason := reasonFor(op, status)
		s.mu.Unlock()
		if s.opts.Publish != nil {
			event := s.encodeStatusEvent(st.id, status, reason, op.token, s.opts.Now(), op.serial, i)
			_ = s.opts.Publish(s.ctx, event)
		}
	}
}

// enter moves the stack to status; last applies the operation's outcome. s.mu is held.
func (s *Simulator) enter(st *stack, op *operation, status string, last bool) {
	st.status, st.reason = status, reasonFor(op, status)
	st.listed = op.resourcesAt(status, op.before)
	switch {
	case op.failure != "" && (strings.Contains(status, "ROLLBACK") || strings.HasSuffix(status, "_FAILED")):
		// Describe gives the root cause, not the rollback's summary.
		st.reason = op.failure
	case op.cancelled && strings.Contains(status, "ROLLBACK"):
		st.reason = cancelReason
	}
	if !last {
		return
	}
	if op.failure != "" || op.cancelled {
		s.releasePending(st.name, op)
		return
	}
	s.exportsGen++
	if op.delete {
		for name := range st.exports {
			delete(s.exports, name)
		}
		delete(s.stacks, st.name)
		return
	}
	for name := range st.exports {
		delete(s.exports, name)
	}
	s.releasePending(st.name, op)
	st.template, st.tags = op.template, op.tags
	st.outputs = op.result.outputs
	st.exports = op.result.exports
	st.imports = op.result.imports
	st.resources = op.result.resources
	for name, value := range st.exports {
		s.exports[name] = export{stack: st.name, value: value}
	}
}

func (s *Simulator) releasePending(stackName string, op *operation) {
	if op.result == nil {
		return
	}
	for name := range op.result.exports {
		if s.pending[name] == stackName {
			delete(s.pending, name)
		}
	}
}

// reasonFor is the status reason CloudFormation gives a status of op.
func reasonFor(op *operation, status string) string {
	switch status {
	case "REVIEW_IN_PROGRESS", "CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS", "DELETE_IN_PROGRESS":
		return "User Initiated"
	case "ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_IN_PROGRESS":
		if op.cancelled {
			return cancelReason
		}
		if ids := failedResources(op.problems); len(ids) > 0 {
			// An update fails to create the resources it adds, to update the others.
			verb := "create"
			for _, id := range ids {
				if op.existing[id] {
					verb = "update"
				}
			}
			return fmt.Sprintf("The following resource(s) failed to %s: [%s].", verb, strings.Join(ids, ", "))
		}
		return op.failure
	case "DELETE_FAILED":
		return op.failure
	}
	return ""
}

// uuidFrom derives a UUID-shaped id from parts: ids are deterministic for a given
// sequence of calls.
func uuidFrom(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func itoa(i int) string { return strconv.Itoa(i) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
