package dynamolocal_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/gantry-platform/gantry/internal/dynamolocal"
)

func TestMain(m *testing.M) { dynamolocal.Main(m) }

func TestSharedAnswers(t *testing.T) {
	srv := dynamolocal.Shared(t)
	if !strings.HasPrefix(srv.Endpoint(), "http://") {
		t.Fatalf("Endpoint() = %q, want an http URL", srv.Endpoint())
	}
	if _, err := srv.Client(context.Background()).ListTables(context.Background(), &dynamodb.ListTablesInput{}); err != nil {
		t.Fatalf("ListTables: %v", err)
	}
	if again := dynamolocal.Shared(t); again != srv {
		t.Fatal("Shared started a second server")
	}
}

func TestStartMissingJarNamesTheFix(t *testing.T) {
	_, err := dynamolocal.Start(context.Background(), dynamolocal.Options{Dir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "npm ci") {
		t.Fatalf("Start with an empty dir: error %v, want one that says to run npm ci", err)
	}
}

func TestFindDirHonoursEnv(t *testing.T) {
	t.Setenv(dynamolocal.DirEnv, "/opt/ddb")
	if dir, err := dynamolocal.FindDir(); err != nil || dir != "/opt/ddb" {
		t.Fatalf("FindDir() = %q, %v; want /opt/ddb", dir, err)
	}
}

func TestFindDirWalksUp(t *testing.T) {
	dir, err := dynamolocal.FindDir()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "DynamoDBLocal.jar")); err != nil {
		t.Fatalf("FindDir() = %q without DynamoDBLocal.jar: %v", dir, err)
	}
}

func TestStopEndsTheServer(t *testing.T) {
	srv, err := dynamolocal.Start(context.Background(), dynamolocal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	client := srv.Client(context.Background())
	if _, err := client.ListTables(context.Background(), &dynamodb.ListTablesInput{}); err != nil {
		t.Fatalf("ListTables before Stop: %v", err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	noRetry := func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 }
	if _, err := client.ListTables(context.Background(), &dynamodb.ListTablesInput{}, noRetry); err == nil {
		t.Fatal("ListTables after Stop succeeded")
	}
}
