package vcs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
	"github.com/pyrelease/pyrelease/targets/internal/gitwrite"
)

// initRepo makes a repository with one commit of a.txt, pkg/sub/version.py
// and news/1.feature.md.
func initRepo(t *testing.T) string {
	t.Helper()
	testenv.Require(t, "git")
	dir := t.TempDir()
	testenv.Git(t, dir, "init", "-q", "-b", "main")
	write(t, dir, "a.txt", "one\n")
	write(t, dir, "pkg/sub/version.py", "VERSION = \"1.2.0\"\n")
	write(t, dir, "news/1.feature.md", "A feature.\n")
	write(t, dir, "run.sh", "#!/bin/sh\n")
	if err := os.Chmod(filepath.Join(dir, "run.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	testenv.Git(t, dir, "add", "-A")
	testenv.Git(t, dir, "commit", "-q", "-m", "first")
	return dir
}

func write(t *testing.T, dir, rel, content string) {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

var ids = env(map[string]string{
	"GIT_AUTHOR_NAME": "Ann", "GIT_AUTHOR_EMAIL": "ann@example.com",
	"GIT_COMMITTER_NAME": "Cid", "GIT_COMMITTER_EMAIL": "cid@example.com",
})

// releaseOptions changes a.txt and the version file (then to a .dev0) and
// deletes the only news fragment, so its directory goes too.
func releaseOptions(dir string) ReleaseOptions {
	return ReleaseOptions{
		Dir: dir, Message: "Release 1.3.0", Tag: "v1.3.0", DevMessage: "Back to development: 1.3.1.dev0",
		Now: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC), Getenv: ids,
		Files: []ReleaseFile{
			{Path: filepath.Join(dir, "a.txt"), Release: []byte("two\n")},
			{Path: filepath.Join(dir, "pkg", "sub", "version.py"), Release: []byte("VERSION = \"1.3.0\"\n"), Dev: []byte("VERSION = \"1.3.1.dev0\"\n")},
			{Path: filepath.Join(dir, "news", "1.feature.md"), Remove: true},
		},
	}
}

// checkGit is what git itself says of a repository after a release or a
// recovery: a sound object store, nothing to commit, no journal.
func checkGit(t *testing.T, dir string) {
	t.Helper()
	if out, err := testenv.GitE(dir, nil, "fsck", "--full", "--strict"); err != nil {
		t.Errorf("git fsck --full: %v\n%s", err, out)
	}
	if got := testenv.Git(t, dir, "status", "--porcelain", "--untracked-files=all"); got != "" {
		t.Errorf("git status --porcelain = %q, want nothing", got)
	}
	if got := testenv.Git(t, dir, "diff-files", "--name-only"); got != "" {
		t.Errorf("git diff-files (no index refresh) = %q, want nothing: stale stat data in the index", got)
	}
	if _, err := os.Stat(journalDirOf(dir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the release journal is left: %v", err)
	}
}

func TestReleaseApply(t *testing.T) {
	dir := initRepo(t)
	parent := testenv.Git(t, dir, "rev-parse", "HEAD")
	r, err := PrepareRelease(context.Background(), releaseOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	if w, rm := r.Paths(); strings.Join(w, ",") != "a.txt,pkg/sub/version.py" || strings.Join(rm, ",") != "news/1.feature.md" {
		t.Errorf("Paths() = %v, %v", w, rm)
	}
	if err := r.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	checkGit(t, dir)
	if got := testenv.Git(t, dir, "rev-parse", "HEAD"); got != r.DevCommit.String() {
		t.Errorf("HEAD = %s, want the back-to-development commit %s", got, r.DevCommit)
	}
	if got := testenv.Git(t, dir, "rev-parse", "v1.3.0^{commit}"); got != r.Commit.String() {
		t.Errorf("v1.3.0 names %s, want the release commit %s", got, r.Commit)
	}
	if got := testenv.Git(t, dir, "rev-parse", "HEAD~2"); got != parent {
		t.Errorf("HEAD~2 = %s, want %s", got, parent)
	}
	if got := testenv.Git(t, dir, "log", "-2", "--format=%an <%ae>|%cn <%ce>|%s"); got != "Ann <ann@example.com>|Cid <cid@example.com>|Back to development: 1.3.1.dev0\nAnn <ann@example.com>|Cid <cid@example.com>|Release 1.3.0" {
		t.Errorf("git log = %q", got)
	}
	tag := testenv.Git(t, dir, "cat-file", "-p", "v1.3.0")
	for _, want := range []string{"object " + r.Commit.String(), "type commit", "tag v1.3.0", "tagger Cid <cid@example.com> 1795176000 +0000", "\nRelease 1.3.0"} {
		if !strings.Contains(tag, want) {
			t.Errorf("git cat-file -p v1.3.0 lacks %q:\n%s", want, tag)
		}
	}
	if got := testenv.Git(t, dir, "describe", "--tags", "--long"); !strings.HasPrefix(got, "v1.3.0-1-g") {
		t.Errorf("git describe = %q", got)
	}
	for rev, want := range map[string]string{
		"v1.3.0:a.txt": "two", "v1.3.0:pkg/sub/version.py": `VERSION = "1.3.0"`, "HEAD:pkg/sub/version.py": `VERSION = "1.3.1.dev0"`,
	} {
		if got := testenv.Git(t, dir, "show", rev); got != want {
			t.Errorf("git show %s = %q, want %q", rev, got, want)
		}
	}
	if got := testenv.Git(t, dir, "ls-tree", "-r", "--name-only", "v1.3.0"); got != "a.txt\npkg/sub/version.py\nrun.sh" {
		t.Errorf("the release tree holds:\n%s\nwant the fragment and its directory gone", got)
	}
	if got := testenv.Git(t, dir, "ls-tree", "v1.3.0", "run.sh"); !strings.HasPrefix(got, "100755 ") {
		t.Errorf("run.sh lost its mode: %s", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "news", "1.feature.md")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the fragment is still in the working tree: %v", err)
	}
	for _, ref := range []string{"refs/heads/main", "refs/tags/v1.3.0"} {
		if _, err := os.Stat(filepath.Join(dir, ".git", ref+".lock")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s.lock is left: %v", ref, err)
		}
	}
}

func TestReleaseWithoutFilesTagsHead(t *testing.T) {
	dir := initRepo(t)
	head := testenv.Git(t, dir, "rev-parse", "HEAD")
	r, err := PrepareRelease(context.Background(), ReleaseOptions{Dir: dir, Message: "Release 2.0", Tag: "2.0", Getenv: ids})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := testenv.Git(t, dir, "rev-parse", "2.0^{commit}"); got != head || r.Commit.String() != head {
		t.Errorf("2.0 names %s (Commit %s), want HEAD %s", got, r.Commit, head)
	}
	checkGit(t, dir)
}

// TestReleaseOnPackedBranch: a branch only in packed-refs gets a loose
// ref, which git reads first.
func TestReleaseOnPackedBranch(t *testing.T) {
	dir := initRepo(t)
	testenv.Git(t, dir, "tag", "v1.2.0")
	testenv.Git(t, dir, "pack-refs", "--all", "--prune")
	if _, err := os.Stat(filepath.Join(dir, ".git", "refs", "heads", "main")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("main is still loose: %v", err)
	}
	o := releaseOptions(dir)
	o.DevMessage = ""
	o.Tag = "v1.2.0"
	if _, err := PrepareRelease(context.Background(), o); !errors.Is(err, ErrTagExists) {
		t.Errorf("a packed tag: err = %v, want ErrTagExists", err)
	}
	o.Tag = "v1.3.0"
	r, err := PrepareRelease(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := testenv.Git(t, dir, "rev-parse", "main"); got != r.Commit.String() {
		t.Errorf("main = %s, want %s", got, r.Commit)
	}
	checkGit(t, dir)
}

// TestReleaseRefusesBeforeWriting: every precondition fails Prepare, and
// nothing in the repository changes.
func TestReleaseRefusesBeforeWriting(t *testing.T) {
	tests := map[string]struct {
		setup func(t *testing.T, dir string, o *ReleaseOptions)
		want  error
		msg   string
	}{
		"no identity": {
			setup: func(t *testing.T, dir string, o *ReleaseOptions) {
				t.Setenv("HOME", t.TempDir())
				t.Setenv("XDG_CONFIG_HOME", t.TempDir())
				t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
				o.Getenv = env(nil)
			},
			want: ErrIdentity, msg: "user.name",
		},
		"tag exists": {
			setup: func(t *testing.T, dir string, o *ReleaseOptions) { testenv.Git(t, dir, "tag", "v1.3.0") },
			want:  ErrTagExists, msg: "v1.3.0",
		},
		"branch locked": {
			setup: func(t *testing.T, dir string, o *ReleaseOptions) { write(t, dir, ".git/refs/heads/main.lock", "") },
			want:  gitwrite.ErrLocked, msg: "main.lock",
		},
		"index locked": {
			setup: func(t *testing.T, dir string, o *ReleaseOptions) { write(t, dir, ".git/index.lock", "") },
			want:  gitwrite.ErrLocked, msg: "index.lock",
		},
		"file outside the tree": {
			setup: func(t *testing.T, dir string, o *ReleaseOptions) {
				o.Files = append(o.Files, ReleaseFile{Path: filepath.Join(t.TempDir(), "x"), Release: []byte("x")})
			},
			msg: "outside the working tree",
		},
		"pending journal": {
			setup: func(t *testing.T, dir string, o *ReleaseOptions) {
				write(t, dir, ".git/pyrelease/bump/manifest.json", "{}")
			},
			want: ErrPending, msg: "interrupted release",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			dir := initRepo(t)
			o := releaseOptions(dir)
			tt.setup(t, dir, &o)
			before := testenv.Git(t, dir, "for-each-ref")
			_, err := PrepareRelease(context.Background(), o)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v, want %v naming %q", err, tt.want, tt.msg)
			}
			if got := testenv.Git(t, dir, "for-each-ref"); got != before {
				t.Errorf("refs changed:\n%s", got)
			}
			if got := testenv.Git(t, dir, "status", "--porcelain"); got != "" {
				t.Errorf("git status = %q", got)
			}
		})
	}
}

// TestReleaseUndoesAFailure: the tag's lock appears between the plan and
// the tag write, so Apply fails after moving the branch, and undoes it.
func TestReleaseUndoesAFailure(t *testing.T) {
	dir := initRepo(t)
	parent := testenv.Git(t, dir, "rev-parse", "HEAD")
	r, err := PrepareRelease(context.Background(), releaseOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, ".git/refs/tags/v1.3.0.lock", "")
	err = r.Apply(context.Background())
	if !errors.Is(err, gitwrite.ErrLocked) {
		t.Fatalf("err = %v, want ErrLocked", err)
	}
	if err := os.Remove(filepath.Join(dir, ".git", "refs", "tags", "v1.3.0.lock")); err != nil {
		t.Fatal(err)
	}
	if got := testenv.Git(t, dir, "rev-parse", "HEAD"); got != parent {
		t.Errorf("HEAD = %s, want it back at %s", got, parent)
	}
	if got := testenv.Git(t, dir, "tag", "--list"); got != "" {
		t.Errorf("tags = %q", got)
	}
	checkGit(t, dir)
}

// TestRecoverRelease kills a release between its steps (by running only
// the first ones) and checks what the next run makes of it.
func TestRecoverRelease(t *testing.T) {
	tests := map[string]struct {
		steps  int // of apply's steps, how many ran (-1: none)
		action string
	}{
		"journal only":              {steps: -1, action: "undone"},
		"files written":             {steps: 1, action: "undone"},
		"branch moved":              {steps: 2, action: "finished"},
		"tagged":                    {steps: 3, action: "finished"},
		"index written":             {steps: 4, action: "finished"},
		"development files written": {steps: 5, action: "finished"},
		"development commit":        {steps: 6, action: "finished"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			dir := initRepo(t)
			parent := testenv.Git(t, dir, "rev-parse", "HEAD")
			r, err := PrepareRelease(context.Background(), releaseOptions(dir))
			if err != nil {
				t.Fatal(err)
			}
			if err := r.objs.Store(); err != nil {
				t.Fatal(err)
			}
			j := r.journal()
			if err := writeJournal(dir, j); err != nil {
				t.Fatal(err)
			}
			r.stopAfter = tt.steps
			if err := r.apply(context.Background(), j); !errors.Is(err, errStopped) {
				t.Fatalf("apply: %v", err)
			}
			if p, err := PendingRelease(dir); err != nil || p.Action != tt.action {
				t.Errorf("PendingRelease = %+v, %v; want %s", p, err, tt.action)
			}
			rec, err := RecoverRelease(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Action != tt.action || rec.Tag != "v1.3.0" {
				t.Errorf("RecoverRelease = %+v, want %s of v1.3.0", rec, tt.action)
			}
			checkGit(t, dir)
			head := testenv.Git(t, dir, "rev-parse", "HEAD")
			switch tt.action {
			case "undone":
				if head != parent || testenv.Git(t, dir, "tag", "--list") != "" {
					t.Errorf("HEAD %s, tags %q: want %s and none", head, testenv.Git(t, dir, "tag", "--list"), parent)
				}
			case "finished":
				if head != r.DevCommit.String() || testenv.Git(t, dir, "rev-parse", "v1.3.0") != r.TagObject.String() {
					t.Errorf("HEAD %s, want %s tagged", head, r.DevCommit)
				}
			}
			// Converged: nothing is pending, and a rerun does nothing.
			if rec, err := RecoverRelease(context.Background(), dir); err != nil || rec.Action != "" {
				t.Errorf("second RecoverRelease = %+v, %v", rec, err)
			}
		})
	}
}

// TestRecoverRemovesStaleLocks: a run killed inside a ref write leaves
// the lock; recovery removes a lock holding our id, and refuses another.
func TestRecoverRemovesStaleLocks(t *testing.T) {
	dir := initRepo(t)
	r, err := PrepareRelease(context.Background(), releaseOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.objs.Store(); err != nil {
		t.Fatal(err)
	}
	j := r.journal()
	if err := writeJournal(dir, j); err != nil {
		t.Fatal(err)
	}
	write(t, dir, ".git/refs/heads/main.lock", r.Commit.String()[:7])
	write(t, dir, ".git/index.lock", "DIRC")
	rec, err := RecoverRelease(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Action != "undone" || len(rec.Locks) != 2 {
		t.Errorf("RecoverRelease = %+v, want undone with two locks removed", rec)
	}
	checkGit(t, dir)

	if err := writeJournal(dir, j); err != nil {
		t.Fatal(err)
	}
	write(t, dir, ".git/refs/heads/main.lock", plumbing.ZeroHash.String())
	if _, err := RecoverRelease(context.Background(), dir); !errors.Is(err, gitwrite.ErrLocked) {
		t.Errorf("a lock of someone else's: err = %v, want ErrLocked", err)
	}
}

func TestReleaseNoticesAnEditedFile(t *testing.T) {
	dir := initRepo(t)
	r, err := PrepareRelease(context.Background(), releaseOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.objs.Store(); err != nil {
		t.Fatal(err)
	}
	if err := writeJournal(dir, r.journal()); err != nil {
		t.Fatal(err)
	}
	write(t, dir, "a.txt", "edited by hand\n")
	_, err = RecoverRelease(context.Background(), dir)
	var conflict *RecoveryConflictError
	if !errors.As(err, &conflict) || conflict.Path != "a.txt" {
		t.Fatalf("err = %v, want a conflict on a.txt", err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "a.txt")); string(got) != "edited by hand\n" {
		t.Errorf("a.txt = %q: the edit is lost", got)
	}
}

func TestRemoteURL(t *testing.T) {
	dir := initRepo(t)
	if _, err := RemoteURL(dir, "origin"); !errors.Is(err, ErrNoRemote) || !strings.Contains(err.Error(), "none is configured") {
		t.Errorf("no remote: err = %v", err)
	}
	testenv.Git(t, dir, "remote", "add", "upstream", "https://user:s3cret@example.com/x.git")
	if _, err := RemoteURL(dir, "origin"); err == nil || !strings.Contains(err.Error(), "configured: upstream") {
		t.Errorf("wrong remote: err = %v", err)
	}
	got, err := RemoteURL(dir, "upstream")
	if err != nil || got != "https://user:xxxxx@example.com/x.git" {
		t.Errorf("RemoteURL = %q, %v", got, err)
	}
}

func TestPushToBareRemote(t *testing.T) {
	dir := initRepo(t)
	bare := t.TempDir()
	testenv.Git(t, bare, "init", "-q", "--bare")
	testenv.Git(t, dir, "remote", "add", "origin", bare)
	r, err := PrepareRelease(context.Background(), ReleaseOptions{Dir: dir, Message: "Release 1.0", Tag: "v1.0", Getenv: ids})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Apply(context.Background()); err != nil {
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
}

// TestReleaseOfUnchangedFilesTagsHead: files that hold the release
// already make no empty commit; HEAD is tagged.
func TestReleaseOfUnchangedFilesTagsHead(t *testing.T) {
	dir := initRepo(t)
	head := testenv.Git(t, dir, "rev-parse", "HEAD")
	r, err := PrepareRelease(context.Background(), ReleaseOptions{Dir: dir, Message: "Release 1.2.0", Tag: "v1.2.0", Getenv: ids,
		Files: []ReleaseFile{{Path: filepath.Join(dir, "pkg", "sub", "version.py"), Release: []byte("VERSION = \"1.2.0\"\n")}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := testenv.Git(t, dir, "rev-parse", "HEAD", "v1.2.0^{commit}"); got != head+"\n"+head {
		t.Errorf("HEAD and v1.2.0 = %q, want both %s", got, head)
	}
	checkGit(t, dir)
}

// TestReleaseCancelled: Ctrl-C (a cancelled context) stops the release
// and undoes it.
func TestReleaseCancelled(t *testing.T) {
	dir := initRepo(t)
	parent := testenv.Git(t, dir, "rev-parse", "HEAD")
	r, err := PrepareRelease(context.Background(), releaseOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := r.Apply(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if got := testenv.Git(t, dir, "rev-parse", "HEAD"); got != parent {
		t.Errorf("HEAD = %s, want %s", got, parent)
	}
	if got := testenv.Git(t, dir, "tag", "--list"); got != "" {
		t.Errorf("tags = %q", got)
	}
	checkGit(t, dir)
}
