package apiclient

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platform"
)

// Status is where one deployed target stands: an environment, a service instance or a
// service pipeline.
type Status struct {
	// Target names it: "environment beta", "service instance api/api-beta",
	// "service pipeline api".
	Target           string
	DeploymentStatus platform.DeploymentStatus
	Message          string
	DeploymentID     string
}

// Settled reports whether no work is under way on the target any more.
func (s Status) Settled() bool { return !s.DeploymentStatus.Active() }

// Failed reports whether the target's latest deployment ended without doing its work:
// FAILED, DELETE_FAILED or CANCELLED.
func (s Status) Failed() bool {
	switch s.DeploymentStatus {
	case platform.Failed, platform.DeleteFailed, platform.Cancelled:
		return true
	}
	return false
}

// Poll reads the current status of the targets being waited for.
type Poll func(ctx context.Context) ([]Status, error)

// EnvironmentStatus returns the status of an environment.
func EnvironmentStatus(env Environment) Status {
	return deployableStatus("environment "+env.Name, env.Deployable)
}

// ServiceInstanceStatus returns the status of a service instance.
func ServiceInstanceStatus(inst ServiceInstance) Status {
	return deployableStatus("service instance "+inst.ServiceName+"/"+inst.Name, inst.Deployable)
}

// PipelineStatus returns the status of a service pipeline.
func PipelineStatus(p apimodel.ServicePipeline) Status {
	return deployableStatus("service pipeline "+p.ServiceName, p.Deployable)
}

func deployableStatus(target string, d apimodel.Deployable) Status {
	return Status{Target: target, DeploymentStatus: d.DeploymentStatus, Message: d.DeploymentStatusMessage, DeploymentID: d.LastDeploymentID}
}

// PollEnvironment polls an environment; once it is gone (deleted) its status is
// DELETE_COMPLETE.
func (c *Client) PollEnvironment(name string) Poll {
	return func(ctx context.Context) ([]Status, error) {
		env, err := c.GetEnvironment(ctx, name)
		if IsNotFound(err) {
			return []Status{{Target: "environment " + name, DeploymentStatus: platform.DeleteComplete}}, nil
		}
		if err != nil {
			return nil, err
		}
		return []Status{EnvironmentStatus(env)}, nil
	}
}

// PollServiceInstance polls one service instance.
func (c *Client) PollServiceInstance(service, instance string) Poll {
	return func(ctx context.Context) ([]Status, error) {
		inst, err := c.GetServiceInstance(ctx, service, instance)
		if err != nil {
			return nil, err
		}
		return []Status{ServiceInstanceStatus(inst)}, nil
	}
}

// PollService polls every instance of a service and its pipeline, if it has one; once the
// service is gone (deleted) its status is DELETE_COMPLETE.
func (c *Client) PollService(name string) Poll {
	return func(ctx context.Context) ([]Status, error) {
		gone := []Status{{Target: "service " + name, DeploymentStatus: platform.DeleteComplete}}
		instances, err := All(ctx, func(ctx context.Context, p PageRequest) (Page[ServiceInstance], error) {
			return c.ListServiceInstances(ctx, name, p)
		})
		if IsNotFound(err) {
			return gone, nil
		}
		if err != nil {
			return nil, err
		}
		var out []Status
		for _, inst := range instances.Items {
			out = append(out, ServiceInstanceStatus(inst))
		}
		// The service may be removed between the two reads, as its last instance goes.
		svc, err := c.GetService(ctx, name)
		if IsNotFound(err) {
			return gone, nil
		}
		if err != nil {
			return nil, err
		}
		if svc.Pipeline != nil {
			out = append(out, PipelineStatus(*svc.Pipeline))
		}
		if svc.Status == platform.ServiceDeleteInProgress {
			// Being deleted: settled only once the service itself is gone.
			out = append(out, Status{Target: "service " + name, DeploymentStatus: platform.DeleteInProgress, Message: svc.StatusMessage})
		}
		return out, nil
	}
}

// WaitOptions tune Wait.
type WaitOptions struct {
	// Interval is the pause between polls; default 2s.
	Interval time.Duration
	// Initial are statuses already known (the answer of the call that started the work):
	// reported first, and the base the first poll is compared with.
	Initial []Status
	// Progress, when set, is called with each target's status when first seen and each
	// time its status or message changes.
	Progress func(Status)
	// Retries is how many polls in a row may fail with a transport error or a 5xx answer
	// before Wait gives up; default 3.
	Retries int
}

// Wait polls until every target has settled (no status IN_PROGRESS, DELETE_IN_PROGRESS or
// CANCELLING) and returns the final statuses. It stops with ctx's error, wrapped with the
// targets still unsettled, when ctx ends first, and with the poll's error when the API
// answers 4xx or fails more than opts.Retries times in a row.
func Wait(ctx context.Context, poll Poll, opts WaitOptions) ([]Status, error) {
	if opts.Interval <= 0 {
		opts.Interval = 2 * time.Second
	}
	if opts.Retries <= 0 {
		opts.Retries = 3
	}
	last := map[string]Status{}
	observe := func(statuses []Status) {
		for _, s := range statuses {
			if prev, seen := last[s.Target]; seen && prev == s {
				continue
			}
			last[s.Target] = s
			if opts.Progress != nil {
				opts.Progress(s)
			}
		}
	}
	observe(opts.Initial)
	current := opts.Initial
	failures := 0
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return current, &WaitError{Unsettled: unsettled(current), Err: ctx.Err()}
		case <-timer.C:
		}
		statuses, err := poll(ctx)
		switch {
		case err != nil && ctx.Err() != nil:
			return current, &WaitError{Unsettled: unsettled(current), Err: ctx.Err()}
		case err != nil && transient(err) && failures < opts.Retries:
			failures++
		case err != nil:
			return current, err
		default:
			failures = 0
			observe(statuses)
			current = statuses
			if len(unsettled(statuses)) == 0 {
				return statuses, nil
			}
		}
		timer.Reset(opts.Interval)
	}
}

// WaitError is Wait stopped by its context before every target settled.
type WaitError struct {
	Unsettled []Status
	Err       error
}

// Error names the targets still at work.
func (e *WaitError) Error() string {
	s := "stopped waiting"
	if errors.Is(e.Err, context.DeadlineExceeded) {
		s = "timed out waiting"
	}
	for i, u := range e.Unsettled {
		sep := ", "
		if i == 0 {
			sep = ": "
		}
		s += fmt.Sprintf("%s%s is still %s", sep, u.Target, u.DeploymentStatus)
	}
	return s
}

// Unwrap returns the context's error.
func (e *WaitError) Unwrap() error { return e.Err }

func unsettled(statuses []Status) []Status {
	var out []Status
	for _, s := range statuses {
		if !s.Settled() {
			out = append(out, s)
		}
	}
	return out
}

// transient reports whether a failed poll is worth repeating: no answer, or a 5xx one.
func transient(err error) bool {
	var e *Error
	if errors.As(err, &e) {
		return e.Status >= 500
	}
	return true
}
