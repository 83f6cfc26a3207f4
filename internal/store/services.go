package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gantry-platform/gantry/internal/platform"
)

// MaxInstancesPerCreate is the most instances CreateService stores with a service.
const MaxInstancesPerCreate = 20

// CreateService stores a new service with its instances, its pipeline (when not nil),
// their first deployments and the client token (when not nil), atomically, each with
// Revision 1; every instance or pipeline a deployment targets is marked as
// StartDeployment marks a target. Conflict if the service name, a deployment id or the
// client token is taken. Invalid for more than MaxInstancesPerCreate instances, an
// instance or pipeline of another service, a repeated instance name, or a deployment
// that targets nothing this call creates.
func (s *Store) CreateService(ctx context.Context, svc platform.Service, instances []platform.ServiceInstance, pipeline *platform.ServicePipeline, deployments []platform.Deployment, token *platform.ClientToken) error {
	if len(instances) > MaxInstancesPerCreate {
		return platform.FieldErrorf("instances", "at most %d instances, got %d", MaxInstancesPerCreate, len(instances))
	}
	targets := map[platform.Target]*platform.Deployable{}
	instances = append([]platform.ServiceInstance(nil), instances...)
	for i := range instances {
		in := &instances[i]
		field := fmt.Sprintf("instances[%d]", i)
		if in.Service != svc.Name {
			return platform.FieldErrorf(field+".service", "%q is not service %q", in.Service, svc.Name)
		}
		t := instanceTarget(*in)
		if targets[t] != nil {
			return platform.FieldErrorf(field+".name", "instance %q appears twice", in.Name)
		}
		in.Revision = 1
		targets[t] = &in.Deployable
	}
	var pipe platform.ServicePipeline
	if pipeline != nil {
		if pipeline.Service != svc.Name {
			return platform.FieldErrorf("pipeline.service", "%q is not service %q", pipeline.Service, svc.Name)
		}
		pipe = *pipeline
		pipe.Revision = 1
		targets[platform.Target{Kind: platform.ServicePipelineTarget, Service: svc.Name}] = &pipe.Deployable
	}
	for i, d := range deployments {
		t := targets[d.Target]
		if t == nil {
			return platform.FieldErrorf(fmt.Sprintf("deployments[%d].target", i), "%s is not created with service %q", d.Target, svc.Name)
		}
		markStarted(t, d)
	}

	children := len(instances)
	if pipeline != nil {
		children++
	}
	svc.Revision = 1
	op, err := s.putNew(newServiceItem(svc, children), fmt.Sprintf("service %q", svc.Name))
	if err != nil {
		return err
	}
	ops := []writeOp{op}
	for _, in := range instances {
		op, err := s.putNew(newInstanceItem(in), targetWhat(instanceTarget(in)))
		if err != nil {
			return err
		}
		ops = append(ops, op)
	}
	if pipeline != nil {
		op, err := s.putNew(newPipelineItem(pipe), fmt.Sprintf("service pipeline %q", svc.Name))
		if err != nil {
			return err
		}
		ops = append(ops, op)
	}
	for _, d := range deployments {
		d.Revision = 1
		op, err := s.putNew(newDeploymentItem(d), fmt.Sprintf("deployment %q", d.ID))
		if err != nil {
			return err
		}
		ops = append(ops, op)
	}
	c := counts{}
	c.addService(+1)
	for _, in := range instances {
		c.add(platform.ServiceInstanceTarget, in.Deployable, +1)
	}
	if pipeline != nil {
		c.add(platform.ServicePipelineTarget, pipe.Deployable, +1)
	}
	for _, d := range deployments {
		c.deploying(d, +1)
	}
	ops, err = s.withToken(s.withCounts(append(ops, s.versionNotDeleted(deployments...)...), c), token)
	if err != nil {
		return err
	}
	return s.write(ctx, "create service", ops...)
}

// GetService returns a service; NotFound if there is none.
func (s *Store) GetService(ctx context.Context, name string) (platform.Service, error) {
	var it serviceItem
	if err := s.get(ctx, servicePK(name), skService, &it, fmt.Sprintf("service %q", name)); err != nil {
		return platform.Service{}, err
	}
	return it.domain()
}

// ListServices lists the services by name; Invalid for a bad page token.
func (s *Store) ListServices(ctx context.Context, page platform.PageRequest) (platform.Page[platform.Service], error) {
	q := listQuery{index: "gsi1", partition: gsi1ServicesPK, what: "services"}
	return list(ctx, s, q, page, serviceItem.domain)
}

// UpdateService saves svc, checked on its Revision: NotFound when the service is gone,
// Conflict when its stored Revision differs.
func (s *Store) UpdateService(ctx context.Context, svc platform.Service) error {
	revision := svc.Revision
	svc.Revision++
	op, err := s.updateRevised(newServiceItem(svc, 0), revision, fmt.Sprintf("service %q", svc.Name), attrChildren)
	if err != nil {
		return err
	}
	return s.write(ctx, "update service", op)
}

// DeleteService removes the service record with its tags, in one transaction: NotFound if
// there is none, Conflict while it has instances or a pipeline.
func (s *Store) DeleteService(ctx context.Context, name string) error {
	what := fmt.Sprintf("service %q", name)
	op := writeOp{
		delete: &types.Delete{
			TableName:                           &s.table,
			Key:                                 key(servicePK(name), skService),
			ConditionExpression:                 aws.String("attribute_exists(#pk) AND #children <= :zero"),
			ExpressionAttributeNames:            map[string]string{"#pk": attrPK, "#children": attrChildren},
			ExpressionAttributeValues:           map[string]types.AttributeValue{":zero": number(0)},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		},
		what: what,
		failed: func(old map[string]types.AttributeValue) error {
			if old == nil {
				return notFound(what)
			}
			return platform.Errorf(platform.Conflict, "%s still has instances or a pipeline", what)
		},
	}
	c := counts{}
	c.addService(-1)
	drop := s.dropTags(platform.Resource{Type: platform.ServiceResource, Name: name})
	return s.write(ctx, "delete service", s.withCounts([]writeOp{op, drop}, c)...)
}

// GetServiceInstance returns a service instance; NotFound if there is none.
func (s *Store) GetServiceInstance(ctx context.Context, service, name string) (platform.ServiceInstance, error) {
	var it instanceItem
	what := targetWhat(platform.Target{Kind: platform.ServiceInstanceTarget, Service: service, Instance: name})
	if err := s.get(ctx, servicePK(service), instanceSK(name), &it, what); err != nil {
		return platform.ServiceInstance{}, err
	}
	return it.domain()
}

// ListServiceInstances lists a service's instances by name; Invalid for a bad page token.
// An unknown service has no instances.
func (s *Store) ListServiceInstances(ctx context.Context, service string, page platform.PageRequest) (platform.Page[platform.ServiceInstance], error) {
	q := listQuery{partition: servicePK(service), prefix: prefixInstance, what: "service instances"}
	return list(ctx, s, q, page, instanceItem.domain)
}

// ListEnvironmentInstances lists the service instances in an environment, by service and
// instance name; Invalid for a bad page token.
func (s *Store) ListEnvironmentInstances(ctx context.Context, environment string, page platform.PageRequest) (platform.Page[platform.ServiceInstance], error) {
	q := listQuery{index: "gsi2", partition: environmentInstancesGSI2PK(environment), what: "environment instances"}
	return list(ctx, s, q, page, instanceItem.domain)
}

// maxTransactItems is DynamoDB's limit on the items of one transaction.
const maxTransactItems = 100

// ChangeService saves svc, checked on its Revision, and atomically with it stores the
// instances in added (each with Revision 1, marked by its first deployment, which
// deployments must hold) and starts every other deployment in deployments on an existing
// instance or pipeline of svc whose stored Revision is revisions[target], as
// StartDeployment does. The service counts the instances added. NotFound when the service
// is gone; Conflict when it or a target changed meanwhile, a target has a deployment in
// progress, or an instance name or deployment id is taken; Invalid when a deployment
// targets nothing of svc, an added instance belongs elsewhere, or the whole does not fit
// in one transaction.
func (s *Store) ChangeService(ctx context.Context, svc platform.Service, added []platform.ServiceInstance, deployments []platform.Deployment, revisions map[platform.Target]int64, token *platform.ClientToken) error {
	what := fmt.Sprintf("service %q", svc.Name)
	items := 1 + len(added) + 2*len(deployments)
	if token != nil {
		items++
	}
	if items > maxTransactItems {
		return platform.Errorf(platform.Invalid, "changing %s takes %d writes; at most %d fit in one request (add or remove fewer instances at once)", what, items, maxTransactItems)
	}
	var existing []platform.Target
	for _, d := range deployments {
		if !addedTarget(added, d.Target) {
			existing = append(existing, d.Target)
		}
	}
	stored, err := s.readTargets(ctx, existing)
	if err != nil {
		return err
	}
	c := counts{}
	firsts := map[platform.Target]*platform.Deployable{}
	added = append([]platform.ServiceInstance(nil), added...)
	for i := range added {
		in := &added[i]
		if in.Service != svc.Name {
			return platform.FieldErrorf(fmt.Sprintf("added[%d].service", i), "%q is not service %q", in.Service, svc.Name)
		}
		in.Revision = 1
		firsts[instanceTarget(*in)] = &in.Deployable
	}
	var ops []writeOp
	for i, d := range deployments {
		if d.Target.Service != svc.Name || d.Target.Kind == platform.EnvironmentTarget {
			return platform.FieldErrorf(fmt.Sprintf("deployments[%d].target", i), "%s is not part of %s", d.Target, what)
		}
		if d.Status != platform.InProgress && d.Status != platform.DeleteInProgress {
			return platform.FieldErrorf(fmt.Sprintf("deployments[%d].status", i), "a deployment starts IN_PROGRESS or DELETE_IN_PROGRESS, not %s", d.Status)
		}
		if first := firsts[d.Target]; first != nil {
			markStarted(first, d)
		} else {
			revision, ok := revisions[d.Target]
			if !ok {
				return platform.FieldErrorf(fmt.Sprintf("deployments[%d].target", i), "no stored revision given for %s", d.Target)
			}
			mark, err := s.markTarget(d, revision)
			if err != nil {
				return err
			}
			ops = append(ops, mark)
			countStart(c, d, stored[d.Target])
		}
		d.Revision = 1
		put, err := s.putNew(newDeploymentItem(d), deploymentWhat(d.ID))
		if err != nil {
			return err
		}
		ops = append(ops, put)
	}
	for _, in := range added {
		op, err := s.putNew(newInstanceItem(in), targetWhat(instanceTarget(in)))
		if err != nil {
			return err
		}
		ops = append(ops, op)
		c.add(platform.ServiceInstanceTarget, in.Deployable, +1)
	}
	revision := svc.Revision
	svc.Revision++
	op, err := s.updateRevised(newServiceItem(svc, 0), revision, what, attrChildren)
	if err != nil {
		return err
	}
	if len(added) > 0 {
		*op.update.UpdateExpression += " ADD #children :added"
		op.update.ExpressionAttributeNames["#children"] = attrChildren
		op.update.ExpressionAttributeValues[":added"] = number(int64(len(added)))
	}
	ops = append([]writeOp{op}, ops...)
	for _, d := range deployments {
		c.deploying(d, +1)
	}
	ops, err = s.withToken(s.withCounts(append(ops, s.versionNotDeleted(deployments...)...), c), token)
	if err != nil {
		return err
	}
	if len(ops) > maxTransactItems {
		return platform.Errorf(platform.Invalid, "changing %s takes %d writes; at most %d fit in one request (add or remove fewer instances at once)", what, len(ops), maxTransactItems)
	}
	return s.write(ctx, "change service", ops...)
}
