package vcs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// tagRepo is a repository of one commit with a bare repository as origin.
func tagRepo(t *testing.T) (dir, bare string) {
	t.Helper()
	testenv.Require(t, "git")
	dir, bare = t.TempDir(), t.TempDir()
	testenv.Git(t, bare, "init", "-q", "--bare")
	testenv.Git(t, dir, "init", "-q", "-b", "pypi-release")
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("one\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	testenv.Git(t, dir, "add", "-A")
	testenv.Git(t, dir, "commit", "-q", "-m", "first")
	testenv.Git(t, dir, "remote", "add", "origin", bare)
	return dir, bare
}

var tagger = func(k string) string {
	return map[string]string{"GIT_COMMITTER_NAME": "Cid", "GIT_COMMITTER_EMAIL": "cid@example.com",
		"GIT_AUTHOR_NAME": "Ann", "GIT_AUTHOR_EMAIL": "ann@example.com"}[k]
}

func TestCreateTagAnnotatesHead(t *testing.T) {
	ctx := context.Background()
	dir, bare := tagRepo(t)
	head := testenv.Git(t, dir, "rev-parse", "HEAD")
	if tag, err := ReadTag(dir, "v0.2.0"); err != nil || tag.Exists {
		t.Fatalf("ReadTag before = %+v, %v", tag, err)
	}
	got, err := CreateTag(ctx, TagOptions{Dir: dir, Name: "v0.2.0", Message: "Release 0.2.0", Commit: head,
		Now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Getenv: tagger})
	if err != nil {
		t.Fatal(err)
	}
	if got.Commit != head || !got.Annotated {
		t.Errorf("CreateTag = %+v, want annotated at %s", got, head)
	}
	// git agrees: an annotated tag object of HEAD, signed by the committer.
	if typ := testenv.Git(t, dir, "cat-file", "-t", "v0.2.0"); typ != "tag" {
		t.Errorf("git cat-file -t v0.2.0 = %q, want tag", typ)
	}
	if c := testenv.Git(t, dir, "rev-parse", "v0.2.0^{commit}"); c != head {
		t.Errorf("v0.2.0 at %s, want %s", c, head)
	}
	if body := testenv.Git(t, dir, "cat-file", "tag", "v0.2.0"); !strings.Contains(body, "tagger Cid <cid@example.com>") || !strings.Contains(body, "Release 0.2.0") {
		t.Errorf("tag object:\n%s", body)
	}
	if st := testenv.Git(t, dir, "status", "--porcelain"); st != "" {
		t.Errorf("tagging changed the tree:\n%s", st)
	}
	read, err := ReadTag(dir, "v0.2.0")
	if err != nil || read != got {
		t.Errorf("ReadTag = %+v, %v; want %+v", read, err, got)
	}

	// The remote lacks it until pushed, then has the same object.
	if _, ok, err := RemoteTag(ctx, RemoteTagOptions{Dir: dir, Name: "v0.2.0"}); err != nil || ok {
		t.Fatalf("RemoteTag before the push: %v, %v", ok, err)
	}
	if err := Push(ctx, PushOptions{Dir: dir, Refs: []string{"refs/tags/v0.2.0"}}); err != nil {
		t.Fatal(err)
	}
	obj, ok, err := RemoteTag(ctx, RemoteTagOptions{Dir: dir, Name: "v0.2.0"})
	if err != nil || !ok || obj != got.Object {
		t.Errorf("RemoteTag = %s, %v, %v; want %s", obj, ok, err, got.Object)
	}
	if c := testenv.Git(t, bare, "rev-parse", "v0.2.0^{commit}"); c != head {
		t.Errorf("remote v0.2.0 at %s, want %s", c, head)
	}

	// A second tag of the same name is refused, and nothing changes.
	if _, err := CreateTag(ctx, TagOptions{Dir: dir, Name: "v0.2.0", Message: "again", Getenv: tagger}); !errors.Is(err, ErrTagExists) {
		t.Errorf("CreateTag of an existing tag: %v, want ErrTagExists", err)
	}
}

func TestCreateTagRefusesAMovedHead(t *testing.T) {
	dir, _ := tagRepo(t)
	old := testenv.Git(t, dir, "rev-parse", "HEAD")
	testenv.Git(t, dir, "commit", "-q", "--allow-empty", "-m", "second")
	o := TagOptions{Dir: dir, Name: "v0.2.0", Message: "Release 0.2.0", Commit: old, Getenv: tagger}
	if err := CheckTag(context.Background(), o); err == nil || !strings.Contains(err.Error(), "HEAD moved") {
		t.Errorf("CheckTag on a moved HEAD: %v", err)
	}
	_, err := CreateTag(context.Background(), o)
	if err == nil || !strings.Contains(err.Error(), "HEAD moved") {
		t.Fatalf("CreateTag on a moved HEAD: %v", err)
	}
	if tag, err := ReadTag(dir, "v0.2.0"); err != nil || tag.Exists {
		t.Errorf("the tag was written: %+v, %v", tag, err)
	}
}

func TestReadTagLightweight(t *testing.T) {
	dir, _ := tagRepo(t)
	head := testenv.Git(t, dir, "rev-parse", "HEAD")
	testenv.Git(t, dir, "tag", "light")
	testenv.Git(t, dir, "pack-refs", "--all")
	tag, err := ReadTag(dir, "light")
	if err != nil {
		t.Fatal(err)
	}
	if want := (Tag{Name: "light", Exists: true, Object: head, Commit: head}); tag != want {
		t.Errorf("ReadTag = %+v, want %+v", tag, want)
	}
}

func TestRemoteTagWithoutRemote(t *testing.T) {
	dir, _ := tagRepo(t)
	_, _, err := RemoteTag(context.Background(), RemoteTagOptions{Dir: dir, Remote: "upstream", Name: "v1"})
	if !errors.Is(err, ErrNoRemote) {
		t.Errorf("RemoteTag of a missing remote: %v, want ErrNoRemote", err)
	}
}

func TestCheckTagWritesNothing(t *testing.T) {
	dir, _ := tagRepo(t)
	head := testenv.Git(t, dir, "rev-parse", "HEAD")
	if err := CheckTag(context.Background(), TagOptions{Dir: dir, Name: "v0.2.0", Message: "Release 0.2.0", Commit: head, Getenv: tagger}); err != nil {
		t.Fatal(err)
	}
	if tag, err := ReadTag(dir, "v0.2.0"); err != nil || tag.Exists {
		t.Errorf("CheckTag wrote the tag: %+v, %v", tag, err)
	}
}
