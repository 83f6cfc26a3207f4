// Package platformtest holds what Gantry's tests share: fakes of the platform ports,
// packing bundles, the shared sample's paths, sample events, a test clock and a caller's context. It is
// an ordinary package so that several packages' tests can import it, but only _test.go
// files may: TestOnlyTestsImportPlatformtest fails when any other Go file of the module
// does, so that none of it reaches a production binary.
//
// Helpers that can fail take a testing.TB first and fail the test (t.Fatal) rather than
// return an error.
package platformtest

import (
	"context"
	"os"
	"testing"

	"github.com/gantry-platform/gantry/events"
	"github.com/gantry-platform/gantry/internal/platform"
)

// AdminContext returns a context whose caller is subject holding the admin role, as the
// API's authentication would leave it.
func AdminContext(subject string) context.Context {
	return platform.WithCaller(context.Background(), platform.Caller{Subject: subject, Roles: []platform.Role{platform.AdminRole}})
}

// ReadFile returns the content of the file at path, failing the test when it cannot be
// read.
func ReadFile(t testing.TB, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// EventSample returns the sample event name (package events' samples/<name>.json), failing
// the test when there is none.
func EventSample(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := events.Sample(name)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
