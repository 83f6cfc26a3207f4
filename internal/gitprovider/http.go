package gitprovider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/gantry-platform/gantry/internal/platform"
)

// httpAPI is what the REST providers share: a base URL, a token and an HTTP client.
type httpAPI struct {
	base   string
	client *http.Client
	header func(h http.Header)
}

// call sends body as JSON and decodes a 2xx answer into out; other statuses become
// errors of the matching kind carrying the provider's message (never the token).
func (a httpAPI) call(ctx context.Context, provider, method, path string, body, out any) error {
	payload, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(a.base, "/")+path, bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	a.header(req.Header)
	client := a.client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("gitprovider: %s %s: %w", provider, method, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("gitprovider: %s: read the answer: %w", provider, err)
	}
	if resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("gitprovider: %s: decode the answer: %w", provider, err)
		}
		return nil
	}
	msg := providerMessage(data)
	switch resp.StatusCode {
	case 400, 409, 422:
		return platform.Errorf(platform.Invalid, "%s refused the pull request: %s", provider, msg)
	case 401:
		return platform.Errorf(platform.Unauthorized, "%s refused the credentials: %s", provider, msg)
	case 403:
		return platform.Errorf(platform.Forbidden, "%s forbids it: %s", provider, msg)
	case 404:
		return platform.Errorf(platform.NotFound, "%s knows no such repository: %s", provider, msg)
	}
	return fmt.Errorf("gitprovider: %s answered %d: %s", provider, resp.StatusCode, msg)
}

// providerMessage picks the human message out of a provider's error body (GitHub and
// GitLab "message", Bitbucket "error.message"), else the body itself, bounded.
func providerMessage(data []byte) string {
	var e struct {
		Message any `json:"message"`
		Error   struct {
			Message string `json:"message"`
		} `json:"error"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	msg := strings.TrimSpace(string(data))
	if json.Unmarshal(data, &e) == nil {
		switch {
		case e.Error.Message != "":
			msg = e.Error.Message
		case e.Message != nil:
			msg = fmt.Sprint(e.Message)
			if len(e.Errors) > 0 && e.Errors[0].Message != "" {
				msg += " (" + e.Errors[0].Message + ")"
			}
		}
	}
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	return msg
}

func splitRepo(repo string) (owner, name string) {
	i := strings.LastIndex(repo, "/")
	return repo[:i], repo[i+1:]
}

// GitHub is GitHub's (or GitHub Enterprise's) pull-request API: POST
// /repos/{owner}/{repo}/pulls. BaseURL is https://api.github.com, or
// https://HOST/api/v3 for GitHub Enterprise.
type GitHub struct {
	BaseURL string
	Token   string
	Client  *http.Client
}

// Open opens a pull request (see PullRequests).
func (g GitHub) Open(ctx context.Context, repo string, in PullRequestInput) (PullRequest, error) {
	owner, name := splitRepo(repo)
	var out struct {
		Number  int    `json:"number"`
		HTMLURL string `json:"html_url"`
	}
	api := httpAPI{base: g.BaseURL, client: g.Client, header: func(h http.Header) {
		h.Set("Authorization", "Bearer "+g.Token)
		h.Set("Accept", "application/vnd.github+json")
		h.Set("X-GitHub-Api-Version", "2022-11-28")
	}}
	err := api.call(ctx, "GitHub", "POST", "/repos/"+url.PathEscape(owner)+"/"+url.PathEscape(name)+"/pulls",
		map[string]string{"title": in.Title, "body": in.Body, "head": in.Head, "base": in.Base}, &out)
	return PullRequest{Number: out.Number, URL: out.HTMLURL, Head: in.Head, Base: in.Base}, err
}

// GitLab is GitLab's merge-request API: POST /api/v4/projects/{id}/merge_requests, the
// project id being the URL-encoded path. BaseURL is e.g. https://gitlab.com.
type GitLab struct {
	BaseURL string
	Token   string
	Client  *http.Client
}

// Open opens a merge request (see PullRequests).
func (g GitLab) Open(ctx context.Context, repo string, in PullRequestInput) (PullRequest, error) {
	var out struct {
		IID    int    `json:"iid"`
		WebURL string `json:"web_url"`
	}
	api := httpAPI{base: g.BaseURL, client: g.Client, header: func(h http.Header) { h.Set("PRIVATE-TOKEN", g.Token) }}
	err := api.call(ctx, "GitLab", "POST", "/api/v4/projects/"+url.PathEscape(repo)+"/merge_requests",
		map[string]string{"title": in.Title, "description": in.Body, "source_branch": in.Head, "target_branch": in.Base}, &out)
	return PullRequest{Number: out.IID, URL: out.WebURL, Head: in.Head, Base: in.Base}, err
}

// Bitbucket is Bitbucket Cloud's pull-request API: POST
// /2.0/repositories/{workspace}/{repo_slug}/pullrequests. BaseURL is
// https://api.bitbucket.org.
type Bitbucket struct {
	BaseURL string
	Token   string
	Client  *http.Client
}

// Open opens a pull request (see PullRequests).
func (b Bitbucket) Open(ctx context.Context, repo string, in PullRequestInput) (PullRequest, error) {
	workspace, slug := splitRepo(repo)
	type branch struct {
		Branch struct {
			Name string `json:"name"`
		} `json:"branch"`
	}
	var src, dst branch
	src.Branch.Name, dst.Branch.Name = in.Head, in.Base
	var out struct {
		ID    int `json:"id"`
		Links struct {
			HTML struct {
				Href string `json:"href"`
			} `json:"html"`
		} `json:"links"`
	}
	api := httpAPI{base: b.BaseURL, client: b.Client, header: func(h http.Header) { h.Set("Authorization", "Bearer "+b.Token) }}
	err := api.call(ctx, "Bitbucket", "POST", "/2.0/repositories/"+url.PathEscape(workspace)+"/"+url.PathEscape(slug)+"/pullrequests",
		map[string]any{"title": in.Title, "description": in.Body, "source": src, "destination": dst, "close_source_branch": true}, &out)
	return PullRequest{Number: out.ID, URL: out.Links.HTML.Href, Head: in.Head, Base: in.Base}, err
}
