// Package eventbridge implements platform.EventPublisher on Amazon EventBridge: Gantry's
// own events (e.g. "Environment Status Change") go to one event bus with one source, so
// that users can subscribe to them with rules of their own.
package eventbridge

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Client is the part of *eventbridge.Client the adapter uses.
type Client interface {
	PutEvents(ctx context.Context, in *eb.PutEventsInput, optFns ...func(*eb.Options)) (*eb.PutEventsOutput, error)
}

// maxBatch is how many entries one PutEvents request takes.
const maxBatch = 10

// Publisher publishes on one bus with one source. Build it with New.
type Publisher struct {
	client Client
	bus    string
	source string
}

var _ platform.EventPublisher = (*Publisher)(nil)

// New returns a Publisher on the event bus named bus (name or ARN) with source, e.g.
// "gantry", reached through client.
func New(client Client, bus, source string) *Publisher {
	return &Publisher{client: client, bus: bus, source: source}
}

// Publish sends events in batches of ten. Every event is attempted; the error (Internal)
// names each event EventBridge did not accept, by its position and detail type, with
// EventBridge's error code; a failed request fails its whole batch.
func (p *Publisher) Publish(ctx context.Context, events ...platform.Event) error {
	if len(events) == 0 {
		return nil
	}
	if p.bus == "" || p.source == "" {
		return errors.New("eventbridge: no event bus or source configured")
	}
	var failures []string
	for start := 0; start < len(events); start += maxBatch {
		batch := events[start:min(start+maxBatch, len(events))]
		entries := make([]types.PutEventsRequestEntry, len(batch))
		for i, e := range batch {
			entries[i] = types.PutEventsRequestEntry{EventBusName: aws.String(p.bus), Source: aws.String(p.source),
				DetailType: aws.String(e.DetailType), Detail: aws.String(string(e.Detail)), Resources: e.Resources}
		}
		out, err := p.client.PutEvents(ctx, &eb.PutEventsInput{Entries: entries})
		if err != nil {
			failures = append(failures, fmt.Sprintf("events %d to %d: %v", start+1, start+len(batch), err))
			continue
		}
		if out.FailedEntryCount == 0 {
			continue
		}
		for i, result := range out.Entries {
			if result.ErrorCode == nil || i >= len(batch) {
				continue
			}
			failures = append(failures, fmt.Sprintf("event %d (%s): %s: %s", start+i+1, batch[i].DetailType,
				aws.ToString(result.ErrorCode), aws.ToString(result.ErrorMessage)))
		}
	}
	if len(failures) > 0 {
		return fmt.Errorf("eventbridge: %d of %d events not published to %s: %s", len(failures), len(events), p.bus,
			strings.Join(failures, "; "))
	}
	return nil
}
