package control

import (
	"context"

	"github.com/gantry-platform/gantry/internal/platform"
)

// CreateTemplateInput is a new template.
type CreateTemplateInput struct {
	Name        string
	DisplayName string
	Description string
	// ClientToken makes the create idempotent (Proton's clientToken).
	ClientToken string
}

// requireAdmin refuses a caller without the admin role, who may not change templates:
// Forbidden naming the action.
func requireAdmin(ctx context.Context, action string) error {
	if !caller(ctx).Has(platform.AdminRole) {
		return platform.Errorf(platform.Forbidden, "%s needs the admin role", action)
	}
	return nil
}

// CreateTemplate registers a template of kind (admin role); a repeat with the same client
// token and parameters returns the template. Invalid for a bad name, Conflict if taken or
// the client token was used with other parameters, Forbidden for a caller who is not an
// admin.
func (s *Service) CreateTemplate(ctx context.Context, kind platform.TemplateKind, in CreateTemplateInput) (platform.Template, error) {
	if err := requireAdmin(ctx, "creating a template"); err != nil {
		return platform.Template{}, err
	}
	if err := platform.ValidateName("name", in.Name); err != nil {
		return platform.Template{}, err
	}
	if len(in.DisplayName) > 100 {
		return platform.Template{}, platform.FieldErrorf("displayName", "must be at most 100 characters")
	}
	if len(in.Description) > 500 {
		return platform.Template{}, platform.FieldErrorf("description", "must be at most 500 characters")
	}
	replay := func(name string) (platform.Template, error) { return s.store.GetTemplate(ctx, kind, name) }
	return idempotent(ctx, s, "CreateTemplate:"+string(kind), in.ClientToken, in, replay, func(token *platform.ClientToken) (platform.Template, error) {
		now := s.clock()
		t := platform.Template{Kind: kind, Name: in.Name, DisplayName: in.DisplayName,
			Description: in.Description, CreatedAt: now, UpdatedAt: now}
		if token != nil {
			token.Result = in.Name
		}
		if err := s.store.CreateTemplate(ctx, t, token); err != nil {
			return platform.Template{}, err
		}
		t.Revision = 1
		return t, nil
	})
}

// GetTemplate returns a template; NotFound if there is none.
func (s *Service) GetTemplate(ctx context.Context, kind platform.TemplateKind, name string) (platform.Template, error) {
	return s.store.GetTemplate(ctx, kind, name)
}

// UpdateTemplateInput changes a template; a nil field keeps what the template has.
type UpdateTemplateInput struct {
	DisplayName *string
	Description *string
	// RecommendedVersion "major.minor" pins that version, which must be published, as the
	// recommended one; "latest" unpins, making the highest published version recommended.
	RecommendedVersion *string
	// SelfService, on an environment template, lets developers manage its environments
	// (environmentEntitled); refused on a service template.
	SelfService *bool
}

// latestVersion is the RecommendedVersion that unpins.
const latestVersion = "latest"

// UpdateTemplate changes a template's display name, description and recommended version.
// Pinning a version keeps it recommended when newer ones are published; unpinning
// recommends the highest published version (none when nothing is published). SelfService
// marks an environment template self-service (or not). Invalid,
// naming the field, for a text too long or a recommended version that is malformed,
// missing or not published; NotFound when the template does not exist; Conflict when it
// changed meanwhile twice over (a stale revision is retried once); Forbidden for a caller
// who is not an admin.
func (s *Service) UpdateTemplate(ctx context.Context, kind platform.TemplateKind, name string, in UpdateTemplateInput) (platform.Template, error) {
	if err := requireAdmin(ctx, "updating a template"); err != nil {
		return platform.Template{}, err
	}
	if in.DisplayName != nil && len(*in.DisplayName) > 100 {
		return platform.Template{}, platform.FieldErrorf("displayName", "must be at most 100 characters")
	}
	if in.Description != nil && len(*in.Description) > 500 {
		return platform.Template{}, platform.FieldErrorf("description", "must be at most 500 characters")
	}
	if in.SelfService != nil && kind != platform.EnvironmentTemplate {
		return platform.Template{}, platform.FieldErrorf("selfService", "applies to environment templates only")
	}
	var pin platform.Version
	if in.RecommendedVersion != nil && *in.RecommendedVersion != latestVersion {
		v, err := platform.ParseVersion(*in.RecommendedVersion)
		if err != nil {
			return platform.Template{}, platform.FieldErrorf("recommendedVersion", "%q must be major.minor (a published version) or %q", *in.RecommendedVersion, latestVersion)
		}
		pin = v
	}
	for attempt := 0; ; attempt++ {
		t, err := s.store.GetTemplate(ctx, kind, name)
		if err != nil {
			return platform.Template{}, err
		}
		if in.DisplayName == nil && in.Description == nil && in.RecommendedVersion == nil && in.SelfService == nil {
			return t, nil
		}
		if in.SelfService != nil {
			t.SelfService = *in.SelfService
		}
		if in.DisplayName != nil {
			t.DisplayName = *in.DisplayName
		}
		if in.Description != nil {
			t.Description = *in.Description
		}
		switch {
		case !pin.IsZero():
			if err := s.checkPublished(ctx, kind, name, pin); err != nil {
				return platform.Template{}, err
			}
			t.Recommended, t.Pinned = pin, true
		case in.RecommendedVersion != nil:
			if t.Recommended, err = s.highestPublishedExcept(ctx, kind, name, platform.Version{}); err != nil {
				return platform.Template{}, err
			}
			t.Pinned = false
		}
		t.UpdatedAt = s.clock()
		err = s.store.UpdateTemplate(ctx, t)
		if platform.KindOf(err) == platform.Conflict && attempt == 0 {
			continue // changed meanwhile (e.g. a version published): apply the change to what is stored now
		}
		if err != nil {
			return platform.Template{}, err
		}
		t.Revision++
		return t, nil
	}
}

// checkPublished returns nil when version v of the template is published; otherwise an
// Invalid error naming recommendedVersion.
func (s *Service) checkPublished(ctx context.Context, kind platform.TemplateKind, name string, v platform.Version) error {
	tv, err := s.store.GetTemplateVersion(ctx, kind, name, v)
	switch {
	case platform.KindOf(err) == platform.NotFound:
		return platform.FieldErrorf("recommendedVersion", "%s template %s has no version %s", kindWord(kind), name, v)
	case err != nil:
		return err
	case tv.Status != platform.Published:
		return platform.FieldErrorf("recommendedVersion", "%s template version %s %s is %s; only a published version can be recommended", kindWord(kind), name, v, tv.Status)
	}
	return nil
}

// DeleteTemplate deletes a template that has no versions left (admin role), as Proton's
// DeleteEnvironmentTemplate / DeleteServiceTemplate do, and returns it as it was.
// Conflict while any version exists (a version in use cannot be deleted, so neither can
// its template) or when the template changed meanwhile; NotFound when there is none;
// Forbidden for a caller who is not an admin.
func (s *Service) DeleteTemplate(ctx context.Context, kind platform.TemplateKind, name string) (platform.Template, error) {
	if err := requireAdmin(ctx, "deleting a template"); err != nil {
		return platform.Template{}, err
	}
	t, err := s.store.GetTemplate(ctx, kind, name)
	if err != nil {
		return t, err
	}
	latest, err := s.store.LatestTemplateVersion(ctx, kind, name, 0)
	switch {
	case err == nil:
		return t, platform.Errorf(platform.Conflict, "%s template %s still has versions (the highest is %s); delete every version first", kindWord(kind), name, latest.Version)
	case platform.KindOf(err) != platform.NotFound:
		return t, err
	}
	if err := s.store.DeleteTemplate(ctx, kind, name, t.Revision); err != nil {
		return t, err
	}
	return t, nil
}

// ListTemplates lists the templates of kind.
func (s *Service) ListTemplates(ctx context.Context, kind platform.TemplateKind, page platform.PageRequest) (platform.Page[platform.Template], error) {
	return s.store.ListTemplates(ctx, kind, page)
}

// CreateVersionInput registers a bundle as a new template version: the next minor of
// Major when Major > 0, else a new major version.
type CreateVersionInput struct {
	Major       int
	Description string
	Bundle      []byte
	// CompatibleEnvironments, for service templates, overrides the bundle's own list.
	CompatibleEnvironments []platform.CompatibleEnvironment
	// SupportedComponentSources, for service templates, overrides the bundle's own list
	// (.template-registration.yaml supported_component_sources) when not nil.
	SupportedComponentSources []string
	// ClientToken makes the registration idempotent (Proton's clientToken).
	ClientToken string
}

// nextVersion returns the number a new version gets.
func (s *Service) nextVersion(ctx context.Context, kind platform.TemplateKind, name string, major int) (platform.Version, error) {
	latest, err := s.store.LatestTemplateVersion(ctx, kind, name, major)
	switch {
	case platform.KindOf(err) == platform.NotFound && major > 0:
		return platform.Version{}, platform.FieldErrorf("majorVersion", "template %s has no major version %d", name, major)
	case platform.KindOf(err) == platform.NotFound:
		return platform.Version{Major: 1, Minor: 0}, nil
	case err != nil:
		return platform.Version{}, err
	case major > 0:
		return platform.Version{Major: major, Minor: latest.Version.Minor + 1}, nil
	default:
		return platform.Version{Major: latest.Version.Major + 1, Minor: 0}, nil
	}
}

// GetTemplateVersion returns one version; NotFound if there is none.
func (s *Service) GetTemplateVersion(ctx context.Context, kind platform.TemplateKind, name string, v platform.Version) (platform.TemplateVersion, error) {
	return s.store.GetTemplateVersion(ctx, kind, name, v)
}

// ListTemplateVersions lists a template's versions, highest first.
func (s *Service) ListTemplateVersions(ctx context.Context, kind platform.TemplateKind, name string, page platform.PageRequest) (platform.Page[platform.TemplateVersion], error) {
	if _, err := s.store.GetTemplate(ctx, kind, name); err != nil {
		return platform.Page[platform.TemplateVersion]{}, err
	}
	return s.store.ListTemplateVersions(ctx, kind, name, page)
}

// PublishTemplateVersion publishes a DRAFT (or DEPRECATED) version (admin role), making it
// deployable; the template's recommended version becomes the highest published one unless
// an admin pinned another. Publishing a published version changes nothing. NotFound if the
// version does not exist; Conflict if it cannot be published (its registration did not
// succeed) or it or its template changed meanwhile. The template is written with the
// version whether or not its recommended version changes, so that an UpdateTemplate
// unpinning it at the same time cannot miss the newly published version.
func (s *Service) PublishTemplateVersion(ctx context.Context, kind platform.TemplateKind, name string, v platform.Version) (platform.TemplateVersion, error) {
	if err := requireAdmin(ctx, "publishing a template version"); err != nil {
		return platform.TemplateVersion{}, err
	}
	tv, err := s.store.GetTemplateVersion(ctx, kind, name, v)
	if err != nil {
		return tv, err
	}
	switch tv.Status {
	case platform.Published:
		return tv, nil
	case platform.Draft, platform.Deprecated:
	default:
		return tv, platform.Errorf(platform.Conflict, "template version %s %s is %s and cannot be published", name, v, tv.Status)
	}
	published := platform.Published
	return s.UpdateTemplateVersion(ctx, kind, name, v, UpdateVersionInput{Status: &published})
}

// resolveVersion picks the version a deployment uses: the published version major.minor, or
// when minor is nil the template's pinned recommended version if it is of major, else the
// highest published minor of major. Invalid errors name field.
func (s *Service) resolveVersion(ctx context.Context, kind platform.TemplateKind, name string, major int, minor *int, field string) (platform.TemplateVersion, error) {
	t, err := s.store.GetTemplate(ctx, kind, name)
	if err != nil {
		if platform.KindOf(err) == platform.NotFound {
			return platform.TemplateVersion{}, platform.FieldErrorf(field+"templateName", "%s template %q does not exist", kindWord(kind), name)
		}
		return platform.TemplateVersion{}, err
	}
	if major < 1 {
		return platform.TemplateVersion{}, platform.FieldErrorf(field+"templateMajorVersion", "is required (≥ 1)")
	}
	if minor == nil && t.Pinned && t.Recommended.Major == major {
		minor = &t.Recommended.Minor
	}
	if minor != nil {
		tv, err := s.store.GetTemplateVersion(ctx, kind, name, platform.Version{Major: major, Minor: *minor})
		if platform.KindOf(err) == platform.NotFound {
			return tv, platform.FieldErrorf(field+"templateMinorVersion", "%s template %s has no version %d.%d", kindWord(kind), name, major, *minor)
		}
		if err == nil && tv.Status != platform.Published {
			return tv, platform.FieldErrorf(field+"templateMinorVersion", "%s template version %s %s is %s; only published versions can be deployed", kindWord(kind), name, tv.Version, tv.Status)
		}
		return tv, err
	}
	page := platform.PageRequest{Limit: 100}
	for {
		versions, err := s.store.ListTemplateVersions(ctx, kind, name, page)
		if err != nil {
			return platform.TemplateVersion{}, err
		}
		for _, tv := range versions.Items {
			if tv.Version.Major == major && tv.Status == platform.Published {
				return tv, nil
			}
			if tv.Version.Major < major {
				versions.NextToken = ""
				break
			}
		}
		if versions.NextToken == "" {
			return platform.TemplateVersion{}, platform.FieldErrorf(field+"templateMajorVersion", "%s template %s has no published version %d.x", kindWord(kind), name, major)
		}
		page.NextToken = versions.NextToken
	}
}

func kindWord(k platform.TemplateKind) string {
	if k == platform.EnvironmentTemplate {
		return "environment"
	}
	return "service"
}
