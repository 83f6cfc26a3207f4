package gitsync_test

import (
	"context"
	"encoding/hex"
	"net/http"
	"slices"
	"testing"

	"github.com/gantry-platform/gantry/internal/gitsync"
	"github.com/gantry-platform/gantry/internal/platform"
)

var webhookSecret = []byte("s3cret-of-the-repo")

func secrets(_ context.Context, provider, repository string) ([]byte, error) {
	if repository == "acme/templates" {
		return webhookSecret, nil
	}
	return nil, platform.Errorf(platform.NotFound, "no repository %s", repository)
}

func signed(secret, body []byte) string {
	return "sha256=" + hex.EncodeToString(gitsync.Sign(secret, body))
}

const commitA = "6f1ed002ab5595859014ebf0951522d9f0b6e8a1"

func TestWebhooksOfEachProvider(t *testing.T) {
	ctx := context.Background()
	github := []byte(`{"ref":"refs/heads/main","before":"0000000000000000000000000000000000000001","after":"` + commitA + `","repository":{"full_name":"acme/templates"}}`)
	gitlab := []byte(`{"object_kind":"push","ref":"refs/heads/main","after":"` + commitA + `","project":{"path_with_namespace":"acme/templates"}}`)
	bitbucket := []byte(`{"repository":{"full_name":"acme/templates"},"push":{"changes":[{"new":{"type":"branch","name":"main","target":{"hash":"` + commitA + `"}}},{"new":{"type":"tag","name":"v1","target":{"hash":"` + commitA + `"}}},{"new":null}]}}`)
	cases := []struct {
		name     string
		provider string
		header   http.Header
		body     []byte
		want     []gitsync.Push
		kind     platform.ErrorKind
	}{
		{"github", gitsync.GitHub, http.Header{"X-Github-Event": {"push"}, "X-Hub-Signature-256": {signed(webhookSecret, github)}}, github,
			[]gitsync.Push{{Provider: gitsync.GitHub, Repository: "acme/templates", Branch: "main", Commit: commitA}}, ""},
		{"github enterprise", gitsync.GitHubEnterprise, http.Header{"X-Github-Event": {"push"}, "X-Hub-Signature-256": {signed(webhookSecret, github)}}, github,
			[]gitsync.Push{{Provider: gitsync.GitHubEnterprise, Repository: "acme/templates", Branch: "main", Commit: commitA}}, ""},
		{"github ping", gitsync.GitHub, http.Header{"X-Github-Event": {"ping"}, "X-Hub-Signature-256": {signed(webhookSecret, github)}}, github, nil, ""},
		{"github wrong secret", gitsync.GitHub, http.Header{"X-Github-Event": {"push"}, "X-Hub-Signature-256": {signed([]byte("guess"), github)}}, github, nil, platform.Unauthorized},
		{"github sha1 only", gitsync.GitHub, http.Header{"X-Github-Event": {"push"}, "X-Hub-Signature": {"sha1=00"}}, github, nil, platform.Unauthorized},
		{"github body changed after signing", gitsync.GitHub, http.Header{"X-Github-Event": {"push"}, "X-Hub-Signature-256": {signed(webhookSecret, github)}}, append(slices.Clone(github), ' '), nil, platform.Unauthorized},
		{"gitlab", gitsync.GitLab, http.Header{"X-Gitlab-Event": {"Push Hook"}, "X-Gitlab-Token": {string(webhookSecret)}}, gitlab,
			[]gitsync.Push{{Provider: gitsync.GitLab, Repository: "acme/templates", Branch: "main", Commit: commitA}}, ""},
		{"gitlab wrong token", gitsync.GitLab, http.Header{"X-Gitlab-Event": {"Push Hook"}, "X-Gitlab-Token": {"s3cret"}}, gitlab, nil, platform.Unauthorized},
		{"gitlab tag push", gitsync.GitLab, http.Header{"X-Gitlab-Event": {"Tag Push Hook"}, "X-Gitlab-Token": {string(webhookSecret)}}, gitlab, nil, ""},
		{"bitbucket", gitsync.Bitbucket, http.Header{"X-Event-Key": {"repo:push"}, "X-Hub-Signature": {signed(webhookSecret, bitbucket)}}, bitbucket,
			[]gitsync.Push{{Provider: gitsync.Bitbucket, Repository: "acme/templates", Branch: "main", Commit: commitA}}, ""},
		{"bitbucket unsigned", gitsync.Bitbucket, http.Header{"X-Event-Key": {"repo:push"}}, bitbucket, nil, platform.Unauthorized},
		{"unknown repository", gitsync.GitHub, http.Header{"X-Github-Event": {"push"}, "X-Hub-Signature-256": {signed(webhookSecret, []byte(`{"repository":{"full_name":"acme/other"}}`))}},
			[]byte(`{"repository":{"full_name":"acme/other"}}`), nil, platform.Unauthorized},
		{"not json", gitsync.GitHub, http.Header{"X-Github-Event": {"push"}}, []byte("ref=main"), nil, platform.Invalid},
		{"unknown provider", "CODECOMMIT", http.Header{}, github, nil, platform.Invalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := gitsync.ReceivePush(ctx, tc.provider, tc.header, tc.body, secrets)
			if platform.KindOf(err) != tc.kind {
				t.Fatalf("error %v, want kind %q", err, tc.kind)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("pushes %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestWebhookOfADeletedBranchSyncsNothing(t *testing.T) {
	body := []byte(`{"ref":"refs/heads/old","after":"0000000000000000000000000000000000000000","deleted":true,"repository":{"full_name":"acme/templates"}}`)
	h := http.Header{"X-Github-Event": {"push"}, "X-Hub-Signature-256": {signed(webhookSecret, body)}}
	got, err := gitsync.ReceivePush(context.Background(), gitsync.GitHub, h, body, secrets)
	if err != nil || len(got) != 0 {
		t.Fatalf("ReceivePush = %v, %v; want nothing", got, err)
	}
}
