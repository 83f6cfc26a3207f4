package main

// The flags several API verbs share, and the flag values they are made of.

import (
	"fmt"
	"os"
	"strings"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platform"
)

// createFlags are the flags of a create that deploys what it makes (environments create,
// services create): --name (or the single argument), --template, --major, --minor,
// --spec, --description, --client-token and the wait flags. Once parse has checked them
// (the name, then --template, --major ≥ 1 and --spec required), spec holds the spec
// file's text.
type createFlags struct {
	name                               *string
	template, description, clientToken string
	major                              int
	minor                              optionalInt
	specFile, spec                     string
}

// newCreateFlags adds the create flags to a; what ("environment", "service") is the kind
// of thing created, as the flags' descriptions and the errors name it.
func newCreateFlags(a *apiCommand, what string) *createFlags {
	c := &createFlags{name: a.nameFlag(what, "the "+what+"'s name (required)")}
	a.fs.StringVar(&c.template, "template", "", "the "+what+" template (required)")
	a.fs.IntVar(&c.major, "major", 0, "the template's major version (required)")
	a.fs.Var(&c.minor, "minor", "the template's minor version (default: the recommended one)")
	a.fs.StringVar(&c.specFile, "spec", "", "the spec YAML file (required)")
	a.fs.StringVar(&c.description, "description", "", "a description")
	a.fs.StringVar(&c.clientToken, "client-token", "", "an idempotency token: repeating the call with it creates nothing new")
	a.waitFlags()
	a.check(func() (code int, ok bool) {
		switch {
		case c.template == "":
			return a.usageError("--template is required"), false
		case c.major < 1:
			return a.usageError("--major is required (≥ 1)"), false
		case c.specFile == "":
			return a.usageError("--spec is required"), false
		}
		c.spec, code, ok = a.readSpec(c.specFile)
		return code, ok
	})
	return c
}

// updateFlags are the flags of an update that redeploys (environments update, instances
// update): --spec, --deployment-type, --major, --minor, --client-token and the wait
// flags. Once parse has checked them, input is the update: its deployment type given or
// implied (MAJOR_VERSION with --major, MINOR_VERSION with --minor, else CURRENT_VERSION),
// and its spec read from specFile when one was given.
type updateFlags struct {
	input    apimodel.Update
	specFile string
}

// newUpdateFlags adds the update flags to a.
func newUpdateFlags(a *apiCommand) *updateFlags {
	u := &updateFlags{}
	a.fs.StringVar(&u.specFile, "spec", "", "the new spec YAML file (default: keep the current spec)")
	deploymentType := a.fs.String("deployment-type", "", "NONE, CURRENT_VERSION, MINOR_VERSION or MAJOR_VERSION (default: MAJOR_VERSION with --major, MINOR_VERSION with --minor, else CURRENT_VERSION)")
	var major, minor optionalInt
	a.fs.Var(&major, "major", "move to this major version (default with MAJOR_VERSION: the recommended one)")
	a.fs.Var(&minor, "minor", "move to this minor version (default with MINOR_VERSION: the recommended one)")
	a.fs.StringVar(&u.input.ClientToken, "client-token", "", "an idempotency token: repeating the call with it deploys nothing new")
	a.fs.StringVar(&u.input.PreviewID, "preview-id", "", "deploy this preview's change set (gantry preview made it; no --spec or version flags)")
	a.waitFlags()
	a.check(func() (code int, ok bool) {
		u.input.DeploymentType = platform.DeploymentType(*deploymentType)
		u.input.TemplateMajorVersion, u.input.TemplateMinorVersion = major.ptr(), minor.ptr()
		switch u.input.DeploymentType {
		case "":
			u.input.DeploymentType = platform.DeployCurrentVersion
			if major.set {
				u.input.DeploymentType = platform.DeployMajorVersion
			} else if minor.set {
				u.input.DeploymentType = platform.DeployMinorVersion
			}
		case platform.DeployNone, platform.DeployCurrentVersion, platform.DeployMinorVersion, platform.DeployMajorVersion:
		default:
			return a.usageError("--deployment-type must be NONE, CURRENT_VERSION, MINOR_VERSION or MAJOR_VERSION, not %q", *deploymentType), false
		}
		if u.specFile == "" {
			return exitOK, true
		}
		u.input.Spec, code, ok = a.readSpec(u.specFile)
		return code, ok
	})
	return u
}

// readSpec reads the file --spec names; ok is false, with exitProblems after printing
// why, when it cannot.
func (a *apiCommand) readSpec(file string) (spec string, code int, ok bool) {
	b, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(a.stderr, "gantry %s: --spec: %v\n", a.fs.Name(), err)
		return "", exitProblems, false
	}
	return string(b), exitOK, true
}

// optional is the value of a flag that knows whether it was given; the type embedding it
// parses the flag's text (Set).
type optional[T any] struct {
	set   bool
	value T
}

func (o *optional[T]) String() string {
	if o == nil || !o.set {
		return ""
	}
	return fmt.Sprint(o.value)
}

// ptr returns the value's address when it was given, else nil.
func (o *optional[T]) ptr() *T {
	if !o.set {
		return nil
	}
	v := o.value
	return &v
}

// optionalInt is an optional whole number ≥ 0.
type optionalInt struct{ optional[int] }

func (o *optionalInt) Set(s string) error {
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil || n < 0 || fmt.Sprint(n) != strings.TrimSpace(s) {
		return fmt.Errorf("%q is not a whole number ≥ 0", s)
	}
	o.set, o.value = true, n
	return nil
}

// optionalString is an optional text, so that "" can mean "clear it" rather than "keep
// it".
type optionalString struct{ optional[string] }

func (o *optionalString) Set(s string) error {
	o.set, o.value = true, s
	return nil
}
