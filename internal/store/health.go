package store

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gantry-platform/gantry/internal/platform"
)

// skHealth keys the item CheckHealth reads; it is never written.
const skHealth = "HEALTH"

// CheckHealth reports whether the table answers: one eventually consistent GetItem of an
// item that never exists, the cheapest read DynamoDB serves. It returns nil when the table
// answers, a NotFound error when the table does not exist, and the client's error (Internal)
// otherwise; ctx bounds the wait.
func (s *Store) CheckHealth(ctx context.Context) error {
	_, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:            aws.String(s.table),
		Key:                  key(skHealth, skHealth),
		ProjectionExpression: aws.String(attrPK),
	})
	var missing *types.ResourceNotFoundException
	if errors.As(err, &missing) {
		return platform.Errorf(platform.NotFound, "table not found")
	}
	return err
}
