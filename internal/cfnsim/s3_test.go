package cfnsim

import (
	"strings"
	"testing"
)

// TestBucketLifecycleRulesS3Refuses: a bucket whose lifecycle rules S3 refuses fails to
// create with S3's message; the rules it takes create.
func TestBucketLifecycleRulesS3Refuses(t *testing.T) {
	const bucket = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      LifecycleConfiguration:\n        Rules:\n          - Id: tiering\n            Status: Enabled\n%s"
	transitions := func(ia, glacier string) string {
		return "            Transitions:\n              - StorageClass: STANDARD_IA\n                TransitionInDays: " + ia +
			"\n              - StorageClass: GLACIER\n                TransitionInDays: " + glacier + "\n"
	}
	for _, tc := range []struct{ name, rule, want string }{
		{"fine", transitions("30", "60") + "            ExpirationInDays: 365\n", ""},
		{"infrequent access too early", transitions("7", "60"), "'Days' in Transition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'"},
		{"glacier too soon after", transitions("90", "90"), "must be 30 days more than"},
		{"expiration before a transition", transitions("30", "90") + "            ExpirationInDays: 60\n", "'Days' in the Expiration action"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim := newSimulator(t, &recorder{})
			mustDeploy(t, sim, "s3", strings.Replace(bucket, "%s", tc.rule, 1), "t1")
			st := mustDescribe(t, sim, "s3")
			switch {
			case tc.want == "" && st.Status != "CREATE_COMPLETE":
				t.Fatalf("Describe = %+v, want CREATE_COMPLETE", st)
			case tc.want != "" && (st.Status != "ROLLBACK_COMPLETE" || !strings.HasPrefix(st.StatusReason, "Bucket: Resource handler returned message:") || !strings.Contains(st.StatusReason, tc.want)):
				t.Fatalf("Describe = %+v, want ROLLBACK_COMPLETE naming %q", st, tc.want)
			}
		})
	}
}
