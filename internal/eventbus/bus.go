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
	// Now gives the time stamped on events by PutEvents; default time.Now.
	Now func() time.Time
	// NewID gives the id of each event PutEvents builds; default a random UUID.
	NewID func() string
	// MaxAttempts is how many times a delivery is tried before it is given up; default 3.
	MaxAttempts int
	// RetryDelay is the wait after failed attempt n (1, 2, …) before the next one; default
	// 200ms doubling per attempt, at most 10s.
	RetryDelay func(attempt int) time.Duration
	// OnDeliveryError is called once for each delivery given up, with the rule, the event
	// and the last error (as a dead-letter queue would receive it); default: log it with
	// slog.
	OnDeliveryError func(rule string, event []byte, err error)
}

// Bus is an in-process event bus. Its methods are safe for concurrent use.
type Bus struct {
	opts Options

	// ctx is cancelled by Close; deliveries run under it.
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	matcher *quamina.Quamina  // guarded by mu: a quamina instance is not goroutine-safe
	targets map[string]Target // rule name → target
	closed  bool
	pending int           // deliveries queued, running or waiting to retry
	idle    chan struct{} // closed when pending drops to 0; nil while pending is 0
}

// New returns an empty bus.
func New(opts Options) *Bus {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.NewID == nil {
		opts.NewID = randomUUID
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 3
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
	return &Bus{opts: opts, ctx: ctx, cancel: cancel, matcher: matcher, targets: map[string]Target{}}
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
	}
	return nil
}

// Put takes one complete event, the JSON EventBridge delivers, and delivers it to the target
// of every rule it matches, asynchronously: Put returns once the deliveries are queued. A
// delivery whose target fails is retried after RetryDelay, up to MaxAttempts in all, then
// given to OnDeliveryError. Deliveries run under a context that keeps ctx's values but not
// its cancellation, and is cancelled by Close.
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
	type delivery struct {
		rule   string
		target Target
	}
	deliveries := make([]delivery, 0, len(matches))
	for _, m := range matches {
		rule := m.(string)
		deliveries = append(deliveries, delivery{rule, b.targets[rule]})
	}
	b.pending += len(deliveries)
	if b.pending > 0 && b.idle == nil {
		b.idle = make(chan struct{})
	}
	b.mu.Unlock()

	base := context.WithoutCancel(ctx)
	for i, d := range deliveries {
		copyOfEvent := event
		if i > 0 { // each target gets its own bytes, as with EventBridge
			copyOfEvent = bytes.Clone(event)
		}
		go b.deliver(base, d.rule, d.target, copyOfEvent)
	}
	return nil
}

// deliver runs one delivery to its end: success, attempts exhausted, or the bus closed.
func (b *Bus) deliver(base context.Context, rule string, target Target, event []byte) {
	defer b.finish()
	ctx, cancel := context.WithCancel(base)
	defer cancel()
	stop := context.AfterFunc(b.ctx, cancel)
	defer stop()

	var err error
	for attempt := 1; ; attempt++ {
		err = invoke(ctx, target, event)
		if err == nil {
			return
		}
		err = fmt.Errorf("attempt %d of %d: %w", attempt, b.opts.MaxAttempts, err)
		if attempt >= b.opts.MaxAttempts {
			break
		}
		if !wait(ctx, b.opts.RetryDelay(attempt)) {
			err = errors.Join(err, ErrClosed)
			break
		}
	}
	b.opts.OnDeliveryError(rule, event, err)
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

// wait waits d, and reports false if ctx ends first.
func wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
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

// Close stops the bus: it refuses new rules and events, cancels the context of running
// deliveries and abandons their retries (each abandoned delivery goes to OnDeliveryError),
// and waits for the targets running to return. Calling Close again does nothing more.
func (b *Bus) Close() {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	b.cancel()
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
