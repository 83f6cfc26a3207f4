package platform

import (
	"context"
	"time"
)

// BuildRequest asks a BuildRunner to run commands: a CodeBuild build of Project on AWS, a
// bash process locally.
type BuildRequest struct {
	Project string
	// Files are the build's source, by slash-separated path: its working directory.
	Files map[string][]byte
	// Buildspec is the build's buildspec (YAML): runtimes and commands.
	Buildspec string
	// Image is the build image the manifest asks for (settings.image), "" for the
	// project's.
	Image string
	// Env are the build's environment variables.
	Env map[string]string
	// IdempotencyToken makes a repeated start of the same build start it once (the
	// deployment id).
	IdempotencyToken string
	Timeout          time.Duration
	// RoleARN, when set, is the role the build runs under (the environment's CodeBuild
	// role).
	RoleARN string
	// Account, when set, is the environment account the build runs in (through the
	// environment's account connection); "" is the platform's own.
	Account string
}

// Build is a build as its runner describes it.
type Build struct {
	ID string
	// Status is CodeBuild's: IN_PROGRESS, SUCCEEDED, FAILED, FAULT, STOPPED, TIMED_OUT.
	Status string
	// FailedPhase and Reason say where and why a build that did not succeed stopped.
	FailedPhase, Reason string
	// Env are the build's environment variables (its deployment among them).
	Env map[string]string
	// RoleARN is the role the build ran under ("" for the project's own) and Account the
	// account it ran in.
	RoleARN, Account string
}

// BuildRunner starts, stops and describes builds: what the CodeBuild engine drives, on AWS
// or the local stand-in. A build's end is also published as a "CodeBuild Build State
// Change" event.
type BuildRunner interface {
	// StartBuild starts a build and returns it (IN_PROGRESS). Invalid for a request the
	// runner refuses.
	StartBuild(ctx context.Context, in BuildRequest) (Build, error)
	// StopBuild stops a build in progress (it ends STOPPED); NotFound for an unknown
	// build, Conflict for one that has ended.
	StopBuild(ctx context.Context, id string) error
	// GetBuild describes a build; NotFound for an unknown one.
	GetBuild(ctx context.Context, id string) (Build, error)
}
