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

func newBlobs(t *testing.T, opts s3blobs.Options) (*s3blobs.Blobs, *awstest.Server) {
	t.Helper()
	server := awstest.NewServer(t)
	client := s3.NewFromConfig(awstest.Config(), func(o *s3.Options) {
		o.BaseEndpoint, o.UsePathStyle = aws.String(server.URL), true
	})
	return s3blobs.New(client, "gantry-bundles", opts), server
}

func TestContract_PutObjectEncryptsAtRest(t *testing.T) {
	for _, tc := range []struct {
		name, kmsKey, wantSSE string
	}{
		{"S3-managed", "", "AES256"},
		{"KMS", "alias/gantry", "aws:kms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			blobs, server := newBlobs(t, s3blobs.Options{KMSKeyID: tc.kmsKey})
			server.Handle("PUT", func(awstest.Call) awstest.Response { return awstest.Response{} })
			if err := blobs.Put(context.Background(), "rendered/d-1/template.yaml", []byte("Resources: {}\n")); err != nil {
				t.Fatalf("Put: %v", err)
			}
			calls := server.CallsOf("PUT")
			if len(calls) != 1 {
				t.Fatalf("PUT calls = %d, want 1", len(calls))
			}
			c := calls[0]
			if c.Path != "/gantry-bundles/rendered/d-1/template.yaml" {
				t.Errorf("path = %q", c.Path)
			}
			if got := c.Header.Get("X-Amz-Server-Side-Encryption"); got != tc.wantSSE {
				t.Errorf("x-amz-server-side-encryption = %q, want %q", got, tc.wantSSE)
			}
			if got := c.Header.Get("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id"); got != tc.kmsKey {
				t.Errorf("KMS key id = %q, want %q", got, tc.kmsKey)
			}
			if string(c.Body) != "Resources: {}\n" {
				t.Errorf("body = %q", c.Body)
			}
		})
	}
}

func TestContract_GetObject(t *testing.T) {
	blobs, server := newBlobs(t, s3blobs.Options{})
	server.Handle("GET", func(c awstest.Call) awstest.Response {
		if c.Path == "/gantry-bundles/bundles/web/1.0.tar.gz" {
			return awstest.Response{ContentType: "application/gzip", Body: "archive"}
		}
		return awstest.RESTXMLError(404, "NoSuchKey", "The specified key does not exist.")
	})
	got, err := blobs.Get(context.Background(), "bundles/web/1.0.tar.gz")
	if err != nil || string(got) != "archive" {
		t.Fatalf("Get = %q, %v", got, err)
	}
	_, err = blobs.Get(context.Background(), "bundles/missing.tar.gz")
	if platform.KindOf(err) != platform.NotFound {
		t.Fatalf("Get of a missing key: %v (kind %q), want NotFound", err, platform.KindOf(err))
	}
}

func TestContract_GetObjectFailureIsInternal(t *testing.T) {
	blobs, server := newBlobs(t, s3blobs.Options{})
	server.Handle("GET", func(awstest.Call) awstest.Response {
		return awstest.RESTXMLError(403, "AccessDenied", "Access Denied")
	})
	if _, err := blobs.Get(context.Background(), "k"); platform.KindOf(err) != platform.Internal {
		t.Fatalf("err = %v (kind %q), want Internal", err, platform.KindOf(err))
	}
}

func TestURL(t *testing.T) {
	for _, tc := range []struct {
		opts s3blobs.Options
		key  string
		want string
	}{
		{s3blobs.Options{Region: "eu-west-1"}, "templates/gantry-env-beta/d 1.yaml", "https://gantry-bundles.s3.eu-west-1.amazonaws.com/templates/gantry-env-beta/d%201.yaml"},
		{s3blobs.Options{Region: "cn-north-1"}, "t.yaml", "https://gantry-bundles.s3.cn-north-1.amazonaws.com.cn/t.yaml"},
		{s3blobs.Options{Endpoint: "http://127.0.0.1:9000/"}, "a/b", "http://127.0.0.1:9000/gantry-bundles/a/b"},
	} {
		if got := s3blobs.New(nil, "gantry-bundles", tc.opts).URL(tc.key); got != tc.want {
			t.Errorf("URL(%q) with %+v = %q, want %q", tc.key, tc.opts, got, tc.want)
		}
	}
}

func TestContract_DeleteObject(t *testing.T) {
	blobs, server := newBlobs(t, s3blobs.Options{})
	server.Handle("DELETE", func(awstest.Call) awstest.Response { return awstest.Response{Status: 204} })
	if err := blobs.Delete(context.Background(), "bundles/abc.tar.gz"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	calls := server.CallsOf("DELETE")
	if len(calls) != 1 || calls[0].Path != "/gantry-bundles/bundles/abc.tar.gz" {
		t.Fatalf("DELETE calls = %+v", calls)
	}
	server.Handle("DELETE", func(awstest.Call) awstest.Response {
		return awstest.RESTXMLError(403, "AccessDenied", "Access Denied")
	})
	if err := blobs.Delete(context.Background(), "k"); platform.KindOf(err) != platform.Internal {
		t.Fatalf("a refused delete: %v, want Internal", err)
	}
}
