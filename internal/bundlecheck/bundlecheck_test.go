package bundlecheck_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/bundle"
	"github.com/gantry-platform/gantry/internal/bundlecheck"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

func load(t *testing.T, overrides map[string]string) func() (*bundle.Bundle, error) {
	archive := platformtest.TarGz(t, platformtest.SamplePath(t, platformtest.EnvBundle), overrides)
	return func() (*bundle.Bundle, error) {
		return bundle.LoadTarGz(strings.NewReader(string(archive)), bundle.ProtonLimits)
	}
}

func TestCheck(t *testing.T) {
	ctx := context.Background()
	res, err := bundlecheck.Check(ctx, load(t, nil), bundlecheck.Options{})
	if err != nil || res.Err() != nil || res.Bundle == nil {
		t.Fatalf("the sample: %+v, %v", res, err)
	}

	// A problem of each stage: loading, rendering, the resource specification.
	for name, c := range map[string]struct {
		overrides map[string]string
		want      string
	}{
		"load":   {map[string]string{"schema/schema.yaml": "schema: ["}, "schema/schema.yaml:"},
		"render": {map[string]string{"infrastructure/cloudformation.yaml": "Resources: {{ environment.inputs.nope.deeper }}\n"}, "infrastructure/cloudformation.yaml:1:"},
		"cfn":    {map[string]string{"infrastructure/cloudformation.yaml": "Resources:\n  X:\n    Type: AWS::Foo::Bar\n"}, "infrastructure/cloudformation.yaml (rendered):3:"},
	} {
		res, err := bundlecheck.Check(ctx, load(t, c.overrides), bundlecheck.Options{})
		if err != nil || len(res.Problems) == 0 || !strings.HasPrefix(res.Problems[0], c.want) {
			t.Errorf("%s: problems %q, error %v; want one starting %q", name, res.Problems, err, c.want)
			continue
		}
		if e := res.Err(); platform.KindOf(e) != platform.Invalid || !strings.HasPrefix(e.Error(), "invalid bundle: "+c.want) {
			t.Errorf("%s: Err() = %v", name, e)
		}
	}

	// A failure that is not the bundle's is the error.
	boom := errors.New("boom")
	if _, err := bundlecheck.Check(ctx, func() (*bundle.Bundle, error) { return nil, boom }, bundlecheck.Options{}); !errors.Is(err, boom) {
		t.Fatalf("a load failure: %v", err)
	}
}
