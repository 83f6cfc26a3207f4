package gitsync

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/gantry-platform/gantry/internal/platform"
)

// The repository providers whose push webhooks Gantry receives. The first three are
// Proton's RepositoryProvider values; GitLab is Gantry's addition.
const (
	GitHub           = "GITHUB"
	GitHubEnterprise = "GITHUB_ENTERPRISE"
	Bitbucket        = "BITBUCKET"
	GitLab           = "GITLAB"
)

// maxWebhookBytes bounds a webhook body (GitHub caps its payloads at 25 MB; a push event
// Gantry reads is far smaller, but a large push lists many commits).
const maxWebhookBytes = 25 << 20

// Push is a branch that moved: which repository (the provider's full name, "owner/repo"),
// which branch, and the commit now at its head.
type Push struct {
	Provider   string
	Repository string
	Branch     string
	Commit     string
}

// SecretFor returns the webhook secret of a provider's repository, opened from where it is
// kept sealed; NotFound when Gantry does not know the repository.
type SecretFor func(ctx context.Context, provider, repository string) ([]byte, error)

// ReceivePush verifies and reads one webhook delivery. The repository named in the body
// chooses the secret; nothing else of the body is believed until the signature — HMAC-
// SHA256 of the body in X-Hub-Signature-256 (GitHub) or X-Hub-Signature (Bitbucket), the
// shared token in X-Gitlab-Token (GitLab) — matches, compared in constant time. It returns
// the branches the push moved (a Bitbucket push may move several; a branch deletion moves
// none), and no pushes and no error for an event that is not a push (GitHub's ping).
// Errors: Unauthorized for a missing or wrong signature or an unknown repository (the
// answer does not tell them apart); Invalid for an unknown provider or a malformed body.
func ReceivePush(ctx context.Context, provider string, header http.Header, body []byte, secretFor SecretFor) ([]Push, error) {
	if len(body) > maxWebhookBytes {
		return nil, platform.Errorf(platform.TooLarge, "the webhook body is %d bytes, more than 25 MB", len(body))
	}
	eventHeader, ok := map[string]string{GitHub: "X-GitHub-Event", GitHubEnterprise: "X-GitHub-Event", GitLab: "X-Gitlab-Event", Bitbucket: "X-Event-Key"}[provider]
	if !ok {
		return nil, platform.FieldErrorf("provider", "%q is not a provider Gantry receives webhooks from (GITHUB, GITHUB_ENTERPRISE, BITBUCKET, GITLAB)", provider)
	}
	event := header.Get(eventHeader)
	var named struct {
		Repository struct {
			FullName string `json:"full_name"`
		} `json:"repository"`
		Project struct {
			PathWithNamespace string `json:"path_with_namespace"`
		} `json:"project"`
	}
	err := json.Unmarshal(body, &named)
	repo := named.Repository.FullName
	if provider == GitLab {
		repo = named.Project.PathWithNamespace
	}
	if err != nil {
		return nil, platform.Errorf(platform.Invalid, "the webhook body is not JSON: %v", err)
	}
	refused := platform.Errorf(platform.Unauthorized, "the webhook's signature does not match the repository's secret")
	if repo == "" {
		return nil, refused
	}
	secret, err := secretFor(ctx, provider, repo)
	if platform.KindOf(err) == platform.NotFound {
		return nil, refused
	}
	if err != nil {
		return nil, err
	}
	if !verified(provider, header, body, secret) {
		return nil, refused
	}
	switch provider {
	case GitHub, GitHubEnterprise:
		if event != "push" {
			return nil, nil
		}
		return githubPush(provider, repo, body)
	case GitLab:
		if event != "Push Hook" {
			return nil, nil
		}
		return gitlabPush(repo, body)
	default:
		if event != "repo:push" {
			return nil, nil
		}
		return bitbucketPush(repo, body)
	}
}

// verified checks a delivery's signature against secret in constant time.
func verified(provider string, header http.Header, body, secret []byte) bool {
	if len(secret) == 0 {
		return false
	}
	switch provider {
	case GitLab:
		// Compare digests so that the time taken says nothing of the token's length.
		got, want := sha256.Sum256([]byte(header.Get("X-Gitlab-Token"))), sha256.Sum256(secret)
		return subtle.ConstantTimeCompare(got[:], want[:]) == 1
	case Bitbucket:
		return signatureMatches(header.Get("X-Hub-Signature"), body, secret)
	default:
		return signatureMatches(header.Get("X-Hub-Signature-256"), body, secret)
	}
}

// signatureMatches checks a "sha256=<hex>" HMAC-SHA256 signature of body.
func signatureMatches(signature string, body, secret []byte) bool {
	hexSum, ok := strings.CutPrefix(signature, "sha256=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(hexSum)
	if err != nil {
		return false
	}
	return hmac.Equal(got, Sign(secret, body))
}

// Sign is the HMAC-SHA256 of body under secret, as GitHub and Bitbucket sign deliveries.
func Sign(secret, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return m.Sum(nil)
}

// zeroCommit is what a push that deletes a branch names as its new head.
const zeroCommit = "0000000000000000000000000000000000000000"

func branchOf(ref string) (string, bool) {
	return strings.CutPrefix(ref, "refs/heads/")
}

func githubPush(provider, repo string, body []byte) ([]Push, error) {
	var p struct {
		Ref     string `json:"ref"`
		After   string `json:"after"`
		Deleted bool   `json:"deleted"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, platform.Errorf(platform.Invalid, "the push event is malformed: %v", err)
	}
	branch, ok := branchOf(p.Ref)
	if !ok || p.Deleted || p.After == zeroCommit {
		return nil, nil // a tag, or a deleted branch: nothing to sync
	}
	if p.After == "" {
		return nil, platform.FieldErrorf("after", "the push event names no commit")
	}
	return []Push{{Provider: provider, Repository: repo, Branch: branch, Commit: p.After}}, nil
}

func gitlabPush(repo string, body []byte) ([]Push, error) {
	var p struct {
		Ref   string `json:"ref"`
		After string `json:"after"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, platform.Errorf(platform.Invalid, "the push event is malformed: %v", err)
	}
	branch, ok := branchOf(p.Ref)
	if !ok || p.After == zeroCommit {
		return nil, nil
	}
	if p.After == "" {
		return nil, platform.FieldErrorf("after", "the push event names no commit")
	}
	return []Push{{Provider: GitLab, Repository: repo, Branch: branch, Commit: p.After}}, nil
}

func bitbucketPush(repo string, body []byte) ([]Push, error) {
	var p struct {
		Push struct {
			Changes []struct {
				New *struct {
					Type   string `json:"type"`
					Name   string `json:"name"`
					Target struct {
						Hash string `json:"hash"`
					} `json:"target"`
				} `json:"new"`
			} `json:"changes"`
		} `json:"push"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, platform.Errorf(platform.Invalid, "the push event is malformed: %v", err)
	}
	var out []Push
	for i, ch := range p.Push.Changes {
		if ch.New == nil || ch.New.Type != "branch" {
			continue // a deleted branch, or a tag
		}
		if ch.New.Name == "" || ch.New.Target.Hash == "" {
			return nil, platform.FieldErrorf("push.changes["+strconv.Itoa(i)+"].new", "the change names no branch or commit")
		}
		out = append(out, Push{Provider: Bitbucket, Repository: repo, Branch: ch.New.Name, Commit: ch.New.Target.Hash})
	}
	return out, nil
}
