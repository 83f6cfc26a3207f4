package platformtest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// TarGz packs the bundle folder dir as a .tar.gz, as a user uploads a template bundle:
// one regular file entry (mode 0644) per file below dir, named by its slash-separated path
// relative to dir, in name order. overrides (slash path → content) replace files of dir
// or add new ones. A folder that cannot be read fails the test.
func TarGz(t testing.TB, dir string, overrides map[string]string) []byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatalf("pack %s: %v", dir, err)
	}
	for name, content := range overrides {
		files[name] = []byte(content)
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, name := range names {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(files[name])), Typeflag: tar.TypeReg}); err != nil {
			t.Fatalf("pack %s: %s: %v", dir, name, err)
		}
		if _, err := tw.Write(files[name]); err != nil {
			t.Fatalf("pack %s: %s: %v", dir, name, err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatalf("pack %s: %v", dir, err)
	}
	if err := gz.Close(); err != nil {
		t.Fatalf("pack %s: %v", dir, err)
	}
	return buf.Bytes()
}

// sampleEnvironmentName is the environment name `gantry validate` and registration render
// a bundle with (templatetest.DefaultEnvironmentName; a test keeps the two equal).
const sampleEnvironmentName = "my-environment"

// DeployTimeOnly wraps a CloudFormation template (the text of a bundle's template file) so
// that registration, which renders every bundle with the sample environment name as
// `gantry validate` does and rejects what fails, sees a valid one-resource stack, while a
// deployment to any other environment renders template itself: for tests of failures
// that only a deployment meets (CloudFormation's refusals, render limits, runtime render
// errors). Lines keep their numbers: the wrapping adds no line before template.
func DeployTimeOnly(template string) string {
	return "{% if environment.name != \"" + sampleEnvironmentName + "\" %}" + template +
		"{% else %}Resources:\n  Placeholder:\n    Type: AWS::SNS::Topic\n{% endif %}"
}
