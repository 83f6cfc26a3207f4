package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gantry-platform/gantry/internal/apiclient"
	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platform"
)

const componentsCreateUsage = `usage: gantry components create --name NAME --manifest FILE --template-file FILE
       (--service NAME --instance NAME [--service-spec FILE] | --environment NAME)
       [--description TEXT] [--tag KEY=VALUE]... [--client-token TOKEN] [--wait [--timeout D]]

A directly defined component: --manifest lists its one jinja CloudFormation template,
--template-file is that template. Attached to a service instance whose template version
lists DIRECTLY_DEFINED in its supported component sources, or detached, in an environment.
`

const componentsUpdateUsage = `usage: gantry components update NAME [--template-file FILE] [--service-spec FILE]
       [--description TEXT] [--deployment-type NONE|CURRENT_VERSION] [--client-token TOKEN] [--wait [--timeout D]]

The deployment type defaults to CURRENT_VERSION (redeploy) when --template-file or
--service-spec is given, else to NONE (the description only).
`

func componentsCommand() func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return resource("components", []verb{
		{"list", "list components", "usage: gantry components list [--environment NAME] [--service NAME [--instance NAME]]\n", componentsList},
		{"get", "show a component", "usage: gantry components get NAME\n", componentsGet},
		{"create", "create and deploy a directly defined component (developer)", componentsCreateUsage, componentsCreate},
		{"update", "change a component's description, or redeploy it with a new template file or service spec (developer)", componentsUpdateUsage, componentsUpdate},
		{"delete", "delete a component's stack, then the component (developer)", "usage: gantry components delete [--wait [--timeout D]] NAME\n", componentsDelete},
		{"outputs", "show a component's stack outputs", "usage: gantry components outputs [--deployment ID] NAME\n", componentsOutputs},
		{"resources", "list the resources a component's stack provisioned", "usage: gantry components resources NAME\n", componentsResources},
		{"cancel", "cancel the component's deployment in progress (developer)", "usage: gantry components cancel NAME\n", componentsCancel},
	})
}

func componentsList(a *apiCommand) action {
	var f apiclient.ComponentFilter
	a.fs.StringVar(&f.EnvironmentName, "environment", "", "components in this environment, attached or not")
	a.fs.StringVar(&f.ServiceName, "service", "", "components attached to this service's instances")
	a.fs.StringVar(&f.ServiceInstanceName, "instance", "", "with --service: the component of this instance")
	a.pageFlags()
	return func(ctx context.Context) int {
		if f.ServiceInstanceName != "" && f.ServiceName == "" {
			return a.usageError("--instance needs --service")
		}
		return list(ctx, a, func(ctx context.Context, p apiclient.PageRequest) (apiclient.Page[apiclient.Component], error) {
			return a.client.ListComponents(ctx, f, p)
		}, func(c apiclient.Component) json.RawMessage { return c.Raw },
			[]string{"NAME", "ENVIRONMENT", "ATTACHED TO", "STATUS", "LAST DEPLOYMENT"},
			func(c apiclient.Component) []string {
				return []string{c.Name, c.EnvironmentName, attachment(c), string(c.DeploymentStatus), timePtrText(c.LastDeploymentAttemptedAt)}
			})
	}
}

// attachment names the service instance a component is attached to, "-" for none.
func attachment(c apiclient.Component) string {
	if c.ServiceInstanceName == "" {
		return "-"
	}
	return c.ServiceName + "/" + c.ServiceInstanceName
}

func writeComponent(w io.Writer, c apiclient.Component) {
	writeFields(w, []field{{"name", c.Name}, {"arn", c.ARN}, {"description", c.Description}, {"environment", c.EnvironmentName},
		{"attached to", attachment(c)}, {"status", string(c.DeploymentStatus)}, {"status message", c.DeploymentStatusMessage},
		{"last deployment", c.LastAttemptedDeploymentID}, {"last succeeded deployment", c.LastSucceededDeploymentID},
		{"stack", c.StackName}, {"last attempted", timePtrText(c.LastDeploymentAttemptedAt)},
		{"last succeeded", timePtrText(c.LastDeploymentSucceededAt)}, {"created", timeText(c.CreatedAt)}},
		field{"service spec", c.ServiceSpec})
}

func componentsGet(a *apiCommand) action {
	name := a.nameFlag("component", "the component's name")
	return func(ctx context.Context) int {
		c, err := a.client.GetComponent(ctx, *name)
		return a.answer(err, c.Raw, func(w io.Writer) { writeComponent(w, c) })
	}
}

// componentStarted is started for a call that deploys or deletes a component.
func componentStarted(ctx context.Context, a *apiCommand, c apiclient.Component, err error) int {
	return a.started(ctx, err, c.Raw, func(w io.Writer) { writeComponent(w, c) },
		a.client.PollComponent(c.Name), apiclient.ComponentStatus(c))
}

// fileFlag adds a flag naming a file whose text the verb sends; the check reads it into
// the returned string (left "" when the flag is not given, or when required is false and
// the flag is absent).
func fileFlag(a *apiCommand, name, usage string, required bool) (text *string, given *bool) {
	file := a.fs.String(name, "", usage)
	text, given = new(string), new(bool)
	a.check(func() (int, bool) {
		if *file == "" {
			if required {
				return a.usageError("--%s is required", name), false
			}
			return exitOK, true
		}
		b, err := os.ReadFile(*file)
		if err != nil {
			fmt.Fprintf(a.stderr, "gantry %s: --%s: %v\n", a.fs.Name(), name, err)
			return exitProblems, false
		}
		*text, *given = string(b), true
		return exitOK, true
	})
	return text, given
}

// tagFlags collects repeated --tag KEY=VALUE flags.
type tagFlags []apimodel.Tag

func (t *tagFlags) String() string { return "" }

func (t *tagFlags) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("%q is not KEY=VALUE", s)
	}
	*t = append(*t, apimodel.Tag{Key: k, Value: v})
	return nil
}

func componentsCreate(a *apiCommand) action {
	name := a.nameFlag("component", "the component's name (required)")
	var in apimodel.CreateComponent
	var tags tagFlags
	a.fs.StringVar(&in.ServiceName, "service", "", "the service of the instance to attach it to")
	a.fs.StringVar(&in.ServiceInstanceName, "instance", "", "the service instance to attach it to")
	a.fs.StringVar(&in.EnvironmentName, "environment", "", "the environment of a detached component")
	a.fs.StringVar(&in.Description, "description", "", "a description")
	a.fs.StringVar(&in.ClientToken, "client-token", "", "an idempotency token: repeating the call with it creates nothing new")
	a.fs.Var(&tags, "tag", "a tag KEY=VALUE (repeatable)")
	manifest, _ := fileFlag(a, "manifest", "the component's manifest.yaml (required)", true)
	template, _ := fileFlag(a, "template-file", "the component's CloudFormation template (required)", true)
	spec, _ := fileFlag(a, "service-spec", "a ServiceSpec the component reads the instance's inputs from", false)
	a.waitFlags()
	return func(ctx context.Context) int {
		in.Name, in.Manifest, in.TemplateFile, in.ServiceSpec, in.Tags = *name, *manifest, *template, *spec, tags
		c, err := a.client.CreateComponent(ctx, in)
		return componentStarted(ctx, a, c, err)
	}
}

func componentsUpdate(a *apiCommand) action {
	name := a.nameFlag("component", "the component's name (required)")
	var in apimodel.UpdateComponent
	description := a.fs.String("description", "", "a new description")
	deploymentType := a.fs.String("deployment-type", "", "NONE or CURRENT_VERSION (default: CURRENT_VERSION with --template-file or --service-spec, else NONE)")
	a.fs.StringVar(&in.ClientToken, "client-token", "", "an idempotency token: repeating the call with it deploys nothing new")
	template, templateGiven := fileFlag(a, "template-file", "a new CloudFormation template", false)
	spec, specGiven := fileFlag(a, "service-spec", "a new ServiceSpec", false)
	a.waitFlags()
	return func(ctx context.Context) int {
		a.fs.Visit(func(f *flag.Flag) {
			if f.Name == "description" {
				in.Description = description
			}
		})
		if *templateGiven {
			in.TemplateFile = template
		}
		if *specGiven {
			in.ServiceSpec = spec
		}
		in.DeploymentType = platform.DeploymentType(*deploymentType)
		if in.DeploymentType == "" {
			in.DeploymentType = platform.DeployNone
			if *templateGiven || *specGiven {
				in.DeploymentType = platform.DeployCurrentVersion
			}
		}
		c, err := a.client.UpdateComponent(ctx, *name, in)
		if in.DeploymentType == platform.DeployNone {
			return a.answer(err, c.Raw, func(w io.Writer) { writeComponent(w, c) })
		}
		return componentStarted(ctx, a, c, err)
	}
}

func componentsDelete(a *apiCommand) action {
	name := a.nameFlag("component", "the component's name")
	a.waitFlags()
	return func(ctx context.Context) int {
		c, err := a.client.DeleteComponent(ctx, *name)
		return componentStarted(ctx, a, c, err)
	}
}

func componentsOutputs(a *apiCommand) action {
	name := a.nameFlag("component", "the component's name")
	deployment := a.fs.String("deployment", "", "the outputs of this deployment of the component")
	return func(ctx context.Context) int {
		out, err := a.client.ComponentOutputs(ctx, *name, *deployment)
		return a.answer(err, out.Raw, func(w io.Writer) { writeOutputs(w, out.Outputs) })
	}
}

func componentsCancel(a *apiCommand) action {
	name := a.nameFlag("component", "the component's name")
	return func(ctx context.Context) int {
		c, err := a.client.CancelComponentDeployment(ctx, *name)
		return a.answer(err, c.Raw, func(w io.Writer) { writeComponent(w, c) })
	}
}
