package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Client is the part of *dynamodb.Client the store uses.
type Client interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactGetItems(ctx context.Context, in *dynamodb.TransactGetItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactGetItemsOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Store implements platform.Store on one DynamoDB table laid out as Design describes.
type Store struct {
	client Client
	table  string
	// Now is the clock: it decides whether a client token has expired and stamps
	// CompletedAt on a finished deployment that has none. New sets time.Now.
	Now func() time.Time
}

var _ platform.Store = (*Store)(nil)

// New returns a Store on the named table, reached through client. It loads no AWS
// configuration; the caller builds the client once.
func New(client Client, table string) *Store {
	return &Store{client: client, table: table, Now: time.Now}
}

// writeOp is one item of an atomic write, and what a broken condition on it means.
type writeOp struct {
	put    *types.Put
	update *types.Update
	delete *types.Delete
	check  *types.ConditionCheck
	// what names the item in messages, e.g. `environment "Beta"`.
	what string
	// failed maps a broken condition to the domain error; old is the item as stored, nil
	// when there is none.
	failed func(old map[string]types.AttributeValue) error
}

// write applies ops atomically: one conditional request for a single op, otherwise a
// transaction. A broken condition becomes the failing op's error (a conditional failure
// takes precedence over a transaction conflict); any other failure is Internal.
//
// A transaction cancelled only because another one touched the same items at the same
// moment (TransactionConflict, no broken condition) changed nothing, so it is sent again,
// up to conflictRetries times with a short random pause: the estate's count items are
// shared by every write of a kind. Its conditions are evaluated again, so a write that
// really raced with a change of its items then fails on them.
func (s *Store) write(ctx context.Context, action string, ops ...writeOp) error {
	if len(ops) == 1 && ops[0].check == nil {
		return s.writeOne(ctx, action, ops[0])
	}
	items := make([]types.TransactWriteItem, len(ops))
	for i, op := range ops {
		items[i] = types.TransactWriteItem{Put: op.put, Update: op.update, Delete: op.delete, ConditionCheck: op.check}
	}
	var err error
	for attempt := 0; ; attempt++ {
		_, err = s.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if err == nil {
			return nil
		}
		if attempt == conflictRetries || !onlyConflicts(err) {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("store: %s: %w", action, ctx.Err())
		case <-time.After(time.Duration(1+rand.IntN(5<<min(attempt, 4))) * time.Millisecond):
		}
	}
	var canceled *types.TransactionCanceledException
	if errors.As(err, &canceled) {
		reasons := canceled.CancellationReasons
		for i, r := range reasons {
			if i < len(ops) && aws.ToString(r.Code) == "ConditionalCheckFailed" {
				return ops[i].failed(r.Item)
			}
		}
		for i, r := range reasons {
			if i < len(ops) && aws.ToString(r.Code) == "TransactionConflict" {
				return changed(ops[i].what)
			}
		}
	}
	var conflict *types.TransactionConflictException
	if errors.As(err, &conflict) {
		return changed(ops[0].what)
	}
	return fmt.Errorf("store: %s: %w", action, err)
}

// conflictRetries bounds how often write sends a transaction again after a TransactionConflict.
const conflictRetries = 8

// onlyConflicts reports whether err is a transaction cancelled for conflicts with
// concurrent transactions alone, no condition being broken.
func onlyConflicts(err error) bool {
	var conflict *types.TransactionConflictException
	if errors.As(err, &conflict) {
		return true
	}
	var canceled *types.TransactionCanceledException
	if !errors.As(err, &canceled) {
		return false
	}
	seen := false
	for _, r := range canceled.CancellationReasons {
		switch aws.ToString(r.Code) {
		case "", "None":
		case "TransactionConflict":
			seen = true
		default:
			return false
		}
	}
	return seen
}

func (s *Store) writeOne(ctx context.Context, action string, op writeOp) error {
	var err error
	switch {
	case op.put != nil:
		_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:                           op.put.TableName,
			Item:                                op.put.Item,
			ConditionExpression:                 op.put.ConditionExpression,
			ExpressionAttributeNames:            op.put.ExpressionAttributeNames,
			ExpressionAttributeValues:           op.put.ExpressionAttributeValues,
			ReturnValuesOnConditionCheckFailure: op.put.ReturnValuesOnConditionCheckFailure,
		})
	case op.update != nil:
		_, err = s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                           op.update.TableName,
			Key:                                 op.update.Key,
			UpdateExpression:                    op.update.UpdateExpression,
			ConditionExpression:                 op.update.ConditionExpression,
			ExpressionAttributeNames:            op.update.ExpressionAttributeNames,
			ExpressionAttributeValues:           op.update.ExpressionAttributeValues,
			ReturnValuesOnConditionCheckFailure: op.update.ReturnValuesOnConditionCheckFailure,
		})
	case op.delete != nil:
		_, err = s.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
			TableName:                           op.delete.TableName,
			Key:                                 op.delete.Key,
			ConditionExpression:                 op.delete.ConditionExpression,
			ExpressionAttributeNames:            op.delete.ExpressionAttributeNames,
			ExpressionAttributeValues:           op.delete.ExpressionAttributeValues,
			ReturnValuesOnConditionCheckFailure: op.delete.ReturnValuesOnConditionCheckFailure,
		})
	}
	if err == nil {
		return nil
	}
	var failed *types.ConditionalCheckFailedException
	if errors.As(err, &failed) {
		return op.failed(failed.Item)
	}
	var conflict *types.TransactionConflictException
	if errors.As(err, &conflict) {
		return changed(op.what)
	}
	return fmt.Errorf("store: %s: %w", action, err)
}

func notFound(what string) error { return platform.Errorf(platform.NotFound, "%s not found", what) }

func exists(what string) error { return platform.Errorf(platform.Conflict, "%s already exists", what) }

func changed(what string) error {
	return platform.Errorf(platform.Conflict, "%s was changed by another request; retry", what)
}

// putNew writes a new item, Conflict when its key is taken.
func (s *Store) putNew(item any, what string) (writeOp, error) {
	av, err := attributevalue.MarshalMap(item)
	if err != nil {
		return writeOp{}, fmt.Errorf("store: encode %s: %w", what, err)
	}
	return writeOp{
		put: &types.Put{
			TableName:                           &s.table,
			Item:                                av,
			ConditionExpression:                 aws.String("attribute_not_exists(#pk)"),
			ExpressionAttributeNames:            map[string]string{"#pk": attrPK},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		},
		what:   what,
		failed: func(map[string]types.AttributeValue) error { return exists(what) },
	}, nil
}

// putRevised replaces an item whose stored revision is revision; item carries revision+1.
// NotFound when the item is gone, Conflict when its revision moved on.
func (s *Store) putRevised(item any, revision int64, what string) (writeOp, error) {
	av, err := attributevalue.MarshalMap(item)
	if err != nil {
		return writeOp{}, fmt.Errorf("store: encode %s: %w", what, err)
	}
	return writeOp{
		put: &types.Put{
			TableName:                           &s.table,
			Item:                                av,
			ConditionExpression:                 aws.String("#revision = :expected"),
			ExpressionAttributeNames:            map[string]string{"#revision": attrRevision},
			ExpressionAttributeValues:           map[string]types.AttributeValue{":expected": number(revision)},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		},
		what:   what,
		failed: revisionFailed(what),
	}, nil
}

// updateRevised sets every attribute of item except skip and the key attributes, on the
// item whose stored revision is revision; item carries revision+1.
func (s *Store) updateRevised(item any, revision int64, what string, skip ...string) (writeOp, error) {
	av, err := attributevalue.MarshalMap(item)
	if err != nil {
		return writeOp{}, fmt.Errorf("store: encode %s: %w", what, err)
	}
	keep := map[string]bool{attrPK: true, attrSK: true}
	for _, name := range skip {
		keep[name] = true
	}
	names := make([]string, 0, len(av))
	for name := range av {
		if !keep[name] {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	attrNames := map[string]string{"#revision": attrRevision}
	values := map[string]types.AttributeValue{":expected": number(revision)}
	expr := "SET "
	for i, name := range names {
		n, v := "#a"+strconv.Itoa(i), ":a"+strconv.Itoa(i)
		if i > 0 {
			expr += ", "
		}
		expr += n + " = " + v
		attrNames[n] = name
		values[v] = av[name]
	}
	return writeOp{
		update: &types.Update{
			TableName:                           &s.table,
			Key:                                 map[string]types.AttributeValue{attrPK: av[attrPK], attrSK: av[attrSK]},
			UpdateExpression:                    &expr,
			ConditionExpression:                 aws.String("#revision = :expected"),
			ExpressionAttributeNames:            attrNames,
			ExpressionAttributeValues:           values,
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		},
		what:   what,
		failed: revisionFailed(what),
	}, nil
}

// deleteRevised removes the item whose stored revision is revision.
func (s *Store) deleteRevised(pk, sk string, revision int64, what string) writeOp {
	return writeOp{
		delete: &types.Delete{
			TableName:                           &s.table,
			Key:                                 key(pk, sk),
			ConditionExpression:                 aws.String("#revision = :expected"),
			ExpressionAttributeNames:            map[string]string{"#revision": attrRevision},
			ExpressionAttributeValues:           map[string]types.AttributeValue{":expected": number(revision)},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		},
		what:   what,
		failed: revisionFailed(what),
	}
}

func revisionFailed(what string) func(map[string]types.AttributeValue) error {
	return func(old map[string]types.AttributeValue) error {
		if old == nil {
			return notFound(what)
		}
		return changed(what)
	}
}

// putToken records a client token; Conflict when an unexpired record of it exists.
func (s *Store) putToken(t platform.ClientToken) (writeOp, error) {
	what := fmt.Sprintf("client token %q", t.Token)
	av, err := attributevalue.MarshalMap(newTokenItem(t))
	if err != nil {
		return writeOp{}, fmt.Errorf("store: encode %s: %w", what, err)
	}
	return writeOp{
		put: &types.Put{
			TableName:                           &s.table,
			Item:                                av,
			ConditionExpression:                 aws.String("attribute_not_exists(#pk) OR (attribute_exists(#exp) AND #exp < :now)"),
			ExpressionAttributeNames:            map[string]string{"#pk": attrPK, "#exp": attrExpiresAt},
			ExpressionAttributeValues:           map[string]types.AttributeValue{":now": number(s.Now().Unix())},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		},
		what: what,
		failed: func(map[string]types.AttributeValue) error {
			return platform.Errorf(platform.Conflict, "%s was already used", what)
		},
	}, nil
}

// withToken appends the write of the client token, when not nil, to ops.
func (s *Store) withToken(ops []writeOp, token *platform.ClientToken) ([]writeOp, error) {
	if token == nil {
		return ops, nil
	}
	op, err := s.putToken(*token)
	if err != nil {
		return nil, err
	}
	return append(ops, op), nil
}

func number(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// get reads one item (strongly consistent) into out; NotFound naming what when absent.
func (s *Store) get(ctx context.Context, pk, sk string, out any, what string) error {
	res, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: key(pk, sk), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return fmt.Errorf("store: get %s: %w", what, err)
	}
	if res.Item == nil {
		return notFound(what)
	}
	if err := attributevalue.UnmarshalMap(res.Item, out); err != nil {
		return fmt.Errorf("store: decode %s: %w", what, err)
	}
	return nil
}
