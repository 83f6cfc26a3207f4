// Package codebuild implements platform.BuildRunner on AWS CodeBuild: a build of the
// provisioning project with its buildspec, image, variables, timeout and role overridden
// per build, its source a .zip of the build's files written to the artefacts bucket.
package codebuild

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cb "github.com/aws/aws-sdk-go-v2/service/codebuild"
	"github.com/aws/aws-sdk-go-v2/service/codebuild/types"
	"github.com/aws/smithy-go"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Client is the part of the CodeBuild client the runner uses.
type Client interface {
	StartBuild(ctx context.Context, in *cb.StartBuildInput, optFns ...func(*cb.Options)) (*cb.StartBuildOutput, error)
	StopBuild(ctx context.Context, in *cb.StopBuildInput, optFns ...func(*cb.Options)) (*cb.StopBuildOutput, error)
	BatchGetBuilds(ctx context.Context, in *cb.BatchGetBuildsInput, optFns ...func(*cb.Options)) (*cb.BatchGetBuildsOutput, error)
}

// Sources stores build sources: Put writes a blob (the artefacts bucket, S3 on AWS).
type Sources interface {
	Put(ctx context.Context, key string, body []byte) error
}

// Builds runs builds on CodeBuild. Build it with New.
type Builds struct {
	client  Client
	sources Sources
	bucket  string
}

var _ platform.BuildRunner = (*Builds)(nil)

// New returns Builds on client whose sources go to bucket through sources.
func New(client Client, sources Sources, bucket string) *Builds {
	return &Builds{client: client, sources: sources, bucket: bucket}
}

// SourceKey is where the source of the build with idempotency token token is written.
func SourceKey(token string) string { return "provisioning/" + token + ".zip" }

// StartBuild zips in.Files to the bucket and starts a build of in.Project on them, with
// in's buildspec, variables, image, timeout and role, and in.IdempotencyToken (CodeBuild
// answers a repeat within 5 minutes with the same build). Errors: Invalid for a build in
// another account (not available yet) or a request
// CodeBuild refuses, NotFound for an unknown project, Internal otherwise.
func (b *Builds) StartBuild(ctx context.Context, in platform.BuildRequest) (platform.Build, error) {
	if in.Account != "" {
		return platform.Build{}, platform.Errorf(platform.Invalid, "CodeBuild provisioning in environment account %s is not available on AWS yet "+
			"(it needs a provisioning project in that account): only environments in the platform's account run builds", in.Account)
	}
	source, err := zipFiles(in.Files)
	if err != nil {
		return platform.Build{}, err
	}
	key := SourceKey(in.IdempotencyToken)
	if err := b.sources.Put(ctx, key, source); err != nil {
		return platform.Build{}, err
	}
	req := &cb.StartBuildInput{ProjectName: aws.String(in.Project), BuildspecOverride: aws.String(in.Buildspec),
		SourceTypeOverride: types.SourceTypeS3, SourceLocationOverride: aws.String(b.bucket + "/" + key)}
	if in.IdempotencyToken != "" {
		req.IdempotencyToken = aws.String(in.IdempotencyToken)
	}
	if in.Image != "" {
		req.ImageOverride = aws.String(in.Image)
	}
	if in.RoleARN != "" {
		req.ServiceRoleOverride = aws.String(in.RoleARN)
	}
	if m := int32(in.Timeout.Minutes()); m > 0 {
		req.TimeoutInMinutesOverride = aws.Int32(m)
	}
	for _, k := range slices.Sorted(maps.Keys(in.Env)) {
		req.EnvironmentVariablesOverride = append(req.EnvironmentVariablesOverride,
			types.EnvironmentVariable{Name: aws.String(k), Value: aws.String(in.Env[k]), Type: types.EnvironmentVariableTypePlaintext})
	}
	out, err := b.client.StartBuild(ctx, req)
	if err != nil {
		return platform.Build{}, kindOf(err, "start a build of "+in.Project)
	}
	return build(out.Build), nil
}

// StopBuild stops a build. Errors: NotFound for an unknown build, Conflict for one that
// has ended (CodeBuild's InvalidInputException).
func (b *Builds) StopBuild(ctx context.Context, id string) error {
	_, err := b.client.StopBuild(ctx, &cb.StopBuildInput{Id: aws.String(id)})
	err = kindOf(err, "stop build "+id)
	if platform.KindOf(err) == platform.Invalid {
		return platform.Errorf(platform.Conflict, "%s", platform.MessageOf(err))
	}
	return err
}

// GetBuild describes a build (BatchGetBuilds); NotFound when CodeBuild knows no such build.
func (b *Builds) GetBuild(ctx context.Context, id string) (platform.Build, error) {
	out, err := b.client.BatchGetBuilds(ctx, &cb.BatchGetBuildsInput{Ids: []string{id}})
	if err != nil {
		return platform.Build{}, kindOf(err, "describe build "+id)
	}
	if len(out.Builds) == 0 {
		return platform.Build{}, platform.Errorf(platform.NotFound, "build %s does not exist", id)
	}
	return build(&out.Builds[0]), nil
}

// build maps CodeBuild's build: the first phase that did not succeed and its contexts
// give FailedPhase and Reason.
func build(in *types.Build) platform.Build {
	if in == nil {
		return platform.Build{}
	}
	out := platform.Build{ID: aws.ToString(in.Id), Status: string(in.BuildStatus), Env: map[string]string{}, RoleARN: aws.ToString(in.ServiceRole)}
	if in.Environment != nil {
		for _, v := range in.Environment.EnvironmentVariables {
			if v.Type == types.EnvironmentVariableTypePlaintext || v.Type == "" {
				out.Env[aws.ToString(v.Name)] = aws.ToString(v.Value)
			}
		}
	}
	for _, p := range in.Phases {
		if p.PhaseStatus == "" || p.PhaseStatus == types.StatusTypeSucceeded {
			continue
		}
		out.FailedPhase = string(p.PhaseType)
		var msgs []string
		for _, c := range p.Contexts {
			msgs = append(msgs, strings.TrimPrefix(aws.ToString(c.StatusCode)+": "+aws.ToString(c.Message), ": "))
		}
		out.Reason = strings.Join(msgs, "; ")
		break
	}
	return out
}

// zipFiles packs files into a .zip, executable bits set on scripts (CodeBuild keeps them).
func zipFiles(files map[string][]byte) ([]byte, error) {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate}
		h.SetMode(0o644)
		if strings.HasSuffix(name, ".sh") {
			h.SetMode(0o755)
		}
		f, err := w.CreateHeader(h)
		if err != nil {
			return nil, err
		}
		if _, err := f.Write(files[name]); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// kindOf gives CodeBuild's errors their kinds: InvalidInputException Invalid,
// ResourceNotFoundException NotFound, anything else Internal (retried by the workflow).
func kindOf(err error, what string) error {
	if err == nil {
		return nil
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "InvalidInputException":
			return platform.Errorf(platform.Invalid, "%s: %s", what, api.ErrorMessage())
		case "ResourceNotFoundException":
			return platform.Errorf(platform.NotFound, "%s: %s", what, api.ErrorMessage())
		}
	}
	return fmt.Errorf("%s: %w", what, err)
}
