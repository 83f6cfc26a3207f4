package control

import (
	"context"
	"fmt"
	"strings"

	"github.com/gantry-platform/gantry/internal/platform"
)

// UpdateVersionInput changes a template version; a nil field keeps what the version has.
type UpdateVersionInput struct {
	Description *string
	// Status moves the version: DRAFT → PUBLISHED publishes it (as PublishTemplateVersion),
	// PUBLISHED → DEPRECATED deprecates it, DEPRECATED → PUBLISHED restores it. The same
	// status changes nothing; any other move is Invalid.
	Status *platform.VersionStatus
	// CompatibleEnvironments (service templates) replaces the list when not nil; it may
	// not be empty.
	CompatibleEnvironments []platform.CompatibleEnvironment
	// SupportedComponentSources (service templates) replaces the list when not nil; an
	// empty list allows no components. Existing attachments are not affected.
	SupportedComponentSources []string
}

// UpdateTemplateVersion changes a version's description, status, compatible environment
// templates and supported component sources (admin role), as Proton's
// UpdateEnvironmentTemplateVersion / UpdateServiceTemplateVersion do, plus Gantry's
// DEPRECATED status (Proton has none: its TemplateVersionStatus is REGISTRATION_IN_PROGRESS,
// REGISTRATION_FAILED, DRAFT, PUBLISHED). A deprecated version keeps running where it is
// deployed (CURRENT_VERSION redeploys work) but no new deployment may choose it, and it
// is never the recommended version: deprecating the recommended version, when not pinned,
// recommends the highest version still published (none when there is none). The template
// is written with the version, so that the recommendation cannot miss a concurrent change.
// Errors: Invalid naming the field (a text too long, a status move Proton does not
// allow, a compatible environment template that does not exist, an unknown component
// source, service-only fields on an environment template); Conflict when the version is
// the pinned recommended one and would stop being published, or it or its template
// changed meanwhile; NotFound; Forbidden for a caller who is not an admin.
func (s *Service) UpdateTemplateVersion(ctx context.Context, kind platform.TemplateKind, name string, v platform.Version, in UpdateVersionInput) (platform.TemplateVersion, error) {
	if err := requireAdmin(ctx, "updating a template version"); err != nil {
		return platform.TemplateVersion{}, err
	}
	if in.Description != nil && len(*in.Description) > 500 {
		return platform.TemplateVersion{}, platform.FieldErrorf("description", "must be at most 500 characters")
	}
	if kind == platform.EnvironmentTemplate && in.CompatibleEnvironments != nil {
		return platform.TemplateVersion{}, platform.FieldErrorf("compatibleEnvironmentTemplates", "applies to service templates only")
	}
	if kind == platform.EnvironmentTemplate && in.SupportedComponentSources != nil {
		return platform.TemplateVersion{}, platform.FieldErrorf("supportedComponentSources", "applies to service templates only")
	}
	if err := platform.ValidateComponentSources("supportedComponentSources", in.SupportedComponentSources); err != nil {
		return platform.TemplateVersion{}, err
	}
	if in.CompatibleEnvironments != nil {
		if err := s.checkCompatible(ctx, in.CompatibleEnvironments); err != nil {
			return platform.TemplateVersion{}, err
		}
	}
	tv, err := s.store.GetTemplateVersion(ctx, kind, name, v)
	if err != nil {
		return tv, err
	}
	previous := tv.Status
	to := tv.Status
	if in.Status != nil {
		to = *in.Status
		if err := checkStatusMove(tv, to); err != nil {
			return tv, err
		}
	}
	changed := to != previous
	if in.Description != nil && *in.Description != tv.Description {
		tv.Description, changed = *in.Description, true
	}
	if in.CompatibleEnvironments != nil {
		tv.CompatibleEnvironments, changed = in.CompatibleEnvironments, true
	}
	if in.SupportedComponentSources != nil {
		tv.SupportedComponentSources, changed = in.SupportedComponentSources, true
	}
	if !changed {
		return tv, nil
	}
	now := s.clock()
	tv.Status, tv.UpdatedAt = to, now
	var template *platform.Template
	if to != previous {
		t, err := s.store.GetTemplate(ctx, kind, name)
		if err != nil {
			return tv, err
		}
		recommended := t.Recommended
		if err := s.recommendAfterMove(ctx, &t, v, to); err != nil {
			return tv, err
		}
		if t.Recommended != recommended {
			t.UpdatedAt = now
		}
		template = &t
	}
	if err := s.store.UpdateTemplateVersion(ctx, tv, template); err != nil {
		return tv, err
	}
	tv.Revision++
	if to != previous {
		s.publish(ctx, templateVersionEvent(tv, previous))
	}
	return tv, nil
}

// checkStatusMove returns nil when tv may move to status to; Invalid naming status otherwise.
func checkStatusMove(tv platform.TemplateVersion, to platform.VersionStatus) error {
	from := tv.Status
	switch {
	case from == to:
		return nil
	case from == platform.Draft && to == platform.Published,
		from == platform.Published && to == platform.Deprecated,
		from == platform.Deprecated && to == platform.Published:
		return nil
	case to != platform.Draft && to != platform.Published && to != platform.Deprecated:
		return platform.FieldErrorf("status", "%q is not a status a version can be set to (DRAFT, PUBLISHED or DEPRECATED)", to)
	}
	return platform.FieldErrorf("status", "template version %s %s is %s and cannot become %s (DRAFT → PUBLISHED ⇄ DEPRECATED)", tv.TemplateName, tv.Version, from, to)
}

// recommendAfterMove sets t's recommended version for version v moving to status to: a
// version becoming published is recommended when it is the highest published one and no
// pin holds; a version leaving PUBLISHED that is the recommended one hands the
// recommendation to the highest version still published, unless it is pinned (Conflict).
func (s *Service) recommendAfterMove(ctx context.Context, t *platform.Template, v platform.Version, to platform.VersionStatus) error {
	switch {
	case to == platform.Published:
		if !t.Pinned && (t.Recommended.IsZero() || t.Recommended.Less(v)) {
			t.Recommended = v
		}
	case t.Recommended != v:
	case t.Pinned:
		return platform.Errorf(platform.Conflict, "%s template version %s %s is the pinned recommended version: pin another version or unpin (recommendedVersion latest) first", kindWord(t.Kind), t.Name, v)
	default:
		highest, err := s.highestPublishedExcept(ctx, t.Kind, t.Name, v)
		if err != nil {
			return err
		}
		t.Recommended = highest
	}
	return nil
}

// checkCompatible checks that each compatible environment template major version exists;
// Invalid naming the entry otherwise.
func (s *Service) checkCompatible(ctx context.Context, compatible []platform.CompatibleEnvironment) error {
	if len(compatible) == 0 {
		return platform.FieldErrorf("compatibleEnvironmentTemplates",
			"a service template version needs at least one compatible environment template: list them in .template-registration.yaml (compatible_environments: [name:major]) or pass them in the request")
	}
	for i, c := range compatible {
		if _, err := s.store.LatestTemplateVersion(ctx, platform.EnvironmentTemplate, c.TemplateName, c.MajorVersion); err != nil {
			if platform.KindOf(err) == platform.NotFound {
				return platform.FieldErrorf(fmt.Sprintf("compatibleEnvironmentTemplates[%d]", i),
					"environment template %s has no major version %d", c.TemplateName, c.MajorVersion)
			}
			return err
		}
	}
	return nil
}

// maxNamedUsers is how many users of a version a refusal names.
const maxNamedUsers = 10

// DeleteTemplateVersion deletes a version nothing runs (admin role), as Proton's
// DeleteEnvironmentTemplateVersion / DeleteServiceTemplateVersion do, and returns it as it
// was. Proton's rule on the recommended version holds: the template's recommended
// version can be deleted only when it is the template's last version (the template is
// then left with none), and a published version that is the highest published minor of
// its major (that major's recommended minor) only when it is its major's last version;
// to retire such a version, deprecate it first (the recommendation moves), then delete
// it. The bundle blob is deleted once no other version refers to it. Errors: Conflict
// naming the environments, service instances or pipelines that run the version, or
// the recommendation rule it breaks, or when it or its template changed meanwhile;
// NotFound; Forbidden for a caller who is not an admin.
func (s *Service) DeleteTemplateVersion(ctx context.Context, kind platform.TemplateKind, name string, v platform.Version) (platform.TemplateVersion, error) {
	if err := requireAdmin(ctx, "deleting a template version"); err != nil {
		return platform.TemplateVersion{}, err
	}
	tv, err := s.store.GetTemplateVersion(ctx, kind, name, v)
	if err != nil {
		return tv, err
	}
	if err := s.checkUnused(ctx, tv); err != nil {
		return tv, err
	}
	t, err := s.store.GetTemplate(ctx, kind, name)
	if err != nil {
		return tv, err
	}
	others, err := s.otherVersions(ctx, kind, name, v)
	if err != nil {
		return tv, err
	}
	if t.Recommended == v {
		if len(others) > 0 {
			return tv, platform.Errorf(platform.Conflict, "%s template version %s %s is the template's recommended version and other versions exist (%s): deprecate it or recommend another version first",
				kindWord(kind), name, v, versionList(others))
		}
		t.Recommended, t.Pinned = platform.Version{}, false
	} else if tv.Status == platform.Published {
		var sameMajor []platform.TemplateVersion
		higher := false
		for _, o := range others {
			if o.Version.Major == v.Major {
				sameMajor = append(sameMajor, o)
				higher = higher || (o.Status == platform.Published && v.Less(o.Version))
			}
		}
		if len(sameMajor) > 0 && !higher {
			return tv, platform.Errorf(platform.Conflict, "%s template version %s %s is the recommended minor of major %d and other versions of it exist (%s): deprecate it first",
				kindWord(kind), name, v, v.Major, versionList(sameMajor))
		}
	}
	t.UpdatedAt = s.clock()
	if err := s.store.DeleteTemplateVersion(ctx, tv, t); err != nil {
		return tv, err
	}
	s.collectBundle(ctx, kind, name, tv.BundleKey)
	return tv, nil
}

// checkUnused returns Conflict naming what runs tv, nil when nothing does.
func (s *Service) checkUnused(ctx context.Context, tv platform.TemplateVersion) error {
	users, err := s.store.ListTemplateVersionTargets(ctx, tv.Kind, tv.TemplateName, tv.Version, platform.PageRequest{Limit: maxNamedUsers + 1})
	if err != nil || len(users.Items) == 0 {
		return err
	}
	names := make([]string, 0, maxNamedUsers)
	for i, u := range users.Items {
		if i == maxNamedUsers {
			names = append(names, "and more")
			break
		}
		names = append(names, u.Target.String())
	}
	return platform.Errorf(platform.Conflict, "%s template version %s %s is in use by %s; move or delete them first",
		kindWord(tv.Kind), tv.TemplateName, tv.Version, strings.Join(names, ", "))
}

// otherVersions returns every version of the template but v.
func (s *Service) otherVersions(ctx context.Context, kind platform.TemplateKind, name string, v platform.Version) ([]platform.TemplateVersion, error) {
	var out []platform.TemplateVersion
	page := platform.PageRequest{Limit: 100}
	for {
		versions, err := s.store.ListTemplateVersions(ctx, kind, name, page)
		if err != nil {
			return nil, err
		}
		for _, tv := range versions.Items {
			if tv.Version != v {
				out = append(out, tv)
			}
		}
		if versions.NextToken == "" {
			return out, nil
		}
		page.NextToken = versions.NextToken
	}
}

// collectBundle deletes the template's bundle blob under key unless a stored version
// refers to it. A registration of the same bundle may write its record meanwhile: the
// references are read again after the deletion, and the blob put back if one appeared
// (the registration itself writes the blob again after its record, for the other order).
// A failure is logged, not returned: a blob left behind is only space.
func (s *Service) collectBundle(ctx context.Context, kind platform.TemplateKind, name, key string) {
	if key == "" {
		return
	}
	referenced := func() (bool, error) {
		versions, err := s.otherVersions(ctx, kind, name, platform.Version{})
		for _, tv := range versions {
			if tv.BundleKey == key {
				return true, err
			}
		}
		return false, err
	}
	warn := func(what string, err error) {
		s.log.Warn(what, "key", key, "error", err)
	}
	if ref, err := referenced(); err != nil || ref {
		if err != nil {
			warn("reading the references of a bundle", err)
		}
		return
	}
	body, err := s.blobs.Get(ctx, key)
	if platform.KindOf(err) == platform.NotFound {
		return
	}
	if err != nil {
		warn("reading a bundle to collect", err)
		return
	}
	if err := s.blobs.Delete(ctx, key); err != nil {
		warn("deleting an unreferenced bundle", err)
		return
	}
	if ref, err := referenced(); err != nil || ref {
		if err := s.blobs.Put(ctx, key, body); err != nil {
			warn("putting back a bundle referenced meanwhile", err)
		}
	}
}

// versionList names versions, "1.0, 1.2".
func versionList(versions []platform.TemplateVersion) string {
	names := make([]string, len(versions))
	for i, tv := range versions {
		names[i] = tv.Version.String()
	}
	return strings.Join(names, ", ")
}

// highestPublishedExcept returns the template's highest published version other than
// except, zero when there is none.
func (s *Service) highestPublishedExcept(ctx context.Context, kind platform.TemplateKind, name string, except platform.Version) (platform.Version, error) {
	others, err := s.otherVersions(ctx, kind, name, except)
	if err != nil {
		return platform.Version{}, err
	}
	for _, tv := range others { // highest first
		if tv.Status == platform.Published {
			return tv.Version, nil
		}
	}
	return platform.Version{}, nil
}
