package platformtest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/gantry-platform/gantry/internal/platform"
)

func unexpected(call string) error { return fmt.Errorf("platformtest: unexpected call of %s", call) }

// Workflows is a platform.Workflows whose methods call its function fields; a call whose
// field is nil returns an error naming the method.
type Workflows struct {
	StartFunc             func(ctx context.Context, name string, input json.RawMessage) (string, error)
	SendTaskSuccessFunc   func(ctx context.Context, token string, output json.RawMessage) error
	SendTaskFailureFunc   func(ctx context.Context, token, errorName, cause string) error
	SendTaskHeartbeatFunc func(ctx context.Context, token string) error
}

var _ platform.Workflows = (*Workflows)(nil)

// Start calls StartFunc.
func (w *Workflows) Start(ctx context.Context, name string, input json.RawMessage) (string, error) {
	if w.StartFunc == nil {
		return "", unexpected("Workflows.Start")
	}
	return w.StartFunc(ctx, name, input)
}

// SendTaskSuccess calls SendTaskSuccessFunc.
func (w *Workflows) SendTaskSuccess(ctx context.Context, token string, output json.RawMessage) error {
	if w.SendTaskSuccessFunc == nil {
		return unexpected("Workflows.SendTaskSuccess")
	}
	return w.SendTaskSuccessFunc(ctx, token, output)
}

// SendTaskFailure calls SendTaskFailureFunc.
func (w *Workflows) SendTaskFailure(ctx context.Context, token, errorName, cause string) error {
	if w.SendTaskFailureFunc == nil {
		return unexpected("Workflows.SendTaskFailure")
	}
	return w.SendTaskFailureFunc(ctx, token, errorName, cause)
}

// SendTaskHeartbeat calls SendTaskHeartbeatFunc.
func (w *Workflows) SendTaskHeartbeat(ctx context.Context, token string) error {
	if w.SendTaskHeartbeatFunc == nil {
		return unexpected("Workflows.SendTaskHeartbeat")
	}
	return w.SendTaskHeartbeatFunc(ctx, token)
}

// Provisioner is a platform.StackProvisioner whose methods call its function fields; a call
// whose field is nil returns an error naming the method.
type Provisioner struct {
	DeployFunc   func(ctx context.Context, in platform.StackDeployment) (platform.StackOperation, error)
	DeleteFunc   func(ctx context.Context, stackName, token string) (platform.StackOperation, error)
	DescribeFunc func(ctx context.Context, stackName string) (platform.Stack, error)
	CancelFunc   func(ctx context.Context, stackName, token string) error
	// ListResourcesFunc answers ListResources.
	ListResourcesFunc func(ctx context.Context, stackName, nextToken string) (platform.StackResourcePage, error)

	CreateChangeSetFunc  func(ctx context.Context, in platform.StackDeployment, name string) (platform.ChangeSet, error)
	ExecuteChangeSetFunc func(ctx context.Context, stackName, name, token string) (platform.StackOperation, error)
	DeleteChangeSetFunc  func(ctx context.Context, stackName, name string) error
}

// CreateChangeSet calls CreateChangeSetFunc.
func (p *Provisioner) CreateChangeSet(ctx context.Context, in platform.StackDeployment, name string) (platform.ChangeSet, error) {
	if p.CreateChangeSetFunc == nil {
		return platform.ChangeSet{}, unexpected("Provisioner.CreateChangeSet")
	}
	return p.CreateChangeSetFunc(ctx, in, name)
}

// DeleteChangeSet calls DeleteChangeSetFunc.
func (p *Provisioner) DeleteChangeSet(ctx context.Context, stackName, name string) error {
	if p.DeleteChangeSetFunc == nil {
		return unexpected("Provisioner.DeleteChangeSet")
	}
	return p.DeleteChangeSetFunc(ctx, stackName, name)
}

// ExecuteChangeSet calls ExecuteChangeSetFunc.
func (p *Provisioner) ExecuteChangeSet(ctx context.Context, stackName, name, token string) (platform.StackOperation, error) {
	if p.ExecuteChangeSetFunc == nil {
		return platform.StackOperation{}, unexpected("Provisioner.ExecuteChangeSet")
	}
	return p.ExecuteChangeSetFunc(ctx, stackName, name, token)
}

var _ platform.StackProvisioner = (*Provisioner)(nil)

// Deploy calls DeployFunc.
func (p *Provisioner) Deploy(ctx context.Context, in platform.StackDeployment) (platform.StackOperation, error) {
	if p.DeployFunc == nil {
		return platform.StackOperation{}, unexpected("Provisioner.Deploy")
	}
	return p.DeployFunc(ctx, in)
}

// Delete calls DeleteFunc.
func (p *Provisioner) Delete(ctx context.Context, stackName, token string) (platform.StackOperation, error) {
	if p.DeleteFunc == nil {
		return platform.StackOperation{}, unexpected("Provisioner.Delete")
	}
	return p.DeleteFunc(ctx, stackName, token)
}

// Describe calls DescribeFunc.
func (p *Provisioner) Describe(ctx context.Context, stackName string) (platform.Stack, error) {
	if p.DescribeFunc == nil {
		return platform.Stack{}, unexpected("Provisioner.Describe")
	}
	return p.DescribeFunc(ctx, stackName)
}

// Cancel calls CancelFunc.
func (p *Provisioner) Cancel(ctx context.Context, stackName, token string) error {
	if p.CancelFunc == nil {
		return unexpected("Provisioner.Cancel")
	}
	return p.CancelFunc(ctx, stackName, token)
}

// ListResources calls ListResourcesFunc.
func (p *Provisioner) ListResources(ctx context.Context, stackName, nextToken string) (platform.StackResourcePage, error) {
	if p.ListResourcesFunc == nil {
		return platform.StackResourcePage{}, unexpected("Provisioner.ListResources")
	}
	return p.ListResourcesFunc(ctx, stackName, nextToken)
}

// Recorder is a platform.EventPublisher and a platform.Notifier that keeps what it is
// given and never fails; it is safe for concurrent use. The zero value is ready.
type Recorder struct {
	mu            sync.Mutex
	events        []platform.Event
	notifications []string
}

var (
	_ platform.EventPublisher = (*Recorder)(nil)
	_ platform.Notifier       = (*Recorder)(nil)
)

// Publish keeps events.
func (r *Recorder) Publish(ctx context.Context, events ...platform.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, events...)
	return nil
}

// Notify keeps the notification as subject, a newline, then message.
func (r *Recorder) Notify(ctx context.Context, subject, message string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notifications = append(r.notifications, subject+"\n"+message)
	return nil
}

// Events returns a copy of the events published so far, in order.
func (r *Recorder) Events() []platform.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]platform.Event(nil), r.events...)
}

// Notifications returns a copy of the notifications sent so far ("subject\nmessage"), in
// order.
func (r *Recorder) Notifications() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.notifications...)
}
