// Command gen distils the CloudFormation resource specification from
// node_modules/@aws-cdk/aws-service-spec into spec.txt.gz, which package cfnspec embeds.
// Run it from internal/cfnspec (go generate does): go run ./gen.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gantry-platform/gantry/internal/cfnspec/internal/distil"
)

func main() {
	pkg := flag.String("pkg", "../../node_modules/@aws-cdk/aws-service-spec", "directory of the npm package @aws-cdk/aws-service-spec")
	out := flag.String("out", "spec.txt.gz", "file to write")
	flag.Parse()
	if err := run(*pkg, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(pkg, out string) error {
	manifest, err := os.ReadFile(filepath.Join(pkg, "package.json"))
	if err != nil {
		return err
	}
	var meta struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(manifest, &meta); err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(pkg, "package.json"), err)
	}
	db, err := os.Open(filepath.Join(pkg, "db.json.gz"))
	if err != nil {
		return err
	}
	defer db.Close()
	text, err := distil.Distil(db, meta.Version)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(text); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(out, buf.Bytes(), 0o644)
}
