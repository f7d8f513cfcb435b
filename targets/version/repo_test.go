package version

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/dev/gitgen"
	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

func TestDescribeHeadBranchAndDate(t *testing.T) {
	dir := workRepo(t)
	for _, sub := range []string{"", "sub"} {
		d, err := Describe(context.Background(), Options{Dir: filepath.Join(dir, sub)})
		if err != nil {
			t.Fatal(err)
		}
		if want := testenv.Git(t, dir, "describe", "--tags", "--long"); d.String() != want {
			t.Errorf("Dir %q: Describe = %q, git says %q", sub, d, want)
		}
		if d.Branch != "main" {
			t.Errorf("Branch = %q, want main", d.Branch)
		}
		if want := testenv.Git(t, dir, "rev-parse", "HEAD"); d.Commit != want {
			t.Errorf("Commit = %s, want %s", d.Commit, want)
		}
		ct, _ := strconv.ParseInt(testenv.Git(t, dir, "log", "-1", "--format=%ct"), 10, 64)
		if !d.Date.Equal(time.Unix(ct, 0)) || d.Date.Location() != time.UTC {
			t.Errorf("Date = %v, want %v in UTC", d.Date, time.Unix(ct, 0).UTC())
		}
		if d.Tag != "v1.0.0" || d.Distance != 1 {
			t.Errorf("Tag, Distance = %q, %d; want v1.0.0, 1", d.Tag, d.Distance)
		}
	}
	testenv.Git(t, dir, "checkout", "-q", "--detach")
	d, err := Describe(context.Background(), Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if d.Branch != "" {
		t.Errorf("detached HEAD: Branch = %q, want empty", d.Branch)
	}
}

func TestDescribeWorktree(t *testing.T) {
	dir := workRepo(t)
	wt := filepath.Join(t.TempDir(), "wt")
	testenv.Git(t, dir, "worktree", "add", "-q", "-b", "feature", wt, "HEAD~1")
	write(t, wt, "a.txt", "changed in the worktree\n")
	d, err := Describe(context.Background(), Options{Dir: filepath.Join(wt, "sub"), Dirty: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := testenv.Git(t, wt, "describe", "--tags", "--long", "--dirty"); d.String() != want {
		t.Errorf("Describe = %q, git says %q", d, want)
	}
	if d.Branch != "feature" || !d.Dirty {
		t.Errorf("Branch, Dirty = %q, %v; want feature, true", d.Branch, d.Dirty)
	}
	// The main worktree is unaffected.
	if d, err := Describe(context.Background(), Options{Dir: dir, Dirty: true}); err != nil || d.Dirty || d.Branch != "main" {
		t.Errorf("main worktree: %+v, %v", d, err)
	}
}

func TestDescribeErrors(t *testing.T) {
	testenv.Require(t, "git")
	unborn := t.TempDir()
	testenv.Git(t, unborn, "init", "-q")
	orphan := workRepo(t)
	bare := filepath.Join(t.TempDir(), "bare.git")
	testenv.Git(t, orphan, "clone", "-q", "--bare", orphan, bare)
	testenv.Git(t, orphan, "checkout", "-q", "--orphan", "fresh")
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	cases := map[string]struct {
		ctx  context.Context
		opts Options
		want error
	}{
		"not a repository": {context.Background(), Options{Dir: t.TempDir()}, ErrNotRepo},
		"missing dir":      {context.Background(), Options{Dir: filepath.Join(t.TempDir(), "nope")}, os.ErrNotExist},
		"unborn HEAD":      {context.Background(), Options{Dir: unborn}, ErrNoCommits},
		"orphan branch":    {context.Background(), Options{Dir: orphan}, ErrNoCommits},
		"bare and dirty":   {context.Background(), Options{Dir: bare, Dirty: true}, ErrNoWorktree},
		"unknown rev":      {context.Background(), Options{Dir: bare, Rev: "no-such-ref"}, ErrBadRev},
		"too far back":     {context.Background(), Options{Dir: bare, Rev: "main~5"}, ErrBadRev},
		"blob rev":         {context.Background(), Options{Dir: bare, Rev: "main:a.txt"}, ErrBadRev},
		"canceled":         {canceled, Options{Dir: bare}, context.Canceled},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Describe(c.ctx, c.opts)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if err != nil && c.want != context.Canceled && !strings.HasPrefix(err.Error(), "version: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestDescribeBare(t *testing.T) {
	dir := workRepo(t)
	bare := filepath.Join(t.TempDir(), "bare.git")
	testenv.Git(t, dir, "clone", "-q", "--bare", dir, bare)
	d, err := Describe(context.Background(), Options{Dir: bare})
	if err != nil {
		t.Fatal(err)
	}
	if want := testenv.Git(t, bare, "describe", "--tags", "--long"); d.String() != want {
		t.Errorf("Describe = %q, git says %q", d, want)
	}
}

func TestDescribeRevForms(t *testing.T) {
	dir := repoFixture(t, "special-packed", storages["packed"](shapes["special"]))
	short := testenv.Git(t, dir, "rev-parse", "--short=9", "HEAD~3")
	revs := []string{"HEAD", "HEAD~1", "HEAD^", "HEAD~2^2", "main~4", "v9.0.0", "v9.0.0^{}", "9.0.0", "refs/tags/outer",
		"outer", "inner^{commit}", "zz-renamed", short, testenv.Git(t, dir, "rev-parse", "HEAD~7")}
	for _, rev := range revs {
		want, err := testenv.GitE(dir, nil, "describe", "--tags", "--long", "--always", rev)
		if err != nil {
			continue // e.g. HEAD~2 is not a merge in this history
		}
		d, err := Describe(context.Background(), Options{Dir: dir, Rev: rev})
		if err != nil {
			t.Errorf("Describe(%s): %v", rev, err)
			continue
		}
		if d.String() != want {
			t.Errorf("Describe(%s) = %q, git says %q", rev, d, want)
		}
	}
}

// TestDescribeRefStorage rewrites how tags are stored: packed-refs
// without peeled lines (old git), with the "peeled" trait only, and a
// loose ref shadowing a packed one.
func TestDescribeRefStorage(t *testing.T) {
	testenv.Require(t, "git")
	variants := map[string]func(t *testing.T, dir string){
		"no traits": func(t *testing.T, dir string) {
			rewritePackedRefs(t, dir, "", true)
		},
		"peeled trait": func(t *testing.T, dir string) {
			rewritePackedRefs(t, dir, "# pack-refs with: peeled \n", false)
		},
		"loose shadows packed": func(t *testing.T, dir string) {
			tags := gitLines(t, dir, "tag")
			id := testenv.Git(t, dir, "rev-parse", "HEAD~5")
			write(t, dir, ".git/refs/tags/"+tags[len(tags)/2], id+"\n")
		},
		// A loose ref git cannot read hides the packed ref of the same
		// name: the tag is gone for git, and so for Describe.
		"empty loose hides packed": func(t *testing.T, dir string) {
			for _, tag := range every(gitLines(t, dir, "tag"), 0, 3) {
				write(t, dir, ".git/refs/tags/"+tag, "")
			}
		},
		"garbage loose hides packed": func(t *testing.T, dir string) {
			for _, tag := range every(gitLines(t, dir, "tag"), 1, 3) {
				write(t, dir, ".git/refs/tags/"+tag, "garbage\n")
			}
		},
		"symbolic tag": func(t *testing.T, dir string) {
			write(t, dir, ".git/refs/tags/aaa-latest", "ref: refs/tags/"+gitLines(t, dir, "tag")[3]+"\n")
		},
		"broken and badly named refs": func(t *testing.T, dir string) {
			write(t, dir, ".git/refs/tags/broken", "not an object name\n")
			write(t, dir, ".git/refs/tags/dangling", "ref: refs/tags/nowhere\n")
			write(t, dir, ".git/refs/tags/bad..name", testenv.Git(t, dir, "rev-parse", "HEAD~1")+"\n")
			write(t, dir, ".git/refs/tags/x.lock", testenv.Git(t, dir, "rev-parse", "HEAD~1")+"\n")
		},
	}
	for name, change := range variants {
		t.Run(name, func(t *testing.T) {
			src := repoFixture(t, "special-packed", storages["packed"](shapes["special"]))
			dir := filepath.Join(t.TempDir(), "r")
			testenv.Git(t, src, "clone", "-q", "--mirror", src, filepath.Join(dir, ".git"))
			testenv.Git(t, dir, "config", "--bool", "core.bare", "false")
			change(t, dir)
			compareWithGit(t, dir, nil, gitLines(t, dir, "rev-list", "--branches"))
		})
	}
}

// every returns s[start], s[start+step], ...
func every(s []string, start, step int) []string {
	var out []string
	for i := start; i < len(s); i += step {
		out = append(out, s[i])
	}
	return out
}

// rewritePackedRefs replaces the header and optionally drops "^" lines.
func rewritePackedRefs(t *testing.T, dir, header string, dropPeeled bool) {
	t.Helper()
	p := filepath.Join(dir, ".git", "packed-refs")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if strings.HasPrefix(line, "#") || line == "" || dropPeeled && strings.HasPrefix(line, "^") {
			continue
		}
		out = append(out, line)
	}
	if err := os.WriteFile(p, []byte(header+strings.Join(out, "")), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDescribeAlternates(t *testing.T) {
	src := repoFixture(t, "merges-packed", storages["packed"](shapes["merges"]))
	dir := filepath.Join(t.TempDir(), "shared")
	testenv.Git(t, src, "clone", "-q", "--shared", src, dir)
	if _, err := os.Stat(filepath.Join(dir, ".git", "objects", "info", "alternates")); err != nil {
		t.Fatal(err)
	}
	compareWithGit(t, dir, nil, gitLines(t, dir, "rev-list", "--all"))
}

func TestShallowClones(t *testing.T) {
	testenv.Require(t, "git")
	src := repoFixture(t, "shallow-src", gitgen.Options{Seed: 21, Commits: 150, MergeRate: 0.1, BranchRate: 0.1, TagEvery: 12, AnnotatedRate: 0.5, Pack: true})
	answered, refused := 0, 0
	for _, depth := range []int{1, 3, 10, 40} {
		dst := filepath.Join(t.TempDir(), "clone")
		testenv.Git(t, src, "clone", "-q", "--depth", strconv.Itoa(depth), "file://"+src, dst)
		if _, err := os.Stat(filepath.Join(dst, ".git", "shallow")); err != nil && depth <= 10 {
			t.Fatalf("depth %d: not a shallow clone: %v", depth, err)
		}
		commits := gitLines(t, dst, "rev-list", "--all")
		full := oracleDescribe(t, src, nil, commits)
		for i, c := range commits {
			d, err := Describe(context.Background(), Options{Dir: dst, Rev: c})
			if errors.Is(err, ErrShallow) {
				if !strings.Contains(err.Error(), "git fetch --unshallow --tags") || !strings.Contains(err.Error(), dst) {
					t.Errorf("shallow error %q does not name the clone and the fix", err)
				}
				refused++
				continue
			}
			if err != nil {
				t.Fatalf("depth %d, Describe(%s): %v", depth, c, err)
			}
			if d.String() != full[i] {
				t.Errorf("depth %d: Describe(%s) = %q in the shallow clone, full history says %q", depth, c, d, full[i])
			}
			answered++
		}
	}
	if answered == 0 || refused == 0 {
		t.Fatalf("answered %d and refused %d: want both to happen", answered, refused)
	}
	t.Logf("shallow clones: %d answered exactly, %d refused with ErrShallow", answered, refused)

	// Without tags the count of commits needs all history.
	dst := filepath.Join(t.TempDir(), "notags")
	testenv.Git(t, src, "clone", "-q", "--depth", "20", "--no-tags", "file://"+src, dst)
	if _, err := Describe(context.Background(), Options{Dir: dst}); !errors.Is(err, ErrShallow) {
		t.Fatalf("tagless shallow clone: err = %v, want ErrShallow", err)
	}
	// A graft of the whole history is not shallow any more.
	testenv.Git(t, dst, "fetch", "-q", "--unshallow", "--tags")
	d, err := Describe(context.Background(), Options{Dir: dst})
	if err != nil {
		t.Fatal(err)
	}
	if want := testenv.Git(t, dst, "describe", "--tags", "--long", "--always"); d.String() != want {
		t.Errorf("after unshallow: Describe = %q, git says %q", d, want)
	}
}

func TestDescribeRefusesHistoryRewrites(t *testing.T) {
	dir := workRepo(t)
	// Graft HEAD onto nothing: git now sees a root commit.
	testenv.Git(t, dir, "replace", "--graft", "HEAD")
	if _, err := Describe(context.Background(), Options{Dir: dir}); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("with a replace ref: err = %v, want ErrUnsupported", err)
	}
	t.Setenv("GIT_NO_REPLACE_OBJECTS", "1")
	d, err := Describe(context.Background(), Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := testenv.GitE(dir, []string{"GIT_NO_REPLACE_OBJECTS=1"}, "describe", "--tags", "--long"); d.String() != want {
		t.Errorf("GIT_NO_REPLACE_OBJECTS=1: Describe = %q, git says %q", d, want)
	}
}
