package statemachine

import (
	"regexp"
	"testing"
)

func TestIntrinsics(t *testing.T) {
	tests := []struct {
		name, expr, input, want string
	}{
		{"Format", `States.Format('Hello, {}! You are {} ({}, {}).', $.name, $.age, $.ok, $.none)`, `{"name":"Ann","age":42,"ok":true,"none":null}`, `"Hello, Ann! You are 42 (true, null)."`},
		{"Format with escapes", `States.Format('\{\} {} it\'s', 'x')`, `{}`, `"{} x it's"`},
		{"Format nested", `States.Format('{}-{}', States.ArrayGetItem($.l, 0), States.MathAdd($.n, 1))`, `{"l":["a"],"n":1}`, `"a-2"`},
		{"Format a context value", `States.Format('exec {}', $$.Execution.Name)`, `{}`, `"exec id-1"`},
		{"StringToJson", `States.StringToJson($.s)`, `{"s":"{\"a\":[1,2]}"}`, `{"a":[1,2]}`},
		{"JsonToString", `States.JsonToString($.o)`, `{"o":{"a":"<b>"}}`, `"{\"a\":\"<b>\"}"`},
		{"Array", `States.Array('a', 1, $.o, null, true)`, `{"o":{"k":1}}`, `["a",1,{"k":1},null,true]`},
		{"Array empty", `States.Array()`, `{}`, `[]`},
		{"ArrayGetItem", `States.ArrayGetItem($.l, $.i)`, `{"l":[1,2,3],"i":2}`, `3`},
		{"ArrayLength", `States.ArrayLength($.l)`, `{"l":[1,2,3]}`, `3`},
		{"ArrayContains", `States.ArrayContains($.l, 2)`, `{"l":[1,2,3]}`, `true`},
		{"ArrayRange", `States.ArrayRange(1, 9, 2)`, `{}`, `[1,3,5,7,9]`},
		{"ArrayPartition", `States.ArrayPartition($.l, 2)`, `{"l":[1,2,3]}`, `[[1,2],[3]]`},
		{"ArrayUnique", `States.ArrayUnique($.l)`, `{"l":[1,2,1,"a","a"]}`, `[1,2,"a"]`},
		{"MathAdd", `States.MathAdd($.n, -3)`, `{"n":10}`, `7`},
		{"StringSplit", `States.StringSplit($.s, ',')`, `{"s":"a,b,,c"}`, `["a","b","c"]`},
		{"StringSplit several delimiters", `States.StringSplit('a+b;c', '+;')`, `{}`, `["a","b","c"]`},
		{"Base64Encode", `States.Base64Encode('Data to encode')`, `{}`, `"RGF0YSB0byBlbmNvZGU="`},
		{"Base64Decode", `States.Base64Decode('RGF0YSB0byBlbmNvZGU=')`, `{}`, `"Data to encode"`},
		{"JsonMerge", `States.JsonMerge($.a, $.b, false)`, `{"a":{"x":1,"y":1},"b":{"y":2}}`, `{"x":1,"y":2}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			def := passMachine(`"Parameters":{"v.$":` + string(encodeJSON(tc.expr)) + `}`)
			exec := runDefinition(t, def, tc.input, nil)
			assertSucceeded(t, exec, `{"v":`+tc.want+`}`)
		})
	}
}

func TestHashIntrinsic(t *testing.T) {
	exec := runDefinition(t, passMachine(`"Parameters":{"md5.$":"States.Hash('abc', 'MD5')","sha1.$":"States.Hash('abc', 'SHA-1')","sha256.$":"States.Hash('abc', 'SHA-256')"}`), `{}`, nil)
	assertSucceeded(t, exec, `{"md5":"900150983cd24fb0d6963f7d28e17f72","sha1":"a9993e364706816aba3e25717850c26c9cd0d89d","sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}`)
}

func TestUUIDIntrinsic(t *testing.T) {
	exec := runDefinition(t, passMachine(`"Parameters":{"u.$":"States.UUID()"}`), `{}`, nil)
	out, _ := decodeJSON(exec.Output)
	u, _ := out.(map[string]any)["u"].(string)
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(u) {
		t.Errorf("States.UUID() = %q, want a version 4 UUID", u)
	}
}

func TestParseExprRejects(t *testing.T) {
	for _, text := range []string{
		`States.Nope($.a)`,
		`States.Format('{} {}', $.a)`,
		`States.Format('{', $.a)`,
		`States.ArrayGetItem($.a)`,
		`States.Array($.a[*])`,
		`States.Array('unterminated)`,
		`States.Array($.a) trailing`,
		`plain text`,
	} {
		if _, err := parseExpr(text); err == nil {
			t.Errorf("parseExpr(%q) succeeded, want an error", text)
		}
	}
}
