package awsevents

import "strings"

// StackOutcome is where a CloudFormation stack operation stands, as its status tells.
type StackOutcome string

// The stack outcomes.
const (
	// Unknown is the outcome of a status CloudFormation does not define.
	Unknown StackOutcome = ""
	// InProgress: the operation (or its cleanup or rollback) is still running.
	InProgress StackOutcome = "in_progress"
	// Succeeded: the operation completed as asked.
	Succeeded StackOutcome = "succeeded"
	// Failed: the operation failed, whether or not its rollback completed.
	Failed StackOutcome = "failed"
)

// stackStatusOutcomes covers every value of CloudFormation's StackStatus enum.
var stackStatusOutcomes = map[string]StackOutcome{
	"CREATE_IN_PROGRESS":                           InProgress,
	"CREATE_FAILED":                                Failed,
	"CREATE_COMPLETE":                              Succeeded,
	"ROLLBACK_IN_PROGRESS":                         InProgress,
	"ROLLBACK_FAILED":                              Failed,
	"ROLLBACK_COMPLETE":                            Failed,
	"DELETE_IN_PROGRESS":                           InProgress,
	"DELETE_FAILED":                                Failed,
	"DELETE_COMPLETE":                              Succeeded,
	"UPDATE_IN_PROGRESS":                           InProgress,
	"UPDATE_COMPLETE_CLEANUP_IN_PROGRESS":          InProgress,
	"UPDATE_COMPLETE":                              Succeeded,
	"UPDATE_FAILED":                                Failed,
	"UPDATE_ROLLBACK_IN_PROGRESS":                  InProgress,
	"UPDATE_ROLLBACK_FAILED":                       Failed,
	"UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS": InProgress,
	"UPDATE_ROLLBACK_COMPLETE":                     Failed,
	"REVIEW_IN_PROGRESS":                           InProgress,
	"IMPORT_IN_PROGRESS":                           InProgress,
	"IMPORT_COMPLETE":                              Succeeded,
	"IMPORT_ROLLBACK_IN_PROGRESS":                  InProgress,
	"IMPORT_ROLLBACK_FAILED":                       Failed,
	"IMPORT_ROLLBACK_COMPLETE":                     Failed,
}

// ClassifyStackStatus returns the outcome a CloudFormation stack status stands for: every
// *_IN_PROGRESS status (including UPDATE_COMPLETE_CLEANUP_IN_PROGRESS and
// REVIEW_IN_PROGRESS) is InProgress; CREATE_, UPDATE_, DELETE_ and IMPORT_COMPLETE are
// Succeeded; every *_FAILED and every *ROLLBACK_COMPLETE status is Failed. A status
// CloudFormation may add later is classified by the same suffixes; one that fits none
// (or "") is Unknown.
func ClassifyStackStatus(status string) StackOutcome {
	if outcome, ok := stackStatusOutcomes[status]; ok {
		return outcome
	}
	switch {
	case strings.HasSuffix(status, "_IN_PROGRESS"):
		return InProgress
	case strings.HasSuffix(status, "_FAILED"), strings.HasSuffix(status, "ROLLBACK_COMPLETE"):
		return Failed
	case strings.HasSuffix(status, "_COMPLETE"):
		return Succeeded
	}
	return Unknown
}
