package store_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/dynamolocal"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/store"
	"github.com/gantry-platform/gantry/internal/store/storetest"
)

func TestCheckHealth(t *testing.T) {
	ctx := context.Background()
	if err := storetest.NewStore(t).CheckHealth(ctx); err != nil {
		t.Fatalf("a live table: %v", err)
	}

	client := dynamolocal.Shared(t).Client(ctx)
	err := store.New(client, "gantry-test-no-such-table").CheckHealth(ctx)
	if platform.KindOf(err) != platform.NotFound || platform.MessageOf(err) != "table not found" {
		t.Fatalf("a missing table: %v, want NotFound \"table not found\"", err)
	}

	// A port nothing listens on: DynamoDB is down.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + l.Addr().String()
	l.Close()
	down, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	err = store.New(dynamolocal.NewClient(endpoint), "gantry").CheckHealth(down)
	if err == nil || platform.KindOf(err) != platform.Internal {
		t.Fatalf("DynamoDB down: %v, want an Internal error", err)
	}
}
