package control

import (
	"context"

	"github.com/gantry-platform/gantry/internal/platform"
)

// NotifyInput is Proton's NotifyResourceDeploymentStatusChange: how the deployment of the
// resource ResourceARN stands, as the commands or CI that provision it report.
type NotifyInput struct {
	ResourceARN string
	// Status is IN_PROGRESS, SUCCEEDED or FAILED (DELETE_IN_PROGRESS, DELETE_COMPLETE and
	// DELETE_FAILED for a deletion's).
	Status        platform.DeploymentStatus
	Outputs       []platform.Output
	DeploymentID  string
	StatusMessage string
}

// maxNotifiedOutputs bounds the outputs one deployment keeps (Proton's ListOutputs pages
// are of 50; CloudFormation allows 200 outputs a stack).
const maxNotifiedOutputs = 200

// NotifyResourceDeploymentStatusChange records what the provisioning of a resource
// reports: its outputs join the deployment's (same key: the new value), and a final status
// (SUCCEEDED, FAILED; DELETE_COMPLETE, DELETE_FAILED) is kept as the deployment's Reported
// status and resumes the workflow waiting on the engine, which records the end (the
// build's own end then changes nothing). The deployment is DeploymentID, or the
// resource's deployment in progress. Only a reporter's key issued for that resource's
// deployment (ReporterRole, scoped by ARN and deployment) or an admin may report.
// Errors: Invalid for a bad ARN, status or output; Forbidden for another caller, or a
// reporter's key of another resource or deployment; NotFound for an unknown resource or
// deployment; Conflict when the deployment has finished (or is not the resource's).
func (s *Service) NotifyResourceDeploymentStatusChange(ctx context.Context, in NotifyInput) error {
	c := caller(ctx)
	if !c.Has(platform.ReporterRole) {
		return platform.Errorf(platform.Forbidden, "reporting a deployment's status needs a reporter's key for the resource, or the admin role")
	}
	if c.Resource != "" && c.Resource != in.ResourceARN {
		return platform.Errorf(platform.Forbidden, "this key may only report on %s, not %s", c.Resource, in.ResourceARN)
	}
	final, err := notifiedStatus(in.Status)
	if err != nil {
		return err
	}
	if len(in.Outputs) > maxNotifiedOutputs {
		return platform.FieldErrorf("outputs", "at most %d outputs, not %d", maxNotifiedOutputs, len(in.Outputs))
	}
	for i, o := range in.Outputs {
		if o.Key == "" {
			return platform.FieldErrorf("outputs", "output %d has no key", i)
		}
	}
	r, err := s.arns.ParseARN("resourceArn", in.ResourceARN)
	if err != nil {
		return err
	}
	target, err := notifiedTarget(r)
	if err != nil {
		return err
	}
	id := in.DeploymentID
	if c.Deployment != "" {
		if id != "" && id != c.Deployment {
			return platform.Errorf(platform.Forbidden, "this key may only report on deployment %s, not %s", c.Deployment, id)
		}
		id = c.Deployment
	}
	if id == "" {
		current, err := s.deployableOf(ctx, target)
		if err != nil {
			return err
		}
		id = current.LastDeploymentID
	}
	d, err := s.notify(ctx, id, target, in, final)
	if err != nil || final == "" || d.TaskToken == "" {
		return err // a deployment not submitted yet is ended by Reconcile with what was reported
	}
	if final == platform.Succeeded || final == platform.DeleteComplete {
		err = s.workflows.SendTaskSuccess(ctx, d.TaskToken, []byte(`{"reported":"`+string(final)+`"}`))
	} else {
		err = s.workflows.SendTaskFailure(ctx, d.TaskToken, "ProvisioningFailed", d.ReportedMessage)
	}
	if platform.KindOf(err) == platform.NotFound || platform.KindOf(err) == platform.Conflict {
		return nil // already resolved (the build's end came first), or its worker was lost: Reconcile reads Reported
	}
	return err
}

// notify records in on deployment id of target and returns the deployment as stored.
func (s *Service) notify(ctx context.Context, id string, target platform.Target, in NotifyInput, final platform.DeploymentStatus) (platform.Deployment, error) {
	for attempt := 0; ; attempt++ {
		d, err := s.store.GetDeployment(ctx, id)
		if err != nil {
			return d, err
		}
		switch {
		case platform.TargetResource(d.Target) != platform.TargetResource(target): // a component's ARN names it alone
			return d, platform.Errorf(platform.Conflict, "deployment %s is not a deployment of %s", id, in.ResourceARN)
		case d.Finished():
			return d, platform.Errorf(platform.Conflict, "deployment %s has already finished (%s)", id, d.Status)
		case (d.Operation == platform.Delete) != isDeletionStatus(in.Status):
			return d, platform.FieldErrorf("status", "%s does not fit deployment %s, which %s", in.Status, id, map[bool]string{true: "deletes", false: "deploys"}[d.Operation == platform.Delete])
		}
		d.Outputs = mergeOutputs(d.Outputs, in.Outputs)
		if final != "" {
			d.Reported, d.ReportedMessage = final, in.StatusMessage
			if d.ReportedMessage == "" && final != platform.Succeeded && final != platform.DeleteComplete {
				d.ReportedMessage = "the provisioning reported " + string(in.Status)
			}
		}
		d.UpdatedAt = s.clock()
		err = s.store.UpdateDeployment(ctx, d)
		if platform.KindOf(err) == platform.Conflict && attempt < 5 {
			continue // the workflow wrote meanwhile: read again
		}
		if err == nil {
			d.Revision++
		}
		return d, err
	}
}

// notifiedStatus checks a reported status and returns it when final ("" for one in
// progress): a deletion's DELETE_COMPLETE and DELETE_FAILED are kept as the deployment's
// Succeeded and Failed.
func notifiedStatus(st platform.DeploymentStatus) (platform.DeploymentStatus, error) {
	switch st {
	case platform.InProgress, platform.DeleteInProgress:
		return "", nil
	case platform.Succeeded, platform.DeleteComplete:
		return platform.Succeeded, nil
	case platform.Failed, platform.DeleteFailed:
		return platform.Failed, nil
	}
	return "", platform.FieldErrorf("status", "must be IN_PROGRESS, SUCCEEDED or FAILED (DELETE_IN_PROGRESS, DELETE_COMPLETE or DELETE_FAILED for a deletion), not %q", st)
}

func isDeletionStatus(st platform.DeploymentStatus) bool {
	return st == platform.DeleteInProgress || st == platform.DeleteComplete || st == platform.DeleteFailed
}

// notifiedTarget is the deployment target a resource is: an environment, a service
// instance, a service's pipeline, a component.
func notifiedTarget(r platform.Resource) (platform.Target, error) {
	switch r.Type {
	case platform.EnvironmentResource:
		return platform.Target{Kind: platform.EnvironmentTarget, Environment: r.Name}, nil
	case platform.ServiceInstanceResource:
		return platform.Target{Kind: platform.ServiceInstanceTarget, Service: r.Service, Instance: r.Name}, nil
	case platform.ServiceResource:
		return platform.Target{Kind: platform.ServicePipelineTarget, Service: r.Name}, nil
	case platform.ComponentResource:
		return platform.Target{Kind: platform.ComponentTarget, Component: r.Name}, nil
	}
	return platform.Target{}, platform.FieldErrorf("resourceArn", "names a %s, which is not deployed (an environment, service instance, service pipeline or component is)", r.Type)
}

// mergeOutputs returns outputs with more applied: a key already there takes the new
// value, new keys follow in their order.
func mergeOutputs(outputs, more []platform.Output) []platform.Output {
	out := append([]platform.Output(nil), outputs...)
	for _, o := range more {
		replaced := false
		for i := range out {
			if out[i].Key == o.Key {
				out[i].Value, replaced = o.Value, true
			}
		}
		if !replaced {
			out = append(out, o)
		}
	}
	return out
}
