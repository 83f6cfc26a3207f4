package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gantry-platform/gantry/internal/platform"
)

// A target's latest preview is one item, PREVIEW#<target key> / LATEST, holding the
// preview's id until it expires (the table's TTL attribute).

const (
	previewPKPrefix = "PREVIEW#"
	skLatestPreview = "LATEST"
)

// SwapLatestPreview records id as target's latest preview, the record expiring at
// expiresAt, and returns the id it replaces ("" when there was none; an expired one that
// DynamoDB's TTL has not removed yet is returned, for its leftovers to be cleared). One
// UpdateItem, so that of two previews of a target made at once, each learns of a
// different predecessor and none is left behind.
func (s *Store) SwapLatestPreview(ctx context.Context, target platform.Target, id string, expiresAt time.Time) (string, error) {
	res, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                &s.table,
		Key:                      key(previewPKPrefix+targetKey(target), skLatestPreview),
		UpdateExpression:         aws.String("SET previewId = :id, #exp = :exp"),
		ExpressionAttributeNames: map[string]string{"#exp": attrExpiresAt},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":id":  &types.AttributeValueMemberS{Value: id},
			":exp": &types.AttributeValueMemberN{Value: fmt.Sprint(expiresAt.Unix())},
		},
		ReturnValues: types.ReturnValueAllOld,
	})
	if err != nil {
		return "", fmt.Errorf("store: record the latest preview of %s: %w", target, err)
	}
	if previous, ok := res.Attributes["previewId"].(*types.AttributeValueMemberS); ok {
		return previous.Value, nil
	}
	return "", nil
}
