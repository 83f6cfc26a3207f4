package cloudformation_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/gantry-platform/gantry/internal/awsclients/awstest"
	"github.com/gantry-platform/gantry/internal/cloudformation"
	"github.com/gantry-platform/gantry/internal/platform"
)

const previewName = "gantry-preview-0a1b2c3d"

// describeChangeSetPage is a DescribeChangeSet answer holding changes (XML members) and
// the token of the next page ("" for the last).
func describeChangeSetPage(changes, next string) awstest.Response {
	body := fmt.Sprintf(`<ChangeSetName>%s</ChangeSetName><ChangeSetId>arn:aws:cloudformation:us-east-1:111122223333:changeSet/%s/1</ChangeSetId>`+
		`<StackId>%s</StackId><StackName>%s</StackName><Status>CREATE_COMPLETE</Status><ExecutionStatus>AVAILABLE</ExecutionStatus>`+
		`<Changes>%s</Changes>`, previewName, previewName, stackID, stackName, changes)
	if next != "" {
		body += "<NextToken>" + next + "</NextToken>"
	}
	return awstest.QueryResult("DescribeChangeSet", body)
}

const (
	modifyBucket = `<member><Type>Resource</Type><ResourceChange><Action>Modify</Action><LogicalResourceId>Bucket</LogicalResourceId>` +
		`<PhysicalResourceId>beta-bucket</PhysicalResourceId><ResourceType>AWS::S3::Bucket</ResourceType><Replacement>True</Replacement>` +
		`<Scope><member>Properties</member></Scope><Details><member><Target><Attribute>Properties</Attribute><Name>BucketName</Name>` +
		`<RequiresRecreation>Always</RequiresRecreation></Target><Evaluation>Static</Evaluation><ChangeSource>DirectModification</ChangeSource>` +
		`</member></Details></ResourceChange></member>`
	addQueue = `<member><Type>Resource</Type><ResourceChange><Action>Add</Action><LogicalResourceId>Queue</LogicalResourceId>` +
		`<ResourceType>AWS::SQS::Queue</ResourceType></ResourceChange></member>`
)

// A preview creates the change set, waits for it, reads every page of its changes and
// never executes it.
func TestContract_CreateChangeSetReadsEveryPageWithoutExecuting(t *testing.T) {
	f := newFixture(t, cloudformation.Options{})
	f.respond("DescribeStacks", describeStacks("UPDATE_COMPLETE", ""))
	f.respond("CreateChangeSet", createChangeSet())
	f.respond("DescribeChangeSet", describeChangeSet("CREATE_IN_PROGRESS", "UNAVAILABLE", ""),
		describeChangeSetPage(modifyBucket, "page-2"), describeChangeSetPage(addQueue, ""))
	in := deployment()
	in.ClientRequestToken = ""
	cs, err := f.p.CreateChangeSet(context.Background(), in, previewName)
	if err != nil {
		t.Fatalf("CreateChangeSet: %v", err)
	}
	wantOperations(t, f.server, "DescribeStacks", "CreateChangeSet", "DescribeChangeSet", "DescribeChangeSet", "DescribeChangeSet")
	wantForm(t, f.server.CallsOf("CreateChangeSet")[0], map[string]string{"ChangeSetName": previewName, "ChangeSetType": "UPDATE", "ClientToken": previewName})
	wantForm(t, f.server.CallsOf("DescribeChangeSet")[2], map[string]string{"NextToken": "page-2", "ChangeSetName": previewName})
	want := []platform.ResourceChange{
		{Action: "Modify", LogicalResourceID: "Bucket", PhysicalResourceID: "beta-bucket", ResourceType: "AWS::S3::Bucket", Replacement: "True",
			Scope: []string{"Properties"}, Details: []platform.ResourceChangeDetail{{Attribute: "Properties", Name: "BucketName",
				RequiresRecreation: "Always", Evaluation: "Static", ChangeSource: "DirectModification"}}},
		{Action: "Add", LogicalResourceID: "Queue", ResourceType: "AWS::SQS::Queue"},
	}
	if !reflect.DeepEqual(cs.Changes, want) {
		t.Errorf("changes:\n got %+v\nwant %+v", cs.Changes, want)
	}
	if cs.Type != "UPDATE" || cs.Status != "CREATE_COMPLETE" || cs.StackID != stackID {
		t.Errorf("change set = %+v", cs)
	}
	if got := cs.Summary(); got != (platform.ChangeSetSummary{Add: 1, Modify: 1, Replace: 1}) {
		t.Errorf("summary = %+v", got)
	}
}

// An empty change set is returned FAILED with CloudFormation's reason, not as an error;
// executing it is NoChanges and deletes it.
func TestContract_EmptyChangeSetIsReportedThenNoChanges(t *testing.T) {
	f := newFixture(t, cloudformation.Options{})
	f.respond("DescribeStacks", describeStacks("UPDATE_COMPLETE", ""))
	f.respond("CreateChangeSet", createChangeSet())
	f.respond("DescribeChangeSet", describeChangeSet("FAILED", "UNAVAILABLE", platform.NoChangesReason))
	f.respond("DeleteChangeSet", empty("DeleteChangeSet"))
	cs, err := f.p.CreateChangeSet(context.Background(), deployment(), previewName)
	if err != nil || !cs.Empty() || len(cs.Changes) != 0 {
		t.Fatalf("CreateChangeSet = %+v, %v; want an empty change set", cs, err)
	}
	op, err := f.p.ExecuteChangeSet(context.Background(), stackName, previewName, token)
	if err != nil || !op.NoChanges {
		t.Fatalf("ExecuteChangeSet = %+v, %v; want NoChanges", op, err)
	}
	wantOperations(t, f.server, "DescribeStacks", "CreateChangeSet", "DescribeChangeSet", "DescribeChangeSet", "DeleteChangeSet")
}

// Executing a previewed change set stamps the deployment's token; a change set CloudFormation
// no longer has is NotFound.
func TestContract_ExecuteChangeSet(t *testing.T) {
	f := newFixture(t, cloudformation.Options{})
	f.respond("DescribeChangeSet", describeChangeSet("CREATE_COMPLETE", "AVAILABLE", ""))
	f.respond("ExecuteChangeSet", empty("ExecuteChangeSet"))
	op, err := f.p.ExecuteChangeSet(context.Background(), stackName, changeSetName, token)
	if err != nil || op.NoChanges || op.StackID != stackID {
		t.Fatalf("ExecuteChangeSet = %+v, %v", op, err)
	}
	wantForm(t, f.server.CallsOf("ExecuteChangeSet")[0], map[string]string{"StackName": stackName, "ChangeSetName": changeSetName, "ClientRequestToken": token})

	g := newFixture(t, cloudformation.Options{})
	g.respond("DescribeChangeSet", awstest.QueryError(404, "ChangeSetNotFound", "ChangeSet [x] does not exist"))
	if _, err := g.p.ExecuteChangeSet(context.Background(), stackName, changeSetName, token); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("err = %v, want NotFound", err)
	}
}
