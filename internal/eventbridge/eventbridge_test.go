package eventbridge_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/gantry-platform/gantry/internal/awsclients/awstest"
	"github.com/gantry-platform/gantry/internal/eventbridge"
	"github.com/gantry-platform/gantry/internal/platform"
)

func newPublisher(t *testing.T) (*eventbridge.Publisher, *awstest.Server) {
	t.Helper()
	server := awstest.NewServer(t)
	client := eb.NewFromConfig(awstest.Config(), func(o *eb.Options) { o.BaseEndpoint = aws.String(server.URL) })
	return eventbridge.New(client, "gantry", "gantry.platform"), server
}

func statusEvents(n int) []platform.Event {
	events := make([]platform.Event, n)
	for i := range events {
		events[i] = platform.Event{DetailType: "Environment Status Change", Resources: []string{fmt.Sprintf("env-%d", i+1)},
			Detail: json.RawMessage(fmt.Sprintf(`{"name":"env-%d","status":"DEPLOYED"}`, i+1))}
	}
	return events
}

// entries returns the entries of a PutEvents request.
func entries(t *testing.T, c awstest.Call) []map[string]any {
	var in struct{ Entries []map[string]any }
	if err := json.Unmarshal(c.Body, &in); err != nil {
		t.Fatalf("PutEvents body: %v", err)
	}
	return in.Entries
}

func TestContract_PutEventsInBatchesOfTen(t *testing.T) {
	publisher, server := newPublisher(t)
	server.Handle("PutEvents", func(c awstest.Call) awstest.Response {
		results := []map[string]string{}
		for _, e := range entries(t, c) {
			if e["EventBusName"] != "gantry" || e["Source"] != "gantry.platform" || e["DetailType"] != "Environment Status Change" {
				t.Errorf("entry = %v", e)
			}
			if !json.Valid([]byte(e["Detail"].(string))) {
				t.Errorf("detail is not JSON: %v", e["Detail"])
			}
			results = append(results, map[string]string{"EventId": "id"})
		}
		return awstest.JSONResult(map[string]any{"FailedEntryCount": 0, "Entries": results})
	})
	if err := publisher.Publish(context.Background(), statusEvents(23)...); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	var sizes []int
	for _, c := range server.CallsOf("PutEvents") {
		sizes = append(sizes, len(entries(t, c)))
	}
	if fmt.Sprint(sizes) != "[10 10 3]" {
		t.Errorf("batch sizes = %v, want [10 10 3]", sizes)
	}
	if got := entries(t, server.CallsOf("PutEvents")[2])[2]["Resources"]; fmt.Sprint(got) != "[env-23]" {
		t.Errorf("last entry's resources = %v", got)
	}
}

func TestContract_PutEventsPartialFailureNamesTheEntry(t *testing.T) {
	publisher, server := newPublisher(t)
	server.Handle("PutEvents", func(c awstest.Call) awstest.Response {
		n := len(entries(t, c))
		results := make([]map[string]string, n)
		for i := range results {
			results[i] = map[string]string{"EventId": "id"}
		}
		results[1] = map[string]string{"ErrorCode": "InternalFailure", "ErrorMessage": "try again"}
		return awstest.JSONResult(map[string]any{"FailedEntryCount": 1, "Entries": results})
	})
	err := publisher.Publish(context.Background(), statusEvents(12)...)
	if platform.KindOf(err) != platform.Internal {
		t.Fatalf("err = %v, want an Internal error", err)
	}
	for _, want := range []string{"2 of 12 events", "event 2 (Environment Status Change): InternalFailure: try again", "event 12 "} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if n := len(server.CallsOf("PutEvents")); n != 2 {
		t.Errorf("PutEvents calls = %d, want 2 (every batch attempted)", n)
	}
}

func TestPublishNothingSendsNothing(t *testing.T) {
	publisher, server := newPublisher(t)
	if err := publisher.Publish(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ops := server.Operations(); len(ops) != 0 {
		t.Errorf("operations = %v, want none", ops)
	}
}
