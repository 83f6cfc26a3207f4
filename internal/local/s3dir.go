package local

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/gantry-platform/gantry/internal/platform"
)

// S3Dir stands in for S3 where Proton's operations name a bundle as s3://BUCKET/KEY: the
// object is the file DIR/BUCKET/KEY (make dev: .gantry/s3/BUCKET/KEY), so a script stages a
// bundle with a file copy locally as it would with aws s3 cp on AWS.
type S3Dir struct{ Root string }

// GetObject reads DIR/bucket/key; NotFound when there is no such file, Invalid for a
// bucket or key that would leave the directory.
func (d S3Dir) GetObject(_ context.Context, bucket, key string) ([]byte, error) {
	if bucket == "" || strings.ContainsAny(bucket, `/\`) || bucket == "." || bucket == ".." {
		return nil, platform.FieldErrorf("source.s3.bucket", "%q is not a bucket name", bucket)
	}
	clean := filepath.Clean("/" + key)
	if key == "" || clean != "/"+key {
		return nil, platform.FieldErrorf("source.s3.key", "%q is not a plain object key", key)
	}
	b, err := os.ReadFile(filepath.Join(d.Root, bucket, filepath.FromSlash(key)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, platform.Errorf(platform.NotFound, "no object s3://%s/%s (locally the file %s)", bucket, key, filepath.Join(d.Root, bucket, key))
	}
	return b, err
}
