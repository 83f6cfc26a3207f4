package s3blobs

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Objects reads objects of any bucket the function's role may read: the s3://BUCKET/KEY
// template bundles Proton's Create*TemplateVersion operations name.
type Objects struct {
	client Client
	// MaxBytes bounds an object read (a larger one is Invalid); 0 means no bound.
	MaxBytes int64
}

// NewObjects returns Objects reading through client.
func NewObjects(client Client, maxBytes int64) *Objects {
	return &Objects{client: client, MaxBytes: maxBytes}
}

// GetObject reads s3://bucket/key: NotFound when there is no such object or bucket,
// Forbidden when the role may not read it, Invalid when it is larger than MaxBytes,
// Internal otherwise.
func (o *Objects) GetObject(ctx context.Context, bucket, key string) ([]byte, error) {
	out, err := o.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	var noKey *types.NoSuchKey
	var noBucket *types.NoSuchBucket
	var apiErr smithy.APIError
	switch {
	case errors.As(err, &noKey), errors.As(err, &noBucket):
		return nil, platform.Errorf(platform.NotFound, "no object s3://%s/%s", bucket, key)
	case errors.As(err, &apiErr) && apiErr.ErrorCode() == "AccessDenied":
		return nil, platform.Errorf(platform.Forbidden, "Gantry may not read s3://%s/%s (list the bucket in the stack's bundle buckets)", bucket, key)
	case err != nil:
		return nil, fmt.Errorf("s3blobs: get s3://%s/%s: %w", bucket, key, err)
	}
	defer out.Body.Close()
	r := io.Reader(out.Body)
	if o.MaxBytes > 0 {
		r = io.LimitReader(out.Body, o.MaxBytes+1)
	}
	body, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("s3blobs: read s3://%s/%s: %w", bucket, key, err)
	}
	if o.MaxBytes > 0 && int64(len(body)) > o.MaxBytes {
		return nil, platform.Errorf(platform.Invalid, "s3://%s/%s is larger than %d bytes", bucket, key, o.MaxBytes)
	}
	return body, nil
}
