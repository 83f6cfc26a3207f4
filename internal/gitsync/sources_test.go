package gitsync_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/gitsync"
	"github.com/gantry-platform/gantry/internal/gitsync/gitsynctest"
	"github.com/gantry-platform/gantry/internal/platform"
)

// TestHostedRepositoriesAuthenticate reads a linked repository from a git host that wants
// HTTP basic auth (git http-backend behind a check of the Authorization header, as GitHub
// and Bitbucket want a token): with the provider's credentials the branch fetches and its
// files read; without them, or with others, the host refuses and nothing is read; a
// provider without a host is NotFound.
func TestHostedRepositoriesAuthenticate(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	remote := gitsynctest.NewRemoteAt(t, filepath.Join(root, "acme", "app.git"))
	head := remote.Commit(t, "main", "first", map[string][]byte{"proton-ops.yaml": []byte("sync: {}\n")})
	backend := gitsynctest.HTTPBackend(t, root)
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, token, ok := r.BasicAuth()
		seen = append(seen, r.URL.Path)
		if !ok || user != "x-access-token" || token != "ghs_the-token" {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		backend.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	hosts := map[platform.RepositoryProvider]string{platform.GitHub: srv.URL + "/git/"}
	repo := platform.RepositoryID{Provider: platform.GitHub, Name: "acme/app"}

	asked := []platform.RepositoryProvider{}
	creds := func(token string) gitsync.Credentials {
		return func(_ context.Context, p platform.RepositoryProvider) (string, string, error) {
			asked = append(asked, p)
			return "x-access-token", token, nil
		}
	}
	sources := &gitsync.Sources{Dir: t.TempDir(), Locate: gitsync.HostedRepositories(hosts, creds("ghs_the-token"))}
	got, err := sources.Fetch(ctx, repo, "main")
	if err != nil || got != head {
		t.Fatalf("Fetch with the token = %q, %v; want %s", got, err, head)
	}
	if b, err := sources.ReadFile(ctx, repo, head, "proton-ops.yaml"); err != nil || string(b) != "sync: {}\n" {
		t.Fatalf("ReadFile = %q, %v", b, err)
	}
	if len(asked) != 1 || asked[0] != platform.GitHub || !strings.HasSuffix(seen[0], "/git/acme/app.git/info/refs") {
		t.Fatalf("credentials asked for %v; paths %v", asked, seen)
	}

	for name, locate := range map[string]gitsync.Locate{
		"no credentials": gitsync.HostedRepositories(hosts, nil),
		"another token":  gitsync.HostedRepositories(hosts, creds("ghs_stale")),
		"an empty token": gitsync.HostedRepositories(hosts, creds("")),
	} {
		s := &gitsync.Sources{Dir: t.TempDir(), Locate: locate}
		if _, err := s.Fetch(ctx, repo, "main"); err == nil || strings.Contains(err.Error(), "ghs_") {
			t.Errorf("%s: Fetch = %v, want a refusal that does not show the token", name, err)
		}
	}

	s := &gitsync.Sources{Dir: t.TempDir(), Locate: gitsync.HostedRepositories(hosts, creds("ghs_the-token"))}
	_, err = s.Fetch(ctx, platform.RepositoryID{Provider: platform.GitHubEnterprise, Name: "acme/app"}, "main")
	if platform.KindOf(err) != platform.NotFound || !strings.Contains(err.Error(), "GITHUB_ENTERPRISE") {
		t.Fatalf("a provider without a host: %v, want NotFound", err)
	}
	failing := func(context.Context, platform.RepositoryProvider) (string, string, error) {
		return "", "", errors.New("secret unavailable")
	}
	s = &gitsync.Sources{Dir: t.TempDir(), Locate: gitsync.HostedRepositories(hosts, failing)}
	if _, err := s.Fetch(ctx, repo, "main"); err == nil || !strings.Contains(err.Error(), "secret unavailable") {
		t.Fatalf("failing credentials: %v", err)
	}
}
