package control

import (
	"context"
	"sync"

	"github.com/gantry-platform/gantry/internal/platform"
)

// fleetReads is the store as one fleet preview reads it: each record it reads — a
// template version, a service, an environment, a service instance, a component link, a
// resource's tags, a connection — is read at most once during the call, as a batch read
// at its start would, and the instances it previews are put in by the Query that lists
// them. A record changed during the call is seen as it was when first read, as a batch
// read gives it; a fleet preview's previews are each checked again when deployed (their
// base deployment). Writes go to the store. It lives for one call: nothing it keeps
// outlives the fleet preview.
type fleetReads struct {
	platform.Store
	mu    sync.Mutex
	reads map[fleetKey]*fleetRead
}

type fleetKey struct {
	what      string
	a, b, c   string
	kind      platform.TemplateKind
	version   platform.Version
	resources platform.Resource
}

type fleetRead struct {
	once sync.Once
	v    any
	err  error
}

func newFleetReads(store platform.Store) *fleetReads {
	return &fleetReads{Store: store, reads: map[fleetKey]*fleetRead{}}
}

// remember returns what read gives for key, calling it once per key.
func remember[T any](r *fleetReads, key fleetKey, read func() (T, error)) (T, error) {
	r.mu.Lock()
	e, ok := r.reads[key]
	if !ok {
		e = &fleetRead{}
		r.reads[key] = e
	}
	r.mu.Unlock()
	e.once.Do(func() { e.v, e.err = read() })
	v, _ := e.v.(T)
	return v, e.err
}

// put records v, or err, as what key reads.
func (r *fleetReads) put(key fleetKey, v any, err error) {
	e := &fleetRead{v: v, err: err}
	e.once.Do(func() {})
	r.mu.Lock()
	r.reads[key] = e
	r.mu.Unlock()
}

func instanceKey(service, name string) fleetKey {
	return fleetKey{what: "instance", a: service, b: name}
}

func (r *fleetReads) GetTemplate(ctx context.Context, kind platform.TemplateKind, name string) (platform.Template, error) {
	return remember(r, fleetKey{what: "template", kind: kind, a: name}, func() (platform.Template, error) {
		return r.Store.GetTemplate(ctx, kind, name)
	})
}

func (r *fleetReads) GetTemplateVersion(ctx context.Context, kind platform.TemplateKind, name string, v platform.Version) (platform.TemplateVersion, error) {
	return remember(r, fleetKey{what: "version", kind: kind, a: name, version: v}, func() (platform.TemplateVersion, error) {
		return r.Store.GetTemplateVersion(ctx, kind, name, v)
	})
}

func (r *fleetReads) GetEnvironment(ctx context.Context, name string) (platform.Environment, error) {
	return remember(r, fleetKey{what: "environment", a: name}, func() (platform.Environment, error) {
		return r.Store.GetEnvironment(ctx, name)
	})
}

func (r *fleetReads) GetService(ctx context.Context, name string) (platform.Service, error) {
	return remember(r, fleetKey{what: "service", a: name}, func() (platform.Service, error) {
		return r.Store.GetService(ctx, name)
	})
}

func (r *fleetReads) GetServiceInstance(ctx context.Context, service, name string) (platform.ServiceInstance, error) {
	return remember(r, instanceKey(service, name), func() (platform.ServiceInstance, error) {
		return r.Store.GetServiceInstance(ctx, service, name)
	})
}

func instanceComponentKey(service, instance string) fleetKey {
	return fleetKey{what: "instance component", a: service, b: instance}
}

func tagsKey(res platform.Resource) fleetKey { return fleetKey{what: "tags", resources: res} }

func (r *fleetReads) GetInstanceComponent(ctx context.Context, service, instance string) (platform.Component, error) {
	return remember(r, instanceComponentKey(service, instance), func() (platform.Component, error) {
		return r.Store.GetInstanceComponent(ctx, service, instance)
	})
}

func (r *fleetReads) GetComponent(ctx context.Context, name string) (platform.Component, error) {
	return remember(r, fleetKey{what: "component", a: name}, func() (platform.Component, error) {
		return r.Store.GetComponent(ctx, name)
	})
}

func (r *fleetReads) ListTags(ctx context.Context, res platform.Resource) (map[string]string, error) {
	return remember(r, tagsKey(res), func() (map[string]string, error) {
		return r.Store.ListTags(ctx, res)
	})
}

func (r *fleetReads) GetEnvironmentAccountConnection(ctx context.Context, id string) (platform.EnvironmentAccountConnection, error) {
	return remember(r, fleetKey{what: "connection", a: id}, func() (platform.EnvironmentAccountConnection, error) {
		return r.Store.GetEnvironmentAccountConnection(ctx, id)
	})
}
