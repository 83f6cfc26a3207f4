package awsevents

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// TestEveryStackStatusIsClassified checks the table against the SDK's StackStatus enum, so
// that a status CloudFormation adds shows up here when the SDK is upgraded.
func TestEveryStackStatusIsClassified(t *testing.T) {
	statuses := types.StackStatus("").Values()
	if len(statuses) < 23 {
		t.Fatalf("the SDK lists %d stack statuses, expected at least 23", len(statuses))
	}
	for _, s := range statuses {
		if _, ok := stackStatusOutcomes[string(s)]; !ok {
			t.Errorf("stack status %s has no explicit outcome", s)
		}
	}
	if len(stackStatusOutcomes) != len(statuses) {
		t.Errorf("the table has %d statuses, the SDK %d", len(stackStatusOutcomes), len(statuses))
	}
}

func TestClassifyStackStatus(t *testing.T) {
	for status, want := range map[string]StackOutcome{
		"CREATE_COMPLETE":                              Succeeded,
		"UPDATE_COMPLETE":                              Succeeded,
		"DELETE_COMPLETE":                              Succeeded,
		"IMPORT_COMPLETE":                              Succeeded,
		"ROLLBACK_COMPLETE":                            Failed,
		"UPDATE_ROLLBACK_COMPLETE":                     Failed,
		"IMPORT_ROLLBACK_COMPLETE":                     Failed,
		"CREATE_FAILED":                                Failed,
		"DELETE_FAILED":                                Failed,
		"ROLLBACK_FAILED":                              Failed,
		"UPDATE_ROLLBACK_FAILED":                       Failed,
		"UPDATE_FAILED":                                Failed,
		"IMPORT_ROLLBACK_FAILED":                       Failed,
		"CREATE_IN_PROGRESS":                           InProgress,
		"UPDATE_IN_PROGRESS":                           InProgress,
		"DELETE_IN_PROGRESS":                           InProgress,
		"ROLLBACK_IN_PROGRESS":                         InProgress,
		"UPDATE_ROLLBACK_IN_PROGRESS":                  InProgress,
		"UPDATE_COMPLETE_CLEANUP_IN_PROGRESS":          InProgress,
		"UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS": InProgress,
		"REVIEW_IN_PROGRESS":                           InProgress,
		"IMPORT_IN_PROGRESS":                           InProgress,
		"IMPORT_ROLLBACK_IN_PROGRESS":                  InProgress,
		// Statuses CloudFormation might add: classified by suffix.
		"MIGRATE_IN_PROGRESS":       InProgress,
		"MIGRATE_COMPLETE":          Succeeded,
		"MIGRATE_ROLLBACK_COMPLETE": Failed,
		"MIGRATE_FAILED":            Failed,
		"":                          Unknown,
		"create_complete":           Unknown,
		"PAUSED":                    Unknown,
	} {
		if got := ClassifyStackStatus(status); got != want {
			t.Errorf("ClassifyStackStatus(%q) = %q, want %q", status, got, want)
		}
	}
}
