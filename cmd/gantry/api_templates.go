package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gantry-platform/gantry/internal/apiclient"
	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platform"
)

const updateUsage = `usage: gantry templates update --kind environment|service --name NAME
       [--display-name TEXT] [--description TEXT] [--recommended-version MAJOR.MINOR|latest]

Changes what is given: --display-name and --description ("" clears them), and the
recommended version, the one developers get by default. MAJOR.MINOR pins that published
version, which stays recommended when newer ones are published; latest unpins it, so the
highest published version is recommended again.
`

const registerUsage = `usage: gantry templates register --kind environment|service --name NAME --bundle DIR|FILE.tar.gz
       [--major N] [--description TEXT] [--compatible-env TEMPLATE:MAJOR ...] [--publish]

Registers the bundle as a new version of the template: the next minor of --major N,
otherwise a new major. A folder is packed as .tar.gz in memory (its contents at the
archive's root). The version starts as DRAFT; --publish publishes it right away.
`

func templatesCommand() func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	versions := templateVersionsCommand()
	verbs := resource("templates", []verb{
		{"list", "list the templates of a kind", "usage: gantry templates list --kind environment|service\n", templatesList},
		{"get", "show a template, or one of its versions with --version",
			"usage: gantry templates get --kind environment|service [--version MAJOR.MINOR] NAME\n\nWith --version, shows that version with its schema.\n",
			templatesGet},
		{"create", "create a template (admin)",
			"usage: gantry templates create --kind environment|service --name NAME [--display-name TEXT] [--description TEXT]\n",
			templatesCreate},
		{"update", "change a template's display name, description or recommended version (admin)", updateUsage, templatesUpdate},
		{"register", "register a bundle (folder or .tar.gz) as a new version (admin)", registerUsage, templatesRegister},
		{"publish", "publish a version (admin)",
			"usage: gantry templates publish --kind environment|service --name NAME [--version MAJOR.MINOR]\n\nWithout --version, publishes the highest DRAFT version.\n",
			templatesPublish},
		{"versions", "list a template's versions, highest first",
			"usage: gantry templates versions --kind environment|service NAME\n", templatesVersions},
		{"delete", "delete a template that has no versions left (admin)",
			"usage: gantry templates delete --kind environment|service NAME\n\nRefused while the template has any version: delete them first (templates version delete).\n",
			templatesDelete},
		{"version", "update, deprecate or delete a version: gantry templates version <verb> (admin)", "usage: gantry templates version update|deprecate|delete [flags]\n", nil},
	})
	return func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
		if globals, rest := takeGlobalFlags(args); len(rest) > 0 && rest[0] == "version" {
			return versions(ctx, append(append([]string{}, rest[1:]...), globals...), stdout, stderr)
		}
		return verbs(ctx, args, stdout, stderr)
	}
}

// kindFlag adds the required --kind flag and returns where parse puts the kind it names.
func kindFlag(a *apiCommand) *platform.TemplateKind {
	flagValue := a.fs.String("kind", "", "environment or service (required)")
	kind := new(platform.TemplateKind)
	a.check(func() (int, bool) {
		switch *flagValue {
		case "environment":
			*kind = platform.EnvironmentTemplate
		case "service":
			*kind = platform.ServiceTemplate
		case "":
			return a.usageError("--kind is required: environment or service"), false
		default:
			return a.usageError("--kind must be environment or service, not %q", *flagValue), false
		}
		return exitOK, true
	})
	return kind
}

// templateFlags adds --kind and --name (described by nameUsage), the template a verb acts
// on; the name may be the single argument instead.
func templateFlags(a *apiCommand, nameUsage string) (kind *platform.TemplateKind, name *string) {
	return kindFlag(a), a.nameFlag("template", nameUsage)
}

// versionFlag adds --version (described by usage), a MAJOR.MINOR. The function it returns
// parses it once the flags are parsed: the zero version when --version was not given
// (a given one has major ≥ 1), ok false after a usage error when it is no version.
func versionFlag(a *apiCommand, usage string) func() (v platform.Version, code int, ok bool) {
	version := a.fs.String("version", "", usage)
	return func() (platform.Version, int, bool) {
		if *version == "" {
			return platform.Version{}, exitOK, true
		}
		v, err := platform.ParseVersion(*version)
		if err != nil {
			return v, a.usageError("--version: %v", err), false
		}
		return v, exitOK, true
	}
}

func templatesList(a *apiCommand) action {
	kind := kindFlag(a)
	a.pageFlags()
	return func(ctx context.Context) int {
		return list(ctx, a, func(ctx context.Context, p apiclient.PageRequest) (apiclient.Page[apiclient.Template], error) {
			return a.client.ListTemplates(ctx, *kind, p)
		}, func(t apiclient.Template) json.RawMessage { return t.Raw },
			[]string{"NAME", "DISPLAY NAME", "RECOMMENDED", "CREATED"},
			func(t apiclient.Template) []string {
				return []string{t.Name, t.DisplayName, t.RecommendedVersion, timeText(t.CreatedAt)}
			})
	}
}

func templatesGet(a *apiCommand) action {
	kind, name := templateFlags(a, "the template's name")
	version := versionFlag(a, "show this version (MAJOR.MINOR) with its schema")
	return func(ctx context.Context) int {
		v, code, ok := version()
		switch {
		case !ok:
			return code
		case !v.IsZero():
			tv, err := a.client.GetTemplateVersion(ctx, *kind, *name, v)
			return a.answer(err, tv.Raw, func(w io.Writer) { writeVersion(w, tv) })
		}
		t, err := a.client.GetTemplate(ctx, *kind, *name)
		return a.answer(err, t.Raw, func(w io.Writer) { writeTemplate(w, t) })
	}
}

// writeTemplate shows a template as fields; a pinned recommended version says so.
func writeTemplate(w io.Writer, t apiclient.Template) {
	recommended := t.RecommendedVersion
	if t.RecommendedVersionPinned {
		recommended += " (pinned)"
	}
	writeFields(w, []field{{"name", t.Name}, {"display name", t.DisplayName}, {"description", t.Description},
		{"recommended version", recommended}, {"created", timeText(t.CreatedAt)}, {"modified", timeText(t.LastModifiedAt)}})
}

func writeVersion(w io.Writer, tv apiclient.TemplateVersion) {
	var compatible []string
	for _, ce := range tv.CompatibleEnvironmentTemplates {
		compatible = append(compatible, fmt.Sprintf("%s:%d", ce.TemplateName, ce.MajorVersion))
	}
	pipeline := ""
	if tv.HasPipeline != nil {
		pipeline = strconv.FormatBool(*tv.HasPipeline)
	}
	writeFields(w, []field{{"template", tv.TemplateName}, {"version", tv.Version().String()}, {"status", string(tv.Status)},
		{"status message", tv.StatusMessage}, {"description", tv.Description},
		{"compatible environments", strings.Join(compatible, ", ")},
		{"component sources", strings.Join(tv.SupportedComponentSources, ", ")}, {"pipeline", pipeline},
		{"created", timeText(tv.CreatedAt)}, {"modified", timeText(tv.LastModifiedAt)}},
		field{"schema", tv.Schema})
}

func templatesCreate(a *apiCommand) action {
	kind, name := templateFlags(a, "the template's name (required)")
	var in apimodel.CreateTemplate
	a.fs.StringVar(&in.DisplayName, "display-name", "", "a display name")
	a.fs.StringVar(&in.Description, "description", "", "a description")
	return func(ctx context.Context) int {
		in.Name = *name
		t, err := a.client.CreateTemplate(ctx, *kind, in)
		return a.answer(err, t.Raw, func(w io.Writer) {
			writeFields(w, []field{{"name", t.Name}, {"display name", t.DisplayName}, {"description", t.Description}, {"created", timeText(t.CreatedAt)}})
		})
	}
}

func templatesUpdate(a *apiCommand) action {
	kind, name := templateFlags(a, "the template's name (required)")
	var displayName, description, recommended optionalString
	a.fs.Var(&displayName, "display-name", "the new display name")
	a.fs.Var(&description, "description", "the new description")
	a.fs.Var(&recommended, "recommended-version", "pin this published version, MAJOR.MINOR, as the recommended one; latest unpins")
	return func(ctx context.Context) int {
		if recommended.set && recommended.value != "latest" {
			if _, err := platform.ParseVersion(recommended.value); err != nil {
				return a.usageError("--recommended-version must be MAJOR.MINOR or latest, not %q", recommended.value)
			}
		}
		in := apimodel.UpdateTemplate{DisplayName: displayName.ptr(), Description: description.ptr(), RecommendedVersion: recommended.ptr()}
		if in.DisplayName == nil && in.Description == nil && in.RecommendedVersion == nil {
			return a.usageError("nothing to change: give --display-name, --description or --recommended-version")
		}
		t, err := a.client.UpdateTemplate(ctx, *kind, *name, in)
		return a.answer(err, t.Raw, func(w io.Writer) { writeTemplate(w, t) })
	}
}

// compatibleList is the repeatable --compatible-env NAME:MAJOR flag.
type compatibleList []platform.CompatibleEnvironment

func (c *compatibleList) String() string { return fmt.Sprint(*c) }

func (c *compatibleList) Set(s string) error {
	for _, item := range strings.Split(s, ",") {
		name, major, ok := strings.Cut(strings.TrimSpace(item), ":")
		n, err := strconv.Atoi(major)
		if !ok || err != nil || n < 1 || name == "" {
			return fmt.Errorf("%q must be TEMPLATE:MAJOR, e.g. vpc-ecs:1", item)
		}
		*c = append(*c, platform.CompatibleEnvironment{TemplateName: name, MajorVersion: n})
	}
	return nil
}

func templatesRegister(a *apiCommand) action {
	kind, name := templateFlags(a, "the template's name (required)")
	bundlePath := a.fs.String("bundle", "", "the bundle: a folder or a .tar.gz (required)")
	a.required(bundlePath, "bundle")
	var in apiclient.RegisterInput
	a.fs.IntVar(&in.MajorVersion, "major", 0, "add the next minor version of this major")
	a.fs.StringVar(&in.Description, "description", "", "the version's description")
	var compatible compatibleList
	a.fs.Var(&compatible, "compatible-env", "service templates: an environment template the version runs in, TEMPLATE:MAJOR (repeatable; overrides the bundle's list)")
	publish := a.fs.Bool("publish", false, "publish the version once registered")
	return func(ctx context.Context) int {
		if in.MajorVersion < 0 {
			return a.usageError("--major must be ≥ 1")
		}
		in.CompatibleEnvironments = compatible
		archive, err := apiclient.BundleArchive(*bundlePath)
		if err != nil {
			fmt.Fprintf(a.stderr, "gantry %s: --bundle: %v\n", a.fs.Name(), err)
			return exitProblems
		}
		tv, err := a.client.CreateTemplateVersion(ctx, *kind, *name, archive, in)
		if err == nil && *publish {
			tv, err = a.client.PublishTemplateVersion(ctx, *kind, *name, tv.Version())
		}
		return a.answer(err, tv.Raw, func(w io.Writer) { writeVersion(w, tv) })
	}
}

func templatesPublish(a *apiCommand) action {
	kind, name := templateFlags(a, "the template's name (required)")
	version := versionFlag(a, "the version to publish, MAJOR.MINOR (default: the highest DRAFT)")
	return func(ctx context.Context) int {
		v, code, ok := version()
		if !ok {
			return code
		}
		if v.IsZero() {
			if v, code, ok = highestDraft(ctx, a, *kind, *name); !ok {
				return code
			}
		}
		tv, err := a.client.PublishTemplateVersion(ctx, *kind, *name, v)
		return a.answer(err, tv.Raw, func(w io.Writer) { writeVersion(w, tv) })
	}
}

// highestDraft returns the highest DRAFT version of a template; ok is false, with the
// exit code after printing why, when it cannot list the versions or there is none.
func highestDraft(ctx context.Context, a *apiCommand, kind platform.TemplateKind, name string) (v platform.Version, code int, ok bool) {
	versions, err := apiclient.All(ctx, templateVersions(a, kind, name))
	if err != nil {
		return v, a.fail(err), false
	}
	for _, tv := range versions.Items {
		if tv.Status == platform.Draft && v.Less(tv.Version()) {
			v = tv.Version()
		}
	}
	if v.IsZero() {
		fmt.Fprintf(a.stderr, "gantry %s: template %s has no DRAFT version to publish\n", a.fs.Name(), name)
		return v, exitProblems, false
	}
	return v, exitOK, true
}

// templateVersions returns the page function listing a template's versions.
func templateVersions(a *apiCommand, kind platform.TemplateKind, name string) func(context.Context, apiclient.PageRequest) (apiclient.Page[apiclient.TemplateVersion], error) {
	return func(ctx context.Context, p apiclient.PageRequest) (apiclient.Page[apiclient.TemplateVersion], error) {
		return a.client.ListTemplateVersions(ctx, kind, name, p)
	}
}

func templatesVersions(a *apiCommand) action {
	kind, name := templateFlags(a, "the template's name")
	a.pageFlags()
	return func(ctx context.Context) int {
		return list(ctx, a, templateVersions(a, *kind, *name), func(tv apiclient.TemplateVersion) json.RawMessage { return tv.Raw },
			[]string{"VERSION", "STATUS", "DESCRIPTION", "CREATED"},
			func(tv apiclient.TemplateVersion) []string {
				return []string{tv.Version().String(), string(tv.Status), tv.Description, timeText(tv.CreatedAt)}
			})
	}
}
