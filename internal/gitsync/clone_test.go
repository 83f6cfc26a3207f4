package gitsync_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gantry-platform/gantry/internal/gitsync"
	"github.com/gantry-platform/gantry/internal/gitsync/gitsynctest"
	"github.com/gantry-platform/gantry/internal/platform"
)

func mustClone(t *testing.T, url string) *gitsync.Clone {
	t.Helper()
	c, err := gitsync.OpenClone(t.TempDir(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCloneFetchesReadsAndDiffs(t *testing.T) {
	ctx := context.Background()
	remote := gitsynctest.NewRemote(t)
	first := remote.Commit(t, "main", "first", map[string][]byte{
		"svc/v1/schema/schema.yaml": []byte("schema: 1\n"),
		"svc/v1/README.md":          []byte("one\n"),
		"other/file.txt":            []byte("x\n"),
	})
	c := mustClone(t, remote.Dir)
	head, err := c.Fetch(ctx, "main")
	if err != nil || head != first {
		t.Fatalf("Fetch = %q, %v; want %q", head, err, first)
	}
	files, err := c.Files(first, "svc")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || string(files["v1/schema/schema.yaml"]) != "schema: 1\n" {
		t.Fatalf("Files(svc) = %v", files)
	}
	all, err := c.Changed("", first)
	if err != nil || !slices.Equal(all, []string{"other/file.txt", "svc/v1/README.md", "svc/v1/schema/schema.yaml"}) {
		t.Fatalf("Changed from nothing = %v, %v", all, err)
	}

	second := remote.Commit(t, "main", "second", map[string][]byte{
		"svc/v1/README.md":          []byte("two\n"),
		"other/file.txt":            nil,
		"svc/v2/schema/schema.yaml": []byte("schema: 2\n"),
	})
	if head, err := c.Fetch(ctx, "main"); err != nil || head != second {
		t.Fatalf("Fetch = %q, %v; want %q", head, err, second)
	}
	changed, err := c.Changed(first, second)
	if err != nil || !slices.Equal(changed, []string{"other/file.txt", "svc/v1/README.md", "svc/v2/schema/schema.yaml"}) {
		t.Fatalf("Changed = %v, %v", changed, err)
	}
	if b, err := c.ReadFile(second, "svc/v1/README.md"); err != nil || string(b) != "two\n" {
		t.Fatalf("ReadFile = %q, %v", b, err)
	}
	if _, err := c.ReadFile(second, "other/file.txt"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("ReadFile of a removed file: %v, want NotFound", err)
	}
	if ok, err := c.IsAncestor(first, second); err != nil || !ok {
		t.Fatalf("IsAncestor(first, second) = %v, %v", ok, err)
	}
	if ok, err := c.IsAncestor(second, first); err != nil || ok {
		t.Fatalf("IsAncestor(second, first) = %v, %v", ok, err)
	}
	if msg, err := c.CommitMessage(second); err != nil || msg != "second" {
		t.Fatalf("CommitMessage = %q, %v", msg, err)
	}
}

func TestCloneRefusesWhatIsNotThere(t *testing.T) {
	ctx := context.Background()
	remote := gitsynctest.NewRemote(t)
	c := mustClone(t, remote.Dir)
	if _, err := c.RemoteHead(ctx, "main"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("RemoteHead of an empty repository: %v, want NotFound", err)
	}
	remote.Commit(t, "main", "first", map[string][]byte{"a": []byte("a")})
	if _, err := c.Fetch(ctx, "nope"); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("Fetch of a missing branch: %v, want NotFound", err)
	}
	if _, err := c.Fetch(ctx, "bad..name"); platform.KindOf(err) != platform.Invalid {
		t.Fatalf("Fetch of a bad branch name: %v, want Invalid", err)
	}
	if _, err := c.Files(strings.Repeat("ab", 20), ""); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("Files of an unknown commit: %v, want NotFound", err)
	}
	if _, err := gitsync.OpenClone(t.TempDir(), " ", nil); platform.KindOf(err) != platform.Invalid {
		t.Fatalf("OpenClone without url: %v, want Invalid", err)
	}
}

// gitServer serves the bare repositories under root over git's smart HTTP protocol (git
// http-backend, as a git host does) and counts the requests it answers.
func gitServer(t *testing.T, root string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	backend := gitsynctest.HTTPBackend(t, root)
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		backend.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestPollerCostsOneRequestOnAQuietRepository(t *testing.T) {
	ctx := context.Background()
	remote := gitsynctest.NewRemote(t)
	first := remote.Commit(t, "main", "first", map[string][]byte{"a": []byte("1")})
	srv, requests := gitServer(t, filepath.Dir(remote.Dir))
	c := mustClone(t, srv.URL+"/git/"+filepath.Base(remote.Dir))

	var delivered []string
	p := &gitsync.Poller{
		Watches: func(context.Context) ([]gitsync.Watch, error) {
			return []gitsync.Watch{{Key: "cfg", Clone: c, Branch: "main"}}, nil
		},
		Deliver: func(ctx context.Context, w gitsync.Watch, commit string) error {
			delivered = append(delivered, commit)
			_, err := w.Clone.Fetch(ctx, w.Branch)
			return err
		},
	}
	if err := p.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(delivered, []string{first}) {
		t.Fatalf("first round delivered %v, want [%s]", delivered, first)
	}
	before := requests.Load()
	for range 3 {
		if err := p.Poll(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := requests.Load() - before; got != 3 {
		t.Fatalf("three quiet rounds cost %d requests, want 3 (one each)", got)
	}
	if len(delivered) != 1 {
		t.Fatalf("quiet rounds delivered %v", delivered[1:])
	}
	second := remote.Commit(t, "main", "second", map[string][]byte{"a": []byte("2")})
	if err := p.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(delivered, []string{first, second}) {
		t.Fatalf("delivered %v, want [%s %s]", delivered, first, second)
	}
	files, err := c.Files(second, "")
	if err != nil || string(files["a"]) != "2" {
		t.Fatalf("after the fetch over HTTP: %v, %v", files, err)
	}
}

func TestPollerTriesAgainWhatFailedToDeliver(t *testing.T) {
	ctx := context.Background()
	remote := gitsynctest.NewRemote(t)
	first := remote.Commit(t, "main", "first", map[string][]byte{"a": []byte("1")})
	c := mustClone(t, remote.Dir)
	fail := true
	var delivered []string
	p := &gitsync.Poller{
		Watches: func(context.Context) ([]gitsync.Watch, error) {
			return []gitsync.Watch{{Key: "cfg", Clone: c, Branch: "main"}}, nil
		},
		Deliver: func(ctx context.Context, w gitsync.Watch, commit string) error {
			if fail {
				return platform.Errorf(platform.Internal, "down")
			}
			delivered = append(delivered, commit)
			return nil
		},
	}
	if err := p.Poll(ctx); err == nil {
		t.Fatal("a failed delivery is not reported")
	}
	fail = false
	if err := p.Poll(ctx); err != nil || !slices.Equal(delivered, []string{first}) {
		t.Fatalf("second round: %v, delivered %v", err, delivered)
	}
	p.Seen("cfg", remote.Commit(t, "main", "seen elsewhere", nil))
	if err := p.Poll(ctx); err != nil || len(delivered) != 1 {
		t.Fatalf("a head recorded as seen was delivered again: %v, %v", err, delivered)
	}
}
