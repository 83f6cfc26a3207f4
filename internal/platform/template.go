package platform

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// TemplateKind says whether a template describes environments or services.
type TemplateKind string

// The template kinds.
const (
	EnvironmentTemplate TemplateKind = "ENVIRONMENT"
	ServiceTemplate     TemplateKind = "SERVICE"
)

// VersionStatus is the lifecycle state of a template version.
type VersionStatus string

// The template version statuses (Proton's vocabulary).
const (
	RegistrationInProgress VersionStatus = "REGISTRATION_IN_PROGRESS"
	RegistrationFailed     VersionStatus = "REGISTRATION_FAILED"
	Draft                  VersionStatus = "DRAFT"
	Published              VersionStatus = "PUBLISHED"
	// Deprecated is Gantry's own (Proton has no such status): a version that keeps running
	// where it is deployed but that no new deployment may choose. It can be published again.
	Deprecated VersionStatus = "DEPRECATED"
)

// Version is a template version number, major.minor.
type Version struct {
	Major int
	Minor int
}

// String formats the version as "major.minor".
func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// Less reports whether v orders before w.
func (v Version) Less(w Version) bool {
	return v.Major < w.Major || (v.Major == w.Major && v.Minor < w.Minor)
}

// IsZero reports whether v is unset (0.0 is not a valid template version).
func (v Version) IsZero() bool { return v.Major == 0 && v.Minor == 0 }

// ParseVersion parses "major.minor" (both non-negative integers, major ≥ 1); Invalid otherwise.
func ParseVersion(s string) (Version, error) {
	major, minor, ok := strings.Cut(s, ".")
	if !ok {
		return Version{}, Errorf(Invalid, "version %q must be major.minor", s)
	}
	ma, err1 := strconv.Atoi(major)
	mi, err2 := strconv.Atoi(minor)
	if err1 != nil || err2 != nil || ma < 1 || mi < 0 {
		return Version{}, Errorf(Invalid, "version %q must be major.minor with major ≥ 1 and minor ≥ 0", s)
	}
	return Version{Major: ma, Minor: mi}, nil
}

// Template is an environment or service template: a named series of versions.
type Template struct {
	Kind        TemplateKind
	Name        string
	DisplayName string
	Description string
	// Recommended is the version developers get by default: the highest published one
	// unless an admin pinned another (Pinned). Zero while nothing is published.
	Recommended Version
	Pinned      bool
	// SelfService, on an environment template, lets developers create, update, delete
	// and cancel environments of it; otherwise (the default) environments are admin's.
	SelfService bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// Revision is the stored revision, for optimistic concurrency.
	Revision int64
}

// CompatibleEnvironment names an environment template major version a service template
// version can deploy into.
type CompatibleEnvironment struct {
	TemplateName string
	MajorVersion int
}

// TemplateVersion is one registered bundle of a template.
type TemplateVersion struct {
	Kind          TemplateKind
	TemplateName  string
	Version       Version
	Status        VersionStatus
	StatusMessage string
	Description   string
	// Schema is the bundle's schema.yaml text (at most 50 KB), served to forms and clients.
	Schema string
	// BundleKey is where the bundle's .tar.gz is kept (Blobs); BundleDigest its SHA-256.
	BundleKey    string
	BundleDigest string
	// CompatibleEnvironments applies to service templates only.
	CompatibleEnvironments []CompatibleEnvironment
	// SupportedComponentSources applies to service templates only: the component sources
	// (Proton's ServiceTemplateSupportedComponentSourceType, so far only DIRECTLY_DEFINED)
	// that instances of this version may attach components from; none means no components.
	SupportedComponentSources []string
	// HasPipeline reports that a service template version carries a pipeline template.
	HasPipeline bool
	// Engine provisions the version's infrastructure, PipelineEngine its pipeline (from
	// the manifests' rendering_engine and template_language; empty: CloudFormation).
	Engine         Engine
	PipelineEngine Engine
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Revision       int64
}

// DirectlyDefinedComponents is Proton's only component source: components defined in the
// request (manifest and template file) rather than by a template.
const DirectlyDefinedComponents = "DIRECTLY_DEFINED"

// ValidateComponentSources checks a list of supported component sources; the error names
// field and the index of the offending entry.
func ValidateComponentSources(field string, sources []string) error {
	for i, s := range sources {
		if s != DirectlyDefinedComponents {
			return FieldErrorf(fmt.Sprintf("%s[%d]", field, i), "%q is not a component source (want %s)", s, DirectlyDefinedComponents)
		}
	}
	return nil
}

var namePattern = regexp.MustCompile(`^[0-9A-Za-z]+[0-9A-Za-z_\-]*$`)

// ValidateName checks a resource name against Proton's rule; the error names field.
func ValidateName(field, name string) error {
	switch {
	case name == "":
		return FieldErrorf(field, "is required")
	case len(name) > 100:
		return FieldErrorf(field, "must be at most 100 characters, is %d", len(name))
	case !namePattern.MatchString(name):
		return FieldErrorf(field, "%q must match ^[0-9A-Za-z]+[0-9A-Za-z_\\-]*$", name)
	}
	return nil
}
