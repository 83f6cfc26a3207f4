package cloudformation_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/awsclients/awstest"
	"github.com/gantry-platform/gantry/internal/cloudformation"
	"github.com/gantry-platform/gantry/internal/platform"
)

func listStackResources(next string, members ...string) awstest.Response {
	body := "<StackResourceSummaries>" + strings.Join(members, "") + "</StackResourceSummaries>"
	if next != "" {
		body += "<NextToken>" + awstest.Escape(next) + "</NextToken>"
	}
	return awstest.QueryResult("ListStackResources", body)
}

func resourceSummary(logical, physical, typ, status, reason string) string {
	m := "<member><LogicalResourceId>" + logical + "</LogicalResourceId><ResourceType>" + typ + "</ResourceType>" +
		"<LastUpdatedTimestamp>2026-01-02T03:04:05Z</LastUpdatedTimestamp><ResourceStatus>" + status + "</ResourceStatus>"
	if physical != "" {
		m += "<PhysicalResourceId>" + awstest.Escape(physical) + "</PhysicalResourceId>"
	}
	if reason != "" {
		m += "<ResourceStatusReason>" + awstest.Escape(reason) + "</ResourceStatusReason>"
	}
	return m + "</member>"
}

func TestContract_ListStackResourcesPaginated(t *testing.T) {
	f := newFixture(t, cloudformation.Options{})
	f.respond("ListStackResources",
		listStackResources("page-2",
			resourceSummary("Bucket", "gantry-env-beta-bucket-1a2b3c", "AWS::S3::Bucket", "CREATE_COMPLETE", ""),
			resourceSummary("Queue", "", "AWS::SQS::Queue", "CREATE_FAILED", "Resource handler returned message: \"denied\"")),
		listStackResources("",
			resourceSummary("Vpc", "vpc-0123456789abcdef0", "AWS::EC2::VPC", "UPDATE_COMPLETE", "")))

	first, err := f.p.ListResources(context.Background(), stackName, "")
	if err != nil {
		t.Fatalf("ListResources: %v", err)
	}
	want := []platform.StackResource{
		{LogicalID: "Bucket", PhysicalID: "gantry-env-beta-bucket-1a2b3c", Type: "AWS::S3::Bucket", Status: "CREATE_COMPLETE"},
		{LogicalID: "Queue", Type: "AWS::SQS::Queue", Status: "CREATE_FAILED", StatusReason: `Resource handler returned message: "denied"`},
	}
	if len(first.Resources) != 2 || first.Resources[0] != want[0] || first.Resources[1] != want[1] || first.NextToken != "page-2" {
		t.Fatalf("first page = %+v", first)
	}
	second, err := f.p.ListResources(context.Background(), stackName, first.NextToken)
	if err != nil {
		t.Fatalf("ListResources page 2: %v", err)
	}
	if len(second.Resources) != 1 || second.Resources[0].PhysicalID != "vpc-0123456789abcdef0" || second.NextToken != "" {
		t.Fatalf("second page = %+v", second)
	}
	wantOperations(t, f.server, "ListStackResources", "ListStackResources")
	wantForm(t, f.server.CallsOf("ListStackResources")[0], map[string]string{"StackName": stackName, "NextToken": ""})
	wantForm(t, f.server.CallsOf("ListStackResources")[1], map[string]string{"StackName": stackName, "NextToken": "page-2"})
}

func TestContract_ListResourcesOfAMissingStackIsNotFound(t *testing.T) {
	f := newFixture(t, cloudformation.Options{})
	f.respond("ListStackResources", stackMissing(stackName))
	if _, err := f.p.ListResources(context.Background(), stackName, ""); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("err = %v (kind %q), want NotFound", err, platform.KindOf(err))
	}
}

func TestContract_ListResourcesWithARefusedTokenIsInvalid(t *testing.T) {
	f := newFixture(t, cloudformation.Options{})
	f.respond("ListStackResources", awstest.QueryError(400, "ValidationError", "Invalid NextToken"))
	_, err := f.p.ListResources(context.Background(), stackName, "forged")
	if platform.KindOf(err) != platform.Invalid || !strings.Contains(platform.MessageOf(err), "Invalid NextToken") {
		t.Fatalf("err = %v (kind %q), want Invalid with CloudFormation's message", err, platform.KindOf(err))
	}
}

func TestContract_ListResourcesThrottledIsARetryableInternalError(t *testing.T) {
	f := newFixture(t, cloudformation.Options{})
	f.respond("ListStackResources", awstest.QueryError(400, "Throttling", "Rate exceeded"))
	_, err := f.p.ListResources(context.Background(), stackName, "")
	if platform.KindOf(err) != platform.Internal || !strings.Contains(err.Error(), "throttled") {
		t.Fatalf("err = %v (kind %q), want Internal saying throttled", err, platform.KindOf(err))
	}
}
