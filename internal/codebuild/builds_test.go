package codebuild_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cb "github.com/aws/aws-sdk-go-v2/service/codebuild"

	"github.com/gantry-platform/gantry/internal/awsclients/awstest"
	"github.com/gantry-platform/gantry/internal/codebuild"
	"github.com/gantry-platform/gantry/internal/platform"
)

// sources keeps what the runner writes to the bucket.
type sources map[string][]byte

func (s sources) Put(_ context.Context, key string, body []byte) error { s[key] = body; return nil }

const buildID = "arn:aws:codebuild:us-east-1:111122223333:build/gantry-provisioning:3a9e7c41-5d2f-4b8a-9c60-7e1d2f3a4b5c"

func newBuilds(t *testing.T) (*codebuild.Builds, *awstest.Server, sources) {
	t.Helper()
	server := awstest.NewServer(t)
	client := cb.NewFromConfig(awstest.Config(), func(o *cb.Options) { o.BaseEndpoint = aws.String(server.URL) })
	src := sources{}
	return codebuild.New(client, src, "gantry-artifacts"), server, src
}

// TestContract_StartBuild: the build's files are zipped to the bucket and the build starts
// on them with the buildspec, image, role, timeout, variables and idempotency token
// overridden, as CodeBuild's StartBuild takes them.
func TestContract_StartBuild(t *testing.T) {
	b, server, src := newBuilds(t)
	server.Handle("StartBuild", func(awstest.Call) awstest.Response {
		return awstest.JSONResult(map[string]any{"build": map[string]any{"id": buildID, "buildStatus": "IN_PROGRESS"}})
	})
	got, err := b.StartBuild(context.Background(), platform.BuildRequest{Project: "gantry-provisioning",
		Files:     map[string][]byte{"proton-inputs.json": []byte(`{}`), "cdk-to-proton.sh": []byte("#!/bin/bash\n")},
		Buildspec: "version: 0.2\n", Image: "aws/codebuild/amazonlinux2-x86_64-standard:4.0", Env: map[string]string{"RESOURCE_ARN": "arn:r"},
		IdempotencyToken: "d-1", Timeout: time.Hour, RoleARN: "arn:aws:iam::111122223333:role/cb"})
	if err != nil || got.ID != buildID || got.Status != "IN_PROGRESS" {
		t.Fatalf("StartBuild = %+v, %v", got, err)
	}
	req := server.CallsOf("StartBuild")[0].JSON(t)
	want := map[string]any{"projectName": "gantry-provisioning", "buildspecOverride": "version: 0.2\n", "sourceTypeOverride": "S3",
		"sourceLocationOverride": "gantry-artifacts/provisioning/d-1.zip", "idempotencyToken": "d-1", "timeoutInMinutesOverride": float64(60),
		"imageOverride": "aws/codebuild/amazonlinux2-x86_64-standard:4.0", "serviceRoleOverride": "arn:aws:iam::111122223333:role/cb"}
	for k, v := range want {
		if req[k] != v {
			t.Errorf("%s = %v, want %v", k, req[k], v)
		}
	}
	vars, _ := req["environmentVariablesOverride"].([]any)
	if len(vars) != 1 || vars[0].(map[string]any)["name"] != "RESOURCE_ARN" || vars[0].(map[string]any)["type"] != "PLAINTEXT" {
		t.Errorf("variables %v", req["environmentVariablesOverride"])
	}
	z, err := zip.NewReader(bytes.NewReader(src["provisioning/d-1.zip"]), int64(len(src["provisioning/d-1.zip"])))
	if err != nil || len(z.File) != 2 {
		t.Fatalf("source zip: %v", err)
	}
	for _, f := range z.File {
		r, _ := f.Open()
		body, _ := io.ReadAll(r)
		if f.Name == "cdk-to-proton.sh" && (f.Mode().Perm() != 0o755 || string(body) != "#!/bin/bash\n") {
			t.Errorf("%s: mode %v, %q", f.Name, f.Mode(), body)
		}
	}
}

// TestContract_GetBuild: BatchGetBuilds' failed phase and its contexts become the build's
// FailedPhase and Reason, its plaintext variables its Env; an unknown build is NotFound,
// and CodeBuild's errors get their kinds.
func TestContract_GetBuild(t *testing.T) {
	b, server, _ := newBuilds(t)
	server.Handle("BatchGetBuilds", func(c awstest.Call) awstest.Response {
		if ids := c.JSON(t)["ids"].([]any); ids[0] != buildID {
			return awstest.JSONResult(map[string]any{"builds": []any{}, "buildsNotFound": ids})
		}
		return awstest.JSONResult(map[string]any{"builds": []any{map[string]any{"id": buildID, "buildStatus": "FAILED",
			"environment": map[string]any{"environmentVariables": []any{map[string]any{"name": "GANTRY_DEPLOYMENT_ID", "value": "d-1", "type": "PLAINTEXT"}}},
			"phases": []any{map[string]any{"phaseType": "INSTALL", "phaseStatus": "SUCCEEDED"},
				map[string]any{"phaseType": "BUILD", "phaseStatus": "FAILED", "contexts": []any{map[string]any{"statusCode": "COMMAND_EXECUTION_ERROR",
					"message": "Error while executing command: npm run cdk -- deploy. Reason: exit status 1"}}}}}}})
	})
	got, err := b.GetBuild(context.Background(), buildID)
	if err != nil || got.Status != "FAILED" || got.FailedPhase != "BUILD" || got.Env["GANTRY_DEPLOYMENT_ID"] != "d-1" ||
		got.Reason != "COMMAND_EXECUTION_ERROR: Error while executing command: npm run cdk -- deploy. Reason: exit status 1" {
		t.Errorf("GetBuild = %+v, %v", got, err)
	}
	if _, err := b.GetBuild(context.Background(), "arn:other"); platform.KindOf(err) != platform.NotFound {
		t.Errorf("unknown build: %v, want NotFound", err)
	}
	server.Handle("StopBuild", func(awstest.Call) awstest.Response {
		return awstest.JSONError(400, "InvalidInputException", "Build is not in progress")
	})
	if err := b.StopBuild(context.Background(), buildID); platform.KindOf(err) != platform.Conflict {
		t.Errorf("StopBuild of an ended build: %v, want Conflict", err)
	}
}
