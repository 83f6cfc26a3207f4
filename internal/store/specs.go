package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gantry-platform/gantry/internal/platform"
)

// RecordSpec stores spec as the spec of target t, whose stored Revision must be revision
// and which must have no deployment in progress, with the client token (when not nil) in
// the same transaction; the Revision goes one up and nothing else changes — no deployment
// is written (Proton's deploymentType NONE). NotFound when t is gone; Conflict when its
// Revision moved on, a deployment is in progress or the token is taken; Invalid for an
// incomplete target.
func (s *Store) RecordSpec(ctx context.Context, t platform.Target, spec string, revision int64, token *platform.ClientToken) error {
	pk, sk, err := targetItemKey(t)
	if err != nil {
		return err
	}
	what := targetWhat(t)
	op := writeOp{
		update: &types.Update{
			TableName:        &s.table,
			Key:              key(pk, sk),
			UpdateExpression: aws.String("SET #spec = :spec, #revision = #revision + :one"),
			ConditionExpression: aws.String("#revision = :expected AND " +
				"(attribute_not_exists(#status) OR NOT #status IN (:inProgress, :deleteInProgress, :cancelling))"),
			ExpressionAttributeNames: map[string]string{"#spec": "spec", "#revision": attrRevision, "#status": attrDeploymentStatus},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":spec": &types.AttributeValueMemberS{Value: spec}, ":one": number(1), ":expected": number(revision),
				":inProgress":       &types.AttributeValueMemberS{Value: string(platform.InProgress)},
				":deleteInProgress": &types.AttributeValueMemberS{Value: string(platform.DeleteInProgress)},
				":cancelling":       &types.AttributeValueMemberS{Value: string(platform.Cancelling)},
			},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		},
		what: what,
		failed: func(old map[string]types.AttributeValue) error {
			if old == nil {
				return notFound(what)
			}
			var it deployableItem
			if err := attributevalue.UnmarshalMap(old, &it); err == nil && platform.DeploymentStatus(it.DeploymentStatus).Active() {
				return platform.Errorf(platform.Conflict, "%s has a deployment in progress", t)
			}
			return changed(what)
		},
	}
	ops, err := s.withToken([]writeOp{op}, token)
	if err != nil {
		return err
	}
	return s.write(ctx, "record spec", ops...)
}
