package statemachine

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func TestParseRejects(t *testing.T) {
	task := func(fields string) string {
		return `{"StartAt":"T","States":{"T":{"Type":"Task",` + fields + `},"H":{"Type":"Succeed"}}}`
	}
	tests := []struct {
		name, definition, field string
	}{
		{"not JSON", `{`, "definition"},
		{"no StartAt", `{"States":{"A":{"Type":"Succeed"}}}`, "StartAt"},
		{"StartAt names no state", `{"StartAt":"B","States":{"A":{"Type":"Succeed"}}}`, "StartAt"},
		{"no States", `{"StartAt":"A"}`, "States"},
		{"JSONata", `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Succeed"}}}`, "QueryLanguage"},
		{"an unknown top-level field", `{"StartAt":"A","Stats":{},"States":{"A":{"Type":"Succeed"}}}`, "Stats"},
		{"an unknown state type", `{"StartAt":"A","States":{"A":{"Type":"Sleep","End":true}}}`, "States.A.Type"},
		{"an unknown field", `{"StartAt":"A","States":{"A":{"Type":"Pass","Resultpath":"$.x","End":true}}}`, "States.A.Resultpath"},
		{"a field of another state type", `{"StartAt":"A","States":{"A":{"Type":"Pass","Resource":"f","End":true}}}`, "States.A.Resource"},
		{"JSONata Arguments", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"f","Arguments":{},"End":true}}}`, "States.A.Arguments"},
		{"variables", `{"StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"x":1},"End":true}}}`, "States.A.Assign"},
		{"neither Next nor End", `{"StartAt":"A","States":{"A":{"Type":"Pass"}}}`, "States.A.Next"},
		{"both Next and End", `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"A","End":true}}}`, "States.A.Next"},
		{"Next names no state", `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"}}}`, "States.A.Next"},
		{"an unreachable state", `{"StartAt":"A","States":{"A":{"Type":"Succeed"},"B":{"Type":"Succeed"}}}`, "States.B"},
		{"a bad InputPath", `{"StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"$.a[*]","End":true}}}`, "States.A.InputPath"},
		{"a filter in a path", `{"StartAt":"A","States":{"A":{"Type":"Pass","OutputPath":"$.a[?(@.b)]","End":true}}}`, "States.A.OutputPath"},
		{"a context ResultPath", `{"StartAt":"A","States":{"A":{"Type":"Pass","ResultPath":"$$.x","End":true}}}`, "States.A.ResultPath"},
		{"a bad Parameters path", `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"x":{"y.$":"a.b"}},"End":true}}}`, "States.A.Parameters.x.y.$"},
		{"an unknown intrinsic", `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"x.$":"States.Nope()"},"End":true}}}`, "States.A.Parameters.x.$"},
		{"a .$ field that is not a string", `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"x.$":1},"End":true}}}`, "States.A.Parameters.x.$"},
		{"no Resource", task(`"End":true`), "States.T.Resource"},
		{"another service", task(`"Resource":"arn:aws:states:::sqs:sendMessage","End":true`), "States.T.Resource"},
		{"an ARN that is not a function", task(`"Resource":"arn:aws:sns:eu-west-1:123456789012:topic","End":true`), "States.T.Resource"},
		{"lambda:invoke without FunctionName", task(`"Resource":"arn:aws:states:::lambda:invoke","Parameters":{"Payload.$":"$"},"End":true`), "States.T.Parameters"},
		{"a zero TimeoutSeconds", task(`"Resource":"f","TimeoutSeconds":0,"End":true`), "States.T.TimeoutSeconds"},
		{"HeartbeatSeconds not below TimeoutSeconds", task(`"Resource":"f","TimeoutSeconds":10,"HeartbeatSeconds":10,"End":true`), "States.T.HeartbeatSeconds"},
		{"States.ALL not alone", task(`"Resource":"f","Retry":[{"ErrorEquals":["States.ALL","X"]}],"End":true`), "States.T.Retry[0].ErrorEquals"},
		{"States.ALL not last", task(`"Resource":"f","Catch":[{"ErrorEquals":["States.ALL"],"Next":"H"},{"ErrorEquals":["X"],"Next":"H"}],"End":true`), "States.T.Catch[0].ErrorEquals"},
		{"an empty ErrorEquals", task(`"Resource":"f","Retry":[{"ErrorEquals":[]}],"End":true`), "States.T.Retry[0].ErrorEquals"},
		{"a BackoffRate below 1", task(`"Resource":"f","Retry":[{"ErrorEquals":["X"],"BackoffRate":0.5}],"End":true`), "States.T.Retry[0].BackoffRate"},
		{"a bad JitterStrategy", task(`"Resource":"f","Retry":[{"ErrorEquals":["X"],"JitterStrategy":"SOME"}],"End":true`), "States.T.Retry[0].JitterStrategy"},
		{"a catcher without Next", task(`"Resource":"f","Catch":[{"ErrorEquals":["X"]}],"End":true`), "States.T.Catch[0].Next"},
		{"a catcher to no state", task(`"Resource":"f","Catch":[{"ErrorEquals":["X"],"Next":"Nowhere"}],"End":true`), "States.T.Catch[0].Next"},
		{"MaxAttempts as text", task(`"Resource":"f","Retry":[{"ErrorEquals":["X"],"MaxAttempts":"3"}],"End":true`), "States.T.Retry[0].MaxAttempts"},
		{"Choice without rules", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[]}}}`, "States.C.Choices"},
		{"a rule without Next", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.a","IsNull":true}],"Default":"D"},"D":{"Type":"Succeed"}}}`, "States.C.Choices[0].Next"},
		{"a rule with two operators", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.a","IsNull":true,"IsPresent":true,"Next":"D"}]},"D":{"Type":"Succeed"}}}`, "States.C.Choices[0]"},
		{"an unknown operator", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.a","StringContains":"x","Next":"D"}]},"D":{"Type":"Succeed"}}}`, "States.C.Choices[0].StringContains"},
		{"an operand of the wrong type", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.a","NumericEquals":"1","Next":"D"}]},"D":{"Type":"Succeed"}}}`, "States.C.Choices[0].NumericEquals"},
		{"a bad timestamp operand", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.a","TimestampEquals":"yesterday","Next":"D"}]},"D":{"Type":"Succeed"}}}`, "States.C.Choices[0].TimestampEquals"},
		{"a nested Next", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Not":{"Variable":"$.a","IsNull":true,"Next":"D"},"Next":"D"}]},"D":{"Type":"Succeed"}}}`, "States.C.Choices[0].Not.Next"},
		{"Default to no state", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.a","IsNull":true,"Next":"D"}],"Default":"E"},"D":{"Type":"Succeed"}}}`, "States.C.Default"},
		{"Wait with two durations", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1,"SecondsPath":"$.s","End":true}}}`, "States.W"},
		{"Wait with a negative time", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":-1,"End":true}}}`, "States.W.Seconds"},
		{"Wait with a lowercase timestamp", `{"StartAt":"W","States":{"W":{"Type":"Wait","Timestamp":"2025-01-01t00:00:00z","End":true}}}`, "States.W.Timestamp"},
		{"Fail with Error and ErrorPath", `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E","ErrorPath":"$.e"}}}`, "States.F.ErrorPath"},
		{"Parallel without branches", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[],"End":true}}}`, "States.P.Branches"},
		{"a branch leaving its scope", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"X"}}}],"Next":"X"},"X":{"Type":"Succeed"}}}`, "States.P.Branches[0].States.A.Next"},
		{"a bad state in a branch", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass"}}}],"End":true}}}`, "States.P.Branches[0].States.A.Next"},
		{"Map without a processor", `{"StartAt":"M","States":{"M":{"Type":"Map","End":true}}}`, "States.M.ItemProcessor"},
		{"a distributed Map", `{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"A","States":{"A":{"Type":"Succeed"}}},"End":true}}}`, "States.M.ItemProcessor.ProcessorConfig.Mode"},
		{"an ItemReader", `{"StartAt":"M","States":{"M":{"Type":"Map","ItemReader":{},"ItemProcessor":{"StartAt":"A","States":{"A":{"Type":"Succeed"}}},"End":true}}}`, "States.M.ItemReader"},
		{"both ItemSelector and Parameters", `{"StartAt":"M","States":{"M":{"Type":"Map","ItemSelector":{},"Parameters":{},"ItemProcessor":{"StartAt":"A","States":{"A":{"Type":"Succeed"}}},"End":true}}}`, "States.M.Parameters"},
		{"a bad state in a processor", `{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"StartAt":"A","States":{"A":{"Type":"Pass","Result":1}}},"End":true}}}`, "States.M.ItemProcessor.States.A.Next"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.definition))
			assertField(t, err, tc.field)
		})
	}
}

// testdataDefinitions returns the paths of testdata/*.asl.json.
func testdataDefinitions(t *testing.T) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*.asl.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no testdata/*.asl.json: %v", err)
	}
	return paths
}

func TestParseTestdata(t *testing.T) {
	for _, path := range testdataDefinitions(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(data); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
}

// TestASLValidatorAcceptsTestdata checks that every definition the runner is tested on is
// also valid for the npm asl-validator, so the runner is not tested on definitions Step
// Functions would refuse.
func TestASLValidatorAcceptsTestdata(t *testing.T) {
	validateWithASLValidator(t, testdataDefinitions(t)...)
}

// validateWithASLValidator runs the npm asl-validator (installed by npm install at the
// repository root) on the definition files at paths, in one process, and fails the test
// if it rejects one. Without the validator the test fails when CI=true and is skipped
// otherwise.
func validateWithASLValidator(t *testing.T, paths ...string) {
	t.Helper()
	validator := aslValidatorPath(t)
	var args []string
	for _, path := range paths {
		args = append(args, "--json-path", path)
	}
	out, err := exec.Command(validator, args...).CombinedOutput()
	if err != nil {
		t.Errorf("asl-validator rejects %v: %v\n%s", paths, err, out)
	}
}

func aslValidatorPath(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
	validator := filepath.Join(dir, "node_modules", ".bin", "asl-validator")
	if _, err := os.Stat(validator); err != nil {
		t.Fatalf("asl-validator is not installed (%v): run npm ci at the repository root (make test does)", err)
	}
	return validator
}

func TestASLValidatorRejectsABadDefinition(t *testing.T) {
	// The check above must be able to fail: the validator rejects an unreachable state.
	validator := aslValidatorPath(t)
	bad := filepath.Join(t.TempDir(), "bad.asl.json")
	if err := os.WriteFile(bad, []byte(`{"StartAt":"B","States":{"A":{"Type":"Pass","End":true}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(validator, "--json-path", bad).CombinedOutput(); err == nil {
		t.Errorf("asl-validator accepts a definition whose StartAt names no state:\n%s", out)
	}
}
