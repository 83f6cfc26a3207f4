package statemachine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Definition is a parsed, validated state machine definition.
type Definition struct {
	text    []byte // as given, before substitutions
	machine *machine
	timeout int // top-level TimeoutSeconds; 0 for none
}

// machine is a set of states with a start: the top level, a Parallel branch or a Map's
// item processor.
type machine struct {
	startAt string
	states  map[string]*state
}

// State types.
const (
	typeTask     = "Task"
	typePass     = "Pass"
	typeChoice   = "Choice"
	typeWait     = "Wait"
	typeSucceed  = "Succeed"
	typeFail     = "Fail"
	typeParallel = "Parallel"
	typeMap      = "Map"
)

// optionalPath is InputPath, OutputPath or ResultPath: nil means the default "$", null
// means the field was JSON null.
type optionalPath struct {
	null bool
	path path
}

type state struct {
	name string
	typ  string
	next string
	end  bool

	inputPath, outputPath, resultPath *optionalPath
	parameters, resultSelector        *payloadTemplate

	// Task
	resource               string
	timeoutSeconds         int
	heartbeatSeconds       int
	timeoutPath, heartPath *path
	retry                  []retrier
	catch                  []catcher

	// Pass
	result    any
	hasResult bool

	// Choice
	choices     []choiceRule
	defaultNext string

	// Wait
	seconds       *int64
	secondsPath   *path
	timestamp     *time.Time
	timestampPath *path

	// Fail
	errorName, cause     string
	errorExpr, causeExpr expr

	// Parallel
	branches []*machine

	// Map
	itemsPath          *path
	itemSelector       *payloadTemplate
	processor          *machine
	maxConcurrency     int
	maxConcurrencyPath *path
}

type retrier struct {
	errorEquals     []string
	intervalSeconds float64
	maxAttempts     int
	backoffRate     float64
	maxDelaySeconds float64
	jitterFull      bool
}

type catcher struct {
	errorEquals []string
	resultPath  *optionalPath
	next        string
}

// Parse parses and validates an Amazon States Language definition (JSONPath query
// language). It returns an Invalid *platform.Error whose Field names the offending part,
// e.g. "States.Deploy.Retry[0].ErrorEquals". Placeholders such as ${DeployFunction} may
// stand anywhere a string is expected; New substitutes them.
func Parse(definition []byte) (*Definition, error) {
	top, err := decodeObject(definition)
	if err != nil {
		return nil, platform.FieldErrorf("definition", "not a JSON object: %v", err)
	}
	p := &parser{}
	if err := checkFields(top, "", "state machine", []string{"StartAt", "States", "Comment", "Version", "TimeoutSeconds", "QueryLanguage"}); err != nil {
		return nil, err
	}
	if raw, ok := top["QueryLanguage"]; ok {
		var lang string
		if json.Unmarshal(raw, &lang) != nil || lang != "JSONPath" {
			return nil, platform.FieldErrorf("QueryLanguage", "only JSONPath is supported by the local runner, not %s", raw)
		}
	}
	def := &Definition{text: append([]byte(nil), definition...)}
	if raw, ok := top["TimeoutSeconds"]; ok {
		if def.timeout, err = positiveInt(raw); err != nil {
			return nil, platform.FieldErrorf("TimeoutSeconds", "%v", err)
		}
	}
	if def.machine, err = p.machine(top, ""); err != nil {
		return nil, err
	}
	return def, nil
}

type parser struct{}

func decodeObject(data []byte) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("null")
	}
	return m, nil
}

// jsonataOnly and unsupported name fields Step Functions knows but the runner does not run.
var unsupportedFields = map[string]string{
	"Arguments":                      "JSONata is not supported by the local runner",
	"Output":                         "JSONata is not supported by the local runner",
	"Assign":                         "variables are not supported by the local runner",
	"QueryLanguage":                  "only the JSONPath query language is supported by the local runner",
	"Credentials":                    "cross-account Task credentials are not supported by the local runner",
	"ItemReader":                     "distributed Map is not supported by the local runner",
	"ItemBatcher":                    "distributed Map is not supported by the local runner",
	"ResultWriter":                   "distributed Map is not supported by the local runner",
	"Label":                          "distributed Map is not supported by the local runner",
	"ToleratedFailureCount":          "distributed Map is not supported by the local runner",
	"ToleratedFailurePercentage":     "distributed Map is not supported by the local runner",
	"ToleratedFailureCountPath":      "distributed Map is not supported by the local runner",
	"ToleratedFailurePercentagePath": "distributed Map is not supported by the local runner",
}

// checkFields rejects fields not in allowed, naming the field.
func checkFields(obj map[string]json.RawMessage, prefix, what string, allowed []string) error {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if contains(allowed, k) {
			continue
		}
		if why, ok := unsupportedFields[k]; ok {
			return platform.FieldErrorf(prefix+k, "%s", why)
		}
		return platform.FieldErrorf(prefix+k, "field not supported in a %s", what)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var stateFields = map[string][]string{
	typeTask:     {"Next", "End", "InputPath", "OutputPath", "Parameters", "ResultSelector", "ResultPath", "Retry", "Catch", "Resource", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath"},
	typePass:     {"Next", "End", "InputPath", "OutputPath", "Parameters", "ResultPath", "Result"},
	typeChoice:   {"InputPath", "OutputPath", "Choices", "Default"},
	typeWait:     {"Next", "End", "InputPath", "OutputPath", "Seconds", "SecondsPath", "Timestamp", "TimestampPath"},
	typeSucceed:  {"InputPath", "OutputPath"},
	typeFail:     {"Error", "ErrorPath", "Cause", "CausePath"},
	typeParallel: {"Next", "End", "InputPath", "OutputPath", "Parameters", "ResultSelector", "ResultPath", "Retry", "Catch", "Branches"},
	typeMap:      {"Next", "End", "InputPath", "OutputPath", "Parameters", "ItemSelector", "ResultSelector", "ResultPath", "Retry", "Catch", "ItemsPath", "Iterator", "ItemProcessor", "MaxConcurrency", "MaxConcurrencyPath"},
}

// machine parses StartAt and States of obj; prefix is the field path of obj ("" at the top).
func (p *parser) machine(obj map[string]json.RawMessage, prefix string) (*machine, error) {
	m := &machine{states: map[string]*state{}}
	if err := unmarshalField(obj, "StartAt", prefix, &m.startAt); err != nil {
		return nil, err
	}
	if m.startAt == "" {
		return nil, platform.FieldErrorf(prefix+"StartAt", "required")
	}
	raw, ok := obj["States"]
	if !ok {
		return nil, platform.FieldErrorf(prefix+"States", "required")
	}
	var states map[string]json.RawMessage
	if err := json.Unmarshal(raw, &states); err != nil || len(states) == 0 {
		return nil, platform.FieldErrorf(prefix+"States", "must be a non-empty object of states")
	}
	names := make([]string, 0, len(states))
	for name := range states {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if len(name) > 80 {
			return nil, platform.FieldErrorf(prefix+"States."+name, "a state name must be at most 80 characters")
		}
		st, err := p.state(name, states[name], prefix+"States."+name+".")
		if err != nil {
			return nil, err
		}
		m.states[name] = st
	}
	if _, ok := m.states[m.startAt]; !ok {
		return nil, platform.FieldErrorf(prefix+"StartAt", "no state named %q", m.startAt)
	}
	// Every transition must stay within this machine, and every state must be reachable.
	reached := map[string]bool{}
	queue := []string{m.startAt}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if reached[name] {
			continue
		}
		reached[name] = true
		for _, t := range m.states[name].transitions() {
			if _, ok := m.states[t.target]; !ok {
				return nil, platform.FieldErrorf(prefix+"States."+name+"."+t.field, "no state named %q in this scope", t.target)
			}
			queue = append(queue, t.target)
		}
	}
	for _, name := range names {
		if !reached[name] {
			return nil, platform.FieldErrorf(prefix+"States."+name, "state is not reachable from %q", m.startAt)
		}
	}
	return m, nil
}

type transition struct{ field, target string }

func (s *state) transitions() []transition {
	var ts []transition
	if s.next != "" {
		ts = append(ts, transition{"Next", s.next})
	}
	for i, c := range s.catch {
		ts = append(ts, transition{fmt.Sprintf("Catch[%d].Next", i), c.next})
	}
	for i, c := range s.choices {
		ts = append(ts, transition{fmt.Sprintf("Choices[%d].Next", i), c.next})
	}
	if s.defaultNext != "" {
		ts = append(ts, transition{"Default", s.defaultNext})
	}
	return ts
}

func unmarshalField(obj map[string]json.RawMessage, key, prefix string, into any) error {
	raw, ok := obj[key]
	if !ok {
		return nil
	}
	if err := json.Unmarshal(raw, into); err != nil {
		return platform.FieldErrorf(prefix+key, "%s", describeUnmarshalError(err))
	}
	return nil
}

func describeUnmarshalError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("must be a %s, not a JSON %s", goKindName(te.Type.Kind().String()), te.Value)
	}
	return err.Error()
}

func goKindName(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "float"):
		return "number"
	case kind == "slice":
		return "list"
	case kind == "map", kind == "struct":
		return "object"
	case kind == "bool":
		return "boolean"
	}
	return kind
}

func positiveInt(raw json.RawMessage) (int, error) {
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return 0, fmt.Errorf("must be a positive integer")
	}
	i, err := n.Int64()
	if err != nil || i <= 0 || i > 99999999 {
		return 0, fmt.Errorf("must be a positive integer, not %s", n)
	}
	return int(i), nil
}

func (p *parser) optionalPath(obj map[string]json.RawMessage, key, prefix string, reference bool) (*optionalPath, error) {
	raw, ok := obj[key]
	if !ok {
		return nil, nil
	}
	if string(bytes.TrimSpace(raw)) == "null" {
		return &optionalPath{null: true}, nil
	}
	var text string
	if err := json.Unmarshal(raw, &text); err != nil {
		return nil, platform.FieldErrorf(prefix+key, "must be a path string or null")
	}
	pth, err := parsePath(text)
	if err != nil {
		return nil, platform.FieldErrorf(prefix+key, "%v", err)
	}
	if reference && pth.context {
		return nil, platform.FieldErrorf(prefix+key, "must be a reference path starting with $, not $$")
	}
	return &optionalPath{path: pth}, nil
}

func (p *parser) path(obj map[string]json.RawMessage, key, prefix string) (*path, error) {
	raw, ok := obj[key]
	if !ok {
		return nil, nil
	}
	var text string
	if err := json.Unmarshal(raw, &text); err != nil {
		return nil, platform.FieldErrorf(prefix+key, "must be a path string")
	}
	pth, err := parsePath(text)
	if err != nil {
		return nil, platform.FieldErrorf(prefix+key, "%v", err)
	}
	return &pth, nil
}

func (p *parser) template(obj map[string]json.RawMessage, key, prefix string) (*payloadTemplate, error) {
	raw, ok := obj[key]
	if !ok {
		return nil, nil
	}
	v, err := decodeJSON(raw)
	if err != nil {
		return nil, platform.FieldErrorf(prefix+key, "%v", err)
	}
	t, err := compileTemplate(v, key)
	if err != nil {
		var te *templateError
		if errors.As(err, &te) {
			return nil, platform.FieldErrorf(prefix+te.field, "%s", te.message)
		}
		return nil, platform.FieldErrorf(prefix+key, "%v", err)
	}
	return t, nil
}

func (p *parser) state(name string, raw json.RawMessage, prefix string) (*state, error) {
	obj, err := decodeObject(raw)
	if err != nil {
		return nil, platform.FieldErrorf(strings.TrimSuffix(prefix, "."), "a state must be a JSON object")
	}
	st := &state{name: name}
	if err := unmarshalField(obj, "Type", prefix, &st.typ); err != nil {
		return nil, err
	}
	allowed, ok := stateFields[st.typ]
	if !ok {
		return nil, platform.FieldErrorf(prefix+"Type", "unknown state type %q", st.typ)
	}
	if err := checkFields(obj, prefix, st.typ+" state", append([]string{"Type", "Comment"}, allowed...)); err != nil {
		return nil, err
	}
	if err := unmarshalField(obj, "Next", prefix, &st.next); err != nil {
		return nil, err
	}
	if err := unmarshalField(obj, "End", prefix, &st.end); err != nil {
		return nil, err
	}
	switch st.typ {
	case typeChoice, typeSucceed, typeFail:
	default:
		if (st.next == "") == !st.end {
			return nil, platform.FieldErrorf(prefix+"Next", "a %s state needs exactly one of Next and End", st.typ)
		}
	}
	if st.inputPath, err = p.optionalPath(obj, "InputPath", prefix, false); err != nil {
		return nil, err
	}
	if st.outputPath, err = p.optionalPath(obj, "OutputPath", prefix, false); err != nil {
		return nil, err
	}
	if st.resultPath, err = p.optionalPath(obj, "ResultPath", prefix, true); err != nil {
		return nil, err
	}
	if st.parameters, err = p.template(obj, "Parameters", prefix); err != nil {
		return nil, err
	}
	if st.resultSelector, err = p.template(obj, "ResultSelector", prefix); err != nil {
		return nil, err
	}
	if st.retry, err = p.retriers(obj, prefix); err != nil {
		return nil, err
	}
	if st.catch, err = p.catchers(obj, prefix); err != nil {
		return nil, err
	}
	switch st.typ {
	case typeTask:
		err = p.task(st, obj, prefix)
	case typePass:
		if raw, ok := obj["Result"]; ok {
			st.hasResult = true
			if st.result, err = decodeJSON(raw); err != nil {
				return nil, platform.FieldErrorf(prefix+"Result", "%v", err)
			}
		}
	case typeChoice:
		err = p.choice(st, obj, prefix)
	case typeWait:
		err = p.wait(st, obj, prefix)
	case typeFail:
		err = p.fail(st, obj, prefix)
	case typeParallel:
		err = p.parallel(st, obj, prefix)
	case typeMap:
		err = p.mapState(st, obj, prefix)
	}
	if err != nil {
		return nil, err
	}
	return st, nil
}

// placeholder matches a definition substitution such as ${DeployFunction}.
var placeholder = regexp.MustCompile(`\$\{[A-Za-z0-9_]+\}`)

// Task resources the runner supports.
const (
	resourceLambdaInvoke       = "arn:aws:states:::lambda:invoke"
	resourceLambdaWaitForToken = "arn:aws:states:::lambda:invoke.waitForTaskToken"
)

func (p *parser) task(st *state, obj map[string]json.RawMessage, prefix string) error {
	if err := unmarshalField(obj, "Resource", prefix, &st.resource); err != nil {
		return err
	}
	if st.resource == "" {
		return platform.FieldErrorf(prefix+"Resource", "required")
	}
	if err := checkResource(st, prefix); err != nil {
		return err
	}
	var err error
	if raw, ok := obj["TimeoutSeconds"]; ok {
		if st.timeoutSeconds, err = positiveInt(raw); err != nil {
			return platform.FieldErrorf(prefix+"TimeoutSeconds", "%v", err)
		}
	}
	if raw, ok := obj["HeartbeatSeconds"]; ok {
		if st.heartbeatSeconds, err = positiveInt(raw); err != nil {
			return platform.FieldErrorf(prefix+"HeartbeatSeconds", "%v", err)
		}
	}
	if st.timeoutPath, err = p.path(obj, "TimeoutSecondsPath", prefix); err != nil {
		return err
	}
	if st.heartPath, err = p.path(obj, "HeartbeatSecondsPath", prefix); err != nil {
		return err
	}
	if st.timeoutSeconds > 0 && st.timeoutPath != nil {
		return platform.FieldErrorf(prefix+"TimeoutSecondsPath", "set either TimeoutSeconds or TimeoutSecondsPath")
	}
	if st.heartbeatSeconds > 0 && st.heartPath != nil {
		return platform.FieldErrorf(prefix+"HeartbeatSecondsPath", "set either HeartbeatSeconds or HeartbeatSecondsPath")
	}
	if st.heartbeatSeconds > 0 && st.timeoutSeconds > 0 && st.heartbeatSeconds >= st.timeoutSeconds {
		return platform.FieldErrorf(prefix+"HeartbeatSeconds", "must be smaller than TimeoutSeconds")
	}
	return nil
}

// checkResource validates a Task's Resource and its Parameters against it. A Resource
// still holding a ${placeholder} is checked again once New has substituted it.
func checkResource(st *state, prefix string) error {
	if placeholder.MatchString(st.resource) {
		return nil
	}
	switch {
	case st.resource == resourceLambdaInvoke || st.resource == resourceLambdaWaitForToken:
		if st.parameters == nil || !st.parameters.hasField("FunctionName") {
			return platform.FieldErrorf(prefix+"Parameters", "%s needs Parameters with FunctionName", st.resource)
		}
		if st.resource == resourceLambdaWaitForToken && !st.parameters.referencesTaskToken() {
			return platform.FieldErrorf(prefix+"Parameters", "a .waitForTaskToken task must pass the task token ($$.Task.Token) in its Parameters")
		}
		return nil
	case strings.HasPrefix(st.resource, "arn:aws:states:::"):
		return platform.FieldErrorf(prefix+"Resource", "the local runner supports the Lambda integrations only (%s, %s, a Lambda function ARN), not %s", resourceLambdaInvoke, resourceLambdaWaitForToken, st.resource)
	case strings.HasPrefix(st.resource, "arn:"):
		if _, ok := lambdaFunctionName(st.resource); !ok {
			return platform.FieldErrorf(prefix+"Resource", "the local runner supports Lambda function ARNs (arn:aws:lambda:REGION:ACCOUNT:function:NAME), not %s", st.resource)
		}
	}
	return nil
}

func (t *payloadTemplate) hasField(name string) bool {
	for _, f := range t.fields {
		if f.name == name {
			return true
		}
	}
	return false
}

// lambdaFunctionName returns NAME from a Lambda function ARN
// arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER].
func lambdaFunctionName(arn string) (string, bool) {
	parts := strings.Split(arn, ":")
	if len(parts) < 7 || len(parts) > 8 || parts[0] != "arn" || parts[2] != "lambda" || parts[5] != "function" || parts[6] == "" {
		return "", false
	}
	return parts[6], true
}

// resolveFunctionName turns a FunctionName (a name, a function ARN, or a partial ARN
// ACCOUNT:function:NAME) into the name.
func resolveFunctionName(name string) string {
	if n, ok := lambdaFunctionName(name); ok {
		return n
	}
	if parts := strings.Split(name, ":"); len(parts) >= 3 && parts[1] == "function" {
		return parts[2]
	}
	if parts := strings.Split(name, ":"); len(parts) == 2 {
		return parts[0] // NAME:QUALIFIER
	}
	return name
}

func (p *parser) retriers(obj map[string]json.RawMessage, prefix string) ([]retrier, error) {
	raw, ok := obj["Retry"]
	if !ok {
		return nil, nil
	}
	var list []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, platform.FieldErrorf(prefix+"Retry", "must be a list of retriers")
	}
	var out []retrier
	for i, r := range list {
		at := fmt.Sprintf("%sRetry[%d].", prefix, i)
		if err := checkFields(r, at, "retrier", []string{"ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy", "Comment"}); err != nil {
			return nil, err
		}
		rt := retrier{intervalSeconds: 1, maxAttempts: 3, backoffRate: 2}
		var err error
		if rt.errorEquals, err = errorEquals(r, at, i == len(list)-1); err != nil {
			return nil, err
		}
		if raw, ok := r["IntervalSeconds"]; ok {
			n, err := positiveInt(raw)
			if err != nil {
				return nil, platform.FieldErrorf(at+"IntervalSeconds", "%v", err)
			}
			rt.intervalSeconds = float64(n)
		}
		if err := unmarshalField(r, "MaxAttempts", at, &rt.maxAttempts); err != nil {
			return nil, err
		}
		if rt.maxAttempts < 0 {
			return nil, platform.FieldErrorf(at+"MaxAttempts", "must not be negative")
		}
		if err := unmarshalField(r, "BackoffRate", at, &rt.backoffRate); err != nil {
			return nil, err
		}
		if rt.backoffRate < 1 {
			return nil, platform.FieldErrorf(at+"BackoffRate", "must be at least 1.0")
		}
		if raw, ok := r["MaxDelaySeconds"]; ok {
			n, err := positiveInt(raw)
			if err != nil {
				return nil, platform.FieldErrorf(at+"MaxDelaySeconds", "%v", err)
			}
			rt.maxDelaySeconds = float64(n)
		}
		var jitter string
		if err := unmarshalField(r, "JitterStrategy", at, &jitter); err != nil {
			return nil, err
		}
		switch jitter {
		case "", "NONE":
		case "FULL":
			rt.jitterFull = true
		default:
			return nil, platform.FieldErrorf(at+"JitterStrategy", "must be FULL or NONE")
		}
		out = append(out, rt)
	}
	return out, nil
}

func (p *parser) catchers(obj map[string]json.RawMessage, prefix string) ([]catcher, error) {
	raw, ok := obj["Catch"]
	if !ok {
		return nil, nil
	}
	var list []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, platform.FieldErrorf(prefix+"Catch", "must be a list of catchers")
	}
	var out []catcher
	for i, c := range list {
		at := fmt.Sprintf("%sCatch[%d].", prefix, i)
		if err := checkFields(c, at, "catcher", []string{"ErrorEquals", "ResultPath", "Next", "Comment"}); err != nil {
			return nil, err
		}
		var ct catcher
		var err error
		if ct.errorEquals, err = errorEquals(c, at, i == len(list)-1); err != nil {
			return nil, err
		}
		if ct.resultPath, err = p.optionalPath(c, "ResultPath", at, true); err != nil {
			return nil, err
		}
		if err := unmarshalField(c, "Next", at, &ct.next); err != nil {
			return nil, err
		}
		if ct.next == "" {
			return nil, platform.FieldErrorf(at+"Next", "required")
		}
		out = append(out, ct)
	}
	return out, nil
}

// errorEquals reads a non-empty ErrorEquals; States.ALL must stand alone in the last
// retrier or catcher.
func errorEquals(obj map[string]json.RawMessage, at string, last bool) ([]string, error) {
	var names []string
	if err := unmarshalField(obj, "ErrorEquals", at, &names); err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, platform.FieldErrorf(at+"ErrorEquals", "must list at least one error name")
	}
	for _, n := range names {
		if n == ErrorAll && (len(names) > 1 || !last) {
			return nil, platform.FieldErrorf(at+"ErrorEquals", "States.ALL must appear alone, in the last retrier or catcher")
		}
	}
	return names, nil
}

func (p *parser) wait(st *state, obj map[string]json.RawMessage, prefix string) error {
	set := 0
	if raw, ok := obj["Seconds"]; ok {
		set++
		var n json.Number
		if json.Unmarshal(raw, &n) != nil {
			return platform.FieldErrorf(prefix+"Seconds", "must be a non-negative integer")
		}
		i, err := n.Int64()
		if err != nil || i < 0 {
			return platform.FieldErrorf(prefix+"Seconds", "must be a non-negative integer")
		}
		st.seconds = &i
	}
	if raw, ok := obj["Timestamp"]; ok {
		set++
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return platform.FieldErrorf(prefix+"Timestamp", "must be an RFC 3339 timestamp string")
		}
		t, err := parseTimestamp(s)
		if err != nil {
			return platform.FieldErrorf(prefix+"Timestamp", "%v", err)
		}
		st.timestamp = &t
	}
	var err error
	if st.secondsPath, err = p.path(obj, "SecondsPath", prefix); err != nil {
		return err
	}
	if st.timestampPath, err = p.path(obj, "TimestampPath", prefix); err != nil {
		return err
	}
	if st.secondsPath != nil {
		set++
	}
	if st.timestampPath != nil {
		set++
	}
	if set != 1 {
		return platform.FieldErrorf(strings.TrimSuffix(prefix, "."), "a Wait state needs exactly one of Seconds, SecondsPath, Timestamp and TimestampPath")
	}
	return nil
}

// parseTimestamp parses an ASL timestamp: RFC 3339 with an uppercase T and Z.
func parseTimestamp(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || strings.ContainsAny(s, "tz") {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 timestamp (e.g. 2016-03-14T01:59:00Z)", s)
	}
	return t, nil
}

func (p *parser) fail(st *state, obj map[string]json.RawMessage, prefix string) error {
	if err := unmarshalField(obj, "Error", prefix, &st.errorName); err != nil {
		return err
	}
	if err := unmarshalField(obj, "Cause", prefix, &st.cause); err != nil {
		return err
	}
	for _, f := range []struct {
		key    string
		into   *expr
		static string
	}{{"ErrorPath", &st.errorExpr, "Error"}, {"CausePath", &st.causeExpr, "Cause"}} {
		var text string
		if err := unmarshalField(obj, f.key, prefix, &text); err != nil {
			return err
		}
		if _, both := obj[f.static]; both && text != "" {
			return platform.FieldErrorf(prefix+f.key, "set either %s or %s", f.static, f.key)
		}
		if text == "" {
			continue
		}
		e, err := parseExpr(text)
		if err != nil {
			return platform.FieldErrorf(prefix+f.key, "%v", err)
		}
		*f.into = e
	}
	return nil
}

func (p *parser) parallel(st *state, obj map[string]json.RawMessage, prefix string) error {
	var branches []map[string]json.RawMessage
	if err := unmarshalField(obj, "Branches", prefix, &branches); err != nil {
		return err
	}
	if len(branches) == 0 {
		return platform.FieldErrorf(prefix+"Branches", "a Parallel state needs at least one branch")
	}
	for i, b := range branches {
		at := fmt.Sprintf("%sBranches[%d].", prefix, i)
		if err := checkFields(b, at, "branch", []string{"StartAt", "States", "Comment"}); err != nil {
			return err
		}
		m, err := p.machine(b, at)
		if err != nil {
			return err
		}
		st.branches = append(st.branches, m)
	}
	return nil
}

func (p *parser) mapState(st *state, obj map[string]json.RawMessage, prefix string) error {
	var err error
	if st.itemsPath, err = p.path(obj, "ItemsPath", prefix); err != nil {
		return err
	}
	if st.itemSelector, err = p.template(obj, "ItemSelector", prefix); err != nil {
		return err
	}
	if st.parameters != nil {
		if st.itemSelector != nil {
			return platform.FieldErrorf(prefix+"Parameters", "set either ItemSelector or Parameters")
		}
		st.itemSelector, st.parameters = st.parameters, nil
	}
	_, hasIterator := obj["Iterator"]
	_, hasProcessor := obj["ItemProcessor"]
	if hasIterator == hasProcessor {
		return platform.FieldErrorf(prefix+"ItemProcessor", "a Map state needs exactly one of ItemProcessor and Iterator")
	}
	key := "ItemProcessor"
	if hasIterator {
		key = "Iterator"
	}
	proc, err := decodeObject(obj[key])
	if err != nil {
		return platform.FieldErrorf(prefix+key, "must be an object")
	}
	if err := checkFields(proc, prefix+key+".", key, []string{"StartAt", "States", "Comment", "ProcessorConfig"}); err != nil {
		return err
	}
	if raw, ok := proc["ProcessorConfig"]; ok {
		var cfg struct{ Mode, ExecutionType string }
		if err := json.Unmarshal(raw, &cfg); err != nil || (cfg.Mode != "" && cfg.Mode != "INLINE") {
			return platform.FieldErrorf(prefix+key+".ProcessorConfig.Mode", "the local runner supports INLINE Map only")
		}
	}
	if st.processor, err = p.machine(proc, prefix+key+"."); err != nil {
		return err
	}
	if raw, ok := obj["MaxConcurrency"]; ok {
		var n int
		if json.Unmarshal(raw, &n) != nil || n < 0 {
			return platform.FieldErrorf(prefix+"MaxConcurrency", "must be a non-negative integer")
		}
		st.maxConcurrency = n
	}
	if st.maxConcurrencyPath, err = p.path(obj, "MaxConcurrencyPath", prefix); err != nil {
		return err
	}
	return nil
}
