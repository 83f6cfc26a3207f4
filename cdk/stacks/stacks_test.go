package stacks_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"

	"github.com/gantry-platform/gantry/cdk/stacks"
	"github.com/gantry-platform/gantry/events"
	"github.com/gantry-platform/gantry/internal/lambdaenv"
	"github.com/gantry-platform/gantry/internal/store"
	"github.com/gantry-platform/gantry/statemachines"
)

// testConfig is the context of the synthesized app: every key set, so that the tests
// see configured values rather than placeholders.
var testContext = map[string]any{
	stacks.ContextJWTIssuer:               "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example",
	stacks.ContextJWTAudience:             []any{"client-one", "client-two"},
	stacks.ContextAdminGroups:             "platform-admins, sre",
	stacks.ContextDeveloperGroups:         []any{"developers"},
	stacks.ContextAccountRoleName:         "GantryTarget",
	stacks.ContextAlarmEmail:              "ops@example.com",
	stacks.ContextProvisioningPolicyARN:   []any{"arn:aws:iam::123456789012:policy/gantry-provisioning"},
	stacks.ContextBundleBuckets:           "team-bundles",
	stacks.ContextEnvironmentAccounts:     "222222222222",
	stacks.ContextSyncPollMinutes:         "2",
	stacks.ContextGitCredentialsSecretARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:gantry-git-AbCdEf",
	stacks.ContextGitHubEnterpriseURL:     "https://github.example.com",
	stacks.ContextPlatformRegion:          "eu-west-1",
	stacks.ContextRegions:                 "us-west-2",
}

// synthesis is the app synthesized once per test binary: jsii's start and a synth cost
// seconds, and every test reads the same templates.
type synthesis struct {
	data, service           assertions.Template
	dataJSON, serviceJSON   template
	dataNotes, serviceNotes []finding
	// connection is the connection stack an environment account deploys.
	connection      assertions.Template
	connectionNotes []finding
	// forwarding is the forwarding stack of us-west-2 (gantry:regions).
	forwarding      assertions.Template
	forwardingNotes []finding
	gantry          *stacks.Gantry
	err             error
}

var (
	once   sync.Once
	synth  synthesis
	tmpDir string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if tmpDir != "" {
		os.RemoveAll(tmpDir)
	}
	jsii.Close()
	os.Exit(code)
}

// synthesized returns the templates and annotations of the app.
func synthesized(t *testing.T) *synthesis {
	t.Helper()
	once.Do(func() { synth = synthesize() })
	if synth.err != nil {
		t.Fatalf("synth: %v", synth.err)
	}
	return &synth
}

func synthesize() (s synthesis) {
	var err error
	if tmpDir, err = os.MkdirTemp("", "gantry-cdk-test-"); err != nil {
		return synthesis{err: err}
	}
	// The functions' code is placeholder files: the template, not the binary, is under
	// test, and building six Linux binaries would dominate the test's time.
	assets := filepath.Join(tmpDir, "lambda")
	for _, name := range lambdaenv.Functions() {
		dir := filepath.Join(assets, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return synthesis{err: err}
		}
		if err := os.WriteFile(filepath.Join(dir, "bootstrap"), []byte("placeholder for "+name), 0o755); err != nil {
			return synthesis{err: err}
		}
	}
	// The app's context is cdk.json's (feature flags included), as under `cdk synth`,
	// overridden by the test's.
	ctx, err := cdkJSONContext()
	if err != nil {
		return synthesis{err: err}
	}
	ctx[stacks.ContextAssetsDir] = assets
	// The console's files are a placeholder build too.
	console := filepath.Join(tmpDir, "console")
	if err := os.MkdirAll(filepath.Join(console, "assets"), 0o755); err != nil {
		return synthesis{err: err}
	}
	for name, content := range map[string]string{"index.html": "<!doctype html><title>Gantry</title>", "assets/index.js": "console.log(1)"} {
		if err := os.WriteFile(filepath.Join(console, name), []byte(content), 0o644); err != nil {
			return synthesis{err: err}
		}
	}
	ctx[stacks.ContextConsoleDir] = console
	for k, v := range testContext {
		ctx[k] = v
	}
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(filepath.Join(tmpDir, "cdk.out")), Context: &ctx})
	cfg, err := stacks.ConfigFromContext(app.Node())
	if err != nil {
		return synthesis{err: err}
	}
	g, err := stacks.Build(app, cfg)
	if err != nil {
		return synthesis{err: err}
	}
	s.gantry = g
	// One synth: the templates and the annotations (cdk-nag's findings) are read from its
	// cloud assembly. (assertions.Annotations_FromStack would synthesize again.)
	assembly, err := synthApp(app)
	if err != nil {
		return synthesis{err: err}
	}
	for _, st := range []struct {
		id    string
		tpl   *assertions.Template
		notes *[]finding
	}{{stacks.DataStackID, &s.data, &s.dataNotes}, {stacks.ServiceStackID, &s.service, &s.serviceNotes},
		{stacks.ConnectionStackID, &s.connection, &s.connectionNotes}, {stacks.ForwardingStackID + "-us-west-2", &s.forwarding, &s.forwardingNotes}} {
		artifact := assembly.GetStackArtifact(jsii.String(st.id))
		tpl, ok := artifact.Template().(map[string]any)
		if !ok {
			return synthesis{err: fmt.Errorf("stack %s: template is %T", st.id, artifact.Template())}
		}
		*st.tpl = assertions.Template_FromJSON(&tpl, nil)
		for _, kind := range []string{"aws:cdk:error", "aws:cdk:warning"} {
			for _, m := range *artifact.FindMetadataByType(jsii.String(kind)) {
				*st.notes = append(*st.notes, finding{kind: kind, path: *m.Path, message: fmt.Sprint(m.Data)})
			}
		}
	}
	if s.dataJSON, err = toTemplate(s.data); err != nil {
		return synthesis{err: err}
	}
	if s.serviceJSON, err = toTemplate(s.service); err != nil {
		return synthesis{err: err}
	}
	return s
}

// finding is an error or warning annotation of a stack.
type finding struct{ kind, path, message string }

// synthApp synthesizes app. With cdk.json's @aws-cdk/core:annotationsInValidationReport,
// an error annotation (an unsuppressed cdk-nag finding among them) fails the synth; the
// error then carries the validation report.
func synthApp(app awscdk.App) (assembly cxapi.CloudAssembly, err error) {
	defer func() {
		if r := recover(); r != nil {
			report, _ := os.ReadFile(filepath.Join(*app.Outdir(), "validation-report.json"))
			err = fmt.Errorf("%v\n%s", r, report)
		}
	}()
	return app.Synth(nil), nil
}

// cdkJSONContext returns the context of the repository's cdk.json.
func cdkJSONContext() (map[string]any, error) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "cdk.json"))
	if err != nil {
		return nil, err
	}
	var cdkJSON struct {
		App     string         `json:"app"`
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(raw, &cdkJSON); err != nil {
		return nil, fmt.Errorf("cdk.json: %w", err)
	}
	if cdkJSON.App != "go run ./cdk" || cdkJSON.Context == nil {
		return nil, fmt.Errorf("cdk.json: app %q with context %v, want go run ./cdk with Gantry's context", cdkJSON.App, cdkJSON.Context)
	}
	return cdkJSON.Context, nil
}

// template is a synthesized CloudFormation template as plain JSON values.
type template struct {
	Resources map[string]resource `json:"Resources"`
	Outputs   map[string]any      `json:"Outputs"`
}

type resource struct {
	Type           string         `json:"Type"`
	Properties     map[string]any `json:"Properties"`
	DeletionPolicy string         `json:"DeletionPolicy"`
	UpdatePolicy   string         `json:"UpdateReplacePolicy"`
}

func toTemplate(tpl assertions.Template) (template, error) {
	raw, err := json.Marshal(tpl.ToJSON())
	if err != nil {
		return template{}, err
	}
	var t template
	err = json.Unmarshal(raw, &t)
	return t, err
}

// ofType returns the logical ids of the resources of type typ, sorted.
func (t template) ofType(typ string) []string {
	var ids []string
	for id, r := range t.Resources {
		if r.Type == typ {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// functions maps each function's gantry:function tag to its logical id.
func (t template) functions(tb testing.TB) map[string]string {
	tb.Helper()
	byName := map[string]string{}
	for _, id := range t.ofType("AWS::Lambda::Function") {
		tags, _ := t.Resources[id].Properties["Tags"].([]any)
		for _, tag := range tags {
			kv := tag.(map[string]any)
			if kv["Key"] == stacks.FunctionTag {
				byName[kv["Value"].(string)] = id
			}
		}
	}
	return byName
}

// holds runs an assertions check, which panics on failure, and reports the failure.
func holds(t *testing.T, what string, check func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s: %v", what, r)
		}
	}()
	check()
}

func getAtt(id string) map[string]any {
	return map[string]any{"Fn::GetAtt": []any{id, "Arn"}}
}

func TestTableFollowsStoreDesign(t *testing.T) {
	s := synthesized(t)
	design := store.Design()
	ids := s.dataJSON.ofType("AWS::DynamoDB::Table")
	if len(ids) != 1 {
		t.Fatalf("tables = %v, want one", ids)
	}
	table := s.dataJSON.Resources[ids[0]]
	keySchema := func(pk, sk string) []any {
		return []any{
			map[string]any{"AttributeName": pk, "KeyType": "HASH"},
			map[string]any{"AttributeName": sk, "KeyType": "RANGE"},
		}
	}
	if got, want := table.Properties["KeySchema"], keySchema(design.PartitionKey, design.SortKey); !reflect.DeepEqual(got, want) {
		t.Errorf("KeySchema = %v, want %v", got, want)
	}
	var wantGSIs []any
	wantAttrs := map[string]bool{design.PartitionKey: true, design.SortKey: true}
	for _, ix := range design.Indexes {
		wantGSIs = append(wantGSIs, map[string]any{
			"IndexName":  ix.Name,
			"KeySchema":  keySchema(ix.PartitionKey, ix.SortKey),
			"Projection": map[string]any{"ProjectionType": "ALL"},
		})
		wantAttrs[ix.PartitionKey], wantAttrs[ix.SortKey] = true, true
	}
	if got := table.Properties["GlobalSecondaryIndexes"]; !reflect.DeepEqual(got, wantGSIs) {
		t.Errorf("GlobalSecondaryIndexes = %v, want %v", got, wantGSIs)
	}
	attrs, _ := table.Properties["AttributeDefinitions"].([]any)
	if len(attrs) != len(wantAttrs) {
		t.Errorf("AttributeDefinitions = %v, want the %d key attributes", attrs, len(wantAttrs))
	}
	for _, a := range attrs {
		a := a.(map[string]any)
		if !wantAttrs[a["AttributeName"].(string)] || a["AttributeType"] != "S" {
			t.Errorf("AttributeDefinitions has %v; want string key attributes of store.Design()", a)
		}
	}
	holds(t, "table settings", func() {
		s.data.HasResource(jsii.String("AWS::DynamoDB::Table"), map[string]any{
			"DeletionPolicy":      "Retain",
			"UpdateReplacePolicy": "Retain",
			"Properties": map[string]any{
				"BillingMode":                      "PAY_PER_REQUEST",
				"DeletionProtectionEnabled":        true,
				"PointInTimeRecoverySpecification": map[string]any{"PointInTimeRecoveryEnabled": true},
				"SSESpecification":                 map[string]any{"SSEEnabled": true},
				"TimeToLiveSpecification":          map[string]any{"AttributeName": design.TTLAttribute, "Enabled": true},
			},
		})
	})
	if _, streams := table.Properties["StreamSpecification"]; streams != design.StreamEnabled {
		t.Errorf("table has a stream: %v, store.Design().StreamEnabled = %v", streams, design.StreamEnabled)
	}
}

func TestBucketIsPrivateEncryptedVersionedAndRetained(t *testing.T) {
	s := synthesized(t)
	holds(t, "bucket", func() {
		s.data.HasResource(jsii.String("AWS::S3::Bucket"), map[string]any{
			"DeletionPolicy": "Retain",
			"Properties": map[string]any{
				"BucketEncryption": map[string]any{"ServerSideEncryptionConfiguration": []any{
					map[string]any{"ServerSideEncryptionByDefault": map[string]any{"SSEAlgorithm": "AES256"}},
				}},
				"PublicAccessBlockConfiguration": map[string]any{
					"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true,
				},
				"VersioningConfiguration": map[string]any{"Status": "Enabled"},
			},
		})
	})
	holds(t, "bucket policy denies plain HTTP", func() {
		s.data.HasResourceProperties(jsii.String("AWS::S3::BucketPolicy"), map[string]any{
			"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
				"Effect":    "Deny",
				"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
			})})},
		})
	})
}

func TestEveryFunctionIsGoOnGravitonWithJSONLogs(t *testing.T) {
	s := synthesized(t)
	fns := s.serviceJSON.functions(t)
	// Gantry's functions, and the CDK's own that copies the console's files into its bucket.
	var own []string
	for _, id := range s.serviceJSON.ofType("AWS::Lambda::Function") {
		if !strings.HasPrefix(id, "CustomCDKBucketDeployment") {
			own = append(own, id)
		}
	}
	if got := len(own); got != len(lambdaenv.Functions()) {
		t.Errorf("%d functions %v, want one per lambdaenv.Functions() (%d)", got, own, len(lambdaenv.Functions()))
	}
	for _, name := range lambdaenv.Functions() {
		id, ok := fns[name]
		if !ok {
			t.Errorf("no function tagged %s=%s", stacks.FunctionTag, name)
			continue
		}
		p := s.serviceJSON.Resources[id].Properties
		if p["Runtime"] != "provided.al2023" || p["Handler"] != "bootstrap" || !reflect.DeepEqual(p["Architectures"], []any{"arm64"}) {
			t.Errorf("%s: runtime %v, handler %v, architectures %v; want provided.al2023, bootstrap, [arm64]",
				name, p["Runtime"], p["Handler"], p["Architectures"])
		}
		logging, _ := p["LoggingConfig"].(map[string]any)
		if logging["LogFormat"] != "JSON" {
			t.Errorf("%s: log format %v, want JSON", name, logging["LogFormat"])
		}
		ref, _ := logging["LogGroup"].(map[string]any)
		group, ok := s.serviceJSON.Resources[fmt.Sprint(ref["Ref"])]
		if !ok || group.Type != "AWS::Logs::LogGroup" || group.Properties["RetentionInDays"] != float64(30) {
			t.Errorf("%s: log group %v is not a log group of this stack with 30 days' retention", name, logging["LogGroup"])
		}
	}
}

func TestFunctionEnvironmentUsesLambdaenvNames(t *testing.T) {
	s := synthesized(t)
	known := map[string]bool{}
	for _, name := range []string{lambdaenv.TableName, lambdaenv.BucketName, lambdaenv.StateMachineARN,
		lambdaenv.EventBusName, lambdaenv.TopicARN, lambdaenv.ProvisioningRoleARN, lambdaenv.AccountRoleName,
		lambdaenv.EventSource, lambdaenv.AdminGroups, lambdaenv.DeveloperGroups, lambdaenv.GroupsClaim, lambdaenv.AccessKeysKMSKey,
		lambdaenv.BuildProject, lambdaenv.ProtonEndpoint, lambdaenv.SyncStateMachineARN, lambdaenv.GitCredentialsSecretARN,
		lambdaenv.GitHubEnterpriseURL} {
		known[name] = true
	}
	fns := s.serviceJSON.functions(t)
	for name, id := range fns {
		env, _ := s.serviceJSON.Resources[id].Properties["Environment"].(map[string]any)
		vars, _ := env["Variables"].(map[string]any)
		if vars[lambdaenv.TableName] == nil {
			t.Errorf("%s: no %s", name, lambdaenv.TableName)
		}
		for k := range vars {
			if !known[k] {
				t.Errorf("%s: variable %s is not named in internal/lambdaenv", name, k)
			}
		}
	}
	api, _ := s.serviceJSON.Resources[fns["api"]].Properties["Environment"].(map[string]any)
	vars, _ := api["Variables"].(map[string]any)
	if vars[lambdaenv.AdminGroups] != "platform-admins,sre" || vars[lambdaenv.DeveloperGroups] != "developers" {
		t.Errorf("api groups = %v / %v, want the context's platform-admins,sre / developers",
			vars[lambdaenv.AdminGroups], vars[lambdaenv.DeveloperGroups])
	}
	deploy, _ := s.serviceJSON.Resources[fns["deploy"]].Properties["Environment"].(map[string]any)
	vars, _ = deploy["Variables"].(map[string]any)
	if vars[lambdaenv.AccountRoleName] != "GantryTarget" || vars[lambdaenv.ProvisioningRoleARN] == nil {
		t.Errorf("deploy: %s = %v, %s = %v; want the context's role name and the provisioning role",
			lambdaenv.AccountRoleName, vars[lambdaenv.AccountRoleName], lambdaenv.ProvisioningRoleARN, vars[lambdaenv.ProvisioningRoleARN])
	}
}

// stateNames collects the names of the states of an ASL definition, including nested
// ones (Parallel branches, Map iterators).
func stateNames(tb testing.TB, def map[string]any, into map[string]bool) {
	tb.Helper()
	states, _ := def["States"].(map[string]any)
	for name, st := range states {
		into[name] = true
		st := st.(map[string]any)
		branches, _ := st["Branches"].([]any)
		for _, b := range branches {
			stateNames(tb, b.(map[string]any), into)
		}
		for _, key := range []string{"Iterator", "ItemProcessor"} {
			if sub, ok := st[key].(map[string]any); ok {
				stateNames(tb, sub, into)
			}
		}
	}
}

// stateMachine returns the logical id of the state machine of kind ("deployment",
// "sync"): the one whose name ends with "-<kind>".
func (t template) stateMachine(tb testing.TB, kind string) string {
	tb.Helper()
	for _, id := range t.ofType("AWS::StepFunctions::StateMachine") {
		if name, _ := t.Resources[id].Properties["StateMachineName"].(string); strings.HasSuffix(name, "-"+kind) {
			return id
		}
	}
	tb.Fatalf("no %s state machine among %v", kind, t.ofType("AWS::StepFunctions::StateMachine"))
	return ""
}

func TestStateMachineIsTheASLFile(t *testing.T) {
	s := synthesized(t)
	if ids := s.serviceJSON.ofType("AWS::StepFunctions::StateMachine"); len(ids) != 2 {
		t.Fatalf("state machines = %v, want two (deployment, sync)", ids)
	}
	for _, wf := range []struct {
		kind       string
		definition []byte
		subs       map[string]string
	}{
		{"deployment", statemachines.Deployment(), statemachines.DeploymentSubstitutions()},
		{"sync", statemachines.Sync(), statemachines.SyncSubstitutions()},
	} {
		p := s.serviceJSON.Resources[s.serviceJSON.stateMachine(t, wf.kind)].Properties
		text, ok := p["DefinitionString"].(string)
		if !ok {
			t.Fatalf("%s: DefinitionString is %T, want the ASL text", wf.kind, p["DefinitionString"])
		}
		var synthesizedDef, fileDef map[string]any
		if err := json.Unmarshal([]byte(text), &synthesizedDef); err != nil {
			t.Fatalf("%s: DefinitionString: %v", wf.kind, err)
		}
		if err := json.Unmarshal(wf.definition, &fileDef); err != nil {
			t.Fatalf("%s.asl.json: %v", wf.kind, err)
		}
		got, want := map[string]bool{}, map[string]bool{}
		stateNames(t, synthesizedDef, got)
		stateNames(t, fileDef, want)
		if len(want) == 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: states = %v, want those of the .asl.json %v", wf.kind, got, want)
		}
		if !reflect.DeepEqual(synthesizedDef, fileDef) {
			t.Errorf("DefinitionString differs from statemachines/%s.asl.json", wf.kind)
		}

		fns := s.serviceJSON.functions(t)
		subs, _ := p["DefinitionSubstitutions"].(map[string]any)
		if len(subs) != len(wf.subs) {
			t.Errorf("%s: DefinitionSubstitutions = %v, want %v", wf.kind, subs, wf.subs)
		}
		for name, fn := range wf.subs {
			if !reflect.DeepEqual(subs[name], getAtt(fns[fn])) {
				t.Errorf("%s: substitution %s = %v, want the ARN of function %s (%s)", wf.kind, name, subs[name], fn, fns[fn])
			}
		}
	}
	holds(t, "logging and tracing", func() {
		s.service.HasResourceProperties(jsii.String("AWS::StepFunctions::StateMachine"), map[string]any{
			"StateMachineType":     "STANDARD",
			"LoggingConfiguration": map[string]any{"Level": "ALL", "IncludeExecutionData": false},
			"TracingConfiguration": map[string]any{"Enabled": true},
		})
	})
}

// TestSyncIsDeployed: the webhook route, the sync workflow's starters and the poller's
// schedule (rate from gantry:syncPollMinutes), and the git credentials' secret readable
// by the functions that clone, and by them only.
func TestSyncIsDeployed(t *testing.T) {
	s := synthesized(t)
	fns := s.serviceJSON.functions(t)
	holds(t, "the poller every 2 minutes", func() {
		s.service.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]any{
			"ScheduleExpression": "rate(2 minutes)",
			"State":              "ENABLED",
			"Targets": []any{map[string]any{
				"Arn":              getAtt(fns["poll"]),
				"DeadLetterConfig": map[string]any{"Arn": assertions.Match_AnyValue()},
				"RetryPolicy":      assertions.Match_AnyValue(),
				"Id":               assertions.Match_AnyValue(),
			}},
		})
	})
	startsSync, readsSecret := map[string]bool{}, map[string]bool{}
	secret := testContext[stacks.ContextGitCredentialsSecretARN]
	for id, list := range statements(s.serviceJSON) {
		for _, st := range list {
			actions := fmt.Sprint(st["Action"])
			if res := fmt.Sprint(st["Resource"]); strings.Contains(actions, "states:StartExecution") && strings.Contains(res, ":stateMachine:") && strings.Contains(res, "-sync") {
				startsSync[id] = true
			}
			if strings.Contains(actions, "secretsmanager:") {
				if st["Resource"] != secret || actions != "secretsmanager:GetSecretValue" {
					t.Errorf("%s: %v on %v, want secretsmanager:GetSecretValue on the configured secret only", id, st["Action"], st["Resource"])
				}
				readsSecret[id] = true
			}
		}
	}
	roleOf := func(fn string) string {
		role, _ := s.serviceJSON.Resources[fns[fn]].Properties["Role"].(map[string]any)
		attr, _ := role["Fn::GetAtt"].([]any)
		if len(attr) == 0 {
			t.Fatalf("function %s: role %v", fn, role)
		}
		return attr[0].(string)
	}
	policyOf := func(roleID string) []string { // the policies attached to a role
		var out []string
		for _, id := range s.serviceJSON.ofType("AWS::IAM::Policy") {
			roles, _ := s.serviceJSON.Resources[id].Properties["Roles"].([]any)
			for _, r := range roles {
				if reflect.DeepEqual(r, map[string]any{"Ref": roleID}) {
					out = append(out, id)
				}
			}
		}
		return out
	}
	has := func(set map[string]bool, fn string) bool {
		return slices.ContainsFunc(policyOf(roleOf(fn)), func(id string) bool { return set[id] })
	}
	for _, fn := range lambdaenv.Functions() {
		wantStart, wantSecret := fn == "api" || fn == "poll", fn == "sync" || fn == "poll"
		if has(startsSync, fn) != wantStart {
			t.Errorf("function %s starts the sync workflow: %v, want %v", fn, has(startsSync, fn), wantStart)
		}
		if has(readsSecret, fn) != wantSecret {
			t.Errorf("function %s reads the git credentials: %v, want %v", fn, has(readsSecret, fn), wantSecret)
		}
	}
	for fn, want := range map[string]string{"sync": "GitCredentialsSecretARN", "poll": "SyncStateMachineARN", "api": "SyncStateMachineARN"} {
		env, _ := s.serviceJSON.Resources[fns[fn]].Properties["Environment"].(map[string]any)
		vars, _ := env["Variables"].(map[string]any)
		name := map[string]string{"GitCredentialsSecretARN": lambdaenv.GitCredentialsSecretARN, "SyncStateMachineARN": lambdaenv.SyncStateMachineARN}[want]
		if vars[name] == nil {
			t.Errorf("function %s has no %s", fn, name)
		}
	}
}

func TestRulesAreEventsRules(t *testing.T) {
	s := synthesized(t)
	rules, err := events.Rules()
	if err != nil {
		t.Fatal(err)
	}
	schedules, err := events.Schedules()
	if err != nil {
		t.Fatal(err)
	}
	fns := s.serviceJSON.functions(t)
	ids := s.serviceJSON.ofType("AWS::Events::Rule")
	if len(ids) != len(rules)+len(schedules)+1 {
		t.Errorf("%d rules, want one per events.Rules() and events.Schedules() entry and the sync poller's (%d + %d + 1)", len(ids), len(rules), len(schedules))
	}
	stateMachine := map[string]any{"Ref": s.serviceJSON.stateMachine(t, "deployment")}
	for _, r := range rules {
		var want any
		if err := json.Unmarshal(r.Pattern, &want); err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, id := range ids {
			p := s.serviceJSON.Resources[id].Properties
			pattern, _ := p["EventPattern"].(map[string]any)
			if detail, ok := pattern["detail"].(map[string]any); ok && detail["stateMachineArn"] != nil {
				// Step Functions events: the rule keeps to Gantry's state machine, which the
				// pattern file cannot name.
				if !reflect.DeepEqual(detail["stateMachineArn"], []any{stateMachine}) {
					t.Errorf("rule with pattern %v narrows to %v, want the deployment state machine", pattern, detail["stateMachineArn"])
				}
				pattern = maps.Clone(pattern)
				pattern["detail"] = maps.Clone(detail)
				delete(pattern["detail"].(map[string]any), "stateMachineArn")
			}
			if !reflect.DeepEqual(any(pattern), want) {
				continue
			}
			found = true
			if _, onCustomBus := p["EventBusName"]; onCustomBus {
				t.Errorf("rule %s is on bus %v, want the default bus", r.Name, p["EventBusName"])
			}
			targets, _ := p["Targets"].([]any)
			if len(targets) != 1 {
				t.Errorf("rule %s has targets %v, want one", r.Name, targets)
				continue
			}
			target := targets[0].(map[string]any)
			if !reflect.DeepEqual(target["Arn"], getAtt(fns[r.Target])) {
				t.Errorf("rule %s targets %v, want function %s", r.Name, target["Arn"], r.Target)
			}
			if target["DeadLetterConfig"] == nil || target["RetryPolicy"] == nil {
				t.Errorf("rule %s target has no dead-letter queue or retry policy: %v", r.Name, target)
			}
		}
		if !found {
			t.Errorf("no rule has the pattern of %s: %s", r.Name, r.Pattern)
		}
	}
	for _, sch := range schedules {
		holds(t, "scheduled rule "+sch.Name, func() {
			s.service.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]any{
				"ScheduleExpression": sch.Expression,
				"State":              "ENABLED",
				"Targets": []any{map[string]any{
					"Arn":              getAtt(fns[sch.Target]),
					"DeadLetterConfig": map[string]any{"Arn": assertions.Match_AnyValue()},
					"RetryPolicy":      map[string]any{"MaximumRetryAttempts": 8, "MaximumEventAgeInSeconds": 21600},
					"Id":               assertions.Match_AnyValue(),
				}},
			})
		})
	}
	holds(t, "Step Functions executions that ended badly reach the events function", func() {
		s.service.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]any{
			"EventPattern": map[string]any{
				"source":      []any{"aws.states"},
				"detail-type": []any{"Step Functions Execution Status Change"},
				"detail":      map[string]any{"status": []any{"FAILED", "TIMED_OUT", "ABORTED"}, "stateMachineArn": []any{stateMachine}},
			},
		})
	})
}

func TestAPIRoutesAndAuthorizer(t *testing.T) {
	s := synthesized(t)
	holds(t, "JWT authorizer from the context", func() {
		s.service.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Authorizer"), map[string]any{
			"AuthorizerType": "JWT",
			"JwtConfiguration": map[string]any{
				"Issuer":   testContext[stacks.ContextJWTIssuer],
				"Audience": []any{"client-one", "client-two"},
			},
		})
	})
	holds(t, "proxy route needs a token", func() {
		s.service.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Route"), map[string]any{
			"RouteKey": "ANY /{proxy+}", "AuthorizationType": "JWT",
		})
	})
	holds(t, "health route is open", func() {
		s.service.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Route"), map[string]any{
			"RouteKey": "GET " + stacks.HealthPath, "AuthorizationType": "NONE",
		})
	})
	holds(t, "webhook route is open (its signature authenticates it)", func() {
		s.service.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Route"), map[string]any{
			"RouteKey": "POST " + stacks.WebhookPath, "AuthorizationType": "NONE",
		})
	})
	var open []string
	for _, id := range s.serviceJSON.ofType("AWS::ApiGatewayV2::Route") {
		if p := s.serviceJSON.Resources[id].Properties; p["AuthorizationType"] != "JWT" {
			open = append(open, fmt.Sprint(p["RouteKey"]))
		}
	}
	sort.Strings(open)
	if want := []string{"GET " + stacks.HealthPath, "POST /", "POST " + stacks.WebhookPath}; !reflect.DeepEqual(open, want) {
		t.Errorf("routes without the JWT authorizer = %v, want %v", open, want)
	}
	holds(t, "Lambda proxy integration, payload 2.0", func() {
		s.service.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Integration"), map[string]any{
			"IntegrationType": "AWS_PROXY", "PayloadFormatVersion": "2.0",
			"IntegrationUri": getAtt(s.serviceJSON.functions(t)["api"]),
		})
	})
	holds(t, "access logging on the default stage", func() {
		s.service.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Stage"), map[string]any{
			"StageName":         "$default",
			"AccessLogSettings": map[string]any{"DestinationArn": assertions.Match_AnyValue(), "Format": assertions.Match_StringLikeRegexp(jsii.String(`\$context\.requestId`))},
		})
	})
	holds(t, "API is HTTP", func() {
		s.service.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Api"), map[string]any{"ProtocolType": "HTTP"})
	})
}

func TestNotificationsAndBus(t *testing.T) {
	s := synthesized(t)
	holds(t, "encrypted topic", func() {
		s.service.HasResourceProperties(jsii.String("AWS::SNS::Topic"), map[string]any{
			"KmsMasterKeyId": assertions.Match_AnyValue(),
		})
	})
	holds(t, "topic TLS only and open to the account's alarms", func() {
		s.service.HasResourceProperties(jsii.String("AWS::SNS::TopicPolicy"), map[string]any{
			"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
				assertions.Match_ObjectLike(&map[string]any{"Effect": "Deny", "Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}}}),
				assertions.Match_ObjectLike(&map[string]any{"Effect": "Allow", "Principal": map[string]any{"Service": "cloudwatch.amazonaws.com"}}),
			})},
		})
	})
	holds(t, "key rotation", func() {
		s.service.HasResourceProperties(jsii.String("AWS::KMS::Key"), map[string]any{"EnableKeyRotation": true})
	})
	holds(t, "email subscription", func() {
		s.service.HasResourceProperties(jsii.String("AWS::SNS::Subscription"), map[string]any{
			"Protocol": "email", "Endpoint": testContext[stacks.ContextAlarmEmail],
		})
	})
	holds(t, "gantry bus", func() {
		s.service.HasResourceProperties(jsii.String("AWS::Events::EventBus"), map[string]any{"Name": stacks.EventBusName})
	})
}

func TestAlarmsCoverWorkflowAPIAndEachFunction(t *testing.T) {
	s := synthesized(t)
	topic := s.serviceJSON.ofType("AWS::SNS::Topic")
	if len(topic) != 1 {
		t.Fatalf("topics = %v, want one", topic)
	}
	fns := s.serviceJSON.functions(t)
	watched := map[string]bool{}
	for _, id := range s.serviceJSON.ofType("AWS::CloudWatch::Alarm") {
		p := s.serviceJSON.Resources[id].Properties
		if !reflect.DeepEqual(p["AlarmActions"], []any{map[string]any{"Ref": topic[0]}}) {
			t.Errorf("alarm %s notifies %v, want the topic", id, p["AlarmActions"])
		}
		dims, _ := p["Dimensions"].([]any)
		for _, d := range dims {
			if ref, ok := d.(map[string]any)["Value"].(map[string]any)["Ref"].(string); ok {
				watched[fmt.Sprint(p["Namespace"], " ", p["MetricName"], " ", ref)] = true
			}
		}
		if p["Namespace"] == "AWS/ApiGateway" && p["MetricName"] == "5xx" {
			watched["api 5xx"] = true
		}
	}
	want := []string{"api 5xx"}
	want = append(want, "AWS/States ExecutionsFailed "+s.serviceJSON.stateMachine(t, "deployment"))
	for _, name := range lambdaenv.Functions() {
		want = append(want, "AWS/Lambda Errors "+fns[name], "AWS/Lambda Throttles "+fns[name])
	}
	for _, w := range want {
		if !watched[w] {
			t.Errorf("no alarm on %s; alarms watch %v", w, watched)
		}
	}
	holds(t, "one dashboard", func() { s.service.ResourceCountIs(jsii.String("AWS::CloudWatch::Dashboard"), jsii.Number(1)) })
}

// statements returns every statement of the identity policies and role inline policies of
// t, with the logical id of the resource that holds it.
func statements(t template) map[string][]map[string]any {
	out := map[string][]map[string]any{}
	add := func(id string, doc any) {
		d, _ := doc.(map[string]any)
		list, _ := d["Statement"].([]any)
		for _, st := range list {
			out[id] = append(out[id], st.(map[string]any))
		}
	}
	for id, r := range t.Resources {
		switch r.Type {
		case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy":
			add(id, r.Properties["PolicyDocument"])
		case "AWS::IAM::Role":
			policies, _ := r.Properties["Policies"].([]any)
			for _, p := range policies {
				add(id, p.(map[string]any)["PolicyDocument"])
			}
		}
	}
	return out
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

// provisioningRole returns the logical id of the provisioning role.
func provisioningRole(tb testing.TB, t template) string {
	tb.Helper()
	roles := t.ofType("AWS::IAM::Role")
	i := slices.IndexFunc(roles, func(id string) bool { return strings.HasPrefix(id, "ProvisioningRole") })
	if i < 0 {
		tb.Fatalf("no provisioning role among %v", roles)
	}
	return roles[i]
}

func TestNoWildcardActionsOrBroadManagedPolicies(t *testing.T) {
	s := synthesized(t)
	for _, tpl := range []template{s.dataJSON, s.serviceJSON} {
		for id, sts := range statements(tpl) {
			for _, st := range sts {
				for _, a := range asList(st["Action"]) {
					if a == "*" || strings.HasSuffix(fmt.Sprint(a), ":*") {
						t.Errorf("%s allows action %v", id, a)
					}
				}
				for _, a := range asList(st["Action"]) {
					toCodeBuild := reflect.DeepEqual(st["Condition"], map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "codebuild.amazonaws.com"}})
					if a == "iam:PassRole" && !reflect.DeepEqual(st["Resource"], getAtt(provisioningRole(t, tpl))) && !toCodeBuild {
						t.Errorf("%s passes %v, want only the provisioning role (or roles passed to CodeBuild only)", id, st["Resource"])
					}
				}
			}
		}
		for _, id := range tpl.ofType("AWS::IAM::Role") {
			for _, arn := range asList(tpl.Resources[id].Properties["ManagedPolicyArns"]) {
				if s := fmt.Sprint(arn); strings.Contains(s, "FullAccess") || strings.Contains(s, "AdministratorAccess") {
					t.Errorf("role %s has managed policy %s", id, s)
				}
			}
		}
	}
	// The provisioning role carries exactly the operator's policies.
	holds(t, "provisioning role", func() {
		s.service.HasResourceProperties(jsii.String("AWS::IAM::Role"), map[string]any{
			"ManagedPolicyArns":        testContext[stacks.ContextProvisioningPolicyARN],
			"AssumeRolePolicyDocument": map[string]any{"Statement": []any{assertions.Match_ObjectLike(&map[string]any{"Principal": map[string]any{"Service": "cloudformation.amazonaws.com"}})}},
		})
	})
}

func TestCloudFormationAndAssumeRoleAreScoped(t *testing.T) {
	s := synthesized(t)
	for id, sts := range statements(s.serviceJSON) {
		for _, st := range sts {
			for _, a := range asList(st["Action"]) {
				action := fmt.Sprint(a)
				resource, _ := json.Marshal(st["Resource"])
				switch {
				case action == "cloudformation:DescribeStacks" && string(resource) == `"*"`:
					// Only the API's import lists the account's stacks.
					if st["Sid"] != "ListStacks" || !strings.HasPrefix(id, "ApiFunctionRole") {
						t.Errorf("%s: %s on %s, want it only in the API's ListStacks statement", id, action, resource)
					}
				case strings.HasPrefix(action, "cloudformation:"):
					if !strings.Contains(string(resource), ":cloudformation:*:*:stack/"+events.NamePrefix+"*/*") ||
						!strings.Contains(string(resource), ":cloudformation:*:*:stack/"+events.AdoptedNamePrefix+"*/*") {
						t.Errorf("%s: %s on %s, want Gantry's stacks and the AWS Proton stacks it adopts only", id, action, resource)
					}
				case action == "sts:AssumeRole":
					if !strings.Contains(string(resource), ":iam::*:role/GantryTarget") {
						t.Errorf("%s: sts:AssumeRole on %s, want the connected accounts' role", id, resource)
					}
				}
			}
		}
	}
}

func TestCDKNagReportsNoUnsuppressedFinding(t *testing.T) {
	s := synthesized(t)
	for name, notes := range map[string][]finding{stacks.DataStackID: s.dataNotes, stacks.ServiceStackID: s.serviceNotes, stacks.ConnectionStackID: s.connectionNotes,
		stacks.ForwardingStackID: s.forwardingNotes} {
		for _, f := range notes {
			if strings.Contains(f.message, "AwsSolutions-") {
				t.Errorf("%s: cdk-nag %s at %s: %s", name, f.kind, f.path, f.message)
			}
		}
	}
}

func TestSynthWarnsOnlyAboutGantrysOwnSettings(t *testing.T) {
	s := synthesized(t)
	// The test context sets every key: no warning about the identity provider or the
	// provisioning policies, and no error at all.
	for _, f := range slices.Concat(s.dataNotes, s.serviceNotes, s.connectionNotes, s.forwardingNotes) {
		t.Errorf("%s at %s: %s", f.kind, f.path, f.message)
	}
}

func TestDataStackHasTerminationProtection(t *testing.T) {
	s := synthesized(t)
	if tp := s.gantry.Data.TerminationProtection(); tp == nil || !*tp {
		t.Errorf("data stack termination protection = %v, want true", tp)
	}
	if tp := s.gantry.Service.TerminationProtection(); tp != nil && *tp {
		t.Errorf("service stack has termination protection; it is meant to be rebuilt freely")
	}
}

// cloudFormationActions maps each function (by its gantry:function tag) to the
// cloudformation:* actions its role's policies allow.
func cloudFormationActions(tb testing.TB, t template) map[string][]string {
	tb.Helper()
	roleOf := map[string]string{} // role logical id -> function name
	for name, id := range t.functions(tb) {
		att, _ := t.Resources[id].Properties["Role"].(map[string]any)["Fn::GetAtt"].([]any)
		if len(att) == 0 {
			tb.Fatalf("function %s: role %v is not a GetAtt of a role in the stack", name, t.Resources[id].Properties["Role"])
		}
		roleOf[att[0].(string)] = name
	}
	out := map[string][]string{}
	for _, id := range t.ofType("AWS::IAM::Policy") {
		p := t.Resources[id].Properties
		sts := statements(template{Resources: map[string]resource{id: t.Resources[id]}})[id]
		for _, r := range asList(p["Roles"]) {
			ref, _ := r.(map[string]any)["Ref"].(string)
			name, ok := roleOf[ref]
			if !ok {
				continue
			}
			for _, st := range sts {
				for _, a := range asList(st["Action"]) {
					if action := fmt.Sprint(a); strings.HasPrefix(action, "cloudformation:") {
						out[name] = append(out[name], action)
					}
				}
			}
		}
	}
	return out
}

func TestOnlyTheAPICancelsStackUpdates(t *testing.T) {
	s := synthesized(t)
	actions := cloudFormationActions(t, s.serviceJSON)
	// The API reads stacks, makes and drops the change sets of previews and cancels
	// updates; it never executes a change set or deletes a stack (the deploy function does).
	got := actions["api"]
	slices.Sort(got)
	want := []string{"cloudformation:CancelUpdateStack", "cloudformation:CreateChangeSet", "cloudformation:DeleteChangeSet",
		"cloudformation:DescribeChangeSet", "cloudformation:DescribeStackEvents", "cloudformation:DescribeStacks", "cloudformation:DescribeStacks",
		"cloudformation:GetTemplate", "cloudformation:ListStackResources"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("api may %v on stacks, want %v", got, want)
	}
	for name, list := range actions {
		if name != "api" && slices.Contains(list, "cloudformation:CancelUpdateStack") {
			t.Errorf("%s may cancel stack updates; only the api function cancels deployments", name)
		}
	}
	if !slices.Contains(actions["deploy"], "cloudformation:ExecuteChangeSet") {
		t.Errorf("deploy may %v, want its change-set actions (the test reads the policies wrong)", actions["deploy"])
	}
}
