package gitgen_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/internal/dev/gitgen"
	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := gitgen.Git(context.Background(), dir, gitgen.DefaultEnv(), nil, args...)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(out)
}

func TestRepo(t *testing.T) {
	testenv.Require(t, "git")
	cases := map[string]struct {
		opts    gitgen.Options
		commits int
		check   func(t *testing.T, dir string)
	}{
		"linear, no tags": {gitgen.Options{Seed: 1, Commits: 30}, 30, func(t *testing.T, dir string) {
			if tags := git(t, dir, "tag"); tags != "" {
				t.Errorf("tags %q, want none", tags)
			}
			if merges := git(t, dir, "rev-list", "--merges", "--count", "main"); merges != "0" {
				t.Errorf("%s merges in a linear history", merges)
			}
		}},
		"merges and special tags, packed with a graph chain": {
			gitgen.Options{Seed: 2, Commits: 200, MergeRate: 0.2, BranchRate: 0.2, CrissCross: 0.5, TagEvery: 10, AnnotatedRate: 0.5, PrefixedRate: 0.5, Special: true, Pack: true, SplitGraph: true, Files: 300, Checkout: true},
			0, func(t *testing.T, dir string) {
				for _, tag := range []string{"9.0.0", "v9.0.0", "outer", "blob-tag", "tree-light", "zz-renamed"} {
					git(t, dir, "rev-parse", "refs/tags/"+tag)
				}
				if git(t, dir, "rev-parse", "9.0.0^{commit}") != git(t, dir, "rev-parse", "v9.0.0^{commit}") {
					t.Error("9.0.0 and v9.0.0 are on different commits")
				}
				if n, _ := strconv.Atoi(git(t, dir, "rev-list", "--merges", "--count", "main")); n == 0 {
					t.Error("no merges")
				}
				chain, err := os.ReadFile(filepath.Join(dir, ".git", "objects", "info", "commit-graphs", "commit-graph-chain"))
				if err != nil || len(strings.Fields(string(chain))) != 3 {
					t.Errorf("commit-graph chain %q (%v), want three layers", chain, err)
				}
				if status := git(t, dir, "status", "--porcelain"); status != "" {
					t.Errorf("checkout left changes: %q", status)
				}
				if n := len(strings.Fields(git(t, dir, "ls-files"))); n < 100 {
					t.Errorf("%d files checked out, want many", n)
				}
			}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := gitgen.Repo(context.Background(), dir, c.opts); err != nil {
				t.Fatal(err)
			}
			if c.commits > 0 {
				if got := git(t, dir, "rev-list", "--count", "--all"); got != strconv.Itoa(c.commits) {
					t.Errorf("%s commits, want %d", got, c.commits)
				}
			}
			git(t, dir, "fsck", "--no-progress")
			c.check(t, dir)
		})
	}
}

func TestRepoIsReproducible(t *testing.T) {
	testenv.Require(t, "git")
	opts := gitgen.Options{Seed: 9, Commits: 80, MergeRate: 0.2, BranchRate: 0.2, TagEvery: 5, AnnotatedRate: 0.5, SkewDates: true}
	a, b := t.TempDir(), t.TempDir()
	for _, d := range []string{a, b} {
		if err := gitgen.Repo(context.Background(), d, opts); err != nil {
			t.Fatal(err)
		}
	}
	if x, y := git(t, a, "rev-parse", "main"), git(t, b, "rev-parse", "main"); x != y {
		t.Errorf("same seed, different histories: %s and %s", x, y)
	}
}

func TestRepoRejectsNoCommits(t *testing.T) {
	if err := gitgen.Repo(context.Background(), t.TempDir(), gitgen.Options{}); err == nil {
		t.Fatal("Repo with zero commits succeeded")
	}
}
