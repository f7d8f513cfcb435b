package statedir

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

func TestForInRepositoryRootSubfolderAndWorktree(t *testing.T) {
	git := testenv.Require(t, "git")
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	repo := filepath.Join(root, "repo")
	sub := filepath.Join(repo, "packages", "alpha")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	testenv.Git(t, repo, "init", "-q", "-b", "main")
	if err := os.WriteFile(filepath.Join(sub, "x"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	testenv.Git(t, repo, "add", "-A")
	testenv.Git(t, repo, "commit", "-q", "-m", "x")
	wt := filepath.Join(root, "wt")
	if out, err := exec.Command(git, "-C", repo, "worktree", "add", "-q", wt).CombinedOutput(); err != nil {
		t.Fatalf("git worktree add: %v %s", err, out)
	}
	for _, c := range []struct {
		name, dir, work, shared string
	}{
		{name: "root", dir: repo, work: filepath.Join(repo, ".git", "pyrelease"), shared: filepath.Join(repo, ".git", "pyrelease")},
		{name: "subfolder", dir: sub, work: filepath.Join(repo, ".git", "pyrelease", "packages", "alpha"), shared: filepath.Join(repo, ".git", "pyrelease", "packages", "alpha")},
		{name: "worktree", dir: filepath.Join(wt, "packages", "alpha"), work: filepath.Join(repo, ".git", "worktrees", "wt", "pyrelease", "packages", "alpha"), shared: filepath.Join(repo, ".git", "pyrelease", "packages", "alpha")},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := For(c.dir)
			if err != nil {
				t.Fatal(err)
			}
			if d.Work != c.work || d.Shared != c.shared {
				t.Errorf("For(%s) = %+v; want work %s, shared %s", c.dir, d, c.work, c.shared)
			}
		})
	}
}

func TestForOutsideGitUsesTheUserCache(t *testing.T) {
	dir := t.TempDir()
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	d, err := For(dir)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(d.Work) != filepath.Join(cache, "pyrelease") || d.Work != d.Shared {
		t.Errorf("For(%s) = %+v; want a directory in %s/pyrelease", dir, d, cache)
	}
	other, err := For(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if other.Work == d.Work {
		t.Errorf("two projects share %s", d.Work)
	}
}
