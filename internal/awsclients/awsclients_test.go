package awsclients_test

import (
	"context"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gantry-platform/gantry/internal/awsclients"
	"github.com/gantry-platform/gantry/internal/awsclients/awstest"
)

func TestEndpointOverridesPerServiceWinOverTheShared(t *testing.T) {
	shared, stsServer := awstest.NewServer(t), awstest.NewServer(t)
	stsServer.Handle("GetCallerIdentity", func(awstest.Call) awstest.Response {
		return awstest.QueryResult("GetCallerIdentity", `<Account>111122223333</Account><Arn>arn:aws:iam::111122223333:user/x</Arn><UserId>x</UserId>`)
	})
	shared.Handle("ListStateMachines", func(awstest.Call) awstest.Response {
		return awstest.JSONResult(map[string]any{"stateMachines": []any{}})
	})
	shared.Handle("GET", func(awstest.Call) awstest.Response {
		return awstest.Response{Body: "blob"}
	})
	c := awsclients.New(awstest.Config(), awstest.Getenv(map[string]string{
		awsclients.EndpointURL:          shared.URL,
		awsclients.EndpointURL + "_STS": stsServer.URL,
	}))
	ctx := context.Background()

	id, err := c.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	if aws.ToString(id.Account) != "111122223333" {
		t.Errorf("account = %q", aws.ToString(id.Account))
	}
	if _, err := c.StepFunctions.ListStateMachines(ctx, &sfn.ListStateMachinesInput{}); err != nil {
		t.Fatalf("ListStateMachines: %v", err)
	}
	obj, err := c.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bundles"), Key: aws.String("a/b.tar.gz")})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	body, _ := io.ReadAll(obj.Body)
	if string(body) != "blob" {
		t.Errorf("body = %q", body)
	}
	if got := shared.CallsOf("GET"); len(got) != 1 || got[0].Path != "/bundles/a/b.tar.gz" {
		t.Errorf("S3 request = %+v, want path-style /bundles/a/b.tar.gz", got)
	}
	if len(shared.CallsOf("GetCallerIdentity")) != 0 {
		t.Error("STS went to the shared endpoint despite its own override")
	}
}

func TestNoOverrideLeavesTheSDKsResolution(t *testing.T) {
	c := awsclients.New(awstest.Config(), awstest.Getenv(nil))
	if c.Endpoint(awsclients.DynamoDB) != nil {
		t.Errorf("Endpoint(DynamoDB) = %q, want nil", *c.Endpoint(awsclients.DynamoDB))
	}
	if c.S3.Options().UsePathStyle {
		t.Error("S3 uses path style without an endpoint override")
	}
}

func TestLoadUsesTheOptionsGiven(t *testing.T) {
	server := awstest.NewServer(t)
	server.Handle("GetCallerIdentity", func(awstest.Call) awstest.Response {
		return awstest.QueryResult("GetCallerIdentity", `<Account>444455556666</Account>`)
	})
	c, err := awsclients.Load(context.Background(), awstest.Getenv(map[string]string{awsclients.EndpointURL: server.URL}),
		config.WithRegion("eu-west-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIDLOAD", "secret", "")),
		config.WithRetryer(func() aws.Retryer { return aws.NopRetryer{} }))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.Config.Region != "eu-west-1" {
		t.Errorf("region = %q", c.Config.Region)
	}
	if _, err := c.STS.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	if calls := server.Calls(); len(calls) != 1 || calls[0].AccessKeyID != "AKIDLOAD" {
		t.Errorf("calls = %+v, want one signed with AKIDLOAD", calls)
	}
}
