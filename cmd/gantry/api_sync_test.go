package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/gitsync"
	"github.com/gantry-platform/gantry/internal/gitsync/gitsynctest"
	"github.com/gantry-platform/gantry/internal/local"
	"github.com/gantry-platform/gantry/internal/platform"
)

// TestTemplateSyncCommands points a template sync at a linked repository with gantry
// template-sync create, lets the poller find the golden-path vpc-ecs there (registering
// 1.0), and reads the outcome with template-sync status and repository-sync.
func TestTemplateSyncCommands(t *testing.T) {
	repos := t.TempDir()
	ap := startAPIPlatform(t, func(c *local.Config) { c.RepositoriesDir, c.PollInterval = repos, 50*time.Millisecond })
	repo := platform.RepositoryID{Provider: platform.GitHub, Name: "acme/templates"}
	admin := platform.WithCaller(t.Context(), platform.Caller{Subject: "cli-admin", Roles: []platform.Role{platform.AdminRole}})
	if _, err := ap.platform.Control.CreateRepository(admin, control.CreateRepositoryInput{Provider: repo.Provider, Name: repo.Name,
		ConnectionARN: "arn:aws:codestar-connections:us-east-1:000000000000:connection/local"}); err != nil {
		t.Fatal(err)
	}
	remote := gitsynctest.NewRemoteAt(t, gitsync.LocalRepositoryPath(repos, repo))
	commit := remote.Commit(t, "main", "vpc-ecs", gitsynctest.Files(t, filepath.Join("..", "..", "templates", "environments", "vpc-ecs", "v1"), "envs/vpc-ecs/v1"))
	ap.must(t, ap.adminFile, "templates", "create", "--kind", "environment", "--name", "vpc-ecs")

	args := []string{"--type", "environment", "--template", "vpc-ecs", "--provider", "GITHUB", "--repository", repo.Name, "--branch", "main", "--subdirectory", "envs"}
	if code, _, errOut := ap.as(t, ap.devFile, append([]string{"template-sync", "create"}, args...)...); code != exitProblems || !strings.Contains(errOut, "AccessDenied") {
		t.Fatalf("a developer's template-sync create: exit %d, %s", code, errOut)
	}
	if out := ap.must(t, ap.adminFile, append([]string{"template-sync", "create"}, args...)...); !strings.Contains(out, "GITHUB:acme/templates") {
		t.Fatalf("template-sync create printed %q", out)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		out := ap.must(t, ap.devFile, "template-sync", "status", "--type", "environment", "--template", "vpc-ecs", "--major", "1")
		repoOut := ap.must(t, ap.devFile, "repository-sync", "status", "--provider", "GITHUB", "--repository", repo.Name, "--branch", "main")
		if strings.Contains(out, "latest sync: SUCCEEDED at "+commit[:12]) && strings.Contains(out, "TEMPLATE_VERSION_REGISTERED") &&
			strings.Contains(repoOut, "SUCCEEDED at "+commit[:12]) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the poller did not sync the commit: %s", out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if out := ap.must(t, ap.devFile, "repository-sync", "definitions", "--provider", "GITHUB", "--repository", repo.Name); !strings.Contains(out, "/envs/vpc-ecs") {
		t.Fatalf("repository-sync definitions printed %q", out)
	}
	if out := ap.must(t, ap.adminFile, "repository-sync", "webhook-secret", "--provider", "GITHUB", "--repository", repo.Name, "--secret", "sixteen-chars-or-more"); !strings.Contains(out, "/webhooks/GITHUB") {
		t.Fatalf("repository-sync webhook-secret printed %q", out)
	}
	if out := ap.must(t, ap.adminFile, "template-sync", "delete", "--type", "environment", "--template", "vpc-ecs"); !strings.Contains(out, "main") {
		t.Fatalf("template-sync delete printed %q", out)
	}
}
