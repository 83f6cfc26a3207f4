package statemachine

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
)

func TestParallel(t *testing.T) {
	def := `{"StartAt":"P","States":{"P":{"Type":"Parallel","InputPath":"$.in","Parameters":{"v.$":"$.v"},
		"Branches":[
			{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"a.$":"$.v"},"End":true}}},
			{"StartAt":"B","States":{"B":{"Type":"Task","Resource":"render","Next":"B2"},"B2":{"Type":"Pass","OutputPath":"$.payload","End":true}}}],
		"ResultSelector":{"first.$":"$[0].a","second.$":"$[1]"},"ResultPath":"$.out","End":true}}}`
	assertSucceeded(t, runDefinition(t, def, `{"in":{"v":7,"x":0}}`, nil), `{"in":{"v":7,"x":0},"out":{"first":7,"second":{"v":7}}}`)
}

func TestParallelBranchFailure(t *testing.T) {
	// Branch 0 waits for a token that never comes; branch 1 fails. The failure stops
	// branch 0 and reaches the Parallel state's Catch.
	inv := tokenInvoker{tokens: make(chan string, 1)}
	def := `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[
			{"StartAt":"W","States":{"W":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken","Parameters":{"FunctionName":"f","Payload":{"token.$":"$$.Task.Token"}},"End":true}}},
			{"StartAt":"Gate","States":{"Gate":{"Type":"Task","Resource":"gate","Next":"F"},"F":{"Type":"Fail","Error":"BranchBroke","Cause":"branch 1"}}}],
		"Catch":[{"ErrorEquals":["BranchBroke"],"ResultPath":"$.err","Next":"Done"}],"End":true},
		"Done":{"Type":"Pass","End":true}}}`
	var token string
	gate := invokerFunc(func(ctx context.Context, name string, payload []byte) ([]byte, error) {
		if name == "gate" {
			token = receive(t, inv.tokens) // let branch 0 start waiting first
			return []byte(`{}`), nil
		}
		return inv.Invoke(ctx, name, payload)
	})
	r := mustRunner(t, def, testOptions(gate))
	exec := mustComplete(t, r, `{"a":1}`)
	assertSucceeded(t, exec, `{"a":1,"err":{"Error":"BranchBroke","Cause":"branch 1"}}`)
	assertTokenError(t, r.SendTaskSuccess(t.Context(), token, json.RawMessage(`{}`)), "conflict", "TaskTimedOut")
}

func TestParallelRetry(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	inv := invokerFunc(func(context.Context, string, []byte) ([]byte, error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 1 {
			return nil, &StackFailed{}
		}
		return []byte(`"ok"`), nil
	})
	def := `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"f","End":true}}}],
		"Retry":[{"ErrorEquals":["StackFailed"]}],"End":true}}}`
	assertSucceeded(t, runDefinition(t, def, `{}`, inv), `["ok"]`)
}

func TestMap(t *testing.T) {
	tests := []struct {
		name, fields, input, want string
	}{
		{"ItemsPath and ItemProcessor", `"ItemsPath":"$.items","ItemProcessor":{"ProcessorConfig":{"Mode":"INLINE"},"StartAt":"D","States":{"D":{"Type":"Pass","Parameters":{"double.$":"States.MathAdd($.n, $.n)"},"End":true}}}`,
			`{"items":[{"n":1},{"n":2},{"n":3}]}`, `[{"double":2},{"double":4},{"double":6}]`},
		{"ItemSelector with the item and shared input", `"ItemsPath":"$.items","ItemSelector":{"index.$":"$$.Map.Item.Index","value.$":"$$.Map.Item.Value","env.$":"$.env"},"ItemProcessor":{"StartAt":"D","States":{"D":{"Type":"Pass","End":true}}},"ResultPath":"$.results"`,
			`{"env":"prod","items":["a","b"]}`, `{"env":"prod","items":["a","b"],"results":[{"index":0,"value":"a","env":"prod"},{"index":1,"value":"b","env":"prod"}]}`},
		{"Iterator and Parameters (the older names)", `"ItemsPath":"$.items","Parameters":{"v.$":"$$.Map.Item.Value"},"Iterator":{"StartAt":"D","States":{"D":{"Type":"Pass","OutputPath":"$.v","End":true}}}`,
			`{"items":[1,2]}`, `[1,2]`},
		{"the whole input as items", `"MaxConcurrency":1,"ItemProcessor":{"StartAt":"D","States":{"D":{"Type":"Task","Resource":"f","OutputPath":"$.payload","End":true}}}`,
			`[1,2,3]`, `[1,2,3]`},
		{"no items", `"ItemsPath":"$.items","ItemProcessor":{"StartAt":"D","States":{"D":{"Type":"Pass","End":true}}}`,
			`{"items":[]}`, `[]`},
		{"ResultSelector", `"ItemProcessor":{"StartAt":"D","States":{"D":{"Type":"Pass","End":true}}},"ResultSelector":{"count.$":"States.ArrayLength($)"}`,
			`[1,2,3]`, `{"count":3}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			def := `{"StartAt":"M","States":{"M":{"Type":"Map",` + tc.fields + `,"End":true}}}`
			assertSucceeded(t, runDefinition(t, def, tc.input, nil), tc.want)
		})
	}
	t.Run("ItemsPath must select an array", func(t *testing.T) {
		def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","ItemProcessor":{"StartAt":"D","States":{"D":{"Type":"Pass","End":true}}},"End":true}}}`
		assertFailed(t, runDefinition(t, def, `{"items":{"a":1}}`, nil), ErrorRuntime)
	})
	t.Run("a failing iteration fails the Map with its error", func(t *testing.T) {
		inv := invokerFunc(func(_ context.Context, _ string, payload []byte) ([]byte, error) {
			if string(payload) == "2" {
				return nil, &StackFailed{"two"}
			}
			return payload, nil
		})
		def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"StartAt":"D","States":{"D":{"Type":"Task","Resource":"f","End":true}}},
			"Catch":[{"ErrorEquals":["StackFailed"],"Next":"Caught"}],"End":true},"Caught":{"Type":"Pass","OutputPath":"$.Error","End":true}}}`
		assertSucceeded(t, runDefinition(t, def, `[1,2,3]`, inv), `"StackFailed"`)
	})
}

func TestMapMaxConcurrency(t *testing.T) {
	const items, limit = 6, 2
	var (
		mu             sync.Mutex
		active, maxAct int
	)
	started := make(chan struct{}, items)
	release := make(chan struct{})
	inv := invokerFunc(func(ctx context.Context, _ string, payload []byte) ([]byte, error) {
		mu.Lock()
		active++
		maxAct = max(maxAct, active)
		mu.Unlock()
		started <- struct{}{}
		select {
		case <-release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		mu.Lock()
		active--
		mu.Unlock()
		return payload, nil
	})
	def := fmt.Sprintf(`{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":%d,"ItemProcessor":{"StartAt":"D","States":{"D":{"Type":"Task","Resource":"f","End":true}}},"End":true}}}`, limit)
	r := mustRunner(t, def, testOptions(inv))
	id, err := r.Start(t.Context(), "", json.RawMessage(`[0,1,2,3,4,5]`))
	if err != nil {
		t.Fatal(err)
	}
	for range limit {
		receive(t, started)
	}
	for i := range items {
		release <- struct{}{}
		if i+limit < items {
			receive(t, started)
		}
	}
	assertSucceeded(t, mustWait(t, r, id), `[0,1,2,3,4,5]`)
	if maxAct != limit {
		t.Errorf("%d iterations ran at once, want %d", maxAct, limit)
	}
}

func TestMapHistory(t *testing.T) {
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":1,"ItemProcessor":{"StartAt":"D","States":{"D":{"Type":"Pass","End":true}}},"End":true}}}`
	r := mustRunner(t, def, testOptions(echoInvoker))
	exec := mustComplete(t, r, `[1]`)
	got := fmt.Sprint(eventTypes(r.History(exec.ExecutionID)))
	want := "[ExecutionStarted MapStateEntered MapStateStarted MapIterationStarted PassStateEntered PassStateExited MapIterationSucceeded MapStateSucceeded MapStateExited ExecutionSucceeded]"
	if got != want {
		t.Errorf("history = %s\nwant %s", got, want)
	}
}
