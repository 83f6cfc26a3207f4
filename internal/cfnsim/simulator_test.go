package cfnsim

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/cfnspec"
	"github.com/gantry-platform/gantry/internal/cfnspec/cfntemplate"
	"github.com/gantry-platform/gantry/internal/platform"
)

const (
	shared          = "../../../shared"
	conformanceDir  = shared + "/conformance/proton-jinja/expected"
	sampleEvent     = shared + "/samples/events/cloudformation-stack-status-change-with-token.json"
	fargateEnv      = conformanceDir + "/aws-samples__aws-proton-cloudformation-sample-templates/loadbalanced-fargate-svc/loadbalanced-fargate-env/v1/environment/cloudformation.yaml"
	testAccount     = "111122223333"
	testRegion      = "eu-west-1"
	clusterTemplate = `Resources:
  Cluster:
    Type: AWS::ECS::Cluster
Outputs:
  ClusterName:
    Value: !Ref Cluster
`
)

var testTime = time.Date(2024, 3, 11, 10, 15, 2, 0, time.UTC)

// recorder collects published events; gate, when set, is called before an event is
// recorded and may block.
type recorder struct {
	mu     sync.Mutex
	events []event
	gate   func(ctx context.Context, e event)
}

type event struct {
	raw    []byte
	Stack  string
	Status string
	Reason string
	Token  string
}

func (r *recorder) publish(ctx context.Context, raw []byte) error {
	var e struct {
		Detail struct {
			StackID       string `json:"stack-id"`
			StatusDetails struct {
				Status       string `json:"status"`
				StatusReason string `json:"status-reason"`
			} `json:"status-details"`
			Token string `json:"client-request-token"`
		} `json:"detail"`
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return err
	}
	ev := event{raw: raw, Stack: e.Detail.StackID, Status: e.Detail.StatusDetails.Status, Reason: e.Detail.StatusDetails.StatusReason, Token: e.Detail.Token}
	if r.gate != nil {
		r.gate(ctx, ev)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
	return nil
}

// take returns the events recorded since the last call.
func (r *recorder) take() []event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.events
	r.events = nil
	return out
}

func statuses(events []event) []string {
	var out []string
	for _, e := range events {
		out = append(out, e.Status)
	}
	return out
}

func newSimulator(t *testing.T, rec *recorder) *Simulator {
	t.Helper()
	spec, err := cfnspec.Load()
	if err != nil {
		t.Fatal(err)
	}
	sim := New(spec, Options{Account: testAccount, Region: testRegion, Publish: rec.publish, Now: func() time.Time { return testTime }})
	t.Cleanup(sim.Close)
	return sim
}

func mustDeploy(t *testing.T, sim *Simulator, name, template, token string) platform.StackOperation {
	t.Helper()
	op, err := sim.Deploy(context.Background(), platform.StackDeployment{StackName: name, TemplateBody: []byte(template), ClientRequestToken: token})
	if err != nil {
		t.Fatalf("Deploy %s: %v", name, err)
	}
	sim.Wait(name)
	return op
}

func mustDescribe(t *testing.T, sim *Simulator, name string) platform.Stack {
	t.Helper()
	st, err := sim.Describe(context.Background(), name)
	if err != nil {
		t.Fatalf("Describe %s: %v", name, err)
	}
	return st
}

func outputs(st platform.Stack) map[string]string {
	m := map[string]string{}
	for _, o := range st.Outputs {
		m[o.Key] = o.Value
	}
	return m
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCreateUpdateDeleteSequences(t *testing.T) {
	rec := &recorder{}
	sim := newSimulator(t, rec)
	ctx := context.Background()

	op := mustDeploy(t, sim, "gantry-env-prod", readFile(t, fargateEnv), "token-create")
	if !regexp.MustCompile(`^arn:aws:cloudformation:eu-west-1:111122223333:stack/gantry-env-prod/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`).MatchString(op.StackID) || op.NoChanges {
		t.Fatalf("Deploy = %+v, want a stack id and changes", op)
	}
	events := rec.take()
	if got, want := statuses(events), []string{"REVIEW_IN_PROGRESS", "CREATE_IN_PROGRESS", "CREATE_COMPLETE"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("create statuses = %v, want %v", got, want)
	}
	for _, e := range events {
		if e.Token != "token-create" || e.Stack != op.StackID {
			t.Errorf("event %s: token %q stack %q", e.Status, e.Token, e.Stack)
		}
	}
	st := mustDescribe(t, sim, "gantry-env-prod")
	if st.Status != "CREATE_COMPLETE" || st.StatusReason != "" || st.StackID != op.StackID || st.StackName != "gantry-env-prod" || st.LastClientRequestToken != "token-create" {
		t.Fatalf("Describe after create = %+v", st)
	}
	out := outputs(st)
	for key, pattern := range map[string]string{
		"ClusterName":            `^gantry-env-prod-ECSCluster-[0-9A-F]{12}$`,
		"ECSTaskExecutionRole":   `^arn:aws:iam::111122223333:role/gantry-env-prod-ECSTaskExecutionRole-[0-9A-F]{12}$`,
		"VpcId":                  `^vpc-0[0-9a-f]{16}$`,
		"PublicSubnetOne":        `^subnet-0[0-9a-f]{16}$`,
		"PublicSubnetTwo":        `^subnet-0[0-9a-f]{16}$`,
		"ContainerSecurityGroup": `^sg-0[0-9a-f]{16}$`,
	} {
		if !regexp.MustCompile(pattern).MatchString(out[key]) {
			t.Errorf("output %s = %q, want %s", key, out[key], pattern)
		}
	}
	if len(out) != 6 {
		t.Errorf("outputs = %v, want 6", out)
	}
	if out["PublicSubnetOne"] == out["PublicSubnetTwo"] {
		t.Errorf("two subnets share the id %s", out["PublicSubnetOne"])
	}

	// The same template again: nothing to do.
	again, err := sim.Deploy(ctx, platform.StackDeployment{StackName: "gantry-env-prod", TemplateBody: []byte(readFile(t, fargateEnv)), ClientRequestToken: "token-same"})
	if err != nil || !again.NoChanges || again.StackID != op.StackID {
		t.Fatalf("Deploy of the same template = %+v, %v; want NoChanges", again, err)
	}
	sim.Wait("gantry-env-prod")
	if events := rec.take(); len(events) != 0 {
		t.Fatalf("NoChanges published %v", statuses(events))
	}

	// An update.
	updated := strings.Replace(readFile(t, fargateEnv), "Outputs:\n", "Outputs:\n  Region:\n    Value: !Ref AWS::Region\n", 1)
	upd := mustDeploy(t, sim, "gantry-env-prod", updated, "token-update")
	if upd.StackID != op.StackID || upd.NoChanges {
		t.Fatalf("update = %+v", upd)
	}
	if got, want := statuses(rec.take()), []string{"UPDATE_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_COMPLETE"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("update statuses = %v, want %v", got, want)
	}
	st = mustDescribe(t, sim, "gantry-env-prod")
	if st.Status != "UPDATE_COMPLETE" || outputs(st)["Region"] != testRegion || outputs(st)["VpcId"] != out["VpcId"] || st.LastClientRequestToken != "token-update" {
		t.Fatalf("Describe after update = %+v", st)
	}

	// Delete.
	del, err := sim.Delete(ctx, "gantry-env-prod", "token-delete")
	if err != nil || del.NoChanges || del.StackID != op.StackID {
		t.Fatalf("Delete = %+v, %v", del, err)
	}
	sim.Wait("gantry-env-prod")
	events = rec.take()
	if got, want := statuses(events), []string{"DELETE_IN_PROGRESS", "DELETE_COMPLETE"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("delete statuses = %v, want %v", got, want)
	}
	if events[0].Token != "token-delete" {
		t.Errorf("delete event token = %q", events[0].Token)
	}
	if _, err := sim.Describe(ctx, "gantry-env-prod"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("Describe after delete: %v, want NotFound", err)
	}
	missing, err := sim.Delete(ctx, "gantry-env-prod", "token-again")
	if err != nil || !missing.NoChanges {
		t.Fatalf("Delete of a missing stack = %+v, %v; want NoChanges", missing, err)
	}
	sim.Wait("gantry-env-prod")
	if events := rec.take(); len(events) != 0 {
		t.Fatalf("deleting a missing stack published %v", statuses(events))
	}
}

func TestEventsHaveTheSampleShape(t *testing.T) {
	rec := &recorder{}
	sim := newSimulator(t, rec)
	mustDeploy(t, sim, "shape", clusterTemplate, "d2f4c1e0-9a1b-4c6e-8f3a-0b7d6e5c4a21")
	events := rec.take()
	if len(events) == 0 {
		t.Fatal("no events")
	}
	var sample map[string]any
	if err := json.Unmarshal([]byte(readFile(t, sampleEvent)), &sample); err != nil {
		t.Fatal(err)
	}
	want := keyPaths(sample, "")
	for _, e := range events {
		var got map[string]any
		if err := json.Unmarshal(e.raw, &got); err != nil {
			t.Fatal(err)
		}
		if paths := keyPaths(got, ""); !reflect.DeepEqual(paths, want) {
			t.Errorf("event %s keys = %v, want the sample's %v", e.Status, paths, want)
		}
		if got["detail-type"] != "CloudFormation Stack Status Change" || got["source"] != "aws.cloudformation" ||
			got["account"] != testAccount || got["region"] != testRegion || got["time"] != "2024-03-11T10:15:02Z" || got["version"] != "0" {
			t.Errorf("event %s = %s", e.Status, e.raw)
		}
	}
	ids := map[string]bool{}
	for _, e := range events {
		var got struct{ ID string }
		_ = json.Unmarshal(e.raw, &got)
		if ids[got.ID] || got.ID == "" {
			t.Errorf("event id %q empty or repeated", got.ID)
		}
		ids[got.ID] = true
	}
}

// keyPaths lists the key paths of a JSON object, sorted.
func keyPaths(v any, prefix string) []string {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	var out []string
	for k, child := range m {
		out = append(out, prefix+k)
		out = append(out, keyPaths(child, prefix+k+".")...)
	}
	sort.Strings(out)
	return out
}

func TestInProgressStackConflicts(t *testing.T) {
	release := make(chan struct{})
	held := make(chan struct{})
	rec := &recorder{}
	rec.gate = func(ctx context.Context, e event) {
		if e.Status == "CREATE_IN_PROGRESS" {
			close(held)
			select {
			case <-release:
			case <-ctx.Done():
			}
		}
	}
	sim := newSimulator(t, rec)
	ctx := context.Background()
	op, err := sim.Deploy(ctx, platform.StackDeployment{StackName: "busy", TemplateBody: []byte(clusterTemplate), ClientRequestToken: "t1"})
	if err != nil {
		t.Fatal(err)
	}
	<-held
	if st := mustDescribe(t, sim, "busy"); st.Status != "CREATE_IN_PROGRESS" {
		t.Fatalf("status while held = %s", st.Status)
	}
	_, err = sim.Deploy(ctx, platform.StackDeployment{StackName: "busy", TemplateBody: []byte(clusterTemplate + "# changed\n"), ClientRequestToken: "t2"})
	want := "Stack:" + op.StackID + " is in CREATE_IN_PROGRESS state and can not be updated."
	if platform.KindOf(err) != platform.Conflict || platform.MessageOf(err) != want {
		t.Fatalf("Deploy while in progress: %v (%s), want Conflict %q", err, platform.KindOf(err), want)
	}
	if _, err := sim.Delete(ctx, "busy", "t3"); platform.KindOf(err) != platform.Conflict {
		t.Fatalf("Delete while in progress: %v, want Conflict", err)
	}
	close(release)
	sim.Wait("busy")
	if st := mustDescribe(t, sim, "busy"); st.Status != "CREATE_COMPLETE" || st.LastClientRequestToken != "t1" {
		t.Fatalf("after release: %+v", st)
	}
}

func TestCloseStopsOperationsInFlight(t *testing.T) {
	held := make(chan struct{})
	rec := &recorder{}
	rec.gate = func(ctx context.Context, e event) {
		if e.Status == "CREATE_IN_PROGRESS" {
			close(held)
			<-ctx.Done()
		}
	}
	spec, err := cfnspec.Load()
	if err != nil {
		t.Fatal(err)
	}
	sim := New(spec, Options{Publish: rec.publish})
	if _, err := sim.Deploy(context.Background(), platform.StackDeployment{StackName: "closing", TemplateBody: []byte(clusterTemplate)}); err != nil {
		t.Fatal(err)
	}
	<-held
	sim.Close() // returns: the publisher sees the context end
	sim.Wait("closing")
	if st := mustDescribe(t, sim, "closing"); st.Status != "CREATE_IN_PROGRESS" {
		t.Fatalf("status after Close = %s", st.Status)
	}
	if !strings.HasPrefix(mustDescribe(t, sim, "closing").StackID, "arn:aws:cloudformation:us-east-1:000000000000:stack/closing/") {
		t.Error("defaults for account and region not applied")
	}
	if _, err := sim.Deploy(context.Background(), platform.StackDeployment{StackName: "after", TemplateBody: []byte(clusterTemplate)}); platform.KindOf(err) != platform.Internal {
		t.Fatalf("Deploy after Close: %v, want Internal", err)
	}
}

func TestBadPropertyRollsBackCreate(t *testing.T) {
	rec := &recorder{}
	sim := newSimulator(t, rec)
	ctx := context.Background()
	bad := strings.Replace(clusterTemplate, "Type: AWS::ECS::Cluster\n", "Type: AWS::ECS::Cluster\n    Properties:\n      Foo: bar\n", 1)
	op := mustDeploy(t, sim, "bad", bad, "t1")
	events := rec.take()
	if got, want := statuses(events), []string{"REVIEW_IN_PROGRESS", "CREATE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "ROLLBACK_COMPLETE"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("statuses = %v, want %v", got, want)
	}
	if events[2].Reason != "The following resource(s) failed to create: [Cluster]." {
		t.Errorf("ROLLBACK_IN_PROGRESS reason = %q", events[2].Reason)
	}
	st := mustDescribe(t, sim, "bad")
	if st.Status != "ROLLBACK_COMPLETE" || st.StatusReason != "Cluster: Encountered unsupported property Foo" || len(st.Outputs) != 0 {
		t.Fatalf("Describe = %+v", st)
	}
	_, err := sim.Deploy(ctx, platform.StackDeployment{StackName: "bad", TemplateBody: []byte(clusterTemplate), ClientRequestToken: "t2"})
	if want := "Stack:" + op.StackID + " is in ROLLBACK_COMPLETE state and can not be updated."; platform.KindOf(err) != platform.Invalid || platform.MessageOf(err) != want {
		t.Fatalf("Deploy on ROLLBACK_COMPLETE: %v, want Invalid %q", err, want)
	}
	if _, err := sim.Delete(ctx, "bad", "t3"); err != nil {
		t.Fatal(err)
	}
	sim.Wait("bad")
	rec.take()
	again := mustDeploy(t, sim, "bad", clusterTemplate, "t4")
	if again.StackID == op.StackID {
		t.Error("a new stack reuses the deleted stack's id")
	}
	if st := mustDescribe(t, sim, "bad"); st.Status != "CREATE_COMPLETE" {
		t.Fatalf("recreated: %+v", st)
	}
}

func TestBadPropertyRollsBackUpdateKeepingThePreviousStack(t *testing.T) {
	rec := &recorder{}
	sim := newSimulator(t, rec)
	ctx := context.Background()
	mustDeploy(t, sim, "svc", clusterTemplate, "t1")
	before := mustDescribe(t, sim, "svc")
	rec.take()

	bad := `Resources:
  Cluster:
    Type: AWS::ECS::Cluster
  Role:
    Type: AWS::IAM::Role
    Properties:
      Path: /
Outputs:
  ClusterName:
    Value: changed
`
	mustDeploy(t, sim, "svc", bad, "t2")
	events := rec.take()
	if got, want := statuses(events), []string{"UPDATE_IN_PROGRESS", "UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("statuses = %v, want %v", got, want)
	}
	if events[1].Reason != "The following resource(s) failed to create: [Role]." {
		t.Errorf("UPDATE_ROLLBACK_IN_PROGRESS reason = %q", events[1].Reason)
	}
	st := mustDescribe(t, sim, "svc")
	if st.Status != "UPDATE_ROLLBACK_COMPLETE" || st.StatusReason != "Role: Property AssumeRolePolicyDocument cannot be empty." {
		t.Fatalf("Describe = %+v", st)
	}
	if !reflect.DeepEqual(st.Outputs, before.Outputs) {
		t.Fatalf("outputs after rollback = %v, want the previous %v", st.Outputs, before.Outputs)
	}
	// The stack kept its previous template: deploying that one again changes nothing.
	op, err := sim.Deploy(ctx, platform.StackDeployment{StackName: "svc", TemplateBody: []byte(clusterTemplate), ClientRequestToken: "t3"})
	if err != nil || !op.NoChanges {
		t.Fatalf("redeploying the previous template = %+v, %v; want NoChanges", op, err)
	}
}

func TestUpFrontRejections(t *testing.T) {
	rec := &recorder{}
	sim := newSimulator(t, rec)
	tests := []struct {
		name, stack, template, want string
	}{
		{"stack name with an underscore", "my_stack", clusterTemplate, "1 validation error detected: Value 'my_stack' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*"},
		{"stack name starting with a digit", "1stack", clusterTemplate, "Member must satisfy regular expression pattern"},
		{"stack name too long", "a" + strings.Repeat("b", 128), clusterTemplate, "Member must have length less than or equal to 128"},
		{"not YAML", "ok", "Resources:\n  A:\n    Type: a: b\n", "Template format error: template is not valid YAML: line 3"},
		{"no Resources", "ok", "Outputs: {}\n", "Template format error: At least one Resources member must be defined."},
		{"unknown types", "ok", "Resources:\n  A: {Type: AWS::Foo::Bar}\n  B: {Type: AWS::Baz::Qux}\n  C: {Type: AWS::Foo::Bar}\n", "Template format error: Unrecognized resource types: [AWS::Baz::Qux, AWS::Foo::Bar]"},
		{"unresolved references", "ok", "Resources:\n  S:\n    Type: AWS::EC2::Subnet\n    Properties: {VpcId: !Ref VPC, CidrBlock: !Ref Net}\n", "Template format error: Unresolved resource dependencies [Net, VPC] in the Resources block of the template"},
		{"parameter without a value", "ok", "Parameters:\n  Env: {Type: String}\n" + clusterTemplate, "Parameters: [Env] must have values"},
		{"import of a missing export", "ok", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: !ImportValue nope}\n", "No export named nope found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sim.Deploy(context.Background(), platform.StackDeployment{StackName: tt.stack, TemplateBody: []byte(tt.template)})
			if platform.KindOf(err) != platform.Invalid || !strings.Contains(platform.MessageOf(err), tt.want) {
				t.Fatalf("Deploy: %v (%s), want Invalid containing %q", err, platform.KindOf(err), tt.want)
			}
			if _, err := sim.Describe(context.Background(), tt.stack); platform.KindOf(err) != platform.NotFound {
				t.Fatalf("a rejected template left a stack: %v", err)
			}
		})
	}
	if events := rec.take(); len(events) != 0 {
		t.Fatalf("rejections published %v", statuses(events))
	}
	if _, err := sim.Delete(context.Background(), "bad_name", "t"); platform.KindOf(err) != platform.Invalid {
		t.Fatalf("Delete with a bad name: %v, want Invalid", err)
	}
}

func TestOutputsResolveIntrinsics(t *testing.T) {
	rec := &recorder{}
	sim := newSimulator(t, rec)
	mustDeploy(t, sim, "exporter", `Resources:
  Topic: {Type: AWS::SNS::Topic, Properties: {TopicName: events}}
Outputs:
  TopicArn:
    Value: !Ref Topic
    Export: {Name: !Sub "${AWS::StackName}-TopicArn"}
`, "t1")
	template := `Parameters:
  Env: {Type: String, Default: prod}
  Names: {Type: CommaDelimitedList, Default: "a,b,c"}
Mappings:
  Sizes:
    prod: {Cpu: "1024"}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  Both: !And [!Condition IsProd, !Equals [x, x]]
  Either: {"Fn::Or": [{"Condition": "IsDev"}, !Equals [!Select [1, !Ref Names], b]]}
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties: {BucketName: !Sub "${Env}-assets"}
  Queue:
    Type: AWS::SQS::Queue
Outputs:
  Sub: {Value: !Sub "${AWS::StackName}/${AWS::Region}/${AWS::AccountId}/${AWS::Partition}/${AWS::URLSuffix}/${Env}/${!Literal}"}
  SubVars: {Value: !Sub ["${Greeting}, ${Bucket}", {Greeting: !Join ["", [hel, lo]]}]}
  Join: {Value: !Join [",", !Ref Names]}
  Select: {Value: !Select [2, !Split ["/", "x/y/z"]]}
  If: {Value: !If [IsProd, big, small]}
  Both: {Value: !If [Both, yes, no]}
  Either: {Value: !If [Either, yes, no]}
  OnlyDev: {Value: dev, Condition: IsDev}
  OnlyProd: {Value: prod, Condition: IsProd}
  Import: {Value: !ImportValue exporter-TopicArn}
  Base64: {Value: !Base64 hello}
  AZ: {Value: !Select [1, !GetAZs ""]}
  Map: {Value: !FindInMap [Sizes, !Ref Env, Cpu]}
  Cidr: {Value: !Join [" ", !Cidr ["10.0.0.0/16", 3, 8]]}
  BucketArn: {Value: !GetAtt Bucket.Arn}
  QueueUrl: {Value: !Ref Queue}
  QueueArn: {Value: !GetAtt [Queue, Arn]}
`
	mustDeploy(t, sim, "consumer", template, "t2")
	st := mustDescribe(t, sim, "consumer")
	if st.Status != "CREATE_COMPLETE" {
		t.Fatalf("Describe = %+v", st)
	}
	got := outputs(st)
	want := map[string]string{
		"Sub":       "consumer/eu-west-1/111122223333/aws/amazonaws.com/prod/${Literal}",
		"SubVars":   "hello, prod-assets",
		"Join":      "a,b,c",
		"Select":    "z",
		"If":        "big",
		"Both":      "yes",
		"Either":    "yes",
		"OnlyProd":  "prod",
		"Import":    "arn:aws:sns:eu-west-1:111122223333:events",
		"Base64":    "aGVsbG8=",
		"AZ":        "eu-west-1b",
		"Map":       "1024",
		"Cidr":      "10.0.0.0/24 10.0.1.0/24 10.0.2.0/24",
		"BucketArn": "arn:aws:s3:::prod-assets",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("output %s = %q, want %q", k, got[k], v)
		}
	}
	if _, ok := got["OnlyDev"]; ok {
		t.Error("an output with a false condition is present")
	}
	if !regexp.MustCompile(`^https://sqs\.eu-west-1\.amazonaws\.com/111122223333/consumer-Queue-[0-9A-F]{12}$`).MatchString(got["QueueUrl"]) {
		t.Errorf("QueueUrl = %q", got["QueueUrl"])
	}
	if !regexp.MustCompile(`^arn:aws:sqs:eu-west-1:111122223333:consumer-Queue-[0-9A-F]{12}$`).MatchString(got["QueueArn"]) {
		t.Errorf("QueueArn = %q", got["QueueArn"])
	}
	if len(got) != len(want)+2 {
		t.Errorf("outputs = %v", got)
	}
}

func TestExports(t *testing.T) {
	rec := &recorder{}
	sim := newSimulator(t, rec)
	ctx := context.Background()
	exporter := `Resources:
  VPC: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
Outputs:
  VpcId: {Value: !Ref VPC, Export: {Name: shared-vpc}}
`
	mustDeploy(t, sim, "network", exporter, "t1")
	rec.take()

	// Another stack exporting the same name fails and rolls back.
	mustDeploy(t, sim, "network-two", exporter, "t2")
	events := rec.take()
	if got, want := statuses(events), []string{"REVIEW_IN_PROGRESS", "CREATE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "ROLLBACK_COMPLETE"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("duplicate export statuses = %v, want %v", got, want)
	}
	if st := mustDescribe(t, sim, "network-two"); st.StatusReason != "Export with name shared-vpc is already exported by stack network" {
		t.Fatalf("duplicate export reason = %q", st.StatusReason)
	}

	// An importer holds the export.
	mustDeploy(t, sim, "app", "Resources:\n  SG:\n    Type: AWS::EC2::SecurityGroup\n    Properties: {GroupDescription: x, VpcId: !ImportValue shared-vpc}\nOutputs:\n  Vpc: {Value: !GetAtt SG.VpcId}\n", "t3")
	network := mustDescribe(t, sim, "network")
	if got := outputs(mustDescribe(t, sim, "app"))["Vpc"]; got != outputs(network)["VpcId"] {
		t.Fatalf("imported value = %q, want %q", got, outputs(network)["VpcId"])
	}
	rec.take()
	if _, err := sim.Delete(ctx, "network", "t4"); err != nil {
		t.Fatal(err)
	}
	sim.Wait("network")
	if got, want := statuses(rec.take()), []string{"DELETE_IN_PROGRESS", "DELETE_FAILED"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("delete of a used export: statuses %v, want %v", got, want)
	}
	if st := mustDescribe(t, sim, "network"); st.Status != "DELETE_FAILED" || st.StatusReason != "Export shared-vpc cannot be deleted as it is in use by app" {
		t.Fatalf("Describe = %+v", st)
	}
	// Once the importer is gone, the exporter can go.
	if _, err := sim.Delete(ctx, "app", "t5"); err != nil {
		t.Fatal(err)
	}
	sim.Wait("app")
	if _, err := sim.Delete(ctx, "network", "t6"); err != nil {
		t.Fatal(err)
	}
	sim.Wait("network")
	if _, err := sim.Describe(ctx, "network"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("Describe after delete: %v", err)
	}
	_, err := sim.Deploy(ctx, platform.StackDeployment{StackName: "late", TemplateBody: []byte("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: !ImportValue shared-vpc}\n")})
	if platform.KindOf(err) != platform.Invalid {
		t.Fatalf("import of a deleted export: %v, want Invalid", err)
	}
}

func TestConcurrentStacks(t *testing.T) {
	rec := &recorder{}
	sim := newSimulator(t, rec)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := "stack-" + string(rune('a'+i))
			if _, err := sim.Deploy(context.Background(), platform.StackDeployment{StackName: name, TemplateBody: []byte(clusterTemplate)}); err != nil {
				errs <- err
				return
			}
			sim.Wait(name)
			if st, err := sim.Describe(context.Background(), name); err != nil || st.Status != "CREATE_COMPLETE" {
				errs <- errors.New(name + ": " + st.Status)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(rec.take()); n != 8*3 {
		t.Fatalf("%d events, want %d", n, 8*3)
	}
}

// TestConformanceTemplatesDeploy deploys every rendered conformance template: each one
// deployed on AWS, so each must reach CREATE_COMPLETE with every output resolved.
func TestConformanceTemplatesDeploy(t *testing.T) {
	rec := &recorder{}
	sim := newSimulator(t, rec)
	count := 0
	err := filepath.WalkDir(conformanceDir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := os.ReadFile(path)
		if err != nil || !strings.Contains(string(body), "Resources:") {
			return err
		}
		count++
		name := "conformance-" + itoa(count)
		if _, err := sim.Deploy(context.Background(), platform.StackDeployment{StackName: name, TemplateBody: body}); err != nil {
			t.Errorf("%s: %v", path, err)
			return nil
		}
		sim.Wait(name)
		st := mustDescribe(t, sim, name)
		if st.Status != "CREATE_COMPLETE" {
			t.Errorf("%s: %s %s", path, st.Status, st.StatusReason)
		}
		// Every unconditional output is there and, unless it reads a mapping (some
		// rendered mappings hold empty strings), not empty.
		root, err := cfntemplate.Parse(body)
		if err != nil {
			t.Fatal(err)
		}
		got := outputs(st)
		declared := cfntemplate.Lookup(root, "Outputs")
		for i := 0; declared != nil && i+1 < len(declared.Content); i += 2 {
			key, decl := declared.Content[i].Value, declared.Content[i+1]
			if cfntemplate.Lookup(decl, "Condition") != nil {
				continue
			}
			value, ok := got[key]
			fn, _, _ := cfntemplate.Intrinsic(cfntemplate.Lookup(decl, "Value"))
			if !ok || value == "" && fn != "Fn::FindInMap" {
				t.Errorf("%s: output %s = %q, %v", path, key, value, ok)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if count == 0 {
		t.Fatal("no conformance templates")
	}
}

func TestUpdateOfAnExistingResourceFailsToUpdate(t *testing.T) {
	rec := &recorder{}
	sim := newSimulator(t, rec)
	mustDeploy(t, sim, "svc", clusterTemplate, "t1")
	rec.take()
	bad := strings.Replace(clusterTemplate, "Type: AWS::ECS::Cluster\n", "Type: AWS::ECS::Cluster\n    Properties: {Foo: bar}\n", 1)
	mustDeploy(t, sim, "svc", bad, "t2")
	events := rec.take()
	if len(events) != 4 || events[1].Reason != "The following resource(s) failed to update: [Cluster]." || events[1].Token != "t2" {
		t.Fatalf("events = %+v", events)
	}
	if st := mustDescribe(t, sim, "svc"); st.StatusReason != "Cluster: Encountered unsupported property Foo" || st.LastClientRequestToken != "t2" {
		t.Fatalf("Describe = %+v", st)
	}
}

func TestResourcesWithAFalseConditionAreNotProvisioned(t *testing.T) {
	rec := &recorder{}
	sim := newSimulator(t, rec)
	template := `Conditions:
  Never: !Equals [a, b]
Resources:
  Cluster: {Type: AWS::ECS::Cluster}
  Broken:
    Type: AWS::ECS::Cluster
    Condition: Never
    Properties: {Foo: bar}
`
	mustDeploy(t, sim, "cond", template, "t1")
	if st := mustDescribe(t, sim, "cond"); st.Status != "CREATE_COMPLETE" {
		t.Fatalf("Describe = %+v", st)
	}
}

func TestCloseInterruptsTheDelayBetweenSteps(t *testing.T) {
	rec := &recorder{}
	spec, err := cfnspec.Load()
	if err != nil {
		t.Fatal(err)
	}
	sim := New(spec, Options{Publish: rec.publish, Step: time.Hour})
	if _, err := sim.Deploy(context.Background(), platform.StackDeployment{StackName: "slow", TemplateBody: []byte(clusterTemplate)}); err != nil {
		t.Fatal(err)
	}
	sim.Close()
	if st := mustDescribe(t, sim, "slow"); st.Status != "REVIEW_IN_PROGRESS" {
		t.Fatalf("status = %s, want REVIEW_IN_PROGRESS (the next step is an hour away)", st.Status)
	}
}
