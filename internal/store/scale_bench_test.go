package store_test

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/store"
	"github.com/gantry-platform/gantry/internal/store/storetest"
)

// The scale of BenchmarkListTemplateVersionInstances: 10,000 service instances in 500
// services of 20, spread over five minor versions of one service template.
const (
	scaleServices  = 500
	scalePerSvc    = store.MaxInstancesPerCreate
	scaleMinors    = 5
	scaleInstances = scaleServices * scalePerSvc
)

// scaleStore creates a table holding scaleInstances service instances (8 writers, one
// CreateService transaction per service).
func scaleStore(b *testing.B) *store.Store {
	_, _, s := scaleTable(b)
	return s
}

// scaleTable is scaleStore with the table's client and name, for raw reads beside the store's.
func scaleTable(b *testing.B) (*dynamodb.Client, string, *store.Store) {
	client, table := storetest.NewTable(b)
	s := store.New(client, table)
	services := make(chan int)
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range services {
				name := fmt.Sprintf("svc%04d", n)
				v := platform.Version{Major: 1, Minor: n % scaleMinors}
				svc := platform.Service{Name: name, TemplateName: "api", TemplateVersion: v, Spec: "spec", Status: platform.ServiceActive, CreatedAt: t0, UpdatedAt: t0}
				var instances []platform.ServiceInstance
				var deployments []platform.Deployment
				for i := 0; i < scalePerSvc; i++ {
					inst := platform.ServiceInstance{Service: name, Name: fmt.Sprintf("i%02d", i), Environment: fmt.Sprintf("env%d", i%4),
						Deployable: platform.Deployable{TemplateName: "api", TemplateVersion: v, Spec: "spec", CreatedAt: t0}}
					d := svcDeployment(name+"/"+inst.Name, inst.Target())
					d.TemplateVersion = v
					instances, deployments = append(instances, inst), append(deployments, d)
				}
				if err := s.CreateService(ctx, svc, instances, nil, deployments, nil); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for n := 0; n < scaleServices; n++ {
		services <- n
	}
	close(services)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	return client, table, s
}

// BenchmarkListTemplateVersionInstances measures ListServiceInstances filtered by template
// version with 10,000 instances in DynamoDB Local: each iteration reads one page of 50 of
// the 2,000 instances on api 1.2 (one Query of gsi3), following NextToken round the list.
// It reports the p50 and p99 of a page.
func BenchmarkListTemplateVersionInstances(b *testing.B) {
	s := scaleStore(b)
	v := platform.Version{Major: 1, Minor: 2}
	page := platform.PageRequest{Limit: 50}
	seen := 0
	var lat []time.Duration
	for b.Loop() {
		start := time.Now()
		p, err := s.ListTemplateVersionInstances(ctx, "api", v, page)
		lat = append(lat, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		seen += len(p.Items)
		page.NextToken = p.NextToken
		if p.NextToken == "" {
			if seen != scaleInstances/scaleMinors {
				b.Fatalf("a pass over api %s listed %d instances, want %d", v, seen, scaleInstances/scaleMinors)
			}
			seen = 0
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms/page")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms/page")
}

// BenchmarkResourcesSummary measures GetResourcesSummary's store read (GetEstateCounts and
// the summary computed from it) on the 10,000 instances of scaleStore, beside a raw
// consistent GetItem of one instance, alternating the two in the same loop so that both
// see the same load. It reports each p50 and their ratio (goal ≤ 2).
func BenchmarkResourcesSummary(b *testing.B) {
	client, table, s := scaleTable(b)
	if err := s.CreateTemplate(ctx, platform.Template{Kind: platform.ServiceTemplate, Name: "api", Recommended: platform.Version{Major: 1, Minor: 3}}, nil); err != nil {
		b.Fatal(err)
	}
	raw := &dynamodb.GetItemInput{TableName: &table, ConsistentRead: aws.Bool(true), Key: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "SVC#svc0000"}, "sk": &types.AttributeValueMemberS{Value: "INSTANCE#i00"}}}
	var summary, get []time.Duration
	for b.Loop() {
		start := time.Now()
		c, err := s.GetEstateCounts(ctx)
		if err != nil {
			b.Fatal(err)
		}
		sum := c.Summarize()
		summary = append(summary, time.Since(start))
		if got := sum[platform.CountedServiceInstances]; got.Total != scaleInstances || got.BehindMinor != scaleInstances*3/scaleMinors {
			b.Fatalf("instances counted %+v, want %d of which %d behind a minor", got, scaleInstances, scaleInstances*3/scaleMinors)
		}
		start = time.Now()
		out, err := client.GetItem(ctx, raw)
		get = append(get, time.Since(start))
		if err != nil || out.Item == nil {
			b.Fatalf("raw GetItem: %v, item %v", err, out)
		}
	}
	p50 := func(d []time.Duration) time.Duration {
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		return d[len(d)/2]
	}
	ps, pg := p50(summary), p50(get)
	b.ReportMetric(float64(ps.Microseconds())/1000, "summary-p50-ms")
	b.ReportMetric(float64(pg.Microseconds())/1000, "getitem-p50-ms")
	b.ReportMetric(float64(ps)/float64(pg), "ratio")
}
