package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/gantry-platform/gantry/internal/apiclient"
	"github.com/gantry-platform/gantry/internal/apimodel"
)

const environmentsCreateUsage = `usage: gantry environments create --name NAME --template TEMPLATE --major N [--minor N] --spec FILE
       [--description TEXT] [--account-connection ID] [--component-role ARN] [--codebuild-role ARN]
       [--outputs FILE]
       [--client-token TOKEN] [--wait [--timeout D]]

--spec is the "proton: EnvironmentSpec" YAML file. --minor defaults to the recommended
minor version of --major. --account-connection deploys the environment into the account
of that CONNECTED environment account connection (gantry account-connection).
--component-role is the IAM role the environment's directly defined components are
deployed under (Proton's componentRoleArn); without one, the environment takes no
component. --codebuild-role is the IAM role CodeBuild provisioning runs under for the
environment and its service instances (Proton's codebuildRoleArn): required for a
CodeBuild template version unless the account connection has one. --outputs registers an
environment made outside Gantry (Proton's provisioning CUSTOMER_MANAGED): FILE is a JSON
object of its output names to string values, which its service instances read as
environment.outputs.*; nothing is deployed.
`

const environmentsUpdateUsage = `usage: gantry environments update --name NAME [--spec FILE] [--deployment-type TYPE]
       [--major N] [--minor N] [--component-role ARN] [--codebuild-role ARN] [--outputs FILE]
       [--client-token TOKEN] [--wait [--timeout D]]

--component-role and --codebuild-role replace the environment's component and CodeBuild
roles ("" removes one); with --deployment-type NONE nothing is deployed. --outputs (a
customer-managed environment's, a JSON object of names to string values) replaces its
outputs.
`

func environmentsCommand() func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return resource("environments", []verb{
		{"list", "list environments", "usage: gantry environments list\n", environmentsList},
		{"get", "show an environment", "usage: gantry environments get NAME\n", environmentsGet},
		{"create", "create and deploy an environment (admin)", environmentsCreateUsage, environmentsCreate},
		{"update", "redeploy an environment: new spec and/or template version (admin)", environmentsUpdateUsage, environmentsUpdate},
		{"delete", "delete an environment's stack, then the environment (admin)",
			"usage: gantry environments delete [--wait [--timeout D]] NAME\n", environmentsDelete},
		{"outputs", "show an environment's stack outputs", "usage: gantry environments outputs NAME\n", environmentsOutputs},
		{"resources", "list the resources an environment's stack provisioned", "usage: gantry environments resources NAME\n", environmentsResources},
	})
}

func environmentsList(a *apiCommand) action {
	a.pageFlags()
	return func(ctx context.Context) int {
		return list(ctx, a, a.client.ListEnvironments, func(e apiclient.Environment) json.RawMessage { return e.Raw },
			[]string{"NAME", "TEMPLATE", "VERSION", "STATUS", "LAST DEPLOYMENT"},
			func(e apiclient.Environment) []string {
				return []string{e.Name, e.TemplateName, versionText(e.TemplateMajorVersion, e.TemplateMinorVersion),
					string(e.DeploymentStatus), timePtrText(e.LastDeploymentAttemptedAt)}
			})
	}
}

// deployableFields are the lines every deployed target shows.
func deployableFields(d apimodel.Deployable) []field {
	return []field{{"template", d.TemplateName}, {"template version", versionText(d.TemplateMajorVersion, d.TemplateMinorVersion)},
		{"status", string(d.DeploymentStatus)}, {"status message", d.DeploymentStatusMessage},
		{"last deployment", d.LastDeploymentID}, {"last succeeded deployment", d.LastSucceededDeploymentID},
		{"stack", d.StackName}, {"last attempted", timePtrText(d.LastDeploymentAttemptedAt)},
		{"last succeeded", timePtrText(d.LastDeploymentSucceededAt)}, {"created", timeText(d.CreatedAt)}}
}

func writeEnvironment(w io.Writer, e apiclient.Environment) {
	writeFields(w, append([]field{{"name", e.Name}, {"description", e.Description}, {"account", e.EnvironmentAccountID},
		{"region", e.Region}, {"account connection", e.EnvironmentAccountConnectionID}, {"component role", e.ComponentRoleARN}, {"codebuild role", e.CodebuildRoleARN}, {"provisioning", e.Provisioning}}, deployableFields(e.Deployable)...),
		field{"spec", e.Spec})
}

func environmentsGet(a *apiCommand) action {
	name := a.nameFlag("environment", "the environment's name")
	return func(ctx context.Context) int {
		env, err := a.client.GetEnvironment(ctx, *name)
		return a.answer(err, env.Raw, func(w io.Writer) { writeEnvironment(w, env) })
	}
}

func environmentsCreate(a *apiCommand) action {
	c := newCreateFlags(a, "environment")
	connection := a.fs.String("account-connection", "", "deploy into this environment account connection's account")
	region := a.fs.String("region", "", "deploy the environment, its service instances and components in this AWS region (default: the platform's own)")
	role := a.fs.String("component-role", "", "the IAM role of the environment's directly defined components (Proton's componentRoleArn)")
	codebuildRole := a.fs.String("codebuild-role", "", "the IAM role of the environment's CodeBuild provisioning (Proton's codebuildRoleArn)")
	outputs := outputsFlag(a)
	return func(ctx context.Context) int {
		in := apimodel.CreateEnvironment{Name: *c.name, Description: c.description,
			TemplateName: c.template, TemplateMajorVersion: c.major, TemplateMinorVersion: c.minor.ptr(), Spec: c.spec,
			ClientToken: c.clientToken, EnvironmentAccountConnectionID: *connection, Region: *region, ComponentRoleARN: *role, CodebuildRoleARN: *codebuildRole, Outputs: *outputs}
		if in.Outputs != nil {
			in.Provisioning = "CUSTOMER_MANAGED"
		}
		env, err := a.client.CreateEnvironment(ctx, in)
		return environmentStarted(ctx, a, env, err)
	}
}

// environmentStarted is started for a call that deploys or deletes an environment and
// answered env, or failed with err.
func environmentStarted(ctx context.Context, a *apiCommand, env apiclient.Environment, err error) int {
	return a.started(ctx, err, env.Raw, func(w io.Writer) { writeEnvironment(w, env) },
		a.client.PollEnvironment(env.Name), apiclient.EnvironmentStatus(env))
}

func environmentsUpdate(a *apiCommand) action {
	name := a.nameFlag("environment", "the environment's name (required)")
	u := newUpdateFlags(a)
	var role, codebuildRole optionalString
	a.fs.Var(&role, "component-role", "replace the environment's component role (\"\" removes it)")
	a.fs.Var(&codebuildRole, "codebuild-role", "replace the environment's CodeBuild role (\"\" removes it)")
	outputs := outputsFlag(a)
	return func(ctx context.Context) int {
		u.input.ComponentRoleARN, u.input.CodebuildRoleARN, u.input.Outputs = role.ptr(), codebuildRole.ptr(), *outputs
		env, err := a.client.UpdateEnvironment(ctx, *name, u.input)
		return environmentStarted(ctx, a, env, err)
	}
}

func environmentsDelete(a *apiCommand) action {
	name := a.nameFlag("environment", "the environment's name")
	a.waitFlags()
	return func(ctx context.Context) int {
		env, err := a.client.DeleteEnvironment(ctx, *name)
		return environmentStarted(ctx, a, env, err)
	}
}

func environmentsOutputs(a *apiCommand) action {
	name := a.nameFlag("environment", "the environment's name")
	return func(ctx context.Context) int {
		out, err := a.client.EnvironmentOutputs(ctx, *name)
		return a.answer(err, out.Raw, func(w io.Writer) { writeOutputs(w, out.Outputs) })
	}
}

// outputsFlag adds --outputs FILE: a customer-managed environment's outputs, read (and
// checked: an object of strings) before the call; nil when the flag is not given.
func outputsFlag(a *apiCommand) *apimodel.OutputValues {
	file := a.fs.String("outputs", "", "a JSON file of the outputs of an environment made outside Gantry (name to string value)")
	var outputs apimodel.OutputValues
	a.check(func() (int, bool) {
		if *file == "" {
			return exitOK, true
		}
		b, err := os.ReadFile(*file)
		if err == nil {
			err = json.Unmarshal(b, &outputs)
		}
		if err == nil && outputs == nil {
			err = fmt.Errorf("must hold a JSON object of output names to string values")
		}
		if err != nil {
			fmt.Fprintf(a.stderr, "gantry %s: --outputs %s: %v\n", a.fs.Name(), *file, err)
			return exitProblems, false
		}
		return exitOK, true
	})
	return &outputs
}

func writeOutputs(w io.Writer, out apimodel.Outputs) {
	rows := make([][]string, 0, len(out.Outputs))
	for _, o := range out.Outputs {
		rows = append(rows, []string{o.Key, o.ValueString})
	}
	writeTable(w, []string{"KEY", "VALUE"}, rows)
}
