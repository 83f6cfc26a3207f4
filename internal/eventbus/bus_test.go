package eventbus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/events"
	"github.com/gantry-platform/gantry/internal/platform"
)

// newBus returns a bus that retries at once, closed when the test ends.
func newBus(t *testing.T, opts Options) *Bus {
	t.Helper()
	if opts.RetryDelay == nil {
		opts.RetryDelay = func(int) time.Duration { return 0 }
	}
	if opts.OnDeliveryError == nil {
		opts.OnDeliveryError = func(rule string, event []byte, err error) {
			t.Errorf("delivery to rule %s given up: %v", rule, err)
		}
	}
	b := New(opts)
	t.Cleanup(b.Close)
	return b
}

func mustIdle(t *testing.T, b *Bus) {
	t.Helper()
	if err := b.Idle(t.Context()); err != nil {
		t.Fatalf("Idle: %v", err)
	}
}

func mustAddRule(t *testing.T, b *Bus, name, pattern string, target Target) {
	t.Helper()
	if err := b.AddRule(name, []byte(pattern), target); err != nil {
		t.Fatalf("AddRule %s: %v", name, err)
	}
}

func mustSample(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := events.Sample(name)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// recorder is a target that keeps what it receives.
type recorder struct {
	mu     sync.Mutex
	events [][]byte
}

func (r *recorder) target(_ context.Context, event []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, event)
	return nil
}

func (r *recorder) received() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

func TestRulesOfPackageEventsRouteTheSamples(t *testing.T) {
	b := newBus(t, Options{})
	rules, err := events.Rules()
	if err != nil {
		t.Fatal(err)
	}
	recorders := map[string]*recorder{}
	for _, r := range rules {
		rec := &recorder{}
		recorders[r.Name] = rec
		mustAddRule(t, b, r.Name, string(r.Pattern), rec.target)
	}
	for _, name := range events.Samples() {
		if err := b.Put(t.Context(), mustSample(t, name)); err != nil {
			t.Fatalf("Put %s: %v", name, err)
		}
	}
	mustIdle(t, b)

	want := map[string][]string{
		"stack-status-change": {
			"cloudformation-gantry-env-beta-create-complete",
			"cloudformation-gantry-env-beta-create-in-progress",
			"cloudformation-gantry-env-beta-rollback-complete",
			"cloudformation-stack-status-change",
			"cloudformation-stack-status-change-with-token",
		},
		"pipeline-state-change": {
			"codepipeline-gantry-action-execution-failed",
			"codepipeline-gantry-pipeline-execution-succeeded",
			"codepipeline-gantry-stage-execution-failed",
		},
	}
	for rule, samples := range want {
		got := recorders[rule].received()
		var wantEvents []string
		for _, s := range samples {
			wantEvents = append(wantEvents, string(mustSample(t, s)))
		}
		var gotEvents []string
		for _, e := range got {
			gotEvents = append(gotEvents, string(e))
		}
		slices.Sort(wantEvents)
		slices.Sort(gotEvents)
		if !slices.Equal(gotEvents, wantEvents) {
			t.Errorf("rule %s received %d events, want the %d samples %v", rule, len(gotEvents), len(wantEvents), samples)
		}
	}
}

func TestAddRulesNeedsEveryTarget(t *testing.T) {
	b := newBus(t, Options{})
	rules, err := events.Rules()
	if err != nil {
		t.Fatal(err)
	}
	err = b.AddRules(rules, map[string]Target{"other": (&recorder{}).target})
	if err == nil || !strings.Contains(err.Error(), `no target named "events"`) {
		t.Errorf("AddRules error = %v", err)
	}
	if err := b.AddRules(rules, map[string]Target{"events": (&recorder{}).target}); err != nil {
		t.Errorf("AddRules: %v", err)
	}
}

func TestNonMatchingEventIsNotDelivered(t *testing.T) {
	b := newBus(t, Options{})
	rec := &recorder{}
	mustAddRule(t, b, "stacks", `{"source":["aws.cloudformation"],"detail":{"status-details":{"status":["ROLLBACK_COMPLETE"]}}}`, rec.target)
	for _, name := range []string{"cloudformation-stack-status-change", "codepipeline-gantry-stage-execution-failed", "cloudformation-gantry-env-beta-rollback-complete"} {
		if err := b.Put(t.Context(), mustSample(t, name)); err != nil {
			t.Fatal(err)
		}
	}
	mustIdle(t, b)
	got := rec.received()
	if len(got) != 1 || !bytes.Contains(got[0], []byte(`"ROLLBACK_COMPLETE"`)) {
		t.Errorf("received %d events, want only the rollback: %s", len(got), got)
	}
}

func TestEventMatchingSeveralRulesGoesToEach(t *testing.T) {
	b := newBus(t, Options{})
	a, c := &recorder{}, &recorder{}
	scribbled := make(chan struct{})
	// a scribbles over the bytes it got before c reads its own: each has its own copy.
	mustAddRule(t, b, "a", `{"source":["gantry"]}`, func(ctx context.Context, event []byte) error {
		defer close(scribbled)
		err := a.target(ctx, bytes.Clone(event))
		clear(event)
		return err
	})
	mustAddRule(t, b, "c", `{"detail":{"n":[1]}}`, func(ctx context.Context, event []byte) error {
		<-scribbled
		return c.target(ctx, event)
	})
	event := `{"source":"gantry","detail-type":"T","detail":{"n":1.0}}`
	if err := b.Put(t.Context(), []byte(event)); err != nil {
		t.Fatal(err)
	}
	mustIdle(t, b)
	ga, gc := a.received(), c.received()
	if len(ga) != 1 || len(gc) != 1 || string(ga[0]) != event || string(gc[0]) != event {
		t.Errorf("deliveries: a=%q c=%q, want the event once each", ga, gc)
	}
}

var errTransient = errors.New("transient")

func TestFailedDeliveryIsRetriedUntilItSucceeds(t *testing.T) {
	var mu sync.Mutex
	var delays []int
	b := newBus(t, Options{MaxAttempts: 3, RetryDelay: func(attempt int) time.Duration {
		mu.Lock()
		defer mu.Unlock()
		delays = append(delays, attempt)
		return 0
	}})
	var calls atomic.Int32
	mustAddRule(t, b, "flaky", `{"source":["gantry"]}`, func(context.Context, []byte) error {
		if calls.Add(1) < 3 {
			return errTransient
		}
		return nil
	})
	if err := b.Put(t.Context(), []byte(`{"source":"gantry","detail-type":"T","detail":{}}`)); err != nil {
		t.Fatal(err)
	}
	mustIdle(t, b)
	if n := calls.Load(); n != 3 {
		t.Errorf("target called %d times, want 3", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(delays, []int{1, 2}) {
		t.Errorf("RetryDelay called for attempts %v, want [1 2]", delays)
	}
}

func TestDeliveryIsGivenUpAfterMaxAttempts(t *testing.T) {
	type failure struct {
		rule  string
		event string
		err   error
	}
	failures := make(chan failure, 10)
	b := newBus(t, Options{MaxAttempts: 4, OnDeliveryError: func(rule string, event []byte, err error) {
		failures <- failure{rule, string(event), err}
	}})
	var calls atomic.Int32
	mustAddRule(t, b, "broken", `{"source":["gantry"]}`, func(context.Context, []byte) error {
		calls.Add(1)
		return errTransient
	})
	event := `{"source":"gantry","detail-type":"T","detail":{"k":"v"}}`
	if err := b.Put(t.Context(), []byte(event)); err != nil {
		t.Fatal(err)
	}
	mustIdle(t, b)
	if n := calls.Load(); n != 4 {
		t.Errorf("target called %d times, want 4", n)
	}
	close(failures)
	var got []failure
	for f := range failures {
		got = append(got, f)
	}
	if len(got) != 1 {
		t.Fatalf("OnDeliveryError called %d times, want 1", len(got))
	}
	if got[0].rule != "broken" || got[0].event != event || !errors.Is(got[0].err, errTransient) ||
		!strings.Contains(got[0].err.Error(), "attempt 4 of 4") {
		t.Errorf("OnDeliveryError(%q, %s, %v)", got[0].rule, got[0].event, got[0].err)
	}
}

func TestPanickingTargetIsRetried(t *testing.T) {
	b := newBus(t, Options{})
	var calls atomic.Int32
	mustAddRule(t, b, "panics-once", `{"source":["gantry"]}`, func(context.Context, []byte) error {
		if calls.Add(1) == 1 {
			panic("boom")
		}
		return nil
	})
	if err := b.Put(t.Context(), []byte(`{"source":"gantry","detail-type":"T","detail":{}}`)); err != nil {
		t.Fatal(err)
	}
	mustIdle(t, b)
	if n := calls.Load(); n != 2 {
		t.Errorf("target called %d times, want 2", n)
	}
}

// TestAtLeastOnceUnderConcurrency puts events from several goroutines while rules are
// added, with a target that fails the first attempt of every third event: every event
// must still be delivered. Run with -race.
func TestAtLeastOnceUnderConcurrency(t *testing.T) {
	const writers, perWriter = 4, 50
	var ids atomic.Int64
	b := newBus(t, Options{Account: "111122223333", Region: "eu-west-1",
		NewID: func() string { return fmt.Sprint(ids.Add(1)) }})

	var mu sync.Mutex
	attempts := map[string]int{}
	succeeded := map[string]int{}
	mustAddRule(t, b, "all", `{"source":["gantry"]}`, func(_ context.Context, event []byte) error {
		var e struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(event, &e); err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		attempts[e.ID]++
		var n int
		fmt.Sscan(e.ID, &n)
		if n%3 == 0 && attempts[e.ID] == 1 {
			return errTransient
		}
		succeeded[e.ID]++
		return nil
	})

	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				err := b.PutEvents(t.Context(), Entry{Source: "gantry", DetailType: "T",
					Detail: json.RawMessage(fmt.Sprintf(`{"writer":%d,"i":%d}`, w, i))})
				if err != nil {
					t.Error(err)
				}
			}
		})
		wg.Go(func() {
			// Rules added while events flow must not race with matching.
			if err := b.AddRule(fmt.Sprintf("late-%d", w), []byte(`{"source":["elsewhere"]}`), (&recorder{}).target); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	mustIdle(t, b)

	mu.Lock()
	defer mu.Unlock()
	if len(succeeded) != writers*perWriter {
		t.Errorf("%d events delivered, want %d", len(succeeded), writers*perWriter)
	}
	for id, n := range succeeded {
		if n < 1 {
			t.Errorf("event %s never delivered", id)
		}
	}
	retried := 0
	for _, n := range attempts {
		if n > 1 {
			retried++
		}
	}
	if want := writers * perWriter / 3; retried != want {
		t.Errorf("%d events retried, want %d", retried, want)
	}
}

func TestIdleWaitsForDeliveries(t *testing.T) {
	b := newBus(t, Options{})
	if err := b.Idle(t.Context()); err != nil {
		t.Fatalf("Idle on an empty bus: %v", err)
	}
	release := make(chan struct{})
	var done atomic.Bool
	mustAddRule(t, b, "slow", `{"source":["gantry"]}`, func(context.Context, []byte) error {
		<-release
		done.Store(true)
		return nil
	})
	if err := b.Put(t.Context(), []byte(`{"source":"gantry","detail-type":"T","detail":{}}`)); err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	if err := b.Idle(cancelled); !errors.Is(err, context.Canceled) {
		t.Errorf("Idle with a delivery running returned %v, want context.Canceled", err)
	}
	close(release)
	mustIdle(t, b)
	if !done.Load() {
		t.Error("Idle returned before the delivery finished")
	}
}

func TestDeliveryOutlivesPutContextAndKeepsItsValues(t *testing.T) {
	type key struct{}
	b := newBus(t, Options{})
	release := make(chan struct{})
	seen := make(chan string, 1)
	mustAddRule(t, b, "r", `{"source":["gantry"]}`, func(ctx context.Context, _ []byte) error {
		<-release
		v, _ := ctx.Value(key{}).(string)
		seen <- fmt.Sprintf("%s %v", v, ctx.Err())
		return nil
	})
	ctx, cancel := context.WithCancel(context.WithValue(t.Context(), key{}, "request-7"))
	if err := b.Put(ctx, []byte(`{"source":"gantry","detail-type":"T","detail":{}}`)); err != nil {
		t.Fatal(err)
	}
	cancel()
	close(release)
	mustIdle(t, b)
	if got := <-seen; got != "request-7 <nil>" {
		t.Errorf("target saw %q, want the value and no cancellation", got)
	}
}

func TestPutKeepsItsOwnCopyOfTheEvent(t *testing.T) {
	b := newBus(t, Options{})
	release := make(chan struct{})
	rec := &recorder{}
	mustAddRule(t, b, "r", `{"source":["gantry"]}`, func(ctx context.Context, event []byte) error {
		<-release
		return rec.target(ctx, event)
	})
	event := []byte(`{"source":"gantry","detail-type":"T","detail":{"v":"a"}}`)
	if err := b.Put(t.Context(), event); err != nil {
		t.Fatal(err)
	}
	copy(event[bytes.Index(event, []byte(`"a"`)):], `"b"`)
	close(release)
	mustIdle(t, b)
	if got := rec.received(); len(got) != 1 || !bytes.Contains(got[0], []byte(`"v":"a"`)) {
		t.Errorf("delivered %s, want the event as put", got)
	}
}

func TestAddRuleRejects(t *testing.T) {
	b := newBus(t, Options{})
	target := (&recorder{}).target
	mustAddRule(t, b, "taken", `{"source":["gantry"]}`, target)
	for name, tc := range map[string]struct {
		rule, pattern string
		target        Target
		kind          platform.ErrorKind
		want          string
	}{
		// EventBridge's "wildcard" is quamina's "shellstyle"; quamina 1.3.0 rejects it.
		"wildcard operator": {"stacks", `{"detail":{"stack-id":[{"wildcard":"arn:*:stack/gantry-*"}]}}`, target, platform.Invalid, `rule "stacks": invalid pattern`},
		"leaf not in array": {"bad", `{"source":"gantry"}`, target, platform.Invalid, `rule "bad": invalid pattern`},
		"not an object":     {"arr", `["gantry"]`, target, platform.Invalid, `rule "arr": the pattern is not a JSON object`},
		"not JSON":          {"broken", `{`, target, platform.Invalid, `rule "broken": the pattern is not a JSON object`},
		"duplicate name":    {"taken", `{"source":["x"]}`, target, platform.Conflict, `rule "taken" already exists`},
		"no target":         {"lonely", `{"source":["x"]}`, nil, platform.Invalid, `rule "lonely": no target`},
		"no name":           {"", `{"source":["x"]}`, target, platform.Invalid, "name: a rule needs a name"},
	} {
		err := b.AddRule(tc.rule, []byte(tc.pattern), tc.target)
		if err == nil || !strings.Contains(err.Error(), tc.want) || platform.KindOf(err) != tc.kind {
			t.Errorf("%s: error %v (kind %q), want %s containing %q", name, err, platform.KindOf(err), tc.kind, tc.want)
		}
	}
	// A rejected rule leaves the bus working.
	rec := &recorder{}
	mustAddRule(t, b, "stacks", `{"detail":{"stack-id":[{"prefix":"arn:"}]}}`, rec.target)
	if err := b.Put(t.Context(), mustSample(t, "cloudformation-stack-status-change")); err != nil {
		t.Fatal(err)
	}
	mustIdle(t, b)
	if len(rec.received()) != 1 {
		t.Errorf("rule added after a rejected one received %d events, want 1", len(rec.received()))
	}
}

func TestPutRejectsIncompleteEvents(t *testing.T) {
	b := newBus(t, Options{})
	big := `{"source":"gantry","detail-type":"T","detail":{"pad":"` + strings.Repeat("x", MaxEventSize) + `"}}`
	for name, tc := range map[string]struct{ event, want string }{
		"not JSON":       {`{"source":`, "event is not a JSON object"},
		"array":          {`[1]`, "event is not a JSON object"},
		"no source":      {`{"detail-type":"T","detail":{}}`, "source: is required"},
		"empty source":   {`{"source":"","detail-type":"T","detail":{}}`, "source: is required"},
		"no detail-type": {`{"source":"gantry","detail":{}}`, "detail-type: is required"},
		"no detail":      {`{"source":"gantry","detail-type":"T"}`, "detail: must be a JSON object"},
		"string detail":  {`{"source":"gantry","detail-type":"T","detail":"{}"}`, "detail: must be a JSON object"},
		"too big":        {big, fmt.Sprintf("more than the %d allowed", MaxEventSize)},
		"bad UTF-8":      {"{\"source\":\"gantry\",\"detail-type\":\"T\",\"detail\":{\"x\":\"\xff\"}}", "not valid UTF-8"},
	} {
		err := b.Put(t.Context(), []byte(tc.event))
		if err == nil || !strings.Contains(err.Error(), tc.want) || platform.KindOf(err) != platform.Invalid {
			t.Errorf("%s: error %v, want an invalid error containing %q", name, err, tc.want)
		}
	}
}

func TestPutEventsBuildsTheEnvelope(t *testing.T) {
	b := newBus(t, Options{
		Account: "111122223333", Region: "eu-west-1",
		Now:   func() time.Time { return time.Date(2025, 6, 2, 11, 30, 5, 987654321, time.FixedZone("CEST", 2*3600)) },
		NewID: func() string { return "e-1" },
	})
	rec := &recorder{}
	mustAddRule(t, b, "gantry", `{"source":["gantry"],"detail-type":["Environment Status Change"]}`, rec.target)
	err := b.PutEvents(t.Context(),
		Entry{Source: "gantry", DetailType: "Environment Status Change",
			Resources: []string{"gantry:environment/Beta"}, Detail: json.RawMessage(`{ "name": "Beta" }`)},
		Entry{Source: "gantry", DetailType: "Environment Status Change", Detail: json.RawMessage(`{}`)},
	)
	if err != nil {
		t.Fatal(err)
	}
	mustIdle(t, b)
	var got []string
	for _, e := range rec.received() {
		got = append(got, string(e))
	}
	slices.Sort(got)
	want := []string{
		`{"version":"0","id":"e-1","detail-type":"Environment Status Change","source":"gantry","account":"111122223333","time":"2025-06-02T09:30:05Z","region":"eu-west-1","resources":["gantry:environment/Beta"],"detail":{"name":"Beta"}}`,
		`{"version":"0","id":"e-1","detail-type":"Environment Status Change","source":"gantry","account":"111122223333","time":"2025-06-02T09:30:05Z","region":"eu-west-1","resources":[],"detail":{}}`,
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("delivered\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestPutEventsValidatesEntries(t *testing.T) {
	b := newBus(t, Options{})
	ok := Entry{Source: "gantry", DetailType: "T", Detail: json.RawMessage(`{}`)}
	with := func(change func(*Entry)) []Entry {
		e := ok
		change(&e)
		return []Entry{ok, e}
	}
	for name, tc := range map[string]struct {
		entries []Entry
		want    string
	}{
		"none":            {nil, "entries: 0 entries; PutEvents takes 1 to 10"},
		"eleven":          {slices.Repeat([]Entry{ok}, 11), "entries: 11 entries"},
		"no source":       {with(func(e *Entry) { e.Source = "" }), "entries[1].source: is required"},
		"aws source":      {with(func(e *Entry) { e.Source = "aws.cloudformation" }), `entries[1].source: "aws.cloudformation": sources starting with "aws." are reserved`},
		"no detail-type":  {with(func(e *Entry) { e.DetailType = "" }), "entries[1].detail-type: is required"},
		"no detail":       {with(func(e *Entry) { e.Detail = nil }), "entries[1].detail: is required"},
		"array detail":    {with(func(e *Entry) { e.Detail = json.RawMessage(`[]`) }), "entries[1].detail: must be a JSON object"},
		"broken detail":   {with(func(e *Entry) { e.Detail = json.RawMessage(`{"a":`) }), "entries[1].detail: must be a JSON object"},
		"bad UTF-8":       {with(func(e *Entry) { e.Detail = json.RawMessage("{\"a\":\"\xff\"}") }), "entries[1].detail: is not valid UTF-8"},
		"empty resource":  {with(func(e *Entry) { e.Resources = []string{"arn:x", ""} }), "entries[1].resources[1]: is empty"},
		"too big in all":  {slices.Repeat([]Entry{{Source: "gantry", DetailType: "T", Detail: json.RawMessage(`{"p":"` + strings.Repeat("x", MaxEventSize/4) + `"}`)}}, 4), "entries: the entries are"},
		"too big at once": {with(func(e *Entry) { e.Detail = json.RawMessage(`{"p":"` + strings.Repeat("x", MaxEventSize) + `"}`) }), "more than the 262144 allowed"},
	} {
		err := b.PutEvents(t.Context(), tc.entries...)
		if err == nil || !strings.Contains(err.Error(), tc.want) || platform.KindOf(err) != platform.Invalid {
			t.Errorf("%s: error %v, want an invalid error containing %q", name, err, tc.want)
		}
	}
}

func TestPutEventsAcceptsAnEntryOfTheMaximumSize(t *testing.T) {
	b := newBus(t, Options{})
	rec := &recorder{}
	mustAddRule(t, b, "r", `{"source":["gantry"]}`, rec.target)
	padding := MaxEventSize - 14 - len("gantry") - len("T") - len(`{"p":""}`)
	e := Entry{Source: "gantry", DetailType: "T", Detail: json.RawMessage(`{"p":"` + strings.Repeat("x", padding) + `"}`)}
	if err := b.PutEvents(t.Context(), e); err != nil {
		t.Fatalf("PutEvents of exactly %d bytes: %v", MaxEventSize, err)
	}
	mustIdle(t, b)
	if len(rec.received()) != 1 {
		t.Errorf("received %d events, want 1", len(rec.received()))
	}
}

func TestPublisherPutsGantryEventsInBatches(t *testing.T) {
	var ids atomic.Int64
	b := newBus(t, Options{NewID: func() string { return fmt.Sprint(ids.Add(1)) }})
	rec := &recorder{}
	mustAddRule(t, b, "gantry", `{"source":["gantry"]}`, rec.target)
	var batch []platform.Event
	for i := range 12 {
		batch = append(batch, platform.Event{DetailType: "Deployment Status Change",
			Resources: []string{fmt.Sprintf("d-%d", i)}, Detail: json.RawMessage(`{}`)})
	}
	p := b.Publisher("gantry")
	if err := p.Publish(t.Context(), batch...); err != nil {
		t.Fatal(err)
	}
	if err := p.Publish(t.Context()); err != nil {
		t.Errorf("Publish of nothing: %v", err)
	}
	mustIdle(t, b)
	if got := len(rec.received()); got != 12 {
		t.Errorf("received %d events, want 12", got)
	}
	err := p.Publish(t.Context(), platform.Event{DetailType: "X", Detail: json.RawMessage(`"x"`)})
	if platform.KindOf(err) != platform.Invalid {
		t.Errorf("Publish of a string detail: %v, want an invalid error", err)
	}
}

func TestCloseAbandonsRetriesAndRefusesWork(t *testing.T) {
	failures := make(chan error, 1)
	b := New(Options{
		RetryDelay:      func(int) time.Duration { return time.Hour },
		RetryFor:        2 * time.Hour,
		OnDeliveryError: func(_ string, _ []byte, err error) { failures <- err },
	})
	attempted := make(chan struct{})
	mustAddRule(t, b, "r", `{"source":["gantry"]}`, func(context.Context, []byte) error {
		close(attempted)
		return errTransient
	})
	if err := b.Put(t.Context(), []byte(`{"source":"gantry","detail-type":"T","detail":{}}`)); err != nil {
		t.Fatal(err)
	}
	<-attempted
	b.Close() // returns although the retry would wait an hour
	err := <-failures
	if !errors.Is(err, ErrClosed) || !errors.Is(err, errTransient) {
		t.Errorf("abandoned delivery reported %v, want the target's error and ErrClosed", err)
	}
	if err := b.Put(t.Context(), []byte(`{"source":"gantry","detail-type":"T","detail":{}}`)); !errors.Is(err, ErrClosed) {
		t.Errorf("Put after Close: %v", err)
	}
	if err := b.PutEvents(t.Context(), Entry{Source: "gantry", DetailType: "T", Detail: json.RawMessage(`{}`)}); !errors.Is(err, ErrClosed) {
		t.Errorf("PutEvents after Close: %v", err)
	}
	if err := b.AddRule("s", []byte(`{"source":["x"]}`), (&recorder{}).target); !errors.Is(err, ErrClosed) {
		t.Errorf("AddRule after Close: %v", err)
	}
	b.Close()
}

func TestExponentialDelay(t *testing.T) {
	want := []time.Duration{200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond}
	for i, w := range want {
		if got := exponentialDelay(i + 1); got != w {
			t.Errorf("exponentialDelay(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := exponentialDelay(40); got != 10*time.Second {
		t.Errorf("exponentialDelay(40) = %v, want the 10s cap", got)
	}
}

func TestRandomUUID(t *testing.T) {
	a, c := randomUUID(), randomUUID()
	if a == c || len(a) != 36 || a[14] != '4' || !strings.Contains("89ab", string(a[19])) {
		t.Errorf("randomUUID gave %s and %s", a, c)
	}
}

func BenchmarkPut(b *testing.B) {
	bus := New(Options{})
	defer bus.Close()
	rules, err := events.Rules()
	if err != nil {
		b.Fatal(err)
	}
	var delivered atomic.Int64
	if err := bus.AddRules(rules, map[string]Target{"events": func(context.Context, []byte) error {
		delivered.Add(1)
		return nil
	}}); err != nil {
		b.Fatal(err)
	}
	event, err := events.Sample("codepipeline-gantry-action-execution-failed")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := bus.Put(context.Background(), event); err != nil {
			b.Fatal(err)
		}
	}
	if err := bus.Idle(context.Background()); err != nil {
		b.Fatal(err)
	}
}
