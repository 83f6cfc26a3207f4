package dynamolocal

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
)

// EndpointEnv names the environment variable that, when set, points the test helpers at an
// already running DynamoDB Local (e.g. "http://127.0.0.1:8000") instead of starting one.
const EndpointEnv = "GANTRY_DYNAMODB_LOCAL_ENDPOINT"

// shared is the one server of a test binary: started by the first Shared call, stopped by
// Main once the tests have run.
var shared struct {
	sync.Mutex
	main    bool
	started bool
	server  *Server
	err     error
}

// Main runs the tests of a package that uses Shared and stops the shared server afterwards;
// call it from TestMain:
//
//	func TestMain(m *testing.M) { dynamolocal.Main(m) }
//
// It exits the process with the tests' status.
func Main(m *testing.M) {
	shared.Lock()
	shared.main = true
	shared.Unlock()
	code := m.Run()
	shared.Lock()
	if shared.server != nil {
		if err := shared.server.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			if code == 0 {
				code = 1
			}
		}
	}
	shared.Unlock()
	os.Exit(code)
}

// Shared returns the test binary's DynamoDB Local, starting it on first use (or using
// $GANTRY_DYNAMODB_LOCAL_ENDPOINT when set). A server that cannot start fails the test —
// never a skip — and so does a package whose TestMain does not call Main.
func Shared(t testing.TB) *Server {
	t.Helper()
	shared.Lock()
	defer shared.Unlock()
	if !shared.main {
		t.Fatal("dynamolocal.Shared: the package's TestMain must call dynamolocal.Main(m), which stops the server")
	}
	if !shared.started {
		shared.started = true
		if endpoint := os.Getenv(EndpointEnv); endpoint != "" {
			shared.server = &Server{endpoint: endpoint}
		} else {
			shared.server, shared.err = Start(context.Background(), Options{})
		}
	}
	if shared.err != nil {
		t.Fatalf("DynamoDB Local: %v", shared.err)
	}
	return shared.server
}
