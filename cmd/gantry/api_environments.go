package main

import (
	"context"
	"encoding/json"
	"io"

	"github.com/gantry-platform/gantry/internal/apiclient"
	"github.com/gantry-platform/gantry/internal/apimodel"
)

const environmentsCreateUsage = `usage: gantry environments create --name NAME --template TEMPLATE --major N [--minor N] --spec FILE
       [--description TEXT] [--account-connection ID] [--component-role ARN] [--codebuild-role ARN]
       [--client-token TOKEN] [--wait [--timeout D]]

--spec is the "proton: EnvironmentSpec" YAML file. --minor defaults to the recommended
minor version of --major. --account-connection deploys the environment into the account
of that CONNECTED environment account connection (gantry account-connection).
--component-role is the IAM role the environment's directly defined components are
deployed under (Proton's componentRoleArn); without one, the environment takes no
component. --codebuild-role is the IAM role CodeBuild provisioning runs under for the
environment and its service instances (Proton's codebuildRoleArn): required for a
CodeBuild template version unless the account connection has one.
`

const environmentsUpdateUsage = `usage: gantry environments update --name NAME [--spec FILE] [--deployment-type TYPE]
       [--major N] [--minor N] [--component-role ARN] [--codebuild-role ARN] [--client-token TOKEN]
       [--wait [--timeout D]]

--component-role and --codebuild-role replace the environment's component and CodeBuild
roles ("" removes one); with --deployment-type NONE nothing is deployed.
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
		{"account connection", e.EnvironmentAccountConnectionID}, {"component role", e.ComponentRoleARN}, {"codebuild role", e.CodebuildRoleARN}}, deployableFields(e.Deployable)...),
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
	role := a.fs.String("component-role", "", "the IAM role of the environment's directly defined components (Proton's componentRoleArn)")
	codebuildRole := a.fs.String("codebuild-role", "", "the IAM role of the environment's CodeBuild provisioning (Proton's codebuildRoleArn)")
	return func(ctx context.Context) int {
		env, err := a.client.CreateEnvironment(ctx, apimodel.CreateEnvironment{Name: *c.name, Description: c.description,
			TemplateName: c.template, TemplateMajorVersion: c.major, TemplateMinorVersion: c.minor.ptr(), Spec: c.spec,
			ClientToken: c.clientToken, EnvironmentAccountConnectionID: *connection, ComponentRoleARN: *role, CodebuildRoleARN: *codebuildRole})
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
	return func(ctx context.Context) int {
		u.input.ComponentRoleARN, u.input.CodebuildRoleARN = role.ptr(), codebuildRole.ptr()
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

func writeOutputs(w io.Writer, out apimodel.Outputs) {
	rows := make([][]string, 0, len(out.Outputs))
	for _, o := range out.Outputs {
		rows = append(rows, []string{o.Key, o.ValueString})
	}
	writeTable(w, []string{"KEY", "VALUE"}, rows)
}
