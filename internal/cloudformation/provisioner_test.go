package cloudformation_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gantry-platform/gantry/internal/awsclients/awstest"
	"github.com/gantry-platform/gantry/internal/cloudformation"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/s3blobs"
)

const (
	stackName = "gantry-env-beta"
	stackID   = "arn:aws:cloudformation:us-east-1:111122223333:stack/gantry-env-beta/0a1b2c3d-0000-4000-8000-000000000001"
	token     = "6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab"
	template  = `{"Resources":{"Bucket":{"Type":"AWS::S3::Bucket"}}}`
)

var changeSetName = cloudformation.ChangeSetName(token)

// fixture is a provisioner on a contract-test server, with a sleep that records its
// durations and returns at once.
type fixture struct {
	server *awstest.Server
	p      *cloudformation.Provisioner
	slept  []time.Duration
}

func newFixture(t *testing.T, opts cloudformation.Options) *fixture {
	t.Helper()
	f := &fixture{server: awstest.NewServer(t)}
	client := cfn.NewFromConfig(awstest.Config(), func(o *cfn.Options) { o.BaseEndpoint = aws.String(f.server.URL) })
	opts.Poll.Sleep = func(_ context.Context, d time.Duration) error {
		f.slept = append(f.slept, d)
		return nil
	}
	f.p = cloudformation.New(client, opts)
	return f
}

// respond registers fixed responses for op, answered in turn; the last one repeats.
func (f *fixture) respond(op string, responses ...awstest.Response) {
	n := 0
	f.server.Handle(op, func(awstest.Call) awstest.Response {
		r := responses[min(n, len(responses)-1)]
		n++
		return r
	})
}

func stackMissing(name string) awstest.Response {
	return awstest.QueryError(400, "ValidationError", "Stack with id "+name+" does not exist")
}

func describeStacks(status, reason string, outputs ...string) awstest.Response {
	var outs strings.Builder
	for i := 0; i+1 < len(outputs); i += 2 {
		fmt.Fprintf(&outs, "<member><OutputKey>%s</OutputKey><OutputValue>%s</OutputValue></member>", outputs[i], awstest.Escape(outputs[i+1]))
	}
	return awstest.QueryResult("DescribeStacks", fmt.Sprintf(`<Stacks><member><StackId>%s</StackId><StackName>%s</StackName>`+
		`<CreationTime>2026-01-02T03:04:05Z</CreationTime><StackStatus>%s</StackStatus><StackStatusReason>%s</StackStatusReason>`+
		`<Outputs>%s</Outputs></member></Stacks>`, stackID, stackName, status, awstest.Escape(reason), outs.String()))
}

func createChangeSet() awstest.Response {
	return awstest.QueryResult("CreateChangeSet", fmt.Sprintf(`<Id>arn:aws:cloudformation:us-east-1:111122223333:changeSet/%s/1</Id><StackId>%s</StackId>`, changeSetName, stackID))
}

func describeChangeSet(status, execution, reason string) awstest.Response {
	return awstest.QueryResult("DescribeChangeSet", fmt.Sprintf(`<ChangeSetName>%s</ChangeSetName><StackId>%s</StackId><StackName>%s</StackName>`+
		`<Status>%s</Status><ExecutionStatus>%s</ExecutionStatus><StatusReason>%s</StatusReason>`,
		changeSetName, stackID, stackName, status, execution, awstest.Escape(reason)))
}

func empty(op string) awstest.Response { return awstest.QueryResult(op, "") }

func deployment() platform.StackDeployment {
	return platform.StackDeployment{StackName: stackName, TemplateBody: []byte(template), ClientRequestToken: token,
		RoleARN: "arn:aws:iam::111122223333:role/gantry-provisioning", Tags: map[string]string{"gantry:target": "environment/beta", "gantry:environment": "beta"}}
}

func wantOperations(t *testing.T, server *awstest.Server, want ...string) {
	t.Helper()
	if got := server.Operations(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("operations:\n got %v\nwant %v", got, want)
	}
}

func wantForm(t *testing.T, c awstest.Call, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got := c.Form.Get(k); got != v {
			t.Errorf("%s: %s = %q, want %q", c.Operation, k, got, v)
		}
	}
}

func TestContract_CreateChangeSetDescribeExecute(t *testing.T) {
	f := newFixture(t, cloudformation.Options{})
	f.respond("DescribeStacks", stackMissing(stackName))
	f.respond("CreateChangeSet", createChangeSet())
	f.respond("DescribeChangeSet", describeChangeSet("CREATE_PENDING", "UNAVAILABLE", ""), describeChangeSet("CREATE_IN_PROGRESS", "UNAVAILABLE", ""),
		describeChangeSet("CREATE_COMPLETE", "AVAILABLE", ""))
	f.respond("ExecuteChangeSet", empty("ExecuteChangeSet"))

	op, err := f.p.Deploy(context.Background(), deployment())
	if err != nil {
		t.Fatalf("Deploy: %v", err)
	}
	if op != (platform.StackOperation{StackID: stackID}) {
		t.Errorf("operation = %+v", op)
	}
	wantOperations(t, f.server, "DescribeStacks", "CreateChangeSet", "DescribeChangeSet", "DescribeChangeSet", "DescribeChangeSet", "ExecuteChangeSet")
	wantForm(t, f.server.CallsOf("CreateChangeSet")[0], map[string]string{
		"StackName": stackName, "ChangeSetName": changeSetName, "ChangeSetType": "CREATE", "ClientToken": token,
		"TemplateBody": template, "RoleARN": "arn:aws:iam::111122223333:role/gantry-provisioning",
		"Capabilities.member.1": "CAPABILITY_IAM", "Capabilities.member.2": "CAPABILITY_NAMED_IAM", "Capabilities.member.3": "CAPABILITY_AUTO_EXPAND",
		"Tags.member.1.Key": "gantry:environment", "Tags.member.1.Value": "beta",
		"Tags.member.2.Key": "gantry:target", "Tags.member.2.Value": "environment/beta",
		"TemplateURL": "",
	})
	wantForm(t, f.server.CallsOf("DescribeChangeSet")[0], map[string]string{"StackName": stackName, "ChangeSetName": changeSetName})
	wantForm(t, f.server.CallsOf("ExecuteChangeSet")[0], map[string]string{"StackName": stackName, "ChangeSetName": changeSetName, "ClientRequestToken": token})
	if fmt.Sprint(f.slept) != "[1s 2s]" {
		t.Errorf("slept %v, want [1s 2s] (bounded backoff)", f.slept)
	}
}

func TestContract_UpdateOfAnExistingStack(t *testing.T) {
	f := newFixture(t, cloudformation.Options{})
	f.respond("DescribeStacks", describeStacks("UPDATE_ROLLBACK_COMPLETE", ""))
	f.respond("CreateChangeSet", createChangeSet())
	f.respond("DescribeChangeSet", describeChangeSet("CREATE_COMPLETE", "AVAILABLE", ""))
	f.respond("ExecuteChangeSet", empty("ExecuteChangeSet"))
	if _, err := f.p.Deploy(context.Background(), deployment()); err != nil {
		t.Fatalf("Deploy: %v", err)
	}
	wantForm(t, f.server.CallsOf("CreateChangeSet")[0], map[string]string{"ChangeSetType": "UPDATE"})
	wantForm(t, f.server.CallsOf("ExecuteChangeSet")[0], map[string]string{"ClientRequestToken": token})
}

func TestContract_ChangeSetWithoutChangesIsNoChanges(t *testing.T) {
	for _, reason := range []string{
		"The submitted information didn't contain changes. Submit different information to create a change set.",
		"No updates are to be performed.",
	} {
		f := newFixture(t, cloudformation.Options{})
		f.respond("DescribeStacks", describeStacks("UPDATE_COMPLETE", ""))
		f.respond("CreateChangeSet", createChangeSet())
		f.respond("DescribeChangeSet", describeChangeSet("FAILED", "UNAVAILABLE", reason))
		f.respond("DeleteChangeSet", empty("DeleteChangeSet"))
		op, err := f.p.Deploy(context.Background(), deployment())
		if err != nil || !op.NoChanges || op.StackID != stackID {
			t.Fatalf("Deploy = %+v, %v; want NoChanges on %s", op, err, stackID)
		}
		wantOperations(t, f.server, "DescribeStacks", "CreateChangeSet", "DescribeChangeSet", "DeleteChangeSet")
		wantForm(t, f.server.CallsOf("DeleteChangeSet")[0], map[string]string{"StackName": stackName, "ChangeSetName": changeSetName})
	}
}

func TestContract_FailedChangeSetIsInvalid(t *testing.T) {
	f := newFixture(t, cloudformation.Options{})
	f.respond("DescribeStacks", describeStacks("UPDATE_COMPLETE", ""))
	f.respond("CreateChangeSet", createChangeSet())
	f.respond("DescribeChangeSet", describeChangeSet("FAILED", "UNAVAILABLE", "Parameters: [VpcId] must have values"))
	_, err := f.p.Deploy(context.Background(), deployment())
	if platform.KindOf(err) != platform.Invalid || !strings.Contains(err.Error(), "Parameters: [VpcId] must have values") {
		t.Fatalf("err = %v (kind %q), want Invalid with CloudFormation's reason", err, platform.KindOf(err))
	}
	wantOperations(t, f.server, "DescribeStacks", "CreateChangeSet", "DescribeChangeSet")
}

func TestContract_CreateChangeSetRejectedTemplateIsInvalid(t *testing.T) {
	f := newFixture(t, cloudformation.Options{})
	f.respond("DescribeStacks", stackMissing(stackName))
	f.respond("CreateChangeSet", awstest.QueryError(400, "ValidationError", "Template format error: Unrecognized resource types: [AWS::Nope::Thing]"))
	_, err := f.p.Deploy(context.Background(), deployment())
	if platform.KindOf(err) != platform.Invalid || !strings.Contains(err.Error(), "Unrecognized resource types: [AWS::Nope::Thing]") {
		t.Fatalf("err = %v (kind %q), want Invalid naming the resource type", err, platform.KindOf(err))
	}
}

func TestContract_StackThatCannotBeUpdatedIsConflict(t *testing.T) {
	f := newFixture(t, cloudformation.Options{})
	f.respond("DescribeStacks", describeStacks("UPDATE_ROLLBACK_FAILED", ""))
	f.respond("CreateChangeSet", awstest.QueryError(400, "ValidationError",
		"Stack:"+stackID+" is in UPDATE_ROLLBACK_FAILED state and can not be updated."))
	if _, err := f.p.Deploy(context.Background(), deployment()); platform.KindOf(err) != platform.Conflict {
		t.Fatalf("err = %v (kind %q), want Conflict", err, platform.KindOf(err))
	}
}

func TestContract_StackBusyIsConflictWithoutAChangeSet(t *testing.T) {
	f := newFixture(t, cloudformation.Options{})
	f.respond("DescribeStacks", describeStacks("UPDATE_IN_PROGRESS", ""))
	_, err := f.p.Deploy(context.Background(), deployment())
	if platform.KindOf(err) != platform.Conflict || !strings.Contains(err.Error(), "UPDATE_IN_PROGRESS") {
		t.Fatalf("err = %v (kind %q), want Conflict naming the status", err, platform.KindOf(err))
	}
	wantOperations(t, f.server, "DescribeStacks")
}

func TestContract_RepeatedDeployContinuesItsOwnChangeSet(t *testing.T) {
	f := newFixture(t, cloudformation.Options{})
	f.respond("DescribeStacks", describeStacks("UPDATE_COMPLETE", ""))
	f.respond("CreateChangeSet", awstest.QueryError(400, "AlreadyExistsException", "ChangeSet "+changeSetName+" already exists"))
	f.respond("DescribeChangeSet", describeChangeSet("CREATE_COMPLETE", "AVAILABLE", ""))
	f.respond("ExecuteChangeSet", empty("ExecuteChangeSet"))
	if _, err := f.p.Deploy(context.Background(), deployment()); err != nil {
		t.Fatalf("Deploy after an interrupted first call: %v", err)
	}
	wantOperations(t, f.server, "DescribeStacks", "CreateChangeSet", "DescribeChangeSet", "ExecuteChangeSet")

	// Once executed, a repeat starts nothing more.
	f = newFixture(t, cloudformation.Options{})
	f.respond("DescribeStacks", describeStacks("UPDATE_COMPLETE", ""))
	f.respond("CreateChangeSet", awstest.QueryError(400, "AlreadyExistsException", "ChangeSet "+changeSetName+" already exists"))
	f.respond("DescribeChangeSet", describeChangeSet("CREATE_COMPLETE", "EXECUTE_COMPLETE", ""))
	op, err := f.p.Deploy(context.Background(), deployment())
	if err != nil || op.StackID != stackID || op.NoChanges {
		t.Fatalf("Deploy repeated after execution = %+v, %v", op, err)
	}
	wantOperations(t, f.server, "DescribeStacks", "CreateChangeSet", "DescribeChangeSet")
}

func TestContract_ChangeSetWaitIsBounded(t *testing.T) {
	f := newFixture(t, cloudformation.Options{Poll: cloudformation.Poll{First: time.Second, Max: 4 * time.Second, Limit: 20 * time.Second}})
	f.respond("DescribeStacks", describeStacks("UPDATE_COMPLETE", ""))
	f.respond("CreateChangeSet", createChangeSet())
	f.respond("DescribeChangeSet", describeChangeSet("CREATE_IN_PROGRESS", "UNAVAILABLE", ""))
	_, err := f.p.Deploy(context.Background(), deployment())
	if platform.KindOf(err) != platform.Internal || !strings.Contains(err.Error(), "still CREATE_IN_PROGRESS") {
		t.Fatalf("err = %v (kind %q), want a retryable Internal error", err, platform.KindOf(err))
	}
	if fmt.Sprint(f.slept) != "[1s 2s 4s 4s 4s 4s]" {
		t.Errorf("slept %v, want [1s 2s 4s 4s 4s 4s] (19s of a 20s limit)", f.slept)
	}
	if n := len(f.server.CallsOf("ExecuteChangeSet")); n != 0 {
		t.Errorf("ExecuteChangeSet called %d times", n)
	}
}

func TestContract_LargeTemplateGoesThroughTemplateURL(t *testing.T) {
	f := newFixture(t, cloudformation.Options{})
	s3client := s3.NewFromConfig(awstest.Config(), func(o *s3.Options) { o.BaseEndpoint, o.UsePathStyle = aws.String(f.server.URL), true })
	blobs := s3blobs.New(s3client, "gantry-bundles", s3blobs.Options{Region: "us-east-1"})
	f.p = cloudformation.New(cfn.NewFromConfig(awstest.Config(), func(o *cfn.Options) { o.BaseEndpoint = aws.String(f.server.URL) }),
		cloudformation.Options{Templates: blobs, Poll: cloudformation.Poll{Sleep: func(context.Context, time.Duration) error { return nil }}})
	f.respond("PUT", awstest.Response{})
	f.respond("DescribeStacks", describeStacks("UPDATE_COMPLETE", ""))
	f.respond("CreateChangeSet", createChangeSet())
	f.respond("DescribeChangeSet", describeChangeSet("CREATE_COMPLETE", "AVAILABLE", ""))
	f.respond("ExecuteChangeSet", empty("ExecuteChangeSet"))

	in := deployment()
	in.TemplateBody = []byte(`{"Description":"` + strings.Repeat("x", cloudformation.MaxTemplateBody) + `"}`)
	if _, err := f.p.Deploy(context.Background(), in); err != nil {
		t.Fatalf("Deploy: %v", err)
	}
	wantOperations(t, f.server, "DescribeStacks", "PUT", "CreateChangeSet", "DescribeChangeSet", "ExecuteChangeSet")
	put := f.server.CallsOf("PUT")[0]
	key := "cloudformation/" + stackName + "/" + token + ".template"
	if put.Path != "/gantry-bundles/"+key || string(put.Body) != string(in.TemplateBody) {
		t.Errorf("upload to %s of %d bytes", put.Path, len(put.Body))
	}
	wantForm(t, f.server.CallsOf("CreateChangeSet")[0], map[string]string{
		"TemplateURL": "https://gantry-bundles.s3.us-east-1.amazonaws.com/" + key, "TemplateBody": ""})
}

func TestContract_LargeTemplateWithoutABucketFails(t *testing.T) {
	f := newFixture(t, cloudformation.Options{})
	f.respond("DescribeStacks", describeStacks("UPDATE_COMPLETE", ""))
	in := deployment()
	in.TemplateBody = make([]byte, cloudformation.MaxTemplateBody+1)
	_, err := f.p.Deploy(context.Background(), in)
	if platform.KindOf(err) != platform.Internal || !strings.Contains(err.Error(), "no template bucket") {
		t.Fatalf("err = %v, want Internal saying no template bucket is configured", err)
	}
}

func TestContract_RollbackCompleteStackIsDeletedThenCreated(t *testing.T) {
	f := newFixture(t, cloudformation.Options{})
	f.server.Handle("DescribeStacks", func(c awstest.Call) awstest.Response {
		switch len(f.server.CallsOf("DescribeStacks")) {
		case 1:
			return describeStacks("ROLLBACK_COMPLETE", "The following resource(s) failed to create: [Bucket].")
		case 2:
			return describeStacks("DELETE_IN_PROGRESS", "")
		}
		return describeStacks("DELETE_COMPLETE", "")
	})
	f.respond("DeleteStack", empty("DeleteStack"))
	f.respond("CreateChangeSet", createChangeSet())
	f.respond("DescribeChangeSet", describeChangeSet("CREATE_COMPLETE", "AVAILABLE", ""))
	f.respond("ExecuteChangeSet", empty("ExecuteChangeSet"))

	if _, err := f.p.Deploy(context.Background(), deployment()); err != nil {
		t.Fatalf("Deploy: %v", err)
	}
	wantOperations(t, f.server, "DescribeStacks", "DeleteStack", "DescribeStacks", "DescribeStacks",
		"CreateChangeSet", "DescribeChangeSet", "ExecuteChangeSet")
	del := f.server.CallsOf("DeleteStack")[0]
	wantForm(t, del, map[string]string{"StackName": stackID})
	if del.Form.Has("ClientRequestToken") {
		t.Errorf("the failed stack's deletion carries token %q: its events would be taken for the deployment's", del.Form.Get("ClientRequestToken"))
	}
	wantForm(t, f.server.CallsOf("DescribeStacks")[1], map[string]string{"StackName": stackID})
	wantForm(t, f.server.CallsOf("CreateChangeSet")[0], map[string]string{"ChangeSetType": "CREATE"})
}

func TestContract_DescribeWithOutputsAndFirstFailure(t *testing.T) {
	// The latest operation ends at its start event, or at an event of another token; with
	// operations started without a token (all ""), only the start event tells them apart.
	for _, tc := range []struct{ latest, older string }{{token, "older-token"}, {"", ""}} {
		describeWithFailure(t, tc.latest, tc.older)
	}
}

func describeWithFailure(t *testing.T, latest, older string) {
	f := newFixture(t, cloudformation.Options{})
	f.respond("DescribeStacks", describeStacks("UPDATE_ROLLBACK_COMPLETE", "Update rollback completed",
		"VpcId", "vpc-0abc", "ClusterName", "beta-cluster"))
	event := func(id, logical, typ, physical, status, reason, tok string) string {
		return fmt.Sprintf(`<member><EventId>%s</EventId><StackId>%s</StackId><StackName>%s</StackName><LogicalResourceId>%s</LogicalResourceId>`+
			`<PhysicalResourceId>%s</PhysicalResourceId><ResourceType>%s</ResourceType><Timestamp>2026-01-02T03:04:05Z</Timestamp>`+
			`<ResourceStatus>%s</ResourceStatus><ResourceStatusReason>%s</ResourceStatusReason><ClientRequestToken>%s</ClientRequestToken></member>`,
			id, stackID, stackName, logical, physical, typ, status, awstest.Escape(reason), tok)
	}
	page1 := event("e9", stackName, "AWS::CloudFormation::Stack", stackID, "UPDATE_ROLLBACK_COMPLETE", "", latest) +
		event("e8", "Service", "AWS::ECS::Service", "svc", "UPDATE_FAILED", "Resource update cancelled", latest) +
		event("e7", stackName, "AWS::CloudFormation::Stack", stackID, "UPDATE_ROLLBACK_IN_PROGRESS", "The following resource(s) failed to update: [Bucket].", latest)
	page2 := event("e6", "Bucket", "AWS::S3::Bucket", "bucket", "UPDATE_FAILED", "beta-assets already exists", latest) +
		event("e5", stackName, "AWS::CloudFormation::Stack", stackID, "UPDATE_IN_PROGRESS", "User Initiated", latest) +
		event("e4", "Queue", "AWS::SQS::Queue", "q", "CREATE_FAILED", "an older operation's failure", older)
	f.server.Handle("DescribeStackEvents", func(c awstest.Call) awstest.Response {
		if c.Form.Get("NextToken") == "" {
			return awstest.QueryResult("DescribeStackEvents", "<StackEvents>"+page1+"</StackEvents><NextToken>page-2</NextToken>")
		}
		return awstest.QueryResult("DescribeStackEvents", "<StackEvents>"+page2+"</StackEvents><NextToken>page-3</NextToken>")
	})

	got, err := f.p.Describe(context.Background(), stackName)
	if err != nil {
		t.Fatalf("Describe: %v", err)
	}
	want := platform.Stack{StackID: stackID, StackName: stackName, Status: "UPDATE_ROLLBACK_COMPLETE",
		StatusReason: "Bucket (AWS::S3::Bucket): beta-assets already exists", LastClientRequestToken: latest,
		Outputs: []platform.Output{{Key: "VpcId", Value: "vpc-0abc"}, {Key: "ClusterName", Value: "beta-cluster"}}}
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Errorf("Describe (token %q) =\n %+v\nwant\n %+v", latest, got, want)
	}
	wantOperations(t, f.server, "DescribeStacks", "DescribeStackEvents", "DescribeStackEvents")
	wantForm(t, f.server.CallsOf("DescribeStackEvents")[0], map[string]string{"StackName": stackID})
}

func TestContract_DescribeOfAHealthyStackReadsOneEvent(t *testing.T) {
	f := newFixture(t, cloudformation.Options{})
	f.respond("DescribeStacks", describeStacks("UPDATE_COMPLETE", ""))
	f.respond("DescribeStackEvents", awstest.QueryResult("DescribeStackEvents", `<StackEvents><member><EventId>e1</EventId>`+
		`<ResourceStatus>UPDATE_COMPLETE</ResourceStatus><ClientRequestToken>`+token+`</ClientRequestToken></member></StackEvents><NextToken>more</NextToken>`))
	got, err := f.p.Describe(context.Background(), stackName)
	if err != nil || got.Status != "UPDATE_COMPLETE" || got.LastClientRequestToken != token || got.StatusReason != "" {
		t.Fatalf("Describe = %+v, %v", got, err)
	}
	wantOperations(t, f.server, "DescribeStacks", "DescribeStackEvents")
}

func TestContract_DescribeMissingStackIsNotFound(t *testing.T) {
	f := newFixture(t, cloudformation.Options{})
	f.respond("DescribeStacks", stackMissing(stackName))
	if _, err := f.p.Describe(context.Background(), stackName); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("err = %v (kind %q), want NotFound", err, platform.KindOf(err))
	}
}

func TestContract_ThrottlingIsARetryableInternalError(t *testing.T) {
	f := newFixture(t, cloudformation.Options{})
	f.respond("DescribeStacks", awstest.QueryError(400, "Throttling", "Rate exceeded"))
	_, err := f.p.Describe(context.Background(), stackName)
	if platform.KindOf(err) != platform.Internal || !strings.Contains(err.Error(), "throttled") {
		t.Fatalf("err = %v (kind %q), want Internal saying throttled", err, platform.KindOf(err))
	}
	if strings.Contains(err.Error(), awstest.SecretAccessKey) {
		t.Errorf("the error leaks the secret key: %v", err)
	}
}

func TestContract_DeleteStack(t *testing.T) {
	f := newFixture(t, cloudformation.Options{})
	f.respond("DescribeStacks", describeStacks("UPDATE_COMPLETE", ""))
	f.respond("DeleteStack", empty("DeleteStack"))
	op, err := f.p.Delete(context.Background(), stackName, token)
	if err != nil || op != (platform.StackOperation{StackID: stackID}) {
		t.Fatalf("Delete = %+v, %v", op, err)
	}
	wantForm(t, f.server.CallsOf("DeleteStack")[0], map[string]string{"StackName": stackName, "ClientRequestToken": token})
}

func TestContract_DeleteMissingStackIsNoChanges(t *testing.T) {
	f := newFixture(t, cloudformation.Options{})
	f.respond("DescribeStacks", stackMissing(stackName))
	op, err := f.p.Delete(context.Background(), stackName, token)
	if err != nil || !op.NoChanges {
		t.Fatalf("Delete = %+v, %v; want NoChanges", op, err)
	}
	wantOperations(t, f.server, "DescribeStacks")
}

func TestContract_OtherAccountsThroughAnAssumedRole(t *testing.T) {
	f := newFixture(t, cloudformation.Options{})
	stsClient := sts.NewFromConfig(awstest.Config(), func(o *sts.Options) { o.BaseEndpoint = aws.String(f.server.URL) })
	accounts := &cloudformation.AccountRoles{Home: "111122223333", RoleName: "GantryProvisioning", STS: stsClient,
		Config: awstest.Config(), ClientOptions: []func(*cfn.Options){func(o *cfn.Options) { o.BaseEndpoint = aws.String(f.server.URL) }}}
	f.p = cloudformation.New(cfn.NewFromConfig(awstest.Config(), func(o *cfn.Options) { o.BaseEndpoint = aws.String(f.server.URL) }),
		cloudformation.Options{Accounts: accounts, Poll: cloudformation.Poll{Sleep: func(context.Context, time.Duration) error { return nil }}})
	f.respond("AssumeRole", awstest.QueryResult("AssumeRole", `<Credentials><AccessKeyId>ASIAASSUMEDKEY</AccessKeyId>`+
		`<SecretAccessKey>assumed-secret</SecretAccessKey><SessionToken>assumed-session</SessionToken>`+
		`<Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>`+
		`<AssumedRoleUser><Arn>arn:aws:sts::444455556666:assumed-role/GantryProvisioning/gantry</Arn><AssumedRoleId>AROA:gantry</AssumedRoleId></AssumedRoleUser>`))
	f.respond("DescribeStacks", describeStacks("UPDATE_COMPLETE", ""))
	f.respond("CreateChangeSet", createChangeSet())
	f.respond("DescribeChangeSet", describeChangeSet("CREATE_COMPLETE", "AVAILABLE", ""))
	f.respond("ExecuteChangeSet", empty("ExecuteChangeSet"))
	f.respond("DeleteStack", empty("DeleteStack"))
	ctx := context.Background()

	in := deployment()
	in.Account = "444455556666"
	for range 2 {
		if _, err := f.p.Deploy(ctx, in); err != nil {
			t.Fatalf("Deploy to another account: %v", err)
		}
	}
	otherARN := "arn:aws:cloudformation:us-east-1:444455556666:stack/gantry-env-beta/0a1b"
	if _, err := f.p.Delete(ctx, otherARN, token); err != nil {
		t.Fatalf("Delete by ARN: %v", err)
	}
	in.Account = "111122223333"
	if _, err := f.p.Deploy(ctx, in); err != nil {
		t.Fatalf("Deploy to the home account: %v", err)
	}

	assumes := f.server.CallsOf("AssumeRole")
	if len(assumes) != 1 {
		t.Fatalf("AssumeRole calls = %d, want 1 (credentials and client cached per account)", len(assumes))
	}
	wantForm(t, assumes[0], map[string]string{"RoleArn": "arn:aws:iam::444455556666:role/GantryProvisioning"})
	var keys []string
	for _, c := range f.server.Calls() {
		if c.Operation == "CreateChangeSet" || c.Operation == "DeleteStack" {
			keys = append(keys, c.AccessKeyID)
		}
	}
	if want := "[ASIAASSUMEDKEY ASIAASSUMEDKEY ASIAASSUMEDKEY " + awstest.AccessKeyID + "]"; fmt.Sprint(keys) != want {
		t.Errorf("CreateChangeSet/DeleteStack signed with %v, want %s", keys, want)
	}
}

func TestOtherAccountWithoutAccountRolesIsInvalid(t *testing.T) {
	f := newFixture(t, cloudformation.Options{})
	in := deployment()
	in.Account = "444455556666"
	if _, err := f.p.Deploy(context.Background(), in); platform.KindOf(err) != platform.Invalid {
		t.Fatalf("err = %v (kind %q), want Invalid", err, platform.KindOf(err))
	}
	wantOperations(t, f.server)
}
