package statemachine

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"
)

// fakeFunctions stands in for Gantry's Lambda functions in the deploy-flow test: it
// records each call and passes the deploy task's token to the test.
type fakeFunctions struct {
	mu     sync.Mutex
	calls  map[string][]string
	tokens chan string
}

func (f *fakeFunctions) Invoke(_ context.Context, name string, payload []byte) ([]byte, error) {
	f.mu.Lock()
	f.calls[name] = append(f.calls[name], string(payload))
	f.mu.Unlock()
	switch name {
	case "render":
		return []byte(`{"templateKey":"rendered/dep-1.yaml"}`), nil
	case "deploy":
		var p struct{ TaskToken string }
		if err := json.Unmarshal(payload, &p); err != nil {
			return nil, err
		}
		f.tokens <- p.TaskToken
		return []byte(`{}`), nil
	case "record":
		return []byte(`{"recorded":true}`), nil
	case "notify":
		var p struct{ Subscriber string }
		_ = json.Unmarshal(payload, &p)
		return json.Marshal("sent to " + p.Subscriber)
	}
	return nil, &StackFailed{Stack: "unexpected function " + name}
}

func (f *fakeFunctions) callsTo(name string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls[name]...)
}

func deployFlow(t *testing.T) (*Runner, *fakeFunctions) {
	t.Helper()
	data, err := os.ReadFile("testdata/deploy-flow.asl.json")
	if err != nil {
		t.Fatal(err)
	}
	fns := &fakeFunctions{calls: map[string][]string{}, tokens: make(chan string, 1)}
	opts := testOptions(fns)
	opts.Substitutions = map[string]string{
		"RenderFunction":    "render",
		"DeployFunction":    "arn:aws:lambda:eu-west-1:123456789012:function:deploy",
		"RecordFunctionArn": "arn:aws:lambda:eu-west-1:123456789012:function:record",
		"NotifyFunction":    "notify",
	}
	r, err := New(mustParse(t, string(data)), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r, fns
}

const deployInput = `{"deploymentId":"dep-1","subscribers":["ops","dev"]}`

func TestDeployFlowSucceeds(t *testing.T) {
	r, fns := deployFlow(t)
	id, err := r.Start(t.Context(), "dep-1", json.RawMessage(deployInput))
	if err != nil {
		t.Fatal(err)
	}
	token := receive(t, fns.tokens)
	if err := r.SendTaskSuccess(t.Context(), token, json.RawMessage(`{"outputs":{"url":"https://x"}}`)); err != nil {
		t.Fatal(err)
	}
	assertSucceeded(t, mustWait(t, r, id), `["sent to ops","sent to dev"]`)

	deploy := fns.callsTo("deploy")
	if len(deploy) != 1 {
		t.Fatalf("deploy calls = %v", deploy)
	}
	assertJSON(t, "deploy payload", json.RawMessage(deploy[0]), `{"deploymentId":"dep-1","templateKey":"rendered/dep-1.yaml","taskToken":"`+token+`","execution":"`+id+`"}`)
	record := fns.callsTo("record")
	if len(record) != 1 {
		t.Fatalf("record calls = %v", record)
	}
	assertJSON(t, "record payload", json.RawMessage(record[0]), `{"deploymentId":"dep-1","status":"SUCCEEDED","outputs":{"url":"https://x"},"summary":"deployment dep-1 succeeded"}`)
}

func TestDeployFlowRecordsAStackFailure(t *testing.T) {
	r, fns := deployFlow(t)
	id, err := r.Start(t.Context(), "dep-1", json.RawMessage(deployInput))
	if err != nil {
		t.Fatal(err)
	}
	token := receive(t, fns.tokens)
	if err := r.SendTaskFailure(t.Context(), token, "StackFailed", "Resource Bucket failed to create"); err != nil {
		t.Fatal(err)
	}
	exec := mustWait(t, r, id)
	assertFailed(t, exec, "StackFailed")
	if exec.Cause != "Resource Bucket failed to create" {
		t.Errorf("cause = %q", exec.Cause)
	}
	record := fns.callsTo("record")
	if len(record) != 1 || !strings.Contains(record[0], `"status":"FAILED"`) {
		t.Errorf("record calls = %v", record)
	}
	if len(fns.callsTo("notify")) != 0 {
		t.Errorf("notified after a failure")
	}
}

func TestEveryStateDefinition(t *testing.T) {
	data, err := os.ReadFile("testdata/every-state.asl.json")
	if err != nil {
		t.Fatal(err)
	}
	upper := invokerFunc(func(_ context.Context, name string, payload []byte) ([]byte, error) {
		var p struct {
			Index int
			Part  string
		}
		if err := json.Unmarshal(payload, &p); err != nil {
			return nil, err
		}
		return json.Marshal(strings.Repeat("!", p.Index) + strings.ToUpper(p.Part))
	})
	r := mustRunner(t, string(data), testOptions(upper))
	exec := mustComplete(t, r, `{"name":"ann","csv":"a,b,c","configJson":"{\"delay\":3}"}`)
	assertSucceeded(t, exec, `{"parts":["A","!B","!!C"],"greeting":"hello ann"}`)

	exec = mustComplete(t, r, `{"name":"bob","csv":"a","configJson":"{\"delay\":0}"}`)
	assertFailed(t, exec, "TooMany")
}
