package statemachine

import (
	"testing"
	"time"
)

// choiceMachine routes to Yes when rule holds and to No otherwise.
func choiceMachine(rule string) string {
	return `{"StartAt":"C","States":{
		"C":{"Type":"Choice","Choices":[` + rule + `],"Default":"No"},
		"Yes":{"Type":"Pass","Result":"yes","End":true},
		"No":{"Type":"Pass","Result":"no","End":true}}}`
}

func TestChoice(t *testing.T) {
	input := `{"s":"abc","n":10,"f":2.5,"b":true,"null":null,"ts":"2025-03-14T01:59:00Z","later":"2025-03-15T00:00:00Z","s2":"abc","n2":10,"o":{"k":"v"},"file":"report-2025.csv"}`
	tests := []struct {
		name, rule string
		want       bool
	}{
		{"StringEquals", `{"Variable":"$.s","StringEquals":"abc","Next":"Yes"}`, true},
		{"StringEquals differs", `{"Variable":"$.s","StringEquals":"abd","Next":"Yes"}`, false},
		{"StringEquals on a number", `{"Variable":"$.n","StringEquals":"10","Next":"Yes"}`, false},
		{"StringEqualsPath", `{"Variable":"$.s","StringEqualsPath":"$.s2","Next":"Yes"}`, true},
		{"StringLessThan", `{"Variable":"$.s","StringLessThan":"abd","Next":"Yes"}`, true},
		{"StringGreaterThan", `{"Variable":"$.s","StringGreaterThan":"abd","Next":"Yes"}`, false},
		{"StringLessThanEquals", `{"Variable":"$.s","StringLessThanEquals":"abc","Next":"Yes"}`, true},
		{"StringGreaterThanEquals", `{"Variable":"$.s","StringGreaterThanEquals":"abc","Next":"Yes"}`, true},
		{"StringMatches", `{"Variable":"$.file","StringMatches":"report-*.csv","Next":"Yes"}`, true},
		{"StringMatches no match", `{"Variable":"$.file","StringMatches":"*.json","Next":"Yes"}`, false},
		{"StringMatches an escaped star", `{"Variable":"$.file","StringMatches":"report\\*","Next":"Yes"}`, false},
		{"NumericEquals", `{"Variable":"$.n","NumericEquals":10,"Next":"Yes"}`, true},
		{"NumericEquals a float", `{"Variable":"$.f","NumericEquals":2.5,"Next":"Yes"}`, true},
		{"NumericEquals on a string", `{"Variable":"$.s","NumericEquals":10,"Next":"Yes"}`, false},
		{"NumericEqualsPath", `{"Variable":"$.n","NumericEqualsPath":"$.n2","Next":"Yes"}`, true},
		{"NumericLessThan", `{"Variable":"$.n","NumericLessThan":11,"Next":"Yes"}`, true},
		{"NumericLessThanPath", `{"Variable":"$.f","NumericLessThanPath":"$.n","Next":"Yes"}`, true},
		{"NumericGreaterThan", `{"Variable":"$.n","NumericGreaterThan":10,"Next":"Yes"}`, false},
		{"NumericLessThanEquals", `{"Variable":"$.n","NumericLessThanEquals":10,"Next":"Yes"}`, true},
		{"NumericGreaterThanEquals", `{"Variable":"$.n","NumericGreaterThanEquals":10.5,"Next":"Yes"}`, false},
		{"BooleanEquals", `{"Variable":"$.b","BooleanEquals":true,"Next":"Yes"}`, true},
		{"BooleanEqualsPath", `{"Variable":"$.b","BooleanEqualsPath":"$.b","Next":"Yes"}`, true},
		{"TimestampEquals", `{"Variable":"$.ts","TimestampEquals":"2025-03-14T01:59:00Z","Next":"Yes"}`, true},
		{"TimestampLessThan", `{"Variable":"$.ts","TimestampLessThan":"2025-03-14T02:00:00Z","Next":"Yes"}`, true},
		{"TimestampGreaterThan", `{"Variable":"$.ts","TimestampGreaterThan":"2025-03-14T02:00:00Z","Next":"Yes"}`, false},
		{"TimestampLessThanPath", `{"Variable":"$.ts","TimestampLessThanPath":"$.later","Next":"Yes"}`, true},
		{"TimestampGreaterThanEquals", `{"Variable":"$.ts","TimestampGreaterThanEquals":"2025-03-14T01:59:00Z","Next":"Yes"}`, true},
		{"TimestampLessThanEquals on a string", `{"Variable":"$.s","TimestampLessThanEquals":"2025-03-14T01:59:00Z","Next":"Yes"}`, false},
		{"IsPresent", `{"Variable":"$.o.k","IsPresent":true,"Next":"Yes"}`, true},
		{"IsPresent on a missing field", `{"Variable":"$.missing","IsPresent":true,"Next":"Yes"}`, false},
		{"IsPresent false", `{"Variable":"$.missing","IsPresent":false,"Next":"Yes"}`, true},
		{"IsNull", `{"Variable":"$.null","IsNull":true,"Next":"Yes"}`, true},
		{"IsNull on a value", `{"Variable":"$.s","IsNull":true,"Next":"Yes"}`, false},
		{"IsNumeric", `{"Variable":"$.f","IsNumeric":true,"Next":"Yes"}`, true},
		{"IsString", `{"Variable":"$.n","IsString":true,"Next":"Yes"}`, false},
		{"IsBoolean", `{"Variable":"$.b","IsBoolean":true,"Next":"Yes"}`, true},
		{"IsTimestamp", `{"Variable":"$.ts","IsTimestamp":true,"Next":"Yes"}`, true},
		{"IsTimestamp on text", `{"Variable":"$.s","IsTimestamp":true,"Next":"Yes"}`, false},
		{"And", `{"And":[{"Variable":"$.s","StringEquals":"abc"},{"Variable":"$.n","NumericGreaterThan":5}],"Next":"Yes"}`, true},
		{"And with one false", `{"And":[{"Variable":"$.s","StringEquals":"abc"},{"Variable":"$.n","NumericGreaterThan":50}],"Next":"Yes"}`, false},
		{"Or", `{"Or":[{"Variable":"$.s","StringEquals":"x"},{"Variable":"$.b","BooleanEquals":true}],"Next":"Yes"}`, true},
		{"Not", `{"Not":{"Variable":"$.s","StringEquals":"abc"},"Next":"Yes"}`, false},
		{"nested", `{"Not":{"Or":[{"Variable":"$.missing","IsPresent":true},{"And":[{"Variable":"$.n","NumericEquals":1}]}]},"Next":"Yes"}`, true},
		{"a context path", `{"Variable":"$$.State.Name","StringEquals":"C","Next":"Yes"}`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := `"no"`
			if tc.want {
				want = `"yes"`
			}
			assertSucceeded(t, runDefinition(t, choiceMachine(tc.rule), input, nil), want)
		})
	}
}

func TestChoiceFirstMatchWinsAndPassesInput(t *testing.T) {
	def := `{"StartAt":"C","States":{
		"C":{"Type":"Choice","InputPath":"$.in","OutputPath":"$.o","Choices":[
			{"Variable":"$.v","NumericGreaterThan":1,"Next":"A"},
			{"Variable":"$.v","NumericGreaterThan":0,"Next":"B"}]},
		"A":{"Type":"Pass","ResultPath":"$.at","Result":"A","End":true},
		"B":{"Type":"Pass","ResultPath":"$.at","Result":"B","End":true}}}`
	assertSucceeded(t, runDefinition(t, def, `{"in":{"v":5,"o":{"k":1}}}`, nil), `{"k":1,"at":"A"}`)
}

func TestChoiceErrors(t *testing.T) {
	t.Run("no rule matches and there is no Default", func(t *testing.T) {
		def := `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericEquals":1,"Next":"D"}]},"D":{"Type":"Succeed"}}}`
		assertFailed(t, runDefinition(t, def, `{"n":2}`, nil), ErrorNoChoiceMatched)
	})
	t.Run("the Variable selects nothing", func(t *testing.T) {
		assertFailed(t, runDefinition(t, choiceMachine(`{"Variable":"$.missing","StringEquals":"x","Next":"Yes"}`), `{}`, nil), ErrorRuntime)
	})
	t.Run("the operand path selects nothing", func(t *testing.T) {
		assertFailed(t, runDefinition(t, choiceMachine(`{"Variable":"$.s","StringEqualsPath":"$.missing","Next":"Yes"}`), `{"s":"x"}`, nil), ErrorRuntime)
	})
}

func TestWildcardMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"a*c", "abbbc", true},
		{"a*c", "abbbd", false},
		{"*.log", "x.log", true},
		{`a\*`, "a*", true},
		{`a\*`, "ab", false},
		{`a\\b`, `a\b`, true},
		{"a*b*c", "aXbYc", true},
	}
	for _, tc := range tests {
		if got := wildcardMatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("wildcardMatch(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}

func TestWait(t *testing.T) {
	tests := []struct {
		name, fields, input string
		want                time.Duration
	}{
		{"Seconds", `"Seconds":10`, `{}`, 10 * time.Second},
		{"SecondsPath", `"SecondsPath":"$.s"`, `{"s":7}`, 7 * time.Second},
		{"Timestamp", `"Timestamp":"2025-03-14T02:00:30Z"`, `{}`, 90 * time.Second},
		{"TimestampPath", `"TimestampPath":"$.at"`, `{"at":"2025-03-14T01:59:05.5Z"}`, 5500 * time.Millisecond},
		{"a Timestamp in the past", `"Timestamp":"2020-01-01T00:00:00Z"`, `{}`, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sleeps := &sleepRecorder{}
			opts := testOptions(echoInvoker)
			opts.Sleep = sleeps.Sleep
			r := mustRunner(t, `{"StartAt":"W","States":{"W":{"Type":"Wait",`+tc.fields+`,"OutputPath":"$","Next":"D"},"D":{"Type":"Succeed"}}}`, opts)
			assertSucceeded(t, mustComplete(t, r, tc.input), tc.input)
			if got := sleeps.Durations(); len(got) != 1 || got[0] != tc.want {
				t.Errorf("slept %v, want [%v]", got, tc.want)
			}
		})
	}
	t.Run("SecondsPath must select a non-negative integer", func(t *testing.T) {
		def := `{"StartAt":"W","States":{"W":{"Type":"Wait","SecondsPath":"$.s","End":true}}}`
		assertFailed(t, runDefinition(t, def, `{"s":-1}`, nil), ErrorRuntime)
		assertFailed(t, runDefinition(t, def, `{"s":"ten"}`, nil), ErrorRuntime)
	})
	t.Run("TimestampPath must select a timestamp", func(t *testing.T) {
		def := `{"StartAt":"W","States":{"W":{"Type":"Wait","TimestampPath":"$.at","End":true}}}`
		assertFailed(t, runDefinition(t, def, `{"at":"tomorrow"}`, nil), ErrorRuntime)
	})
}

func TestSucceedAndFail(t *testing.T) {
	t.Run("Succeed applies InputPath and OutputPath", func(t *testing.T) {
		def := `{"StartAt":"S","States":{"S":{"Type":"Succeed","InputPath":"$.a","OutputPath":"$.b"}}}`
		assertSucceeded(t, runDefinition(t, def, `{"a":{"b":1}}`, nil), `1`)
	})
	t.Run("Fail with Error and Cause", func(t *testing.T) {
		def := `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Broken","Cause":"it broke"}}}`
		exec := runDefinition(t, def, `{}`, nil)
		assertFailed(t, exec, "Broken")
		if exec.Cause != "it broke" {
			t.Errorf("cause = %q", exec.Cause)
		}
	})
	t.Run("Fail with ErrorPath and CausePath", func(t *testing.T) {
		def := `{"StartAt":"F","States":{"F":{"Type":"Fail","ErrorPath":"$.e","CausePath":"States.Format('{} failed', $.what)"}}}`
		exec := runDefinition(t, def, `{"e":"StackFailed","what":"deploy"}`, nil)
		assertFailed(t, exec, "StackFailed")
		if exec.Cause != "deploy failed" {
			t.Errorf("cause = %q", exec.Cause)
		}
	})
	t.Run("ErrorPath must select a string", func(t *testing.T) {
		def := `{"StartAt":"F","States":{"F":{"Type":"Fail","ErrorPath":"$.e"}}}`
		assertFailed(t, runDefinition(t, def, `{"e":1}`, nil), ErrorRuntime)
		assertFailed(t, runDefinition(t, def, `{}`, nil), ErrorRuntime)
	})
}
