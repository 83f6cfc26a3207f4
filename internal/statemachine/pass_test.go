package statemachine

import "testing"

// passMachine wraps one Pass state's fields into a definition.
func passMachine(fields string) string {
	return `{"StartAt":"P","States":{"P":{"Type":"Pass",` + fields + `,"End":true}}}`
}

func TestDataFlow(t *testing.T) {
	tests := []struct {
		name, fields, input, want string
	}{
		{"passes its input", `"Comment":"x"`, `{"a":1}`, `{"a":1}`},
		{"Result replaces the input", `"Result":{"r":true}`, `{"a":1}`, `{"r":true}`},
		{"ResultPath adds the result", `"Result":"v","ResultPath":"$.b"`, `{"a":1}`, `{"a":1,"b":"v"}`},
		{"ResultPath creates objects", `"Result":2,"ResultPath":"$.x.y.z"`, `{"a":1}`, `{"a":1,"x":{"y":{"z":2}}}`},
		{"ResultPath replaces a field", `"Result":2,"ResultPath":"$.a"`, `{"a":1}`, `{"a":2}`},
		{"ResultPath into an array element", `"Result":9,"ResultPath":"$.l[1]"`, `{"l":[1,2,3]}`, `{"l":[1,9,3]}`},
		{"ResultPath null discards", `"Result":2,"ResultPath":null`, `{"a":1}`, `{"a":1}`},
		{"ResultPath $ replaces", `"Result":2,"ResultPath":"$"`, `{"a":1}`, `2`},
		{"InputPath selects", `"InputPath":"$.a.b"`, `{"a":{"b":[1,2]}}`, `[1,2]`},
		{"InputPath with an index", `"InputPath":"$.l[1].n"`, `{"l":[{"n":1},{"n":2}]}`, `2`},
		{"InputPath with a quoted field", `"InputPath":"$['odd key']"`, `{"odd key":"v"}`, `"v"`},
		{"InputPath null gives {}", `"InputPath":null`, `{"a":1}`, `{}`},
		{"OutputPath selects", `"Result":{"x":{"y":1}},"ResultPath":"$.r","OutputPath":"$.r.x"`, `{}`, `{"y":1}`},
		{"OutputPath null gives {}", `"OutputPath":null`, `{"a":1}`, `{}`},
		{"Parameters build the result", `"Parameters":{"fixed":"f","a.$":"$.a","nested":{"b.$":"$.b[0]"},"list":[{"c.$":"$.a"}]}`, `{"a":1,"b":["x"]}`, `{"fixed":"f","a":1,"nested":{"b":"x"},"list":[{"c":1}]}`},
		{"Parameters with ResultPath", `"Parameters":{"v.$":"$.a"},"ResultPath":"$.p"`, `{"a":1}`, `{"a":1,"p":{"v":1}}`},
		{"InputPath then Parameters", `"InputPath":"$.in","Parameters":{"v.$":"$.x"}`, `{"in":{"x":3}}`, `{"v":3}`},
		{"Parameters read the context object", `"Parameters":{"id.$":"$$.Execution.Id","name.$":"$$.Execution.Name","in.$":"$$.Execution.Input.a","state.$":"$$.State.Name","entered.$":"$$.State.EnteredTime","start.$":"$$.Execution.StartTime","sm.$":"$$.StateMachine.Name","retries.$":"$$.State.RetryCount"}`, `{"a":1}`,
			`{"id":"arn:aws:states:local:000000000000:execution:StateMachine:id-1","name":"id-1","in":1,"state":"P","entered":"2025-03-14T01:59:00.000Z","start":"2025-03-14T01:59:00.000Z","sm":"StateMachine","retries":0}`},
		{"Parameters read the whole context", `"Parameters":{"c.$":"$$.Execution.Input"}`, `{"a":[1]}`, `{"c":{"a":[1]}}`},
		{"big numbers stay exact", `"Parameters":{"n.$":"$.n"}`, `{"n":12345678901234567890}`, `{"n":12345678901234567890}`},
		{"strings keep <>&", `"Parameters":{"s.$":"$.s"}`, `{"s":"<a&b>"}`, `{"s":"<a&b>"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			exec := runDefinition(t, passMachine(tc.fields), tc.input, nil)
			assertSucceeded(t, exec, tc.want)
		})
	}
}

func TestDataFlowRuntimeErrors(t *testing.T) {
	tests := []struct {
		name, fields, input, wantError string
	}{
		{"InputPath selects nothing", `"InputPath":"$.missing"`, `{"a":1}`, ErrorRuntime},
		{"OutputPath selects nothing", `"OutputPath":"$.missing"`, `{"a":1}`, ErrorRuntime},
		{"a Parameters path selects nothing", `"Parameters":{"v.$":"$.missing"}`, `{"a":1}`, ErrorRuntime},
		{"an index past the end", `"Parameters":{"v.$":"$.l[5]"}`, `{"l":[1]}`, ErrorRuntime},
		{"ResultPath through a string", `"Result":1,"ResultPath":"$.a.b"`, `{"a":"text"}`, ErrorResultPathMatchFailed},
		{"ResultPath into a string input", `"Result":1,"ResultPath":"$.a"`, `"text"`, ErrorResultPathMatchFailed},
		{"a failing intrinsic", `"Parameters":{"v.$":"States.ArrayGetItem($.l, 3)"}`, `{"l":[1]}`, ErrorIntrinsicFailure},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assertFailed(t, runDefinition(t, passMachine(tc.fields), tc.input, nil), tc.wantError)
		})
	}
}
