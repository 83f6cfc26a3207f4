package workflow_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
	"github.com/gantry-platform/gantry/internal/provision"
	"github.com/gantry-platform/gantry/internal/workflow"
)

// recordingEngine is a provisioning engine that keeps what it is given and reports what
// the test sets.
type recordingEngine struct {
	mu        sync.Mutex
	submitted []platform.Provisioning
	removed   []platform.Provisioning
	report    platform.ProvisioningReport
}

func (e *recordingEngine) Submit(_ context.Context, p platform.Provisioning) (platform.Submission, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.submitted = append(e.submitted, p)
	return platform.Submission{Ref: "build-" + p.Deployment.ID}, nil
}

func (e *recordingEngine) Deprovision(_ context.Context, p platform.Provisioning) (platform.Submission, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.removed = append(e.removed, p)
	return platform.Submission{Ref: "build-" + p.Deployment.ID}, nil
}

func (e *recordingEngine) Report(_ context.Context, d platform.Deployment) (platform.ProvisioningReport, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if d.ProvisioningRef != "build-"+d.ID {
		return platform.ProvisioningReport{}, platform.Errorf(platform.NotFound, "no build %q", d.ProvisioningRef)
	}
	return e.report, nil
}

func (e *recordingEngine) Cancel(context.Context, platform.Deployment) error { return nil }

// withEngine gives the harness's tasks a second engine, CodeBuild's, beside CloudFormation,
// and marks the sample environment template's version 1.0 as provisioned by it.
func (h *harness) withEngine(e platform.Provisioner) {
	h.t.Helper()
	h.mustEnvTemplate(platformtest.EnvTemplate, "")
	tv, err := h.store.GetTemplateVersion(h.ctx, platform.EnvironmentTemplate, platformtest.EnvTemplate, platform.Version{Major: 1})
	if err != nil {
		h.t.Fatal(err)
	}
	tv.Engine = platform.EngineCodeBuild
	if err := h.store.UpdateTemplateVersion(h.ctx, tv, nil); err != nil {
		h.t.Fatal(err)
	}
	h.tasks = workflow.New(workflow.Config{Store: h.store, Blobs: h.blobDir, Workflows: h.taskWorkflows,
		Engines: provision.Engines(h.prov, platform.Engines{platform.EngineCodeBuild: e}), Renderer: h.engine,
		AccountID: "111122223333", Now: h.clock.Tick, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

// TestTheEngineOfTheVersionProvisions: a deployment of a version whose engine runs the
// bundle goes to that engine's adapter, not CloudFormation: Render writes
// proton-inputs.json (Proton's shape) instead of rendering, Deploy submits the bundle, its
// folder, the inputs and the target's ARN and keeps the engine's ref; Reconcile and
// Record ask that engine, and Record keeps the outputs already notified when the engine
// reports none. The deletion goes to the same engine.
func TestTheEngineOfTheVersionProvisions(t *testing.T) {
	h := newHarness(t)
	e := &recordingEngine{report: platform.ProvisioningReport{Outcome: platform.OutcomeInProgress, Status: "IN_PROGRESS"}}
	h.withEngine(e)
	create := control.CreateEnvironmentInput{Name: "Beta", TemplateName: platformtest.EnvTemplate, MajorVersion: 1,
		Spec: platformtest.ReadFile(t, platformtest.SamplePath(t, platformtest.EnvSpec))}
	if _, err := h.control.CreateEnvironment(h.ctx, create); platform.KindOf(err) != platform.Invalid || !strings.HasPrefix(platform.MessageOf(err), "codebuildRoleArn") {
		t.Fatalf("a CodeBuild environment without codebuildRoleArn: %v, want Invalid naming it", err)
	}
	create.CodebuildRoleARN = "arn:aws:iam::000000000000:role/provisioning"
	env, err := h.control.CreateEnvironment(h.ctx, create)
	if err != nil {
		t.Fatal(err)
	}
	d := h.mustDeployment(env.LastDeploymentID)
	e.report.DeploymentID = d.ID
	out := h.mustRender(d.ID)
	if out.RenderedKey != "rendered/"+d.ID+"/proton-inputs.json" {
		t.Fatalf("rendered key %q, want proton-inputs.json", out.RenderedKey)
	}
	h.mustDeploy(d.ID)
	if len(e.submitted) != 1 || len(h.stackOperations()) != 0 {
		t.Fatalf("submitted %d to the engine, %v to CloudFormation; want 1 and none", len(e.submitted), h.stackOperations())
	}
	p := e.submitted[0]
	var inputs struct {
		Environment struct {
			Name   string         `json:"name"`
			Inputs map[string]any `json:"inputs"`
		} `json:"environment"`
	}
	if err := json.Unmarshal(p.ProtonInputs, &inputs); err != nil || inputs.Environment.Name != "Beta" || len(inputs.Environment.Inputs) == 0 {
		t.Errorf("proton-inputs.json = %s (%v), want the environment's name and inputs", p.ProtonInputs, err)
	}
	if p.RoleARN != create.CodebuildRoleARN {
		t.Errorf("the build's role %q, want the environment's codebuildRoleArn", p.RoleARN)
	}
	if p.Dir != "infrastructure" || len(p.Bundle) == 0 || p.ResourceARN != "arn:aws:proton:us-east-1:000000000000:environment/Beta" || len(p.TemplateBody) != 0 {
		t.Errorf("provisioning: dir %q, bundle %d bytes, ARN %q, template %d bytes", p.Dir, len(p.Bundle), p.ResourceARN, len(p.TemplateBody))
	}
	got := h.mustDeployment(d.ID)
	if got.Engine != platform.EngineCodeBuild || got.ProvisioningRef != "build-"+d.ID {
		t.Errorf("deployment engine %q ref %q", got.Engine, got.ProvisioningRef)
	}

	// Reconcile asks the engine: still running, then the build's report of this deployment.
	rec, err := h.tasks.Deploy(h.ctx, workflow.Input{DeploymentID: d.ID, Reconcile: true})
	if err != nil || rec.Outcome != "IN_PROGRESS" {
		t.Fatalf("Reconcile = %+v, %v; want IN_PROGRESS", rec, err)
	}
	e.mu.Lock()
	e.report = platform.ProvisioningReport{ID: "build-" + d.ID, DeploymentID: d.ID, Outcome: platform.OutcomeFailed, Status: "FAILED", Reason: "BUILD: exit 1"}
	e.mu.Unlock()
	if rec, err = h.tasks.Deploy(h.ctx, workflow.Input{DeploymentID: d.ID, Reconcile: true}); err != nil || rec.Outcome != "FAILED" || rec.Reason != "BUILD: exit 1" {
		t.Fatalf("Reconcile = %+v, %v; want FAILED with the build's reason", rec, err)
	}
	// What the commands reported counts over the build.
	got = h.mustDeployment(d.ID)
	got.Reported, got.Outputs = platform.Succeeded, []platform.Output{{Key: "VPCId", Value: "vpc-1"}}
	if err := h.store.UpdateDeployment(h.ctx, got); err != nil {
		t.Fatal(err)
	}
	if rec, err = h.tasks.Deploy(h.ctx, workflow.Input{DeploymentID: d.ID, Reconcile: true}); err != nil || rec.Outcome != "SUCCEEDED" {
		t.Fatalf("Reconcile = %+v, %v; want SUCCEEDED as reported", rec, err)
	}
	if r, err := h.tasks.Record(h.ctx, workflow.Input{DeploymentID: d.ID}); err != nil || r.Status != platform.Succeeded {
		t.Fatalf("Record = %+v, %v", r, err)
	}
	if env := h.mustEnvironment("Beta"); len(env.Outputs) != 1 || env.Outputs[0].Value != "vpc-1" {
		t.Errorf("environment outputs %+v, want those notified", env.Outputs)
	}

	// UpdateEnvironment replaces the role; it cannot remove the only one.
	none := ""
	if _, err := h.control.UpdateEnvironment(h.ctx, "Beta", control.UpdateInput{DeploymentType: platform.DeployNone, CodebuildRoleARN: &none}); platform.KindOf(err) != platform.Invalid ||
		!strings.HasPrefix(platform.MessageOf(err), "codebuildRoleArn") {
		t.Errorf("removing the CodeBuild environment's only role: %v, want Invalid naming codebuildRoleArn", err)
	}
	other := "arn:aws:iam::000000000000:role/provisioning-2"
	if _, err := h.control.UpdateEnvironment(h.ctx, "Beta", control.UpdateInput{DeploymentType: platform.DeployNone, CodebuildRoleARN: &other}); err != nil {
		t.Fatal(err)
	}
	if env := h.mustEnvironment("Beta"); env.CodebuildRoleARN != other {
		t.Errorf("environment's codebuildRoleArn %q after the update, want %q", env.CodebuildRoleARN, other)
	}

	del, err := h.control.DeleteEnvironment(h.ctx, "Beta")
	if err != nil {
		t.Fatal(err)
	}
	dd := h.mustDeployment(del.LastDeploymentID)
	h.mustRender(dd.ID)
	h.mustDeploy(dd.ID)
	if len(e.removed) != 1 || len(h.stackOperations()) != 0 {
		t.Fatalf("deprovisioned %d by the engine, %v by CloudFormation", len(e.removed), h.stackOperations())
	}
	if err := json.Unmarshal(e.removed[0].ProtonInputs, &inputs); err != nil || len(inputs.Environment.Inputs) == 0 {
		t.Errorf("a deletion's proton-inputs.json = %s, want the inputs last deployed", e.removed[0].ProtonInputs)
	}
}
