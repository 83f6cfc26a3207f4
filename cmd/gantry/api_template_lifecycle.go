package main

import (
	"context"
	"io"
	"strings"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platform"
)

// The template lifecycle verbs beyond registration: delete a template, update, deprecate
// and delete versions.

func templatesDelete(a *apiCommand) action {
	kind, name := templateFlags(a, "the template's name (required)")
	return func(ctx context.Context) int {
		t, err := a.client.DeleteTemplate(ctx, *kind, *name)
		return a.answer(err, t.Raw, func(w io.Writer) { writeTemplate(w, t) })
	}
}

const versionUpdateUsage = `usage: gantry templates version update --kind environment|service --name NAME --version MAJOR.MINOR
       [--description TEXT] [--status DRAFT|PUBLISHED|DEPRECATED]
       [--compatible-env TEMPLATE:MAJOR ...] [--component-sources DIRECTLY_DEFINED|none]

Changes what is given. --status PUBLISHED publishes a draft or restores a deprecated
version; DEPRECATED deprecates a published one (it keeps running where it is deployed, but
no new deployment may choose it). --compatible-env (repeatable) replaces the compatible
environment templates and --component-sources the supported component sources (comma
separated; none for no components), for service templates only.
`

// templateVersionsCommand is gantry templates version <verb>.
func templateVersionsCommand() func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return resource("templates version", []verb{
		{"update", "change a version's description, status, compatible environments or component sources (admin)", versionUpdateUsage, versionUpdate},
		{"deprecate", "deprecate a published version: no new deployment may choose it (admin)",
			"usage: gantry templates version deprecate --kind environment|service --name NAME --version MAJOR.MINOR\n\nUndo with: gantry templates version update --status PUBLISHED.\n",
			versionDeprecate},
		{"delete", "delete a version nothing runs (admin)",
			"usage: gantry templates version delete --kind environment|service --name NAME --version MAJOR.MINOR\n\n" +
				"Refused while an environment, service instance or pipeline runs it, and, as in Proton, for the\n" +
				"recommended version while other versions exist (deprecate it first).\n",
			versionDelete},
	})
}

// requiredVersionFlag adds a required --version MAJOR.MINOR and returns where parse puts it.
func requiredVersionFlag(a *apiCommand, usage string) *platform.Version {
	parse := versionFlag(a, usage)
	v := new(platform.Version)
	a.check(func() (int, bool) {
		got, code, ok := parse()
		switch {
		case !ok:
			return code, false
		case got.IsZero():
			return a.usageError("--version is required: MAJOR.MINOR"), false
		}
		*v = got
		return exitOK, true
	})
	return v
}

func versionUpdate(a *apiCommand) action {
	kind, name := templateFlags(a, "the template's name (required)")
	v := requiredVersionFlag(a, "the version to change, MAJOR.MINOR (required)")
	var description, status, sources optionalString
	a.fs.Var(&description, "description", "the new description")
	a.fs.Var(&status, "status", "DRAFT, PUBLISHED or DEPRECATED")
	a.fs.Var(&sources, "component-sources", "service templates: the supported component sources, comma separated (DIRECTLY_DEFINED), or none")
	var compatible compatibleList
	a.fs.Var(&compatible, "compatible-env", "service templates: an environment template the version runs in, TEMPLATE:MAJOR (repeatable; replaces the list)")
	return func(ctx context.Context) int {
		in := apimodel.UpdateTemplateVersion{Description: description.ptr()}
		if status.set {
			s := platform.VersionStatus(strings.ToUpper(status.value))
			in.Status = &s
		}
		if len(compatible) > 0 {
			list := make([]apimodel.CompatibleEnvironmentTemplate, len(compatible))
			for i, c := range compatible {
				list[i] = apimodel.CompatibleEnvironmentTemplate{TemplateName: c.TemplateName, MajorVersion: c.MajorVersion}
			}
			in.CompatibleEnvironmentTemplates = &list
		}
		if sources.set {
			list := []string{}
			if sources.value != "none" {
				for _, s := range strings.Split(sources.value, ",") {
					list = append(list, strings.TrimSpace(s))
				}
			}
			in.SupportedComponentSources = &list
		}
		if in.Description == nil && in.Status == nil && in.CompatibleEnvironmentTemplates == nil && in.SupportedComponentSources == nil {
			return a.usageError("nothing to change: give --description, --status, --compatible-env or --component-sources")
		}
		tv, err := a.client.UpdateTemplateVersion(ctx, *kind, *name, *v, in)
		return a.answer(err, tv.Raw, func(w io.Writer) { writeVersion(w, tv) })
	}
}

func versionDeprecate(a *apiCommand) action {
	kind, name := templateFlags(a, "the template's name (required)")
	v := requiredVersionFlag(a, "the version to deprecate, MAJOR.MINOR (required)")
	return func(ctx context.Context) int {
		deprecated := platform.Deprecated
		tv, err := a.client.UpdateTemplateVersion(ctx, *kind, *name, *v, apimodel.UpdateTemplateVersion{Status: &deprecated})
		return a.answer(err, tv.Raw, func(w io.Writer) { writeVersion(w, tv) })
	}
}

func versionDelete(a *apiCommand) action {
	kind, name := templateFlags(a, "the template's name (required)")
	v := requiredVersionFlag(a, "the version to delete, MAJOR.MINOR (required)")
	return func(ctx context.Context) int {
		tv, err := a.client.DeleteTemplateVersion(ctx, *kind, *name, *v)
		return a.answer(err, tv.Raw, func(w io.Writer) { writeVersion(w, tv) })
	}
}
