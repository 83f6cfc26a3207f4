package storetest

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Recorder is a store.Client that records the name of each DynamoDB operation it
// forwards to Client ("Query(gsi3)" for a Query of an index), so that a test can assert
// what a read or a handler costs. store.Client has no Scan at all.
type Recorder struct {
	*dynamodb.Client
	mu  sync.Mutex
	ops []string
}

func (r *Recorder) note(op string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ops = append(r.ops, op)
}

// Take returns the operations recorded since the last Take, and forgets them.
func (r *Recorder) Take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	ops := r.ops
	r.ops = nil
	return ops
}

// GetItem records "GetItem".
func (r *Recorder) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	r.note("GetItem")
	return r.Client.GetItem(ctx, in, o...)
}

// Query records "Query", or "Query(<index>)".
func (r *Recorder) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	op := "Query"
	if in.IndexName != nil {
		op += "(" + *in.IndexName + ")"
	}
	r.note(op)
	return r.Client.Query(ctx, in, o...)
}

// PutItem records "PutItem".
func (r *Recorder) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	r.note("PutItem")
	return r.Client.PutItem(ctx, in, o...)
}

// UpdateItem records "UpdateItem".
func (r *Recorder) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	r.note("UpdateItem")
	return r.Client.UpdateItem(ctx, in, o...)
}

// DeleteItem records "DeleteItem".
func (r *Recorder) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	r.note("DeleteItem")
	return r.Client.DeleteItem(ctx, in, o...)
}

// TransactGetItems records "TransactGetItems".
func (r *Recorder) TransactGetItems(ctx context.Context, in *dynamodb.TransactGetItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactGetItemsOutput, error) {
	r.note("TransactGetItems")
	return r.Client.TransactGetItems(ctx, in, o...)
}

// TransactWriteItems records "TransactWriteItems".
func (r *Recorder) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	r.note("TransactWriteItems")
	return r.Client.TransactWriteItems(ctx, in, o...)
}
