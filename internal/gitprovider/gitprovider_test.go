package gitprovider_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/gitprovider"
	"github.com/gantry-platform/gantry/internal/gitsync"
	"github.com/gantry-platform/gantry/internal/platform"
)

// recorded is one provider's contract: the request Gantry must send and the answer the
// provider gives (shapes recorded from the providers' API documentation, trimmed to the
// members that matter).
type recorded struct {
	name    string
	api     func(base string) gitprovider.PullRequests
	method  string
	path    string
	headers map[string]string
	body    string // the JSON Gantry must send
	status  int
	answer  string
	want    gitprovider.PullRequest
	kind    platform.ErrorKind // for a refusal
	message string
}

var in = gitprovider.PullRequestInput{Title: "Gantry: deploy environment dev", Body: "Deployment 0f8f", Head: "gantry/0f8f", Base: "main"}

func contracts() []recorded {
	github := func(base string) gitprovider.PullRequests {
		return gitprovider.GitHub{BaseURL: base, Token: "ghp_secret"}
	}
	gitlab := func(base string) gitprovider.PullRequests {
		return gitprovider.GitLab{BaseURL: base, Token: "glpat-secret"}
	}
	bitbucket := func(base string) gitprovider.PullRequests {
		return gitprovider.Bitbucket{BaseURL: base, Token: "bb-secret"}
	}
	return []recorded{
		{name: "GitHub", api: github, method: "POST", path: "/repos/acme/infra/pulls",
			headers: map[string]string{"Authorization": "Bearer ghp_secret", "Accept": "application/vnd.github+json", "X-Github-Api-Version": "2022-11-28"},
			body:    `{"base":"main","body":"Deployment 0f8f","head":"gantry/0f8f","title":"Gantry: deploy environment dev"}`,
			status:  201, answer: `{"url":"https://api.github.com/repos/acme/infra/pulls/1347","id":1,"html_url":"https://github.com/acme/infra/pull/1347",` +
				`"number":1347,"state":"open","title":"Gantry: deploy environment dev","head":{"ref":"gantry/0f8f"},"base":{"ref":"main"}}`,
			want: gitprovider.PullRequest{Number: 1347, URL: "https://github.com/acme/infra/pull/1347", Head: "gantry/0f8f", Base: "main"}},
		{name: "GitHub refusal", api: github, method: "POST", path: "/repos/acme/infra/pulls", status: 422,
			answer: `{"message":"Validation Failed","errors":[{"resource":"PullRequest","code":"custom","message":"A pull request already exists for acme:gantry/0f8f."}],"documentation_url":"https://docs.github.com/rest"}`,
			kind:   platform.Invalid, message: "GitHub refused the pull request: Validation Failed (A pull request already exists for acme:gantry/0f8f.)"},
		{name: "GitLab", api: gitlab, method: "POST", path: "/api/v4/projects/acme%2Finfra/merge_requests",
			headers: map[string]string{"Private-Token": "glpat-secret"},
			body:    `{"description":"Deployment 0f8f","source_branch":"gantry/0f8f","target_branch":"main","title":"Gantry: deploy environment dev"}`,
			status:  201, answer: `{"id":1,"iid":12,"project_id":3,"title":"Gantry: deploy environment dev","state":"opened","target_branch":"main",` +
				`"source_branch":"gantry/0f8f","web_url":"https://gitlab.com/acme/infra/-/merge_requests/12"}`,
			want: gitprovider.PullRequest{Number: 12, URL: "https://gitlab.com/acme/infra/-/merge_requests/12", Head: "gantry/0f8f", Base: "main"}},
		{name: "GitLab unauthorized", api: gitlab, method: "POST", path: "/api/v4/projects/acme%2Finfra/merge_requests", status: 401,
			answer: `{"message":"401 Unauthorized"}`, kind: platform.Unauthorized, message: "GitLab refused the credentials: 401 Unauthorized"},
		{name: "Bitbucket", api: bitbucket, method: "POST", path: "/2.0/repositories/acme/infra/pullrequests",
			headers: map[string]string{"Authorization": "Bearer bb-secret"},
			body: `{"close_source_branch":true,"description":"Deployment 0f8f","destination":{"branch":{"name":"main"}},` +
				`"source":{"branch":{"name":"gantry/0f8f"}},"title":"Gantry: deploy environment dev"}`,
			status: 201, answer: `{"type":"pullrequest","id":7,"title":"Gantry: deploy environment dev","state":"OPEN",` +
				`"links":{"html":{"href":"https://bitbucket.org/acme/infra/pull-requests/7"},"self":{"href":"https://api.bitbucket.org/2.0/repositories/acme/infra/pullrequests/7"}}}`,
			want: gitprovider.PullRequest{Number: 7, URL: "https://bitbucket.org/acme/infra/pull-requests/7", Head: "gantry/0f8f", Base: "main"}},
		{name: "Bitbucket missing repository", api: bitbucket, method: "POST", path: "/2.0/repositories/acme/infra/pullrequests", status: 404,
			answer: `{"type":"error","error":{"message":"Repository acme/infra not found"}}`, kind: platform.NotFound,
			message: "Bitbucket knows no such repository: Repository acme/infra not found"},
	}
}

// TestPullRequestContracts plays each provider's recorded exchange: the request Gantry
// sends (method, path, headers, JSON body) and its reading of the answer or refusal.
func TestPullRequestContracts(t *testing.T) {
	for _, c := range contracts() {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != c.method || r.URL.EscapedPath() != c.path {
					t.Errorf("request %s %s, want %s %s", r.Method, r.URL.EscapedPath(), c.method, c.path)
				}
				for k, v := range c.headers {
					if got := r.Header.Get(k); got != v {
						t.Errorf("header %s = %q, want %q", k, got, v)
					}
				}
				if r.Header.Get("Content-Type") != "application/json" {
					t.Errorf("Content-Type = %q", r.Header.Get("Content-Type"))
				}
				body, _ := io.ReadAll(r.Body)
				if c.body != "" {
					var got, want any
					if err := json.Unmarshal(body, &got); err != nil {
						t.Fatalf("body %s: %v", body, err)
					}
					_ = json.Unmarshal([]byte(c.body), &want)
					if !reflect.DeepEqual(got, want) {
						t.Errorf("body = %s, want %s", body, c.body)
					}
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(c.status)
				_, _ = io.WriteString(w, c.answer)
			}))
			defer srv.Close()
			pr, err := c.api(srv.URL).Open(t.Context(), "acme/infra", in)
			if c.kind != "" {
				if platform.KindOf(err) != c.kind || platform.MessageOf(err) != c.message {
					t.Fatalf("error %v (%s), want %s %q", err, platform.KindOf(err), c.kind, c.message)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Fatalf("error %v shows the token", err)
				}
				return
			}
			if err != nil || pr != c.want {
				t.Fatalf("Open = %+v, %v; want %+v", pr, err, c.want)
			}
		})
	}
}

// TestPushAndLocalPullRequest pushes a folder of files to a new branch of a local bare
// repository (made with its base branch by LocalRemotes.Ensure), records the pull request,
// then pushes the folder's removal from that branch, as a deletion does.
func TestPushAndLocalPullRequest(t *testing.T) {
	ctx := t.Context()
	remotes := gitprovider.LocalRemotes{Root: t.TempDir()}
	id := platform.RepositoryID{Provider: platform.GitHub, Name: "acme/infra"}
	url, err := remotes.Ensure(ctx, id, "main")
	if err != nil {
		t.Fatal(err)
	}
	if again, err := remotes.Ensure(ctx, id, "main"); err != nil || again != url || !strings.HasSuffix(url, "github/acme/infra") {
		t.Fatalf("Ensure again = %s, %v (first %s)", again, err, url)
	}
	when := time.Date(2026, 12, 6, 6, 0, 0, 0, time.UTC)
	files := map[string][]byte{"main.tf": []byte("resource \"x\" \"y\" {}\n"), "proton.auto.tfvars.json": []byte("{ }\n")}
	pushed, err := gitprovider.Push(ctx, gitprovider.Change{URL: url, Base: "main", Branch: "gantry/d1", Dir: "environments/dev",
		Files: files, Message: "Deploy environment dev", When: when})
	if err != nil || pushed.Commit == "" {
		t.Fatalf("Push = %+v, %v", pushed, err)
	}
	clone, err := gitsync.OpenClone(t.TempDir(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	head, err := clone.Fetch(ctx, "gantry/d1")
	if err != nil || head != pushed.Commit {
		t.Fatalf("branch head = %s, %v; want %s", head, err, pushed.Commit)
	}
	got, err := clone.Files(head, "environments/dev")
	if err != nil || !reflect.DeepEqual(got, files) {
		t.Fatalf("files on the branch = %v, %v", got, err)
	}
	if _, err := gitprovider.Push(ctx, gitprovider.Change{URL: url, Base: "nope", Branch: "gantry/d2", Dir: "x", Files: files}); platform.KindOf(err) != platform.Invalid {
		t.Fatalf("push from a missing base: %v, want Invalid", err)
	}
	if _, err := gitprovider.Push(ctx, gitprovider.Change{URL: url, Base: "main", Branch: "gantry/d2", Dir: "../x", Files: files}); platform.KindOf(err) != platform.Invalid {
		t.Fatalf("push outside the repository: %v, want Invalid", err)
	}

	prs := &gitprovider.LocalPullRequests{Remotes: remotes, Provider: platform.GitHub}
	pr, err := prs.Open(ctx, "acme/infra", gitprovider.PullRequestInput{Title: "Deploy dev", Head: "gantry/d1", Base: "main"})
	if err != nil || pr.Number != 1 {
		t.Fatalf("Open = %+v, %v", pr, err)
	}
	if again, err := prs.Open(ctx, "acme/infra", gitprovider.PullRequestInput{Title: "Deploy dev", Head: "gantry/d1", Base: "main"}); err != nil || again != pr {
		t.Fatalf("Open of the same head again = %+v, %v; want %+v", again, err, pr)
	}
	if _, err := prs.Open(ctx, "acme/other", gitprovider.PullRequestInput{Head: "h", Base: "main"}); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("a repository that is not there: %v, want NotFound", err)
	}

	removed, err := gitprovider.Push(ctx, gitprovider.Change{URL: url, Base: "gantry/d1", Branch: "gantry/d3", Dir: "environments/dev", When: when, Message: "Delete environment dev"})
	if err != nil || removed.Commit == "" {
		t.Fatalf("removal = %+v, %v", removed, err)
	}
	head, _ = clone.Fetch(ctx, "gantry/d3")
	if got, err := clone.Files(head, "environments/dev"); err != nil || len(got) != 0 {
		t.Fatalf("files after the removal = %v, %v", got, err)
	}
	nothing, err := gitprovider.Push(ctx, gitprovider.Change{URL: url, Base: "main", Branch: "gantry/d4", Dir: "environments/dev", When: when})
	if err != nil || !nothing.NoChanges {
		t.Fatalf("removing a folder that is not there = %+v, %v; want NoChanges", nothing, err)
	}
	list, err := prs.List("acme/infra")
	if err != nil || len(list) != 1 || list[0].Head != "gantry/d1" {
		t.Fatalf("List = %+v, %v", list, err)
	}
}

// TestLocalPullRequestsNumberedOnce opens pull requests on one repository at the same
// time from separate LocalPullRequests (as separate processes would, sharing no lock):
// each gets a number of its own, 1 to n, and every one is recorded.
func TestLocalPullRequestsNumberedOnce(t *testing.T) {
	ctx := t.Context()
	remotes := gitprovider.LocalRemotes{Root: t.TempDir()}
	if _, err := remotes.Ensure(ctx, platform.RepositoryID{Provider: platform.GitHub, Name: "acme/infra"}, "main"); err != nil {
		t.Fatal(err)
	}
	const n = 12
	numbers := make([]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			prs := &gitprovider.LocalPullRequests{Remotes: remotes, Provider: platform.GitHub}
			<-start
			pr, err := prs.Open(ctx, "acme/infra", gitprovider.PullRequestInput{Title: fmt.Sprint("change ", i), Head: fmt.Sprint("gantry/d", i), Base: "main"})
			numbers[i], errs[i] = pr.Number, err
		}()
	}
	close(start)
	wg.Wait()
	opener := map[int]int{} // number → the opener that got it
	for i := range n {
		if _, taken := opener[numbers[i]]; errs[i] != nil || numbers[i] < 1 || numbers[i] > n || taken {
			t.Fatalf("opener %d got number %d, %v (numbers %v)", i, numbers[i], errs[i], numbers)
		}
		opener[numbers[i]] = i
	}
	list, err := (&gitprovider.LocalPullRequests{Remotes: remotes, Provider: platform.GitHub}).List("acme/infra")
	if err != nil || len(list) != n {
		t.Fatalf("List = %d pull requests, %v; want %d", len(list), err, n)
	}
	for i, pr := range list {
		if pr.Number != i+1 || pr.Head != fmt.Sprint("gantry/d", opener[pr.Number]) {
			t.Fatalf("pull request %d = %+v; its opener was %d", i+1, pr, opener[pr.Number])
		}
	}
}
