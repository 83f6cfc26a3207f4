package control

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"

	"github.com/gantry-platform/gantry/internal/platform"
)

// maxBundleBytes is Proton's limit on a template bundle.
const maxBundleBytes = 5 << 20

// registrationAttempts bounds how often a registration takes the next version number when
// concurrent registrations took the one it chose.
const registrationAttempts = 8

// CreateTemplateVersion registers a bundle as a new version (admin role): the next minor of
// in.Major, or a new major when in.Major is 0. As in Proton, the version is reserved first
// as REGISTRATION_IN_PROGRESS, then checked — exactly as `gantry validate` checks a bundle —
// and ends DRAFT or REGISTRATION_FAILED with a statusMessage naming the file and line.
// Gantry registers synchronously: the answer is the DRAFT version, or the Invalid error
// whose message the failed version keeps (it stays listed until deleted, its number used).
// The bundle is kept under a key named by its SHA-256 digest, written before the record
// and deleted again once no version refers to it (a failed version refers to none).
// Idempotency: a repeat with the same client token and parameters returns the first
// call's outcome; a bundle with the same digest as a version already in that major (not
// failed) returns that version instead of a new minor — one of them when several
// identical registrations race; and one that failed before fails the same way again.
// Errors: Invalid for a bundle that is not valid (the message names the file and the
// problem), an empty or too large body, an unknown major, a compatible environment
// template that does not exist; NotFound when the template does not exist; Conflict for
// a client token used with other parameters; Forbidden for a caller who is not an admin.
func (s *Service) CreateTemplateVersion(ctx context.Context, kind platform.TemplateKind, name string, in CreateVersionInput) (platform.TemplateVersion, error) {
	if err := requireAdmin(ctx, "registering a template version"); err != nil {
		return platform.TemplateVersion{}, err
	}
	if _, err := s.store.GetTemplate(ctx, kind, name); err != nil {
		return platform.TemplateVersion{}, err
	}
	if len(in.Bundle) == 0 {
		return platform.TemplateVersion{}, platform.Errorf(platform.Invalid, "the request body must be the bundle as a .tar.gz (Content-Type: application/gzip)")
	}
	if len(in.Bundle) > maxBundleBytes {
		return platform.TemplateVersion{}, platform.Errorf(platform.Invalid, "the bundle is %d bytes; Proton's limit, kept here, is 5 MB", len(in.Bundle))
	}
	if err := platform.ValidateComponentSources("supportedComponentSources", in.SupportedComponentSources); err != nil {
		return platform.TemplateVersion{}, err
	}
	if kind == platform.EnvironmentTemplate && len(in.SupportedComponentSources) > 0 {
		return platform.TemplateVersion{}, platform.FieldErrorf("supportedComponentSources", "applies to service templates only")
	}
	if _, err := s.nextVersion(ctx, kind, name, in.Major); err != nil {
		return platform.TemplateVersion{}, err
	}
	sum := sha256.Sum256(in.Bundle)
	digest := hex.EncodeToString(sum[:])
	params := struct {
		Kind                      platform.TemplateKind
		Name                      string
		Major                     int
		Description               string
		Digest                    string
		CompatibleEnvironments    []platform.CompatibleEnvironment
		SupportedComponentSources []string
	}{kind, name, in.Major, in.Description, digest, in.CompatibleEnvironments, in.SupportedComponentSources}
	replay := func(version string) (platform.TemplateVersion, error) {
		v, err := platform.ParseVersion(version)
		if err != nil {
			return platform.TemplateVersion{}, err
		}
		tv, err := s.store.GetTemplateVersion(ctx, kind, name, v)
		if err != nil {
			return tv, err
		}
		return registrationOutcome(tv)
	}
	return idempotent(ctx, s, "CreateTemplateVersion:"+string(kind)+":"+name, in.ClientToken, params, replay, func(token *platform.ClientToken) (platform.TemplateVersion, error) {
		return s.register(ctx, kind, name, in, digest, token)
	})
}

// registrationOutcome is what a registration answers for version tv: the version, or for
// a failed one the Invalid error its status message keeps.
func registrationOutcome(tv platform.TemplateVersion) (platform.TemplateVersion, error) {
	if tv.Status == platform.RegistrationFailed {
		return tv, platform.Errorf(platform.Invalid, "%s", tv.StatusMessage)
	}
	return tv, nil
}

// bundleKey is where a template's bundle of that digest is kept.
func bundleKey(kind platform.TemplateKind, name, digest string) string {
	return fmt.Sprintf("bundles/%s/%s/%s.tar.gz", kind, name, digest)
}

// register is CreateTemplateVersion once its client token is checked.
func (s *Service) register(ctx context.Context, kind platform.TemplateKind, name string, in CreateVersionInput, digest string, token *platform.ClientToken) (platform.TemplateVersion, error) {
	key := bundleKey(kind, name, digest)
	if err := s.blobs.Put(ctx, key, in.Bundle); err != nil {
		return platform.TemplateVersion{}, err
	}
	// Unless a version refers to the blob in the end, it goes (collectBundle checks).
	referred := false
	defer func() {
		if !referred {
			s.collectBundle(ctx, kind, name, key)
		}
	}()
	var tv platform.TemplateVersion
	for attempt := 0; ; attempt++ {
		if in.Major > 0 {
			same, found, err := s.sameBundle(ctx, kind, name, in, digest)
			if err != nil {
				return same, err
			}
			if found {
				referred = same.BundleKey == key
				if len(in.CompatibleEnvironments) > 0 && !slices.Equal(in.CompatibleEnvironments, same.CompatibleEnvironments) ||
					in.SupportedComponentSources != nil && !slices.Equal(in.SupportedComponentSources, same.SupportedComponentSources) {
					return same, platform.Errorf(platform.Conflict, "this bundle is %s template version %s %s already, with other compatible environment templates or component sources: update that version instead",
						kindWord(kind), name, same.Version)
				}
				return registrationOutcome(same)
			}
		}
		v, err := s.nextVersion(ctx, kind, name, in.Major)
		if err != nil {
			return platform.TemplateVersion{}, err
		}
		now := s.clock()
		tv = platform.TemplateVersion{Kind: kind, TemplateName: name, Version: v, Status: platform.RegistrationInProgress,
			Description: in.Description, BundleKey: key, BundleDigest: digest, CreatedAt: now, UpdatedAt: now,
			CompatibleEnvironments: in.CompatibleEnvironments, SupportedComponentSources: in.SupportedComponentSources}
		if token != nil {
			token.Result = v.String()
		}
		err = s.store.CreateTemplateVersion(ctx, tv, token)
		if err == nil {
			break
		}
		if platform.KindOf(err) != platform.Conflict || attempt == registrationAttempts-1 {
			return platform.TemplateVersion{}, err
		}
		if token != nil {
			if _, terr := s.store.GetClientToken(ctx, token.Scope, token.Token); terr == nil {
				return platform.TemplateVersion{}, err // a concurrent call with the token won: it is replayed
			}
		}
		// Another registration took this number first: look again.
	}
	tv.Revision = 1
	checked, err := s.checkRegistration(ctx, tv, in)
	if err != nil {
		return s.failRegistration(ctx, tv, err)
	}
	referred = true
	checked.Status, checked.UpdatedAt = platform.Draft, s.clock()
	if err := s.store.UpdateTemplateVersion(ctx, checked, nil); err != nil {
		return checked, err
	}
	checked.Revision++
	// A concurrent deletion of another version with this bundle may have removed the blob
	// after this registration wrote it: write it again now that the record refers to it.
	if err := s.blobs.Put(ctx, key, in.Bundle); err != nil {
		return checked, err
	}
	return checked, nil
}

// checkRegistration runs the checks of a reserved version tv: the bundle's (the engine's
// InspectBundle, as `gantry validate`), its compatible environment templates and component
// sources; it returns tv with what the bundle says filled in.
func (s *Service) checkRegistration(ctx context.Context, tv platform.TemplateVersion, in CreateVersionInput) (platform.TemplateVersion, error) {
	facts, err := s.engine.InspectBundle(ctx, tv.Kind, in.Bundle)
	if err != nil {
		return tv, err
	}
	compatible := facts.CompatibleEnvironments
	if len(in.CompatibleEnvironments) > 0 {
		compatible = in.CompatibleEnvironments
	}
	sources := facts.SupportedComponentSources
	if in.SupportedComponentSources != nil {
		sources = in.SupportedComponentSources
	}
	if tv.Kind == platform.EnvironmentTemplate && len(sources) > 0 {
		return tv, platform.FieldErrorf("supportedComponentSources", "applies to service templates only")
	}
	if tv.Kind == platform.ServiceTemplate {
		if err := s.checkCompatible(ctx, compatible); err != nil {
			return tv, err
		}
	}
	tv.Schema, tv.HasPipeline = facts.Schema, facts.HasPipeline
	tv.Engine, tv.PipelineEngine = facts.Engine, facts.PipelineEngine
	tv.CompatibleEnvironments, tv.SupportedComponentSources = compatible, sources
	return tv, nil
}

// failRegistration records tv as REGISTRATION_FAILED with why's message, referring to no
// bundle, and returns why. A failure that is not the
// bundle's (Internal) is recorded without its details, which stay in the log.
func (s *Service) failRegistration(ctx context.Context, tv platform.TemplateVersion, why error) (platform.TemplateVersion, error) {
	tv.Status, tv.StatusMessage, tv.UpdatedAt = platform.RegistrationFailed, platform.MessageOf(why), s.clock()
	if platform.KindOf(why) == platform.Internal {
		tv.StatusMessage = "registration failed by an internal error; register the bundle again"
		s.log.Error("registering a template version", "template", tv.TemplateName, "version", tv.Version.String(), "error", why)
	}
	tv.BundleKey = "" // the caller collects the blob
	if err := s.store.UpdateTemplateVersion(ctx, tv, nil); err != nil {
		s.log.Error("recording a failed registration", "template", tv.TemplateName, "version", tv.Version.String(), "error", err)
		return tv, why
	}
	tv.Revision++
	return tv, why
}

// sameBundle returns the version of in.Major whose bundle has digest, if one does; a
// failed registration counts only while no other one does.
func (s *Service) sameBundle(ctx context.Context, kind platform.TemplateKind, name string, in CreateVersionInput, digest string) (platform.TemplateVersion, bool, error) {
	major := in.Major
	var failed *platform.TemplateVersion
	page := platform.PageRequest{Limit: 100}
	for {
		versions, err := s.store.ListTemplateVersions(ctx, kind, name, page)
		if err != nil {
			return platform.TemplateVersion{}, false, err
		}
		for _, tv := range versions.Items {
			switch {
			case tv.Version.Major > major || tv.BundleDigest != digest:
			case tv.Version.Major < major:
				versions.NextToken = ""
			case tv.Status != platform.RegistrationFailed:
				return tv, true, nil
			case failed == nil:
				f := tv
				failed = &f
			}
		}
		if versions.NextToken == "" {
			if failed != nil {
				return *failed, true, nil
			}
			return platform.TemplateVersion{}, false, nil
		}
		page.NextToken = versions.NextToken
	}
}
