package eventbus

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gantry-platform/gantry/internal/platform"
)

// MaxEntries is the most entries one PutEvents call takes, as in EventBridge.
const MaxEntries = 10

// Entry is one entry of PutEvents, as in EventBridge's PutEventsRequestEntry.
type Entry struct {
	Source     string
	DetailType string
	Resources  []string
	// Detail is the event's detail, a JSON object.
	Detail json.RawMessage
}

// envelope is an event as EventBridge delivers it, fields in EventBridge's order.
type envelope struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

// PutEvents wraps each entry in the envelope EventBridge adds (version "0", a new id, the
// time to the second in UTC, the bus's account and region, source, detail-type, resources
// and detail) and puts the events, as the PutEvents API does.
//
// Entries are validated first, as PutEvents does, and one bad entry rejects the call with
// an Invalid error naming it (e.g. "entries[2].detail"): there must be 1 to MaxEntries
// entries; each needs a source that does not start with "aws." (reserved for AWS; put such
// events whole with Put), a detail-type, a JSON object detail and non-empty resources; and
// the entries' size, counted as EventBridge counts it, must not exceed MaxEventSize.
// After Close it returns ErrClosed.
func (b *Bus) PutEvents(ctx context.Context, entries ...Entry) error {
	if err := validateEntries(entries); err != nil {
		return err
	}
	stamp := b.opts.Now().UTC().Truncate(time.Second).Format(time.RFC3339)
	events := make([][]byte, 0, len(entries))
	for _, e := range entries {
		resources := e.Resources
		if resources == nil {
			resources = []string{}
		}
		event, err := json.Marshal(envelope{
			Version:    "0",
			ID:         b.opts.NewID(),
			DetailType: e.DetailType,
			Source:     e.Source,
			Account:    b.opts.Account,
			Time:       stamp,
			Region:     b.opts.Region,
			Resources:  resources,
			Detail:     e.Detail,
		})
		if err != nil {
			return fmt.Errorf("eventbus: encode event: %w", err)
		}
		events = append(events, event)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, event := range events {
		// The size was checked as EventBridge checks it, on the entries; the envelope may
		// take an event past MaxEventSize, which EventBridge allows too.
		if err := b.put(ctx, event); err != nil {
			return err
		}
	}
	return nil
}

func validateEntries(entries []Entry) error {
	if len(entries) == 0 || len(entries) > MaxEntries {
		return platform.FieldErrorf("entries", "%d entries; PutEvents takes 1 to %d", len(entries), MaxEntries)
	}
	size := 0
	for i, e := range entries {
		field := func(name string) string { return fmt.Sprintf("entries[%d].%s", i, name) }
		switch {
		case e.Source == "":
			return platform.FieldErrorf(field("source"), "is required")
		case strings.HasPrefix(e.Source, "aws."):
			return platform.FieldErrorf(field("source"), "%q: sources starting with \"aws.\" are reserved for AWS", e.Source)
		case e.DetailType == "":
			return platform.FieldErrorf(field("detail-type"), "is required")
		case len(e.Detail) == 0:
			return platform.FieldErrorf(field("detail"), "is required")
		case !json.Valid(e.Detail) || !isJSONObject(e.Detail):
			return platform.FieldErrorf(field("detail"), "must be a JSON object")
		case !utf8.Valid(e.Detail):
			return platform.FieldErrorf(field("detail"), "is not valid UTF-8")
		}
		for j, r := range e.Resources {
			if r == "" {
				return platform.FieldErrorf(fmt.Sprintf("entries[%d].resources[%d]", i, j), "is empty")
			}
			size += len(r)
		}
		// EventBridge counts 14 bytes for the time, then the UTF-8 bytes of the source,
		// detail type, detail and each resource.
		size += 14 + len(e.Source) + len(e.DetailType) + len(e.Detail)
	}
	if size > MaxEventSize {
		return platform.FieldErrorf("entries", "the entries are %d bytes, more than the %d allowed", size, MaxEventSize)
	}
	return nil
}

// Publisher returns a platform.EventPublisher that puts events on b with source source
// (Gantry's own events use "gantry"), MaxEntries at a time. Its Publish returns the errors
// of PutEvents; publishing no events does nothing.
func (b *Bus) Publisher(source string) platform.EventPublisher {
	return publisher{bus: b, source: source}
}

type publisher struct {
	bus    *Bus
	source string
}

var _ platform.EventPublisher = publisher{}

// Publish implements platform.EventPublisher.
func (p publisher) Publish(ctx context.Context, events ...platform.Event) error {
	for start := 0; start < len(events); start += MaxEntries {
		batch := events[start:min(start+MaxEntries, len(events))]
		entries := make([]Entry, len(batch))
		for i, e := range batch {
			entries[i] = Entry{Source: p.source, DetailType: e.DetailType, Resources: e.Resources, Detail: e.Detail}
		}
		if err := p.bus.PutEvents(ctx, entries...); err != nil {
			return err
		}
	}
	return nil
}
