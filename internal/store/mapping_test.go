package store

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"

	"github.com/gantry-platform/gantry/internal/platform"
)

// BenchmarkDecodeEnvironment measures what GetEnvironment adds to the GetItem round trip
// on the CPU: decoding the item and mapping it to the domain type.
func BenchmarkDecodeEnvironment(b *testing.B) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	av, err := attributevalue.MarshalMap(newEnvironmentItem(platform.Environment{Name: "Beta", Description: "beta", Deployable: platform.Deployable{
		TemplateName: "vpc", TemplateVersion: platform.Version{Major: 1}, Spec: "proton: EnvironmentSpec\n",
		Outputs: []platform.Output{{Key: "VpcId", Value: "vpc-1"}}, DeploymentStatus: platform.InProgress,
		LastDeploymentID: "d1", LastAttemptedAt: at, CreatedAt: at, Revision: 1,
	}}))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		var it environmentItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			b.Fatal(err)
		}
		if _, err := it.domain(); err != nil {
			b.Fatal(err)
		}
	}
}

func TestTimesSortAsStrings(t *testing.T) {
	base := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	times := []time.Time{base, base.Add(100 * time.Millisecond), base.Add(123456789), base.Add(time.Second), base.Add(time.Second + 1)}
	for i := 1; i < len(times); i++ {
		if a, b := formatTime(times[i-1]), formatTime(times[i]); a >= b {
			t.Errorf("formatTime(%v) = %q does not sort before formatTime(%v) = %q", times[i-1], a, times[i], b)
		}
	}
	local := base.In(time.FixedZone("x", 3600))
	if formatTime(local) != formatTime(base) {
		t.Errorf("formatTime depends on the zone: %q vs %q", formatTime(local), formatTime(base))
	}
}
