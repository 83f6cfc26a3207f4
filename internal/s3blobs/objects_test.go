package s3blobs_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gantry-platform/gantry/internal/awsclients/awstest"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/s3blobs"
)

func TestContract_ObjectsGetObject(t *testing.T) {
	server := awstest.NewServer(t)
	client := s3.NewFromConfig(awstest.Config(), func(o *s3.Options) { o.BaseEndpoint, o.UsePathStyle = aws.String(server.URL), true })
	objects := s3blobs.NewObjects(client, 8)
	server.Handle("GET", func(c awstest.Call) awstest.Response {
		switch c.Path {
		case "/team-bundles/env/v1.tar.gz":
			return awstest.Response{ContentType: "application/gzip", Body: "archive"}
		case "/team-bundles/big.tar.gz":
			return awstest.Response{ContentType: "application/gzip", Body: "123456789"}
		case "/locked/b.tar.gz":
			return awstest.RESTXMLError(403, "AccessDenied", "Access Denied")
		}
		return awstest.RESTXMLError(404, "NoSuchKey", "The specified key does not exist.")
	})
	ctx := context.Background()
	if got, err := objects.GetObject(ctx, "team-bundles", "env/v1.tar.gz"); err != nil || string(got) != "archive" {
		t.Fatalf("GetObject = %q, %v", got, err)
	}
	for _, tc := range []struct {
		bucket, key string
		kind        platform.ErrorKind
	}{{"team-bundles", "missing.tar.gz", platform.NotFound}, {"locked", "b.tar.gz", platform.Forbidden}, {"team-bundles", "big.tar.gz", platform.Invalid}} {
		if _, err := objects.GetObject(ctx, tc.bucket, tc.key); platform.KindOf(err) != tc.kind {
			t.Errorf("s3://%s/%s: %v (kind %q), want %s", tc.bucket, tc.key, err, platform.KindOf(err), tc.kind)
		}
	}
}
