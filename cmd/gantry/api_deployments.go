package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/gantry-platform/gantry/internal/apiclient"
	"github.com/gantry-platform/gantry/internal/platform"
)

func deploymentsCommand() func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return resource("deployments", []verb{
		{"list", "list a target's deployments, newest first", runDeploymentsList},
		{"get", "show a deployment", runDeploymentsGet},
		{"cancel", "cancel an unfinished deployment (developer)", runDeploymentsCancel},
	})
}

// targetText names a deployment's target.
func targetText(d apiclient.Deployment) string {
	switch d.TargetResourceType {
	case platform.EnvironmentTarget:
		return "environment " + d.EnvironmentName
	case platform.ServiceInstanceTarget:
		return "instance " + d.ServiceName + "/" + d.ServiceInstanceName
	case platform.ServicePipelineTarget:
		return "pipeline " + d.ServiceName
	}
	return string(d.TargetResourceType)
}

const deploymentsListUsage = `usage: gantry deployments list --environment NAME
       gantry deployments list --service NAME [--instance NAME]

Lists the deployments of an environment, a service instance, or (--service alone) a
service's pipeline, newest first.
`

func runDeploymentsList(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := newAPICommand("deployments list", deploymentsListUsage, stdout, stderr)
	var target apiclient.DeploymentTarget
	a.fs.StringVar(&target.EnvironmentName, "environment", "", "an environment's deployments")
	a.fs.StringVar(&target.ServiceName, "service", "", "a service's: its pipeline's, or with --instance an instance's")
	a.fs.StringVar(&target.ServiceInstanceName, "instance", "", "with --service: this instance's deployments")
	a.pageFlags()
	if code, done := a.parse(args); done {
		return code
	}
	if code, ok := a.noArgs(); !ok {
		return code
	}
	switch {
	case target.EnvironmentName != "" && (target.ServiceName != "" || target.ServiceInstanceName != ""):
		return a.usageError("give --environment, or --service (with --instance), not both")
	case target.EnvironmentName == "" && target.ServiceName == "":
		return a.usageError("name a target: --environment NAME, or --service NAME [--instance NAME]")
	}
	return list(ctx, a, func(ctx context.Context, p apiclient.PageRequest) (apiclient.Page[apiclient.Deployment], error) {
		return a.client.ListDeployments(ctx, target, p)
	}, func(d apiclient.Deployment) json.RawMessage { return d.Raw },
		[]string{"ID", "TARGET", "OPERATION", "VERSION", "STATUS", "CREATED", "COMPLETED"},
		func(d apiclient.Deployment) []string {
			return []string{d.ID, targetText(d), string(d.Operation), versionText(d.TemplateMajorVersion, d.TemplateMinorVersion),
				string(d.DeploymentStatus), timeText(d.CreatedAt), timePtrText(d.CompletedAt)}
		})
}

func writeDeployment(w io.Writer, d apiclient.Deployment) {
	var outputs []string
	for _, o := range d.Outputs {
		outputs = append(outputs, o.Key+"="+o.ValueString)
	}
	writeFields(w, []field{{"id", d.ID}, {"target", targetText(d)}, {"operation", string(d.Operation)},
		{"template", d.TemplateName}, {"template version", versionText(d.TemplateMajorVersion, d.TemplateMinorVersion)},
		{"status", string(d.DeploymentStatus)}, {"status message", d.DeploymentStatusMessage},
		{"stack", d.StackName}, {"stack id", d.StackID}, {"previous deployment", d.PreviousDeploymentID},
		{"created", timeText(d.CreatedAt)}, {"modified", timeText(d.LastModifiedAt)}, {"completed", timePtrText(d.CompletedAt)}},
		field{"outputs", strings.Join(outputs, "\n")}, field{"spec", d.Spec})
}

// deploymentID reads the deployment a verb acts on: --id or a single argument.
func deploymentID(a *apiCommand, id string) (string, int, bool) {
	switch {
	case id != "" && len(a.positional) == 0:
		return id, exitOK, true
	case id == "" && len(a.positional) == 1:
		return a.positional[0], exitOK, true
	case id == "" && len(a.positional) == 0:
		return "", a.usageError("name the deployment: --id ID or a single argument"), false
	}
	return "", a.usageError("unexpected argument %q", a.positional[len(a.positional)-1]), false
}

func runDeploymentsGet(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := newAPICommand("deployments get", "usage: gantry deployments get ID\n", stdout, stderr)
	idFlag := a.fs.String("id", "", "the deployment's id")
	if code, done := a.parse(args); done {
		return code
	}
	id, code, ok := deploymentID(a, *idFlag)
	if !ok {
		return code
	}
	d, err := a.client.GetDeployment(ctx, id)
	if err != nil {
		return a.fail(err)
	}
	return a.show(d.Raw, func(w io.Writer) { writeDeployment(w, d) })
}

func runDeploymentsCancel(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := newAPICommand("deployments cancel", "usage: gantry deployments cancel ID\n", stdout, stderr)
	idFlag := a.fs.String("id", "", "the deployment's id")
	if code, done := a.parse(args); done {
		return code
	}
	id, code, ok := deploymentID(a, *idFlag)
	if !ok {
		return code
	}
	d, err := a.client.CancelDeployment(ctx, id)
	if err != nil {
		return a.fail(err)
	}
	return a.show(d.Raw, func(w io.Writer) {
		fmt.Fprintf(w, "%s: %s\n", targetText(d), d.DeploymentStatus)
	})
}
