// Package lambdawiretest gives the functions' tests fakes of the platform ports: each
// adapter is a struct of function fields (a call whose field is nil fails with an error
// naming it), the store a small map of deployments and environments. With them a test
// builds a lambdawire.App and pushes real JSON through a function's entry point, no AWS.
package lambdawiretest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/gantry-platform/gantry/events"
	"github.com/gantry-platform/gantry/internal/auth"
	"github.com/gantry-platform/gantry/internal/lambdawire"
	"github.com/gantry-platform/gantry/internal/platform"
)

func unexpected(call string) error { return fmt.Errorf("lambdawiretest: unexpected call of %s", call) }

// Store keeps deployments and environments in maps. The methods a test uses beyond them
// panic through the nil embedded platform.Store.
type Store struct {
	platform.Store
	mu           sync.Mutex
	Deployments  map[string]platform.Deployment
	Environments map[string]platform.Environment
}

// NewStore returns a Store holding deployments.
func NewStore(deployments ...platform.Deployment) *Store {
	s := &Store{Deployments: map[string]platform.Deployment{}, Environments: map[string]platform.Environment{}}
	for _, d := range deployments {
		s.Deployments[d.ID] = d
	}
	return s
}

// Deployment returns the stored deployment id.
func (s *Store) Deployment(id string) platform.Deployment {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Deployments[id]
}

// GetDeployment implements platform.Store: NotFound for an unknown id.
func (s *Store) GetDeployment(_ context.Context, id string) (platform.Deployment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.Deployments[id]
	if !ok {
		return platform.Deployment{}, platform.Errorf(platform.NotFound, "no deployment %s", id)
	}
	return d, nil
}

// UpdateDeployment implements platform.Store, checked on Revision.
func (s *Store) UpdateDeployment(_ context.Context, d platform.Deployment) error {
	return s.save(d, false)
}

// FinishDeployment implements platform.Store, checked on Revision; Conflict when the
// stored deployment is already finished.
func (s *Store) FinishDeployment(_ context.Context, d platform.Deployment) error {
	return s.save(d, true)
}

func (s *Store) save(d platform.Deployment, finish bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.Deployments[d.ID]
	switch {
	case !ok:
		return platform.Errorf(platform.NotFound, "no deployment %s", d.ID)
	case old.Revision != d.Revision || finish && old.Finished():
		return platform.Errorf(platform.Conflict, "deployment %s changed", d.ID)
	}
	d.Revision++
	s.Deployments[d.ID] = d
	return nil
}

// GetEnvironment implements platform.Store: NotFound for an unknown name.
func (s *Store) GetEnvironment(_ context.Context, name string) (platform.Environment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.Environments[name]
	if !ok {
		return platform.Environment{}, platform.Errorf(platform.NotFound, "no environment %q", name)
	}
	return e, nil
}

// GetServicePipeline implements platform.Store: no service has a pipeline here.
func (s *Store) GetServicePipeline(_ context.Context, service string) (platform.ServicePipeline, error) {
	return platform.ServicePipeline{}, platform.Errorf(platform.NotFound, "service %q has no pipeline", service)
}

// Blobs is a platform.Blobs of function fields.
type Blobs struct {
	PutFunc func(ctx context.Context, key string, body []byte) error
	GetFunc func(ctx context.Context, key string) ([]byte, error)
}

// Put calls PutFunc.
func (b *Blobs) Put(ctx context.Context, key string, body []byte) error {
	if b.PutFunc == nil {
		return unexpected("Blobs.Put")
	}
	return b.PutFunc(ctx, key, body)
}

// Get calls GetFunc.
func (b *Blobs) Get(ctx context.Context, key string) ([]byte, error) {
	if b.GetFunc == nil {
		return nil, unexpected("Blobs.Get")
	}
	return b.GetFunc(ctx, key)
}

// Provisioner is a platform.Provisioner of function fields.
type Provisioner struct {
	DeployFunc   func(ctx context.Context, in platform.StackDeployment) (platform.StackOperation, error)
	DeleteFunc   func(ctx context.Context, stackName, token string) (platform.StackOperation, error)
	DescribeFunc func(ctx context.Context, stackName string) (platform.Stack, error)
}

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

// Workflows is a platform.Workflows of function fields.
type Workflows struct {
	StartFunc             func(ctx context.Context, name string, input json.RawMessage) (string, error)
	SendTaskSuccessFunc   func(ctx context.Context, token string, output json.RawMessage) error
	SendTaskFailureFunc   func(ctx context.Context, token, errorName, cause string) error
	SendTaskHeartbeatFunc func(ctx context.Context, token string) error
}

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

// Events is a platform.EventPublisher of a function field.
type Events struct {
	PublishFunc func(ctx context.Context, events ...platform.Event) error
}

// Publish calls PublishFunc.
func (e *Events) Publish(ctx context.Context, events ...platform.Event) error {
	if e.PublishFunc == nil {
		return unexpected("Events.Publish")
	}
	return e.PublishFunc(ctx, events...)
}

// Notifier is a platform.Notifier of a function field.
type Notifier struct {
	NotifyFunc func(ctx context.Context, subject, message string) error
}

// Notify calls NotifyFunc.
func (n *Notifier) Notify(ctx context.Context, subject, message string) error {
	if n.NotifyFunc == nil {
		return unexpected("Notifier.Notify")
	}
	return n.NotifyFunc(ctx, subject, message)
}

// Ports are all the fakes, ready to be given function fields.
type Ports struct {
	Store       *Store
	Blobs       *Blobs
	Provisioner *Provisioner
	Workflows   *Workflows
	Events      *Events
	Notifier    *Notifier
}

// NewPorts returns fakes with a store holding deployments and no function set.
func NewPorts(deployments ...platform.Deployment) Ports {
	return Ports{Store: NewStore(deployments...), Blobs: &Blobs{}, Provisioner: &Provisioner{}, Workflows: &Workflows{},
		Events: &Events{}, Notifier: &Notifier{}}
}

// App builds the App of the fakes, with a test configuration (account 111122223333, the
// default role map) and a logger that discards.
func (p Ports) App() *lambdawire.App {
	cfg := lambdawire.Config{TableName: "gantry-test", AccountID: "111122223333", Partition: "aws", Roles: auth.DefaultRoleMap()}
	return lambdawire.New(cfg, lambdawire.Ports{Store: p.Store, Blobs: p.Blobs, Provisioner: p.Provisioner,
		Workflows: p.Workflows, Events: p.Events, Notifier: p.Notifier}, slog.New(slog.DiscardHandler))
}

// Invoke pushes payload through handler as the Lambda runtime does
// (lambda.NewHandler(handler).Invoke) and returns the JSON response and the handler's
// error, whose Go type name is the error type Lambda reports.
func Invoke(t testing.TB, handler any, payload []byte) ([]byte, error) {
	t.Helper()
	return lambda.NewHandler(handler).Invoke(context.Background(), payload)
}

// Sample returns the sample event name from package events (events/samples), failing the
// test when there is none.
func Sample(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := events.Sample(name)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
