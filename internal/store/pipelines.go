package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gantry-platform/gantry/internal/platform"
)

// skPipelineExecution keys a pipeline's last execution: an item of its own beside the
// pipeline (both under the service's partition, both starting with "PIPELINE"), so that
// CodePipeline's events never race the revisioned writes of deployments, and one Query
// reads the pipeline and its execution together.
const skPipelineExecution = skPipeline + "_EXECUTION"

type executionItem struct {
	itemKeys
	ID        string `dynamodbav:"executionId"`
	State     string `dynamodbav:"state"`
	Stage     string `dynamodbav:"stage,omitempty"`
	Summary   string `dynamodbav:"summary,omitempty"`
	UpdatedAt string `dynamodbav:"updatedAt"`
	// Rank orders changes of the same second (CodePipeline's event times have whole
	// seconds): a pipeline-level change (no Stage) outranks a stage's.
	Rank int64 `dynamodbav:"rank"`
}

func executionRank(e platform.PipelineExecution) int64 {
	if e.Stage == "" {
		return 2
	}
	return 1
}

// GetServicePipeline returns a service's pipeline with its last execution; NotFound when
// the service has none.
func (s *Store) GetServicePipeline(ctx context.Context, service string) (platform.ServicePipeline, error) {
	what := fmt.Sprintf("service pipeline %q", service)
	res, err := s.client.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    aws.String("#pk = :pk AND begins_with(#sk, :sk)"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#sk": attrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: servicePK(service)}, ":sk": &types.AttributeValueMemberS{Value: skPipeline}},
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		return platform.ServicePipeline{}, fmt.Errorf("store: get %s: %w", what, err)
	}
	var pipeline *platform.ServicePipeline
	var execution *platform.PipelineExecution
	for _, raw := range res.Items {
		sk, _ := raw[attrSK].(*types.AttributeValueMemberS)
		switch {
		case sk == nil:
		case sk.Value == skPipeline:
			var it pipelineItem
			if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
				return platform.ServicePipeline{}, fmt.Errorf("store: decode %s: %w", what, err)
			}
			p, err := it.domain()
			if err != nil {
				return platform.ServicePipeline{}, err
			}
			pipeline = &p
		case sk.Value == skPipelineExecution:
			var it executionItem
			if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
				return platform.ServicePipeline{}, fmt.Errorf("store: decode %s execution: %w", what, err)
			}
			var p times
			execution = &platform.PipelineExecution{ID: it.ID, State: it.State, Stage: it.Stage, Summary: it.Summary, UpdatedAt: p.parse(it.UpdatedAt)}
			if p.err != nil {
				return platform.ServicePipeline{}, p.err
			}
		}
	}
	if pipeline == nil {
		return platform.ServicePipeline{}, notFound(what)
	}
	pipeline.LastExecution = execution
	return *pipeline, nil
}

// RecordPipelineExecution keeps e as the pipeline's last execution unless a newer one is
// kept already (then it changes nothing). NotFound when the service has no pipeline.
func (s *Store) RecordPipelineExecution(ctx context.Context, service string, e platform.PipelineExecution) error {
	what := fmt.Sprintf("service pipeline %q", service)
	item, err := attributevalue.MarshalMap(executionItem{itemKeys: itemKeys{PK: servicePK(service), SK: skPipelineExecution},
		ID: e.ID, State: e.State, Stage: e.Stage, Summary: e.Summary, UpdatedAt: formatTime(e.UpdatedAt), Rank: executionRank(e)})
	if err != nil {
		return fmt.Errorf("store: encode %s execution: %w", what, err)
	}
	pipelineExists := writeOp{
		check: &types.ConditionCheck{TableName: &s.table, Key: key(servicePK(service), skPipeline),
			ConditionExpression: aws.String("attribute_exists(#pk)"), ExpressionAttributeNames: map[string]string{"#pk": attrPK}},
		what:   what,
		failed: func(map[string]types.AttributeValue) error { return notFound(what) },
	}
	newer := writeOp{
		put: &types.Put{TableName: &s.table, Item: item,
			ConditionExpression:      aws.String("attribute_not_exists(#pk) OR #at < :at OR (#at = :at AND #rank <= :rank)"),
			ExpressionAttributeNames: map[string]string{"#pk": attrPK, "#at": "updatedAt", "#rank": "rank"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":at": &types.AttributeValueMemberS{Value: formatTime(e.UpdatedAt)}, ":rank": number(executionRank(e))}},
		what:   what + " execution",
		failed: func(map[string]types.AttributeValue) error { return nil }, // a newer execution is kept
	}
	return s.write(ctx, "record pipeline execution", pipelineExists, newer)
}
