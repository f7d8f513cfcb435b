package vcs

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// TestPushWithTokenToGitea pushes a release's branch and tag over HTTPS
// to a real Gitea with a token, as `bump` does with push = true and
// PYRELEASE_GIT_TOKEN; a wrong token fails without showing itself.
func TestPushWithTokenToGitea(t *testing.T) {
	g := testenv.StartGitea(t)
	u := g.User("pusher")
	g.API(t, u.Name+":"+u.Password, http.MethodPost, "user/repos", map[string]any{"name": "greet"}, nil)
	var token struct {
		SHA1 string `json:"sha1"`
	}
	g.API(t, u.Name+":"+u.Password, http.MethodPost, "users/"+u.Name+"/tokens", map[string]any{"name": "git", "scopes": []string{"write:repository"}}, &token)

	dir := initRepo(t)
	testenv.Git(t, dir, "remote", "add", "origin", g.URL+u.Name+"/greet.git")
	r, err := PrepareRelease(context.Background(), releaseOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	refs := []string{"refs/heads/main", "refs/tags/v1.3.0"}
	wrong := "not-the-token-0123456789"
	err = Push(context.Background(), PushOptions{Dir: dir, Remote: "origin", Refs: refs, Token: wrong})
	if err == nil || strings.Contains(err.Error(), wrong) {
		t.Errorf("a wrong token: err = %v, want a failure that does not show the token", err)
	}
	if err := Push(context.Background(), PushOptions{Dir: dir, Remote: "origin", Refs: refs, Token: token.SHA1}); err != nil {
		t.Fatal(err)
	}
	var tags []struct {
		Name   string `json:"name"`
		Commit struct {
			SHA string `json:"sha"`
		} `json:"commit"`
	}
	g.API(t, u.Name+":"+u.Password, http.MethodGet, "repos/"+u.Name+"/greet/tags", nil, &tags)
	if len(tags) != 1 || tags[0].Name != "v1.3.0" || tags[0].Commit.SHA != r.Commit.String() {
		t.Errorf("Gitea's tags = %+v, want v1.3.0 at %s", tags, r.Commit)
	}
	remote := testenv.Git(t, dir, "ls-remote", "origin")
	for _, want := range []string{r.DevCommit.String() + "\trefs/heads/main", r.TagObject.String() + "\trefs/tags/v1.3.0"} {
		if !strings.Contains(remote, want) {
			t.Errorf("git ls-remote origin lacks %q:\n%s", want, remote)
		}
	}
	// A second push of the same refs is a no-op, not an error.
	if err := Push(context.Background(), PushOptions{Dir: dir, Remote: "origin", Refs: refs, Token: token.SHA1}); err != nil {
		t.Errorf("pushing again: %v", err)
	}
}
