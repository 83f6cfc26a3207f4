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
		{"list", "list a target's deployments, newest first", deploymentsListUsage, deploymentsList},
		{"get", "show a deployment, or with --rendered the CloudFormation template it rendered", "usage: gantry deployments get [--rendered] ID\n\nWith --rendered, prints the template the deployment rendered (kept whether it\nsucceeded or failed): the lines CloudFormation errors cite are its lines.\n", deploymentsGet},
		{"cancel", "cancel an unfinished deployment (developer)", "usage: gantry deployments cancel ID\n", deploymentsCancel},
		{"delete", "delete a finished deployment from the history", "usage: gantry deployments delete ID\n", deploymentsDelete},
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
	case platform.ComponentTarget:
		return "component " + d.ComponentName
	}
	return string(d.TargetResourceType)
}

const deploymentsListUsage = `usage: gantry deployments list --environment NAME
       gantry deployments list --service NAME [--instance NAME | --pipeline]
       gantry deployments list --component NAME

Lists the deployments of an environment, a service instance, a service's pipeline, a
component, or (--service alone) every deployment of a service's instances and pipeline,
newest first.
`

func deploymentsList(a *apiCommand) action {
	var target apiclient.DeploymentTarget
	a.fs.StringVar(&target.EnvironmentName, "environment", "", "an environment's deployments")
	a.fs.StringVar(&target.ServiceName, "service", "", "a service's: all of them, or with --instance an instance's, with --pipeline its pipeline's")
	a.fs.StringVar(&target.ServiceInstanceName, "instance", "", "with --service: this instance's deployments")
	a.fs.StringVar(&target.ComponentName, "component", "", "a component's deployments")
	a.fs.BoolVar(&target.ServicePipeline, "pipeline", false, "with --service: its pipeline's deployments")
	a.pageFlags()
	return func(ctx context.Context) int {
		switch {
		case target.ComponentName != "" && (target.EnvironmentName != "" || target.ServiceName != "" || target.ServiceInstanceName != ""):
			return a.usageError("give --component alone")
		case target.ComponentName != "":
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

// idFlag adds --id, the deployment a verb acts on, which may be the single argument
// instead; see argument.
func idFlag(a *apiCommand) *string {
	return a.argument(a.fs.String("id", "", "the deployment's id"), "deployment", "--id ID")
}

func deploymentsGet(a *apiCommand) action {
	id := idFlag(a)
	rendered := a.fs.Bool("rendered", false, "print the CloudFormation template the deployment rendered")
	return func(ctx context.Context) int {
		if *rendered {
			r, err := a.client.GetRenderedTemplate(ctx, *id)
			raw, _ := json.Marshal(r)
			return a.answer(err, raw, func(w io.Writer) { io.WriteString(w, r.Template) })
		}
		d, err := a.client.GetDeployment(ctx, *id)
		return a.answer(err, d.Raw, func(w io.Writer) { writeDeployment(w, d) })
	}
}

func deploymentsCancel(a *apiCommand) action {
	id := idFlag(a)
	return func(ctx context.Context) int {
		d, err := a.client.CancelDeployment(ctx, *id)
		return a.answer(err, d.Raw, func(w io.Writer) { fmt.Fprintf(w, "%s: %s\n", targetText(d), d.DeploymentStatus) })
	}
}

func deploymentsDelete(a *apiCommand) action {
	id := idFlag(a)
	return func(ctx context.Context) int {
		d, err := a.client.DeleteDeployment(ctx, *id)
		return a.answer(err, d.Raw, func(w io.Writer) { fmt.Fprintf(w, "deleted deployment %s of %s\n", d.ID, targetText(d)) })
	}
}
