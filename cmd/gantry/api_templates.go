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

func templatesCommand() func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return resource("templates", []verb{
		{"list", "list the templates of a kind", runTemplatesList},
		{"get", "show a template, or one of its versions with --version", runTemplatesGet},
		{"create", "create a template (admin)", runTemplatesCreate},
		{"update", "change a template's display name, description or recommended version (admin)", runTemplatesUpdate},
		{"register", "register a bundle (folder or .tar.gz) as a new version (admin)", runTemplatesRegister},
		{"publish", "publish a version (admin)", runTemplatesPublish},
		{"versions", "list a template's versions, highest first", runTemplatesVersions},
	})
}

// kindFlag adds the required --kind flag and returns a function resolving it.
func kindFlag(a *apiCommand) func() (platform.TemplateKind, int, bool) {
	kind := a.fs.String("kind", "", "environment or service (required)")
	return func() (platform.TemplateKind, int, bool) {
		switch *kind {
		case "environment":
			return platform.EnvironmentTemplate, exitOK, true
		case "service":
			return platform.ServiceTemplate, exitOK, true
		case "":
			return "", a.usageError("--kind is required: environment or service"), false
		default:
			return "", a.usageError("--kind must be environment or service, not %q", *kind), false
		}
	}
}

func runTemplatesList(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := newAPICommand("templates list", "usage: gantry templates list --kind environment|service\n", stdout, stderr)
	kindOf := kindFlag(a)
	a.pageFlags()
	if code, done := a.parse(args); done {
		return code
	}
	kind, code, ok := kindOf()
	if !ok {
		return code
	}
	if code, ok := a.noArgs(); !ok {
		return code
	}
	return list(ctx, a, func(ctx context.Context, p apiclient.PageRequest) (apiclient.Page[apiclient.Template], error) {
		return a.client.ListTemplates(ctx, kind, p)
	}, func(t apiclient.Template) json.RawMessage { return t.Raw },
		[]string{"NAME", "DISPLAY NAME", "RECOMMENDED", "CREATED"},
		func(t apiclient.Template) []string {
			return []string{t.Name, t.DisplayName, t.RecommendedVersion, timeText(t.CreatedAt)}
		})
}

func runTemplatesGet(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := newAPICommand("templates get", "usage: gantry templates get --kind environment|service [--version MAJOR.MINOR] NAME\n\nWith --version, shows that version with its schema.\n", stdout, stderr)
	kindOf := kindFlag(a)
	nameFlag := a.fs.String("name", "", "the template's name")
	version := a.fs.String("version", "", "show this version (MAJOR.MINOR) with its schema")
	if code, done := a.parse(args); done {
		return code
	}
	kind, code, ok := kindOf()
	if !ok {
		return code
	}
	name, code, ok := a.name(*nameFlag, "template")
	if !ok {
		return code
	}
	if *version != "" {
		v, err := platform.ParseVersion(*version)
		if err != nil {
			return a.usageError("--version: %v", err)
		}
		tv, err := a.client.GetTemplateVersion(ctx, kind, name, v)
		if err != nil {
			return a.fail(err)
		}
		return a.show(tv.Raw, func(w io.Writer) { writeVersion(w, tv) })
	}
	t, err := a.client.GetTemplate(ctx, kind, name)
	if err != nil {
		return a.fail(err)
	}
	return a.show(t.Raw, func(w io.Writer) { writeTemplate(w, t) })
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
		{"compatible environments", strings.Join(compatible, ", ")}, {"pipeline", pipeline},
		{"created", timeText(tv.CreatedAt)}, {"modified", timeText(tv.LastModifiedAt)}},
		field{"schema", tv.Schema})
}

func runTemplatesCreate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := newAPICommand("templates create", "usage: gantry templates create --kind environment|service --name NAME [--display-name TEXT] [--description TEXT]\n", stdout, stderr)
	kindOf := kindFlag(a)
	var in apimodel.CreateTemplate
	a.fs.StringVar(&in.Name, "name", "", "the template's name (required)")
	a.fs.StringVar(&in.DisplayName, "display-name", "", "a display name")
	a.fs.StringVar(&in.Description, "description", "", "a description")
	if code, done := a.parse(args); done {
		return code
	}
	kind, code, ok := kindOf()
	if !ok {
		return code
	}
	if in.Name, code, ok = a.name(in.Name, "template"); !ok {
		return code
	}
	t, err := a.client.CreateTemplate(ctx, kind, in)
	if err != nil {
		return a.fail(err)
	}
	return a.show(t.Raw, func(w io.Writer) {
		writeFields(w, []field{{"name", t.Name}, {"display name", t.DisplayName}, {"description", t.Description}, {"created", timeText(t.CreatedAt)}})
	})
}

// optionalString is a string flag that knows whether it was given, so that "" can mean
// "clear it" rather than "keep it".
type optionalString struct {
	set   bool
	value string
}

func (o *optionalString) String() string {
	if o == nil {
		return ""
	}
	return o.value
}

func (o *optionalString) Set(s string) error {
	o.set, o.value = true, s
	return nil
}

// ptr returns the value's address when it was given, else nil.
func (o *optionalString) ptr() *string {
	if !o.set {
		return nil
	}
	v := o.value
	return &v
}

const updateUsage = `usage: gantry templates update --kind environment|service --name NAME
       [--display-name TEXT] [--description TEXT] [--recommended-version MAJOR.MINOR|latest]

Changes what is given: --display-name and --description ("" clears them), and the
recommended version, the one developers get by default. MAJOR.MINOR pins that published
version, which stays recommended when newer ones are published; latest unpins it, so the
highest published version is recommended again.
`

func runTemplatesUpdate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := newAPICommand("templates update", updateUsage, stdout, stderr)
	kindOf := kindFlag(a)
	nameFlag := a.fs.String("name", "", "the template's name (required)")
	var displayName, description, recommended optionalString
	a.fs.Var(&displayName, "display-name", "the new display name")
	a.fs.Var(&description, "description", "the new description")
	a.fs.Var(&recommended, "recommended-version", "pin this published version, MAJOR.MINOR, as the recommended one; latest unpins")
	if code, done := a.parse(args); done {
		return code
	}
	kind, code, ok := kindOf()
	if !ok {
		return code
	}
	name, code, ok := a.name(*nameFlag, "template")
	if !ok {
		return code
	}
	if recommended.set && recommended.value != "latest" {
		if _, err := platform.ParseVersion(recommended.value); err != nil {
			return a.usageError("--recommended-version must be MAJOR.MINOR or latest, not %q", recommended.value)
		}
	}
	in := apimodel.UpdateTemplate{DisplayName: displayName.ptr(), Description: description.ptr(), RecommendedVersion: recommended.ptr()}
	if in.DisplayName == nil && in.Description == nil && in.RecommendedVersion == nil {
		return a.usageError("nothing to change: give --display-name, --description or --recommended-version")
	}
	t, err := a.client.UpdateTemplate(ctx, kind, name, in)
	if err != nil {
		return a.fail(err)
	}
	return a.show(t.Raw, func(w io.Writer) { writeTemplate(w, t) })
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

const registerUsage = `usage: gantry templates register --kind environment|service --name NAME --bundle DIR|FILE.tar.gz
       [--major N] [--description TEXT] [--compatible-env TEMPLATE:MAJOR ...] [--publish]

Registers the bundle as a new version of the template: the next minor of --major N,
otherwise a new major. A folder is packed as .tar.gz in memory (its contents at the
archive's root). The version starts as DRAFT; --publish publishes it right away.
`

func runTemplatesRegister(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := newAPICommand("templates register", registerUsage, stdout, stderr)
	kindOf := kindFlag(a)
	nameFlag := a.fs.String("name", "", "the template's name (required)")
	bundlePath := a.fs.String("bundle", "", "the bundle: a folder or a .tar.gz (required)")
	var in apiclient.RegisterInput
	a.fs.IntVar(&in.MajorVersion, "major", 0, "add the next minor version of this major")
	a.fs.StringVar(&in.Description, "description", "", "the version's description")
	var compatible compatibleList
	a.fs.Var(&compatible, "compatible-env", "service templates: an environment template the version runs in, TEMPLATE:MAJOR (repeatable; overrides the bundle's list)")
	publish := a.fs.Bool("publish", false, "publish the version once registered")
	if code, done := a.parse(args); done {
		return code
	}
	kind, code, ok := kindOf()
	if !ok {
		return code
	}
	name, code, ok := a.name(*nameFlag, "template")
	if !ok {
		return code
	}
	if *bundlePath == "" {
		return a.usageError("--bundle is required")
	}
	if in.MajorVersion < 0 {
		return a.usageError("--major must be ≥ 1")
	}
	in.CompatibleEnvironments = compatible
	archive, err := apiclient.BundleArchive(*bundlePath)
	if err != nil {
		fmt.Fprintf(stderr, "gantry %s: --bundle: %v\n", a.fs.Name(), err)
		return exitProblems
	}
	tv, err := a.client.CreateTemplateVersion(ctx, kind, name, archive, in)
	if err != nil {
		return a.fail(err)
	}
	if *publish {
		if tv, err = a.client.PublishTemplateVersion(ctx, kind, name, tv.Version()); err != nil {
			return a.fail(err)
		}
	}
	return a.show(tv.Raw, func(w io.Writer) { writeVersion(w, tv) })
}

func runTemplatesPublish(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := newAPICommand("templates publish", "usage: gantry templates publish --kind environment|service --name NAME [--version MAJOR.MINOR]\n\nWithout --version, publishes the highest DRAFT version.\n", stdout, stderr)
	kindOf := kindFlag(a)
	nameFlag := a.fs.String("name", "", "the template's name (required)")
	version := a.fs.String("version", "", "the version to publish, MAJOR.MINOR (default: the highest DRAFT)")
	if code, done := a.parse(args); done {
		return code
	}
	kind, code, ok := kindOf()
	if !ok {
		return code
	}
	name, code, ok := a.name(*nameFlag, "template")
	if !ok {
		return code
	}
	var v platform.Version
	if *version != "" {
		var err error
		if v, err = platform.ParseVersion(*version); err != nil {
			return a.usageError("--version: %v", err)
		}
	} else {
		versions, err := apiclient.All(ctx, func(ctx context.Context, p apiclient.PageRequest) (apiclient.Page[apiclient.TemplateVersion], error) {
			return a.client.ListTemplateVersions(ctx, kind, name, p)
		})
		if err != nil {
			return a.fail(err)
		}
		for _, tv := range versions.Items {
			if tv.Status == platform.Draft && v.Less(tv.Version()) {
				v = tv.Version()
			}
		}
		if v.IsZero() {
			fmt.Fprintf(stderr, "gantry %s: template %s has no DRAFT version to publish\n", a.fs.Name(), name)
			return exitProblems
		}
	}
	tv, err := a.client.PublishTemplateVersion(ctx, kind, name, v)
	if err != nil {
		return a.fail(err)
	}
	return a.show(tv.Raw, func(w io.Writer) { writeVersion(w, tv) })
}

func runTemplatesVersions(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := newAPICommand("templates versions", "usage: gantry templates versions --kind environment|service NAME\n", stdout, stderr)
	kindOf := kindFlag(a)
	nameFlag := a.fs.String("name", "", "the template's name")
	a.pageFlags()
	if code, done := a.parse(args); done {
		return code
	}
	kind, code, ok := kindOf()
	if !ok {
		return code
	}
	name, code, ok := a.name(*nameFlag, "template")
	if !ok {
		return code
	}
	return list(ctx, a, func(ctx context.Context, p apiclient.PageRequest) (apiclient.Page[apiclient.TemplateVersion], error) {
		return a.client.ListTemplateVersions(ctx, kind, name, p)
	}, func(tv apiclient.TemplateVersion) json.RawMessage { return tv.Raw },
		[]string{"VERSION", "STATUS", "DESCRIPTION", "CREATED"},
		func(tv apiclient.TemplateVersion) []string {
			return []string{tv.Version().String(), string(tv.Status), tv.Description, timeText(tv.CreatedAt)}
		})
}
