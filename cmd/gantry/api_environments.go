package main

import (
	"context"
	"encoding/json"
	"io"

	"github.com/gantry-platform/gantry/internal/apiclient"
	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platform"
)

func environmentsCommand() func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return resource("environments", []verb{
		{"list", "list environments", runEnvironmentsList},
		{"get", "show an environment", runEnvironmentsGet},
		{"create", "create and deploy an environment (admin)", runEnvironmentsCreate},
		{"update", "redeploy an environment: new spec and/or template version (admin)", runEnvironmentsUpdate},
		{"delete", "delete an environment's stack, then the environment (admin)", runEnvironmentsDelete},
		{"outputs", "show an environment's stack outputs", runEnvironmentsOutputs},
	})
}

func runEnvironmentsList(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := newAPICommand("environments list", "usage: gantry environments list\n", stdout, stderr)
	a.pageFlags()
	if code, done := a.parse(args); done {
		return code
	}
	if code, ok := a.noArgs(); !ok {
		return code
	}
	return list(ctx, a, a.client.ListEnvironments, func(e apiclient.Environment) json.RawMessage { return e.Raw },
		[]string{"NAME", "TEMPLATE", "VERSION", "STATUS", "LAST DEPLOYMENT"},
		func(e apiclient.Environment) []string {
			return []string{e.Name, e.TemplateName, versionText(e.TemplateMajorVersion, e.TemplateMinorVersion),
				string(e.DeploymentStatus), timePtrText(e.LastDeploymentAttemptedAt)}
		})
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
	writeFields(w, append([]field{{"name", e.Name}, {"description", e.Description}}, deployableFields(e.Deployable)...),
		field{"spec", e.Spec})
}

func runEnvironmentsGet(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := newAPICommand("environments get", "usage: gantry environments get NAME\n", stdout, stderr)
	nameFlag := a.fs.String("name", "", "the environment's name")
	if code, done := a.parse(args); done {
		return code
	}
	name, code, ok := a.name(*nameFlag, "environment")
	if !ok {
		return code
	}
	env, err := a.client.GetEnvironment(ctx, name)
	if err != nil {
		return a.fail(err)
	}
	return a.show(env.Raw, func(w io.Writer) { writeEnvironment(w, env) })
}

const environmentsCreateUsage = `usage: gantry environments create --name NAME --template TEMPLATE --major N [--minor N] --spec FILE
       [--description TEXT] [--client-token TOKEN] [--wait [--timeout D]]

--spec is the "proton: EnvironmentSpec" YAML file. --minor defaults to the recommended
minor version of --major.
`

func runEnvironmentsCreate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := newAPICommand("environments create", environmentsCreateUsage, stdout, stderr)
	var in apimodel.CreateEnvironment
	var minor optionalInt
	a.fs.StringVar(&in.Name, "name", "", "the environment's name (required)")
	a.fs.StringVar(&in.TemplateName, "template", "", "the environment template (required)")
	a.fs.IntVar(&in.TemplateMajorVersion, "major", 0, "the template's major version (required)")
	a.fs.Var(&minor, "minor", "the template's minor version (default: the recommended one)")
	specFile := a.fs.String("spec", "", "the spec YAML file (required)")
	a.fs.StringVar(&in.Description, "description", "", "a description")
	a.fs.StringVar(&in.ClientToken, "client-token", "", "an idempotency token: repeating the call with it creates nothing new")
	a.waitFlags()
	if code, done := a.parse(args); done {
		return code
	}
	var code int
	var ok bool
	if in.Name, code, ok = a.name(in.Name, "environment"); !ok {
		return code
	}
	switch {
	case in.TemplateName == "":
		return a.usageError("--template is required")
	case in.TemplateMajorVersion < 1:
		return a.usageError("--major is required (≥ 1)")
	case *specFile == "":
		return a.usageError("--spec is required")
	}
	in.TemplateMinorVersion = minor.ptr()
	if in.Spec, code, ok = a.readSpec("spec", *specFile); !ok {
		return code
	}
	env, err := a.client.CreateEnvironment(ctx, in)
	if err != nil {
		return a.fail(err)
	}
	return a.deployed(ctx, env)
}

// deployed shows an environment a call answered with (unless waiting with text output,
// where the progress says it all) and waits for it with --wait.
func (a *apiCommand) deployed(ctx context.Context, env apiclient.Environment) int {
	if a.json() || !a.wait {
		a.show(env.Raw, func(w io.Writer) { writeEnvironment(w, env) })
	}
	return a.waitFor(ctx, a.client.PollEnvironment(env.Name), apiclient.EnvironmentStatus(env))
}

// updateFlags adds the flags of an update: --spec, --deployment-type, --major, --minor,
// --client-token and the wait flags; the returned function builds the input (without
// the spec) once the flags are parsed.
func updateFlags(a *apiCommand) (specFile *string, build func() (apimodel.Update, int, bool)) {
	specFile = a.fs.String("spec", "", "the new spec YAML file (default: keep the current spec)")
	deploymentType := a.fs.String("deployment-type", "", "NONE, CURRENT_VERSION, MINOR_VERSION or MAJOR_VERSION (default: MAJOR_VERSION with --major, MINOR_VERSION with --minor, else CURRENT_VERSION)")
	var major, minor optionalInt
	a.fs.Var(&major, "major", "move to this major version (default with MAJOR_VERSION: the recommended one)")
	a.fs.Var(&minor, "minor", "move to this minor version (default with MINOR_VERSION: the recommended one)")
	clientToken := a.fs.String("client-token", "", "an idempotency token: repeating the call with it deploys nothing new")
	a.waitFlags()
	return specFile, func() (apimodel.Update, int, bool) {
		in := apimodel.Update{DeploymentType: platform.DeploymentType(*deploymentType),
			TemplateMajorVersion: major.ptr(), TemplateMinorVersion: minor.ptr(), ClientToken: *clientToken}
		switch in.DeploymentType {
		case "":
			in.DeploymentType = platform.DeployCurrentVersion
			if major.set {
				in.DeploymentType = platform.DeployMajorVersion
			} else if minor.set {
				in.DeploymentType = platform.DeployMinorVersion
			}
		case platform.DeployNone, platform.DeployCurrentVersion, platform.DeployMinorVersion, platform.DeployMajorVersion:
		default:
			return in, a.usageError("--deployment-type must be NONE, CURRENT_VERSION, MINOR_VERSION or MAJOR_VERSION, not %q", *deploymentType), false
		}
		return in, exitOK, true
	}
}

const environmentsUpdateUsage = `usage: gantry environments update --name NAME [--spec FILE] [--deployment-type TYPE]
       [--major N] [--minor N] [--client-token TOKEN] [--wait [--timeout D]]
`

func runEnvironmentsUpdate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := newAPICommand("environments update", environmentsUpdateUsage, stdout, stderr)
	nameFlag := a.fs.String("name", "", "the environment's name (required)")
	specFile, build := updateFlags(a)
	if code, done := a.parse(args); done {
		return code
	}
	name, code, ok := a.name(*nameFlag, "environment")
	if !ok {
		return code
	}
	in, code, ok := build()
	if !ok {
		return code
	}
	if *specFile != "" {
		if in.Spec, code, ok = a.readSpec("spec", *specFile); !ok {
			return code
		}
	}
	env, err := a.client.UpdateEnvironment(ctx, name, in)
	if err != nil {
		return a.fail(err)
	}
	return a.deployed(ctx, env)
}

func runEnvironmentsDelete(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := newAPICommand("environments delete", "usage: gantry environments delete [--wait [--timeout D]] NAME\n", stdout, stderr)
	nameFlag := a.fs.String("name", "", "the environment's name")
	a.waitFlags()
	if code, done := a.parse(args); done {
		return code
	}
	name, code, ok := a.name(*nameFlag, "environment")
	if !ok {
		return code
	}
	env, err := a.client.DeleteEnvironment(ctx, name)
	if err != nil {
		return a.fail(err)
	}
	return a.deployed(ctx, env)
}

func runEnvironmentsOutputs(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := newAPICommand("environments outputs", "usage: gantry environments outputs NAME\n", stdout, stderr)
	nameFlag := a.fs.String("name", "", "the environment's name")
	if code, done := a.parse(args); done {
		return code
	}
	name, code, ok := a.name(*nameFlag, "environment")
	if !ok {
		return code
	}
	out, err := a.client.EnvironmentOutputs(ctx, name)
	if err != nil {
		return a.fail(err)
	}
	return a.show(out.Raw, func(w io.Writer) { writeOutputs(w, out.Outputs) })
}

func writeOutputs(w io.Writer, out apimodel.Outputs) {
	rows := make([][]string, 0, len(out.Outputs))
	for _, o := range out.Outputs {
		rows = append(rows, []string{o.Key, o.ValueString})
	}
	writeTable(w, []string{"KEY", "VALUE"}, rows)
}
