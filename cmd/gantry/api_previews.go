package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gantry-platform/gantry/internal/apiclient"
	"github.com/gantry-platform/gantry/internal/apimodel"
)

const previewUsageTail = `
Nothing is deployed: the template is rendered and validated and a CloudFormation change set
is made, not executed. Deploy exactly that change set with
gantry environments|instances update ... --preview-id ID.
`

func previewCommand() func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return resource("preview", []verb{
		{"environment", "what an environment update would change (admin)",
			"usage: gantry preview environment --name NAME [--spec FILE] [--deployment-type TYPE] [--major N] [--minor N]\n" + previewUsageTail, previewEnvironment},
		{"instance", "what a service instance update would change (developer)",
			"usage: gantry preview instance --service SERVICE --name NAME [--spec FILE] [--deployment-type TYPE] [--major N] [--minor N]\n" + previewUsageTail, previewInstance},
		{"get", "show a preview made earlier", "usage: gantry preview get ID\n", previewGet},
		{"rollout", "preview moving every target on an older version of a template to VERSION",
			"usage: gantry preview rollout --kind environment|service --template NAME --version MAJOR.MINOR\n" + previewUsageTail, previewRollout},
	})
}

func previewEnvironment(a *apiCommand) action {
	name := a.nameFlag("environment", "the environment's name (required)")
	u := newUpdateFlags(a)
	return func(ctx context.Context) int {
		p, err := a.client.PreviewEnvironmentUpdate(ctx, *name, u.input)
		return a.answer(err, p.Raw, func(w io.Writer) { writePreview(w, p) })
	}
}

func previewInstance(a *apiCommand) action {
	service, name := instanceFlags(a, "the instance's name (required)")
	u := newUpdateFlags(a)
	return func(ctx context.Context) int {
		p, err := a.client.PreviewServiceInstanceUpdate(ctx, *service, *name, u.input)
		return a.answer(err, p.Raw, func(w io.Writer) { writePreview(w, p) })
	}
}

func previewGet(a *apiCommand) action {
	id := a.argument(a.fs.String("id", "", "the preview's id"), "preview", "--id ID")
	return func(ctx context.Context) int {
		p, err := a.client.GetPreview(ctx, *id)
		return a.answer(err, p.Raw, func(w io.Writer) { writePreview(w, p) })
	}
}

func previewRollout(a *apiCommand) action {
	kind := a.fs.String("kind", "", "environment or service (required)")
	template := a.fs.String("template", "", "the template's name (required)")
	version := a.fs.String("version", "", "the version to move to, MAJOR.MINOR (required)")
	a.required(kind, "kind")
	a.required(template, "template")
	a.required(version, "version")
	a.check(func() (int, bool) {
		if *kind != "environment" && *kind != "service" {
			return a.usageError("--kind must be environment or service, not %q", *kind), false
		}
		return exitOK, true
	})
	return func(ctx context.Context) int {
		f, err := a.client.PreviewTemplateVersionRollout(ctx, *kind+"-templates", *template, *version)
		return a.answer(err, f.Raw, func(w io.Writer) { writeFleetPreview(w, f) })
	}
}

func summaryText(s apimodel.ChangeSummary) string {
	return fmt.Sprintf("%d to add, %d to modify (%d replacing), %d to remove", s.Add, s.Modify, s.Replace, s.Remove)
}

func writePreview(w io.Writer, p apiclient.Preview) {
	target := p.EnvironmentName
	if p.ServiceName != "" {
		target = p.ServiceName + "/" + p.ServiceInstanceName
	}
	changes := summaryText(p.Summary)
	if p.Empty {
		changes = "none (" + p.StatusReason + ")"
	}
	writeFields(w, []field{{"preview", p.ID}, {"target", target}, {"template version", p.TemplateName + " " + versionText(p.TemplateMajorVersion, p.TemplateMinorVersion)},
		{"stack", p.StackName}, {"change set", p.ChangeSetName + " (" + p.ChangeSetType + ")"}, {"changes", changes}})
	if len(p.Changes) == 0 {
		return
	}
	fmt.Fprintln(w)
	rows := make([][]string, 0, len(p.Changes))
	for _, c := range p.Changes {
		var what []string
		for _, d := range c.Details {
			item := d.Attribute
			if d.Name != "" {
				item += "." + d.Name
			}
			if d.RequiresRecreation == "Always" || d.RequiresRecreation == "Conditionally" {
				item += " (" + d.RequiresRecreation + " replaces)"
			}
			what = append(what, item)
		}
		rows = append(rows, []string{c.Action, c.LogicalResourceID, c.ResourceType, c.Replacement, strings.Join(what, ", ")})
	}
	writeTable(w, []string{"ACTION", "RESOURCE", "TYPE", "REPLACEMENT", "CHANGES"}, rows)
}

func writeFleetPreview(w io.Writer, f apiclient.FleetPreview) {
	writeFields(w, []field{{"template version", f.TemplateName + " " + versionText(f.TemplateMajorVersion, f.TemplateMinorVersion)},
		{"targets", strconv.Itoa(len(f.Targets))}, {"previewed", strconv.Itoa(f.Previewed)}, {"with changes", strconv.Itoa(f.Changed)},
		{"failed", strconv.Itoa(f.Failed)}, {"changes", summaryText(f.Summary)}})
	if len(f.Targets) == 0 {
		return
	}
	fmt.Fprintln(w)
	rows := make([][]string, 0, len(f.Targets))
	for _, t := range f.Targets {
		target := t.EnvironmentName
		if t.ServiceName != "" {
			target = t.ServiceName + "/" + t.ServiceInstanceName
		}
		changes := ""
		switch {
		case t.Error != nil:
			changes = "error: " + t.Error.Message
		case t.Empty:
			changes = "none"
		case t.Summary != nil:
			changes = summaryText(*t.Summary)
		}
		rows = append(rows, []string{target, versionText(t.FromTemplateMajorVersion, t.FromTemplateMinorVersion), t.PreviewID, changes})
	}
	writeTable(w, []string{"TARGET", "FROM", "PREVIEW", "CHANGES"}, rows)
}
