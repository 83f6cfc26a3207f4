// Package s3blobs implements platform.Blobs on an S3 bucket: template bundles and rendered
// templates, stored with server-side encryption. It also gives the HTTPS URL of an object,
// which CloudFormation reads templates too large to send inline from.
package s3blobs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Client is the part of *s3.Client the adapter uses.
type Client interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, optFns ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
}

// Options configures a Blobs.
type Options struct {
	// KMSKeyID, when set, encrypts objects with that KMS key (aws:kms); otherwise with
	// S3-managed keys (AES256).
	KMSKeyID string
	// Region is the bucket's region, for URL.
	Region string
	// Endpoint, when set (a local S3), makes URL path-style on it.
	Endpoint string
}

// Blobs stores blobs in one bucket. Build it with New.
type Blobs struct {
	client Client
	bucket string
	opts   Options
}

var _ platform.Blobs = (*Blobs)(nil)

// New returns Blobs on bucket, reached through client; it loads no AWS configuration.
func New(client Client, bucket string, opts Options) *Blobs {
	return &Blobs{client: client, bucket: bucket, opts: opts}
}

// Put stores body under key, encrypted at rest. Errors are Internal.
func (b *Blobs) Put(ctx context.Context, key string, body []byte) error {
	if b.bucket == "" {
		return errors.New("s3blobs: no bucket configured")
	}
	in := &s3.PutObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(key), Body: bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))), ServerSideEncryption: types.ServerSideEncryptionAes256}
	if b.opts.KMSKeyID != "" {
		in.ServerSideEncryption, in.SSEKMSKeyId = types.ServerSideEncryptionAwsKms, aws.String(b.opts.KMSKeyID)
	}
	if _, err := b.client.PutObject(ctx, in); err != nil {
		return fmt.Errorf("s3blobs: put s3://%s/%s: %w", b.bucket, key, err)
	}
	return nil
}

// Get returns the blob under key: NotFound when there is none (S3 reports a missing key
// as NoSuchKey only to a caller allowed s3:ListBucket; without it, as AccessDenied, which
// is Internal here), Internal for other failures.
func (b *Blobs) Get(ctx context.Context, key string) ([]byte, error) {
	if b.bucket == "" {
		return nil, errors.New("s3blobs: no bucket configured")
	}
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(key)})
	var noKey *types.NoSuchKey
	if errors.As(err, &noKey) {
		return nil, platform.Errorf(platform.NotFound, "no blob %q", key)
	}
	if err != nil {
		return nil, fmt.Errorf("s3blobs: get s3://%s/%s: %w", b.bucket, key, err)
	}
	defer out.Body.Close()
	body, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, fmt.Errorf("s3blobs: read s3://%s/%s: %w", b.bucket, key, err)
	}
	return body, nil
}

// Delete removes the object under key (S3 answers success for a missing key too); errors
// are Internal.
func (b *Blobs) Delete(ctx context.Context, key string) error {
	if b.bucket == "" {
		return errors.New("s3blobs: no bucket configured")
	}
	if _, err := b.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(key)}); err != nil {
		return fmt.Errorf("s3blobs: delete s3://%s/%s: %w", b.bucket, key, err)
	}
	return nil
}

// URL returns the HTTPS URL of the object under key, unsigned: virtual-hosted style on
// AWS, path style on Options.Endpoint. A reader needs its own permission (CloudFormation
// reads it with the caller's credentials).
func (b *Blobs) URL(key string) string {
	segments := strings.Split(key, "/")
	for i, s := range segments {
		segments[i] = url.PathEscape(s)
	}
	path := strings.Join(segments, "/")
	if b.opts.Endpoint != "" {
		return strings.TrimSuffix(b.opts.Endpoint, "/") + "/" + b.bucket + "/" + path
	}
	region := b.opts.Region
	if region == "" {
		region = "us-east-1"
	}
	host := b.bucket + ".s3." + region + ".amazonaws.com"
	if strings.HasPrefix(region, "cn-") {
		host += ".cn"
	}
	return "https://" + host + "/" + path
}
