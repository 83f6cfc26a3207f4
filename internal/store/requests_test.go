package store_test

import (
	"context"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/store"
	"github.com/gantry-platform/gantry/internal/store/storetest"
)

// recorder is a store.Client that records the name of each DynamoDB operation it forwards.
// store.Client has no Scan at all; this shows what each read costs.
type recorder struct {
	*dynamodb.Client
	mu  sync.Mutex
	ops []string
}

func (r *recorder) note(op string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ops = append(r.ops, op)
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	ops := r.ops
	r.ops = nil
	return ops
}

func (r *recorder) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	r.note("GetItem")
	return r.Client.GetItem(ctx, in, o...)
}

func (r *recorder) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	op := "Query"
	if in.IndexName != nil {
		op += "(" + *in.IndexName + ")"
	}
	r.note(op)
	return r.Client.Query(ctx, in, o...)
}

// TestEstateReadsAreQueries checks the DynamoDB requests of the estate's list reads: one
// Query each, of the index that answers it.
func TestEstateReadsAreQueries(t *testing.T) {
	client, table := storetest.NewTable(t)
	rec := &recorder{Client: client}
	s := store.New(rec, table)
	mustCreateService(t, s, "frontend", "dev", "prod")
	mustFinish(t, s, "frontend/frontend-dev", platform.Succeeded)
	rec.take()
	v := platform.Version{Major: 1}
	page := platform.PageRequest{}
	for _, c := range []struct {
		what string
		read func() error
		want []string
	}{
		{"instances of a template version", func() error {
			_, err := s.ListTemplateVersionInstances(ctx, "api", v, page)
			return err
		}, []string{"Query(gsi3)"}},
		{"targets of a template version", func() error {
			_, err := s.ListTemplateVersionTargets(ctx, platform.ServiceTemplate, "api", v, page)
			return err
		}, []string{"Query(gsi3)"}},
		{"a service's deployments", func() error {
			_, err := s.ListServiceDeployments(ctx, "frontend", page)
			return err
		}, []string{"Query(gsi3)"}},
		{"an environment's instances", func() error {
			_, err := s.ListEnvironmentInstances(ctx, "dev", page)
			return err
		}, []string{"Query(gsi2)"}},
		{"a service's instances", func() error {
			_, err := s.ListServiceInstances(ctx, "frontend", page)
			return err
		}, []string{"Query"}},
		{"one instance", func() error {
			_, err := s.GetServiceInstance(ctx, "frontend", "frontend-dev")
			return err
		}, []string{"GetItem"}},
	} {
		mustOK(t, c.read())
		mustEqual(t, c.what, rec.take(), c.want)
	}
}
