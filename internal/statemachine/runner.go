package statemachine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Invoker runs a Lambda function by name (the resolved FunctionName) with a JSON payload;
// it returns the function's JSON result or its error. The error's name, as Retry and
// Catch see it, is FunctionErrorType(err).
type Invoker interface {
	Invoke(ctx context.Context, functionName string, payload []byte) ([]byte, error)
}

// Options configure a Runner. Invoker is required; the rest have defaults.
type Options struct {
	Invoker Invoker
	// Substitutions replace ${Name} in the definition text before it runs, like CDK's
	// definitionSubstitutions. Every ${Name} of the definition must have a value.
	Substitutions map[string]string
	// Now is the clock for timestamps (StartDate, $$.State.EnteredTime, Wait Timestamp).
	// Default time.Now.
	Now func() time.Time
	// NewID makes task tokens and the names of executions started without one. Default: a
	// random UUID.
	NewID func() string
	// OnTransition, when set, is called with the execution id, the state name ("" for
	// execution events) and the history event type (e.g. "TaskStateEntered") of every
	// history event.
	OnTransition func(exec, state, kind string)
	// Sleep waits for d, or until ctx is done and then returns ctx's error. Wait states
	// and retry intervals wait through it, so that tests and local runs can make them
	// instant. Default: a real timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Timeout is the clock of deadlines: TimeoutSeconds and HeartbeatSeconds of tasks and
	// the state machine's TimeoutSeconds. It returns nil once d has passed, or ctx's
	// error when ctx ends first (the deadline was cancelled). Tests drive it to make a
	// deadline pass; keep it a real clock when Sleep is instant. Default: a real timer.
	Timeout func(ctx context.Context, d time.Duration) error
	// StateMachineARN names the state machine in execution ids and in $$.StateMachine.
	// Default "arn:aws:states:local:000000000000:stateMachine:StateMachine".
	StateMachineARN string
}

// Execution statuses, as DescribeExecution reports them.
const (
	StatusRunning   = "RUNNING"
	StatusSucceeded = "SUCCEEDED"
	StatusFailed    = "FAILED"
	StatusTimedOut  = "TIMED_OUT"
	StatusAborted   = "ABORTED"
)

// Execution describes one execution, like DescribeExecution.
type Execution struct {
	ExecutionID string // the execution ARN
	Name        string
	Status      string // RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED
	Input       json.RawMessage
	Output      json.RawMessage // set when SUCCEEDED
	Error       string          // set when FAILED, TIMED_OUT or ABORTED
	Cause       string
	StartDate   time.Time
	StopDate    time.Time // zero while RUNNING
}

// HistoryEvent is one event of an execution's history, like GetExecutionHistory:
// e.g. ExecutionStarted, TaskStateEntered, TaskScheduled, TaskSucceeded, TaskFailed,
// TaskStateExited, ExecutionSucceeded.
type HistoryEvent struct {
	ID              int64
	PreviousEventID int64
	Timestamp       time.Time
	Type            string
	StateName       string          `json:",omitempty"`
	Resource        string          `json:",omitempty"` // for Task and Lambda events
	Input           json.RawMessage `json:",omitempty"` // state input, task parameters
	Output          json.RawMessage `json:",omitempty"` // state output, task result
	Error           string          `json:",omitempty"`
	Cause           string          `json:",omitempty"`
	Index           *int            `json:",omitempty"` // Map iteration events
}

// Runner runs executions of one state machine definition. It implements
// platform.Workflows. All methods are safe for concurrent use.
type Runner struct {
	machine *machine
	timeout int
	opts    Options

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu           sync.Mutex
	closed       bool
	executions   map[string]*execution // by execution id
	tasks        map[string]*waitingTask
	closedTokens map[string]bool
}

var _ platform.Workflows = (*Runner)(nil)

// New returns a Runner for def. It applies opts.Substitutions to the definition text and
// validates the result; it returns an Invalid *platform.Error when a ${Name} has no
// value, when a substituted Resource is not one the runner supports, or when Invoker is
// missing.
func New(def *Definition, opts Options) (*Runner, error) {
	if def == nil {
		return nil, platform.Errorf(platform.Invalid, "statemachine: no definition")
	}
	if opts.Invoker == nil {
		return nil, platform.FieldErrorf("Invoker", "statemachine: an Invoker is required")
	}
	text := string(def.text)
	keys := make([]string, 0, len(opts.Substitutions))
	for k := range opts.Substitutions {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		text = strings.ReplaceAll(text, "${"+k+"}", opts.Substitutions[k])
	}
	if missing := placeholder.FindAllString(text, -1); len(missing) > 0 {
		return nil, platform.FieldErrorf("Substitutions", "no value for %s", strings.Join(unique(missing), ", "))
	}
	parsed, err := Parse([]byte(text))
	if err != nil {
		return nil, err
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.NewID == nil {
		opts.NewID = newUUID
	}
	if opts.Sleep == nil {
		opts.Sleep = sleepTimer
	}
	if opts.Timeout == nil {
		opts.Timeout = sleepTimer
	}
	if opts.StateMachineARN == "" {
		opts.StateMachineARN = "arn:aws:states:local:000000000000:stateMachine:StateMachine"
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Runner{
		machine:      parsed.machine,
		timeout:      parsed.timeout,
		opts:         opts,
		ctx:          ctx,
		cancel:       cancel,
		executions:   map[string]*execution{},
		tasks:        map[string]*waitingTask{},
		closedTokens: map[string]bool{},
	}, nil
}

func unique(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func sleepTimer(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// after returns a channel that is closed once the deadline d has passed (per
// Options.Timeout), and a function that cancels the deadline.
func (r *Runner) after(ctx context.Context, d time.Duration) (<-chan struct{}, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	fired := make(chan struct{})
	go func() {
		if r.opts.Timeout(ctx, d) == nil {
			close(fired)
		}
	}()
	return fired, cancel
}

// maxPayload is Step Functions' quota for inputs, outputs and task results.
const maxPayload = 256 * 1024

// Start starts an execution named name (a new id when name is empty) with input (JSON;
// empty means {}), and returns its id. Starting a name again with the same input returns
// the same id and starts nothing; with another input it returns a Conflict error
// (ExecutionAlreadyExists). A bad name or input is an Invalid error (InvalidName,
// InvalidExecutionInput); a closed Runner returns an Internal error.
func (r *Runner) Start(ctx context.Context, name string, input json.RawMessage) (string, error) {
	if name == "" {
		name = r.opts.NewID()
	}
	if err := checkExecutionName(name); err != nil {
		return "", err
	}
	if len(strings.TrimSpace(string(input))) == 0 {
		input = json.RawMessage("{}")
	}
	if len(input) > maxPayload {
		return "", platform.Errorf(platform.Invalid, "InvalidExecutionInput: the input is larger than %d bytes", maxPayload)
	}
	value, err := decodeJSON(input)
	if err != nil {
		return "", platform.Errorf(platform.Invalid, "InvalidExecutionInput: the input is not JSON: %v", err)
	}
	id := strings.Replace(r.opts.StateMachineARN, ":stateMachine:", ":execution:", 1) + ":" + name

	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return "", platform.Errorf(platform.Internal, "statemachine: the runner is closed")
	}
	if x, ok := r.executions[id]; ok {
		r.mu.Unlock()
		if equalJSON(x.input, value) {
			return id, nil
		}
		return "", platform.Errorf(platform.Conflict, "ExecutionAlreadyExists: an execution named %q was already started with another input", name)
	}
	ectx, cancel := context.WithCancelCause(r.ctx)
	x := &execution{
		r:         r,
		id:        id,
		name:      name,
		input:     value,
		inputJSON: json.RawMessage(encodeJSON(value)),
		start:     r.opts.Now(),
		cancel:    cancel,
		done:      make(chan struct{}),
		status:    StatusRunning,
	}
	r.executions[id] = x
	r.wg.Add(1)
	r.mu.Unlock()

	x.event(HistoryEvent{Type: "ExecutionStarted", Input: x.inputJSON})
	go x.run(ectx)
	return id, nil
}

// checkExecutionName applies Step Functions' rules for execution names.
func checkExecutionName(name string) error {
	if len(name) > 80 {
		return platform.Errorf(platform.Invalid, "InvalidName: an execution name must be at most 80 characters")
	}
	for _, c := range name {
		if c <= ' ' || (c >= 0x7f && c <= 0x9f) || strings.ContainsRune("<>{}[]?*\"#%\\^|~`$&,;:/", c) {
			return platform.Errorf(platform.Invalid, "InvalidName: %q may not contain %q", name, c)
		}
	}
	return nil
}

func (r *Runner) execution(executionID string) (*execution, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	x, ok := r.executions[executionID]
	if !ok {
		return nil, platform.Errorf(platform.NotFound, "ExecutionDoesNotExist: no execution %s", executionID)
	}
	return x, nil
}

// Describe returns the execution, or a NotFound error (ExecutionDoesNotExist).
func (r *Runner) Describe(executionID string) (Execution, error) {
	x, err := r.execution(executionID)
	if err != nil {
		return Execution{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return x.describe(), nil
}

// List returns every execution started, oldest first.
func (r *Runner) List() []Execution {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Execution, 0, len(r.executions))
	for _, x := range r.executions {
		out = append(out, x.describe())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].StartDate.Before(out[j].StartDate) })
	return out
}

// Wait waits until the execution has stopped and returns it. It returns a NotFound error
// for an unknown id and ctx's error when ctx ends first.
func (r *Runner) Wait(ctx context.Context, executionID string) (Execution, error) {
	x, err := r.execution(executionID)
	if err != nil {
		return Execution{}, err
	}
	select {
	case <-x.done:
		return r.Describe(executionID)
	case <-ctx.Done():
		return Execution{}, ctx.Err()
	}
}

// History returns the execution's events so far, oldest first; nil for an unknown id.
func (r *Runner) History(executionID string) []HistoryEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	x, ok := r.executions[executionID]
	if !ok {
		return nil
	}
	return append([]HistoryEvent(nil), x.history...)
}

// errAborted is the cancellation cause of a stopped execution.
type errAborted struct{ name, cause string }

func (e *errAborted) Error() string { return "execution aborted" }

// errExecutionTimedOut is the cancellation cause of an execution that ran past the
// definition's TimeoutSeconds.
var errExecutionTimedOut = errors.New("execution timed out")

// Stop aborts a running execution, like StopExecution, and returns once it has stopped.
// Stopping a stopped execution does nothing. It returns a NotFound error for an unknown id.
func (r *Runner) Stop(executionID, errorName, cause string) error {
	x, err := r.execution(executionID)
	if err != nil {
		return err
	}
	x.cancel(&errAborted{errorName, cause})
	<-x.done
	return nil
}

// Close aborts every running execution, waits for them to stop, and makes Start fail.
func (r *Runner) Close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.cancel()
	r.wg.Wait()
}

// execution is one run of the state machine.
type execution struct {
	r         *Runner
	id, name  string
	input     any
	inputJSON json.RawMessage
	start     time.Time
	cancel    context.CancelCauseFunc
	done      chan struct{}

	// guarded by r.mu
	status         string
	output         json.RawMessage
	errName, cause string
	stop           time.Time
	history        []HistoryEvent
}

func (x *execution) describe() Execution {
	return Execution{
		ExecutionID: x.id,
		Name:        x.name,
		Status:      x.status,
		Input:       x.inputJSON,
		Output:      x.output,
		Error:       x.errName,
		Cause:       x.cause,
		StartDate:   x.start,
		StopDate:    x.stop,
	}
}

// event appends e to the history and reports it to OnTransition.
func (x *execution) event(e HistoryEvent) {
	r := x.r
	r.mu.Lock()
	e.ID = int64(len(x.history) + 1)
	e.PreviousEventID = e.ID - 1
	e.Timestamp = r.opts.Now()
	x.history = append(x.history, e)
	r.mu.Unlock()
	if r.opts.OnTransition != nil {
		r.opts.OnTransition(x.id, e.StateName, e.Type)
	}
}

func (x *execution) run(ctx context.Context) {
	defer x.r.wg.Done()
	defer close(x.done)
	defer x.cancel(nil)
	if x.r.timeout > 0 {
		fired, stop := x.r.after(ctx, time.Duration(x.r.timeout)*time.Second)
		defer stop()
		go func() {
			select {
			case <-fired:
				x.cancel(errExecutionTimedOut)
			case <-ctx.Done():
			}
		}()
	}
	out, err := x.runMachine(ctx, x.r.machine, x.input)
	var output json.RawMessage
	if err == nil {
		output = encodeJSON(out)
		if len(output) > maxPayload {
			err = &stateError{Name: ErrorDataLimitExceeded, Cause: fmt.Sprintf("The execution output is larger than %d bytes", maxPayload)}
		}
	}
	status, e := StatusSucceeded, HistoryEvent{Type: "ExecutionSucceeded", Output: output}
	if err != nil {
		var aborted *errAborted
		cause := context.Cause(ctx)
		switch {
		case ctx.Err() != nil && errors.Is(cause, errExecutionTimedOut):
			status, e = StatusTimedOut, HistoryEvent{Type: "ExecutionTimedOut", Error: ErrorTimeout, Cause: "The execution ran longer than the state machine's TimeoutSeconds"}
		case ctx.Err() != nil && errors.As(cause, &aborted):
			status, e = StatusAborted, HistoryEvent{Type: "ExecutionAborted", Error: aborted.name, Cause: aborted.cause}
		case ctx.Err() != nil:
			status, e = StatusAborted, HistoryEvent{Type: "ExecutionAborted", Cause: "The runner was closed"}
		default:
			se := asStateError(err)
			status, e = StatusFailed, HistoryEvent{Type: "ExecutionFailed", Error: se.Name, Cause: se.Cause}
		}
	}
	x.event(e)
	x.r.mu.Lock()
	x.status, x.output, x.errName, x.cause, x.stop = status, e.Output, e.Error, e.Cause, x.r.opts.Now()
	x.r.mu.Unlock()
}

// asStateError returns err as a *stateError; any other error is a States.Runtime error.
func asStateError(err error) *stateError {
	var se *stateError
	if errors.As(err, &se) {
		return se
	}
	return &stateError{Name: ErrorRuntime, Cause: err.Error()}
}
