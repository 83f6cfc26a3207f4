package store_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/store"
	"github.com/gantry-platform/gantry/internal/store/storetest"
)

// benchTable creates a table holding one environment, as the benchmarks read it, and
// warms DynamoDB Local's JVM up with reads of it, so that both benchmarks measure a warm
// server.
func benchTable(b *testing.B) (*dynamodb.Client, string, *store.Store) {
	client, table := storetest.NewTable(b)
	s := store.New(client, table)
	e := platform.Environment{Name: "Beta", Description: "beta", Deployable: platform.Deployable{
		TemplateName: "vpc", TemplateVersion: platform.Version{Major: 1}, Spec: "proton: EnvironmentSpec\n",
		Outputs: []platform.Output{{Key: "VpcId", Value: "vpc-1"}}, CreatedAt: t0,
	}}
	if err := s.CreateEnvironment(ctx, e, envDeployment("d1", "Beta", t0), nil); err != nil {
		b.Fatal(err)
	}
	warmUp.Do(func() {
		for start := time.Now(); time.Since(start) < 5*time.Second; {
			if _, err := s.GetEnvironment(ctx, "Beta"); err != nil {
				b.Fatal(err)
			}
		}
	})
	return client, table, s
}

// warmUp warms the shared server once per test binary.
var warmUp sync.Once

// BenchmarkGetEnvironment measures Store.GetEnvironment: one consistent GetItem and the
// mapping to the domain type.
func BenchmarkGetEnvironment(b *testing.B) {
	_, _, s := benchTable(b)
	for b.Loop() {
		if _, err := s.GetEnvironment(ctx, "Beta"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawGetItem measures the same read as a plain consistent GetItem of the same
// item (pk ENV#Beta, sk ENV — see the key layout in the package comment), the round trip
// GetEnvironment cannot beat.
func BenchmarkRawGetItem(b *testing.B) {
	client, table, _ := benchTable(b)
	in := &dynamodb.GetItemInput{
		TableName: &table,
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "ENV#Beta"},
			"sk": &types.AttributeValueMemberS{Value: "ENV"},
		},
		ConsistentRead: aws.Bool(true),
	}
	for b.Loop() {
		out, err := client.GetItem(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		if out.Item == nil {
			b.Fatal("no item")
		}
	}
}

// BenchmarkListExpiredDeployments measures the reconciler's sweep on a table of 200
// unfinished deployments of which 10 have an expired lease: one Query of the leased
// partition, however many deployments are healthy beyond the expired ones.
func BenchmarkListExpiredDeployments(b *testing.B) {
	_, _, s := benchTable(b)
	now := t0.Add(time.Hour)
	for i := range 200 {
		name := fmt.Sprintf("env-%03d", i)
		d := envDeployment("d-"+name, name, t0)
		d.LeaseOwner, d.LeaseExpiresAt = "exec-"+name, now.Add(10*time.Minute)
		if i < 10 {
			d.LeaseExpiresAt = now.Add(-time.Minute)
		}
		e := platform.Environment{Name: name, Deployable: platform.Deployable{TemplateName: "vpc", TemplateVersion: platform.Version{Major: 1},
			DeploymentStatus: platform.InProgress, LastDeploymentID: d.ID, CreatedAt: t0}}
		if err := s.CreateEnvironment(ctx, e, d, nil); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		page, err := s.ListExpiredDeployments(ctx, now, platform.PageRequest{Limit: 100})
		if err != nil {
			b.Fatal(err)
		}
		if len(page.Items) != 10 {
			b.Fatalf("%d expired deployments, want 10", len(page.Items))
		}
	}
}
