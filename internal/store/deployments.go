package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gantry-platform/gantry/internal/platform"
)

func deploymentWhat(id string) string { return fmt.Sprintf("deployment %q", id) }

// StartDeployment stores d (Status IN_PROGRESS or DELETE_IN_PROGRESS) with Revision 1 and
// marks its target atomically: DeploymentStatus becomes d.Status, LastDeploymentID d.ID,
// LastAttemptedAt d.CreatedAt, and the target's Revision goes one up. Conflict when the
// target's stored Revision is not targetRevision, when it has a deployment in progress,
// when d.ID or the client token is taken; NotFound when the target is gone; Invalid for
// another status or an incomplete target.
func (s *Store) StartDeployment(ctx context.Context, d platform.Deployment, targetRevision int64, token *platform.ClientToken) error {
	if d.Status != platform.InProgress && d.Status != platform.DeleteInProgress {
		return platform.FieldErrorf("status", "a deployment starts IN_PROGRESS or DELETE_IN_PROGRESS, not %s", d.Status)
	}
	mark, err := s.markTarget(d, targetRevision)
	if err != nil {
		return err
	}
	stored, err := s.readTargets(ctx, []platform.Target{d.Target})
	if err != nil {
		return err
	}
	d.Revision = 1
	put, err := s.putNew(newDeploymentItem(d), deploymentWhat(d.ID))
	if err != nil {
		return err
	}
	c := counts{}
	countStart(c, d, stored[d.Target])
	c.deploying(d, +1)
	ops := s.withCounts(append([]writeOp{mark, put}, s.versionNotDeleted(d)...), c)
	ops, err = s.withToken(ops, token)
	if err != nil {
		return err
	}
	return s.write(ctx, "start deployment", ops...)
}

// markTarget is the write that marks d's target as StartDeployment does, conditioned on
// the target's revision and on no deployment being in progress on it.
func (s *Store) markTarget(d platform.Deployment, targetRevision int64) (writeOp, error) {
	pk, sk, err := targetItemKey(d.Target)
	if err != nil {
		return writeOp{}, err
	}
	target := d.Target
	return writeOp{
		update: &types.Update{
			TableName:        &s.table,
			Key:              key(pk, sk),
			UpdateExpression: aws.String("SET #status = :status, #last = :id, #at = :at, #revision = #revision + :one"),
			ConditionExpression: aws.String("#revision = :expected AND " +
				"(attribute_not_exists(#status) OR NOT #status IN (:inProgress, :deleteInProgress, :cancelling))"),
			ExpressionAttributeNames: map[string]string{
				"#status": attrDeploymentStatus, "#last": attrLastDeploymentID,
				"#at": attrLastAttemptedAt, "#revision": attrRevision,
			},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":status":           &types.AttributeValueMemberS{Value: string(d.Status)},
				":id":               &types.AttributeValueMemberS{Value: d.ID},
				":at":               &types.AttributeValueMemberS{Value: formatTime(d.CreatedAt)},
				":one":              number(1),
				":expected":         number(targetRevision),
				":inProgress":       &types.AttributeValueMemberS{Value: string(platform.InProgress)},
				":deleteInProgress": &types.AttributeValueMemberS{Value: string(platform.DeleteInProgress)},
				":cancelling":       &types.AttributeValueMemberS{Value: string(platform.Cancelling)},
			},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		},
		what:   targetWhat(target),
		failed: targetConditionFailed(target),
	}, nil
}

// GetDeployment returns a deployment; NotFound if there is none.
func (s *Store) GetDeployment(ctx context.Context, id string) (platform.Deployment, error) {
	var it deploymentItem
	if err := s.get(ctx, deploymentPK(id), skDeployment, &it, deploymentWhat(id)); err != nil {
		return platform.Deployment{}, err
	}
	return it.domain()
}

// UpdateDeployment saves an unfinished deployment's progress, checked on its Revision;
// when d.Status changes and the target's LastDeploymentID is d.ID, the target's
// DeploymentStatus follows (and its Revision goes one up) in the same transaction.
// NotFound when d is gone; Conflict when its stored Revision differs or it is finished;
// Invalid when d.Status is final (use FinishDeployment) or d.Target is not the stored one.
func (s *Store) UpdateDeployment(ctx context.Context, d platform.Deployment) error {
	if d.Finished() {
		return platform.FieldErrorf("status", "%s is final: finish the deployment instead", d.Status)
	}
	stored, target, err := s.readDeployment(ctx, d)
	if err != nil {
		return err
	}
	ops, err := s.reviseDeployment(d)
	if err != nil {
		return err
	}
	c := counts{}
	if stored.Status != d.Status && target != nil && target.LastDeploymentID == d.ID {
		revised, err := s.reviseTarget(d.Target, target, func(t *platform.Deployable) { t.DeploymentStatus = d.Status }, c)
		if err != nil {
			return err
		}
		ops = append(ops, revised)
	}
	return s.write(ctx, "update deployment", s.withCounts(ops, c)...)
}

// FinishDeployment stores d's final status (CompletedAt defaults to now) and, if the
// target's LastDeploymentID is still d.ID, applies it to the target atomically: on
// SUCCEEDED the target takes d's TemplateName, TemplateVersion, Spec, StackName, Outputs,
// status and status message, LastSucceededDeploymentID d.ID and LastSucceededAt
// d.CompletedAt; on DELETE_COMPLETE the target record is removed; on any other final
// status only DeploymentStatus and DeploymentStatusMessage change. NotFound when d is
// gone; Conflict when d (checked on Revision) is already finished or was changed, or the
// target changed meanwhile; Invalid when d.Status is not final or d.Target is not the
// stored one.
func (s *Store) FinishDeployment(ctx context.Context, d platform.Deployment) error {
	if !d.Finished() {
		return platform.FieldErrorf("status", "%s is not a final status", d.Status)
	}
	if d.CompletedAt.IsZero() {
		d.CompletedAt = s.Now()
	}
	stored, target, err := s.readDeployment(ctx, d)
	if err != nil {
		return err
	}
	ops, err := s.reviseDeployment(d)
	if err != nil {
		return err
	}
	c := counts{}
	c.deploying(stored, -1)
	if target != nil && target.LastDeploymentID == d.ID {
		switch d.Status {
		case platform.DeleteComplete:
			ops = append(ops, s.removeTarget(d.Target, target, c)...)
		case platform.Succeeded:
			revised, err := s.reviseTarget(d.Target, target, func(t *platform.Deployable) {
				t.TemplateName = d.TemplateName
				t.TemplateVersion = d.TemplateVersion
				t.Spec = d.Spec
				t.StackName = d.StackName
				t.Outputs = d.Outputs
				t.DeploymentStatus = d.Status
				t.DeploymentStatusMessage = d.StatusMessage
				t.LastSucceededDeploymentID = d.ID
				t.LastSucceededAt = d.CompletedAt
			}, c)
			if err != nil {
				return err
			}
			ops = append(ops, revised)
		default:
			revised, err := s.reviseTarget(d.Target, target, func(t *platform.Deployable) {
				t.DeploymentStatus = d.Status
				t.DeploymentStatusMessage = d.StatusMessage
			}, c)
			if err != nil {
				return err
			}
			ops = append(ops, revised)
		}
	}
	return s.write(ctx, "finish deployment", s.withCounts(ops, c)...)
}

// RecordDeployment stores d, a deployment that deployed nothing and is final already
// (SUCCEEDED or DELETE_COMPLETE: a customer-managed environment's new outputs, or its
// removal), and applies it to its target atomically as StartDeployment then
// FinishDeployment would: the target takes d as its last (and, SUCCEEDED, last
// succeeded) deployment, or its record is removed. Checked as StartDeployment checks:
// Conflict when the target's stored Revision is not targetRevision (or it has a
// deployment in progress) or the deployment id is taken; NotFound when the target is gone;
// Invalid for another status. The client token, when not nil, is recorded with it.
func (s *Store) RecordDeployment(ctx context.Context, d platform.Deployment, targetRevision int64, token *platform.ClientToken) error {
	if d.Status != platform.Succeeded && d.Status != platform.DeleteComplete {
		return platform.FieldErrorf("status", "a recorded deployment is SUCCEEDED or DELETE_COMPLETE, not %s", d.Status)
	}
	if d.CompletedAt.IsZero() {
		d.CompletedAt = s.Now()
	}
	what := targetWhat(d.Target)
	stored, err := s.readTargets(ctx, []platform.Target{d.Target})
	if err != nil {
		return err
	}
	target := stored[d.Target]
	switch {
	case target == nil:
		return notFound(what)
	case target.Revision != targetRevision:
		return changed(what)
	case target.deployable().DeploymentStatus.Active():
		return platform.Errorf(platform.Conflict, "%s has a deployment in progress (%s)", what, target.LastDeploymentID)
	}
	d.Revision = 1
	put, err := s.putNew(newDeploymentItem(d), deploymentWhat(d.ID))
	if err != nil {
		return err
	}
	c := counts{}
	ops := []writeOp{put}
	if d.Status == platform.DeleteComplete {
		ops = append(ops, s.removeTarget(d.Target, target, c)...)
	} else {
		revised, err := s.reviseTarget(d.Target, target, func(t *platform.Deployable) {
			markStarted(t, d)
			markSucceeded(t, d)
		}, c)
		if err != nil {
			return err
		}
		ops = append(ops, append([]writeOp{revised}, s.versionNotDeleted(d)...)...)
	}
	ops, err = s.withToken(s.withCounts(ops, c), token)
	if err != nil {
		return err
	}
	return s.write(ctx, "record deployment", ops...)
}

// storedTarget is a deployment target as read: its raw item and its shared state.
type storedTarget struct {
	raw map[string]types.AttributeValue
	deployableItem
}

// readDeployment reads d's stored deployment and its target in one consistent read, and
// checks that d may be saved over it. The target is nil when it is gone.
func (s *Store) readDeployment(ctx context.Context, d platform.Deployment) (platform.Deployment, *storedTarget, error) {
	what := deploymentWhat(d.ID)
	pk, sk, err := targetItemKey(d.Target)
	if err != nil {
		return platform.Deployment{}, nil, err
	}
	res, err := s.client.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{
		{Get: &types.Get{TableName: &s.table, Key: key(deploymentPK(d.ID), skDeployment)}},
		{Get: &types.Get{TableName: &s.table, Key: key(pk, sk)}},
	}})
	if err != nil {
		return platform.Deployment{}, nil, fmt.Errorf("store: read %s and its target: %w", what, err)
	}
	if len(res.Responses) != 2 || res.Responses[0].Item == nil {
		return platform.Deployment{}, nil, notFound(what)
	}
	var it deploymentItem
	if err := attributevalue.UnmarshalMap(res.Responses[0].Item, &it); err != nil {
		return platform.Deployment{}, nil, fmt.Errorf("store: decode %s: %w", what, err)
	}
	stored, err := it.domain()
	if err != nil {
		return platform.Deployment{}, nil, err
	}
	switch {
	case stored.Target != d.Target:
		return platform.Deployment{}, nil, platform.FieldErrorf("target", "%s deploys %s, not %s", what, stored.Target, d.Target)
	case stored.Finished():
		return platform.Deployment{}, nil, platform.Errorf(platform.Conflict, "%s is already finished", what)
	case stored.Revision != d.Revision:
		return platform.Deployment{}, nil, changed(what)
	}
	raw := res.Responses[1].Item
	if raw == nil {
		return stored, nil, nil
	}
	target := &storedTarget{raw: raw}
	if err := attributevalue.UnmarshalMap(raw, &target.deployableItem); err != nil {
		return platform.Deployment{}, nil, fmt.Errorf("store: decode %s: %w", targetWhat(d.Target), err)
	}
	return stored, target, nil
}

// reviseDeployment saves d over its stored revision d.Revision.
func (s *Store) reviseDeployment(d platform.Deployment) ([]writeOp, error) {
	what := deploymentWhat(d.ID)
	revision := d.Revision
	d.Revision++
	op, err := s.putRevised(newDeploymentItem(d), revision, what)
	if err != nil {
		return nil, err
	}
	op.failed = func(old map[string]types.AttributeValue) error {
		if old == nil {
			return notFound(what)
		}
		var it deploymentItem
		if err := attributevalue.UnmarshalMap(old, &it); err == nil {
			if stored, err := it.domain(); err == nil && stored.Finished() {
				return platform.Errorf(platform.Conflict, "%s is already finished", what)
			}
		}
		return changed(what)
	}
	return []writeOp{op}, nil
}

// reviseTarget rewrites a stored target with change applied, checked on its revision, and
// moves it within the estate's counts c.
func (s *Store) reviseTarget(t platform.Target, stored *storedTarget, change func(*platform.Deployable), c counts) (writeOp, error) {
	what := targetWhat(t)
	before := stored.deployable()
	var after platform.Deployable
	var item any
	switch t.Kind {
	case platform.EnvironmentTarget:
		var it environmentItem
		if err := attributevalue.UnmarshalMap(stored.raw, &it); err != nil {
			return writeOp{}, fmt.Errorf("store: decode %s: %w", what, err)
		}
		e, err := it.domain()
		if err != nil {
			return writeOp{}, err
		}
		change(&e.Deployable)
		after = e.Deployable
		e.Revision++
		item = newEnvironmentItem(e)
	case platform.ServiceInstanceTarget:
		var it instanceItem
		if err := attributevalue.UnmarshalMap(stored.raw, &it); err != nil {
			return writeOp{}, fmt.Errorf("store: decode %s: %w", what, err)
		}
		in, err := it.domain()
		if err != nil {
			return writeOp{}, err
		}
		change(&in.Deployable)
		after = in.Deployable
		in.Revision++
		item = newInstanceItem(in)
	case platform.ComponentTarget:
		var it componentItem
		if err := attributevalue.UnmarshalMap(stored.raw, &it); err != nil {
			return writeOp{}, fmt.Errorf("store: decode %s: %w", what, err)
		}
		c, err := it.domain()
		if err != nil {
			return writeOp{}, err
		}
		change(&c.Deployable)
		after = c.Deployable
		c.Revision++
		item = newComponentItem(c)
	default:
		var it pipelineItem
		if err := attributevalue.UnmarshalMap(stored.raw, &it); err != nil {
			return writeOp{}, fmt.Errorf("store: decode %s: %w", what, err)
		}
		p, err := it.domain()
		if err != nil {
			return writeOp{}, err
		}
		change(&p.Deployable)
		after = p.Deployable
		p.Revision++
		item = newPipelineItem(p)
	}
	op, err := s.putRevised(item, stored.Revision, what)
	if err != nil {
		return writeOp{}, err
	}
	op.failed = func(map[string]types.AttributeValue) error { return changed(what) }
	c.change(t.Kind, before, after)
	return op, nil
}

// removeTarget deletes a target as stored, with its tags, and uncounts it in c; an
// instance or pipeline is also uncounted from its service, a component's link to its
// service instance goes with it.
func (s *Store) removeTarget(t platform.Target, stored *storedTarget, c counts) []writeOp {
	what := targetWhat(t)
	pk, sk, _ := targetItemKey(t) // t was checked by readDeployment
	del := s.deleteRevised(pk, sk, stored.Revision, what)
	del.failed = func(map[string]types.AttributeValue) error { return changed(what) }
	c.add(t.Kind, stored.deployable(), -1)
	switch t.Kind {
	case platform.EnvironmentTarget:
		return []writeOp{del, s.dropTags(platform.TargetResource(t))}
	case platform.ComponentTarget:
		return append([]writeOp{del, s.dropTags(platform.TargetResource(t))}, s.unlinkComponent(stored.raw)...)
	}
	service := fmt.Sprintf("service %q", t.Service)
	uncount := writeOp{
		update: &types.Update{
			TableName:                           &s.table,
			Key:                                 key(servicePK(t.Service), skService),
			UpdateExpression:                    aws.String("ADD #children :minusOne"),
			ConditionExpression:                 aws.String("attribute_exists(#pk)"),
			ExpressionAttributeNames:            map[string]string{"#children": attrChildren, "#pk": attrPK},
			ExpressionAttributeValues:           map[string]types.AttributeValue{":minusOne": number(-1)},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		},
		what:   service,
		failed: func(map[string]types.AttributeValue) error { return notFound(service) },
	}
	ops := []writeOp{del, uncount}
	if t.Kind == platform.ServiceInstanceTarget {
		ops = append(ops, s.dropTags(platform.TargetResource(t)))
	}
	if t.Kind == platform.ServicePipelineTarget {
		// The pipeline's last execution goes with it (nothing to check: it may not exist).
		ops = append(ops, writeOp{delete: &types.Delete{TableName: &s.table, Key: key(servicePK(t.Service), skPipelineExecution)},
			what: what + " execution", failed: func(map[string]types.AttributeValue) error { return changed(what) }})
	}
	return ops
}

// ListDeployments lists a target's deployments, newest first, including those of a
// target that is gone; Invalid for a bad page token.
func (s *Store) ListDeployments(ctx context.Context, target platform.Target, page platform.PageRequest) (platform.Page[platform.Deployment], error) {
	q := listQuery{index: "gsi2", partition: historyGSI2PK(target), backwards: true, what: "deployments"}
	return list(ctx, s, q, page, deploymentItem.domain)
}

// ListExpiredDeployments lists the unfinished deployments whose lease expired before the
// given time, the longest expired first: a Query of gsi1's partition of leased
// deployments (a deployment leaves it when it finishes). The index is eventually
// consistent: a lease renewed a moment ago may still show its old expiry, so a caller
// acts only after a conditional write on the deployment. Invalid for a bad page token.
func (s *Store) ListExpiredDeployments(ctx context.Context, before time.Time, page platform.PageRequest) (platform.Page[platform.Deployment], error) {
	q := listQuery{index: "gsi1", partition: gsi1LeasedPK, before: formatTime(before), what: "expired deployments"}
	return list(ctx, s, q, page, deploymentItem.domain)
}

// ListServiceDeployments lists the deployments of a service's instances and pipeline,
// newest first, including those of instances that are gone; one Query of gsi3. Invalid
// for a bad page token.
func (s *Store) ListServiceDeployments(ctx context.Context, service string, page platform.PageRequest) (platform.Page[platform.Deployment], error) {
	q := listQuery{index: "gsi3", partition: serviceHistoryGSI3PK(service), backwards: true, what: "service deployments"}
	return list(ctx, s, q, page, deploymentItem.domain)
}

// DeleteDeployment removes a finished deployment from the history. NotFound when there is
// none; Conflict while it is unfinished, or while it is its target's last deployment or
// last successful one (the target's state refers to it).
func (s *Store) DeleteDeployment(ctx context.Context, id string) error {
	d, err := s.GetDeployment(ctx, id)
	if err != nil {
		return err
	}
	what := deploymentWhat(id)
	if !d.Finished() {
		return platform.Errorf(platform.Conflict, "%s is %s; only a finished deployment can be deleted", what, d.Status)
	}
	del := s.deleteRevised(deploymentPK(id), skDeployment, d.Revision, what)
	pk, sk, err := targetItemKey(d.Target)
	if err != nil {
		return err
	}
	check := writeOp{
		check: &types.ConditionCheck{
			TableName:                 &s.table,
			Key:                       key(pk, sk),
			ConditionExpression:       aws.String("attribute_not_exists(#pk) OR (#last <> :id AND (attribute_not_exists(#succeeded) OR #succeeded <> :id))"),
			ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#last": attrLastDeploymentID, "#succeeded": attrLastSucceededDeploymentID},
			ExpressionAttributeValues: map[string]types.AttributeValue{":id": &types.AttributeValueMemberS{Value: id}},
		},
		what: targetWhat(d.Target),
		failed: func(map[string]types.AttributeValue) error {
			return platform.Errorf(platform.Conflict, "%s is the last or last successful deployment of %s; only older history can be deleted", what, d.Target)
		},
	}
	return s.write(ctx, "delete deployment", del, check)
}
