package provision

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/gantry-platform/gantry/internal/awsevents"
	"github.com/gantry-platform/gantry/internal/bundle"
	"github.com/gantry-platform/gantry/internal/platform"
)

// CodeBuild is the CodeBuild engine: a deployment runs its manifest's settings.provision
// commands (a deletion settings.deprovision) in a build of Project, in a working directory
// holding the manifest's folder of the bundle with proton-inputs.json written beside it,
// as Proton did. The build has Proton's RESOURCE_ARN, GANTRY_DEPLOYMENT_ID,
// AWS_ENDPOINT_URL_PROTON (Gantry's endpoint) and a reporter's key, which an `aws` wrapper
// first on PATH gives `aws proton` calls only (so that the build's own role still signs
// everything else). The build runs under the Provisioning's RoleARN (the environment's
// codebuildRoleArn) in its Account. The commands report with NotifyResourceDeploymentStatusChange; the
// build's end ("CodeBuild Build State Change") finishes the deployment if they did not.
type CodeBuild struct {
	Builds platform.BuildRunner
	// Project is the CodeBuild project builds run in; Endpoint is Gantry's Proton
	// endpoint, AWS_ENDPOINT_URL_PROTON in the build.
	Project  string
	Endpoint string
	// Timeout bounds a build (default one hour, the workflow's wait before Reconcile).
	Timeout time.Duration
}

var _ platform.Provisioner = CodeBuild{}

// ReporterFile is where, in the build's working directory, the reporter's key is written
// (shell assignments the `aws` wrapper reads); it is not an environment variable, so that
// no build description or event shows it.
const ReporterFile = ".gantry/reporter.env"

// AWSWrapper is the `aws` the build finds first on PATH: `aws proton …` runs with the
// reporter's key and Gantry's endpoint (the aws CLI v2.9 predates AWS_ENDPOINT_URL_PROTON);
// every other call is the real aws CLI's, with the build's own credentials.
const AWSWrapper = `#!/bin/bash
# aws, as Gantry's provisioning builds run it: "aws proton ..." goes to Gantry's endpoint
# with the deployment's reporter key; anything else is the real aws CLI's.
self=$(cd "$(dirname "$0")" && pwd)
real=$(PATH=$(printf %s "$PATH" | tr ':' '\n' | grep -vxF "$self" | paste -sd:) command -v aws)
if [ "$1" = proton ] && [ -f "$CODEBUILD_SRC_DIR/` + ReporterFile + `" ]; then
  . "$CODEBUILD_SRC_DIR/` + ReporterFile + `"
  export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
  unset AWS_SESSION_TOKEN AWS_PROFILE
  exec "$real" "$@" --endpoint-url "$AWS_ENDPOINT_URL_PROTON"
fi
exec "$real" "$@"
`

// Submit starts the build of the provision commands.
func (c CodeBuild) Submit(ctx context.Context, p platform.Provisioning) (platform.Submission, error) {
	return c.start(ctx, p, false)
}

// Deprovision starts the build of the deprovision commands; a manifest without any is
// NoChanges.
func (c CodeBuild) Deprovision(ctx context.Context, p platform.Provisioning) (platform.Submission, error) {
	return c.start(ctx, p, true)
}

func (c CodeBuild) start(ctx context.Context, p platform.Provisioning, deprovision bool) (platform.Submission, error) {
	b, err := bundle.LoadTarGz(bytes.NewReader(p.Bundle), bundle.ProtonLimits)
	if err != nil {
		return platform.Submission{}, platform.Errorf(platform.Invalid, "the template version's bundle: %v", err)
	}
	m := b.Infrastructure
	if p.Dir == bundle.PipelineDir {
		m = b.Pipeline
	}
	if m == nil || len(m.Templates) != 1 || m.Templates[0].RenderingEngine != bundle.EngineCodeBuild {
		return platform.Submission{}, platform.Errorf(platform.Invalid, "%s/%s has no codebuild entry", p.Dir, bundle.ManifestName)
	}
	t := m.Templates[0]
	commands := t.Provision
	if deprovision {
		commands = t.Deprovision
		if len(commands) == 0 {
			return platform.Submission{NoChanges: true}, nil
		}
	}
	files, err := workingFiles(b, p)
	if err != nil {
		return platform.Submission{}, err
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = time.Hour
	}
	env := map[string]string{"RESOURCE_ARN": p.ResourceARN, awsevents.BuildDeploymentVariable: p.Deployment.ID,
		"AWS_ENDPOINT_URL_PROTON": c.Endpoint, "GANTRY_AWS_WRAPPER": AWSWrapper}
	build, err := c.Builds.StartBuild(ctx, platform.BuildRequest{Project: c.Project, Files: files, Image: t.Image,
		Buildspec: Buildspec(t.Runtimes, commands), Env: env, IdempotencyToken: p.Deployment.ID, Timeout: timeout,
		RoleARN: p.RoleARN, Account: p.Account})
	if err != nil {
		return platform.Submission{}, err
	}
	return platform.Submission{Ref: build.ID}, nil
}

// workingFiles are the build's working directory: the manifest's folder of the bundle,
// proton-inputs.json (Proton's, over any the bundle carries) and the reporter's key.
func workingFiles(b *bundle.Bundle, p platform.Provisioning) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := fs.WalkDir(b.FS(), p.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(b.FS(), path)
		files[strings.TrimPrefix(path, p.Dir+"/")] = data
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read %s/ of the bundle: %w", p.Dir, err)
	}
	files["proton-inputs.json"] = p.ProtonInputs
	if k := p.Credentials; k != nil {
		files[ReporterFile] = []byte("AWS_ACCESS_KEY_ID='" + k.AccessKeyID + "'\nAWS_SECRET_ACCESS_KEY='" + k.SecretAccessKey + "'\n")
	}
	return files, nil
}

// Buildspec is the buildspec of a provisioning build: the runtimes in the install phase,
// which also puts AWSWrapper first on PATH, then the commands in the build phase.
func Buildspec(runtimes map[string]string, commands []string) string {
	var w strings.Builder
	w.WriteString("version: 0.2\nenv:\n  shell: bash\nphases:\n  install:\n")
	if len(runtimes) > 0 {
		w.WriteString("    runtime-versions:\n")
		for _, k := range slices.Sorted(maps.Keys(runtimes)) {
			fmt.Fprintf(&w, "      %s: %s\n", k, yamlScalar(runtimes[k]))
		}
	}
	w.WriteString("    commands:\n")
	fmt.Fprintf(&w, "      - %s\n", yamlScalar(`mkdir -p "$CODEBUILD_SRC_DIR/.gantry/bin" && printf '%s' "$GANTRY_AWS_WRAPPER" > "$CODEBUILD_SRC_DIR/.gantry/bin/aws" && chmod +x "$CODEBUILD_SRC_DIR/.gantry/bin/aws"`))
	w.WriteString("  build:\n    commands:\n")
	for _, c := range commands {
		fmt.Fprintf(&w, "      - %s\n", yamlScalar(`export PATH="$CODEBUILD_SRC_DIR/.gantry/bin:$PATH"; `+c))
	}
	return w.String()
}

// yamlScalar quotes s as a YAML double-quoted scalar.
func yamlScalar(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`)
	return `"` + r.Replace(s) + `"`
}

// Report describes the deployment's build: its status as an outcome, the failed phase and
// reason. It never has outputs: those the commands notified stand. NotFound when no build
// was started.
func (c CodeBuild) Report(ctx context.Context, d platform.Deployment) (platform.ProvisioningReport, error) {
	if d.ProvisioningRef == "" {
		return platform.ProvisioningReport{}, platform.Errorf(platform.NotFound, "deployment %s started no build", d.ID)
	}
	b, err := c.Builds.GetBuild(ctx, d.ProvisioningRef)
	if err != nil {
		return platform.ProvisioningReport{}, err
	}
	r := platform.ProvisioningReport{ID: b.ID, DeploymentID: b.Env[awsevents.BuildDeploymentVariable], Status: b.Status, Outcome: BuildOutcome(b.Status)}
	if r.Outcome == platform.OutcomeFailed {
		r.Reason = BuildFailure(b.Status, b.FailedPhase, b.Reason)
	}
	return r, nil
}

// BuildOutcome is the outcome of a build status.
func BuildOutcome(status string) platform.Outcome {
	switch {
	case status == "SUCCEEDED":
		return platform.OutcomeSucceeded
	case awsevents.BuildEnded(status):
		return platform.OutcomeFailed
	}
	return platform.OutcomeInProgress
}

// BuildFailure says why a build failed: its status, the phase and CodeBuild's context.
func BuildFailure(status, phase, reason string) string {
	msg := "the build ended " + status
	if phase != "" {
		msg += " in its " + phase + " phase"
	}
	if reason != "" {
		msg += ": " + reason
	}
	return msg
}

// Cancel stops the deployment's build; it ends STOPPED, which fails the waiting task.
// NotFound when no build was started; Conflict when it has ended.
func (c CodeBuild) Cancel(ctx context.Context, d platform.Deployment) error {
	if d.ProvisioningRef == "" {
		return platform.Errorf(platform.NotFound, "deployment %s started no build", d.ID)
	}
	return c.Builds.StopBuild(ctx, d.ProvisioningRef)
}
