// Package eventbus is an in-process EventBridge for local mode. Rules pair an EventBridge
// pattern, matched with quamina (Tim Bray's matcher for EventBridge patterns), with a Go
// target. Events are delivered as EventBridge delivers them: asynchronously, at least once,
// retried with backoff when the target fails, with no ordering between events.
//
// The patterns are the files of package events, the same ones the CDK app turns into
// EventBridge rules (see AddRules).
package eventbus

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"
	"unicode/utf8"

	"quamina.net/go/quamina"

	"github.com/gantry-platform/gantry/events"
	"github.com/gantry-platform/gantry/internal/platform"
)

// MaxEventSize is the largest event, in bytes, the bus accepts: EventBridge's 256 KB.
const MaxEventSize = 256 * 1024

// ErrClosed is returned by AddRule, Put and PutEvents once Close has been called.
var ErrClosed = errors.New("eventbus: closed")

// Target receives the events a rule matched: one complete event, as EventBridge delivers it
// to a Lambda function. A non-nil error asks for a retry.
type Target func(ctx context.Context, event []byte) error

// Options configures a Bus. Zero fields take the defaults given.
type Options struct {
	// Account and Region fill the envelope PutEvents builds.
	Account, Region string
	// Now gives the time stamped on events by PutEvents and dead letters; default time.Now.
	Now func() time.Time
	// NewID gives the id of each event PutEvents builds; default a random UUID.
	NewID func() string
	// Workers is how many deliveries run at once, each on one of the bus's goroutines;
	// default 8. The bus runs no other goroutine but retry timers as they fire.
	Workers int
	// QueueSize bounds the deliveries waiting for a worker; default 10,000. A delivery
	// that finds the queue full is dead-lettered at once (ErrQueueFull), never dropped.
	QueueSize int
	// MaxAttempts is how many times a delivery is tried at most; default 185, as
	// EventBridge's retry policy.
	MaxAttempts int
	// RetryFor is how long a delivery is retried: no attempt starts later than RetryFor
	// after the first; default 5 minutes (EventBridge retries for 24 hours; locally a few
	// minutes is the contract).
	RetryFor time.Duration
	// RetryDelay is the wait after failed attempt n (1, 2, …) before the next one; default
	// 200ms doubling per attempt, at most 10s. A retry waits on a timer, not a worker.
	RetryDelay func(attempt int) time.Duration
	// DeadLetters, when set, keeps every delivery given up (see Bus.DeadLetters, Replay).
	DeadLetters *DeadLetterLog
	// OnDeliveryError is called once for each delivery given up, with the rule, the event
	// and the last error; default: log it with slog.
	OnDeliveryError func(rule string, event []byte, err error)
}

// ErrQueueFull is the error of a delivery dead-lettered because the queue was full.
var ErrQueueFull = errors.New("eventbus: delivery queue full")

// Bus is an in-process event bus. Its methods are safe for concurrent use.
type Bus struct {
	opts Options

	// ctx is cancelled by Close; deliveries run under it.
	ctx    context.Context
	cancel context.CancelFunc

	queue   chan *delivery // deliveries waiting for a worker; closed by Close
	workers sync.WaitGroup

	mu          sync.Mutex
	matcher     *quamina.Quamina     // guarded by mu: a quamina instance is not goroutine-safe
	targets     map[string]Target    // rule name → target
	targetNames map[string]string    // rule name → target name, when AddRules knew it
	waiting     map[*delivery]*timer // deliveries waiting to retry
	closed      bool
	pending     int           // deliveries queued, running or waiting to retry
	idle        chan struct{} // closed when pending drops to 0; nil while pending is 0
}

// delivery is one event on its way to one rule's target.
type delivery struct {
	ctx      context.Context // Put's, without its cancellation
	rule     string
	target   Target
	event    []byte
	attempts int
	first    time.Time // of the first attempt
	err      error     // of the last attempt
}

// timer is a retry's timer; stopped by Close.
type timer struct{ t *time.Timer }

// New returns an empty bus and starts its workers; Close stops them.
func New(opts Options) *Bus {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.NewID == nil {
		opts.NewID = randomUUID
	}
	if opts.Workers <= 0 {
		opts.Workers = 8
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = 10000
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 185
	}
	if opts.RetryFor <= 0 {
		opts.RetryFor = 5 * time.Minute
	}
	if opts.RetryDelay == nil {
		opts.RetryDelay = exponentialDelay
	}
	if opts.OnDeliveryError == nil {
		opts.OnDeliveryError = func(rule string, event []byte, err error) {
			slog.Error("eventbus: delivery given up", "rule", rule, "error", err, "event", string(event))
		}
	}
	matcher, err := quamina.New()
	if err != nil {
		// quamina.New fails only on bad options, and none are given.
		panic("eventbus: quamina.New: " + err.Error())
	}
	ctx, cancel := context.WithCancel(context.Background())
	b := &Bus{opts: opts, ctx: ctx, cancel: cancel, matcher: matcher, targets: map[string]Target{},
		targetNames: map[string]string{}, waiting: map[*delivery]*timer{}, queue: make(chan *delivery, opts.QueueSize)}
	b.workers.Add(opts.Workers)
	for range opts.Workers {
		go b.work()
	}
	return b
}

func exponentialDelay(attempt int) time.Duration {
	d := 200 * time.Millisecond
	for i := 1; i < attempt && d < 10*time.Second; i++ {
		d *= 2
	}
	return min(d, 10*time.Second)
}

// AddRule adds a rule sending the events pattern matches to target. It returns an Invalid
// error naming the rule when the name is empty, the target nil or the pattern rejected
// (not a JSON object, or a syntax quamina does not support), a Conflict error when a rule
// of that name exists, and ErrClosed after Close.
func (b *Bus) AddRule(name string, pattern []byte, target Target) error {
	switch {
	case name == "":
		return platform.FieldErrorf("name", "a rule needs a name")
	case target == nil:
		return platform.Errorf(platform.Invalid, "rule %q: no target", name)
	}
	var object map[string]json.RawMessage
	if err := json.Unmarshal(pattern, &object); err != nil || object == nil {
		return platform.Errorf(platform.Invalid, "rule %q: the pattern is not a JSON object", name)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrClosed
	}
	if _, ok := b.targets[name]; ok {
		return platform.Errorf(platform.Conflict, "rule %q already exists", name)
	}
	if err := b.matcher.AddPattern(name, string(pattern)); err != nil {
		return platform.Errorf(platform.Invalid, "rule %q: invalid pattern: %v", name, err)
	}
	b.targets[name] = target
	return nil
}

// AddRules adds each of rules (from events.Rules) with the target named by its Target. It
// returns an Invalid error naming the first rule whose target is not in targets or whose
// pattern AddRule rejects; the rules before it stay added.
func (b *Bus) AddRules(rules []events.Rule, targets map[string]Target) error {
	for _, r := range rules {
		target, ok := targets[r.Target]
		if !ok {
			return platform.Errorf(platform.Invalid, "rule %q: no target named %q", r.Name, r.Target)
		}
		if err := b.AddRule(r.Name, r.Pattern, target); err != nil {
			return err
		}
		b.mu.Lock()
		b.targetNames[r.Name] = r.Target
		b.mu.Unlock()
	}
	return nil
}

// Put takes one complete event, the JSON EventBridge delivers, and delivers it to the target
// of every rule it matches, asynchronously: Put returns once the deliveries are queued. A
// delivery whose target fails is retried after RetryDelay, up to MaxAttempts in all and
// for at most RetryFor, then given up: dead-lettered and given to OnDeliveryError. A
// delivery finding the queue full is given up at once with ErrQueueFull. Deliveries run
// under a context that keeps ctx's values but not its cancellation, and is cancelled by
// Close.
//
// Put returns an Invalid error when the event is larger than MaxEventSize, is not a JSON
// object in UTF-8, or lacks a source, a detail-type or an object detail; ErrClosed after Close.
func (b *Bus) Put(ctx context.Context, event []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := validateEvent(event); err != nil {
		return err
	}
	return b.put(ctx, bytes.Clone(event)) // the caller may reuse its buffer
}

// put queues the deliveries of a valid event, which it keeps.
func (b *Bus) put(ctx context.Context, event []byte) error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return ErrClosed
	}
	matches, err := b.matcher.MatchesForEvent(event)
	if err != nil {
		b.mu.Unlock()
		return platform.Errorf(platform.Invalid, "event cannot be matched: %v", err)
	}
	base := context.WithoutCancel(ctx)
	var overflow []*delivery
	for i, m := range matches {
		rule := m.(string)
		copyOfEvent := event
		if i > 0 { // each target gets its own bytes, as with EventBridge
			copyOfEvent = bytes.Clone(event)
		}
		if d := (&delivery{ctx: base, rule: rule, target: b.targets[rule], event: copyOfEvent}); !b.enqueueLocked(d) {
			overflow = append(overflow, d)
		}
	}
	b.mu.Unlock()
	for _, d := range overflow {
		b.giveUp(d, ErrQueueFull)
	}
	return nil
}

// enqueueLocked counts d as pending and queues it without waiting; false when the queue is
// full (d stays pending: the caller gives it up). b.mu is held and the bus is open.
func (b *Bus) enqueueLocked(d *delivery) bool {
	b.pending++
	if b.idle == nil {
		b.idle = make(chan struct{})
	}
	select {
	case b.queue <- d:
		return true
	default:
		return false
	}
}

// work runs deliveries until Close; those it takes after Close are given up unattempted.
func (b *Bus) work() {
	defer b.workers.Done()
	for d := range b.queue {
		b.deliver(d)
	}
}

// deliver attempts d, retrying at once while RetryDelay is 0, and otherwise leaves the
// retry to a timer so that a waiting delivery holds no worker.
func (b *Bus) deliver(d *delivery) {
	for {
		if b.ctx.Err() != nil {
			b.giveUp(d, errors.Join(d.err, ErrClosed))
			return
		}
		if d.attempts == 0 {
			d.first = time.Now()
		}
		d.attempts++
		err := b.attempt(d)
		if err == nil {
			b.finish()
			return
		}
		d.err = fmt.Errorf("attempt %d of %d: %w", d.attempts, b.opts.MaxAttempts, err)
		if d.attempts >= b.opts.MaxAttempts {
			b.giveUp(d, d.err)
			return
		}
		delay := b.opts.RetryDelay(d.attempts)
		if time.Since(d.first)+delay > b.opts.RetryFor {
			b.giveUp(d, fmt.Errorf("%w; retried for %s, the limit", d.err, b.opts.RetryFor))
			return
		}
		if delay > 0 {
			b.retryAfter(d, delay)
			return
		}
	}
}

// attempt runs one attempt of d under a context Close cancels.
func (b *Bus) attempt(d *delivery) error {
	ctx, cancel := context.WithCancel(d.ctx)
	defer cancel()
	stop := context.AfterFunc(b.ctx, cancel)
	defer stop()
	return invoke(ctx, d.target, d.event)
}

// retryAfter queues d again after delay, from a timer Close may stop.
func (b *Bus) retryAfter(d *delivery, delay time.Duration) {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		b.giveUp(d, errors.Join(d.err, ErrClosed))
		return
	}
	defer b.mu.Unlock()
	t := &timer{}
	b.waiting[d] = t
	t.t = time.AfterFunc(delay, func() {
		b.mu.Lock()
		if _, ok := b.waiting[d]; !ok { // Close took it
			b.mu.Unlock()
			return
		}
		delete(b.waiting, d)
		b.pending-- // enqueueLocked counts it again
		queued := b.enqueueLocked(d)
		b.mu.Unlock()
		if !queued {
			b.giveUp(d, errors.Join(d.err, ErrQueueFull))
		}
	})
}

// giveUp dead-letters d with err, reports it to OnDeliveryError and ends it.
func (b *Bus) giveUp(d *delivery, err error) {
	if b.opts.DeadLetters != nil {
		b.mu.Lock()
		target := b.targetNames[d.rule]
		b.mu.Unlock()
		dl := DeadLetter{ID: randomUUID(), Time: b.opts.Now().UTC(), Rule: d.rule, Target: target,
			Event: json.RawMessage(d.event), Error: err.Error(), Attempts: d.attempts}
		if werr := b.opts.DeadLetters.Add(dl); werr != nil {
			slog.Error("eventbus: dead letter not kept", "rule", d.rule, "error", werr, "event", string(d.event))
		}
	}
	b.opts.OnDeliveryError(d.rule, d.event, err)
	b.finish()
}

// invoke calls target, turning a panic into an error as the Lambda runtime does.
func invoke(ctx context.Context, target Target, event []byte) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("target panicked: %v", p)
		}
	}()
	return target(ctx, event)
}

func (b *Bus) finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pending--
	if b.pending == 0 && b.idle != nil {
		close(b.idle)
		b.idle = nil
	}
}

// Idle waits until no delivery is queued, running or waiting to retry, or ctx ends (its
// error is returned). Events put while Idle waits are waited for too.
func (b *Bus) Idle(ctx context.Context) error {
	for {
		b.mu.Lock()
		idle := b.idle
		b.mu.Unlock()
		if idle == nil {
			return nil
		}
		select {
		case <-idle:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// DeadLetters returns the deliveries given up and kept in Options.DeadLetters, oldest
// first; an Invalid error when the bus keeps none, the file system's error otherwise.
func (b *Bus) DeadLetters() ([]DeadLetter, error) {
	if b.opts.DeadLetters == nil {
		return nil, platform.Errorf(platform.Invalid, "this event bus keeps no dead letters")
	}
	return b.opts.DeadLetters.List()
}

// Replay delivers the dead letters of ids (all of them when ids is empty) again to their
// rule's target, as new deliveries with their own retries, and removes them from the log;
// one that fails again is dead-lettered again under a new id. It returns how many were
// replayed. A NotFound error names an id not in the log, an Invalid one a dead letter
// whose rule the bus no longer has (nothing is replayed then); ErrClosed after Close.
func (b *Bus) Replay(ctx context.Context, ids []string) (int, error) {
	all, err := b.DeadLetters()
	if err != nil {
		return 0, err
	}
	chosen := all
	if len(ids) > 0 {
		chosen = nil
		for _, id := range ids {
			i := slices.IndexFunc(all, func(dl DeadLetter) bool { return dl.ID == id })
			if i < 0 {
				return 0, platform.Errorf(platform.NotFound, "no dead letter %q", id)
			}
			chosen = append(chosen, all[i])
		}
	}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return 0, ErrClosed
	}
	var deliveries []*delivery
	for _, dl := range chosen {
		target, ok := b.targets[dl.Rule]
		if !ok {
			b.mu.Unlock()
			return 0, platform.Errorf(platform.Invalid, "dead letter %s: the bus has no rule %q", dl.ID, dl.Rule)
		}
		deliveries = append(deliveries, &delivery{ctx: context.WithoutCancel(ctx), rule: dl.Rule, target: target, event: []byte(dl.Event)})
	}
	var overflow []*delivery
	for _, d := range deliveries {
		if !b.enqueueLocked(d) {
			overflow = append(overflow, d)
		}
	}
	b.mu.Unlock()
	for _, d := range overflow {
		b.giveUp(d, ErrQueueFull)
	}
	replayed := make([]string, len(chosen))
	for i, dl := range chosen {
		replayed[i] = dl.ID
	}
	return len(chosen), b.opts.DeadLetters.Remove(replayed)
}

// Close stops the bus: it refuses new rules and events, cancels the context of running
// deliveries, gives up the queued ones and the retries waiting (each goes to the dead
// letters and OnDeliveryError, with ErrClosed), and waits for the targets running to
// return. Calling Close again does nothing more.
func (b *Bus) Close() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		_ = b.Idle(context.Background())
		return
	}
	b.closed = true
	waiting := b.waiting
	b.waiting = map[*delivery]*timer{}
	close(b.queue)
	b.mu.Unlock()
	b.cancel()
	for d, t := range waiting {
		t.t.Stop()
		b.giveUp(d, errors.Join(d.err, ErrClosed))
	}
	b.workers.Wait()
	_ = b.Idle(context.Background())
}

// validateEvent checks that event is a complete EventBridge event.
func validateEvent(event []byte) error {
	if len(event) > MaxEventSize {
		return platform.Errorf(platform.Invalid, "event is %d bytes, more than the %d allowed", len(event), MaxEventSize)
	}
	if !utf8.Valid(event) {
		return platform.Errorf(platform.Invalid, "event is not valid UTF-8")
	}
	var head struct {
		Source     *string         `json:"source"`
		DetailType *string         `json:"detail-type"`
		Detail     json.RawMessage `json:"detail"`
	}
	if err := json.Unmarshal(event, &head); err != nil {
		return platform.Errorf(platform.Invalid, "event is not a JSON object: %v", err)
	}
	switch {
	case head.Source == nil || *head.Source == "":
		return platform.FieldErrorf("source", "is required")
	case head.DetailType == nil || *head.DetailType == "":
		return platform.FieldErrorf("detail-type", "is required")
	case !isJSONObject(head.Detail):
		return platform.FieldErrorf("detail", "must be a JSON object")
	}
	return nil
}

func isJSONObject(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '{'
}

// randomUUID returns a random (version 4) UUID.
func randomUUID() string {
	var u [16]byte
	_, _ = rand.Read(u[:]) // crypto/rand.Read never fails
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}
