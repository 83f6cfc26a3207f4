package templatetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/gantry-platform/gantry/internal/bundle"
	"github.com/gantry-platform/gantry/internal/cfnspec"
	"github.com/gantry-platform/gantry/internal/platformtest"
	"github.com/gantry-platform/gantry/internal/render"
	"github.com/gantry-platform/gantry/internal/schema"
)

// BenchmarkLoadValidateRender measures what the platform does per deployment of a service
// bundle: load the bundle from its folder, parse and validate the spec, build the contexts
// and render the instance and pipeline templates of the public loadbalanced-fargate-svc.
func BenchmarkLoadValidateRender(b *testing.B) {
	specData := []byte(platformtest.ReadFile(b, platformtest.SamplePath(b, platformtest.SvcSpec)))
	bundleDir := platformtest.SamplePath(b, platformtest.SvcBundle)
	engine := render.New(render.Options{})
	ctx := context.Background()
	for b.Loop() {
		bd, err := bundle.LoadDir(bundleDir, bundle.ProtonLimits)
		if err != nil {
			b.Fatal(err)
		}
		spec, err := schema.ParseSpec(specData)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := RenderSpec(ctx, engine, bd, spec, Fixture{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRunTestdata measures "gantry test" on the queue-svc folder (three files
// rendered, compared and checked against the resource specification), the
// specification loaded once.
func BenchmarkRunTestdata(b *testing.B) {
	spec, err := cfnspec.Load()
	if err != nil {
		b.Fatal(err)
	}
	opts := Options{Renderer: render.New(render.Options{}), Checker: spec}
	for b.Loop() {
		rep, err := Run(context.Background(), filepath.Join("testdata", "queue-svc"), opts)
		if err != nil || !rep.Passed() {
			b.Fatalf("%v %+v", err, rep)
		}
	}
}
