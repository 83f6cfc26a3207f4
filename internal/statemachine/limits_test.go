package statemachine

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestDataLimitExceededIsNotCaught(t *testing.T) {
	big := strings.Repeat("x", 150*1024)
	t.Run("a state output", func(t *testing.T) {
		def := `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"a.$":"$.s","b.$":"$.s"},"End":true}}}`
		assertFailed(t, runDefinition(t, def, `{"s":"`+big+`"}`, nil), ErrorDataLimitExceeded)
	})
	t.Run("a task result", func(t *testing.T) {
		inv := invokerFunc(func(context.Context, string, []byte) ([]byte, error) {
			return json.Marshal(big + big)
		})
		def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"f","Catch":[{"ErrorEquals":["States.ALL"],"Next":"H"}],"End":true},"H":{"Type":"Succeed"}}}`
		assertFailed(t, runDefinition(t, def, `{}`, inv), ErrorDataLimitExceeded)
	})
}

// BenchmarkTaskChain measures one execution of Pass → Task (lambda:invoke) → Choice →
// Map of 3 items → Succeed, from Start to the end of Wait.
func BenchmarkTaskChain(b *testing.B) {
	def, err := Parse([]byte(`{"StartAt":"P","States":{
		"P":{"Type":"Pass","Parameters":{"items.$":"$.items","id.$":"$$.Execution.Id"},"Next":"T"},
		"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f","Payload.$":"$"},"ResultSelector":{"p.$":"$.Payload.payload"},"ResultPath":"$.r","Next":"C"},
		"C":{"Type":"Choice","Choices":[{"Variable":"$.r.p.items[0]","NumericEquals":1,"Next":"M"}],"Default":"S"},
		"M":{"Type":"Map","ItemsPath":"$.items","ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}},"ResultPath":"$.m","Next":"S"},
		"S":{"Type":"Succeed"}}}`))
	if err != nil {
		b.Fatal(err)
	}
	r, err := New(def, Options{Invoker: echoInvoker})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()
	input := json.RawMessage(`{"items":[1,2,3]}`)
	b.ReportAllocs()
	for b.Loop() {
		id, err := r.Start(ctx, "", input)
		if err != nil {
			b.Fatal(err)
		}
		if exec, err := r.Wait(ctx, id); err != nil || exec.Status != StatusSucceeded {
			b.Fatalf("%+v %v", exec, err)
		}
	}
}

// BenchmarkParse measures parsing and validating testdata/deploy-flow.asl.json.
func BenchmarkParse(b *testing.B) {
	data := mustReadFile(b, "testdata/deploy-flow.asl.json")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}
