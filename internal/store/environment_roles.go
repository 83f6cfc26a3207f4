package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gantry-platform/gantry/internal/platform"
)

// SetEnvironmentComponentRole records environment name's component role ("" removes it)
// in one conditional update: the environment's revision must still be revision and no
// deployment may be in progress on it; its revision moves on. Conflict otherwise, naming
// a deployment in progress when that is the cause; NotFound when there is no environment.
func (s *Store) SetEnvironmentComponentRole(ctx context.Context, name, roleARN string, revision int64) error {
	return s.setEnvironmentRole(ctx, name, "componentRoleArn", roleARN, revision)
}

// SetEnvironmentCodebuildRole records environment name's CodeBuild role ("" removes it)
// as SetEnvironmentComponentRole records its component role, with the same errors.
func (s *Store) SetEnvironmentCodebuildRole(ctx context.Context, name, roleARN string, revision int64) error {
	return s.setEnvironmentRole(ctx, name, "codebuildRoleArn", roleARN, revision)
}

// setEnvironmentRole sets the environment's role attribute attr to roleARN (removes it
// for "").
func (s *Store) setEnvironmentRole(ctx context.Context, name, attr, roleARN string, revision int64) error {
	target := platform.Target{Kind: platform.EnvironmentTarget, Environment: name}
	expression := "SET #role = :role, #revision = #revision + :one"
	values := map[string]types.AttributeValue{
		":role": &types.AttributeValueMemberS{Value: roleARN}, ":one": number(1), ":expected": number(revision),
		":inProgress":       &types.AttributeValueMemberS{Value: string(platform.InProgress)},
		":deleteInProgress": &types.AttributeValueMemberS{Value: string(platform.DeleteInProgress)},
		":cancelling":       &types.AttributeValueMemberS{Value: string(platform.Cancelling)},
	}
	if roleARN == "" {
		expression = "SET #revision = #revision + :one REMOVE #role"
		delete(values, ":role")
	}
	return s.write(ctx, "set environment "+attr, writeOp{
		update: &types.Update{
			TableName:        &s.table,
			Key:              key(environmentPK(name), skEnvironment),
			UpdateExpression: aws.String(expression),
			ConditionExpression: aws.String("#revision = :expected AND " +
				"(attribute_not_exists(#status) OR NOT #status IN (:inProgress, :deleteInProgress, :cancelling))"),
			ExpressionAttributeNames:            map[string]string{"#role": attr, "#revision": attrRevision, "#status": attrDeploymentStatus},
			ExpressionAttributeValues:           values,
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		},
		what:   targetWhat(target),
		failed: targetConditionFailed(target),
	})
}

// targetConditionFailed maps a broken condition on target's item (its revision, no
// deployment in progress) to the error: NotFound when it is gone, Conflict naming the
// deployment in progress, else Conflict saying it changed.
func targetConditionFailed(target platform.Target) func(old map[string]types.AttributeValue) error {
	return func(old map[string]types.AttributeValue) error {
		if old == nil {
			return notFound(targetWhat(target))
		}
		var it deployableItem
		if err := attributevalue.UnmarshalMap(old, &it); err == nil && platform.DeploymentStatus(it.DeploymentStatus).Active() {
			return platform.Errorf(platform.Conflict, "%s has a deployment in progress", target)
		}
		return changed(targetWhat(target))
	}
}
