package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/gantry-platform/gantry/internal/apiclient"
	"github.com/gantry-platform/gantry/internal/apimodel"
)

func templateSyncCommand() func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const flags = "--type ENVIRONMENT|SERVICE --template NAME --provider GITHUB|GITHUB_ENTERPRISE|BITBUCKET --repository OWNER/REPO --branch BRANCH [--subdirectory DIR]"
	return resource("template-sync", []verb{
		{"create", "follow a branch of a linked repository for a template (admin)", "usage: gantry template-sync create " + flags + `

A commit changing [DIR/]<template>/v<N>/ registers the next minor of major N (nothing when
the content is a version already); a new v<N> folder registers major N.
`, templateSyncWrite(true)},
		{"update", "point a template's sync at another repository, branch or subdirectory (admin)", "usage: gantry template-sync update " + flags + "\n", templateSyncWrite(false)},
		{"show", "show a template's sync configuration", "usage: gantry template-sync show --type ENVIRONMENT|SERVICE --template NAME\n", templateSyncShow},
		{"delete", "stop following a branch for a template (admin)", "usage: gantry template-sync delete --type ENVIRONMENT|SERVICE --template NAME\n", templateSyncDelete},
		{"status", "the latest and latest successful sync of one major", "usage: gantry template-sync status --type ENVIRONMENT|SERVICE --template NAME --major N\n", templateSyncStatus},
	})
}

func templateSyncTarget(a *apiCommand) (templateType, name *string) {
	templateType, name = new(string), new(string)
	a.fs.StringVar(templateType, "type", "", "ENVIRONMENT or SERVICE (required)")
	a.fs.StringVar(name, "template", "", "the template's name (required)")
	a.required(templateType, "type")
	a.required(name, "template")
	return templateType, name
}

func writeTemplateSyncConfig(w io.Writer, c apiclient.TemplateSyncConfig) {
	writeFields(w, []field{{"template", c.TemplateName}, {"type", c.TemplateType}, {"repository", c.RepositoryProvider + ":" + c.RepositoryName},
		{"branch", c.Branch}, {"subdirectory", c.Subdirectory}})
}

func templateSyncWrite(create bool) func(a *apiCommand) action {
	return func(a *apiCommand) action {
		var in apimodel.TemplateSyncConfig
		templateType, name := templateSyncTarget(a)
		a.fs.StringVar(&in.RepositoryProvider, "provider", "", "GITHUB, GITHUB_ENTERPRISE or BITBUCKET (required)")
		a.fs.StringVar(&in.RepositoryName, "repository", "", "the linked repository, owner/repo (required)")
		a.fs.StringVar(&in.Branch, "branch", "", "the branch to follow (required)")
		a.fs.StringVar(&in.Subdirectory, "subdirectory", "", "the folder holding <template>/v<N>/")
		a.required(&in.RepositoryProvider, "provider")
		a.required(&in.RepositoryName, "repository")
		a.required(&in.Branch, "branch")
		return func(ctx context.Context) int {
			in.TemplateType, in.TemplateName = strings.ToUpper(*templateType), *name
			call := a.client.UpdateTemplateSyncConfig
			if create {
				call = a.client.CreateTemplateSyncConfig
			}
			c, err := call(ctx, in)
			return a.answer(err, c.Raw, func(w io.Writer) { writeTemplateSyncConfig(w, c) })
		}
	}
}

func templateSyncShow(a *apiCommand) action {
	templateType, name := templateSyncTarget(a)
	return func(ctx context.Context) int {
		c, err := a.client.GetTemplateSyncConfig(ctx, strings.ToUpper(*templateType), *name)
		return a.answer(err, c.Raw, func(w io.Writer) { writeTemplateSyncConfig(w, c) })
	}
}

func templateSyncDelete(a *apiCommand) action {
	templateType, name := templateSyncTarget(a)
	return func(ctx context.Context) int {
		c, err := a.client.DeleteTemplateSyncConfig(ctx, strings.ToUpper(*templateType), *name)
		return a.answer(err, c.Raw, func(w io.Writer) { writeTemplateSyncConfig(w, c) })
	}
}

func writeSyncAttempt(w io.Writer, what string, a *apimodel.ResourceSyncAttempt) {
	if a == nil {
		fmt.Fprintf(w, "%s: none\n", what)
		return
	}
	fmt.Fprintf(w, "%s: %s at %s (%s, started %s)\n", what, a.Status, shortSha(a.TargetRevision.Sha), a.TargetRevision.Directory, timeText(a.StartedAt))
	writeSyncEvents(w, a.Events)
}

func writeSyncEvents(w io.Writer, events []apimodel.SyncEvent) {
	for _, e := range events {
		fmt.Fprintf(w, "  %s  %-28s %s\n", timeText(e.Time), e.Type, e.Event)
	}
}

func shortSha(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

func templateSyncStatus(a *apiCommand) action {
	templateType, name := templateSyncTarget(a)
	major := a.fs.String("major", "", "the major version (required)")
	a.required(major, "major")
	return func(ctx context.Context) int {
		st, err := a.client.GetTemplateSyncStatus(ctx, strings.ToUpper(*templateType), *name, *major)
		return a.answer(err, st.Raw, func(w io.Writer) {
			writeSyncAttempt(w, "latest sync", st.LatestSync)
			writeSyncAttempt(w, "latest successful sync", st.LatestSuccessfulSync)
		})
	}
}

func repositorySyncCommand() func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const repo = "--provider GITHUB|GITHUB_ENTERPRISE|BITBUCKET --repository OWNER/REPO"
	return resource("repository-sync", []verb{
		{"definitions", "what a linked repository is synced to", "usage: gantry repository-sync definitions " + repo + " [--sync-type TEMPLATE_SYNC|SERVICE_SYNC]\n", repositorySyncDefinitions},
		{"status", "the latest sync of a branch", "usage: gantry repository-sync status " + repo + " --branch BRANCH [--sync-type TEMPLATE_SYNC|SERVICE_SYNC]\n", repositorySyncStatus},
		{"webhook-secret", "set the secret that signs the repository's push webhooks (admin)", "usage: gantry repository-sync webhook-secret " + repo + " --secret SECRET\n", repositoryWebhookSecret},
	})
}

func repositoryFlags(a *apiCommand) (provider, name *string) {
	provider, name = new(string), new(string)
	a.fs.StringVar(provider, "provider", "", "GITHUB, GITHUB_ENTERPRISE or BITBUCKET (required)")
	a.fs.StringVar(name, "repository", "", "the linked repository, owner/repo (required)")
	a.required(provider, "provider")
	a.required(name, "repository")
	return provider, name
}

func repositorySyncDefinitions(a *apiCommand) action {
	provider, name := repositoryFlags(a)
	syncType := a.fs.String("sync-type", "TEMPLATE_SYNC", "TEMPLATE_SYNC or SERVICE_SYNC")
	a.pageFlags()
	return func(ctx context.Context) int {
		page := func(ctx context.Context, p apiclient.PageRequest) (apiclient.Page[apimodel.RepositorySyncDefinition], error) {
			return a.client.ListRepositorySyncDefinitions(ctx, *provider, *name, *syncType, p)
		}
		return list(ctx, a, page, func(d apimodel.RepositorySyncDefinition) json.RawMessage { b, _ := json.Marshal(d); return b },
			[]string{"TARGET", "PARENT", "BRANCH", "DIRECTORY"},
			func(d apimodel.RepositorySyncDefinition) []string {
				return []string{d.Target, d.Parent, d.Branch, d.Directory}
			})
	}
}

func repositorySyncStatus(a *apiCommand) action {
	provider, name := repositoryFlags(a)
	branch := a.fs.String("branch", "", "the branch (required)")
	syncType := a.fs.String("sync-type", "TEMPLATE_SYNC", "TEMPLATE_SYNC or SERVICE_SYNC")
	a.required(branch, "branch")
	return func(ctx context.Context) int {
		st, err := a.client.GetRepositorySyncStatus(ctx, *provider, *name, *branch, *syncType)
		return a.answer(err, st.Raw, func(w io.Writer) {
			if st.LatestSync == nil {
				fmt.Fprintln(w, "never synced")
				return
			}
			fmt.Fprintf(w, "%s at %s (started %s)\n", st.LatestSync.Status, shortSha(st.LatestSync.Sha), timeText(st.LatestSync.StartedAt))
			writeSyncEvents(w, st.LatestSync.Events)
		})
	}
}

func repositoryWebhookSecret(a *apiCommand) action {
	provider, name := repositoryFlags(a)
	secret := a.fs.String("secret", "", "the webhook secret, 16 to 256 characters (required)")
	a.required(secret, "secret")
	return func(ctx context.Context) int {
		hook, err := a.client.PutRepositoryWebhookSecret(ctx, *provider, *name, *secret)
		return a.answer(err, hook.Raw, func(w io.Writer) {
			fmt.Fprintf(w, "push webhooks of %s:%s go to <API>%s, signed with the secret\n", hook.RepositoryProvider, hook.RepositoryName, hook.Path)
		})
	}
}
