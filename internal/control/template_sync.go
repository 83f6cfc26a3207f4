package control

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/gantry-platform/gantry/internal/bundle"
	"github.com/gantry-platform/gantry/internal/platform"
)

// GitRepositories reads the branches of linked repositories (gitsync.Sources: a local
// copy per repository, fetched with go-git). Errors: NotFound for a repository, branch,
// commit or file that is not there; Invalid for a file too large; Internal otherwise.
type GitRepositories interface {
	// Fetch brings branch in and returns the commit at its head.
	Fetch(ctx context.Context, repo platform.RepositoryID, branch string) (string, error)
	// Changed lists the paths that differ between two commits ("" from: all of to's).
	Changed(ctx context.Context, repo platform.RepositoryID, from, to string) ([]string, error)
	// Files returns the files under dir at commit, by path relative to dir.
	Files(ctx context.Context, repo platform.RepositoryID, commit, dir string) (map[string][]byte, error)
	// ReadFile returns one file at commit.
	ReadFile(ctx context.Context, repo platform.RepositoryID, commit, name string) ([]byte, error)
}

// TemplateSyncConfigInput is what CreateTemplateSyncConfig and UpdateTemplateSyncConfig
// take (Proton's CreateTemplateSyncConfigInput).
type TemplateSyncConfigInput struct {
	Kind         platform.TemplateKind
	TemplateName string
	Repository   platform.RepositoryID
	Branch       string
	Subdirectory string
}

func (s *Service) syncConfigured() error {
	if s.syncs == nil || s.repos == nil || s.git == nil {
		return platform.Errorf(platform.Internal, "control: sync is not configured (no sync store, repositories or git access)")
	}
	return nil
}

// checkTemplateSyncInput checks the caller may be creating or updating (verb) a template
// sync configuration, in (its subdirectory trimmed of a final slash), and that its template
// and repository exist.
func (s *Service) checkTemplateSyncInput(ctx context.Context, verb string, in *TemplateSyncConfigInput) error {
	if err := requireAdmin(ctx, verb+" a template sync configuration"); err != nil {
		return err
	}
	if err := s.syncConfigured(); err != nil {
		return err
	}
	in.Subdirectory = strings.TrimSuffix(in.Subdirectory, "/")
	if err := platform.ValidateName("templateName", in.TemplateName); err != nil {
		return err
	}
	if err := platform.ValidateRepositoryProvider("repositoryProvider", in.Repository.Provider); err != nil {
		return err
	}
	if err := platform.ValidateRepositoryName("repositoryName", in.Repository.Name); err != nil {
		return err
	}
	if err := platform.ValidateBranchName("branch", in.Branch); err != nil {
		return err
	}
	if err := platform.ValidateSubdirectory("subdirectory", in.Subdirectory); err != nil {
		return err
	}
	if _, err := s.store.GetTemplate(ctx, in.Kind, in.TemplateName); err != nil {
		return err
	}
	_, err := s.repos.GetRepository(ctx, in.Repository)
	return err
}

// CreateTemplateSyncConfig makes Gantry follow a branch for a template (admin role): from
// the next commit on, a change to [subdirectory/]<template>/v<N>/ registers a new version
// (SyncTemplateCommit). Errors: Invalid naming the field; NotFound when the template or
// the repository (CreateRepository) does not exist; Conflict when the template has a sync
// configuration already; Forbidden for a caller who is not an admin.
func (s *Service) CreateTemplateSyncConfig(ctx context.Context, in TemplateSyncConfigInput) (platform.TemplateSyncConfig, error) {
	if err := s.checkTemplateSyncInput(ctx, "creating", &in); err != nil {
		return platform.TemplateSyncConfig{}, err
	}
	now := s.clock()
	c := platform.TemplateSyncConfig{Kind: in.Kind, TemplateName: in.TemplateName, Repository: in.Repository, Branch: in.Branch,
		Subdirectory: in.Subdirectory, CreatedAt: now, UpdatedAt: now}
	if err := s.syncs.CreateTemplateSyncConfig(ctx, c); err != nil {
		if platform.KindOf(err) == platform.Conflict {
			return c, platform.Errorf(platform.Conflict, "%s template %s has a template sync configuration already", kindWord(in.Kind), in.TemplateName)
		}
		return c, err
	}
	c.Revision = 1
	return c, nil
}

// GetTemplateSyncConfig returns a template's sync configuration; NotFound when it has none.
func (s *Service) GetTemplateSyncConfig(ctx context.Context, kind platform.TemplateKind, name string) (platform.TemplateSyncConfig, error) {
	if err := s.syncConfigured(); err != nil {
		return platform.TemplateSyncConfig{}, err
	}
	return s.syncs.GetTemplateSyncConfig(ctx, kind, name)
}

// UpdateTemplateSyncConfig points a template's sync configuration at another repository,
// branch or subdirectory (admin role); the next commit there is compared with the last
// one synced when it is on the same repository, with nothing otherwise. Errors as
// CreateTemplateSyncConfig's, NotFound when the template has no configuration, Conflict
// when it changed meanwhile.
func (s *Service) UpdateTemplateSyncConfig(ctx context.Context, in TemplateSyncConfigInput) (platform.TemplateSyncConfig, error) {
	if err := s.checkTemplateSyncInput(ctx, "updating", &in); err != nil {
		return platform.TemplateSyncConfig{}, err
	}
	c, err := s.syncs.GetTemplateSyncConfig(ctx, in.Kind, in.TemplateName)
	if err != nil {
		return c, err
	}
	if c.Repository != in.Repository {
		c.LastCommit = ""
	}
	c.Repository, c.Branch, c.Subdirectory, c.UpdatedAt = in.Repository, in.Branch, in.Subdirectory, s.clock()
	if err := s.syncs.UpdateTemplateSyncConfig(ctx, c); err != nil {
		return c, err
	}
	c.Revision++
	return c, nil
}

// DeleteTemplateSyncConfig stops following a branch for a template (admin role) and
// returns the configuration removed; the versions it registered stay. NotFound when the
// template has none; Forbidden for a caller who is not an admin.
func (s *Service) DeleteTemplateSyncConfig(ctx context.Context, kind platform.TemplateKind, name string) (platform.TemplateSyncConfig, error) {
	if err := requireAdmin(ctx, "deleting a template sync configuration"); err != nil {
		return platform.TemplateSyncConfig{}, err
	}
	if err := s.syncConfigured(); err != nil {
		return platform.TemplateSyncConfig{}, err
	}
	c, err := s.syncs.GetTemplateSyncConfig(ctx, kind, name)
	if err != nil {
		return c, err
	}
	return c, s.syncs.DeleteTemplateSyncConfig(ctx, kind, name, c.Revision)
}

// GetTemplateSyncStatus returns the syncs of one major version of a template (Proton's
// GetTemplateSyncStatus: templateVersion is the major, "1"): the latest attempt, the
// latest successful one and the revision it is to reach, each nil when there is none.
// Invalid for a malformed major; NotFound when the template has no sync configuration.
func (s *Service) GetTemplateSyncStatus(ctx context.Context, kind platform.TemplateKind, name, major string) (platform.ResourceSyncStatus, error) {
	if err := s.syncConfigured(); err != nil {
		return platform.ResourceSyncStatus{}, err
	}
	n, err := strconv.Atoi(major)
	if err != nil || n < 1 || strconv.Itoa(n) != major {
		return platform.ResourceSyncStatus{}, platform.FieldErrorf("templateVersion", "%q must be a major version, e.g. \"1\"", major)
	}
	if _, err := s.syncs.GetTemplateSyncConfig(ctx, kind, name); err != nil {
		return platform.ResourceSyncStatus{}, err
	}
	st, err := s.syncs.GetResourceSyncStatus(ctx, platform.TemplateSyncStatusKey(kind, name, n))
	if platform.KindOf(err) == platform.NotFound {
		return platform.ResourceSyncStatus{}, nil
	}
	return st, err
}

// RepositorySyncDefinition is one thing a repository's branch is synced to (Proton's
// RepositorySyncDefinition): Target is synced from Directory of Branch; Parent is what
// Target belongs to (the template, the service).
type RepositorySyncDefinition struct {
	Branch    string
	Directory string
	Parent    string
	Target    string
}

// ListRepositorySyncDefinitions lists what a linked repository is synced to, for one sync
// type. Invalid for a bad provider, name, sync type or page token.
func (s *Service) ListRepositorySyncDefinitions(ctx context.Context, repo platform.RepositoryID, t platform.SyncType, page platform.PageRequest) (platform.Page[RepositorySyncDefinition], error) {
	if err := s.syncConfigured(); err != nil {
		return platform.Page[RepositorySyncDefinition]{}, err
	}
	if err := checkRepositoryID(repo); err != nil {
		return platform.Page[RepositorySyncDefinition]{}, err
	}
	if err := platform.ValidateSyncType("syncType", t); err != nil {
		return platform.Page[RepositorySyncDefinition]{}, err
	}
	if t == platform.ServiceSync {
		if s.serviceSyncs == nil {
			return platform.Page[RepositorySyncDefinition]{}, platform.Errorf(platform.Internal, "control: service sync is not configured")
		}
		configs, err := s.serviceSyncs.ListServiceSyncConfigs(ctx, repo, page)
		if err != nil {
			return platform.Page[RepositorySyncDefinition]{}, err
		}
		out := platform.Page[RepositorySyncDefinition]{NextToken: configs.NextToken}
		for _, c := range configs.Items {
			out.Items = append(out.Items, RepositorySyncDefinition{Branch: c.Branch, Directory: path.Join("/", c.FilePath), Parent: c.ServiceName, Target: c.ServiceName})
		}
		return out, nil
	}
	configs, err := s.syncs.ListTemplateSyncConfigs(ctx, repo, page)
	if err != nil {
		return platform.Page[RepositorySyncDefinition]{}, err
	}
	out := platform.Page[RepositorySyncDefinition]{NextToken: configs.NextToken}
	for _, c := range configs.Items {
		out.Items = append(out.Items, RepositorySyncDefinition{Branch: c.Branch, Directory: path.Join("/", c.Subdirectory, c.TemplateName),
			Parent: c.TemplateName, Target: c.TemplateName})
	}
	return out, nil
}

func checkRepositoryID(repo platform.RepositoryID) error {
	if err := platform.ValidateRepositoryProvider("repositoryProvider", repo.Provider); err != nil {
		return err
	}
	return platform.ValidateRepositoryName("repositoryName", repo.Name)
}

// GetRepositorySyncStatus returns the latest attempt to sync a branch of a linked
// repository for one sync type; nil when none was made. Invalid for a bad provider,
// name, branch or sync type.
func (s *Service) GetRepositorySyncStatus(ctx context.Context, repo platform.RepositoryID, branch string, t platform.SyncType) (*platform.RepositorySyncAttempt, error) {
	if err := s.syncConfigured(); err != nil {
		return nil, err
	}
	if err := checkRepositoryID(repo); err != nil {
		return nil, err
	}
	if err := platform.ValidateBranchName("branch", branch); err != nil {
		return nil, err
	}
	if err := platform.ValidateSyncType("syncType", t); err != nil {
		return nil, err
	}
	a, err := s.syncs.GetRepositorySyncAttempt(ctx, repo, branch, t)
	if platform.KindOf(err) == platform.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// SyncOutcome is what processing one commit for one sync configuration did.
type SyncOutcome struct {
	// Skipped is true when the commit had been processed for the configuration before
	// (the webhook and the poller both saw it): nothing was done this time.
	Skipped bool
	// Waiting is true when the sync must see deployments end before it can go on (a
	// service sync's promotion order): the workflow waits and runs the same execution's
	// task again, which goes on where it stopped.
	Waiting bool
	Status  platform.SyncStatus
	Events  []platform.SyncEvent
}

// syncCaller is who sync acts as: the configuration, with the role its operations need
// (only an admin may create a template sync configuration).
func syncCaller(ctx context.Context, key string) context.Context {
	return platform.WithCaller(ctx, platform.Caller{Subject: "sync:" + key, Roles: []platform.Role{platform.AdminRole}})
}

// majorFolder returns N when name is under <prefix>/v<N>/.
func majorFolder(prefix, name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, prefix+"/")
	if !ok {
		return 0, false
	}
	folder, _, ok := strings.Cut(rest, "/")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(folder, "v"))
	if !strings.HasPrefix(folder, "v") || err != nil || n < 1 || "v"+strconv.Itoa(n) != folder {
		return 0, false
	}
	return n, true
}

// SyncTemplateCommit processes commit of the branch a template sync configuration follows
// — the one step of the sync workflow for templates, run once per configuration and commit
// (by), even when the webhook and the poller both deliver it: a second run by another
// execution is Skipped; a rerun by the same one (a retried task) goes on, registering
// nothing twice (registration's digest dedupe). Each major folder the commit changed since
// the last synced commit is packed and checked as a registration checks it; a bundle that
// does not pass records a FAILED sync of that major naming the file and line and
// registers nothing; one that passes registers the next minor of its major through
// CreateTemplateVersion — nothing when its content is a version of that major already —
// and a new v<N> folder, N one above the highest major, registers major N. The
// configuration then remembers the commit, unless a major failed: the next commit is
// compared with the last good one, so the failed folder is tried again. Errors: NotFound
// when the configuration is gone; Internal (transient) when git or the store fails.
func (s *Service) SyncTemplateCommit(ctx context.Context, kind platform.TemplateKind, name, commit, by string) (SyncOutcome, error) {
	if err := s.syncConfigured(); err != nil {
		return SyncOutcome{}, err
	}
	c, err := s.syncs.GetTemplateSyncConfig(ctx, kind, name)
	if err != nil {
		return SyncOutcome{}, err
	}
	if err := s.syncs.ClaimSyncCommit(ctx, c.Key(), commit, by, s.clock()); platform.KindOf(err) == platform.Conflict {
		return SyncOutcome{Skipped: true}, nil
	} else if err != nil {
		return SyncOutcome{}, err
	}
	ctx = syncCaller(ctx, c.Key())
	started := s.clock()
	repoAttempt := platform.RepositorySyncAttempt{Commit: commit, Status: platform.SyncInProgress, StartedAt: started}
	note := func(typ, format string, args ...any) {
		repoAttempt.Events = append(repoAttempt.Events, platform.SyncEvent{Type: typ, Event: fmt.Sprintf(format, args...), ExternalID: commit, Time: s.clock()})
	}
	note("SYNC_STARTED", "sync of %s started at commit %s", name, short(commit))
	if err := s.syncs.PutRepositorySyncAttempt(ctx, c.Repository, c.Branch, platform.TemplateSync, repoAttempt); err != nil {
		return SyncOutcome{}, err
	}
	if _, err := s.git.Fetch(ctx, c.Repository, c.Branch); err != nil {
		return SyncOutcome{}, err
	}
	changed, err := s.git.Changed(ctx, c.Repository, c.LastCommit, commit)
	if platform.KindOf(err) == platform.NotFound && c.LastCommit != "" {
		changed, err = s.git.Changed(ctx, c.Repository, "", commit) // history rewritten: compare with nothing
	}
	if err != nil {
		return SyncOutcome{}, err
	}
	prefix := path.Join(c.Subdirectory, c.TemplateName)
	var majors []int
	for _, p := range changed {
		if n, ok := majorFolder(prefix, p); ok && !slices.Contains(majors, n) {
			majors = append(majors, n)
		}
	}
	slices.Sort(majors)
	status := platform.SyncSucceeded
	if len(majors) == 0 {
		note("NO_CHANGE", "commit %s changes no version folder of %s (%s/v<N>)", short(commit), name, prefix)
	}
	for _, major := range majors {
		ok, err := s.syncTemplateMajor(ctx, c, major, commit)
		if err != nil {
			return SyncOutcome{}, err
		}
		if ok {
			note("TEMPLATE_SYNCED", "%s/v%d synced", prefix, major)
		} else {
			status = platform.SyncFailed
			note("TEMPLATE_SYNC_FAILED", "%s/v%d did not sync: see GetTemplateSyncStatus", prefix, major)
		}
	}
	if status == platform.SyncSucceeded {
		c.LastCommit = commit
		if err := s.syncs.UpdateTemplateSyncConfig(ctx, c); err != nil && platform.KindOf(err) != platform.Conflict {
			return SyncOutcome{}, err
		}
	}
	repoAttempt.Status = status
	note("SYNC_"+string(status), "sync of %s at commit %s %s", name, short(commit), strings.ToLower(string(status)))
	if err := s.syncs.PutRepositorySyncAttempt(ctx, c.Repository, c.Branch, platform.TemplateSync, repoAttempt); err != nil {
		return SyncOutcome{}, err
	}
	return SyncOutcome{Status: status, Events: repoAttempt.Events}, nil
}

// syncTemplateMajor syncs the folder of one major at commit and records the attempt; it
// reports whether it succeeded, and returns an error only for a failure worth a retry.
func (s *Service) syncTemplateMajor(ctx context.Context, c platform.TemplateSyncConfig, major int, commit string) (bool, error) {
	folder := c.Folder(major)
	rev := platform.SyncRevision{Repository: c.Repository, Branch: c.Branch, Directory: folder, Commit: commit}
	attempt := platform.ResourceSyncAttempt{Target: c.TemplateName, InitialRevision: rev, TargetRevision: rev, Status: platform.SyncInProgress, StartedAt: s.clock()}
	event := func(typ, externalID, format string, args ...any) {
		attempt.Events = append(attempt.Events, platform.SyncEvent{Type: typ, Event: fmt.Sprintf(format, args...), ExternalID: externalID, Time: s.clock()})
	}
	finish := func(status platform.SyncStatus) (bool, error) {
		attempt.Status = status
		err := s.syncs.PutResourceSyncAttempt(ctx, platform.TemplateSyncStatusKey(c.Kind, c.TemplateName, major), attempt, &rev)
		return status == platform.SyncSucceeded, err
	}
	files, err := s.git.Files(ctx, c.Repository, commit, folder)
	if platform.KindOf(err) == platform.Invalid {
		event("BUNDLE_INVALID", "", "%s", platform.MessageOf(err))
		return finish(platform.SyncFailed)
	}
	if err != nil {
		return false, err
	}
	if len(files) == 0 {
		event("FOLDER_REMOVED", "", "%s was removed at commit %s; its versions stay registered", folder, short(commit))
		return finish(platform.SyncSucceeded)
	}
	archive, err := bundle.PackFiles(files)
	if err != nil {
		return false, err
	}
	in := CreateVersionInput{Bundle: archive, Description: fmt.Sprintf("synced from %s %s at %s", c.Repository, folder, short(commit))}
	if len(archive) > maxBundleBytes {
		event("BUNDLE_INVALID", "", "%s: the bundle is %d bytes packed; Proton's limit, kept here, is 5 MB", folder, len(archive))
		return finish(platform.SyncFailed)
	}
	// The same checks as registration's, before anything is written: a bundle that does
	// not pass leaves no failed version behind.
	if _, err := s.checkRegistration(ctx, platform.TemplateVersion{Kind: c.Kind, TemplateName: c.TemplateName}, in); err != nil {
		if platform.KindOf(err) != platform.Invalid && platform.KindOf(err) != platform.NotFound {
			return false, err
		}
		event("BUNDLE_INVALID", "", "%s: %s", folder, platform.MessageOf(err))
		return finish(platform.SyncFailed)
	}
	latest, err := s.store.LatestTemplateVersion(ctx, c.Kind, c.TemplateName, 0)
	highest := 0
	switch {
	case err == nil:
		highest = latest.Version.Major
	case platform.KindOf(err) != platform.NotFound:
		return false, err
	}
	switch {
	case major <= highest:
		in.Major = major
	case major == highest+1:
		in.Major = 0 // a new major: registration numbers it highest+1
	default:
		event("MAJOR_SKIPPED", "", "%s: template %s has majors up to %d; the next major folder must be v%d", folder, c.TemplateName, highest, highest+1)
		return finish(platform.SyncFailed)
	}
	before := s.clock()
	tv, err := s.CreateTemplateVersion(ctx, c.Kind, c.TemplateName, in)
	switch {
	case err == nil && tv.CreatedAt.Before(before):
		event("TEMPLATE_VERSION_UNCHANGED", tv.Version.String(), "%s is version %s already: nothing registered", folder, tv.Version)
		return finish(platform.SyncSucceeded)
	case err == nil:
		event("TEMPLATE_VERSION_REGISTERED", tv.Version.String(), "%s registered as version %s (%s)", folder, tv.Version, tv.Status)
		return finish(platform.SyncSucceeded)
	case platform.KindOf(err) == platform.Invalid || platform.KindOf(err) == platform.Conflict:
		event("TEMPLATE_VERSION_FAILED", tv.Version.String(), "%s: %s", folder, platform.MessageOf(err))
		return finish(platform.SyncFailed)
	default:
		return false, err
	}
}

func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}
