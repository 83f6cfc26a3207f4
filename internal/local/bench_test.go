package local

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gantry-platform/gantry/internal/dynamolocal"
	"github.com/gantry-platform/gantry/internal/platform"
)

// benchPlatform starts a local platform with a DynamoDB Local of its own, run as make dev
// runs it (the JVM's full compiler), so that figures are those of a warm server.
func benchPlatform(b *testing.B) (*Platform, *httptest.Server) {
	b.Helper()
	p, err := Start(context.Background(), Config{DataDir: b.TempDir(), InMemory: true, Log: quietLog()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { p.Close() })
	ts := httptest.NewServer(p.Handler)
	b.Cleanup(ts.Close)
	return p, ts
}

// benchClients is the number of concurrent clients of BenchmarkAPILatency.
const benchClients = 50

// BenchmarkAPILatency measures GET /v1/environments/{name} over loopback HTTP at 50
// concurrent clients beside a raw DynamoDB Local GetItem of the very item it reads (the same
// consistent read the store makes), the two interleaved in the same run. It reports both latency distributions and their
// ratios (the goal: p50 ≤ 1.5×, p99 ≤ 3× the raw round trip).
func BenchmarkAPILatency(b *testing.B) {
	p, ts := benchPlatform(b)
	c := newClient(b, p, ts, platform.AdminRole)
	c.createSampleEnvironment()
	c.waitFor("/v1/environments/Beta")

	ctx := context.Background()
	raw := dynamolocal.NewClient(p.dynamoEndpoint)
	table := p.table
	// Setup only: find the environment's item to read it raw.
	scan, err := raw.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table)})
	if err != nil {
		b.Fatal(err)
	}
	var key map[string]types.AttributeValue
	for _, item := range scan.Items {
		if pk, ok := item["pk"].(*types.AttributeValueMemberS); ok && pk.Value == "ENV#Beta" {
			key = map[string]types.AttributeValue{"pk": item["pk"], "sk": item["sk"]}
		}
	}
	if key == nil {
		b.Fatal("environment item not found")
	}
	httpClient := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchClients}}
	apiCall := func() error {
		req, _ := http.NewRequest("GET", ts.URL+"/v1/environments/Beta", nil)
		req.Header.Set("Authorization", "Bearer "+c.token)
		resp, err := httpClient.Do(req)
		if err != nil {
			return err
		}
		// Read the answer as a client does: a body closed unread closes the connection,
		// and every call would then pay a new TCP connection the raw GetItem does not.
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode != 200 {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	}
	rawCall := func() error {
		out, err := raw.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true)})
		if err == nil && len(out.Item) == 0 {
			return fmt.Errorf("item not found")
		}
		return err
	}
	for i := 0; i < 3; i++ { // warm connections and DynamoDB Local's JIT
		measure(b, 2000, apiCall, rawCall)
	}
	b.ResetTimer()
	lat := measure(b, b.N, apiCall, rawCall)
	b.StopTimer()
	apiLat, rawLat := lat[0], lat[1]
	api50, api99 := percentile(apiLat, 50), percentile(apiLat, 99)
	raw50, raw99 := percentile(rawLat, 50), percentile(rawLat, 99)
	b.ReportMetric(ms(api50), "api-p50-ms")
	b.ReportMetric(ms(api99), "api-p99-ms")
	b.ReportMetric(ms(raw50), "raw-p50-ms")
	b.ReportMetric(ms(raw99), "raw-p99-ms")
	b.ReportMetric(float64(api50)/float64(raw50), "p50-ratio")
	b.ReportMetric(float64(api99)/float64(raw99), "p99-ratio")
}

// measure runs n rounds over benchClients goroutines; in a round a client makes each of
// calls in turn, so that every kind of call meets the same load, JIT and GC. It returns
// the latencies of each kind of call.
func measure(b *testing.B, n int, calls ...func() error) [][]time.Duration {
	lat := make([][]time.Duration, len(calls))
	for k := range lat {
		lat[k] = make([]time.Duration, n)
	}
	next := make(chan int, n)
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	var once sync.Once
	for w := 0; w < benchClients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				for k, call := range calls {
					start := time.Now()
					if err := call(); err != nil {
						once.Do(func() { b.Error(err) })
					}
					lat[k][i] = time.Since(start)
				}
			}
		}()
	}
	wg.Wait()
	return lat
}

func percentile(lat []time.Duration, p int) time.Duration {
	s := append([]time.Duration(nil), lat...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[(len(s)-1)*p/100]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// BenchmarkDeploymentOverhead measures what the platform itself adds to a deployment: one
// op redeploys an environment (PATCH CURRENT_VERSION) and waits, polling every millisecond
// through the store, until it has SUCCEEDED. The simulator pauses 0 between stack statuses,
// so the time is Gantry's: the API, the workflow's tasks and their DynamoDB round trips,
// rendering, the simulator's checks, the events and the bus.
func BenchmarkDeploymentOverhead(b *testing.B) {
	p, ts := benchPlatform(b)
	c := newClient(b, p, ts, platform.AdminRole)
	c.createSampleEnvironment()
	c.waitFor("/v1/environments/Beta")
	ctx := context.Background()
	for i := 0; i < 50; i++ { // warm DynamoDB Local's JIT
		c.must(202, "PATCH", "/v1/environments/Beta", map[string]any{"deploymentType": "CURRENT_VERSION"}, nil)
		c.waitFor("/v1/environments/Beta")
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var env map[string]any
		c.must(202, "PATCH", "/v1/environments/Beta", map[string]any{"deploymentType": "CURRENT_VERSION"}, &env)
		for {
			e, err := p.Store.GetEnvironment(ctx, "Beta")
			if err != nil {
				b.Fatal(err)
			}
			if e.LastDeploymentID == env["lastDeploymentId"] && !e.DeploymentStatus.Active() {
				if e.DeploymentStatus != platform.Succeeded {
					b.Fatalf("deployment ended %s: %s", e.DeploymentStatus, e.DeploymentStatusMessage)
				}
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/deployment")
}
