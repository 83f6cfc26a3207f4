// Package lambdawiretest gives the functions' tests fakes of the platform ports: each
// adapter is a struct of function fields (a call whose field is nil fails with an error
// naming it), the store a small map of deployments and environments. With them a test
// builds a lambdawire.App and pushes real JSON through a function's entry point, no AWS.
package lambdawiretest

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/gantry-platform/gantry/internal/auth"
	"github.com/gantry-platform/gantry/internal/lambdawire"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
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

// GetTemplateVersion implements platform.Store: no template version is kept here.
func (s *Store) GetTemplateVersion(_ context.Context, kind platform.TemplateKind, name string, v platform.Version) (platform.TemplateVersion, error) {
	return platform.TemplateVersion{}, platform.Errorf(platform.NotFound, "no %s template %s version %s", kind, name, v)
}

// GetServicePipeline implements platform.Store: no service has a pipeline here.
func (s *Store) GetServicePipeline(_ context.Context, service string) (platform.ServicePipeline, error) {
	return platform.ServicePipeline{}, platform.Errorf(platform.NotFound, "service %q has no pipeline", service)
}

// RecordPipelineExecution implements platform.Store: no service has a pipeline here.
func (s *Store) RecordPipelineExecution(_ context.Context, service string, _ platform.PipelineExecution) error {
	return platform.Errorf(platform.NotFound, "service %q has no pipeline", service)
}

// ListTags implements platform.Store: no resource has customer tags here.
func (s *Store) ListTags(context.Context, platform.Resource) (map[string]string, error) {
	return map[string]string{}, nil
}

// Blobs is a platform.Blobs of function fields.
type Blobs struct {
	PutFunc    func(ctx context.Context, key string, body []byte) error
	GetFunc    func(ctx context.Context, key string) ([]byte, error)
	DeleteFunc func(ctx context.Context, key string) error
}

// Delete calls DeleteFunc.
func (b *Blobs) Delete(ctx context.Context, key string) error {
	if b.DeleteFunc == nil {
		return unexpected("Blobs.Delete")
	}
	return b.DeleteFunc(ctx, key)
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

// Provisioner and Workflows are the platform ports' fakes of function fields, shared with
// the other packages' tests.
type (
	Provisioner = platformtest.Provisioner
	Workflows   = platformtest.Workflows
)

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
	return platformtest.EventSample(t, name)
}
