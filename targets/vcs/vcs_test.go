package vcs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/testenv"
)

// initRepo makes a repository with one commit of file a.txt.
func initRepo(t *testing.T) string {
	t.Helper()
	testenv.Require(t, "git")
	dir := t.TempDir()
	testenv.Git(t, dir, "init", "-q", "-b", "main")
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("one\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	testenv.Git(t, dir, "add", "a.txt")
	testenv.Git(t, dir, "commit", "-q", "-m", "first")
	return dir
}

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestCommitAndTag(t *testing.T) {
	dir := initRepo(t)
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("two\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	when := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	ids := env(map[string]string{
		"GIT_AUTHOR_NAME": "Ann", "GIT_AUTHOR_EMAIL": "ann@example.com",
		"GIT_COMMITTER_NAME": "Cid", "GIT_COMMITTER_EMAIL": "cid@example.com",
	})
	hash, err := CommitAndTag(context.Background(), CommitOptions{
		Dir: dir, Files: []string{"a.txt"}, Message: "Release 1.3.0", Tag: "v1.3.0", Now: when, Getenv: ids,
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := testenv.Git(t, dir, "rev-parse", "HEAD"); got != hash {
		t.Errorf("HEAD = %s, CommitAndTag returned %s", got, hash)
	}
	if got := testenv.Git(t, dir, "status", "--porcelain"); got != "" {
		t.Errorf("worktree not clean after commit: %q", got)
	}
	if got := testenv.Git(t, dir, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%s"); got != "Ann <ann@example.com>|Cid <cid@example.com>|Release 1.3.0" {
		t.Errorf("commit = %q", got)
	}
	if got := testenv.Git(t, dir, "cat-file", "-t", "v1.3.0"); got != "tag" {
		t.Errorf("v1.3.0 is a %s, want an annotated tag", got)
	}
	if got := testenv.Git(t, dir, "describe", "--tags", "--long"); !strings.HasPrefix(got, "v1.3.0-0-g") {
		t.Errorf("git describe = %q", got)
	}
	if got := testenv.Git(t, dir, "show", "HEAD:a.txt"); got != "two" {
		t.Errorf("committed a.txt = %q", got)
	}
	if exists, err := TagExists(dir, "v1.3.0"); err != nil || !exists {
		t.Errorf("TagExists = %v, %v", exists, err)
	}
	_, err = CommitAndTag(context.Background(), CommitOptions{Dir: dir, Message: "again", Tag: "v1.3.0", Getenv: ids})
	if !errors.Is(err, ErrTagExists) {
		t.Errorf("second tag: err = %v, want ErrTagExists", err)
	}
}

func TestCommitAndTagWithoutFilesTagsHead(t *testing.T) {
	dir := initRepo(t)
	head := testenv.Git(t, dir, "rev-parse", "HEAD")
	got, err := CommitAndTag(context.Background(), CommitOptions{
		Dir: dir, Message: "Release 2.0", Tag: "2.0",
		Getenv: env(map[string]string{"GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@x", "GIT_COMMITTER_NAME": "A", "GIT_COMMITTER_EMAIL": "a@x"}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got != head || testenv.Git(t, dir, "rev-parse", "2.0^{commit}") != head {
		t.Errorf("tag should point at HEAD %s, got %s", head, got)
	}
}

func TestCommitAndTagNeedsIdentity(t *testing.T) {
	dir := initRepo(t)
	t.Setenv("HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	_, err := CommitAndTag(context.Background(), CommitOptions{Dir: dir, Message: "x", Tag: "v9", Getenv: env(nil)})
	if !errors.Is(err, ErrIdentity) || !strings.Contains(err.Error(), "user.name") {
		t.Errorf("err = %v, want ErrIdentity naming user.name", err)
	}
}

func TestPushToBareRemote(t *testing.T) {
	dir := initRepo(t)
	bare := t.TempDir()
	testenv.Git(t, bare, "init", "-q", "--bare")
	testenv.Git(t, dir, "remote", "add", "origin", bare)
	ids := env(map[string]string{"GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@x", "GIT_COMMITTER_NAME": "A", "GIT_COMMITTER_EMAIL": "a@x"})
	if _, err := CommitAndTag(context.Background(), CommitOptions{Dir: dir, Message: "Release 1.0", Tag: "v1.0", Getenv: ids}); err != nil {
		t.Fatal(err)
	}
	head, err := HeadRef(dir)
	if err != nil || head != "refs/heads/main" {
		t.Fatalf("HeadRef = %q, %v", head, err)
	}
	if err := Push(context.Background(), PushOptions{Dir: dir, Refs: []string{head, "refs/tags/v1.0"}}); err != nil {
		t.Fatal(err)
	}
	if got, want := testenv.Git(t, bare, "rev-parse", "v1.0^{commit}"), testenv.Git(t, dir, "rev-parse", "HEAD"); got != want {
		t.Errorf("remote tag at %s, want %s", got, want)
	}
	if got := testenv.Git(t, bare, "rev-parse", "main"); got != testenv.Git(t, dir, "rev-parse", "HEAD") {
		t.Errorf("remote main = %s", got)
	}
}
