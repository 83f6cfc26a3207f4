package lambdarie_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/lambdaenv"
	"github.com/gantry-platform/gantry/internal/lambdarie"
)

// firstInvoke is, per function, a light first request: one that runs the handler for
// real but touches nothing slow (the api's health check; a workflow task for a deployment
// that does not exist, one DynamoDB read; an event of a stack Gantry does not own).
func firstInvoke(name string) []byte {
	switch name {
	case "api":
		return gatewayRequest("GET", "/healthz", "", "", nil)
	case "events":
		return []byte(`{"version":"0","id":"e","detail-type":"CloudFormation Stack Status Change","source":"aws.cloudformation",` +
			`"account":"111122223333","time":"2026-01-02T03:04:05Z","region":"us-east-1","resources":["arn:aws:cloudformation:us-east-1:111122223333:stack/other/1"],` +
			`"detail":{"stack-id":"arn:aws:cloudformation:us-east-1:111122223333:stack/other/1","status-details":{"status":"CREATE_COMPLETE","status-reason":""}}}`)
	default:
		return []byte(`{"deploymentId":"bench-missing"}`)
	}
}

// BenchmarkColdInit measures, per function, a cold start under the Lambda runtime
// emulator: from starting the emulator process to the first invoke answered (ns/op, which
// includes the emulator's own start, the function's process start, configuration and
// client construction, and the first invoke itself; the emulator starts the function
// lazily, on the first invoke, so its own "Init Duration" says nothing), and the size of the stripped linux binary (MB; built for the host's architecture, the
// shipped build is arm64).
func BenchmarkColdInit(b *testing.B) {
	emulator, functions := mustBuild(b)
	s := newStage(b)
	for _, name := range lambdaenv.Functions() {
		b.Run(name, func(b *testing.B) {
			info, err := os.Stat(functions[name])
			if err != nil {
				b.Fatal(err)
			}
			payload := firstInvoke(name)
			for b.Loop() {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				r, err := lambdarie.Start(ctx, emulator, functions[name], s.env)
				if err != nil {
					cancel()
					b.Fatal(err)
				}
				resp, err := r.Invoke(ctx, payload)
				cancel()
				if err != nil || resp.Status != 200 {
					b.Fatalf("first invoke: %v %d %s\n%s", err, resp.Status, resp.Body, r.Log())
				}
				b.StopTimer()
				r.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(info.Size())/1e6, "MB")
		})
	}
}
