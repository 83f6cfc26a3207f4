package events

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"quamina.net/go/quamina"
)

// intended lists, per rule, the samples the rule's pattern must match; it must match no
// other sample.
var intended = map[string][]string{
	"stack-status-change": {
		"cloudformation-gantry-env-beta-create-complete",
		"cloudformation-gantry-env-beta-create-in-progress",
		"cloudformation-gantry-env-beta-rollback-complete",
		"cloudformation-stack-status-change",
		"cloudformation-stack-status-change-with-token",
	},
	"pipeline-state-change": {
		"codepipeline-gantry-action-execution-failed",
		"codepipeline-gantry-pipeline-execution-succeeded",
		"codepipeline-gantry-stage-execution-failed",
	},
	// Builds of Gantry's provisioning projects that ended.
	"build-state-change": {
		"codebuild-gantry-build-failed",
	},
	// Only executions that ended badly: a succeeded one needs no reconciler.
	"execution-status-change": {
		"stepfunctions-gantry-execution-failed",
	},
}

// gantryStacks lists the stack samples of Gantry's stacks: those the stack rule plus
// IsGantryStackID let through.
var gantryStacks = []string{
	"cloudformation-gantry-env-beta-create-complete",
	"cloudformation-gantry-env-beta-create-in-progress",
	"cloudformation-gantry-env-beta-rollback-complete",
	"cloudformation-stack-status-change-with-token", // stack gantry-env-prod
}

func mustRules(t *testing.T) []Rule {
	t.Helper()
	rules, err := Rules()
	if err != nil {
		t.Fatalf("Rules: %v", err)
	}
	return rules
}

func mustSample(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := Sample(name)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// mustMatcher returns a quamina matcher holding one rule's pattern.
func mustMatcher(t *testing.T, r Rule) *quamina.Quamina {
	t.Helper()
	q, err := quamina.New()
	if err != nil {
		t.Fatal(err)
	}
	if err := q.AddPattern(r.Name, string(r.Pattern)); err != nil {
		t.Fatalf("quamina rejects the pattern of rule %s: %v", r.Name, err)
	}
	return q
}

func matches(t *testing.T, q *quamina.Quamina, event []byte) bool {
	t.Helper()
	got, err := q.MatchesForEvent(event)
	if err != nil {
		t.Fatalf("MatchesForEvent: %v", err)
	}
	return len(got) > 0
}

func TestRulesManifest(t *testing.T) {
	rules := mustRules(t)
	var names []string
	for _, r := range rules {
		names = append(names, r.Name)
		if r.Target != "events" {
			t.Errorf("rule %s: target %q, want events", r.Name, r.Target)
		}
		if r.Description == "" {
			t.Errorf("rule %s: no description", r.Name)
		}
		if !json.Valid(r.Pattern) {
			t.Errorf("rule %s: pattern is not JSON: %s", r.Name, r.Pattern)
		}
	}
	want := []string{"stack-status-change", "pipeline-state-change", "build-state-change", "execution-status-change"}
	if !slices.Equal(names, want) {
		t.Errorf("rule names %v, want %v", names, want)
	}
}

// TestSchedules: the reconciler's sweep is the manifest's one scheduled rule, and no
// pattern rule.
func TestSchedules(t *testing.T) {
	schedules, err := Schedules()
	if err != nil {
		t.Fatal(err)
	}
	if len(schedules) != 1 || schedules[0].Name != "reconcile-sweep" || schedules[0].Expression != "rate(5 minutes)" ||
		schedules[0].Target != "events" || schedules[0].Description == "" {
		t.Fatalf("schedules = %+v, want the reconcile sweep every 5 minutes to the events function", schedules)
	}
	for _, r := range mustRules(t) {
		if r.Name == schedules[0].Name {
			t.Fatalf("the scheduled rule %s is listed among the pattern rules", r.Name)
		}
	}
}

func TestPatternsMatchTheirSamplesOnly(t *testing.T) {
	samples := Samples()
	if len(samples) < 11 {
		t.Fatalf("found %d samples, want the 5 shared ones and 6 of Gantry's: %v", len(samples), samples)
	}
	for _, r := range mustRules(t) {
		want, ok := intended[r.Name]
		if !ok {
			t.Errorf("rule %s has no intended samples in this test", r.Name)
			continue
		}
		q := mustMatcher(t, r)
		for _, name := range samples {
			got := matches(t, q, mustSample(t, name))
			if wantMatch := slices.Contains(want, name); got != wantMatch {
				t.Errorf("rule %s on sample %s: matched=%v, want %v", r.Name, name, got, wantMatch)
			}
		}
	}
}

func TestStackRuleAndFilterKeepOnlyGantryStacks(t *testing.T) {
	q := mustMatcher(t, ruleNamed(t, "stack-status-change"))
	for _, name := range Samples() {
		raw := mustSample(t, name)
		var event struct {
			Detail struct {
				StackID string `json:"stack-id"`
			} `json:"detail"`
		}
		if err := json.Unmarshal(raw, &event); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := matches(t, q, raw) && IsGantryStackID(event.Detail.StackID)
		if want := slices.Contains(gantryStacks, name); got != want {
			t.Errorf("sample %s: kept=%v, want %v", name, got, want)
		}
	}
}

func TestPipelineRuleRejectsOtherPipelines(t *testing.T) {
	q := mustMatcher(t, ruleNamed(t, "pipeline-state-change"))
	base := string(mustSample(t, "codepipeline-gantry-pipeline-execution-succeeded"))
	for pipeline, want := range map[string]bool{
		"gantry-svc-frontend-pipeline": true,
		"gantry-x":                     true,
		"gantry":                       false,
		"my-gantry-pipeline":           false,
		"Gantry-svc":                   false,
		"myPipeline":                   false,
	} {
		event := strings.Replace(base, `"pipeline":"gantry-svc-frontend-pipeline"`, `"pipeline":"`+pipeline+`"`, 1)
		if got := matches(t, q, []byte(event)); got != want {
			t.Errorf("pipeline %q: matched=%v, want %v", pipeline, got, want)
		}
	}
	other := strings.Replace(base, `"detail-type":"CodePipeline Pipeline Execution State Change"`,
		`"detail-type":"CodePipeline Stage Execution State Change Extra"`, 1)
	if matches(t, q, []byte(other)) {
		t.Error("the pipeline rule matched an unknown detail-type")
	}
}

// commonOperators are the pattern operators EventBridge and quamina v1.3.0 both support.
// quamina also has "shellstyle", EventBridge "wildcard", "suffix", "numeric", "cidr" and
// "$or"; none of those is portable.
var commonOperators = []string{"prefix", "anything-but", "exists", "equals-ignore-case"}

func TestPatternsUseOnlyPortableOperators(t *testing.T) {
	for _, r := range mustRules(t) {
		var pattern any
		if err := json.Unmarshal(r.Pattern, &pattern); err != nil {
			t.Fatal(err)
		}
		for _, op := range operators(pattern, false) {
			if !slices.Contains(commonOperators, op) {
				t.Errorf("rule %s uses operator %q, which EventBridge or quamina lacks", r.Name, op)
			}
		}
	}
}

// operators returns the keys of the objects found inside arrays of pattern: the operators.
func operators(node any, inArray bool) []string {
	var ops []string
	switch n := node.(type) {
	case map[string]any:
		for k, v := range n {
			if inArray {
				ops = append(ops, k)
			}
			ops = append(ops, operators(v, false)...)
		}
	case []any:
		for _, v := range n {
			ops = append(ops, operators(v, true)...)
		}
	}
	return ops
}

func TestOperatorsFindsNonPortableOnes(t *testing.T) {
	var pattern any
	if err := json.Unmarshal([]byte(`{"a":{"b":[{"wildcard":"x*"},"y"]},"c":[{"prefix":"p"}]}`), &pattern); err != nil {
		t.Fatal(err)
	}
	got := operators(pattern, false)
	slices.Sort(got)
	if want := []string{"prefix", "wildcard"}; !slices.Equal(got, want) {
		t.Errorf("operators = %v, want %v", got, want)
	}
}

func ruleNamed(t *testing.T, name string) Rule {
	t.Helper()
	for _, r := range mustRules(t) {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no rule %s", name)
	return Rule{}
}

func TestLoadRulesRejectsMalformedManifests(t *testing.T) {
	good := &fstest.MapFile{Data: []byte(`{"source":["x"]}`)}
	for name, tc := range map[string]struct {
		manifest string
		files    fstest.MapFS
		want     string
	}{
		"not JSON":             {manifest: `[{`, want: "rules.json"},
		"unknown field":        {manifest: `[{"name":"a","pattern":"p.json","target":"t","extra":1}]`, want: "extra"},
		"no name":              {manifest: `[{"pattern":"p.json","target":"t"}]`, want: "[0]: name is required"},
		"duplicate name":       {manifest: `[{"name":"a","pattern":"p.json","target":"t"},{"name":"a","pattern":"p.json","target":"t"}]`, want: `[1]: name "a" is used twice`},
		"no pattern":           {manifest: `[{"name":"a","target":"t"}]`, want: "(a): pattern is required"},
		"no target":            {manifest: `[{"name":"a","pattern":"p.json"}]`, want: "(a): target is required"},
		"pattern and schedule": {manifest: `[{"name":"a","pattern":"p.json","schedule":"rate(1 minute)","target":"t"}]`, want: "(a): a rule has a pattern or a schedule, not both"},
		"bad schedule":         {manifest: `[{"name":"a","schedule":"every minute","target":"t"}]`, want: `(a): schedule "every minute" is not`},
		"missing pattern":      {manifest: `[{"name":"a","pattern":"q.json","target":"t"}]`, want: "q.json"},
		"array pattern": {
			manifest: `[{"name":"a","pattern":"p.json","target":"t"}]`,
			files:    fstest.MapFS{"p.json": {Data: []byte(`[1]`)}},
			want:     "p.json: not a JSON object (rule a)",
		},
	} {
		t.Run(name, func(t *testing.T) {
			fsys := fstest.MapFS{"rules.json": {Data: []byte(tc.manifest)}, "p.json": good}
			for k, v := range tc.files {
				fsys[k] = v
			}
			_, err := loadRules(fsys)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("loadRules error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestLoadRulesCompactsPatterns(t *testing.T) {
	fsys := fstest.MapFS{
		"rules.json": {Data: []byte(`[{"name":"a","description":"d","pattern":"p.json","target":"t"}]`)},
		"p.json":     {Data: []byte("{\n  \"source\": [ \"x\" ]\n}\n")},
	}
	rules, err := loadRules(fsys)
	if err != nil {
		t.Fatal(err)
	}
	want := Rule{Name: "a", Description: "d", Pattern: json.RawMessage(`{"source":["x"]}`), Target: "t"}
	if len(rules) != 1 || rules[0].Name != want.Name || rules[0].Description != want.Description ||
		string(rules[0].Pattern) != string(want.Pattern) || rules[0].Target != want.Target {
		t.Errorf("rules = %+v, want [%+v]", rules, want)
	}
}

func TestSample(t *testing.T) {
	a := mustSample(t, "cloudformation-stack-status-change")
	b := mustSample(t, "cloudformation-stack-status-change.json")
	if !json.Valid(a) || string(a) != string(b) {
		t.Errorf("Sample with and without .json differ or are not JSON")
	}
	for _, name := range []string{"nope", "", "../rules", "samples/x"} {
		if _, err := Sample(name); err == nil {
			t.Errorf("Sample(%q) returned no error", name)
		}
	}
	_, err := Sample("nope")
	if err == nil || !strings.Contains(err.Error(), "cloudformation-stack-status-change") {
		t.Errorf("Sample(nope) error %v does not list the samples", err)
	}
}

func TestIsGantryStackID(t *testing.T) {
	for id, want := range map[string]bool{
		"arn:aws:cloudformation:eu-west-1:111122223333:stack/gantry-env-Beta/7b3c2a10":        true,
		"arn:aws-cn:cloudformation:cn-north-1:111122223333:stack/gantry-svc-a-b-dev/7b3c2a10": true,
		"arn:aws:cloudformation:eu-west-3:111122223333:stack/cf-event-testing/dca9d690":       false,
		"arn:aws:cloudformation:eu-west-3:111122223333:stack/my-gantry-env/dca9d690":          false,
		"arn:aws:cloudformation:eu-west-3:111122223333:stackset/gantry-x:dca9d690":            false,
		"arn:aws:s3:::gantry-bucket":                         false,
		"arn:aws:cloudformation:eu-west-3:1:stack/gantry-/x": false,
		"gantry-env-Beta":                                    true,
		"gantry-":                                            false,
		"":                                                   false,
	} {
		if got := IsGantryStackID(id); got != want {
			t.Errorf("IsGantryStackID(%q) = %v, want %v", id, got, want)
		}
	}
}
