package gitsynctest

import (
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
)

// FastForward moves branch base of the bare repository at bare to branch's commit, as
// merging a pull request (fast-forward) does.
func FastForward(t testing.TB, bare, branch, base string) {
	t.Helper()
	repo, err := git.PlainOpen(bare)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := repo.CreateRemote(&config.RemoteConfig{Name: "self", URLs: []string{bare}}); err != nil && err != git.ErrRemoteExists {
		t.Fatal(err)
	}
	spec := config.RefSpec("refs/heads/" + branch + ":refs/heads/" + base)
	if err := repo.Push(&git.PushOptions{RemoteName: "self", RefSpecs: []config.RefSpec{spec}}); err != nil {
		t.Fatal(err)
	}
}
