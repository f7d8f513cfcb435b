package version

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/internal/dev/gitgen"
	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// shapes are the histories every differential test runs against.
var shapes = map[string]gitgen.Options{
	"linear":      {Seed: 1, Commits: 200, TagEvery: 15, AnnotatedRate: 0.5},
	"merges":      {Seed: 2, Commits: 400, MergeRate: 0.15, BranchRate: 0.1, TagEvery: 12, AnnotatedRate: 0.5, SkewDates: true},
	"crisscross":  {Seed: 3, Commits: 400, MergeRate: 0.2, BranchRate: 0.15, CrissCross: 0.6, TagEvery: 9, AnnotatedRate: 0.3, SkewDates: true},
	"special":     {Seed: 4, Commits: 300, MergeRate: 0.1, BranchRate: 0.1, CrissCross: 0.3, TagEvery: 20, AnnotatedRate: 0.5, PrefixedRate: 0.4, Special: true, SkewDates: true},
	"lightweight": {Seed: 5, Commits: 300, MergeRate: 0.1, BranchRate: 0.1, TagEvery: 25, SkewDates: true},
	"dense":       {Seed: 6, Commits: 300, MergeRate: 0.2, BranchRate: 0.2, CrissCross: 0.3, TagEvery: 2, AnnotatedRate: 0.5, PrefixedRate: 0.3, SkewDates: true},
	"notags":      {Seed: 7, Commits: 250, MergeRate: 0.1, BranchRate: 0.1, SkewDates: true},
}

// storage variants of each shape: loose or packed, with or without a
// commit-graph (single, chained, or stale).
var storages = map[string]func(o gitgen.Options) gitgen.Options{
	"loose":       func(o gitgen.Options) gitgen.Options { return o },
	"loose-graph": func(o gitgen.Options) gitgen.Options { o.CommitGraph = true; return o },
	"packed":      func(o gitgen.Options) gitgen.Options { o.Pack = true; return o },
	"packed-split": func(o gitgen.Options) gitgen.Options {
		o.Pack, o.SplitGraph = true, true
		return o
	},
	"packed-stale": func(o gitgen.Options) gitgen.Options {
		o.Pack, o.StaleGraph = true, true
		return o
	},
}

func TestDescribeMatchesGit(t *testing.T) {
	t.Parallel()
	testenv.Require(t, "git")
	total := 0
	for shape, opts := range shapes {
		for storage, variant := range storages {
			name := shape + "-" + storage
			t.Run(name, func(t *testing.T) {
				dir := repoFixture(t, name, variant(opts))
				commits := gitLines(t, dir, "rev-list", "--all")
				n := compareWithGit(t, dir, nil, commits)
				total += n
				t.Logf("%s: compared %d commits", name, n)
			})
		}
	}
	t.Logf("compared %d commit descriptions in total", total)
}

// compareWithGit describes commits with Describe and with git and
// requires the same text; it returns how many were compared.
func compareWithGit(t *testing.T, dir string, match []string, commits []string) int {
	t.Helper()
	want := oracleDescribe(t, dir, match, commits)
	if len(want) != len(commits) {
		t.Fatalf("git printed %d lines for %d commits", len(want), len(commits))
	}
	bad := 0
	for i, c := range commits {
		d, err := Describe(context.Background(), Options{Dir: dir, Rev: c, Match: match})
		if err != nil {
			t.Errorf("Describe(%s): %v", c, err)
			bad++
		} else if got := d.String(); got != want[i] {
			t.Errorf("Describe(%s) = %q, git says %q", c, got, want[i])
			bad++
		}
		if bad > 10 {
			t.Fatalf("too many differences")
		}
	}
	return len(commits)
}

// sample picks n commits reproducibly.
func sample(commits []string, n int, seed uint64) []string {
	if len(commits) <= n {
		return commits
	}
	r := rand.New(rand.NewPCG(seed, seed))
	out := make([]string, n)
	for i, k := range r.Perm(len(commits))[:n] {
		out[i] = commits[k]
	}
	return out
}

// TestDescribeRandomHistories runs many small, chaotic histories: random
// dates (so git's date-ordered walk propagates flags imperfectly), dense
// tags (so the ten-candidate limit is hit), criss-cross merges.
func TestDescribeRandomHistories(t *testing.T) {
	t.Parallel()
	testenv.Require(t, "git")
	total := 0
	for seed := uint64(100); seed < 140; seed++ {
		opts := gitgen.Options{
			Seed: seed, Commits: 40 + int(seed%5)*20,
			MergeRate: 0.25, BranchRate: 0.2, CrissCross: 0.5,
			TagEvery: 2 + int(seed%4), AnnotatedRate: 0.5,
			RandomDates: true, CommitGraph: seed%2 == 0,
		}
		name := "random-" + strconv.FormatUint(seed, 10)
		dir := repoFixture(t, name, opts)
		total += compareWithGit(t, dir, nil, gitLines(t, dir, "rev-list", "--all"))
	}
	t.Logf("compared %d commits over 40 random histories", total)
}

// TestDescribeModernMatchesNewGit checks SearchModern against git 2.48 or
// later. The machine's git is older, so this runs only when
// PYRELEASE_TEST_GIT_MODERN names such a binary.
func TestDescribeModernMatchesNewGit(t *testing.T) {
	t.Parallel()
	bin := os.Getenv("PYRELEASE_TEST_GIT_MODERN")
	if bin == "" {
		t.Skip("PYRELEASE_TEST_GIT_MODERN is not set (path to git >= 2.48)")
	}
	var dirs []string
	for seed := uint64(100); seed < 140; seed++ {
		opts := gitgen.Options{
			Seed: seed, Commits: 40 + int(seed%5)*20,
			MergeRate: 0.25, BranchRate: 0.2, CrissCross: 0.5,
			TagEvery: 2 + int(seed%4), AnnotatedRate: 0.5,
			RandomDates: true, CommitGraph: seed%2 == 0,
		}
		dirs = append(dirs, repoFixture(t, "random-"+strconv.FormatUint(seed, 10), opts))
	}
	for shape, opts := range shapes {
		dirs = append(dirs, repoFixture(t, shape+"-packed", storages["packed"](opts)))
	}
	midx := large
	midx.Pack, midx.MultiPackIndex = true, true
	dirs = append(dirs, repoFixture(t, "large-midx", midx))
	total := 0
	for _, dir := range dirs {
		commits := sample(gitLines(t, dir, "rev-list", "--all"), 300, 1)
		cmd := exec.Command(bin, append([]string{"describe", "--tags", "--long", "--always"}, commits...)...)
		cmd.Dir, cmd.Env = dir, testenv.GitEnv()
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s describe: %v", bin, err)
		}
		want := strings.Split(strings.TrimSpace(string(out)), "\n")
		for i, c := range commits {
			d, err := Describe(context.Background(), Options{Dir: dir, Rev: c, Search: SearchModern})
			if err != nil {
				t.Fatalf("Describe(%s): %v", c, err)
			}
			if got := d.String(); got != want[i] {
				t.Errorf("%s: Describe(%s) = %q, new git says %q", dir, c, got, want[i])
			}
		}
		total += len(commits)
	}
	t.Logf("compared %d commits with %s", total, bin)
}

// large is the 11k-commit history shared by the large-repository tests
// and the benchmark: over 32768 objects, so git's abbreviation starts at
// 8 digits and a multi-pack-index changes it (see approximateCount).
var large = gitgen.Options{
	Seed: 42, Commits: 11000, MergeRate: 0.05, BranchRate: 0.05, CrissCross: 0.2,
	TagEvery: 60, AnnotatedRate: 0.6, PrefixedRate: 0.2, SkewDates: true,
}

func TestDescribeLargeRepo(t *testing.T) {
	t.Parallel()
	testenv.Require(t, "git")
	variants := map[string]func(gitgen.Options) gitgen.Options{
		"packed-graph": func(o gitgen.Options) gitgen.Options { o.Pack, o.CommitGraph = true, true; return o },
		"packed":       func(o gitgen.Options) gitgen.Options { o.Pack = true; return o },
		"fast-import":  func(o gitgen.Options) gitgen.Options { return o },
		"midx":         func(o gitgen.Options) gitgen.Options { o.Pack, o.MultiPackIndex = true, true; return o },
	}
	// A rare pattern makes walks long: the loose and packed variants then
	// read thousands of commits from objects (and decode packs in bulk).
	matches := [][]string{nil, {"nightly-*"}, {"release-*", "pkg/*"}}
	total := 0
	for name, v := range variants {
		t.Run(name, func(t *testing.T) {
			dir := repoFixture(t, "large-"+name, v(large))
			commits := sample(gitLines(t, dir, "rev-list", "--all"), 300, 7)
			for i, m := range matches {
				// Without a commit-graph the rare patterns walk thousands
				// of commits per description: sample fewer.
				n := 300
				if name != "packed-graph" {
					n = []int{120, 20, 25}[i]
				}
				n = compareWithGit(t, dir, m, commits[:n])
				t.Logf("%s --match %v: compared %d commits", name, m, n)
				total += n
			}
		})
	}
	t.Logf("compared %d descriptions on 10k-commit repositories", total)
}

func TestDescribeMatch(t *testing.T) {
	t.Parallel()
	testenv.Require(t, "git")
	dir := repoFixture(t, "special-packed", storages["packed"](shapes["special"]))
	commits := gitLines(t, dir, "rev-list", "--all")
	cases := map[string][]string{
		"v prefix":         {"v*"},
		"release prefix":   {"release-*"},
		"slash in pattern": {"pkg/v*"},
		"star crosses /":   {"*1.*"},
		"digits only":      {"[0-9]*"},
		"class and range":  {"v[0-9].[!5]*"},
		"question mark":    {"v?.?.?"},
		"several patterns": {"release-*", "9.0.0", "eq-*"},
		"nothing matches":  {"no-such-tag-*"},
		"escaped star":     {`v\*`},
	}
	total := 0
	for name, m := range cases {
		t.Run(name, func(t *testing.T) {
			total += compareWithGit(t, dir, m, commits)
		})
	}
	t.Logf("compared %d descriptions with --match", total)
}

// TestDescribeCandidate checks the Candidate filter against git's
// --exclude of exactly the rejected tags.
func TestDescribeCandidate(t *testing.T) {
	testenv.Require(t, "git")
	dir := repoFixture(t, "special-packed", storages["packed"](shapes["special"]))
	reject := func(tag string) bool {
		return strings.HasPrefix(tag, "v9") || strings.HasSuffix(tag, ".0") || strings.HasPrefix(tag, "a-")
	}
	var excludes []string
	for _, tag := range gitLines(t, dir, "tag") {
		if reject(tag) {
			excludes = append(excludes, "--exclude", tag)
		}
	}
	if len(excludes) == 0 {
		t.Fatal("fixture has no tags to reject")
	}
	commits := gitLines(t, dir, "rev-list", "--all")
	want := gitLines(t, dir, append(append([]string{"describe", "--tags", "--long", "--always"}, excludes...), commits...)...)
	for i, c := range commits {
		d, err := Describe(context.Background(), Options{Dir: dir, Rev: c, Candidate: func(tag string) bool { return !reject(tag) }})
		if err != nil {
			t.Fatal(err)
		}
		if d.String() != want[i] {
			t.Errorf("Describe(%s) = %q, git --exclude says %q", c, d, want[i])
		}
	}
}

// TestDescribeNoTagsCountsCommits checks the fallback distance against
// git rev-list --count.
func TestDescribeNoTagsCountsCommits(t *testing.T) {
	testenv.Require(t, "git")
	for storage, v := range storages {
		t.Run(storage, func(t *testing.T) {
			dir := repoFixture(t, "notags-"+storage, v(shapes["notags"]))
			for _, c := range sample(gitLines(t, dir, "rev-list", "--all"), 40, 3) {
				d, err := Describe(context.Background(), Options{Dir: dir, Rev: c})
				if err != nil {
					t.Fatal(err)
				}
				want, _ := strconv.Atoi(testenv.Git(t, dir, "rev-list", "--count", c))
				if d.Tag != "" || d.Distance != want {
					t.Errorf("Describe(%s) = tag %q distance %d, want no tag and rev-list --count %d", c, d.Tag, d.Distance, want)
				}
			}
		})
	}
}

// TestDescribeRequireTagFailsLikeGit: with RequireTag, Describe fails
// where `git describe --tags` fails, for git's two reasons.
func TestDescribeRequireTagFailsLikeGit(t *testing.T) {
	testenv.Require(t, "git")
	dir := t.TempDir()
	testenv.Git(t, dir, "init", "-q", "-b", "main")
	for i := range 3 {
		testenv.Git(t, dir, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "c"+strconv.Itoa(i))
	}
	head := testenv.Git(t, dir, "rev-parse", "HEAD")
	gitFails := func(match []string, want string) {
		t.Helper()
		args := []string{"describe", "--tags", "--long"}
		for _, m := range match {
			args = append(args, "--match", m)
		}
		out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
		if err == nil || !strings.Contains(string(out), want) {
			t.Fatalf("git %v: %v %s, want a failure saying %q", args, err, out, want)
		}
	}
	check := func(match []string, is error) {
		t.Helper()
		d, err := Describe(context.Background(), Options{Dir: dir, Match: match, RequireTag: true})
		if !errors.Is(err, is) {
			t.Fatalf("Describe(match %q) = %q, %v; want %v", match, d, err, is)
		}
		// Without RequireTag the same repository describes as a count.
		if d, err := Describe(context.Background(), Options{Dir: dir, Match: match}); err != nil || d.Tag != "" || d.Distance != 3 {
			t.Fatalf("Describe without RequireTag = %+v, %v", d, err)
		}
	}
	gitFails(nil, "No names found, cannot describe anything.")
	check(nil, ErrNoNames)

	// A tag on a branch HEAD does not reach, and one filtered out.
	testenv.Git(t, dir, "checkout", "-q", "-b", "side", "HEAD~1")
	testenv.Git(t, dir, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "side")
	testenv.Git(t, dir, "tag", "v1.0.0")
	testenv.Git(t, dir, "checkout", "-q", "main")
	gitFails(nil, "No tags can describe '"+head+"'.")
	check(nil, ErrNoTag)
	var nt *NoTagError
	if _, err := Describe(context.Background(), Options{Dir: dir, RequireTag: true}); !errors.As(err, &nt) || nt.Commit != head {
		t.Fatalf("error %v does not name commit %s", err, head)
	}
	gitFails([]string{"x*"}, "No names found, cannot describe anything.")
	check([]string{"x*"}, ErrNoNames)

	// Reachable: both succeed, and agree.
	testenv.Git(t, dir, "tag", "nightly", "HEAD~2")
	compareWithGit(t, dir, nil, []string{head})
	if _, err := Describe(context.Background(), Options{Dir: dir, RequireTag: true}); err != nil {
		t.Fatal(err)
	}
}
