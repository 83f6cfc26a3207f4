// Package storetest gives tests a real table: a uniquely named table built from
// store.Design on the test binary's shared DynamoDB Local, dropped when the test ends.
// A package that uses it calls dynamolocal.Main from its TestMain.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/gantry-platform/gantry/internal/dynamolocal"
	"github.com/gantry-platform/gantry/internal/store"
)

// NewTable creates a uniquely named table from store.Design and deletes it at cleanup; it
// returns a client of the shared DynamoDB Local and the table's name. Failing to create
// the table fails the test.
func NewTable(t testing.TB) (*dynamodb.Client, string) {
	t.Helper()
	client := dynamolocal.Shared(t).Client(context.Background())
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	name := "gantry-test-" + hex.EncodeToString(b[:])
	if err := store.CreateTable(context.Background(), client, name); err != nil {
		t.Fatalf("create table: %v", err)
	}
	t.Cleanup(func() {
		if _, err := client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: &name}); err != nil {
			t.Errorf("delete table %s: %v", name, err)
		}
	})
	return client, name
}

// NewStore returns a store on a new table (see NewTable).
func NewStore(t testing.TB) *store.Store {
	t.Helper()
	client, name := NewTable(t)
	return store.New(client, name)
}
