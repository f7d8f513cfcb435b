package gitwrite

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// newRepo makes a repository with nested directories, one commit.
func newRepo(t *testing.T) string {
	t.Helper()
	testenv.Require(t, "git")
	dir := t.TempDir()
	testenv.Git(t, dir, "init", "-q", "-b", "main")
	for rel, content := range map[string]string{
		"README.md":             "readme\n",
		"a/b/c/deep.txt":        "deep\n",
		"a/b/sibling.txt":       "sibling\n",
		"news/1.feature.md":     "one\n",
		"news/sub/2.bugfix.md":  "two\n",
		"a-b.txt":               "sorts between a and a/\n",
		"src/pkg/__init__.py":   "",
		"src/pkg/version.py":    "VERSION = \"1.0\"\n",
		"src/pkg/data/blob.bin": "\x00\x01",
	} {
		writeFile(t, dir, rel, content)
	}
	testenv.Git(t, dir, "add", "-A")
	testenv.Git(t, dir, "commit", "-q", "-m", "first")
	return dir
}

func writeFile(t *testing.T, dir, rel, content string) {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestTreeMatchesGit builds trees with changes at every depth and checks
// each against the tree git writes for the same changes.
func TestTreeMatchesGit(t *testing.T) {
	tests := map[string][]Change{
		"top-level file":           {{Path: "README.md", Blob: BlobHash([]byte("new\n"))}},
		"deep file":                {{Path: "a/b/c/deep.txt", Blob: BlobHash([]byte("deeper\n"))}},
		"new file in a new dir":    {{Path: "x/y/z.txt", Blob: BlobHash([]byte("z\n"))}},
		"remove a file":            {{Path: "a/b/sibling.txt", Remove: true}},
		"remove the last of dirs":  {{Path: "news/1.feature.md", Remove: true}, {Path: "news/sub/2.bugfix.md", Remove: true}},
		"remove what is not there": {{Path: "nothing/here.txt", Remove: true}},
		"several at once": {
			{Path: "src/pkg/version.py", Blob: BlobHash([]byte("VERSION = \"1.1\"\n"))},
			{Path: "news/sub/2.bugfix.md", Remove: true},
			{Path: "a-b.txt", Blob: BlobHash([]byte("changed\n"))},
			{Path: "a/new.txt", Blob: BlobHash([]byte("new\n"))},
		},
	}
	for name, changes := range tests {
		t.Run(name, func(t *testing.T) {
			dir := newRepo(t)
			r, err := Open(filepath.Join(dir, "a", "b"))
			if err != nil {
				t.Fatal(err)
			}
			if r.Root != dir {
				t.Errorf("Root = %s, want %s", r.Root, dir)
			}
			_, head, err := r.Head()
			if err != nil {
				t.Fatal(err)
			}
			objs := r.NewObjects()
			base, err := objs.TreeOf(head)
			if err != nil {
				t.Fatal(err)
			}
			// The oracle: the same changes through a scratch index.
			env := []string{"GIT_INDEX_FILE=" + filepath.Join(t.TempDir(), "index")}
			git := func(args ...string) string {
				out, err := testenv.GitE(dir, env, args...)
				if err != nil {
					t.Fatalf("git %s: %v", strings.Join(args, " "), err)
				}
				return out
			}
			git("read-tree", base.String())
			for _, c := range changes {
				if c.Remove {
					git("update-index", "--force-remove", c.Path)
					continue
				}
				content := map[plumbing.Hash]string{}
				for _, s := range []string{"new\n", "deeper\n", "z\n", "VERSION = \"1.1\"\n", "changed\n"} {
					content[BlobHash([]byte(s))] = s
				}
				blob := objs.Blob([]byte(content[c.Blob]))
				if blob != c.Blob {
					t.Fatalf("blob of %s: %s, want %s", c.Path, blob, c.Blob)
				}
				git("update-index", "--add", "--cacheinfo", "100644,"+c.Blob.String()+","+c.Path)
			}
			// Objects must exist for write-tree; the oracle writes its own.
			if err := objs.Store(); err != nil {
				t.Fatal(err)
			}
			want := git("write-tree")
			got, err := objs.Tree(base, changes)
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != want {
				t.Errorf("Tree = %s, git write-tree = %s", got, want)
			}
		})
	}
}

func TestTreeRefusesAFileWhereADirectoryIs(t *testing.T) {
	dir := newRepo(t)
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, head, _ := r.Head()
	objs := r.NewObjects()
	base, _ := objs.TreeOf(head)
	for _, c := range []Change{
		{Path: "a/b", Blob: BlobHash(nil)},
		{Path: "README.md/x", Blob: BlobHash(nil)},
		{Path: "../x", Blob: BlobHash(nil)},
		{Path: "a//b", Blob: BlobHash(nil)},
	} {
		if _, err := objs.Tree(base, []Change{c}); err == nil {
			t.Errorf("%s: no error", c.Path)
		}
	}
}

// TestRefs: updates through the lock, compare-and-swap, packed refs, and
// git agreeing at every step.
func TestRefs(t *testing.T) {
	dir := newRepo(t)
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	branch, head, err := r.Head()
	if err != nil || branch != "refs/heads/main" || head.String() != testenv.Git(t, dir, "rev-parse", "HEAD") {
		t.Fatalf("Head = %s %s, %v", branch, head, err)
	}
	objs := r.NewObjects()
	tree, _ := objs.TreeOf(head)
	sig := object.Signature{Name: "A", Email: "a@x"}
	next, err := objs.Commit(&object.Commit{Author: sig, Committer: sig, Message: "next\n", TreeHash: tree, ParentHashes: []plumbing.Hash{head}})
	if err != nil {
		t.Fatal(err)
	}
	if err := objs.Store(); err != nil {
		t.Fatal(err)
	}

	testenv.Git(t, dir, "pack-refs", "--all", "--prune")
	if h, ok, err := r.ReadRef(branch); err != nil || !ok || h != head {
		t.Fatalf("packed ReadRef = %s %v %v", h, ok, err)
	}
	var changed *RefChangedError
	if err := r.UpdateRef(branch, next, next); !errors.As(err, &changed) || changed.Got != head {
		t.Errorf("UpdateRef with a wrong old value: %v", err)
	}
	if err := r.UpdateRef(branch, next, head); err != nil {
		t.Fatal(err)
	}
	if got := testenv.Git(t, dir, "rev-parse", "main"); got != next.String() {
		t.Errorf("git rev-parse main = %s, want %s (a loose ref over the packed one)", got, next)
	}
	if _, err := os.Stat(r.LockPath(branch)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the lock is left: %v", err)
	}

	tag := plumbing.NewTagReferenceName("v1")
	if err := r.UpdateRef(tag, head, plumbing.ZeroHash); err != nil {
		t.Fatal(err)
	}
	if err := r.UpdateRef(tag, head, plumbing.ZeroHash); !errors.Is(err, ErrRefChanged) {
		t.Errorf("creating an existing ref: %v", err)
	}
	writeFile(t, dir, ".git/refs/tags/v1.lock", "")
	if err := r.DeleteRef(tag, head); !errors.Is(err, ErrLocked) {
		t.Errorf("a held lock: %v", err)
	}
	if ok, err := r.RemoveStaleLock(tag, func(b []byte) bool { return len(b) == 0 }); !ok || err != nil {
		t.Errorf("RemoveStaleLock = %v, %v", ok, err)
	}
	if err := r.DeleteRef(tag, head); err != nil {
		t.Fatal(err)
	}
	if got := testenv.Git(t, dir, "tag", "--list"); got != "" {
		t.Errorf("tags after DeleteRef: %q", got)
	}
	if out, err := testenv.GitE(dir, nil, "fsck", "--full", "--strict"); err != nil {
		t.Errorf("git fsck: %v\n%s", err, out)
	}
}

func TestEmptyRefIsAnError(t *testing.T) {
	dir := newRepo(t)
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, ".git/refs/heads/main", "")
	if _, _, err := r.Head(); err == nil || !strings.Contains(err.Error(), "is empty") {
		t.Errorf("Head on an empty ref: %v", err)
	}
}

// TestUpdateIndex: entries changed, added and removed, their stat data
// fresh, so git sees a clean tree without reading the files.
func TestUpdateIndex(t *testing.T) {
	for _, version := range []string{"2", "3", "4"} {
		t.Run("v"+version, func(t *testing.T) {
			dir := newRepo(t)
			testenv.Git(t, dir, "update-index", "--index-version", version)
			r, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			if err := r.CheckIndex(); err != nil {
				t.Fatal(err)
			}
			writeFile(t, dir, "a/b/c/deep.txt", "deeper\n")
			writeFile(t, dir, "x/new.txt", "new\n")
			if err := os.Remove(filepath.Join(dir, "news", "1.feature.md")); err != nil {
				t.Fatal(err)
			}
			objs := r.NewObjects()
			deep, added := objs.Blob([]byte("deeper\n")), objs.Blob([]byte("new\n"))
			if err := objs.Store(); err != nil {
				t.Fatal(err)
			}
			if err := r.UpdateIndex([]IndexEntry{
				{Path: "a/b/c/deep.txt", Blob: deep},
				{Path: "x/new.txt", Blob: added},
				{Path: "news/1.feature.md", Remove: true},
			}); err != nil {
				t.Fatal(err)
			}
			if got := testenv.Git(t, dir, "diff-files", "--name-only"); got != "" {
				t.Errorf("git diff-files = %q: stale stat data", got)
			}
			if got := testenv.Git(t, dir, "status", "--porcelain"); got != "M  a/b/c/deep.txt\nD  news/1.feature.md\nA  x/new.txt" {
				t.Errorf("git status =\n%s", got)
			}
			if got := testenv.Git(t, dir, "ls-files", "-s", "x/new.txt"); !strings.HasPrefix(got, "100644 "+added.String()) {
				t.Errorf("ls-files = %q", got)
			}
			if h, ok, err := r.IndexBlob("a/b/c/deep.txt"); err != nil || !ok || h != deep {
				t.Errorf("IndexBlob = %s %v %v", h, ok, err)
			}
			if _, err := os.Stat(r.IndexLockPath()); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("index.lock is left: %v", err)
			}
		})
	}
}

func TestUpdateIndexHonoursTheLock(t *testing.T) {
	dir := newRepo(t)
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, ".git/index.lock", "")
	if err := r.UpdateIndex(nil); !errors.Is(err, ErrLocked) {
		t.Errorf("err = %v, want ErrLocked", err)
	}
	if err := r.CheckUnlocked("refs/heads/main"); !errors.Is(err, ErrLocked) {
		t.Errorf("CheckUnlocked = %v, want ErrLocked", err)
	}
}

func TestLinkedWorktree(t *testing.T) {
	dir := newRepo(t)
	wt := filepath.Join(t.TempDir(), "wt")
	testenv.Git(t, dir, "worktree", "add", "-q", "-b", "side", wt)
	r, err := Open(wt)
	if err != nil {
		t.Fatal(err)
	}
	if r.CommonDir != filepath.Join(dir, ".git") || r.GitDir == r.CommonDir {
		t.Errorf("GitDir %s, CommonDir %s", r.GitDir, r.CommonDir)
	}
	branch, head, err := r.Head()
	if err != nil || branch != "refs/heads/side" || head.String() != testenv.Git(t, dir, "rev-parse", "side") {
		t.Errorf("Head = %s %s, %v", branch, head, err)
	}
}
