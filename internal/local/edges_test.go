package local

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/gantry-platform/gantry/internal/dynamolocal"
	"github.com/gantry-platform/gantry/internal/platform"
)

func TestHealthzAndDeadLettersInLocalMode(t *testing.T) {
	p, ts := newPlatform(t)
	anonymous := &client{t: t, base: ts.URL}
	if status, body := anonymous.json("GET", "/healthz", nil, nil); status != 200 || !strings.Contains(body, `"dynamodb":"ok"`) {
		t.Fatalf("healthz: %d %s", status, body)
	}
	admin := newClient(t, p, ts, platform.AdminRole)
	var list struct{ Items []any }
	admin.must(200, "GET", "/v1/local/dlq", nil, &list)
	if list.Items == nil || len(list.Items) != 0 {
		t.Fatalf("a new platform's dead letters: %+v", list)
	}
	if path := p.DeadLetters.Path(); !strings.HasSuffix(path, filepath.Join("eventbus", "dead-letters.jsonl")) {
		t.Fatalf("the dead-letter log is at %s", path)
	} else if _, err := os.Stat(path); err != nil {
		t.Fatalf("the dead-letter log: %v", err)
	}

	// The table goes away: /healthz says so (once its 1 s cache of the last answer ends).
	client := dynamolocal.Shared(t).Client(context.Background())
	if _, err := client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: &p.table}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		status, body := anonymous.json("GET", "/healthz", nil, nil)
		if status == 503 {
			if body != `{"status":"unavailable","dependencies":{"dynamodb":"table not found"}}`+"\n" {
				t.Fatalf("healthz with the table gone: %s", body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("healthz with the table gone: still %d %s", status, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
