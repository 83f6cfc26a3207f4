package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TableClient is the part of *dynamodb.Client CreateTable uses.
type TableClient interface {
	CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	UpdateTimeToLive(ctx context.Context, in *dynamodb.UpdateTimeToLiveInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error)
}

// CreateTable creates the named table from Design — on-demand billing, every index
// projecting all attributes, a stream of new and old images when the design asks for
// one — waits until it is active, and enables TTL on the design's TTL attribute. It is
// for tests and local mode; in AWS the CDK stack creates the table from the same Design.
// An existing table is an error (*types.ResourceInUseException in its chain).
func CreateTable(ctx context.Context, client TableClient, name string) error {
	in := CreateTableInput(name)
	if _, err := client.CreateTable(ctx, in); err != nil {
		return fmt.Errorf("store: create table %s: %w", name, err)
	}
	waiter := dynamodb.NewTableExistsWaiter(client, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay = 100 * time.Millisecond
		o.MaxDelay = 2 * time.Second
	})
	if err := waiter.Wait(ctx, &dynamodb.DescribeTableInput{TableName: &name}, 5*time.Minute); err != nil {
		return fmt.Errorf("store: wait for table %s: %w", name, err)
	}
	if attr := Design().TTLAttribute; attr != "" {
		_, err := client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
			TableName:               &name,
			TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: &attr, Enabled: aws.Bool(true)},
		})
		if err != nil {
			return fmt.Errorf("store: enable TTL on table %s: %w", name, err)
		}
	}
	return nil
}

// CreateTableInput is the CreateTable request for the named table built from Design.
func CreateTableInput(name string) *dynamodb.CreateTableInput {
	d := Design()
	attrs := map[string]bool{}
	var defs []types.AttributeDefinition
	define := func(names ...string) {
		for _, n := range names {
			if !attrs[n] {
				attrs[n] = true
				defs = append(defs, types.AttributeDefinition{AttributeName: aws.String(n), AttributeType: types.ScalarAttributeTypeS})
			}
		}
	}
	define(d.PartitionKey, d.SortKey)
	in := &dynamodb.CreateTableInput{
		TableName:   &name,
		BillingMode: types.BillingModePayPerRequest,
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(d.PartitionKey), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(d.SortKey), KeyType: types.KeyTypeRange},
		},
	}
	for _, ix := range d.Indexes {
		define(ix.PartitionKey, ix.SortKey)
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName: aws.String(ix.Name),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(ix.PartitionKey), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String(ix.SortKey), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		})
	}
	in.AttributeDefinitions = defs
	if d.StreamEnabled {
		in.StreamSpecification = &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewAndOldImages}
	}
	return in
}
