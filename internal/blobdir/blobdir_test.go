package blobdir

import (
	"context"
	"testing"

	"github.com/gantry-platform/gantry/internal/platform"
)

func TestPutGet(t *testing.T) {
	ctx := context.Background()
	d, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Put(ctx, "bundles/a/1.0.tar.gz", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := d.Put(ctx, "bundles/a/1.0.tar.gz", []byte("yz")); err != nil {
		t.Fatal(err)
	}
	got, err := d.Get(ctx, "bundles/a/1.0.tar.gz")
	if err != nil || string(got) != "yz" {
		t.Fatalf("Get = %q, %v", got, err)
	}
	if _, err := d.Get(ctx, "missing"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("missing blob: %v, want NotFound", err)
	}
	for _, bad := range []string{"", "../x", "a/../../x", "/abs", "a//b", `a\b`} {
		if err := d.Put(ctx, bad, nil); platform.KindOf(err) != platform.Invalid {
			t.Errorf("Put(%q) = %v, want Invalid", bad, err)
		}
	}
}

func TestDelete(t *testing.T) {
	ctx := context.Background()
	d, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Put(ctx, "bundles/a.tar.gz", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := d.Delete(ctx, "bundles/a.tar.gz"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Get(ctx, "bundles/a.tar.gz"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("after Delete: %v, want NotFound", err)
	}
	if err := d.Delete(ctx, "bundles/a.tar.gz"); err != nil {
		t.Fatalf("deleting a missing blob: %v", err)
	}
	if err := d.Delete(ctx, "../x"); platform.KindOf(err) != platform.Invalid {
		t.Fatalf("deleting outside the root: %v, want Invalid", err)
	}
}
